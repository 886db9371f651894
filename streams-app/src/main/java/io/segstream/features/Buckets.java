package io.segstream.features;

import java.util.TreeMap;

/** Time buckets (days, hours) of a user's windows. */
final class Buckets {

    private Buckets() {}

    /**
     * Removes the buckets before {@code first}. Called with every event, so the usual case (nothing
     * old enough) only looks at the first key, without making a view of the map. Returns whether any
     * was removed.
     */
    static boolean dropBefore(TreeMap<Long, ?> buckets, long first) {
        if (!buckets.isEmpty() && buckets.firstKey() < first) {
            buckets.headMap(first).clear();
            return true;
        }
        return false;
    }
}
