package io.segstream.topology;

import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time comes from the payload. A record that breaks the {@link InputContract} (no value, a
 * time at or before 1970 or too far ahead, a missing id ...) gets its partition's current time
 * instead: it is still processed, so validation dead-letters it, but it never moves stream time,
 * so one bad clock cannot make the valid records after it late. A privacy request, which carries no
 * event time, gets its partition's current time too.
 */
final class PayloadTimestampExtractor implements TimestampExtractor {

    private final InputContract contract;

    PayloadTimestampExtractor(InputContract contract) {
        this.contract = contract;
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        Object key = record.key();
        if (contract.check(key == null ? null : key.toString(), record.value()) == null) {
            Instant payloadTime = InputContract.eventTime(record.value());
            if (payloadTime != null) {
                return payloadTime.toEpochMilli();
            }
        }
        // Never negative: Kafka Streams would drop the record without a trace.
        return Math.max(partitionTime, 0);
    }
}
