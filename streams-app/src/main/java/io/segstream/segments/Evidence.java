package io.segstream.segments;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fact values as they travel in a SegmentChange: a flat map of null, boolean, long, double or
 * string. Maps flatten to {@code name.key}; lists become comma-separated strings.
 */
final class Evidence {

    private Evidence() {}

    /** Adds one fact's flat values to {@code flat} (sorted by name, as a SegmentChange carries them). */
    static void add(TreeMap<String, Object> flat, String name, Object value) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, entry) -> flat.put(name + "." + key, scalar(entry)));
        } else {
            flat.put(name, scalar(value));
        }
    }

    private static Object scalar(Object value) {
        if (value == null || value instanceof Boolean || value instanceof Long || value instanceof Double
                || value instanceof String) {
            return value;
        }
        if (value instanceof Integer number) {
            return number.longValue();
        }
        if (value instanceof Number number) {
            return number.doubleValue();
        }
        if (value instanceof Collection<?> items) {
            return String.join(",", items.stream().map(String::valueOf).toList());
        }
        return value.toString();
    }
}
