package io.segstream.segments;

import io.segstream.facts.Fact;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fact values as they travel in a SegmentChange: a flat map of null, boolean, long, double or
 * string. Maps flatten to {@code name.key}; lists become comma-separated strings.
 */
final class Evidence {

    private Evidence() {}

    /** The flat values, sorted by name as a SegmentChange carries them. */
    static TreeMap<String, Object> flatten(Map<String, Object> facts) {
        TreeMap<String, Object> flat = new TreeMap<>();
        facts.forEach((name, value) -> {
            if (value instanceof Map<?, ?> map) {
                map.forEach((key, entry) -> flat.put(name + "." + key, scalar(entry)));
            } else {
                flat.put(name, scalar(value));
            }
        });
        return flat;
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
