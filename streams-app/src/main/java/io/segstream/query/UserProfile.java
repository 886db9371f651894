package io.segstream.query;

import io.segstream.facts.Cart;
import io.segstream.facts.Dwell;
import io.segstream.facts.Interest;
import io.segstream.facts.Rfm;
import io.segstream.scoring.IntentScore;
import java.time.Instant;
import java.util.List;

/**
 * A user's live profile as the API returns it. {@code stale} is true when a standby replica
 * answered because the owner was unreachable; {@code asOf} is the "now" it was computed for.
 */
public record UserProfile(String userId, Instant asOf, Rfm rfm, Dwell dwell, Cart cart, Interest interest,
        IntentScore intent, LifetimeValue lifetime, ConsentStatus consent, List<Segment> segments, boolean stale) {

    /**
     * The clv model's predictions (the facts clv.pAlive, clv.expectedPurchases90d,
     * clv.expectedValue365d) and its version; a value is null when absent, and {@code absentReason} says why.
     */
    public record LifetimeValue(Double pAlive, Double expectedPurchases90d, Double expectedValue365d, String modelVersion,
            String absentReason) {}

    /**
     * What the user said through privacy.requests (UNSET, GRANTED, WITHDRAWN) and whether that lets
     * them into segments that require consent (for UNSET, privacy.consent.default decides).
     */
    public record ConsentStatus(String given, boolean allowsSegmentsRequiringConsent) {}

    /** A segment the user is in, with the definition version that put them there. */
    public record Segment(String name, long version, Instant since) {}
}
