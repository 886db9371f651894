package io.segstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.serde.StateEncoder;
import io.segstream.serde.StateEncoding;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.avro.io.DecoderFactory;

/**
 * Parts of a user's state that keep their encoding between writes write, when written after every
 * event, the bytes a state folded from the same events and written once does, and read back as what
 * they hold. Dwell keeps its sessions and its days before the newest: across new sessions, new days,
 * late events into older days, days leaving the 7- and 30-day windows, and copies (which share what
 * is kept). A cart keeps its lines: across adds, removes, purchases and copies.
 */
class KeptEncodingProperties {

    private static final long GAP = 30 * 60_000L;
    private static final long DWELL_MAX = 600_000L;
    private static final long HOUR = 3_600_000L;

    @Property(tries = 200)
    void writtenAfterEveryEventItWritesWhatItHolds(@ForAll long seed, @ForAll @IntRange(min = 1, max = 150) int events) {
        Random random = new Random(seed);
        String[] categories = {"shoes", "bags", "hats", null};
        DwellState written = new DwellState();
        List<Activity> folded = new ArrayList<>();
        long time = 1_780_000_000_000L;
        for (int event = 0; event < events; event++) {
            int step = random.nextInt(20);
            // Mostly minutes apart within a day; sometimes a new day, a jump past the windows, or a late event.
            time += step < 14 ? random.nextInt(10) * 60_000L : step < 17 ? 20 * HOUR : step < 18 ? 35 * 24 * HOUR : 0;
            long at = step == 19 ? time - (1 + random.nextInt(10)) * 24 * HOUR : time;
            String session = random.nextInt(4) == 0 ? null : "s" + random.nextInt(25);
            Long dwellMs = random.nextBoolean() ? null : (long) random.nextInt(120_000);
            Activity activity = new Activity(at, random.nextLong(), Activity.Kind.PAGE_VIEW, session, null,
                    categories[random.nextInt(categories.length)], 1, null, null, dwellMs);
            folded.add(activity);
            written.fold(activity, GAP, DWELL_MAX);
            if (random.nextInt(10) == 0) {
                written = written.copy();
            }

            byte[] bytes = encode(written::write);
            DwellState once = new DwellState();
            folded.forEach(each -> once.fold(each, GAP, DWELL_MAX));
            assertThat(bytes).as("event %d", event).isEqualTo(encode(once::write));
            DwellState read = read(bytes, DwellState::read);
            assertThat(read.recentSessions).as("event %d", event).containsExactlyElementsOf(written.recentSessions);
            assertThat(read.sessionStartsByDay).as("event %d", event).isEqualTo(written.sessionStartsByDay);
            assertThat(read.categoryDwellByDay).as("event %d", event).isEqualTo(written.categoryDwellByDay);
        }
    }

    @Property(tries = 200)
    void aCartWrittenAfterEveryEventWritesItsLines(@ForAll long seed, @ForAll @IntRange(min = 1, max = 150) int events) {
        Random random = new Random(seed);
        Activity.Kind[] kinds = {Activity.Kind.ADD_TO_CART, Activity.Kind.ADD_TO_CART, Activity.Kind.ADD_TO_CART,
            Activity.Kind.REMOVE_FROM_CART, Activity.Kind.REMOVE_FROM_CART, Activity.Kind.PURCHASE, Activity.Kind.PAGE_VIEW};
        CartState written = new CartState();
        List<Activity> folded = new ArrayList<>();
        for (int event = 0; event < events; event++) {
            Activity.Kind kind = kinds[random.nextInt(kinds.length)];
            String product = "p" + random.nextInt(12);
            Activity activity = new Activity(1_780_000_000_000L + event * 1_000L, random.nextLong(), kind, "s1", product,
                    random.nextBoolean() ? "shoes" : null, 1 + random.nextInt(3),
                    random.nextBoolean() ? null : BigDecimal.valueOf(random.nextInt(100_000), 2), "EUR", null);
            folded.add(activity);
            written.fold(activity);
            if (random.nextInt(10) == 0) {
                written = written.copyContents();
            }

            byte[] bytes = encode(written::write);
            CartState once = new CartState();
            folded.forEach(once::fold);
            assertThat(bytes).as("event %d", event).isEqualTo(encode(once::write));
            CartState read = read(bytes, CartState::read);
            assertThat(read.lines).as("event %d", event).isEqualTo(written.lines);
        }
    }

    private static byte[] encode(StateEncoding.PartWriter part) {
        StateEncoder encoder = new StateEncoder();
        try {
            part.write(encoder);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return encoder.toByteArray();
    }

    private static <T> T read(byte[] bytes, StateEncoding.ValueReader<T> reader) {
        try {
            return reader.read(DecoderFactory.get().binaryDecoder(bytes, null));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
