package io.segstream.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.registry.SchemaRegistryUnavailableException;
import io.segstream.serde.UnknownSchemaIdException;
import io.segstream.testing.HeaderText;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/** What the handlers decide for each kind of failure: dead-letter and go on, retry, or fail the task. */
class DeadLetterHandlersTest {

    private static final byte[] KEY = "u1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VALUE = {0, 0, 0, 0, 1, 42};

    private final DeadLetterCounters counters = new DeadLetterCounters();
    private final DeadLetterProcessingHandler processing = new DeadLetterProcessingHandler();
    private final DeadLetterProductionHandler production = new DeadLetterProductionHandler();

    /** The context Kafka Streams hands a handler: the record being processed when it failed. */
    private record Context(String topic, int partition, long offset, org.apache.kafka.common.header.Headers headers,
            String processorNodeId, TaskId taskId, long timestamp, byte[] sourceRawKey, byte[] sourceRawValue)
            implements ErrorHandlerContext {}

    private static final Context CLICK = new Context("clickstream", 1, 17, new RecordHeaders(), "user-features",
            new TaskId(0, 1), 1_000L, KEY, VALUE);

    DeadLetterHandlersTest() {
        Map<String, Object> configs = Map.of(DeadLetters.TOPIC_CONFIG, "dlq", DeadLetters.COUNTERS_CONFIG, counters);
        processing.configure(configs);
        production.configure(configs);
    }

    private static Map<String, String> headers(ProducerRecord<byte[], byte[]> record) {
        return HeaderText.of(record.headers());
    }

    @Test
    void anUnexpectedExceptionDeadLettersTheRecordAtStageProcessingAndTheTaskGoesOn() {
        ProcessingExceptionHandler.Response response = processing.handleError(CLICK, new Record<>("u1", "click", 1_000L),
                new IllegalStateException("cart line without product"));

        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        ProducerRecord<byte[], byte[]> letter = response.deadLetterQueueRecords().get(0);
        assertThat(letter.topic()).isEqualTo("dlq");
        assertThat(letter.key()).isEqualTo(KEY);
        assertThat(letter.value()).isEqualTo(VALUE);
        assertThat(headers(letter)).containsEntry(DeadLetters.HEADER_STAGE, "PROCESSING")
                .containsEntry(DeadLetters.HEADER_REASON, "PROCESSING_ERROR")
                .containsEntry(DeadLetters.HEADER_MESSAGE, "IllegalStateException: cart line without product")
                .containsEntry(DeadLetters.HEADER_EXCEPTION, "java.lang.IllegalStateException")
                .containsEntry(DeadLetters.HEADER_NODE, "user-features")
                .containsEntry(DeadLetters.HEADER_TOPIC, "clickstream")
                .containsEntry(DeadLetters.HEADER_PARTITION, "1")
                .containsEntry(DeadLetters.HEADER_OFFSET, "17")
                .containsEntry(DeadLetters.HEADER_TIMESTAMP, "1000");
        assertThat(counters.count(DeadLetterReason.PROCESSING_ERROR)).isEqualTo(1);
    }

    @Test
    void anUnreachableRegistryFailsTheTaskSoTheRecordIsRetriedNotDeadLettered() {
        ProcessingExceptionHandler.Response response = processing.handleError(CLICK, new Record<>("u1", "click", 1_000L),
                new RuntimeException(new SchemaRegistryUnavailableException("registry down", 503, null)));

        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
        assertThat(counters.total()).isZero();
    }

    @Test
    void failedScheduledWorkIsCountedAndTheTaskGoesOn() {
        ProcessingExceptionHandler.Response response = processing.handleError(CLICK, null, new IllegalStateException("boom"));

        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
        assertThat(counters.failedPunctuations()).isEqualTo(1);
    }

    @Test
    void anOutputThatCannotBeSerializedDeadLettersTheInputThatProducedIt() {
        ProducerRecord<String, Object> output = new ProducerRecord<>("segments.changes", "u1", "change");

        ProductionExceptionHandler.Response response = production.handleSerializationError(CLICK, output,
                new org.apache.kafka.common.errors.SerializationException("precision 19 > 18"),
                ProductionExceptionHandler.SerializationExceptionOrigin.VALUE);

        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        ProducerRecord<byte[], byte[]> letter = response.deadLetterQueueRecords().get(0);
        assertThat(letter.value()).isEqualTo(VALUE);
        assertThat(headers(letter)).containsEntry(DeadLetters.HEADER_STAGE, "OUTPUT")
                .containsEntry(DeadLetters.HEADER_REASON, "OUTPUT_ERROR")
                .containsEntry(DeadLetters.HEADER_MESSAGE, "cannot serialize the value of an output for topic "
                        + "segments.changes: SerializationException: precision 19 > 18");
    }

    @Test
    void anOutputMadeWithoutAnInputRecordThatCannotBeSerializedIsDeadLetteredByItsKey() {
        Context commit = new Context(null, -1, -1, new RecordHeaders(), "user-features", new TaskId(0, 1), 2_000L, null, null);

        ProductionExceptionHandler.Response response = production.handleSerializationError(commit,
                new ProducerRecord<>("segments.changes", "u1", "change"),
                new org.apache.kafka.common.errors.SerializationException("precision 19 > 18"),
                ProductionExceptionHandler.SerializationExceptionOrigin.VALUE);

        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        ProducerRecord<byte[], byte[]> letter = response.deadLetterQueueRecords().get(0);
        assertThat(letter.key()).isEqualTo(KEY);
        assertThat(letter.value()).isNull();
        assertThat(headers(letter)).containsEntry(DeadLetters.HEADER_STAGE, "OUTPUT")
                .containsEntry(DeadLetters.HEADER_REASON, "OUTPUT_ERROR")
                .containsEntry(DeadLetters.HEADER_MESSAGE, "cannot serialize the value of an output for topic "
                        + "segments.changes: SerializationException: precision 19 > 18 (made by scheduled work or at a "
                        + "commit, not by one input record)")
                .containsEntry(DeadLetters.HEADER_TIMESTAMP, "2000")
                .doesNotContainKeys(DeadLetters.HEADER_TOPIC, DeadLetters.HEADER_PARTITION, DeadLetters.HEADER_OFFSET);
        assertThat(counters.count(DeadLetterReason.OUTPUT_ERROR)).isEqualTo(1);
    }

    @Test
    void aRegistryOutageWhileSerializingFailsTheTask() {
        ProductionExceptionHandler.Response response = production.handleSerializationError(CLICK,
                new ProducerRecord<>("segments.changes", "u1", "change"),
                new SchemaRegistryUnavailableException("registry down", 503, null),
                ProductionExceptionHandler.SerializationExceptionOrigin.VALUE);

        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
    }

    @Test
    void aTransientBrokerErrorIsRetriedAndAPermanentRefusalDeadLettersTheOutput() {
        ProducerRecord<byte[], byte[]> output = new ProducerRecord<>("cart.abandoned", KEY, new byte[] {0, 1});

        assertThat(production.handleError(CLICK, output, new NotLeaderOrFollowerException("moved")).result())
                .isEqualTo(ProductionExceptionHandler.Result.RETRY);
        ProductionExceptionHandler.Response refused = production.handleError(CLICK, output,
                new InvalidTimestampException("too far ahead"));
        assertThat(refused.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        assertThat(refused.deadLetterQueueRecords().get(0).value()).isEqualTo(new byte[] {0, 1});
        assertThat(production.handleError(CLICK, new ProducerRecord<>("dlq", KEY, VALUE),
                new InvalidTimestampException("too far ahead")).result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
    }

    @Test
    void unreadableBytesAreTheRecordsFaultEvenWhenTheRegistryHasNoSuchSchema() {
        assertThat(DeadLetters.isOutage(new UnknownSchemaIdException("clickstream", "schema id 9 is not in the registry",
                new io.segstream.registry.SchemaNotFoundException("not found", 40403)))).isFalse();
    }
}
