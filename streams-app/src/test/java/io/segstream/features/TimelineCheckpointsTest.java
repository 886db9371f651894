package io.segstream.features;

import static io.segstream.testing.Events.at;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The states a timeline keeps in memory for a busy user whose activities arrive out of order. */
class TimelineCheckpointsTest {

    private static final Timeline.Folding FOLDING = new Timeline.Folding(30 * 60_000L, 600_000L);
    private static final long START = at("2026-11-20T10:00:00Z").toEpochMilli();
    private static final int MAX_RECENT = 50;

    private final Timeline timeline = new Timeline();
    private CartState cart = new CartState();
    private DwellState dwell = new DwellState();

    @Test
    void aBusyUserAtTheMostRecentActivitiesKeepsOneCheckpointPerSixteenOfThemAfterTheirFirstLateOne() {
        for (int i = 0; i < 60; i++) {
            add(view(START + i * 1_000L, i));
        }
        assertThat(timeline.size()).isEqualTo(MAX_RECENT);
        assertThat(timeline.checkpoints()).as("none while every activity arrives in order").isZero();

        add(view(START + 56_500L, 1_000));
        for (int i = 60; i < 124; i++) {
            add(view(START + i * 1_000L, i));
        }

        // The recent count stays at the maximum (each new one settles the oldest); the checkpoints move
        // along with the activities: fifty of them hold three or four multiples of sixteen.
        assertThat(timeline.size()).isEqualTo(MAX_RECENT);
        assertThat(timeline.checkpoints()).isBetween(3, 4);
    }

    private void add(Activity activity) {
        Timeline.Folded folded = timeline.add(activity, cart, dwell, FOLDING);
        cart = folded.cart();
        dwell = folded.dwell();
        timeline.settle(START - 3_600_000L, MAX_RECENT, FOLDING);
    }

    private static Activity view(long at, long key) {
        return new Activity(at, key, Activity.Kind.PAGE_VIEW, "s1", null, "shoes", 1, null, null, null);
    }
}
