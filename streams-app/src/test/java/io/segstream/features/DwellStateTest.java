package io.segstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.facts.Dwell;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A user's dwell state read between their events, as the pipeline reads it before each decision. */
class DwellStateTest {

    private static final long GAP = 30 * 60_000L;
    private static final long DWELL_MAX = 600_000L;

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    private static Activity view(String session, String instant) {
        return new Activity(at(instant), session.hashCode(), Activity.Kind.PAGE_VIEW, session, null, null, 1, null, null,
                null);
    }

    private static long sessionsLast30Days(DwellState dwell, String instant) {
        return dwell.view(at(instant), GAP).sessionsLast30Days();
    }

    @Test
    void sessionsOfTheLast30DaysCountTheSessionsStartedSinceTheLastReadInTheirWindowOnly() {
        DwellState dwell = new DwellState();
        dwell.fold(view("s1", "2026-11-20T10:00:00Z"), GAP, DWELL_MAX);
        assertThat(sessionsLast30Days(dwell, "2026-11-20T10:05:00Z")).isEqualTo(1);

        dwell.fold(view("s2", "2026-11-20T11:00:00Z"), GAP, DWELL_MAX);
        assertThat(sessionsLast30Days(dwell, "2026-11-20T11:05:00Z")).isEqualTo(2);

        // A session of a later day than the read: not in that day's window, in its own day's.
        dwell.fold(view("s3", "2026-11-21T09:00:00Z"), GAP, DWELL_MAX);
        assertThat(sessionsLast30Days(dwell, "2026-11-20T23:00:00Z")).isEqualTo(2);
        assertThat(sessionsLast30Days(dwell, "2026-11-21T09:05:00Z")).isEqualTo(3);

        // Late sessions (an input that fell behind): 29 days before the read's day counts, 30 days does not.
        dwell.fold(view("s4", "2026-10-23T12:00:00Z"), GAP, DWELL_MAX);
        dwell.fold(view("s5", "2026-10-22T12:00:00Z"), GAP, DWELL_MAX);
        assertThat(sessionsLast30Days(dwell, "2026-11-21T09:10:00Z")).isEqualTo(4);

        // A copy (as a timeline folding again takes) reads the same, and counts on by itself.
        DwellState copy = dwell.copy();
        copy.fold(view("s6", "2026-11-21T10:00:00Z"), GAP, DWELL_MAX);
        assertThat(sessionsLast30Days(copy, "2026-11-21T10:05:00Z")).isEqualTo(5);
        assertThat(sessionsLast30Days(dwell, "2026-11-21T10:05:00Z")).isEqualTo(4);

        // Days later, the oldest days leave the window.
        assertThat(sessionsLast30Days(dwell, "2026-12-19T12:00:00Z")).isEqualTo(3);
        assertThat(sessionsLast30Days(dwell, "2026-12-21T12:00:00Z")).isEqualTo(0);
    }

    @Test
    void aCopyGoesOnWithTheSessionAndPageWithoutChangingTheOriginal() {
        DwellState dwell = new DwellState();
        dwell.fold(view("s1", "2026-11-20T10:00:00Z"), GAP, DWELL_MAX);
        dwell.fold(view("s1", "2026-11-20T10:02:00Z"), GAP, DWELL_MAX);
        Dwell before = dwell.view(at("2026-11-20T10:03:00Z"), GAP);

        // The session and the page are changed in place by later clicks: a copy's must be its own.
        DwellState copy = dwell.copy();
        copy.fold(view("s1", "2026-11-20T10:05:00Z"), GAP, DWELL_MAX);

        assertThat(dwell.view(at("2026-11-20T10:03:00Z"), GAP)).isEqualTo(before);
        assertThat(before.currentSession()).isEqualTo(new Dwell.CurrentSession("s1", Instant.parse("2026-11-20T10:00:00Z"),
                Instant.parse("2026-11-20T10:02:00Z"), 120_000, 2, true, Instant.parse("2026-11-20T10:32:00Z")));
        assertThat(before.categoryDwellMsLast7Days()).isEqualTo(Map.of("(none)", 120_000L));
        assertThat(copy.view(at("2026-11-20T10:06:00Z"), GAP).currentSession()).isEqualTo(new Dwell.CurrentSession("s1",
                Instant.parse("2026-11-20T10:00:00Z"), Instant.parse("2026-11-20T10:05:00Z"), 300_000, 3, true,
                Instant.parse("2026-11-20T10:35:00Z")));

        // And the original goes on from where it was, not from the copy's page.
        dwell.fold(view("s1", "2026-11-20T10:04:00Z"), GAP, DWELL_MAX);
        assertThat(dwell.view(at("2026-11-20T10:04:30Z"), GAP).currentSession().dwellMs()).isEqualTo(240_000);
    }
}
