package io.segstream.serde;

import io.segstream.avro.GeneratedClasses;
import io.segstream.registry.SchemaNotFoundException;
import io.segstream.registry.SchemaRegistries;
import io.segstream.registry.SchemaRegistryClient;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.time.DateTimeException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-framed Avro into SpecificRecords of one type, resolving each writer schema against
 * the type's own schema (so older and newer writers are read per Avro's evolution rules). Every way a
 * payload can be unreadable raises a {@link WireFormatException} with its reason.
 */
public final class SpecificAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    static {
        GeneratedClasses.trust();
    }

    private final Class<T> type;
    private final SpecificData model;
    private final Schema readerSchema;
    private final Map<Integer, WriterReader<T>> readersById = new ConcurrentHashMap<>();
    private SchemaRegistryClient registry;

    /** How to read payloads written with one writer schema, or why they cannot be read as {@code T}. */
    private record WriterReader<T>(SpecificDatumReader<T> reader, String mismatch) {}

    public SpecificAvroDeserializer(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
        this.model = SpecificData.getForClass(type);
        this.readerSchema = model.getSchema(type);
    }

    /** A deserializer already bound to {@code registry}, for callers that hold a client. */
    public SpecificAvroDeserializer(Class<T> type, SchemaRegistryClient registry) {
        this(type);
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.registry = SchemaRegistries.client(configs);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length == 0) {
            throw new TruncatedPayloadException(topic, "empty payload; a Confluent-framed record has at least "
                    + WireFormat.HEADER_SIZE + " bytes");
        }
        if (data[0] != WireFormat.MAGIC_BYTE) {
            throw new UnknownMagicByteException(topic, String.format(
                    "first byte is 0x%02x, expected the Confluent wire format's magic byte 0x00 (was this written "
                            + "by a non-Avro or non-Confluent producer?)", data[0]));
        }
        if (data.length < WireFormat.HEADER_SIZE) {
            throw new TruncatedPayloadException(topic, "payload of " + data.length + " bytes is shorter than the "
                    + WireFormat.HEADER_SIZE + "-byte Confluent header");
        }
        int id = ByteBuffer.wrap(data, 1, Integer.BYTES).getInt();
        WriterReader<T> writerReader = readersById.computeIfAbsent(id, writerId -> readerFor(topic, writerId));
        if (writerReader.mismatch() != null) {
            throw new SchemaMismatchException(topic, "schema " + id + " cannot be read as "
                    + readerSchema.getFullName() + ": " + writerReader.mismatch());
        }
        return decode(topic, id, data, writerReader.reader());
    }

    private T decode(String topic, int id, byte[] data, SpecificDatumReader<T> reader) {
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null);
        T record;
        try {
            record = reader.read(null, decoder);
        } catch (EOFException e) {
            throw new TruncatedPayloadException(topic, "Avro body ends before the " + type.getSimpleName()
                    + " record is complete (schema " + id + ", " + data.length + " bytes)", e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException
                 | DateTimeException | NumberFormatException | UnsupportedOperationException e) {
            // Exactly the exceptions Avro raises for bad input (limits included); anything else is a bug, not a bad record.
            throw new CorruptPayloadException(topic, "Avro body is not a valid " + type.getSimpleName()
                    + " written with schema " + id + ": " + e, e);
        }
        try {
            if (!decoder.isEnd()) {
                throw new CorruptPayloadException(topic, "bytes left over after the " + type.getSimpleName()
                        + " record (schema " + id + "); the payload does not match its schema id");
            }
        } catch (IOException e) {
            throw new CorruptPayloadException(topic, "cannot check for the end of the payload: " + e, e);
        }
        return record;
    }

    private WriterReader<T> readerFor(String topic, int id) {
        if (registry == null) {
            throw new IllegalStateException("Deserializer for " + type.getSimpleName() + " used before configure()");
        }
        Schema writerSchema;
        try {
            writerSchema = registry.schemaById(id);
        } catch (SchemaNotFoundException e) {
            throw new UnknownSchemaIdException(topic, "schema id " + id + " is not in the registry", e);
        }
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writerSchema);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return new WriterReader<>(null, compatibility.getDescription());
        }
        return new WriterReader<>(new SpecificDatumReader<>(writerSchema, readerSchema, model), null);
    }
}
