package io.segstream.privacy;

import io.segstream.avro.PrivacyRequestType;

/**
 * What a user said about consent through {@code privacy.requests} (part of the user's state).
 * {@link #UNSET} until their first consent request; then {@code privacy.consent.default} decides.
 */
public enum Consent {
    UNSET,
    GRANTED,
    WITHDRAWN;

    /** Whether the user may be in segments that require consent, given the default for {@link #UNSET}. */
    public boolean allows(boolean grantedByDefault) {
        return this == GRANTED || this == UNSET && grantedByDefault;
    }

    /** The consent a consent request sets. */
    static Consent of(PrivacyRequestType type) {
        return switch (type) {
            case CONSENT_GRANTED -> GRANTED;
            case CONSENT_WITHDRAWN -> WITHDRAWN;
            default -> throw new IllegalArgumentException(type + " is not a consent request");
        };
    }
}
