package io.segstream.topology;

import io.segstream.features.FeatureState;
import io.segstream.features.RfmState;
import io.segstream.privacy.Consent;
import io.segstream.segments.MembershipState;
import io.segstream.serde.StateEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The encoding of store {@code users} and its changelog, a contract like the topics' schemas: one
 * version byte, then the user's state in Avro binary under that version's schema
 * (io/segstream/state/user-state-v{N}.avsc in segstream-schemas). A new version only appends fields
 * with defaults; state written by an older version is read through Avro's schema resolution, so
 * restores and standbys survive upgrades. The current version is read field by field, without
 * resolution.
 */
public final class UserStateSerde implements Serde<UserState> {

    /** One shared instance, safe on any thread: it keeps no state but per-thread buffers. */
    public static final UserStateSerde INSTANCE = new UserStateSerde(ThreadLocal.withInitial(Buffers::new)::get);

    /** The version this release writes. */
    public static final int VERSION = 3;
    /** The version, as the first byte of a record. */
    private static final byte[] VERSION_BYTE = {VERSION};

    private static final Schema[] SCHEMAS = new Schema[VERSION + 1];
    /** The Consent symbols in schema order (user-state-v2 onwards): UNSET, GRANTED, WITHDRAWN. */
    private static final Consent[] CONSENTS = Consent.values();

    static {
        for (int version = 1; version <= VERSION; version++) {
            SCHEMAS[version] = schema(version);
        }
    }

    private final Supplier<Buffers> buffers;

    private UserStateSerde(Supplier<Buffers> buffers) {
        this.buffers = buffers;
    }

    /**
     * A serde for one thread at a time, with buffers of its own: a store encoding thousands of users
     * per commit does not look up a thread-local per user (a stream thread holds many of them).
     */
    public static UserStateSerde forOneThread() {
        Buffers own = new Buffers();
        return new UserStateSerde(() -> own);
    }

    /** Reused per thread: an encoder into a growing buffer, and a decoder. */
    private static final class Buffers {
        final StateEncoder encoder = new StateEncoder();
        BinaryDecoder decoder;
    }

    /** The schema of {@code version} (1..{@link #VERSION}). */
    public static Schema schema(int version) {
        String resource = "/io/segstream/state/user-state-v" + version + ".avsc";
        try (InputStream in = UserStateSerde.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("state schema " + resource + " is missing from the classpath");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Serializer<UserState> serializer() {
        return (topic, state) -> state == null ? null : encode(state);
    }

    @Override
    public Deserializer<UserState> deserializer() {
        return (topic, bytes) -> bytes == null ? null : decode(bytes);
    }

    public byte[] encode(UserState state) {
        StateEncoder out = buffers.get().encoder.reset();
        try {
            out.writeFixed(VERSION_BYTE);
            // Membership first and RFM first among the features: the cheap partial reads below stop early.
            state.membership().write(out);
            state.features().write(out);
            out.writeEnum(state.consent().ordinal());
        } catch (IOException e) {
            throw new SerializationException("Cannot write user state", e);
        }
        return out.toByteArray();
    }

    public UserState decode(byte[] bytes) {
        try {
            Decoder in = decoder(bytes);
            MembershipState membership = MembershipState.read(in);
            FeatureState features = FeatureState.read(in);
            return new UserState(features, membership, CONSENTS[in.readEnum()]);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot read user state (" + bytes.length + " bytes, version "
                    + (bytes.length == 0 ? "none" : bytes[0]) + ")", e);
        }
    }

    /** Only the membership part of an encoded state. */
    public MembershipState decodeMembership(byte[] bytes) {
        try {
            return MembershipState.read(decoder(bytes));
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot read user state", e);
        }
    }

    /** Only the orders part of an encoded state (null for a user without orders). */
    public RfmState decodeRfm(byte[] bytes) {
        try {
            Decoder in = decoder(bytes);
            MembershipState.skip(in);
            return FeatureState.readRfm(in);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot read user state", e);
        }
    }

    private Decoder decoder(byte[] bytes) throws IOException {
        if (bytes.length == 0) {
            throw new SerializationException("empty user state");
        }
        int version = bytes[0];
        Buffers reused = buffers.get();
        reused.decoder = DecoderFactory.get().binaryDecoder(bytes, 1, bytes.length - 1, reused.decoder);
        if (version == VERSION) {
            return reused.decoder;
        }
        if (version < 1 || version > VERSION) {
            throw new SerializationException("user state of version " + version + ": this release reads versions 1 to "
                    + VERSION + " (was it written by a newer SegStream?)");
        }
        return DecoderFactory.get().resolvingDecoder(SCHEMAS[version], SCHEMAS[VERSION], reused.decoder);
    }
}
