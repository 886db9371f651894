package io.segstream.query;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Why a user is or is not in each active segment: the condition, its result, the facts it read. */
public record Explanation(String userId, Instant asOf, double intentScore, List<Decision> decisions, boolean stale) {

    /**
     * One definition: whether its condition holds, whether the user holds the segment (an exclusive
     * group may give it to a higher-priority segment, or the fallback), and the fact values read.
     */
    public record Decision(String segment, long version, String condition, String exclusiveGroup, boolean conditionHolds,
            boolean member, Map<String, Object> features) {}
}
