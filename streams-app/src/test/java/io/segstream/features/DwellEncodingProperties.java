package io.segstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.serde.StateEncoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.avro.io.DecoderFactory;

/**
 * A dwell state written after every event, which keeps the encoding of its sessions and of its days
 * before the newest between writes, writes the bytes a state folded from the same events and written
 * once does, and they read back as what it holds: across new sessions, new days, late events into
 * older days, days leaving the 7- and 30-day windows, and copies (which share what is kept).
 */
class DwellEncodingProperties {

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

            byte[] bytes = encode(written);
            DwellState once = new DwellState();
            folded.forEach(each -> once.fold(each, GAP, DWELL_MAX));
            assertThat(bytes).as("event %d", event).isEqualTo(encode(once));
            DwellState read = read(bytes);
            assertThat(read.recentSessions).as("event %d", event).containsExactlyElementsOf(written.recentSessions);
            assertThat(read.sessionStartsByDay).as("event %d", event).isEqualTo(written.sessionStartsByDay);
            assertThat(read.categoryDwellByDay).as("event %d", event).isEqualTo(written.categoryDwellByDay);
        }
    }

    private static byte[] encode(DwellState dwell) {
        StateEncoder encoder = new StateEncoder();
        try {
            dwell.write(encoder);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return encoder.toByteArray();
    }

    private static DwellState read(byte[] bytes) {
        try {
            return DwellState.read(DecoderFactory.get().binaryDecoder(bytes, null));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
