package io.segstream.features;

import java.util.concurrent.atomic.LongAdder;

/** Pipeline counters of the feature stage, shared by all tasks of an instance. */
public final class FeatureCounters {

    private final LongAdder processed = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder abandonments = new LongAdder();

    void processed() {
        processed.increment();
    }

    void duplicate() {
        duplicates.increment();
    }

    void abandoned() {
        abandonments.increment();
    }

    public long processedCount() {
        return processed.sum();
    }

    public long duplicateCount() {
        return duplicates.sum();
    }

    public long abandonmentCount() {
        return abandonments.sum();
    }
}
