package io.segstream.facts;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/** Sessions and dwell of a user as of a given "now" (read model of store {@code dwell}). */
public record Dwell(
        CurrentSession currentSession,
        long sessions,
        long sessionsLast30Days,
        long averageSessionDwellMs,
        long totalDwellMs,
        CategoryCounts categoryDwellMsLast7Days) {

    public Dwell {
        Objects.requireNonNull(categoryDwellMsLast7Days, "categoryDwellMsLast7Days");
    }

    public Dwell(CurrentSession currentSession, long sessions, long sessionsLast30Days, long averageSessionDwellMs,
            long totalDwellMs, Map<String, Long> categoryDwellMsLast7Days) {
        this(currentSession, sessions, sessionsLast30Days, averageSessionDwellMs, totalDwellMs,
                CategoryCounts.copyOf(categoryDwellMsLast7Days));
    }

    /**
     * The latest session: its tracker id (null when derived from the inactivity gap), dwell so far,
     * page views, whether it is still open (last event within the session gap of now), and the last
     * instant it is open without another event.
     */
    public record CurrentSession(String sessionId, Instant start, Instant lastActivity, long dwellMs, int pages,
            boolean active, Instant openUntil) {}
}
