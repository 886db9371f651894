package io.segstream.segments;

import io.segstream.serde.StateEncoding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.TreeMap;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;

/**
 * A user's current segments (part of the user's state), with the definition version that put them
 * there. Not changed once built: an evaluation that changes a user's segments makes a new one, so
 * its encoding is computed once and reused while it is the user's membership.
 */
public final class MembershipState {

    /** One segment held. The output topic is kept so an exit can still be routed after retirement. */
    public record Member(long version, long since, String outputTopic) {}

    TreeMap<String, Member> segments = new TreeMap<>();
    /** The Avro encoding of {@link #segments}, once written. */
    private byte[] encoded;
    /** The user's last condition results, handed on to the membership that replaces this one; never encoded. */
    LastResults lastResults = new LastResults();

    public TreeMap<String, Member> segments() {
        return segments;
    }

    public void write(Encoder out) throws IOException {
        if (encoded == null) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
            StateEncoding.writeArray(encoder, segments.entrySet(), (inner, segment) -> {
                inner.writeString(segment.getKey());
                inner.writeLong(segment.getValue().version());
                inner.writeLong(segment.getValue().since());
                StateEncoding.writeNullableString(inner, segment.getValue().outputTopic());
            });
            encoder.flush();
            encoded = bytes.toByteArray();
        }
        out.writeFixed(encoded);
    }

    public static MembershipState read(Decoder in) throws IOException {
        MembershipState membership = new MembershipState();
        StateEncoding.readArray(in, decoder -> membership.segments.put(decoder.readString(),
                new Member(decoder.readLong(), decoder.readLong(), StateEncoding.readNullableString(decoder))));
        return membership;
    }
}
