package io.segstream.features;

import java.time.Instant;

/** Calendar arithmetic on epoch milliseconds (UTC days and hours), the features' bucket units. */
final class Times {

    static final long HOUR_MS = 3_600_000L;
    static final long DAY_MS = 86_400_000L;

    private Times() {}

    static long day(long epochMillis) {
        return Math.floorDiv(epochMillis, DAY_MS);
    }

    static long hour(long epochMillis) {
        return Math.floorDiv(epochMillis, HOUR_MS);
    }

    static Instant instant(Long epochMillis) {
        return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis);
    }
}
