package io.segstream.features;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import io.segstream.serde.StateEncoding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;

/**
 * The click events a user sent within dedup.retention of their latest one, as 64-bit fingerprints
 * of the event ids (FarmHash Fingerprint64, stable across releases and machines) with event times
 * (part of the user's state). What event de-duplication checks: no store round trip beyond the
 * user's state, and a user's entry holds only their recent events. Two distinct ids collide with
 * a probability of about n² / 2⁶⁵ for n recent events of one user: 10⁻¹³ for a thousand.
 */
final class RecentEvents {

    private static final HashFunction FINGERPRINT = Hashing.farmHashFingerprint64();

    /** The latest event time seen; entries older than it minus the retention are dropped. */
    long latest = Long.MIN_VALUE;
    private long[] fingerprints = new long[4];
    private long[] times = new long[4];
    private int size;

    static long fingerprint(String eventId) {
        return FINGERPRINT.hashString(eventId, StandardCharsets.UTF_8).asLong();
    }

    /** Records the event; returns false when it was already recorded (a duplicate). */
    boolean add(long fingerprint, long at, long retentionMs) {
        for (int i = 0; i < size; i++) {
            if (fingerprints[i] == fingerprint) {
                return false;
            }
        }
        if (size == fingerprints.length) {
            fingerprints = Arrays.copyOf(fingerprints, size * 2);
            times = Arrays.copyOf(times, size * 2);
        }
        fingerprints[size] = fingerprint;
        times[size++] = at;
        if (at > latest) {
            latest = at;
            expire(latest - retentionMs);
        }
        return true;
    }

    private void expire(long before) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (times[i] >= before) {
                fingerprints[kept] = fingerprints[i];
                times[kept++] = times[i];
            }
        }
        size = kept;
    }

    int size() {
        return size;
    }

    void write(Encoder out) throws IOException {
        out.writeLong(latest);
        byte[] fixed = new byte[Long.BYTES];
        out.writeArrayStart();
        out.setItemCount(size);
        for (int i = 0; i < size; i++) {
            out.startItem();
            long value = fingerprints[i];
            for (int b = 0; b < Long.BYTES; b++) {
                fixed[b] = (byte) (value >>> (56 - 8 * b));
            }
            out.writeFixed(fixed);
            // Age instead of time: small numbers, a byte or two in Avro's variable-length longs.
            out.writeLong(latest - times[i]);
        }
        out.writeArrayEnd();
    }

    static RecentEvents read(Decoder in) throws IOException {
        RecentEvents recent = new RecentEvents();
        recent.latest = in.readLong();
        byte[] fixed = new byte[Long.BYTES];
        StateEncoding.readArray(in, decoder -> {
            decoder.readFixed(fixed);
            long value = 0;
            for (byte b : fixed) {
                value = (value << 8) | (b & 0xFF);
            }
            long age = decoder.readLong();
            if (recent.size == recent.fingerprints.length) {
                recent.fingerprints = Arrays.copyOf(recent.fingerprints, recent.size * 2);
                recent.times = Arrays.copyOf(recent.times, recent.size * 2);
            }
            recent.fingerprints[recent.size] = value;
            recent.times[recent.size++] = recent.latest - age;
        });
        return recent;
    }
}
