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
 */
final class InputValidator implements FixedKeyProcessor<String, SpecificRecord, SpecificRecord> {

    private final InputContract contract;
    private final Duration grace;
    private FixedKeyProcessorContext<String, SpecificRecord> context;

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
        long at = InputContract.eventTime(record.value()).toEpochMilli();
        long streamTime = context.currentStreamTimeMs();
        if (at < streamTime - grace.toMillis()) {
            throw new InvalidRecordException(DeadLetterReason.LATE, "eventTimestamp " + Instant.ofEpochMilli(at)
                    + " is more than " + grace + " behind stream time " + Instant.ofEpochMilli(streamTime));
        }
        context.forward(record);
    }
}
