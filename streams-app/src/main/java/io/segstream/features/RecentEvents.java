package io.segstream.features;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import io.segstream.serde.StateEncoding;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
 * A user with many recent events also gets an index of their fingerprints (in memory only): a busy
 * user's every click would otherwise compare its fingerprint with up to dedup.max.recent others.
 */
final class RecentEvents {

    private static final HashFunction FINGERPRINT = Hashing.farmHashFingerprint64();
    private static final int ENTRY = 2 * Long.BYTES;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    /** Recent events from which a user's fingerprints are indexed: fewer are compared one by one. */
    static final int INDEXED_FROM = 16;

    /** The latest event time seen; entries older than it minus the retention are dropped. */
    long latest = Long.MIN_VALUE;
    /** The entries, big-endian, read and written through {@link #LONGS} (no buffer object in between to touch). */
    private byte[] entries = new byte[4 * ENTRY];
    private int size;
    /**
     * No entry is older than this (in memory only; Long.MIN_VALUE when not known, as after a read): a
     * user's latest time moves with nearly every event, and only a retention that reaches back past it
     * has entries to look at.
     */
    private long earliestAtLeast = Long.MIN_VALUE;
    /**
     * The fingerprints of the entries, in a hash table with linear probing (0 marks a free slot, so the
     * fingerprint 0 is never in it and is looked for in the entries), or null below {@link #INDEXED_FROM}.
     */
    private long[] index;
    private int indexed;

    static long fingerprint(String id) {
        return FINGERPRINT.hashString(id, StandardCharsets.UTF_8).asLong();
    }

    /** Records the event; returns false when it was already recorded (a duplicate). At most {@code max} are kept. */
    boolean add(long fingerprint, long at, long retentionMs, int max) {
        if (contains(fingerprint)) {
            return false;
        }
        if ((size + 1) * ENTRY > entries.length) {
            entries = Arrays.copyOf(entries, entries.length * 2);
        }
        put(size * ENTRY, fingerprint);
        put(size * ENTRY + Long.BYTES, at);
        size++;
        earliestAtLeast = Math.min(earliestAtLeast, at);
        index(fingerprint);
        if (at > latest) {
            latest = at;
            expire(latest - retentionMs);
        }
        if (size > max) {
            // The earliest recorded go first (recorded in arrival order).
            int drop = size - max;
            for (int i = 0; i < drop; i++) {
                unindex(get(i * ENTRY));
            }
            System.arraycopy(entries, drop * ENTRY, entries, 0, max * ENTRY);
            size = max;
        }
        return true;
    }

    private boolean contains(long fingerprint) {
        if (index == null || fingerprint == 0) {
            for (int i = 0; i < size; i++) {
                if (get(i * ENTRY) == fingerprint) {
                    return true;
                }
            }
            return false;
        }
        int mask = index.length - 1;
        for (int slot = (int) fingerprint & mask; index[slot] != 0; slot = slot + 1 & mask) {
            if (index[slot] == fingerprint) {
                return true;
            }
        }
        return false;
    }

    /** Adds the entry just recorded to the index, making the index when the user reaches {@link #INDEXED_FROM}. */
    private void index(long fingerprint) {
        if (index == null) {
            if (size >= INDEXED_FROM) {
                reindex();
            }
            return;
        }
        if (2 * (indexed + 1) > index.length) {
            reindex();
            return;
        }
        insert(fingerprint);
    }

    /** A new index of every entry, with room for as many again. */
    private void reindex() {
        index = new long[Integer.highestOneBit(Math.max(INDEXED_FROM, size) * 4 - 1)];
        indexed = 0;
        for (int i = 0; i < size; i++) {
            insert(get(i * ENTRY));
        }
    }

    private void insert(long fingerprint) {
        if (fingerprint == 0) {
            return;
        }
        int mask = index.length - 1;
        int slot = (int) fingerprint & mask;
        while (index[slot] != 0) {
            slot = slot + 1 & mask;
        }
        index[slot] = fingerprint;
        indexed++;
    }

    /** Takes a fingerprint out of the index, moving back the ones that probed past it. */
    private void unindex(long fingerprint) {
        if (index == null || fingerprint == 0) {
            return;
        }
        int mask = index.length - 1;
        int free = (int) fingerprint & mask;
        while (index[free] != fingerprint) {
            if (index[free] == 0) {
                return;
            }
            free = free + 1 & mask;
        }
        for (int slot = free + 1 & mask; index[slot] != 0; slot = slot + 1 & mask) {
            int home = (int) index[slot] & mask;
            // The one at slot stays unless the free slot lies between its home slot and it (cyclically).
            boolean stays = free <= slot ? free < home && home <= slot : free < home || home <= slot;
            if (!stays) {
                index[free] = index[slot];
                free = slot;
            }
        }
        index[free] = 0;
        indexed--;
    }

    private void expire(long before) {
        if (earliestAtLeast >= before) {
            return;
        }
        int kept = 0;
        long earliest = Long.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            long fingerprint = get(i * ENTRY);
            long time = get(i * ENTRY + Long.BYTES);
            if (time >= before) {
                if (kept != i) {
                    put(kept * ENTRY, fingerprint);
                    put(kept * ENTRY + Long.BYTES, time);
                }
                kept++;
                earliest = Math.min(earliest, time);
            } else {
                unindex(fingerprint);
            }
        }
        size = kept;
        earliestAtLeast = earliest;
    }

    int size() {
        return size;
    }

    private long get(int offset) {
        return (long) LONGS.get(entries, offset);
    }

    private void put(int offset, long value) {
        LONGS.set(entries, offset, value);
    }

    void write(Encoder out) throws IOException {
        out.writeLong(latest);
        out.writeBytes(entries, 0, size * ENTRY);
    }

    static RecentEvents read(Decoder in) throws IOException {
        RecentEvents recent = new RecentEvents();
        recent.latest = in.readLong();
        byte[] stored = StateEncoding.readBytes(in);
        recent.entries = stored.length >= 4 * ENTRY ? stored : Arrays.copyOf(stored, 4 * ENTRY);
        recent.size = stored.length / ENTRY;
        return recent;
    }
}
