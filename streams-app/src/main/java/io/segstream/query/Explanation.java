package io.segstream.query;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Why a user is or is not in each active segment: the condition, its result, the facts it read,
 * and the user's consent.
 */
public record Explanation(String userId, Instant asOf, double intentScore, UserProfile.LifetimeValue lifetime,
        UserProfile.ConsentStatus consent, List<Decision> decisions, boolean stale) {

    /**
     * One definition: whether its condition holds, whether the user holds the segment (an exclusive
     * group may give it to a higher-priority segment, or the fallback; a segment that requires consent
     * is held only when the user's consent allows it), the fact values read, the versions of the
     * models that predicted some of them, and the facts the condition reads that are absent, with why
     * (a condition that reads an absent fact is false unless another part of it decides).
     */
    public record Decision(String segment, long version, String condition, String exclusiveGroup, boolean requiresConsent,
            boolean conditionHolds, boolean member, Map<String, Object> features, Map<String, String> models,
            Map<String, String> absentFacts) {}
}
