package io.segstream.features;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
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
 * event; in-order arrival never looks inside them. So each is kept as its time, its id (the sort
 * key) and its encoded body, decoded only when it is folded.
 */
public final class Timeline {

    /** A recent activity: sort key decoded, the rest as encoded bytes until needed. */
    static final class Entry {
        final long at;
        final String id;
        private byte[] body;
        private Activity activity;

        Entry(Activity activity) {
            this.at = activity.at();
            this.id = activity.id();
            this.activity = activity;
        }

        private Entry(long at, String id, byte[] body) {
            this.at = at;
            this.id = id;
            this.body = body;
        }

        Activity activity() {
            if (activity == null) {
                BinaryDecoder in = DecoderFactory.get().binaryDecoder(body, null);
                try {
                    activity = Activity.readBody(at, id, in);
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot read a timeline activity", e);
                }
            }
            return activity;
        }

        byte[] body() throws IOException {
            if (body == null) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(48);
                BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
                activity.writeBody(out);
                out.flush();
                body = bytes.toByteArray();
            }
            return body;
        }
    }

    private static final Comparator<Entry> ORDER = Comparator.<Entry>comparingLong(entry -> entry.at)
            .thenComparing(entry -> entry.id);

    CartState settledCart = new CartState();
    DwellState settledDwell = new DwellState();
    long settledBefore = Long.MIN_VALUE;
    List<Entry> recent = new ArrayList<>();

    /** Inserts {@code activity} in event-time order; returns true when it is the newest (an in-order arrival). */
    boolean insert(Activity activity) {
        Entry entry = new Entry(activity);
        int size = recent.size();
        if (size == 0 || ORDER.compare(recent.get(size - 1), entry) < 0) {
            recent.add(entry);
            return true;
        }
        int position = java.util.Collections.binarySearch(recent, entry, ORDER);
        int index = position >= 0 ? position : -position - 1;
        recent.add(index, entry);
        return index == recent.size() - 1;
    }

    /** Folds activities before {@code horizon} into the settled state; they can no longer be overtaken. */
    void settle(long horizon, long sessionGapMs, long dwellMaxMs) {
        int settled = 0;
        while (settled < recent.size() && recent.get(settled).at < horizon) {
            Activity activity = recent.get(settled++).activity();
            settledCart.fold(activity);
            settledDwell.fold(activity, sessionGapMs, dwellMaxMs);
        }
        recent.subList(0, settled).clear();
        settledBefore = Math.max(settledBefore, horizon);
    }

    /** The cart folded from the settled state over every recent activity, keeping {@code live}'s emission state. */
    CartState refoldCart(CartState live) {
        CartState cart = settledCart.copyContents();
        recent.forEach(entry -> cart.fold(entry.activity()));
        return cart.withEmissionStateOf(live);
    }

    DwellState refoldDwell(long sessionGapMs, long dwellMaxMs) {
        DwellState dwell = settledDwell.copy();
        recent.forEach(entry -> dwell.fold(entry.activity(), sessionGapMs, dwellMaxMs));
        return dwell;
    }

    void write(Encoder out) throws IOException {
        settledCart.write(out);
        settledDwell.write(out);
        out.writeLong(settledBefore);
        out.writeArrayStart();
        out.setItemCount(recent.size());
        for (Entry entry : recent) {
            out.startItem();
            out.writeLong(entry.at);
            out.writeString(entry.id);
            out.writeBytes(entry.body());
        }
        out.writeArrayEnd();
    }

    static Timeline read(Decoder in) throws IOException {
        Timeline timeline = new Timeline();
        timeline.settledCart = CartState.read(in);
        timeline.settledDwell = DwellState.read(in);
        timeline.settledBefore = in.readLong();
        ByteBuffer reused = null;
        for (long block = in.readArrayStart(); block != 0; block = in.arrayNext()) {
            for (long i = 0; i < block; i++) {
                long at = in.readLong();
                String id = in.readString();
                reused = in.readBytes(reused);
                byte[] body = new byte[reused.remaining()];
                reused.get(body);
                timeline.recent.add(new Entry(at, id, body));
            }
        }
        return timeline;
    }
}
