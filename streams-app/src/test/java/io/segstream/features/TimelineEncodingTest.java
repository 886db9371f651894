package io.segstream.features;

import static io.segstream.testing.Events.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.facts.CartLine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** A timeline kept in hand across events encodes what it holds, whatever it encoded before. */
class TimelineEncodingTest {

    private static final long GAP = 30 * 60_000L;
    private static final long DWELL_MAX = 600_000L;
    private static final long HOUR = 3_600_000L;
    private static final Timeline.Folding FOLDING = new Timeline.Folding(GAP, DWELL_MAX);

    @Test
    void anActivitySettledAfterTheTimelineWasWrittenIsInItsNextEncoding() throws IOException {
        Timeline written = new Timeline();
        Timeline neverWritten = new Timeline();
        Activity added = new Activity(at("2026-11-20T10:00:00Z").toEpochMilli(), 1, Activity.Kind.ADD_TO_CART, "s1",
                "sku-1", "shoes", 2, new BigDecimal("19.99"), "EUR", null);
        Activity viewed = new Activity(at("2026-11-20T12:00:00Z").toEpochMilli(), 2, Activity.Kind.PAGE_VIEW, "s2",
                null, null, 1, null, null, null);

        for (Timeline timeline : List.of(written, neverWritten)) {
            timeline.add(added, new CartState(), new DwellState(), FOLDING);
            timeline.settle(added.at() - HOUR, 200, FOLDING);
        }
        encode(written);
        for (Timeline timeline : List.of(written, neverWritten)) {
            CartState cart = new CartState();
            cart.fold(added);
            timeline.add(viewed, cart, new DwellState(), FOLDING);
            // An hour of grace after the add has passed: it is settled.
            timeline.settle(viewed.at() - HOUR, 200, FOLDING);
        }

        byte[] encoded = encode(written);
        Timeline read = Timeline.read(DecoderFactory.get().binaryDecoder(encoded, null));
        assertThat(read.settledCart.view().lines())
                .containsExactly(new CartLine("sku-1", "shoes", 2, new BigDecimal("19.99")));
        assertThat(read.settledDwell.sessions).isEqualTo(1);
        assertThat(read.size()).isEqualTo(1);
        assertThat(encoded).isEqualTo(encode(neverWritten));
    }

    @Test
    void activitiesAreEncodedInEventTimeOrderWhateverTheirArrivalAndWhereverTheTimelineWasRead() throws IOException {
        Activity first = view(at("2026-11-20T10:00:00Z").toEpochMilli(), 11);
        Activity second = view(at("2026-11-20T10:00:05Z").toEpochMilli(), 12);
        Activity third = view(at("2026-11-20T10:00:09Z").toEpochMilli(), 13);
        Activity fourth = view(at("2026-11-20T10:00:20Z").toEpochMilli(), 14);
        Timeline inOrder = new Timeline();
        for (Activity activity : List.of(first, second, third)) {
            inOrder.add(activity, new CartState(), new DwellState(), FOLDING);
        }
        // The first arrives late: every recent activity is decoded, and the third is appended after them.
        Timeline outOfOrder = new Timeline();
        for (Activity activity : List.of(second, first, third)) {
            outOfOrder.add(activity, new CartState(), new DwellState(), FOLDING);
        }

        byte[] encoded = encode(inOrder);
        assertThat(encode(outOfOrder)).isEqualTo(encoded);
        // A timeline read from its record takes the next in-order activity after the ones it read.
        Timeline read = Timeline.read(DecoderFactory.get().binaryDecoder(encoded, null));
        read.add(fourth, new CartState(), new DwellState(), FOLDING);
        inOrder.add(fourth, new CartState(), new DwellState(), FOLDING);
        outOfOrder.add(fourth, new CartState(), new DwellState(), FOLDING);
        assertThat(encode(read)).isEqualTo(encode(inOrder)).isEqualTo(encode(outOfOrder));
        assertThat(read.size()).isEqualTo(4);
        // Settling decodes the encoded activities it folds.
        read.settle(fourth.at() + HOUR, 200, FOLDING);
        assertThat(read.size()).isZero();
        assertThat(read.settledDwell.sessions).isEqualTo(1);
        assertThat(read.settledDwell.totalDwellMs).isEqualTo(20_000);
    }

    private static Activity view(long at, long key) {
        return new Activity(at, key, Activity.Kind.PAGE_VIEW, "s1", null, "shoes", 1, null, null, null);
    }

    private static byte[] encode(Timeline timeline) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
        timeline.write(out);
        out.flush();
        return bytes.toByteArray();
    }
}
