package io.segstream.serde;

import io.segstream.avro.GeneratedClasses;
import io.segstream.registry.SchemaRegistries;
import io.segstream.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes SpecificRecords in the Confluent wire format. The topic's schema id is resolved once per
 * topic (registered, or looked up when {@code auto.register.schemas=false}) and cached.
 */
public final class SpecificAvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    static {
        GeneratedClasses.trust();
    }

    private final Class<T> type;
    private final Schema schema;
    private final SpecificDatumWriter<T> writer;
    /** By topic: the magic byte and the topic's schema id, the first bytes of every record written to it. */
    private final Map<String, byte[]> headersByTopic = new ConcurrentHashMap<>();
    /**
     * Per thread (one serializer serves every stream thread's sink): a buffer and a buffered encoder,
     * which hands the record's bytes to the buffer in one write where a direct encoder makes a
     * synchronized stream call per field.
     */
    private final ThreadLocal<Output> output = ThreadLocal.withInitial(Output::new);
    private SchemaRegistryClient registry;
    private boolean isKey;
    private boolean autoRegister = true;

    public SpecificAvroSerializer(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
        SpecificData model = SpecificData.getForClass(type);
        this.schema = model.getSchema(type);
        this.writer = new SpecificDatumWriter<>(schema, model);
    }

    /** A serializer already bound to {@code registry}, for callers that hold a client. */
    public SpecificAvroSerializer(Class<T> type, SchemaRegistryClient registry, boolean isKey) {
        this(type);
        this.registry = Objects.requireNonNull(registry, "registry");
        this.isKey = isKey;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.registry = SchemaRegistries.client(configs);
        this.autoRegister = new AvroSerdeConfig(configs).autoRegisterSchemas();
        this.isKey = isKey;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        byte[] header = headersByTopic.computeIfAbsent(topic, this::headerFor);
        Output out = output.get();
        // Configured before the reset: what a failed write left in the encoder's buffer is flushed, then dropped.
        out.encoder = EncoderFactory.get().binaryEncoder(out.bytes, out.encoder);
        out.bytes.reset();
        out.bytes.writeBytes(header);
        try {
            writer.write(data, out.encoder);
            out.encoder.flush();
        } catch (IOException | AvroRuntimeException | NullPointerException | ClassCastException e) {
            throw new SerializationException("Cannot write " + type.getSimpleName() + " for topic \"" + topic + "\": "
                    + e.getMessage(), e);
        }
        return out.bytes.toByteArray();
    }

    private byte[] headerFor(String topic) {
        if (registry == null) {
            throw new IllegalStateException("Serializer for " + type.getSimpleName() + " used before configure()");
        }
        String subject = WireFormat.subject(topic, isKey);
        int id = autoRegister ? registry.register(subject, schema) : registry.lookUp(subject, schema);
        return ByteBuffer.allocate(WireFormat.HEADER_SIZE).put(WireFormat.MAGIC_BYTE).putInt(id).array();
    }

    private static final class Output {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        BinaryEncoder encoder;
    }
}
