package io.segstream.features;

import io.segstream.facts.Interest;
import io.segstream.serde.StateEncoding;
import java.io.IOException;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;

/** Product views per category in hourly buckets (part of the user's state); commutative. */
public final class InterestState {

    /** Product views per category by hour, with the totals of the window kept in step. */
    CategoryBuckets viewsByHour = new CategoryBuckets();
    long latestHour = Long.MIN_VALUE;
    /** The encoding, made when first written and kept until the next product view. */
    private byte[] encoded;

    void addView(long at, String category, long windowMs) {
        if (category == null) {
            return;
        }
        long hour = Times.hour(at);
        viewsByHour.add(hour, category, 1L);
        latestHour = Math.max(latestHour, hour);
        viewsByHour.dropBefore(latestHour - windowMs / Times.HOUR_MS + 1);
        encoded = null;
    }

    /** Views per category in the window ending at {@code now}; views that aged out no longer count. */
    public Interest view(long now, long windowMs) {
        return new Interest(viewsByHour.totals(Times.hour(now), windowMs / Times.HOUR_MS));
    }

    void write(Encoder out) throws IOException {
        if (encoded == null) {
            encoded = StateEncoding.encoded(out, this::encode);
        }
        out.writeFixed(encoded);
    }

    private void encode(Encoder out) throws IOException {
        out.writeLong(latestHour);
        StateEncoding.writeArray(out, viewsByHour.size(), (encoder, hour) -> {
            CategoryBuckets.Bucket bucket = viewsByHour.bucket(hour);
            encoder.writeLong(bucket.time);
            CategoryBuckets.Amounts views = bucket.amounts;
            StateEncoding.writeArray(encoder, views.size(), (inner, i) -> {
                inner.writeString(views.category(i));
                inner.writeInt((int) views.value(i));
            });
        });
    }

    static InterestState read(Decoder in) throws IOException {
        InterestState interest = new InterestState();
        interest.latestHour = in.readLong();
        StateEncoding.readArray(in, decoder -> {
            CategoryBuckets.Amounts byCategory = interest.viewsByHour.bucketAt(decoder.readLong());
            StateEncoding.readArray(decoder, inner -> byCategory.add(SharedNames.of(inner.readString()), inner.readInt()));
        });
        return interest;
    }
}
