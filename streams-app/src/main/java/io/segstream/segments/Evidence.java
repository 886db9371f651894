package io.segstream.segments;

import io.segstream.facts.Facts;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fact values as they travel in a SegmentChange: a flat map of null, boolean, long, double or
 * string. Maps flatten to {@code name.key}; lists become comma-separated strings.
 */
final class Evidence {

    private Evidence() {}

    /**
     * One evaluation's facts as its changes carry them: each fact is flattened once, however many of
     * the changes read it (a map fact makes a name per entry).
     */
    static final class Flattened {
        private final Facts.Input input;
        /** By fact position: its flat names and values, alternately; null until first added. */
        private final Object[][] byFact = new Object[Facts.ALL.size()][];

        Flattened(Facts.Input input) {
            this.input = input;
        }

        Facts.Input input() {
            return input;
        }

        /** Adds the flat values of the fact at {@code index}, named {@code name}, to {@code flat}. */
        void addTo(TreeMap<String, Object> flat, int index, String name) {
            Object[] pairs = byFact[index];
            if (pairs == null) {
                pairs = pairs(name, input.value(index));
                byFact[index] = pairs;
            }
            for (int i = 0; i < pairs.length; i += 2) {
                flat.put((String) pairs[i], pairs[i + 1]);
            }
        }
    }

    /** One fact's flat names and values, alternately. */
    private static Object[] pairs(String name, Object value) {
        if (value instanceof Map<?, ?> map) {
            Object[] pairs = new Object[2 * map.size()];
            int at = 0;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                pairs[at++] = name + "." + entry.getKey();
                pairs[at++] = scalar(entry.getValue());
            }
            return pairs;
        }
        return new Object[] {name, scalar(value)};
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
