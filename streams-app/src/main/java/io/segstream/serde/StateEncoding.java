package io.segstream.serde;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Collection;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;

/**
 * The building blocks of the per-user state encoding, in Avro's binary format exactly as the state
 * schema (schemas/src/main/resources/io/segstream/state) spells them: a nullable value is a union
 * of null and the value, a decimal is a record of scale and unscaled bytes, a collection an array.
 * State classes write and read themselves with these, field by field, so no reflection and no
 * intermediate objects stand between a store and the state.
 */
public final class StateEncoding {

    /** Writes one item of an array. */
    @FunctionalInterface
    public interface ItemWriter<T> {
        void write(Encoder out, T item) throws IOException;
    }

    /** Writes one part of a record. */
    @FunctionalInterface
    public interface PartWriter {
        void write(Encoder out) throws IOException;
    }

    /** Writes the item at one position of an array. */
    @FunctionalInterface
    public interface IndexWriter {
        void write(Encoder out, int index) throws IOException;
    }

    /** Reads one item of an array and keeps it. */
    @FunctionalInterface
    public interface ItemReader {
        void read(Decoder in) throws IOException;
    }

    private StateEncoding() {}

    /** Reads one value. */
    @FunctionalInterface
    public interface ValueReader<T> {
        T read(Decoder in) throws IOException;
    }

    /** A union of null and the value: branch 0 for null, else branch 1 and the value. */
    public static <T> void writeNullable(Encoder out, T value, ItemWriter<T> writer) throws IOException {
        writePresent(out, value != null);
        if (value != null) {
            writer.write(out, value);
        }
    }

    /**
     * Writes the branch of a union of null and a record: the record's fields follow when {@code present}.
     * For a record held as fields of the one that contains it rather than as an object of its own.
     */
    public static void writePresent(Encoder out, boolean present) throws IOException {
        out.writeIndex(present ? 1 : 0);
    }

    public static <T> T readNullable(Decoder in, ValueReader<T> reader) throws IOException {
        return readPresent(in) ? reader.read(in) : null;
    }

    /** Reads the branch of a union of null and a record ({@link #writePresent}): whether the record's fields follow. */
    public static boolean readPresent(Decoder in) throws IOException {
        if (in.readIndex() == 0) {
            in.readNull();
            return false;
        }
        return true;
    }

    public static void writeNullableLong(Encoder out, Long value) throws IOException {
        writeNullable(out, value, Encoder::writeLong);
    }

    public static Long readNullableLong(Decoder in) throws IOException {
        return readNullable(in, Decoder::readLong);
    }

    public static void writeNullableString(Encoder out, String value) throws IOException {
        writeNullable(out, value, Encoder::writeString);
    }

    public static String readNullableString(Decoder in) throws IOException {
        return readNullable(in, Decoder::readString);
    }

    public static void writeDecimal(Encoder out, BigDecimal value) throws IOException {
        out.writeInt(value.scale());
        out.writeBytes(value.unscaledValue().toByteArray());
    }

    public static BigDecimal readDecimal(Decoder in) throws IOException {
        int scale = in.readInt();
        return new BigDecimal(new BigInteger(readBytes(in)), scale);
    }

    /** An Avro {@code bytes} value as an array of exactly its length: the one Avro reads it into, not a copy of it. */
    public static byte[] readBytes(Decoder in) throws IOException {
        ByteBuffer bytes = in.readBytes(null);
        if (bytes.hasArray() && bytes.arrayOffset() == 0 && bytes.position() == 0 && bytes.capacity() == bytes.remaining()) {
            return bytes.array();
        }
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        return copy;
    }

    public static void writeNullableDecimal(Encoder out, BigDecimal value) throws IOException {
        writeNullable(out, value, StateEncoding::writeDecimal);
    }

    public static BigDecimal readNullableDecimal(Decoder in) throws IOException {
        return readNullable(in, StateEncoding::readDecimal);
    }

    /** {@code value} as an Avro {@code fixed} of 8 bytes, big-endian. */
    public static void writeFixedLong(Encoder out, long value) throws IOException {
        if (out instanceof StateEncoder record) {
            record.writeFixedLong(value);
        } else {
            out.writeFixed(ByteBuffer.allocate(Long.BYTES).putLong(0, value).array());
        }
    }

    public static <T> void writeArray(Encoder out, Collection<T> items, ItemWriter<T> writer) throws IOException {
        out.writeArrayStart();
        out.setItemCount(items.size());
        for (T item : items) {
            out.startItem();
            writer.write(out, item);
        }
        out.writeArrayEnd();
    }

    /**
     * What {@code part} writes, as bytes: for a part of a user's record that is kept encoded while it
     * does not change and written into the record as it is ({@link Encoder#writeFixed(byte[])}).
     * Encoded in the nested encoder of {@code out}, the record's, when it is a {@link StateEncoder}.
     */
    public static byte[] encoded(Encoder out, PartWriter part) throws IOException {
        StateEncoder encoder = nestedIn(out);
        part.write(encoder);
        return encoder.toByteArray();
    }

    /** What {@code part} writes, as one Avro {@code bytes} value of {@code out}: its length, then the bytes. */
    public static void writeBytesOf(Encoder out, PartWriter part) throws IOException {
        StateEncoder encoder = nestedIn(out);
        part.write(encoder);
        if (out instanceof StateEncoder record) {
            record.writeBytesOf(encoder);
        } else {
            out.writeBytes(encoder.toByteArray());
        }
    }

    private static StateEncoder nestedIn(Encoder out) {
        return out instanceof StateEncoder record ? record.nested() : new StateEncoder();
    }

    /** An array of {@code count} items, each written by {@code writer} from its position. */
    public static void writeArray(Encoder out, int count, IndexWriter writer) throws IOException {
        out.writeArrayStart();
        out.setItemCount(count);
        for (int i = 0; i < count; i++) {
            out.startItem();
            writer.write(out, i);
        }
        out.writeArrayEnd();
    }

    /** Reads every item of an array with {@code reader}. */
    public static void readArray(Decoder in, ItemReader reader) throws IOException {
        for (long block = in.readArrayStart(); block != 0; block = in.arrayNext()) {
            for (long i = 0; i < block; i++) {
                reader.read(in);
            }
        }
    }

}
