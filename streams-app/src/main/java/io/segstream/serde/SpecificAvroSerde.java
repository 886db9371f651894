package io.segstream.serde;

import io.segstream.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.avro.specific.SpecificRecord;

/** Serde for one SpecificRecord type in the Confluent wire format, backed by a schema registry. */
public final class SpecificAvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final SpecificAvroSerializer<T> serializer;
    private final SpecificAvroDeserializer<T> deserializer;

    /** An unconfigured serde; {@link #configure} connects it to the registry named in the configs. */
    public SpecificAvroSerde(Class<T> type) {
        this.serializer = new SpecificAvroSerializer<>(type);
        this.deserializer = new SpecificAvroDeserializer<>(type);
    }

    /** A serde bound to {@code registry}. */
    public SpecificAvroSerde(Class<T> type, SchemaRegistryClient registry, boolean isKey) {
        this.serializer = new SpecificAvroSerializer<>(type, registry, isKey);
        this.deserializer = new SpecificAvroDeserializer<>(type, registry);
    }

    /** A serde for {@code type}, configured from {@code configs} ({@code schema.registry.url} and friends). */
    public static <T extends SpecificRecord> SpecificAvroSerde<T> of(Class<T> type, Map<String, ?> configs, boolean isKey) {
        SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type);
        serde.configure(configs, isKey);
        return serde;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        serializer.configure(configs, isKey);
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
