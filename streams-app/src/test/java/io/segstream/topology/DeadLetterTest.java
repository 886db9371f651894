package io.segstream.topology;

import static io.segstream.testing.Events.add;
import static io.segstream.testing.Events.at;
import static io.segstream.testing.Events.click;
import static io.segstream.testing.Events.purchase;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.Order;
import io.segstream.avro.OrderType;
import io.segstream.dlq.DeadLetterReason;
import io.segstream.dlq.DeadLetters;
import io.segstream.testing.HeaderText;
import io.segstream.testing.PipelineDriver;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadLetterTest {

    private static final Instant T0 = at("2026-11-20T10:00:00Z");

    // TopologyTestDriver's transactional mock producer does not surface the records a deserialization
    // handler sends under exactly-once, so these tests run at-least-once; DeadLetterIT covers
    // exactly-once on a real broker.
    private final PipelineDriver pipeline = new PipelineDriver(Map.of("processing.guarantee", "at_least_once"));

    @AfterEach
    void close() {
        pipeline.close();
    }

    private byte[] clickBytes(ClickEvent event) {
        return pipeline.avro(ClickEvent.class).serializer().serialize("clickstream", event);
    }

    /** Pipes raw bytes to clickstream and returns the single dead letter they produced. */
    private TestRecord<byte[], byte[]> deadLetterFor(String key, byte[] value) {
        pipeline.rawClicks.pipeInput(key, value, T0);
        return pipeline.deadLetters.readRecord();
    }

    private static Map<String, String> headers(TestRecord<byte[], byte[]> record) {
        return HeaderText.of(record.headers());
    }

    @Test
    void anUnreadablePayloadIsDeadLetteredWithItsOriginalBytesAndWhereItCameFrom() {
        byte[] json = "{\"eventId\":\"e1\"}".getBytes(StandardCharsets.UTF_8);

        TestRecord<byte[], byte[]> letter = deadLetterFor("u1", json);

        assertThat(letter.key()).isEqualTo("u1".getBytes(StandardCharsets.UTF_8));
        assertThat(letter.value()).isEqualTo(json);
        assertThat(headers(letter)).containsEntry(DeadLetters.HEADER_STAGE, "DESERIALIZATION")
                .containsEntry(DeadLetters.HEADER_REASON, "UNKNOWN_MAGIC_BYTE")
                .containsEntry(DeadLetters.HEADER_TOPIC, "clickstream")
                .containsEntry(DeadLetters.HEADER_PARTITION, "0")
                .containsEntry(DeadLetters.HEADER_OFFSET, "0")
                .hasEntrySatisfying(DeadLetters.HEADER_MESSAGE, message -> assertThat(message).startsWith(
                        "Cannot read record from topic \"clickstream\": first byte is 0x7b"));
        assertThat(pipeline.deadLetterCounters().count(DeadLetterReason.UNKNOWN_MAGIC_BYTE)).isEqualTo(1);
    }

    @Test
    void eachWireFormatProblemHasItsOwnReason() {
        byte[] valid = clickBytes(add("e1", "u1", "sku", 1, "2.00", T0));
        byte[] unknownId = valid.clone();
        ByteBuffer.wrap(unknownId).putInt(1, 999);
        byte[] orderBytes = pipeline.avro(Order.class).serializer().serialize("orders", purchase("o1", "u1", "1.00", T0));

        assertThat(headers(deadLetterFor("u1", unknownId))).containsEntry(DeadLetters.HEADER_REASON, "UNKNOWN_SCHEMA_ID");
        assertThat(headers(deadLetterFor("u1", new byte[] {0, 0})))
                .containsEntry(DeadLetters.HEADER_REASON, "TRUNCATED_PAYLOAD");
        assertThat(headers(deadLetterFor("u1", Arrays.copyOf(valid, valid.length + 3))))
                .containsEntry(DeadLetters.HEADER_REASON, "CORRUPT_PAYLOAD");
        assertThat(headers(deadLetterFor("u1", orderBytes))).containsEntry(DeadLetters.HEADER_REASON, "SCHEMA_MISMATCH");
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void recordsBreakingTheContractAreDeadLetteredWithTheBytesTheyArrivedWith() {
        Map<ClickEvent, String> bad = new java.util.LinkedHashMap<>();
        bad.put(click("e1", null, ClickEventType.PAGE_VIEW, T0).build(), "MISSING_ID");
        bad.put(add("e2", "u1", "sku", -1, "2.00", T0), "INVALID_AMOUNT");
        bad.put(add("e3", "u1", "sku", 1, "-2.00", T0), "INVALID_AMOUNT");
        bad.put(click("e4", "u1", ClickEventType.UNKNOWN, T0).build(), "INVALID_FIELD");
        bad.put(click("e5", "u1", ClickEventType.ADD_TO_CART, T0).build(), "INVALID_FIELD");
        bad.put(click("e6", "u1", ClickEventType.PAGE_VIEW, Instant.ofEpochMilli(0)).build(), "INVALID_TIMESTAMP");
        bad.put(click("e7", "u1", ClickEventType.PAGE_VIEW, Instant.parse("2099-01-01T00:00:00Z")).build(),
                "INVALID_TIMESTAMP");

        for (Map.Entry<ClickEvent, String> entry : bad.entrySet()) {
            byte[] bytes = clickBytes(entry.getKey());
            TestRecord<byte[], byte[]> letter = deadLetterFor("u1", bytes);
            assertThat(letter.value()).as(entry.getValue()).isEqualTo(bytes);
            assertThat(headers(letter)).as(entry.getKey().getEventId())
                    .containsEntry(DeadLetters.HEADER_STAGE, "VALIDATION")
                    .containsEntry(DeadLetters.HEADER_REASON, entry.getValue());
        }
        assertThat(pipeline.deadLetterCounters().count(DeadLetterReason.INVALID_AMOUNT)).isEqualTo(2);
        assertThat(pipeline.cart("u1")).isNull();
    }

    @Test
    void aRecordKeyedByAnythingButItsUserIsRefusedWithWhatToDo() {
        TestRecord<byte[], byte[]> letter = deadLetterFor("session-42", clickBytes(add("e1", "u1", "sku", 1, "2.00", T0)));

        assertThat(headers(letter)).containsEntry(DeadLetters.HEADER_REASON, "KEY_MISMATCH")
                .containsEntry(DeadLetters.HEADER_MESSAGE, "record key 'session-42' is not the record's user id 'u1'; "
                        + "key records by user id (anonymous id for anonymous clicks) or set input.repartition=true");
    }

    @Test
    void aRecordLaterThanGraceIsDeadLetteredAndOneWithinGraceCounts() {
        pipeline.click(add("e1", "u1", "sku", 1, "2.00", at("2026-11-20T12:00:00Z")));
        pipeline.click(add("e2", "u1", "sku", 1, "2.00", at("2026-11-20T11:00:00Z")));
        pipeline.click(add("e3", "u1", "sku", 1, "2.00", at("2026-11-20T10:59:59Z")));

        TestRecord<byte[], byte[]> letter = pipeline.deadLetters.readRecord();
        assertThat(headers(letter)).containsEntry(DeadLetters.HEADER_REASON, "LATE")
                .containsEntry(DeadLetters.HEADER_OFFSET, "2");
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
        assertThat(pipeline.cart("u1").view().items()).isEqualTo(2);
    }

    @Test
    void aNullValueIsDeadLetteredAndTheRecordsAfterItStillCount() {
        pipeline.rawClicks.pipeInput("u1", null, T0);
        pipeline.click(add("e1", "u1", "sku", 1, "2.00", T0.plusSeconds(60)));

        TestRecord<byte[], byte[]> letter = pipeline.deadLetters.readRecord();
        assertThat(letter.key()).isEqualTo("u1".getBytes(StandardCharsets.UTF_8));
        assertThat(letter.value()).isNull();
        assertThat(headers(letter)).containsEntry(DeadLetters.HEADER_STAGE, "VALIDATION")
                .containsEntry(DeadLetters.HEADER_REASON, "NULL_VALUE")
                .containsEntry(DeadLetters.HEADER_OFFSET, "0");
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
        assertThat(pipeline.cart("u1").view().items()).isEqualTo(1);
        assertThat(pipeline.deadLetterCounters().count(DeadLetterReason.NULL_VALUE)).isEqualTo(1);
    }

    @Test
    void eventsFromTheFutureOrBefore1970AreRefusedWithoutMovingStreamTime() {
        Instant wallClock = Instant.now();
        pipeline.click(add("e1", "u1", "sku", 1, "2.00", T0));
        pipeline.click(add("e2", "u1", "sku", 1, "2.00", wallClock.plus(java.time.Duration.ofHours(2))));
        pipeline.click(add("e3", "u1", "sku", 1, "2.00", wallClock.plus(java.time.Duration.ofDays(10))));
        pipeline.click(add("e4", "u1", "sku", 1, "2.00", Instant.parse("1969-12-31T23:59:59Z")));
        pipeline.rawClicks.pipeInput("u1", null, wallClock.plus(java.time.Duration.ofDays(10)));
        // Had any of those moved stream time, this event would be more than grace behind it: LATE.
        pipeline.click(add("e5", "u1", "sku", 1, "2.00", T0.plusSeconds(60)));

        assertThat(pipeline.deadLetters.readRecordsToList()).extracting(letter -> headers(letter).get(DeadLetters.HEADER_REASON))
                .containsExactly("INVALID_TIMESTAMP", "INVALID_TIMESTAMP", "INVALID_TIMESTAMP", "NULL_VALUE");
        assertThat(pipeline.cart("u1").view().items()).isEqualTo(2);
    }

    @Test
    void aDeadLetterIsStampedWhenItIsWrittenAndKeepsTheOriginalTimestampInAHeader() {
        long before = System.currentTimeMillis();
        TestRecord<byte[], byte[]> letter = deadLetterFor("u1", "not avro".getBytes(StandardCharsets.UTF_8));

        assertThat(letter.timestamp()).isBetween(before, System.currentTimeMillis());
        assertThat(headers(letter)).containsEntry(DeadLetters.HEADER_TIMESTAMP, Long.toString(T0.toEpochMilli()));
    }

    @Test
    void lateIsMeasuredAgainstTheRecordsOwnInputSoAnInputThatFellBehindLosesNothing() {
        pipeline.click(add("e1", "u1", "sku", 1, "2.00", at("2026-11-20T12:00:00Z")));
        // Orders run 90 minutes behind the clicks (a backfill, a lagging producer): not late.
        pipeline.order(purchase("o1", "u2", "10.00", at("2026-11-20T10:30:00Z")));
        pipeline.order(purchase("o2", "u2", "5.00", at("2026-11-20T10:31:00Z")));
        // More than grace behind the latest order: late.
        pipeline.order(purchase("o3", "u2", "7.00", at("2026-11-20T09:30:59Z")));

        TestRecord<byte[], byte[]> letter = pipeline.deadLetters.readRecord();
        assertThat(headers(letter)).containsEntry(DeadLetters.HEADER_REASON, "LATE")
                .containsEntry(DeadLetters.HEADER_TOPIC, "orders")
                .containsEntry(DeadLetters.HEADER_MESSAGE, "eventTimestamp 2026-11-20T09:30:59Z is more than PT1H behind "
                        + "the latest event time of its partition, 2026-11-20T10:31:00Z");
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
        assertThat(pipeline.rfm("u2").view(at("2026-11-20T12:00:00Z").toEpochMilli(), 365, null).frequency()).isEqualTo(2);
    }

    @Test
    void ordersAreValidatedToo() {
        Order refundWithPositiveTotal = Order.newBuilder(purchase("r1", "u1", "5.00", T0)).setType(OrderType.REFUND).build();
        byte[] bytes = pipeline.avro(Order.class).serializer().serialize("orders", refundWithPositiveTotal);
        pipeline.orders.pipeInput("u1", refundWithPositiveTotal, T0);

        TestRecord<byte[], byte[]> letter = pipeline.deadLetters.readRecord();

        assertThat(letter.value()).isEqualTo(bytes);
        assertThat(headers(letter)).containsEntry(DeadLetters.HEADER_REASON, "INVALID_AMOUNT")
                .containsEntry(DeadLetters.HEADER_TOPIC, "orders")
                .containsEntry(DeadLetters.HEADER_MESSAGE, "a REFUND's total must be zero or negative, was 5.0000");
        assertThat(pipeline.rfm("u1")).isNull();
    }
}
