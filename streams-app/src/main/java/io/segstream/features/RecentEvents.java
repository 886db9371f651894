package io.segstream.features;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import io.segstream.serde.StateEncoding;
import java.io.IOException;
import java.nio.ByteBuffer;
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
 *
 * <p>Kept as it is stored, one packed run of 16-byte entries (fingerprint, event time, both
 * big-endian), so reading and writing a busy user's record copies bytes instead of decoding them.
 */
final class RecentEvents {

    private static final HashFunction FINGERPRINT = Hashing.farmHashFingerprint64();
    private static final int ENTRY = 2 * Long.BYTES;

    /** The latest event time seen; entries older than it minus the retention are dropped. */
    long latest = Long.MIN_VALUE;
    private ByteBuffer entries = ByteBuffer.allocate(4 * ENTRY);
    private int size;

    static long fingerprint(String id) {
        return FINGERPRINT.hashString(id, StandardCharsets.UTF_8).asLong();
    }

    /** Records the event; returns false when it was already recorded (a duplicate). At most {@code max} are kept. */
    boolean add(long fingerprint, long at, long retentionMs, int max) {
        for (int i = 0; i < size; i++) {
            if (entries.getLong(i * ENTRY) == fingerprint) {
                return false;
            }
        }
        if ((size + 1) * ENTRY > entries.capacity()) {
            entries = ByteBuffer.wrap(Arrays.copyOf(entries.array(), entries.capacity() * 2));
        }
        entries.putLong(size * ENTRY, fingerprint);
        entries.putLong(size * ENTRY + Long.BYTES, at);
        size++;
        if (at > latest) {
            latest = at;
            expire(latest - retentionMs);
        }
        if (size > max) {
            // The earliest recorded go first (recorded in arrival order).
            int drop = size - max;
            System.arraycopy(entries.array(), drop * ENTRY, entries.array(), 0, max * ENTRY);
            size = max;
        }
        return true;
    }

    private void expire(long before) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            long time = entries.getLong(i * ENTRY + Long.BYTES);
            if (time >= before) {
                if (kept != i) {
                    entries.putLong(kept * ENTRY, entries.getLong(i * ENTRY));
                    entries.putLong(kept * ENTRY + Long.BYTES, time);
                }
                kept++;
            }
        }
        size = kept;
    }

    int size() {
        return size;
    }

    void write(Encoder out) throws IOException {
        out.writeLong(latest);
        out.writeBytes(entries.array(), 0, size * ENTRY);
    }

    static RecentEvents read(Decoder in) throws IOException {
        RecentEvents recent = new RecentEvents();
        recent.latest = in.readLong();
        byte[] stored = StateEncoding.readBytes(in);
        recent.entries = ByteBuffer.wrap(stored.length >= 4 * ENTRY ? stored : Arrays.copyOf(stored, 4 * ENTRY));
        recent.size = stored.length / ENTRY;
        return recent;
    }
}
