package io.segstream.facts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** How a counter's comparisons with constants flip with time alone. */
class ClockTest {

    private static final long MINUTE = 60_000L;

    @Test
    void aCounterReachesItsNextCountAtTheInstantTheCountSteps() {
        Instant since = Instant.parse("2026-11-20T12:00:30Z");
        Clock.Counter minutes = new Clock.Counter(in -> since, MINUTE);
        long start = since.toEpochMilli();
        long[] counts = {-3, 0, 5, 60};

        assertThat(minutes.firstReached(null, counts, start - 1)).isEqualTo(start);
        assertThat(minutes.firstReached(null, counts, start)).isEqualTo(start + 5 * MINUTE);
        assertThat(minutes.firstReached(null, counts, start + 5 * MINUTE - 1)).isEqualTo(start + 5 * MINUTE);
        assertThat(minutes.firstReached(null, counts, start + 5 * MINUTE)).isEqualTo(start + 60 * MINUTE);
        assertThat(minutes.firstReached(null, counts, start + 60 * MINUTE)).isEqualTo(Long.MAX_VALUE);
        assertThat(minutes.firstReached(null, new long[0], start - 1)).isEqualTo(Long.MAX_VALUE);
        // A count reached after the last instant a long can hold is never reached.
        assertThat(minutes.firstReached(null, new long[] {Long.MAX_VALUE / MINUTE - start / MINUTE + 1}, start))
                .isEqualTo(Long.MAX_VALUE);
        assertThat(minutes.firstReached(null, new long[] {Long.MAX_VALUE / 1000}, start)).isEqualTo(Long.MAX_VALUE);
        assertThat(new Clock.Counter(in -> null, MINUTE).firstReached(null, counts, start)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void theFirstCountReachedIsTheEarliestOfTheirInstantsAfterNow() {
        Random random = new Random(7);
        for (int trial = 0; trial < 2_000; trial++) {
            long start = 1_700_000_000_000L + random.nextInt(1_000_000);
            long now = start - 5 * MINUTE + random.nextInt((int) (80 * MINUTE));
            long[] counts = LongStream.generate(() -> random.nextInt(90) - 10).limit(1 + random.nextInt(6))
                    .sorted().distinct().toArray();
            Clock.Counter minutes = new Clock.Counter(in -> Instant.ofEpochMilli(start), MINUTE);

            assertThat(minutes.firstReached(null, counts, now)).as("start %d, now %d, counts %s", start, now,
                    java.util.Arrays.toString(counts)).isEqualTo(earliest(start, counts, now));
        }
    }

    /** The earliest instant after {@code now} at which the count since {@code start} becomes one of {@code counts}. */
    private static long earliest(long start, long[] counts, long now) {
        return LongStream.of(counts).map(count -> start + Math.max(0, count) * MINUTE).filter(instant -> instant > now)
                .min().orElse(Long.MAX_VALUE);
    }
}
