package io.segstream.segments;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Results of a pure test remembered by the values it was given, shared by every task: most users
 * share the values a test reads (a count, a flag, a category and its count), so the CEL interpreter
 * (about a microsecond a test) runs only for values not seen recently. Bounded: emptied when full,
 * and given up for a test whose values rarely repeat ({@code time.nowMillis}, say), where looking up
 * would only add to the cost.
 */
final class ResultMemory {

    /** Remembered results before the memory is emptied. */
    static final int LIMIT = 4_096;
    /** A memory that, once full, served fewer hits than this share of look-ups stops remembering. */
    private static final double MIN_HIT_RATIO = 0.2;

    private final Map<Object, Byte> memory = new ConcurrentHashMap<>();
    private volatile boolean remembering = true;
    /** Look-ups and hits since the memory was last emptied; approximate under concurrency, which only tunes the cost. */
    private long lookups;
    private long hits;

    /** The result for {@code values}, remembered or from {@code test}. */
    byte result(Object values, Supplier<Byte> test) {
        if (!remembering) {
            return test.get();
        }
        lookups++;
        Byte known = memory.get(values);
        if (known != null) {
            hits++;
            return known;
        }
        byte result = test.get();
        if (memory.size() >= LIMIT) {
            remembering = hits >= MIN_HIT_RATIO * lookups;
            memory.clear();
            lookups = 0;
            hits = 0;
        }
        if (remembering) {
            memory.put(values, result);
        }
        return result;
    }
}
