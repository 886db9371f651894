package io.segstream.dlq;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Dead letters counted by reason, for metrics and tests. Thread-safe. */
public final class DeadLetterCounters {

    private final Map<DeadLetterReason, LongAdder> counts = new EnumMap<>(DeadLetterReason.class);

    public DeadLetterCounters() {
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            counts.put(reason, new LongAdder());
        }
    }

    void increment(DeadLetterReason reason) {
        counts.get(reason).increment();
    }

    public long count(DeadLetterReason reason) {
        return counts.get(reason).sum();
    }
}
