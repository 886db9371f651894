package io.segstream.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

/** The state encoder writes exactly the bytes Avro's own binary encoder writes, parts within parts included. */
class StateEncoderTest {

    /** Every kind of value, a part kept encoded holding another part, and a length-prefixed part. */
    private static void writeRecord(Encoder out, String text) throws IOException {
        out.writeNull();
        out.writeBoolean(true);
        out.writeBoolean(false);
        out.writeInt(0);
        out.writeInt(-1);
        out.writeInt(Integer.MAX_VALUE);
        out.writeInt(Integer.MIN_VALUE);
        out.writeLong(Long.MIN_VALUE);
        out.writeLong(1_733_000_000_000L);
        out.writeFloat(1.5f);
        out.writeDouble(-2.25);
        out.writeString(text);
        out.writeString("");
        out.writeString(new Utf8("utf8 é"));
        // Not ASCII: at the start, after a run of ASCII, and long enough for a two-byte length.
        out.writeString("électronique");
        out.writeString("home.kitchen 台所");
        out.writeString("y".repeat(200) + "\u00ff");
        out.writeString("\u007f");
        out.writeBytes(new byte[] {1, 2, 3});
        out.writeBytes(new byte[0]);
        out.writeBytes(ByteBuffer.wrap(new byte[] {9, 8}));
        out.writeFixed(new byte[] {7, 7, 7, 7}, 1, 2);
        out.writeFixed(ByteBuffer.wrap(new byte[] {5, 6, 7}, 1, 2));
        out.writeEnum(2);
        out.writeIndex(1);
        StateEncoding.writeNullableDecimal(out, new BigDecimal("-1234.56"));
        StateEncoding.writeArray(out, List.of("a", "bb", "ccc"), Encoder::writeString);
        out.writeMapStart();
        out.setItemCount(0);
        out.writeMapEnd();
        byte[] part = StateEncoding.encoded(out, encoder -> {
            encoder.writeLong(42);
            encoder.writeFixed(StateEncoding.encoded(encoder, inner -> inner.writeString("inner " + text)));
            encoder.writeString("after the inner part");
        });
        out.writeFixed(part);
        StateEncoding.writeBytesOf(out, encoder -> {
            encoder.writeInt(7);
            encoder.writeString(text);
        });
        StateEncoding.writeBytesOf(out, encoder -> { });
        out.writeLong(-3);
    }

    private static byte[] avro(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
        writeRecord(encoder, text);
        encoder.flush();
        return bytes.toByteArray();
    }

    @Test
    void writesTheBytesAvrosBinaryEncoderWrites() throws IOException {
        StateEncoder encoder = new StateEncoder();
        writeRecord(encoder, "text");

        assertThat(encoder.toByteArray()).isEqualTo(avro("text"));
    }

    @Test
    void aResetEncoderStartsANewRecordAndGrowsPastItsFirstBuffer() throws IOException {
        StateEncoder encoder = new StateEncoder();
        writeRecord(encoder, "a first record");
        String long1000 = "x".repeat(1_000);

        writeRecord(encoder.reset(), long1000);

        assertThat(encoder.toByteArray()).isEqualTo(avro(long1000));
    }

    @Test
    void partsWrittenThroughAnotherEncoderAreTheSame() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder other = EncoderFactory.get().binaryEncoder(bytes, null);

        byte[] part = StateEncoding.encoded(other, encoder -> encoder.writeString("part"));
        StateEncoding.writeBytesOf(other, encoder -> encoder.writeLong(1));
        other.flush();

        assertThat(part).containsExactly(8, 'p', 'a', 'r', 't');
        assertThat(bytes.toByteArray()).containsExactly(2, 2);
    }
}
