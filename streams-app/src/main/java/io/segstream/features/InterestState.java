package io.segstream.features;

import java.util.Map;
import java.util.TreeMap;

/** Product views per category in hourly buckets (store {@code interest}); commutative. */
public final class InterestState {

    TreeMap<Long, TreeMap<String, Integer>> viewsByHour = new TreeMap<>();
    long latestHour = Long.MIN_VALUE;

    void addView(long at, String category, long windowMs) {
        if (category == null) {
            return;
        }
        long hour = Times.hour(at);
        viewsByHour.computeIfAbsent(hour, h -> new TreeMap<>()).merge(category, 1, Integer::sum);
        latestHour = Math.max(latestHour, hour);
        viewsByHour.headMap(latestHour - windowMs / Times.HOUR_MS + 1).clear();
    }

    /** Views per category in the window ending at {@code now}; views that aged out no longer count. */
    public Interest view(long now, long windowMs) {
        long nowHour = Times.hour(now);
        TreeMap<String, Integer> counts = new TreeMap<>();
        for (Map<String, Integer> hour : viewsByHour.subMap(nowHour - windowMs / Times.HOUR_MS + 1, true, nowHour, true).values()) {
            hour.forEach((category, views) -> counts.merge(category, views, Integer::sum));
        }
        return new Interest(counts);
    }
}
