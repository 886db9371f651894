package io.segstream.features;

import io.segstream.serde.StateEncoder;
import io.segstream.serde.StateEncoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.Encoder;

/**
 * The order-sensitive part of a user's history (part of the user's state): the cart and dwell
 * state settled up to {@code stream time - grace}, plus every activity since, sorted by event time.
 * An activity that lands inside the recent part is folded again from the settled state (or from a
 * copy of the state at a recent activity before it, kept in memory), which gives exactly the result
 * in-order arrival would have given. Lateness is checked per input
 * partition upstream, so an activity of an input that fell behind the other by more than grace
 * can land before the settled point: it is folded right after the settled state.
 *
 * <p>A busy user has many recent activities, and the timeline is read and written with every
 * event, while in-order arrival (nearly all of them) never looks inside them. So the recent
 * activities stay one encoded run of bytes, as read: an in-order activity is encoded after it as
 * it arrives, settling decodes only the activities it folds from the front, and only an
 * out-of-order arrival decodes them all. Encoded on arrival, an activity leaves nothing new in the
 * user's long-lived state: held as an object until the user's next write (up to
 * users.write.back.after later), it and its strings were copied by the young collections in
 * between, and the reference to it marked a card of that state for them to scan. Each encoded
 * activity is its time, its key and its body (see io/segstream/state/timeline-entry-v1.avsc).
 */
public final class Timeline {

    /** Recent activities between two checkpoints of a user whose activities arrived out of order. */
    static final int CHECKPOINT_SPACING = 16;
    /** The least room an encoded run of activities is given when it grows. */
    private static final int MIN_RUN = 256;

    CartState settledCart = new CartState();
    DwellState settledDwell = new DwellState();
    long settledBefore = Long.MIN_VALUE;
    /**
     * The encoding of {@link #settledCart} and {@link #settledDwell}, kept until an activity is settled:
     * they change about once per grace period of a user's activity, the record is written at every commit
     * the user changed in. Null until written, and after a change.
     */
    private byte[] settledEncoded;

    /**
     * Encoded activities not decoded yet, from {@link #rawStart} to {@link #rawEnd}: they come before
     * {@link #appended}. Settling moves the start on; new activities are encoded after the end, into
     * room left for them (the run grows by doubling).
     */
    private byte[] raw = new byte[0];
    private int rawStart;
    private int rawEnd;
    /**
     * Activities after the raw ones, in order: all of them once an out-of-order arrival decoded the raw
     * ones, and the in-order arrivals after that until the timeline is next written.
     */
    private final List<Activity> appended = new ArrayList<>();
    /** The sort key of the newest activity, raw or appended; at is Long.MIN_VALUE when there is none. */
    private long newestAt = Long.MIN_VALUE;
    private long newestKey;
    /** Recent activities, raw and appended. */
    private int count;
    /**
     * Held in memory only, from the user's first activity that arrived out of order (until then none is
     * needed, and none is kept): the cart and dwell after every {@link #CHECKPOINT_SPACING}-th recent
     * activity, oldest first. An activity arriving behind newer ones is folded again from the last
     * checkpoint before it, not from the settled state: for a busy user (up to timeline.max.recent
     * recent activities) a late or tied activity costs the spacing and the activities after it, not a
     * fold of every recent one. Their {@link Checkpoint#after} counts from the first activity recent when
     * the first was kept; {@link #checkpointsSettled} of those have been settled since.
     */
    private ArrayDeque<Checkpoint> checkpoints;
    private int checkpointsSettled;

    /** The cart and dwell after recent activity number {@code after} (counted as {@link #checkpoints} says). */
    private record Checkpoint(int after, CartState cart, DwellState dwell) {}

    /** The live cart and dwell after {@link #add}, and whether the cart changed. */
    record Folded(CartState cart, DwellState dwell, boolean cartChanged) {}

    /**
     * What folding activities into timelines needs: the sessions' settings, and room to encode and
     * decode activities in (the stage's own: a thread-local would be looked up with every event).
     * Made once per stage and used by its thread alone.
     */
    static final class Folding {
        final long sessionGapMs;
        final long dwellMaxMs;
        private final StateEncoder encoder = new StateEncoder();
        /** A position in an encoded run, and the decoder of the activity body at it. */
        private final int[] position = new int[1];
        private BinaryDecoder decoder;

        Folding(long sessionGapMs, long dwellMaxMs) {
            this.sessionGapMs = sessionGapMs;
            this.dwellMaxMs = dwellMaxMs;
        }
    }

    /**
     * Inserts {@code activity} in event-time order and folds it into the user's live {@code cart} and
     * {@code dwell}: on top of them when it is the newest (an in-order arrival; they are changed in
     * place), else folded again with every activity after it, from the last checkpoint before it (or
     * the settled state). A busy user's events often share a millisecond, ordered within it by key, not
     * by arrival: one landing behind another in the newest millisecond is such an arrival, and folds
     * again at most {@link #CHECKPOINT_SPACING} activities before it and those after it.
     */
    Folded add(Activity activity, CartState cart, DwellState dwell, Folding folding) {
        long sessionGapMs = folding.sessionGapMs;
        long dwellMaxMs = folding.dwellMaxMs;
        count++;
        if (newestAt == Long.MIN_VALUE || activity.at() > newestAt || activity.at() == newestAt && activity.key() > newestKey) {
            if (appended.isEmpty()) {
                appendEncoded(activity, folding.encoder);
            } else {
                appended.add(activity);
            }
            newestAt = activity.at();
            newestKey = activity.key();
            boolean cartChanged = cart.fold(activity);
            dwell.fold(activity, sessionGapMs, dwellMaxMs);
            if (checkpoints != null) {
                keepCheckpoint(count, cart, dwell);
            }
            return new Folded(cart, dwell, cartChanged);
        }
        decodeAll(folding);
        int position = Collections.binarySearch(appended, activity, Activity.EVENT_TIME_ORDER);
        int inserted = position >= 0 ? position : -position - 1;
        appended.add(inserted, activity);
        Checkpoint checkpoint = lastCheckpointUpTo(inserted);
        int from = checkpoint == null ? 0 : checkpoint.after() - checkpointsSettled;
        CartState refoldedCart = checkpoint == null ? settledCart.copyContents() : checkpoint.cart().copyContents();
        DwellState refoldedDwell = checkpoint == null ? settledDwell.copy() : checkpoint.dwell().copy();
        for (int i = from; i < appended.size(); i++) {
            Activity next = appended.get(i);
            refoldedCart.fold(next);
            refoldedDwell.fold(next, sessionGapMs, dwellMaxMs);
            if (i + 1 > inserted) {
                keepCheckpoint(i + 1, refoldedCart, refoldedDwell);
            }
        }
        boolean cartChanged = activity.kind() == Activity.Kind.ADD_TO_CART || activity.kind() == Activity.Kind.REMOVE_FROM_CART
                || activity.kind() == Activity.Kind.PURCHASE;
        return new Folded(refoldedCart.withEmissionStateOf(cart), refoldedDwell, cartChanged);
    }

    /**
     * The last checkpoint after at most {@code recent} recent activities (null: none, the settled state is
     * the last state before them), after dropping those after more, which an activity inserted there
     * changes. Starts keeping checkpoints for this user.
     */
    private Checkpoint lastCheckpointUpTo(int recent) {
        if (checkpoints == null) {
            checkpoints = new ArrayDeque<>();
        }
        while (!checkpoints.isEmpty() && checkpoints.peekLast().after() - checkpointsSettled > recent) {
            checkpoints.pollLast();
        }
        return checkpoints.peekLast();
    }

    /**
     * Keeps a copy of {@code cart} and {@code dwell}, the state after the first {@code recent} recent
     * activities, when that is a checkpoint's place: every {@link #CHECKPOINT_SPACING}-th activity counted
     * from the first checkpoint's start (at timeline.max.recent the recent count stays where it is). The
     * checkpoints after it must have been dropped.
     */
    private void keepCheckpoint(int recent, CartState cart, DwellState dwell) {
        int after = checkpointsSettled + recent;
        if (after % CHECKPOINT_SPACING == 0) {
            checkpoints.addLast(new Checkpoint(after, cart.copyContents(), dwell.copy()));
        }
    }

    /**
     * Folds activities before {@code horizon} into the settled state, as they can no longer be
     * overtaken, and the oldest beyond {@code maxRecent} too: an activity arriving later behind those
     * is folded after them.
     */
    void settle(long horizon, int maxRecent, Folding folding) {
        long sessionGapMs = folding.sessionGapMs;
        long dwellMaxMs = folding.dwellMaxMs;
        int recentBefore = count;
        if (rawStart < rawEnd) {
            int[] position = folding.position;
            position[0] = rawStart;
            while (rawStart < rawEnd && (count > maxRecent || readLong(position) < horizon)) {
                fold(decodeNext(folding), sessionGapMs, dwellMaxMs);
                count--;
                position[0] = rawStart;
            }
        }
        if (rawStart >= rawEnd) {
            int settled = 0;
            while (settled < appended.size() && (count > maxRecent || appended.get(settled).at() < horizon)) {
                fold(appended.get(settled++), sessionGapMs, dwellMaxMs);
                count--;
            }
            appended.subList(0, settled).clear();
            if (appended.isEmpty()) {
                newestAt = Long.MIN_VALUE;
            }
        }
        settledBefore = Math.max(settledBefore, horizon);
        if (checkpoints != null && count < recentBefore) {
            checkpointsSettled += recentBefore - count;
            // A checkpoint at or before the settled state is of no more use.
            while (!checkpoints.isEmpty() && checkpoints.peekFirst().after() <= checkpointsSettled) {
                checkpoints.pollFirst();
            }
        }
    }

    private void fold(Activity activity, long sessionGapMs, long dwellMaxMs) {
        settledCart.fold(activity);
        settledDwell.fold(activity, sessionGapMs, dwellMaxMs);
        settledEncoded = null;
    }

    /** Recent activities, settled ones not included. */
    int size() {
        return count;
    }

    /** The checkpoints held in memory. */
    int checkpoints() {
        return checkpoints == null ? 0 : checkpoints.size();
    }

    private void decodeAll(Folding folding) {
        if (rawStart >= rawEnd) {
            return;
        }
        List<Activity> decoded = new ArrayList<>();
        while (rawStart < rawEnd) {
            decoded.add(decodeNext(folding));
        }
        appended.addAll(0, decoded);
    }

    /** Decodes the raw activity at {@link #rawStart} and moves past it, with the folding's decoder. */
    private Activity decodeNext(Folding folding) {
        int[] position = folding.position;
        position[0] = rawStart;
        long at = readLong(position);
        long key = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            key = key << 8 | raw[position[0]++] & 0xFF;
        }
        int length = (int) readLong(position);
        folding.decoder = DecoderFactory.get().binaryDecoder(raw, position[0], length, folding.decoder);
        rawStart = position[0] + length;
        try {
            return Activity.readBody(at, key, folding.decoder);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read a timeline activity", e);
        }
    }

    /** Avro's zig-zag variable-length long at {@code position[0]}, advancing it. */
    private long readLong(int[] position) {
        long value = 0;
        int shift = 0;
        byte b;
        do {
            b = raw[position[0]++];
            value |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while (b < 0);
        return (value >>> 1) ^ -(value & 1);
    }

    void write(Encoder out) throws IOException {
        if (settledEncoded == null) {
            settledEncoded = StateEncoding.encoded(out, encoder -> {
                settledCart.write(encoder);
                settledDwell.write(encoder);
            });
        }
        out.writeFixed(settledEncoded);
        out.writeLong(settledBefore);
        out.writeLong(newestAt);
        StateEncoding.writeFixedLong(out, newestKey);
        out.writeInt(count);
        encodeAppended(out);
        out.writeBytes(raw, rawStart, rawEnd - rawStart);
    }

    /**
     * Moves the appended activities into the encoded run, so a timeline kept in hand across events
     * encodes each activity once, not once per event; encoded in {@code out}'s nested encoder.
     */
    private void encodeAppended(Encoder out) throws IOException {
        if (appended.isEmpty()) {
            return;
        }
        byte[] run = StateEncoding.encoded(out, encoder -> {
            for (Activity activity : appended) {
                writeActivity(encoder, activity);
            }
        });
        makeRoom(run.length);
        System.arraycopy(run, 0, raw, rawEnd, run.length);
        rawEnd += run.length;
        appended.clear();
    }

    /** Encodes an in-order arrival after the raw activities (none are appended after them). */
    private void appendEncoded(Activity activity, StateEncoder encoder) {
        try {
            writeActivity(encoder.reset(), activity);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode a timeline activity", e);
        }
        makeRoom(encoder.size());
        encoder.copyTo(raw, rawEnd);
        rawEnd += encoder.size();
    }

    /** An encoded activity: its time, key and length-prefixed body. */
    private static void writeActivity(Encoder encoder, Activity activity) throws IOException {
        encoder.writeLong(activity.at());
        StateEncoding.writeFixedLong(encoder, activity.key());
        StateEncoding.writeBytesOf(encoder, activity::writeBody);
    }

    /**
     * Room for {@code length} more bytes after the raw activities: they move to the front of the run,
     * or into a larger one.
     */
    private void makeRoom(int length) {
        if (rawEnd + length <= raw.length) {
            return;
        }
        int live = rawEnd - rawStart;
        // Moved to the front, within the same array while that leaves room for as much again.
        byte[] moved = 2 * (live + length) <= raw.length ? raw : new byte[Math.max(MIN_RUN, 2 * (live + length))];
        System.arraycopy(raw, rawStart, moved, 0, live);
        raw = moved;
        rawStart = 0;
        rawEnd = live;
    }

    static Timeline read(Decoder in) throws IOException {
        Timeline timeline = new Timeline();
        timeline.settledCart = CartState.read(in);
        timeline.settledDwell = DwellState.read(in);
        timeline.settledBefore = in.readLong();
        timeline.newestAt = in.readLong();
        byte[] key = new byte[Long.BYTES];
        in.readFixed(key);
        timeline.newestKey = ByteBuffer.wrap(key).getLong();
        timeline.count = in.readInt();
        timeline.raw = StateEncoding.readBytes(in);
        timeline.rawEnd = timeline.raw.length;
        return timeline;
    }
}
