package io.segstream.scoring;

import io.segstream.avro.Model;
import io.segstream.config.CompactedTopic;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.Topics;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.serde.SpecificAvroDeserializer;
import io.segstream.serde.SpecificAvroSerializer;
import java.util.Map;

/** The compacted {@code segstream.models} topic: the published models, publishing and withdrawing. */
public final class ModelTopic {

    private final CompactedTopic<Model> topic;

    public ModelTopic(SegStreamConfig config, SchemaRegistryClient registry) {
        this.topic = new CompactedTopic<>(config, Topics.from(config).models(),
                new SpecificAvroSerializer<>(Model.class, registry, false),
                new SpecificAvroDeserializer<>(Model.class, registry));
    }

    public String name() {
        return topic.name();
    }

    /** The published models by name. */
    public Map<String, Model> current() {
        return topic.current();
    }

    /** Publishes {@code model} under its name once it is usable ({@link ModelCatalog#validate}); every instance switches to it. */
    public void publish(Model model) {
        ModelCatalog.validate(model);
        topic.publish(Map.of(model.getName(), model));
    }

    /** Withdraws the model {@code name}; its facts become absent (intent falls back to the configured model). */
    public void withdraw(String name) {
        topic.retire(name);
    }
}
