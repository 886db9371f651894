package io.segstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The interest window read after every view equals the count of the views themselves: those in the
 * window's hours ending now that the state has not dropped (older than its window behind the latest
 * view), whatever the order of views and reads.
 */
class InterestWindowProperties {

    private static final long HOUR = 3_600_000L;
    private static final String[] CATEGORIES = {"shoes", "hats", "bags", "toys"};

    record View(long at, String category) {}

    @Property(tries = 200)
    void readsAfterEveryViewCountExactlyTheViewsInTheWindow(@ForAll long seed, @ForAll @IntRange(min = 1, max = 60) int steps,
            @ForAll @IntRange(min = 1, max = 12) int windowHours) {
        Random random = new Random(seed);
        long windowMs = windowHours * HOUR;
        long base = 1_700_000_000_000L;
        InterestState state = new InterestState();
        List<View> views = new ArrayList<>();
        long latestHour = Long.MIN_VALUE;
        for (int step = 0; step < steps; step++) {
            long at = base + (long) (random.nextDouble() * 3 * windowHours * HOUR);
            if (random.nextInt(3) > 0) {
                String category = CATEGORIES[random.nextInt(CATEGORIES.length)];
                state.addView(at, category, windowMs);
                views.add(new View(at, category));
                latestHour = Math.max(latestHour, Math.floorDiv(at, HOUR));
            }
            long now = at + (long) (random.nextDouble() * windowMs);
            long nowHour = Math.floorDiv(now, HOUR);
            long first = Math.max(nowHour - windowHours + 1, latestHour == Long.MIN_VALUE ? Long.MIN_VALUE : latestHour - windowHours + 1);
            Map<String, Long> expected = new TreeMap<>();
            for (View view : views) {
                long hour = Math.floorDiv(view.at(), HOUR);
                if (hour >= first && hour <= nowHour) {
                    expected.merge(view.category(), 1L, Long::sum);
                }
            }
            assertThat(state.view(now, windowMs).categoryViews()).as("step %d", step).isEqualTo(expected);
        }
    }
}
