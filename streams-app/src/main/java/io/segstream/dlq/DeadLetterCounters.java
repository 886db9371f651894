package io.segstream.dlq;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Dead letters counted by reason, and punctuations that failed, for metrics and tests. Thread-safe. */
public final class DeadLetterCounters {

    private final Map<DeadLetterReason, LongAdder> counts = new EnumMap<>(DeadLetterReason.class);
    private final LongAdder failedPunctuations = new LongAdder();

    public DeadLetterCounters() {
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            counts.put(reason, new LongAdder());
        }
    }

    void increment(DeadLetterReason reason) {
        counts.get(reason).increment();
    }

    void punctuationFailed() {
        failedPunctuations.increment();
    }

    public long count(DeadLetterReason reason) {
        return counts.get(reason).sum();
    }

    /** Every dead letter, whatever its reason. */
    public long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Scheduled work (timers, re-evaluation, sketches) that raised an exception; it was logged and runs again next time. */
    public long failedPunctuations() {
        return failedPunctuations.sum();
    }
}
