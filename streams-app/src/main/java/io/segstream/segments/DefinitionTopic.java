package io.segstream.segments;

import io.segstream.avro.SegmentDefinition;
import io.segstream.config.CompactedTopic;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.Topics;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.serde.SpecificAvroDeserializer;
import io.segstream.serde.SpecificAvroSerializer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The compacted {@code segments.definitions} topic: the current definitions, publishing and retiring. */
public final class DefinitionTopic {

    private final CompactedTopic<SegmentDefinition> topic;

    public DefinitionTopic(SegStreamConfig config, SchemaRegistryClient registry) {
        this.topic = new CompactedTopic<>(config, Topics.from(config).segmentDefinitions(),
                new SpecificAvroSerializer<>(SegmentDefinition.class, registry, false),
                new SpecificAvroDeserializer<>(SegmentDefinition.class, registry));
    }

    /** The live definitions by name: the topic read from its start to its end, tombstones applied. */
    public Map<String, SegmentDefinition> current() {
        return topic.current();
    }

    /** Publishes definitions (keyed by name) and waits until the broker has them. */
    public void publish(List<SegmentDefinition> definitions) {
        Map<String, SegmentDefinition> byName = new LinkedHashMap<>();
        definitions.forEach(definition -> byName.put(definition.getName(), definition));
        topic.publish(byName);
    }

    /** Writes the tombstone that retires {@code name}; its members exit. */
    public void retire(String name) {
        topic.retire(name);
    }
}
