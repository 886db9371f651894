package io.segstream.testing;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.Order;
import io.segstream.avro.OrderType;
import io.segstream.config.Topics;
import io.segstream.dlq.DeadLetterReason;
import io.segstream.local.SyntheticTraffic;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.serde.SpecificAvroSerializer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The chaos tests' input: the demo's synthetic traffic (fixed seed, event times spread evenly
 * over {@code span} ending at {@code end}) with every documented bad case mixed in at random
 * places, {@code perCase} of each, and re-sent duplicates. It knows by construction what each
 * record must become, so a test checks the pipeline's counts against it.
 */
public final class ChaosInput {

    /** One record to produce, as bytes. */
    public record Entry(String topic, String key, byte[] value) {}

    /** A bad case: the record it makes at a given event time, and the dead-letter reason it must get. */
    private record Case(DeadLetterReason reason, Function<Instant, Entry> make) {}

    private final List<Entry> entries = new ArrayList<>();
    private final Map<DeadLetterReason, Integer> deadLetters = new EnumMap<>(DeadLetterReason.class);
    private int valid;
    private int duplicates;

    private ChaosInput() {}

    /**
     * {@code validEvents} synthetic clicks and orders of {@code users} users, {@code perCase} records of
     * each bad case and {@code perCase} re-sent valid events.
     */
    public static ChaosInput generate(long seed, int users, int validEvents, int perCase, Instant end, Duration span,
            Topics topics, SchemaRegistryClient registry) {
        SpecificAvroSerializer<ClickEvent> clicks = new SpecificAvroSerializer<>(ClickEvent.class, registry, false);
        SpecificAvroSerializer<Order> orders = new SpecificAvroSerializer<>(Order.class, registry, false);
        SyntheticTraffic traffic = new SyntheticTraffic(seed, users);
        Random random = new Random(seed);
        ChaosInput input = new ChaosInput();

        List<Entry> good = new ArrayList<>();
        Instant start = end.minus(span);
        long step = span.toMillis() / validEvents;
        for (int i = 0; i < validEvents; ) {
            Instant at = start.plusMillis(i * step);
            List<SpecificRecord> emitted = new ArrayList<>();
            traffic.next(at, emitted::add);
            for (SpecificRecord event : emitted) {
                good.add(event instanceof ClickEvent click
                        ? new Entry(topics.clickstream(), userKey(click), clicks.serialize(topics.clickstream(), click))
                        : new Entry(topics.orders(), ((Order) event).getUserId(),
                                orders.serialize(topics.orders(), (Order) event)));
                i++;
            }
        }
        input.valid = good.size();

        byte[] sample = clicks.serialize(topics.clickstream(), click("sample", "u00001", start).build());
        Instant now = Instant.now();
        List<Case> cases = List.of(
                new Case(DeadLetterReason.NULL_VALUE, at -> new Entry(topics.clickstream(), "u00001", null)),
                new Case(DeadLetterReason.NULL_VALUE, at -> new Entry(topics.orders(), "u00001", null)),
                new Case(DeadLetterReason.UNKNOWN_MAGIC_BYTE, at -> new Entry(topics.clickstream(), "u00002",
                        "{\"eventId\":\"json\"}".getBytes(StandardCharsets.UTF_8))),
                new Case(DeadLetterReason.TRUNCATED_PAYLOAD, at -> new Entry(topics.clickstream(), "u00003", new byte[] {0, 0})),
                new Case(DeadLetterReason.CORRUPT_PAYLOAD, at -> new Entry(topics.clickstream(), "u00004",
                        Arrays.copyOf(sample, sample.length + 3))),
                new Case(DeadLetterReason.UNKNOWN_SCHEMA_ID, at -> {
                    byte[] unknown = sample.clone();
                    ByteBuffer.wrap(unknown).putInt(1, 987_654_321);
                    return new Entry(topics.clickstream(), "u00005", unknown);
                }),
                new Case(DeadLetterReason.SCHEMA_MISMATCH, at -> new Entry(topics.clickstream(), "u00006",
                        orders.serialize(topics.orders(), purchase("mismatch-" + at.toEpochMilli(), "u00006", "5.00", at)))),
                new Case(DeadLetterReason.MISSING_ID, at -> new Entry(topics.clickstream(), "nobody", clicks.serialize(
                        topics.clickstream(), click("missing-" + at.toEpochMilli(), null, at).build()))),
                new Case(DeadLetterReason.KEY_MISMATCH, at -> new Entry(topics.clickstream(), "session-42", clicks.serialize(
                        topics.clickstream(), click("key-" + at.toEpochMilli(), "u00007", at).build()))),
                new Case(DeadLetterReason.INVALID_AMOUNT, at -> new Entry(topics.clickstream(), "u00008", clicks.serialize(
                        topics.clickstream(), click("amount-" + at.toEpochMilli(), "u00008", at)
                                .setType(ClickEventType.ADD_TO_CART).setProductId("sku").setQuantity(-1).build()))),
                new Case(DeadLetterReason.INVALID_AMOUNT, at -> new Entry(topics.orders(), "u00008", orders.serialize(
                        topics.orders(), Order.newBuilder(purchase("refund-" + at.toEpochMilli(), "u00008", "5.00", at))
                                .setType(OrderType.REFUND).build()))),
                new Case(DeadLetterReason.INVALID_FIELD, at -> new Entry(topics.clickstream(), "u00009", clicks.serialize(
                        topics.clickstream(), click("field-" + at.toEpochMilli(), "u00009", at)
                                .setType(ClickEventType.ADD_TO_CART).build()))),
                new Case(DeadLetterReason.INVALID_TIMESTAMP, at -> new Entry(topics.clickstream(), "u00010", clicks.serialize(
                        topics.clickstream(), click("ahead2h-" + at.toEpochMilli(), "u00010", now.plus(Duration.ofHours(2))).build()))),
                new Case(DeadLetterReason.INVALID_TIMESTAMP, at -> new Entry(topics.clickstream(), "u00011", clicks.serialize(
                        topics.clickstream(), click("ahead10d-" + at.toEpochMilli(), "u00011", now.plus(Duration.ofDays(10))).build()))),
                new Case(DeadLetterReason.INVALID_TIMESTAMP, at -> new Entry(topics.orders(), "u00012", orders.serialize(
                        topics.orders(), purchase("pre1970-" + at.toEpochMilli(), "u00012", "5.00", Instant.ofEpochMilli(-1000))))));

        Set<Entry> originals = Collections.newSetFromMap(new IdentityHashMap<>());
        originals.addAll(good);
        List<Entry> mixed = new ArrayList<>(good);
        for (Case bad : cases) {
            for (int n = 0; n < perCase; n++) {
                int position = random.nextInt(mixed.size() + 1);
                Instant at = start.plusMillis((long) position * step + n);
                mixed.add(position, bad.make().apply(at));
                input.deadLetters.merge(bad.reason(), 1, Integer::sum);
            }
        }
        for (int n = 0; n < perCase; n++) {
            // A re-sent event lands after its original: the producer retried, or a mirror replayed it.
            int original = random.nextInt(mixed.size());
            while (!originals.contains(mixed.get(original))) {
                original = random.nextInt(mixed.size());
            }
            int position = Math.min(mixed.size(), original + 1 + random.nextInt(20));
            mixed.add(position, mixed.get(original));
            input.duplicates++;
        }
        input.entries.addAll(mixed);
        return input;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** Valid, distinct clicks and orders: what the pipeline must process. */
    public int valid() {
        return valid;
    }

    public int duplicates() {
        return duplicates;
    }

    /** The dead letters each reason must get. */
    public Map<DeadLetterReason, Integer> deadLetters() {
        return deadLetters;
    }

    /** Produces entries {@code from} (inclusive) to {@code to} (exclusive) in order, and flushes. */
    public void produce(KafkaProducer<String, byte[]> producer, int from, int to) {
        for (Entry entry : entries.subList(from, to)) {
            producer.send(new ProducerRecord<>(entry.topic(), entry.key(), entry.value()));
        }
        producer.flush();
    }

    private static String userKey(ClickEvent click) {
        return click.getUserId() != null ? click.getUserId() : click.getAnonymousId();
    }

    private static ClickEvent.Builder click(String id, String user, Instant at) {
        return Events.click(id, user, ClickEventType.PAGE_VIEW, at);
    }

    private static Order purchase(String id, String user, String total, Instant at) {
        return Events.purchase(id, user, total, at);
    }
}
