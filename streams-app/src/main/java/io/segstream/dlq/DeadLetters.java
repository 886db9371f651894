package io.segstream.dlq;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds dead-letter records: the original key and value bytes, the original headers, and headers
 * that say where the record came from and why it was refused.
 */
public final class DeadLetters {

    public static final String HEADER_STAGE = "segstream.dlq.stage";
    public static final String HEADER_REASON = "segstream.dlq.reason";
    public static final String HEADER_MESSAGE = "segstream.dlq.message";
    public static final String HEADER_TOPIC = "segstream.dlq.source.topic";
    public static final String HEADER_PARTITION = "segstream.dlq.source.partition";
    public static final String HEADER_OFFSET = "segstream.dlq.source.offset";

    /** Config keys under which the handlers find the dead-letter topic and the counters. */
    public static final String TOPIC_CONFIG = "segstream.dlq.topic";
    public static final String COUNTERS_CONFIG = "segstream.dlq.counters";

    /** Where in the pipeline a record was refused. */
    public enum Stage { DESERIALIZATION, VALIDATION }

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

    List<ProducerRecord<byte[], byte[]>> record(ErrorHandlerContext context, byte[] key, byte[] value, Stage stage,
            DeadLetterReason reason, String message) {
        counters.increment(reason);
        log.warn("Dead-lettered record {}-{}@{} at {}: {} {}", context.topic(), context.partition(), context.offset(),
                stage, reason, message);
        Headers headers = new RecordHeaders(context.headers() == null ? new RecordHeaders() : context.headers());
        headers.add(HEADER_STAGE, utf8(stage.name()));
        headers.add(HEADER_REASON, utf8(reason.name()));
        headers.add(HEADER_MESSAGE, utf8(abbreviate(message)));
        headers.add(HEADER_TOPIC, utf8(context.topic()));
        headers.add(HEADER_PARTITION, utf8(Integer.toString(context.partition())));
        headers.add(HEADER_OFFSET, utf8(Long.toString(context.offset())));
        return List.of(new ProducerRecord<>(topic, null, context.timestamp(), key, value, headers));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String message) {
        String text = message == null ? "" : message;
        return text.length() <= MAX_MESSAGE_LENGTH ? text : text.substring(0, MAX_MESSAGE_LENGTH) + "...";
    }
}
