package io.segstream.segments;

import io.segstream.serde.StateEncoding;
import java.io.IOException;
import java.util.TreeMap;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;

/** A user's current segments (part of the user's state), with the definition version that put them there. */
public final class MembershipState {

    /** One segment held. The output topic is kept so an exit can still be routed after retirement. */
    public record Member(long version, long since, String outputTopic) {}

    TreeMap<String, Member> segments = new TreeMap<>();

    public TreeMap<String, Member> segments() {
        return segments;
    }

    public void write(Encoder out) throws IOException {
        StateEncoding.writeArray(out, segments.entrySet(), (encoder, segment) -> {
            encoder.writeString(segment.getKey());
            encoder.writeLong(segment.getValue().version());
            encoder.writeLong(segment.getValue().since());
            StateEncoding.writeNullableString(encoder, segment.getValue().outputTopic());
        });
    }

    public static MembershipState read(Decoder in) throws IOException {
        MembershipState membership = new MembershipState();
        StateEncoding.readArray(in, decoder -> membership.segments.put(decoder.readString(),
                new Member(decoder.readLong(), decoder.readLong(), StateEncoding.readNullableString(decoder))));
        return membership;
    }
}
