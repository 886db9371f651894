package io.segstream.topology;

import io.segstream.dlq.DeadLetterReason;
import io.segstream.dlq.InvalidRecordException;
import java.time.Duration;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Checks each input record against the {@link InputContract} and against lateness, and forwards
 * the good ones; a bad one raises {@link InvalidRecordException}, which the processing handler
 * dead-letters with its original bytes.
 *
 * <p>Lateness is measured against the latest event time of the record's own input partition, not
 * the task's stream time: a task reads one clickstream and one orders partition, and when one
 * topic runs ahead of the other (a backfill, a consumer catching up, a producer that batches
 * differently) the other's events are not late, they are merely behind. One validator serves one
 * input topic of one task, so it sees one partition. After a restart the partition's latest time
 * is rebuilt from the records that follow the last commit.
 */
final class InputValidator implements FixedKeyProcessor<String, SpecificRecord, SpecificRecord> {

    private final InputContract contract;
    private final Duration grace;
    private FixedKeyProcessorContext<String, SpecificRecord> context;
    private long partitionTime = Long.MIN_VALUE;

    InputValidator(InputContract contract, Duration grace) {
        this.contract = contract;
        this.grace = grace;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, SpecificRecord> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, SpecificRecord> record) {
        InputContract.Violation violation = contract.check(record.key(), record.value());
        if (violation != null) {
            throw violation.exception();
        }
        Instant eventTime = InputContract.eventTime(record.value());
        if (eventTime == null) {
            // A privacy request: never late.
            context.forward(record);
            return;
        }
        long at = eventTime.toEpochMilli();
        if (partitionTime != Long.MIN_VALUE && at < partitionTime - grace.toMillis()) {
            throw new InvalidRecordException(DeadLetterReason.LATE, "eventTimestamp " + Instant.ofEpochMilli(at)
                    + " is more than " + grace + " behind the latest event time of its partition, "
                    + Instant.ofEpochMilli(partitionTime));
        }
        partitionTime = Math.max(partitionTime, at);
        context.forward(record);
    }
}
