package io.segstream.dlq;

import io.segstream.registry.SchemaRegistryException;
import io.segstream.serde.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds dead-letter records: the original key and value bytes, the original headers, and headers
 * that say where the record came from and why it was refused. A dead letter is stamped with the
 * time it is written, so the broker accepts it and keeps it for the topic's whole retention
 * whatever the event's own time; the original timestamp travels in a header.
 */
public final class DeadLetters {

    public static final String HEADER_STAGE = "segstream.dlq.stage";
    public static final String HEADER_REASON = "segstream.dlq.reason";
    public static final String HEADER_MESSAGE = "segstream.dlq.message";
    public static final String HEADER_EXCEPTION = "segstream.dlq.exception";
    public static final String HEADER_NODE = "segstream.dlq.node";
    public static final String HEADER_TOPIC = "segstream.dlq.source.topic";
    public static final String HEADER_PARTITION = "segstream.dlq.source.partition";
    public static final String HEADER_OFFSET = "segstream.dlq.source.offset";
    public static final String HEADER_TIMESTAMP = "segstream.dlq.source.timestamp";

    /** Config keys under which the handlers find the dead-letter topic and the counters. */
    public static final String TOPIC_CONFIG = "segstream.dlq.topic";
    public static final String COUNTERS_CONFIG = "segstream.dlq.counters";

    /** Where in the pipeline a record was refused. */
    public enum Stage { DESERIALIZATION, VALIDATION, PROCESSING, OUTPUT }

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    private static final int MAX_MESSAGE_LENGTH = 1000;

    private final String topic;
    private final DeadLetterCounters counters;

    DeadLetters(String topic, DeadLetterCounters counters) {
        this.topic = topic;
        this.counters = counters;
    }

    /** Reads the topic and counters that the topology's Streams properties carry (see {@link #TOPIC_CONFIG}). */
    static DeadLetters from(Map<String, ?> configs) {
        Object topic = configs.get(TOPIC_CONFIG);
        Object counters = configs.get(COUNTERS_CONFIG);
        if (!(topic instanceof String name) || name.isBlank()) {
            throw new IllegalStateException(TOPIC_CONFIG + " is not set; build Streams properties with SegStreamTopology");
        }
        return new DeadLetters(name, counters instanceof DeadLetterCounters given ? given : new DeadLetterCounters());
    }

    /**
     * True when {@code failure} is not the record's fault: the schema registry or a broker could not
     * be reached, or refused the pipeline's own schema. Such a record is retried, never dead-lettered.
     * Bytes that are not a readable record (a {@link WireFormatException}) are always the record's fault.
     */
    static boolean isOutage(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof WireFormatException) {
                return false;
            }
            if (cause instanceof SchemaRegistryException || cause instanceof RetriableException) {
                return true;
            }
        }
        return false;
    }

    /** True for the dead-letter topic itself: a dead letter that cannot be written must not make another. */
    boolean isDeadLetterTopic(String name) {
        return topic.equals(name);
    }

    List<ProducerRecord<byte[], byte[]>> record(ErrorHandlerContext context, byte[] key, byte[] value, Stage stage,
            DeadLetterReason reason, String message) {
        return record(context, key, value, stage, reason, message, null);
    }

    /** The dead letter of a record; {@code failure}, when given, is an unexpected exception whose class is recorded. */
    List<ProducerRecord<byte[], byte[]>> record(ErrorHandlerContext context, byte[] key, byte[] value, Stage stage,
            DeadLetterReason reason, String message, Throwable failure) {
        counters.increment(reason);
        if (failure == null) {
            log.warn("Dead-lettered record {}-{}@{} at {}: {} {}", context.topic(), context.partition(), context.offset(),
                    stage, reason, message);
        } else {
            log.error("Dead-lettered record {}-{}@{} at {} (node {}): {}", context.topic(), context.partition(),
                    context.offset(), stage, context.processorNodeId(), reason, failure);
        }
        Headers headers = new RecordHeaders(context.headers() == null ? new RecordHeaders() : context.headers());
        headers.add(HEADER_STAGE, utf8(stage.name()));
        headers.add(HEADER_REASON, utf8(reason.name()));
        headers.add(HEADER_MESSAGE, utf8(abbreviate(message)));
        if (failure != null) {
            headers.add(HEADER_EXCEPTION, utf8(failure.getClass().getName()));
        }
        if (context.processorNodeId() != null) {
            headers.add(HEADER_NODE, utf8(context.processorNodeId()));
        }
        // Outputs of scheduled work and of the decisions made before a commit were read from nowhere.
        if (context.topic() != null) {
            headers.add(HEADER_TOPIC, utf8(context.topic()));
            headers.add(HEADER_PARTITION, utf8(Integer.toString(context.partition())));
            headers.add(HEADER_OFFSET, utf8(Long.toString(context.offset())));
        }
        headers.add(HEADER_TIMESTAMP, utf8(Long.toString(context.timestamp())));
        return List.of(new ProducerRecord<>(topic, null, System.currentTimeMillis(), key, value, headers));
    }

    /** Counts and logs scheduled work that failed; there is no record to dead-letter. */
    void punctuationFailed(ErrorHandlerContext context, Exception failure) {
        counters.punctuationFailed();
        log.error("Scheduled work of task {} (node {}) failed; it runs again at its next interval", context.taskId(),
                context.processorNodeId(), failure);
    }

    /** The exception's message, or its class when it has none. */
    static String describe(Throwable failure) {
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String message) {
        String text = message == null ? "" : message;
        return text.length() <= MAX_MESSAGE_LENGTH ? text : text.substring(0, MAX_MESSAGE_LENGTH) + "...";
    }
}
