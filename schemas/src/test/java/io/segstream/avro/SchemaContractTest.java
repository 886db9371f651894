package io.segstream.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

/** The rules every topic contract follows, so downstream consumers can rely on them. */
class SchemaContractTest {

    private static final List<Schema> TOPIC_SCHEMAS = List.of(
            ClickEvent.getClassSchema(), Order.getClassSchema(), SegmentDefinition.getClassSchema(),
            SegmentChange.getClassSchema(), UserSegments.getClassSchema(), CartAbandoned.getClassSchema(),
            PrivacyRequest.getClassSchema(), RfmSketches.getClassSchema(), PrivacyAudit.getClassSchema(),
            Model.getClassSchema());

    @Test
    void everyEnumHasADefaultSymbolSoAddingSymbolsStaysCompatible() {
        List<Schema> enums = collect(schema -> schema.getType() == Schema.Type.ENUM);

        assertThat(enums.stream().map(Schema::getName).distinct()).containsExactlyInAnyOrder(
                "ClickEventType", "DeviceType", "OrderType", "SegmentChangeKind", "ChangeTrigger",
                "PrivacyRequestType", "PrivacyOutcome", "ModelKind");
        assertThat(enums).allSatisfy(schema -> {
            assertThat(schema.getEnumDefault()).as(schema.getFullName()).isEqualTo("UNKNOWN");
            assertThat(schema.getEnumSymbols()).as(schema.getFullName()).contains("UNKNOWN");
        });
    }

    /**
     * Consumers and changelogs outlive a release: each topic's schema reads what the released version
     * (test resources {@code released/}, the schema of the last release that changed it) wrote. Replace a
     * released file only when a release ships the new schema.
     */
    @Test
    void everyTopicSchemaReadsWhatItsReleasedVersionWrote() throws Exception {
        for (Schema current : TOPIC_SCHEMAS) {
            Schema released = released(current.getName());
            if (released == null) {
                continue;
            }
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, released).getType())
                    .as("%s reads its released version", current.getName())
                    .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        }
    }

    @Test
    void aSegmentChangeWrittenByTheReleasedSchemaIsReadWithItsValues() throws Exception {
        Schema released = released("SegmentChange");
        GenericRecord written = new GenericData.Record(released);
        written.put("userId", "u1");
        written.put("segment", "high-intent");
        written.put("kind", new GenericData.EnumSymbol(released.getField("kind").schema(), "EXITED"));
        written.put("trigger", new GenericData.EnumSymbol(released.getField("trigger").schema(), "TIME"));
        written.put("eventTime", 1_763_634_600_000L);
        written.put("emittedAt", 1_763_634_601_000L);
        written.put("definitionVersion", 3L);
        written.put("features", Map.of("intent.score", 42.5));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(released).write(written, encoder);
        encoder.flush();

        GeneratedClasses.trust();
        SegmentChange read = new SpecificDatumReader<SegmentChange>(released, SegmentChange.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));

        assertThat(read.getKind()).isEqualTo(SegmentChangeKind.EXITED);
        assertThat(read.getTrigger()).isEqualTo(ChangeTrigger.TIME);
        assertThat(read.getDefinitionVersion()).isEqualTo(3L);
        assertThat(read.getFeatures()).containsEntry("intent.score", 42.5);
        assertThat(read.getModels()).isEmpty();
    }

    /** The released schema of the topic record {@code name}, or null; shared named types are parsed first. */
    private static Schema released(String name) throws Exception {
        Schema.Parser parser = new Schema.Parser();
        for (String shared : List.of("LineItem", "PrivacyRequest")) {
            if (!shared.equals(name)) {
                parse(parser, shared);
            }
        }
        return parse(parser, name);
    }

    private static Schema parse(Schema.Parser parser, String name) throws Exception {
        try (InputStream in = SchemaContractTest.class.getResourceAsStream("/released/" + name + ".avsc")) {
            return in == null ? null : parser.parse(in);
        }
    }

    @Test
    void everyMoneyAmountIsDecimalWithScaleFour() {
        List<Schema> decimals = collect(schema -> schema.getLogicalType() instanceof LogicalTypes.Decimal);

        assertThat(decimals).isNotEmpty().allSatisfy(schema -> {
            LogicalTypes.Decimal decimal = (LogicalTypes.Decimal) schema.getLogicalType();
            assertThat(decimal.getPrecision()).isEqualTo(18);
            assertThat(decimal.getScale()).isEqualTo(4);
        });
    }

    @Test
    void everyTopicRecordHasAUtcEventTimestampInMillis() {
        assertThat(TOPIC_SCHEMAS).allSatisfy(schema -> assertThat(schema.getFields())
                .as(schema.getName())
                .anySatisfy(field -> assertThat(field.schema().getLogicalType()).isEqualTo(LogicalTypes.timestampMillis())));
    }

    @Test
    void everyFieldIsDocumented() {
        assertThat(collect(schema -> schema.getType() == Schema.Type.RECORD)).allSatisfy(record -> {
            assertThat(record.getDoc()).as(record.getFullName()).isNotBlank();
            assertThat(record.getFields()).allSatisfy(field ->
                    assertThat(field.doc()).as(record.getName() + "." + field.name()).isNotBlank());
        });
    }

    private static List<Schema> collect(java.util.function.Predicate<Schema> wanted) {
        Map<Schema, Boolean> seen = new IdentityHashMap<>();
        List<Schema> found = new ArrayList<>();
        TOPIC_SCHEMAS.forEach(schema -> walk(schema, wanted, seen, found));
        return found;
    }

    private static void walk(Schema schema, java.util.function.Predicate<Schema> wanted, Map<Schema, Boolean> seen,
            List<Schema> found) {
        if (seen.put(schema, Boolean.TRUE) != null) {
            return;
        }
        if (wanted.test(schema)) {
            found.add(schema);
        }
        switch (schema.getType()) {
            case RECORD -> schema.getFields().forEach(field -> walk(field.schema(), wanted, seen, found));
            case UNION -> schema.getTypes().forEach(branch -> walk(branch, wanted, seen, found));
            case ARRAY -> walk(schema.getElementType(), wanted, seen, found);
            case MAP -> walk(schema.getValueType(), wanted, seen, found);
            default -> { }
        }
    }
}
