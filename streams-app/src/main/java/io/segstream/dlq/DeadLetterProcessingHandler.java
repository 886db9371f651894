package io.segstream.dlq;

import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * No record stops the pipeline: a record a processor refused ({@link InvalidRecordException}) is
 * dead-lettered at stage VALIDATION with its reason, and a record whose processing raised anything
 * else at stage PROCESSING with the exception, both with the bytes they arrived with. An outage
 * (registry or broker unreachable) is not the record's fault: the task fails and is retried.
 * Scheduled work that fails has no record; it is logged and counted and runs again next time.
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
        if (DeadLetters.isOutage(exception)) {
            return Response.fail();
        }
        if (record == null) {
            deadLetters.punctuationFailed(context, exception);
            return Response.resume();
        }
        return Response.resume(deadLetters.record(context, context.sourceRawKey(), context.sourceRawValue(),
                DeadLetters.Stage.PROCESSING, DeadLetterReason.PROCESSING_ERROR, DeadLetters.describe(exception), exception));
    }
}
