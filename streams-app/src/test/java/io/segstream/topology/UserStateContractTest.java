package io.segstream.topology;

import static io.segstream.testing.Events.add;
import static io.segstream.testing.Events.click;
import static io.segstream.testing.Events.purchase;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.avro.ClickEventType;
import io.segstream.facts.Cart;
import io.segstream.facts.Rfm;
import io.segstream.segments.MembershipState;
import io.segstream.testing.PipelineDriver;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/**
 * The per-user state encoding is a contract: what this release writes is exactly Avro under the
 * current version's schema, state written under every earlier version is still read, and every
 * later schema can read every earlier one.
 */
class UserStateContractTest {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    @Test
    void whatThisReleaseWritesIsAvroUnderTheCurrentSchemaByteForByte() throws Exception {
        byte[] encoded;
        try (PipelineDriver pipeline = new PipelineDriver()) {
            pipeline.define("cart-holders", io.segstream.testing.Definitions.segment("cart-holders", "cart.items > 0", 1)
                    .setOutputTopic("segment.cart-holders").build());
            pipeline.order(purchase("o1", "u1", "19.99", T0));
            pipeline.click(click("e1", "u1", ClickEventType.PRODUCT_VIEW, T0.plusSeconds(60)).setSessionId("s-1")
                    .setCategory("electronics.audio").setProductId("sku-1").build());
            pipeline.click(add("e2", "u1", "sku-1", 2, "19.99", T0.plusSeconds(120)));
            // Out of order within grace: the timeline keeps recent activities.
            pipeline.click(add("e3", "u1", "sku-2", 1, "5.00", T0.plusSeconds(90)));
            encoded = UserStateSerde.INSTANCE.encode(pipeline.state("u1"));
        }
        assertThat(encoded[0]).isEqualTo((byte) UserStateSerde.VERSION);
        Schema schema = UserStateSerde.schema(UserStateSerde.VERSION);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(encoded, 1, encoded.length - 1, null);
        GenericRecord record = new GenericDatumReader<GenericRecord>(schema).read(null, decoder);
        assertThat(decoder.isEnd()).as("the schema accounts for every byte").isTrue();
        assertThat(((List<?>) record.get("membership"))).hasSize(1);
        GenericRecord features = (GenericRecord) record.get("features");
        assertThat(((GenericRecord) features.get("rfm")).get("purchases")).isEqualTo(1L);
        assertThat(((List<?>) ((GenericRecord) features.get("cart")).get("lines"))).hasSize(2);
        assertThat(((java.nio.ByteBuffer) ((GenericRecord) features.get("recentEvents")).get("events")).remaining())
                .isEqualTo(3 * 16);

        // The timeline's recent activities: TimelineEntry records one after the other, each body an ActivityBody.
        Schema entry = schema("timeline-entry-v1.avsc");
        Schema body = schema("activity-body-v1.avsc");
        java.nio.ByteBuffer recent = (java.nio.ByteBuffer) ((GenericRecord) features.get("timeline")).get("recent");
        BinaryDecoder entries = DecoderFactory.get().binaryDecoder(recent.array(), recent.position(), recent.remaining(), null);
        List<String> kinds = new java.util.ArrayList<>();
        while (!entries.isEnd()) {
            java.nio.ByteBuffer bytes = (java.nio.ByteBuffer) new GenericDatumReader<GenericRecord>(entry).read(null, entries)
                    .get("body");
            BinaryDecoder bodyDecoder = DecoderFactory.get().binaryDecoder(bytes.array(), bytes.position(), bytes.remaining(), null);
            kinds.add(new GenericDatumReader<GenericRecord>(body).read(null, bodyDecoder).get("kind").toString());
            assertThat(bodyDecoder.isEnd()).isTrue();
        }
        assertThat(kinds).containsExactly("PURCHASE", "PRODUCT_VIEW", "ADD_TO_CART", "ADD_TO_CART");

        byte[] rewritten = avro(schema, record);
        assertThat(Arrays.copyOfRange(encoded, 1, encoded.length)).isEqualTo(rewritten);
    }

    /** What the release writing {@code version} stored: the fixture user-state-v{version}.json, as its Avro bytes. */
    private byte[] storedUnder(int version) throws Exception {
        Schema schema = UserStateSerde.schema(version);
        GenericRecord written;
        try (InputStream json = getClass().getResourceAsStream("/state/user-state-v" + version + ".json")) {
            String text = new String(json.readAllBytes(), StandardCharsets.UTF_8);
            written = new GenericDatumReader<GenericRecord>(schema).read(null, DecoderFactory.get().jsonDecoder(schema, text));
        }
        byte[] body = avro(schema, written);
        byte[] stored = new byte[body.length + 1];
        stored[0] = (byte) version;
        System.arraycopy(body, 0, stored, 1, body.length);
        return stored;
    }

    @Test
    void readsStateWrittenUnderVersion3WithAnOrderIdNotCommittedYet() throws Exception {
        UserState state = UserStateSerde.INSTANCE.decode(storedUnder(3));

        assertThat(state.consent()).isEqualTo(io.segstream.privacy.Consent.WITHDRAWN);
        assertThat(new io.segstream.features.Deduplication(null, false, io.segstream.features.FeatureSettings.from(
                io.segstream.config.SegStreamConfig.of(java.util.Map.of(io.segstream.config.SegStreamConfig.BOOTSTRAP_SERVERS,
                        "unused:9092"))), new io.segstream.features.FeatureCounters())
                .holdsUnwrittenOrders(state.features())).as("the held order id is read").isTrue();
        assertThat(UserStateSerde.INSTANCE.encode(state)).isEqualTo(storedUnder(3));
    }

    @Test
    void readsStateWrittenUnderVersion2WithTheUsersConsent() throws Exception {
        UserState state = UserStateSerde.INSTANCE.decode(storedUnder(2));

        assertThat(state.consent()).isEqualTo(io.segstream.privacy.Consent.WITHDRAWN);
        assertThat(state.membership().segments()).containsOnlyKeys("big-spenders", "cart-holders");
        assertThat(state.features().cart().view().items()).isEqualTo(2);
        // Written back under the current version: what Avro's own schema resolution makes of the record.
        assertThat(UserStateSerde.INSTANCE.encode(state)).isEqualTo(resolvedToCurrent(2));
    }

    /** The fixture of {@code version}, read by Avro under the current schema and written as this release stores it. */
    private byte[] resolvedToCurrent(int version) throws Exception {
        byte[] stored = storedUnder(version);
        Schema current = UserStateSerde.schema(UserStateSerde.VERSION);
        GenericRecord resolved = new GenericDatumReader<GenericRecord>(UserStateSerde.schema(version), current)
                .read(null, DecoderFactory.get().binaryDecoder(stored, 1, stored.length - 1, null));
        byte[] body = avro(current, resolved);
        byte[] expected = new byte[body.length + 1];
        expected[0] = (byte) UserStateSerde.VERSION;
        System.arraycopy(body, 0, expected, 1, body.length);
        return expected;
    }

    @Test
    void readsStateWrittenUnderVersion1() throws Exception {
        UserState state = UserStateSerde.INSTANCE.decode(storedUnder(1));

        assertThat(state.consent()).as("version 1 knew no consent").isEqualTo(io.segstream.privacy.Consent.UNSET);

        MembershipState membership = state.membership();
        assertThat(membership.segments()).containsOnlyKeys("big-spenders", "cart-holders");
        assertThat(membership.segments().get("cart-holders"))
                .isEqualTo(new MembershipState.Member(1, 1763634600000L, "segment.cart-holders"));
        assertThat(membership.segments().get("big-spenders")).isEqualTo(new MembershipState.Member(3, 1763632800000L, null));
        long now = Instant.parse("2025-11-22T00:00:00Z").toEpochMilli();
        Rfm rfm = state.features().rfm().view(now, 365, null);
        assertThat(rfm.frequency()).isEqualTo(2);
        assertThat(rfm.monetary()).isEqualByComparingTo("39.98");
        assertThat(rfm.refunded()).isEqualByComparingTo("-5.00");
        assertThat(rfm.windowMonetary()).isEqualByComparingTo("39.98");
        assertThat(rfm.lastPurchase()).isEqualTo(Instant.ofEpochMilli(1763719200000L));
        Cart cart = state.features().cart().view();
        assertThat(cart.items()).isEqualTo(2);
        assertThat(cart.value()).isEqualByComparingTo("39.98");
        assertThat(cart.checkoutStarted()).isTrue();
        assertThat(cart.sessionId()).isEqualTo("s-1");
        assertThat(state.features().dwell().view(1763724700000L, 1_800_000).sessions()).isEqualTo(2);
        assertThat(state.features().interest().view(1763724700000L, 7 * 86_400_000L).categoryViews())
                .containsEntry("electronics.audio", 3L);
        assertThat(state.features().recentEventCount()).isEqualTo(1);
        assertThat(state.features().recentActivityCount()).isEqualTo(1);
        // And it is written back under the current version.
        assertThat(UserStateSerde.INSTANCE.encode(state)).isEqualTo(resolvedToCurrent(1));
    }

    @Test
    void readsTheOrdersAlonePastAMembershipWithAndWithoutOutputTopicsInEveryVersion() throws Exception {
        long now = Instant.parse("2025-11-22T00:00:00Z").toEpochMilli();
        byte[] current = UserStateSerde.INSTANCE.encode(UserStateSerde.INSTANCE.decode(storedUnder(2)));
        for (byte[] stored : java.util.List.of(storedUnder(1), storedUnder(2), storedUnder(3), current)) {
            Rfm alone = UserStateSerde.INSTANCE.decodeRfm(stored).view(now, 365, null);

            assertThat(alone).isEqualTo(UserStateSerde.INSTANCE.decode(stored).features().rfm().view(now, 365, null));
            assertThat(alone.frequency()).isEqualTo(2);
            assertThat(alone.monetary()).isEqualByComparingTo("39.98");
        }
    }

    @Test
    void everyVersionCanReadEveryEarlierOne() {
        for (int reader = 1; reader <= UserStateSerde.VERSION; reader++) {
            for (int writer = 1; writer <= reader; writer++) {
                assertThat(SchemaCompatibility.checkReaderWriterCompatibility(UserStateSerde.schema(reader),
                        UserStateSerde.schema(writer)).getType())
                        .as("v%d reads v%d", reader, writer)
                        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
            }
        }
    }

    private static Schema schema(String file) throws Exception {
        try (InputStream in = UserStateSerde.class.getResourceAsStream("/io/segstream/state/" + file)) {
            return new Schema.Parser().parse(in);
        }
    }

    private static byte[] avro(Schema schema, GenericRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema, GenericData.get()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
