package io.segstream.topology;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.Order;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time comes from the payload. A payload without a usable timestamp falls back to the
 * record's own timestamp, so Kafka Streams does not drop it silently; validation then
 * dead-letters it as INVALID_TIMESTAMP.
 */
public final class PayloadTimestampExtractor implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        Instant payloadTime = record.value() instanceof ClickEvent click ? click.getEventTimestamp()
                : record.value() instanceof Order order ? order.getEventTimestamp()
                : null;
        if (payloadTime != null && payloadTime.toEpochMilli() > 0) {
            return payloadTime.toEpochMilli();
        }
        return record.timestamp() >= 0 ? record.timestamp() : Math.max(partitionTime, 0);
    }
}
