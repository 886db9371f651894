package io.segstream.dlq;

import io.segstream.serde.WireFormatException;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * Dead-letters records whose bytes cannot be read and lets the pipeline carry on. A registry that
 * cannot be reached is not the record's fault: then the task fails (and is retried by Kafka
 * Streams' restart policy) rather than losing good records to the dead-letter topic.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {

    private DeadLetters deadLetters;

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetters = DeadLetters.from(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (DeadLetters.isOutage(exception)) {
            return Response.fail();
        }
        DeadLetterReason reason = exception instanceof WireFormatException wire
                ? DeadLetterReason.of(wire)
                : DeadLetterReason.UNREADABLE;
        return Response.resume(deadLetters.record(context, record.key(), record.value(),
                DeadLetters.Stage.DESERIALIZATION, reason, exception.getMessage()));
    }
}
