package io.segstream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryTest {

    private static final Schema V1 = parse("""
            {"type":"record","name":"Visit","fields":[{"name":"id","type":"string"}]}""");
    private static final Schema V2_OPTIONAL_FIELD = parse("""
            {"type":"record","name":"Visit","fields":[{"name":"id","type":"string"},
             {"name":"page","type":["null","string"],"default":null}]}""");
    private static final Schema V3_REQUIRED_FIELD = parse("""
            {"type":"record","name":"Visit","fields":[{"name":"id","type":"string"},
             {"name":"page","type":["null","string"],"default":null},{"name":"score","type":"int"}]}""");

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    @Test
    void givesTheSameIdToTheSameSchemaUnderAnySubject() {
        int first = registry.register("a-value", V1);

        assertThat(registry.register("a-value", V1)).isEqualTo(first);
        assertThat(registry.register("b-value", V1)).isEqualTo(first);
        assertThat(registry.register("a-value", V2_OPTIONAL_FIELD)).isEqualTo(first + 1);
        assertThat(registry.schemaById(first + 1)).isEqualTo(V2_OPTIONAL_FIELD);
        assertThat(registry.subjects()).containsExactly("a-value", "b-value");
    }

    @Test
    void underBackwardAcceptsAnAddedOptionalFieldAndRejectsAnAddedRequiredOne() {
        registry.register("visits-value", V1);
        registry.register("visits-value", V2_OPTIONAL_FIELD);

        assertThat(registry.testCompatibility("visits-value", V3_REQUIRED_FIELD).compatible()).isFalse();
        assertThatThrownBy(() -> registry.register("visits-value", V3_REQUIRED_FIELD))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining("subject \"visits-value\"")
                .hasMessageContaining("READER_FIELD_MISSING_DEFAULT_VALUE at /fields/2");
    }

    @Test
    void underForwardTheOldSchemaMustReadTheNewData() {
        registry.setCompatibility("visits-value", CompatibilityLevel.FORWARD);
        registry.register("visits-value", V2_OPTIONAL_FIELD);

        // V1 reads V2 data by ignoring the new field: compatible forward.
        assertThat(registry.testCompatibility("visits-value", V1).compatible()).isTrue();
        assertThat(registry.testCompatibility("visits-value", parse("""
                {"type":"record","name":"Visit","fields":[{"name":"id","type":"int"}]}""")).messages())
                .singleElement().asString().startsWith("an earlier schema cannot read data written with the new one");
    }

    @Test
    void underNoneAcceptsAnything() {
        registry.setCompatibility(null, CompatibilityLevel.NONE);
        registry.register("visits-value", V1);

        assertThat(registry.register("visits-value", parse("\"string\""))).isEqualTo(2);
    }

    @Test
    void unknownIdsAndUnregisteredSchemasAreNotFound() {
        registry.register("visits-value", V1);

        assertThatThrownBy(() -> registry.schemaById(99)).isInstanceOf(SchemaNotFoundException.class);
        assertThatThrownBy(() -> registry.lookUp("visits-value", V2_OPTIONAL_FIELD))
                .isInstanceOf(SchemaNotFoundException.class)
                .hasMessageContaining("visits-value");
    }

    private static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }
}
