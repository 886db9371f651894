package io.segstream.dlq;

import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Dead-letters records a processor refused with {@link InvalidRecordException}, with the bytes
 * they arrived with. Any other exception is a defect, not bad input, and fails the task.
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {

    private DeadLetters deadLetters;

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetters = DeadLetters.from(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (exception instanceof InvalidRecordException invalid) {
            return Response.resume(deadLetters.record(context, context.sourceRawKey(), context.sourceRawValue(),
                    DeadLetters.Stage.VALIDATION, invalid.reason(), invalid.getMessage()));
        }
        return Response.fail();
    }
}
