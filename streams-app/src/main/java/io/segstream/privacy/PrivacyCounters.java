package io.segstream.privacy;

import io.segstream.avro.PrivacyOutcome;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Privacy requests handled (by outcome), re-sent ones dropped, and outputs held back for lack of
 * consent; shared by all tasks of an instance.
 */
public final class PrivacyCounters {

    private final Map<PrivacyOutcome, LongAdder> handled = new EnumMap<>(PrivacyOutcome.class);
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder withheld = new LongAdder();

    public PrivacyCounters() {
        for (PrivacyOutcome outcome : PrivacyOutcome.values()) {
            handled.put(outcome, new LongAdder());
        }
    }

    void handled(PrivacyOutcome outcome) {
        handled.get(outcome).increment();
    }

    void duplicate() {
        duplicates.increment();
    }

    void withheld() {
        withheld.increment();
    }

    public long withheldCount() {
        return withheld.sum();
    }

    public long handledCount(PrivacyOutcome outcome) {
        return handled.get(outcome).sum();
    }

    public long duplicateCount() {
        return duplicates.sum();
    }
}
