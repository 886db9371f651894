package io.segstream.topology;

import io.segstream.avro.CartAbandoned;
import io.segstream.avro.PrivacyAudit;
import io.segstream.avro.RfmSketches;
import io.segstream.avro.SegmentChange;
import io.segstream.avro.UserSegments;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * What the per-user processor emits, each kind forwarded to its own sink node, typed. Every output
 * is stamped with the wall-clock time it is written, never the event's time: a broker refuses
 * records stamped more than log.message.timestamp.after.max.ms ahead and deletes records stamped
 * older than retention.ms, so outputs of events from the future or the past would otherwise fail
 * the task or vanish before anyone reads them. Event time is in the payload.
 */
final class Outputs {

    static final String CHANGES = "segment-changes-sink";
    static final String SEGMENT_TOPICS = "segment-topic-sink";
    static final String MEMBERSHIP = "membership-sink";
    static final String ABANDONED = "cart-abandoned-sink";
    static final String SKETCHES = "rfm-sketches-sink";
    static final String AUDIT = "privacy-audit-sink";

    /** A change on its way to its segment's own output topic. */
    record Routed(SegmentChange change, String topic) {}

    private final ProcessorContext<String, Object> context;

    Outputs(ProcessorContext<String, Object> context) {
        this.context = context;
    }

    /** A segment change, to segments.changes and, when the segment has one, to its own topic. */
    void change(String user, SegmentChange change, String segmentTopic) {
        context.forward(new Record<>(user, change, writtenAt()), CHANGES);
        if (segmentTopic != null) {
            context.forward(new Record<>(user, new Routed(change, segmentTopic), writtenAt()), SEGMENT_TOPICS);
        }
    }

    void membership(String user, UserSegments current) {
        context.forward(new Record<>(user, current, writtenAt()), MEMBERSHIP);
    }

    /** A tombstone for the user on the compacted membership topic: an erased user's record goes away there too. */
    void membershipErased(String user) {
        context.forward(new Record<>(user, null, writtenAt()), MEMBERSHIP);
    }

    /** What was done for a privacy request, keyed by request id. */
    void audit(PrivacyAudit audit) {
        context.forward(new Record<>(audit.getRequestId(), audit, writtenAt()), AUDIT);
    }

    void abandoned(String user, CartAbandoned abandonment) {
        context.forward(new Record<>(user, abandonment, writtenAt()), ABANDONED);
    }

    void sketches(String task, RfmSketches sketches) {
        context.forward(new Record<>(task, sketches, writtenAt()), SKETCHES);
    }

    private long writtenAt() {
        return context.currentSystemTimeMs();
    }
}
