package io.segstream.facts;

import java.time.Instant;
import java.util.Map;

/** Sessions and dwell of a user as of a given "now" (read model of store {@code dwell}). */
public record Dwell(
        CurrentSession currentSession,
        long sessions,
        long sessionsLast30Days,
        long averageSessionDwellMs,
        long totalDwellMs,
        Map<String, Long> categoryDwellMsLast7Days) {

    public Dwell {
        categoryDwellMsLast7Days = Map.copyOf(categoryDwellMsLast7Days);
    }

    /**
     * The latest session: its tracker id (null when derived from the inactivity gap), dwell so far,
     * page views, whether it is still open (last event within the session gap of now), and the last
     * instant it is open without another event.
     */
    public record CurrentSession(String sessionId, Instant start, Instant lastActivity, long dwellMs, int pages,
            boolean active, Instant openUntil) {}
}
