package io.segstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DueTimesTest {

    @Test
    void aUserIsDueAtTheStartOfTheSecondTheirTimeFallsInAndOnlyOnce() {
        DueTimes due = new DueTimes();
        due.schedule("u1", 10_500);
        due.schedule("u2", 12_000);
        due.schedule("u3", 11_000);
        due.schedule("u3", 15_000);
        due.schedule("u4", 20_000);
        due.schedule("u4", 9_000);
        due.schedule("u5", 9_500);
        due.forget("u5");

        assertThat(due.takeDue(10_999, 10)).containsExactly("u4");
        assertThat(due.takeDue(11_000, 10)).containsExactly("u1");
        assertThat(due.dueAt("u3")).isEqualTo(15_000);
        assertThat(due.takeDue(14_999, 10)).containsExactly("u2");
        assertThat(due.takeDue(20_000, 10)).containsExactly("u3");
        assertThat(due.takeDue(Long.MAX_VALUE / 2, 10)).isEmpty();
        assertThat(due.size()).isZero();
    }

    @Test
    void aSecondKeptFromAnEarlierScheduleIsMovedInPlaceUntilTheUserIsTaken() {
        DueTimes due = new DueTimes();
        DueTimes.Second first = due.schedule("u1", 10_500, null);
        assertThat(due.schedule("u1", 12_000, first)).isSameAs(first);
        assertThat(due.schedule("u1", 9_000, first)).isSameAs(first);
        assertThat(due.dueAt("u1")).isEqualTo(9_000);

        assertThat(due.takeDue(9_000, 10)).containsExactly("u1");
        // Taken, the user is scheduled again from scratch: what was kept is no longer theirs.
        DueTimes.Second second = due.schedule("u1", 15_000, first);
        assertThat(second).isNotSameAs(first);
        assertThat(due.dueAt("u1")).isEqualTo(15_000);
        assertThat(due.schedule("u1", Long.MAX_VALUE, second)).isNull();
        assertThat(due.dueAt("u1")).isNull();
        assertThat(due.schedule("u1", 16_000, second)).isNotSameAs(second);
        assertThat(due.takeDue(15_999, 10)).isEmpty();
        assertThat(due.takeDue(16_000, 10)).containsExactly("u1");
    }

    /**
     * Random schedules, moves and looks, against a plain map of times: no user early, late or twice;
     * with the seconds schedule returns kept for the users and given back, except when dropped (as a
     * user's decoded state is when evicted).
     */
    @Test
    void takesExactlyTheUsersWhoseTimeHasCome() {
        Random random = new Random(7);
        DueTimes due = new DueTimes();
        Map<String, Long> expected = new HashMap<>();
        Map<String, DueTimes.Second> kept = new HashMap<>();
        long now = 0;
        for (int step = 0; step < 20_000; step++) {
            String user = "u" + random.nextInt(200);
            switch (random.nextInt(4)) {
                case 0, 1 -> {
                    long at = now + random.nextInt(30_000);
                    if (random.nextInt(10) == 0) {
                        kept.remove(user);
                    }
                    kept.put(user, due.schedule(user, at, kept.get(user)));
                    expected.put(user, (at + 999) / 1000 * 1000);
                }
                case 2 -> {
                    due.forget(user);
                    expected.remove(user);
                }
                default -> {
                    now += random.nextInt(3_000);
                    List<String> taken = due.takeDue(now, Integer.MAX_VALUE);
                    List<String> wanted = new ArrayList<>();
                    long at = now;
                    expected.forEach((name, time) -> {
                        if (time <= at) {
                            wanted.add(name);
                        }
                    });
                    wanted.forEach(expected::remove);
                    assertThat(taken).as("step %d", step).containsExactlyInAnyOrderElementsOf(wanted);
                }
            }
        }
        assertThat(due.size()).isEqualTo(expected.size());
    }
}
