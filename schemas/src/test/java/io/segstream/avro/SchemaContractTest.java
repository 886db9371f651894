package io.segstream.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The rules every topic contract follows, so downstream consumers can rely on them. */
class SchemaContractTest {

    private static final List<Schema> TOPIC_SCHEMAS = List.of(
            ClickEvent.getClassSchema(), Order.getClassSchema(), SegmentDefinition.getClassSchema(),
            SegmentChange.getClassSchema(), UserSegments.getClassSchema(), CartAbandoned.getClassSchema(),
            PrivacyRequest.getClassSchema(), RfmSketches.getClassSchema());

    @Test
    void everyEnumHasADefaultSymbolSoAddingSymbolsStaysCompatible() {
        List<Schema> enums = collect(schema -> schema.getType() == Schema.Type.ENUM);

        assertThat(enums).extracting(Schema::getName).containsExactlyInAnyOrder(
                "ClickEventType", "DeviceType", "OrderType", "SegmentChangeKind", "ChangeTrigger",
                "PrivacyRequestType");
        assertThat(enums).allSatisfy(schema -> {
            assertThat(schema.getEnumDefault()).as(schema.getFullName()).isEqualTo("UNKNOWN");
            assertThat(schema.getEnumSymbols()).as(schema.getFullName()).contains("UNKNOWN");
        });
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
