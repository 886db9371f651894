package io.segstream.features;

import io.segstream.facts.Interest;
import io.segstream.serde.StateEncoding;
import java.io.IOException;
import java.util.TreeMap;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;

/** Product views per category in hourly buckets (part of the user's state); commutative. */
public final class InterestState {

    TreeMap<Long, TreeMap<String, Long>> viewsByHour = new TreeMap<>();
    long latestHour = Long.MIN_VALUE;
    private final WindowTotals<Long> window = new WindowTotals<>(Long::sum);
    /** The encoding, made when first written and kept until the next product view. */
    private byte[] encoded;

    void addView(long at, String category, long windowMs) {
        if (category == null) {
            return;
        }
        long hour = Times.hour(at);
        viewsByHour.computeIfAbsent(hour, h -> new TreeMap<>()).merge(category, 1L, Long::sum);
        window.added(hour, category, 1L);
        latestHour = Math.max(latestHour, hour);
        long first = latestHour - windowMs / Times.HOUR_MS + 1;
        Buckets.dropBefore(viewsByHour, first);
        window.droppedBefore(first);
        encoded = null;
    }

    /** Views per category in the window ending at {@code now}; views that aged out no longer count. */
    public Interest view(long now, long windowMs) {
        return new Interest(window.of(viewsByHour, Times.hour(now), windowMs / Times.HOUR_MS));
    }

    void write(Encoder out) throws IOException {
        if (encoded == null) {
            encoded = StateEncoding.encoded(out, this::encode);
        }
        out.writeFixed(encoded);
    }

    private void encode(Encoder out) throws IOException {
        out.writeLong(latestHour);
        StateEncoding.writeArray(out, viewsByHour.entrySet(), (encoder, hour) -> {
            encoder.writeLong(hour.getKey());
            StateEncoding.writeArray(encoder, hour.getValue().entrySet(), (inner, category) -> {
                inner.writeString(category.getKey());
                inner.writeInt(category.getValue().intValue());
            });
        });
    }

    static InterestState read(Decoder in) throws IOException {
        InterestState interest = new InterestState();
        interest.latestHour = in.readLong();
        StateEncoding.readArray(in, decoder -> {
            TreeMap<String, Long> byCategory = new TreeMap<>();
            interest.viewsByHour.put(decoder.readLong(), byCategory);
            StateEncoding.readArray(decoder, inner -> byCategory.put(inner.readString(), (long) inner.readInt()));
        });
        return interest;
    }
}
