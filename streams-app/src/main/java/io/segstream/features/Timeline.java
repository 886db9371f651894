package io.segstream.features;

import io.segstream.serde.StateEncoding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;

/**
 * The order-sensitive part of a user's history (part of the user's state): the cart and dwell
 * state settled up to {@code stream time - grace}, plus every activity since, sorted by event time.
 * An activity that lands inside the recent part is folded again from the settled state, which
 * gives exactly the result in-order arrival would have given. Lateness is checked per input
 * partition upstream, so an activity of an input that fell behind the other by more than grace
 * can land before the settled point: it is folded right after the settled state.
 *
 * <p>A busy user has many recent activities, and the timeline is read and written with every
 * event, while in-order arrival (nearly all of them) never looks inside them. So the recent
 * activities stay one encoded run of bytes, as read: an in-order activity is appended after it,
 * settling decodes only the activities it folds from the front, and only an out-of-order arrival
 * decodes them all. Each encoded activity is its time, its key and its body (see
 * io/segstream/state/timeline-entry-v1.avsc).
 */
public final class Timeline {

    CartState settledCart = new CartState();
    DwellState settledDwell = new DwellState();
    long settledBefore = Long.MIN_VALUE;

    /** Encoded activities not decoded yet, from {@link #rawStart}: they come before {@link #appended}. */
    private byte[] raw = new byte[0];
    private int rawStart;
    /** Activities after the raw ones, in order; all of them once the raw ones were decoded. */
    private final List<Activity> appended = new ArrayList<>();
    /** The sort key of the newest activity, raw or appended; at is Long.MIN_VALUE when there is none. */
    private long newestAt = Long.MIN_VALUE;
    private long newestKey;
    /** Recent activities, raw and appended. */
    private int count;
    /**
     * Held in memory only: whether activities have shared the newest millisecond with an earlier-keyed
     * one arriving after them, and then the cart and dwell folded over every activity before the newest
     * millisecond (null when not known).
     */
    private boolean tiesSeen;
    private CartState beforeNewestCart;
    private DwellState beforeNewestDwell;

    /** The live cart and dwell after {@link #add}, and whether the cart changed. */
    record Folded(CartState cart, DwellState dwell, boolean cartChanged) {}

    /**
     * Inserts {@code activity} in event-time order and folds it into the user's live {@code cart} and
     * {@code dwell}: on top of them when it is the newest (an in-order arrival; they are changed in
     * place), else folded again with every activity after it. A busy user's events often share a
     * millisecond, ordered within it by key, not by arrival: once one has landed behind another, the
     * state before the newest millisecond is kept in hand, and an activity landing inside that
     * millisecond folds only its activities again instead of every recent one.
     */
    Folded add(Activity activity, CartState cart, DwellState dwell, long sessionGapMs, long dwellMaxMs) {
        count++;
        boolean newerTime = newestAt == Long.MIN_VALUE || activity.at() > newestAt;
        if (newerTime || activity.at() == newestAt && activity.key() > newestKey) {
            if (newerTime) {
                beforeNewestCart = tiesSeen ? cart.copyContents() : null;
                beforeNewestDwell = tiesSeen ? dwell.copy() : null;
            }
            appended.add(activity);
            newestAt = activity.at();
            newestKey = activity.key();
            boolean cartChanged = cart.fold(activity);
            dwell.fold(activity, sessionGapMs, dwellMaxMs);
            return new Folded(cart, dwell, cartChanged);
        }
        decodeAll();
        int position = Collections.binarySearch(appended, activity, Activity.EVENT_TIME_ORDER);
        appended.add(position >= 0 ? position : -position - 1, activity);
        tiesSeen |= activity.at() == newestAt;
        CartState refoldedCart;
        DwellState refoldedDwell;
        int from = appended.size();
        if (activity.at() == newestAt && beforeNewestCart != null) {
            refoldedCart = beforeNewestCart.copyContents();
            refoldedDwell = beforeNewestDwell.copy();
            while (from > 0 && appended.get(from - 1).at() == newestAt) {
                from--;
            }
        } else {
            refoldedCart = settledCart.copyContents();
            refoldedDwell = settledDwell.copy();
            from = 0;
        }
        for (int i = from; i < appended.size(); i++) {
            Activity next = appended.get(i);
            if (from == 0 && tiesSeen && next.at() == newestAt && (i == 0 || appended.get(i - 1).at() != newestAt)) {
                beforeNewestCart = refoldedCart.copyContents();
                beforeNewestDwell = refoldedDwell.copy();
            }
            refoldedCart.fold(next);
            refoldedDwell.fold(next, sessionGapMs, dwellMaxMs);
        }
        boolean cartChanged = activity.kind() == Activity.Kind.ADD_TO_CART || activity.kind() == Activity.Kind.REMOVE_FROM_CART
                || activity.kind() == Activity.Kind.PURCHASE;
        return new Folded(refoldedCart.withEmissionStateOf(cart), refoldedDwell, cartChanged);
    }

    /**
     * Folds activities before {@code horizon} into the settled state, as they can no longer be
     * overtaken, and the oldest beyond {@code maxRecent} too: an activity arriving later behind those
     * is folded after them.
     */
    void settle(long horizon, int maxRecent, long sessionGapMs, long dwellMaxMs) {
        while (rawStart < raw.length && (count > maxRecent || readLong(new int[] {rawStart}) < horizon)) {
            fold(decodeNext(), sessionGapMs, dwellMaxMs);
            count--;
        }
        if (rawStart >= raw.length) {
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
    }

    private void fold(Activity activity, long sessionGapMs, long dwellMaxMs) {
        if (activity.at() >= newestAt) {
            // Part of the newest millisecond is settled: a tie landing in it now folds after the settled part.
            beforeNewestCart = null;
            beforeNewestDwell = null;
        }
        settledCart.fold(activity);
        settledDwell.fold(activity, sessionGapMs, dwellMaxMs);
    }

    /** Recent activities, settled ones not included. */
    int size() {
        return count;
    }

    private void decodeAll() {
        List<Activity> decoded = new ArrayList<>();
        while (rawStart < raw.length) {
            decoded.add(decodeNext());
        }
        appended.addAll(0, decoded);
    }

    /** Decodes the raw activity at {@link #rawStart} and moves past it. */
    private Activity decodeNext() {
        ByteBuffer in = ByteBuffer.wrap(raw);
        int[] position = {rawStart};
        long at = readLong(position);
        long key = in.getLong(position[0]);
        position[0] += Long.BYTES;
        int length = (int) readLong(position);
        BinaryDecoder body = DecoderFactory.get().binaryDecoder(raw, position[0], length, null);
        rawStart = position[0] + length;
        try {
            return Activity.readBody(at, key, body);
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
        settledCart.write(out);
        settledDwell.write(out);
        out.writeLong(settledBefore);
        out.writeLong(newestAt);
        out.writeFixed(longBytes(newestKey));
        out.writeInt(count);
        encodeAppended();
        out.writeBytes(raw, rawStart, raw.length - rawStart);
    }

    /**
     * Moves the appended activities into the encoded run, so a timeline kept in hand across events
     * encodes each activity once, not once per event.
     */
    private void encodeAppended() throws IOException {
        if (appended.isEmpty()) {
            return;
        }
        byte[] tail = encode(appended);
        int rawLength = raw.length - rawStart;
        byte[] joined = new byte[rawLength + tail.length];
        System.arraycopy(raw, rawStart, joined, 0, rawLength);
        System.arraycopy(tail, 0, joined, rawLength, tail.length);
        raw = joined;
        rawStart = 0;
        appended.clear();
    }

    private static byte[] encode(List<Activity> activities) throws IOException {
        if (activities.isEmpty()) {
            return new byte[0];
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * activities.size());
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        ByteArrayOutputStream body = new ByteArrayOutputStream(64);
        BinaryEncoder bodyOut = EncoderFactory.get().directBinaryEncoder(body, null);
        for (Activity activity : activities) {
            body.reset();
            activity.writeBody(bodyOut);
            out.writeLong(activity.at());
            out.writeFixed(longBytes(activity.key()));
            out.writeBytes(body.toByteArray());
        }
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] longBytes(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
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
        return timeline;
    }
}
