package io.segstream.topology;

import io.segstream.features.FeatureState;
import io.segstream.privacy.Consent;
import io.segstream.segments.MembershipState;

/**
 * One user's whole state, store {@code users}: held decoded by {@link UserStore} while the user is
 * active and changed in place by the stages. Encoded by {@link UserStateSerde} as a versioned Avro
 * record (schema io/segstream/state/user-state-v*.avsc).
 */
public record UserState(FeatureState features, MembershipState membership, Consent consent) {

    public static UserState empty() {
        return new UserState(new FeatureState(), new MembershipState(), Consent.UNSET);
    }

    public UserState withMembership(MembershipState next) {
        return next == membership ? this : new UserState(features, next, consent);
    }

    public UserState withConsent(Consent next) {
        return new UserState(features, membership, next);
    }
}
