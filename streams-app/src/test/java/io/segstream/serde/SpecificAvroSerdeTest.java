package io.segstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.DeviceType;
import io.segstream.avro.Order;
import io.segstream.registry.InMemorySchemaRegistry;
import io.segstream.registry.RegistryConfig;
import io.segstream.testing.Frames;
import io.segstream.testing.TestRecords;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SpecificAvroSerdeTest {

    private static final String TOPIC = "clickstream";
    private static final Instant AT = Instant.parse("2026-11-20T10:15:30.123Z");

    private String registryName;
    private InMemorySchemaRegistry registry;
    private SpecificAvroSerde<ClickEvent> clicks;

    @BeforeEach
    void setUp() {
        registryName = "serde-test-" + UUID.randomUUID();
        registry = InMemorySchemaRegistry.named(registryName);
        clicks = SpecificAvroSerde.of(ClickEvent.class, config(), false);
    }

    private Map<String, Object> config() {
        return Map.of(RegistryConfig.URL, "mem://" + registryName);
    }

    @Test
    void writesMagicByteThenTheBigEndianSchemaIdRegisteredForTheTopicsValueSubject() {
        byte[] bytes = clicks.serializer().serialize(TOPIC, TestRecords.addToCart("e1", "u1", AT));

        int registeredId = registry.lookUp("clickstream-value", ClickEvent.getClassSchema());
        assertThat(bytes[0]).isZero();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(registeredId);
        assertThat(registry.subjects()).containsExactly("clickstream-value");
    }

    @Test
    void readsBackExactlyTheRecordItWrote() {
        ClickEvent event = TestRecords.addToCart("e1", "u1", AT);

        ClickEvent read = clicks.deserializer().deserialize(TOPIC, clicks.serializer().serialize(TOPIC, event));

        assertThat(read).isEqualTo(event);
        assertThat(read.getPrice()).isEqualTo(new BigDecimal("199.9900"));
        assertThat(read.getEventTimestamp()).isEqualTo(AT);
        assertThat(read.getDevice()).isEqualTo(DeviceType.MOBILE);
    }

    @Test
    void keepsSubCentPricesExactly() {
        SpecificAvroSerde<Order> orders = SpecificAvroSerde.of(Order.class, config(), false);
        Order order = TestRecords.purchase("536365", "17850", AT);

        Order read = orders.deserializer().deserialize("orders", orders.serializer().serialize("orders", order));

        assertThat(read.getLines().get(1).getUnitPrice()).isEqualByComparingTo("0.001");
        assertThat(read.getTotal()).isEqualByComparingTo("15.301");
    }

    @Test
    void passesTombstonesThroughAsNull() {
        assertThat(clicks.serializer().serialize(TOPIC, null)).isNull();
        assertThat(clicks.deserializer().deserialize(TOPIC, null)).isNull();
    }

    @Test
    void readsRecordsWrittenWithAnOlderSchemaFillingNewFieldsWithTheirDefaults() throws Exception {
        Schema v1 = SchemaBuilder.record("ClickEvent").namespace("io.segstream.avro").fields()
                .requiredString("eventId")
                .name("userId").type().optional().stringType()
                .name("type").type().enumeration("ClickEventType")
                .symbols("PAGE_VIEW", "PRODUCT_VIEW", "ADD_TO_CART", "REMOVE_FROM_CART", "CHECKOUT_START", "SEARCH", "UNKNOWN")
                .noDefault()
                .name("eventTimestamp").type(org.apache.avro.LogicalTypes.timestampMillis()
                        .addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
                .endRecord();
        int v1Id = registry.register("clickstream-value", v1);
        GenericRecord old = new GenericData.Record(v1);
        old.put("eventId", "e-old");
        old.put("userId", "u7");
        old.put("type", new GenericData.EnumSymbol(v1.getField("type").schema(), "PRODUCT_VIEW"));
        old.put("eventTimestamp", AT.toEpochMilli());

        ClickEvent read = clicks.deserializer().deserialize(TOPIC, Frames.frame(v1Id, v1, old));

        assertThat(read).isEqualTo(ClickEvent.newBuilder().setEventId("e-old").setUserId("u7")
                .setType(ClickEventType.PRODUCT_VIEW).setEventTimestamp(AT).build());
        assertThat(read.getDevice()).isEqualTo(DeviceType.UNKNOWN);
    }

    @Test
    void rejectsAPayloadWithoutTheMagicByte() {
        byte[] json = "{\"eventId\":\"e1\"}".getBytes();

        assertThatThrownBy(() -> clicks.deserializer().deserialize(TOPIC, json))
                .isInstanceOf(UnknownMagicByteException.class)
                .hasMessage("Cannot read record from topic \"clickstream\": first byte is 0x7b, expected the Confluent "
                        + "wire format's magic byte 0x00 (was this written by a non-Avro or non-Confluent producer?)")
                .extracting(e -> ((WireFormatException) e).reason()).isEqualTo(WireFormatException.Reason.UNKNOWN_MAGIC_BYTE);
    }

    @Test
    void rejectsASchemaIdTheRegistryDoesNotKnow() {
        byte[] bytes = clicks.serializer().serialize(TOPIC, TestRecords.addToCart("e1", "u1", AT));
        ByteBuffer.wrap(bytes).putInt(1, 4242);

        assertThatThrownBy(() -> clicks.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOf(UnknownSchemaIdException.class)
                .hasMessageContaining("schema id 4242 is not in the registry");
    }

    @Test
    void rejectsPayloadsShorterThanTheHeader() {
        assertThatThrownBy(() -> clicks.deserializer().deserialize(TOPIC, new byte[0]))
                .isInstanceOf(TruncatedPayloadException.class).hasMessageContaining("empty payload");
        assertThatThrownBy(() -> clicks.deserializer().deserialize(TOPIC, new byte[] {0, 0, 1}))
                .isInstanceOf(TruncatedPayloadException.class)
                .hasMessageContaining("payload of 3 bytes is shorter than the 5-byte Confluent header");
    }

    @Test
    void rejectsARecordCutShort() {
        byte[] bytes = clicks.serializer().serialize(TOPIC, TestRecords.addToCart("e1", "u1", AT));

        assertThatThrownBy(() -> clicks.deserializer().deserialize(TOPIC, Arrays.copyOf(bytes, bytes.length - 3)))
                .isInstanceOf(TruncatedPayloadException.class)
                .hasMessageContaining("Avro body ends before the ClickEvent record is complete");
    }

    @Test
    void rejectsBytesLeftOverAfterTheRecord() {
        byte[] bytes = clicks.serializer().serialize(TOPIC, TestRecords.addToCart("e1", "u1", AT));

        assertThatThrownBy(() -> clicks.deserializer().deserialize(TOPIC, Arrays.copyOf(bytes, bytes.length + 2)))
                .isInstanceOf(CorruptPayloadException.class)
                .hasMessageContaining("bytes left over after the ClickEvent record");
    }

    @Test
    void rejectsAnEnumIndexOutsideTheWriterSchema() {
        byte[] bytes = clicks.serializer().serialize(TOPIC, TestRecords.anonymousPageView("e", "a", AT));
        // eventId "e" (2 bytes), userId null branch, anonymousId branch 1 + "a", sessionId null, then the type index.
        int typeIndexAt = 5 + 2 + 1 + 3 + 1;
        assertThat(bytes[typeIndexAt]).isEqualTo((byte) 0);
        bytes[typeIndexAt] = 100;

        assertThatThrownBy(() -> clicks.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOf(CorruptPayloadException.class)
                .hasMessageContaining("Avro body is not a valid ClickEvent written with schema");
    }

    @Test
    void rejectsARecordOfAnotherTypeWithItsReason() {
        SpecificAvroSerde<Order> orders = SpecificAvroSerde.of(Order.class, config(), false);
        byte[] orderBytes = orders.serializer().serialize(TOPIC, TestRecords.purchase("o1", "u1", AT));

        Throwable thrown = catchThrowable(() -> clicks.deserializer().deserialize(TOPIC, orderBytes));

        assertThat(thrown).isInstanceOf(SchemaMismatchException.class)
                .hasMessageContaining("cannot be read as io.segstream.avro.ClickEvent");
        assertThat(((WireFormatException) thrown).reason()).isEqualTo(WireFormatException.Reason.SCHEMA_MISMATCH);
    }

    @Test
    void everyMutationOfAValidPayloadEitherDecodesOrRaisesAWireFormatException() {
        byte[] valid = clicks.serializer().serialize(TOPIC, TestRecords.addToCart("e1", "u1", AT));
        Random random = new Random(20261123L);
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] mutated = mutate(valid, random);
            try {
                clicks.deserializer().deserialize(TOPIC, mutated);
                decoded++;
            } catch (WireFormatException expected) {
                rejected++;
            }
        }
        assertThat(decoded + rejected).isEqualTo(200_000);
        assertThat(rejected).isPositive();
    }

    @Test
    void serializerFailsWithTheTypeAndTopicWhenARequiredFieldIsMissing() {
        ClickEvent broken = TestRecords.addToCart("e1", "u1", AT);
        broken.put("eventId", null);

        assertThatThrownBy(() -> clicks.serializer().serialize(TOPIC, broken))
                .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class)
                .hasMessageStartingWith("Cannot write ClickEvent for topic \"clickstream\"");
    }

    @Test
    void aRecordThatFailsHalfWrittenLeavesNothingInTheNextOne() {
        ClickEvent valid = TestRecords.addToCart("e2", "u2", AT);
        byte[] expected = SpecificAvroSerde.of(ClickEvent.class, config(), false).serializer().serialize(TOPIC, valid);
        ClickEvent broken = TestRecords.addToCart("e1", "u1", AT);
        // A field near the end: everything before it is already encoded when the write fails.
        broken.put("device", null);

        assertThatThrownBy(() -> clicks.serializer().serialize(TOPIC, broken))
                .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class);
        byte[] next = clicks.serializer().serialize(TOPIC, valid);

        assertThat(next).isEqualTo(expected);
        assertThat(clicks.deserializer().deserialize(TOPIC, next)).isEqualTo(valid);
    }

    @Test
    void withAutoRegisterOffAnUnregisteredSchemaFailsClearly() {
        SpecificAvroSerde<ClickEvent> strict = SpecificAvroSerde.of(ClickEvent.class,
                Map.of(RegistryConfig.URL, "mem://" + registryName, "auto.register.schemas", "false"), false);

        assertThatThrownBy(() -> strict.serializer().serialize("unregistered", TestRecords.addToCart("e1", "u1", AT)))
                .isInstanceOf(io.segstream.registry.SchemaNotFoundException.class)
                .hasMessageContaining("unregistered-value");
    }

    private static byte[] mutate(byte[] valid, Random random) {
        byte[] copy;
        switch (random.nextInt(3)) {
            case 0 -> {
                copy = valid.clone();
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    // keep the header so the Avro decoder itself is exercised
                    copy[5 + random.nextInt(copy.length - 5)] = (byte) random.nextInt(256);
                }
            }
            case 1 -> copy = Arrays.copyOf(valid, 5 + random.nextInt(valid.length - 5));
            default -> {
                copy = new byte[5 + random.nextInt(64)];
                random.nextBytes(copy);
                System.arraycopy(valid, 0, copy, 0, 5);
            }
        }
        return copy;
    }
}
