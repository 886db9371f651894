package io.segstream.segments;

import io.segstream.avro.SegmentChangeKind;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Segment counters of an instance: changes by segment and kind, evaluations and their time. */
public final class SegmentCounters {

    private final Map<String, LongAdder> changes = new ConcurrentHashMap<>();
    private final LongAdder evaluations = new LongAdder();
    private final LongAdder evaluationNanos = new LongAdder();
    private final LongAdder reevaluated = new LongAdder();
    private final LongAdder evaluationFailures = new LongAdder();

    public void changed(String segment, SegmentChangeKind kind) {
        changes.computeIfAbsent(segment + "|" + kind, key -> new LongAdder()).increment();
    }

    public void evaluated(long nanos) {
        evaluations.increment();
        evaluationNanos.add(nanos);
    }

    public void reevaluated(long users) {
        reevaluated.add(users);
    }

    /** A user's evaluation raised an exception outside a record's processing (before a commit). */
    public void evaluationFailed() {
        evaluationFailures.increment();
    }

    public long evaluationFailures() {
        return evaluationFailures.sum();
    }

    public long changes(String segment, SegmentChangeKind kind) {
        LongAdder count = changes.get(segment + "|" + kind);
        return count == null ? 0 : count.sum();
    }

    public long evaluations() {
        return evaluations.sum();
    }

    public long evaluationNanos() {
        return evaluationNanos.sum();
    }

    public long reevaluatedUsers() {
        return reevaluated.sum();
    }
}
