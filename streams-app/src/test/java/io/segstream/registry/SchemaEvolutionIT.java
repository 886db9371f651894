package io.segstream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.serde.SpecificAvroDeserializer;
import io.segstream.testing.ApicurioRegistry;
import io.segstream.testing.Frames;
import io.segstream.testing.RealInfrastructure;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Schema evolution under BACKWARD compatibility, decided by a real registry. */
@ExtendWith(RealInfrastructure.class)
class SchemaEvolutionIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApicurioRegistry registry;
    private HttpSchemaRegistryClient client;
    private String subject;

    SchemaEvolutionIT(ApicurioRegistry registry) {
        this.registry = registry;
    }

    @BeforeEach
    void setUp() {
        client = new HttpSchemaRegistryClient(new RegistryConfig(Map.of(RegistryConfig.URL, registry.url())));
        subject = "clickstream-" + UUID.randomUUID() + "-value";
    }

    @Test
    void anEvolvedSchemaWithAnOptionalFieldAndANewEnumSymbolIsAccepted() throws Exception {
        Schema v1 = ClickEvent.getClassSchema();
        Schema v2 = evolve(v1, fields -> fields.add(field("referrer", "[\"null\",\"string\"]", "null")),
                "ClickEventType", "WISHLIST_ADD");

        int v1Id = client.register(subject, v1);
        assertThat(client.testCompatibility(subject, v2).compatible()).isTrue();
        int v2Id = client.register(subject, v2);

        assertThat(v2Id).isNotEqualTo(v1Id);
        assertThat(client.schemaById(v2Id).getField("referrer")).isNotNull();

        // Today's pipeline still reads what a producer on v2 writes: the new field is skipped and the
        // unknown enum symbol falls back to UNKNOWN.
        GenericRecord written = new GenericData.Record(v2);
        written.put("eventId", "e-v2");
        written.put("userId", "u1");
        written.put("type", new GenericData.EnumSymbol(v2.getField("type").schema(), "WISHLIST_ADD"));
        written.put("device", new GenericData.EnumSymbol(v2.getField("device").schema(), "MOBILE"));
        written.put("eventTimestamp", Instant.parse("2026-11-20T10:00:00Z").toEpochMilli());
        written.put("referrer", "newsletter");
        ClickEvent read = new SpecificAvroDeserializer<>(ClickEvent.class, client)
                .deserialize("clickstream", Frames.frame(v2Id, v2, written));

        assertThat(read.getEventId()).isEqualTo("e-v2");
        assertThat(read.getType()).isEqualTo(ClickEventType.UNKNOWN);
    }

    @Test
    void anIncompatibleSchemaIsRejectedByTheRegistryWithAClearError() throws Exception {
        client.register(subject, ClickEvent.getClassSchema());
        Schema requiredFieldWithoutDefault = evolve(ClickEvent.getClassSchema(),
                fields -> fields.add(field("tenant", "\"string\"", null)), null, null);

        CompatibilityResult result = client.testCompatibility(subject, requiredFieldWithoutDefault);
        assertThat(result.compatible()).isFalse();

        assertThatThrownBy(() -> client.register(subject, requiredFieldWithoutDefault))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageStartingWith("Schema registry at " + registry.url() + " answered 409 to POST /subjects/"
                        + subject + "/versions (error 409): ")
                .hasMessageContaining("Incompatible")
                .hasMessageContaining("tenant")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(409));
    }

    private static ObjectNode field(String name, String typeJson, String defaultJson) {
        try {
            ObjectNode field = JSON.createObjectNode().put("name", name);
            field.set("type", JSON.readTree(typeJson));
            if (defaultJson != null) {
                field.set("default", JSON.readTree(defaultJson));
            }
            return field;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of {@code schema} with fields added and optionally one symbol added to a named enum. */
    private static Schema evolve(Schema schema, java.util.function.Consumer<ArrayNode> addFields, String enumName,
            String symbol) throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(schema.toString());
        addFields.accept((ArrayNode) root.get("fields"));
        if (enumName != null) {
            for (JsonNode field : root.get("fields")) {
                JsonNode type = field.get("type");
                if (type.isObject() && enumName.equals(type.path("name").asText())) {
                    ((ArrayNode) type.get("symbols")).insert(type.get("symbols").size() - 1, symbol);
                }
            }
        }
        return new Schema.Parser().parse(JSON.writeValueAsString(root));
    }
}
