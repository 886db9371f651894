package io.segstream.dlq;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;

/**
 * Outputs that cannot be written. One that cannot be serialized dead-letters the input record
 * that produced it (stage OUTPUT), or, when no single input record did (a timer, a pass, the
 * decisions made before a commit), a letter keyed by the output's key, without a value; unless the
 * registry is unreachable, which fails the task to be retried. One the broker refuses for good is
 * dead-lettered as the output's own bytes, with the output topic in the message; a transient refusal
 * is retried.
 */
public final class DeadLetterProductionHandler implements ProductionExceptionHandler {

    private DeadLetters deadLetters;

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetters = DeadLetters.from(configs);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
            SerializationExceptionOrigin origin) {
        if (DeadLetters.isOutage(exception)) {
            return Response.fail();
        }
        String problem = "cannot serialize the " + origin.name().toLowerCase() + " of an output for topic " + record.topic()
                + ": " + DeadLetters.describe(exception);
        if (context.sourceRawValue() == null) {
            // No input record made it (a timer, a pass, the decisions before a commit): the letter names the output's key.
            byte[] key = record.key() instanceof String text ? text.getBytes(StandardCharsets.UTF_8) : null;
            return Response.resume(deadLetters.record(context, key, null, DeadLetters.Stage.OUTPUT,
                    DeadLetterReason.OUTPUT_ERROR, problem + " (made by scheduled work or at a commit, not by one input "
                            + "record)", exception));
        }
        return Response.resume(deadLetters.record(context, context.sourceRawKey(), context.sourceRawValue(),
                DeadLetters.Stage.OUTPUT, DeadLetterReason.OUTPUT_ERROR, problem, exception));
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RetriableException) {
            return Response.retry();
        }
        if (deadLetters.isDeadLetterTopic(record.topic())) {
            return Response.fail();
        }
        return Response.resume(deadLetters.record(context, record.key(), record.value(), DeadLetters.Stage.OUTPUT,
                DeadLetterReason.OUTPUT_ERROR, "the broker refused an output for topic " + record.topic() + ": "
                        + DeadLetters.describe(exception), exception));
    }
}
