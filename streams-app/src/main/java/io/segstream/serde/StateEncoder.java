package io.segstream.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.avro.io.BinaryData;
import org.apache.avro.io.BinaryEncoder;

/**
 * An Avro binary encoder into a growing byte array of its own, for a per-user state record: reused
 * from record to record by one thread, with no stream and no lock behind each field (Avro's encoders
 * write to an {@link java.io.OutputStream}, whose {@link java.io.ByteArrayOutputStream} is
 * synchronized). The parts of a record that are kept encoded while they do not change are encoded in
 * its nested encoder ({@link StateEncoding#encoded(org.apache.avro.io.Encoder, StateEncoding.PartWriter)}),
 * and so on for a part within a part, each reused too. Not thread-safe.
 */
public final class StateEncoder extends BinaryEncoder {

    private static final int INITIAL_CAPACITY = 256;

    private byte[] bytes = new byte[INITIAL_CAPACITY];
    private int size;
    /** The encoder of a part written while this one is, made when first needed. */
    private StateEncoder nested;

    /** Forgets what was written: the next write starts a new record. */
    public StateEncoder reset() {
        size = 0;
        return this;
    }

    /** The bytes written since the last reset, as a new array. */
    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    /** How many bytes were written since the last reset. */
    public int size() {
        return size;
    }

    /** Copies the bytes written since the last reset into {@code target} from {@code offset}, which must have room for them. */
    public void copyTo(byte[] target, int offset) {
        System.arraycopy(bytes, 0, target, offset, size);
    }

    /** The nested encoder, empty: for a part written while this encoder's record is. */
    StateEncoder nested() {
        if (nested == null) {
            nested = new StateEncoder();
        }
        return nested.reset();
    }

    /** Writes what {@code encoder} holds as an Avro {@code bytes} value: its length, then its bytes. */
    void writeBytesOf(StateEncoder encoder) {
        writeInt(encoder.size);
        writeFixed(encoder.bytes, 0, encoder.size);
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }

    @Override
    public void writeBoolean(boolean value) {
        ensure(1);
        size += BinaryData.encodeBoolean(value, bytes, size);
    }

    @Override
    public void writeInt(int value) {
        ensure(5);
        size += BinaryData.encodeInt(value, bytes, size);
    }

    @Override
    public void writeLong(long value) {
        ensure(10);
        size += BinaryData.encodeLong(value, bytes, size);
    }

    /** {@code value} as an Avro {@code fixed} of 8 bytes, big-endian, without an array to copy it from. */
    public void writeFixedLong(long value) {
        ensure(Long.BYTES);
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            bytes[size + i] = (byte) value;
            value >>>= 8;
        }
        size += Long.BYTES;
    }

    /**
     * A string as Avro writes it (its UTF-8 length, then its UTF-8 bytes), without the byte array Avro
     * makes of each one when it is ASCII, as the ids, keys and category names of a state nearly always
     * are: a user's record holds dozens of them.
     */
    @Override
    public void writeString(String value) throws IOException {
        int length = value.length();
        ensure(5 + length);
        int start = size;
        int at = start + BinaryData.encodeInt(length, bytes, start);
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c >= 0x80) {
                size = start;
                super.writeString(value);
                return;
            }
            bytes[at++] = (byte) c;
        }
        size = at;
    }

    @Override
    public void writeFloat(float value) {
        ensure(4);
        size += BinaryData.encodeFloat(value, bytes, size);
    }

    @Override
    public void writeDouble(double value) {
        ensure(8);
        size += BinaryData.encodeDouble(value, bytes, size);
    }

    @Override
    public void writeFixed(byte[] source, int start, int length) {
        ensure(length);
        System.arraycopy(source, start, bytes, size, length);
        size += length;
    }

    @Override
    public void writeFixed(ByteBuffer source) {
        int length = source.remaining();
        ensure(length);
        source.duplicate().get(bytes, size, length);
        size += length;
    }

    @Override
    protected void writeZero() {
        ensure(1);
        bytes[size++] = 0;
    }

    /** Nothing is buffered on the way to a stream: the bytes are the encoder's own. */
    @Override
    public int bytesBuffered() {
        return 0;
    }

    @Override
    public void flush() {
        // Nothing to flush: the bytes are held, not streamed.
    }
}
