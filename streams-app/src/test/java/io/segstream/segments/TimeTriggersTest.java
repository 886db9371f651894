package io.segstream.segments;

import static io.segstream.testing.Events.add;
import static io.segstream.testing.Events.at;
import static io.segstream.testing.Events.purchase;
import static io.segstream.testing.Events.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.facts.Facts;
import io.segstream.facts.Predictions;
import io.segstream.testing.PipelineDriver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When time alone can flip a condition, computed from its checked expression. */
class TimeTriggersTest {

    private static final Instant FIRST_PURCHASE = at("2026-08-01T09:30:00Z");
    private static final Instant LAST_PURCHASE = at("2026-09-14T17:45:10Z");
    private static final Instant LAST_CLICK = at("2026-09-15T08:00:20Z");
    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final long MINUTE = Duration.ofMinutes(1).toMillis();

    private final PipelineDriver pipeline = new PipelineDriver();

    @AfterEach
    void close() {
        pipeline.close();
    }

    /** A customer with two purchases and a cart line added after the last one. */
    private void customer() {
        pipeline.order(purchase("o1", "u1", "20.00", FIRST_PURCHASE));
        pipeline.order(purchase("o2", "u1", "30.00", LAST_PURCHASE));
        pipeline.click(add("e1", "u1", "sku-1", 1, "5.00", LAST_CLICK));
    }

    private Facts.Input input(Instant now) {
        return new Facts.Input(pipeline.features("u1", now), Predictions.fixedIntent(0));
    }

    private long next(String condition, Instant now) {
        return Conditions.compile(condition).nextChange(input(now), now.toEpochMilli());
    }

    @Test
    void aRecencyThresholdFlipsOnceAtTheDayItIsReached() {
        customer();
        Instant now = LAST_PURCHASE.plus(Duration.ofDays(3));

        assertThat(next("rfm.recencyDays >= 60", now)).isEqualTo(LAST_PURCHASE.toEpochMilli() + 60 * DAY);
        assertThat(next("60 <= rfm.recencyDays", now)).isEqualTo(LAST_PURCHASE.toEpochMilli() + 60 * DAY);
        assertThat(next("rfm.recencyDays > 59.5", now)).isEqualTo(LAST_PURCHASE.toEpochMilli() + 60 * DAY);
        assertThat(next("rfm.recencyDays >= 0 && rfm.recencyDays <= 30", now))
                .isEqualTo(LAST_PURCHASE.toEpochMilli() + 31 * DAY);
        assertThat(next("rfm.recencyDays == 3", now)).isEqualTo(LAST_PURCHASE.toEpochMilli() + 4 * DAY);
        // Past its only threshold, time can no longer change it.
        assertThat(next("rfm.recencyDays >= 2", now)).isEqualTo(Long.MAX_VALUE);
        assertThat(next("rfm.daysSinceFirstPurchase > 90 || rfm.recencyDays >= 60", now))
                .isEqualTo(FIRST_PURCHASE.toEpochMilli() + 91 * DAY);
        assertThat(next("cart.minutesSinceActivity >= 30", LAST_CLICK.plusSeconds(5)))
                .isEqualTo(LAST_CLICK.toEpochMilli() + 30 * MINUTE);
    }

    @Test
    void aCounterUsedOtherwiseMovesAtEachOfItsSteps() {
        customer();
        Instant now = LAST_PURCHASE.plus(Duration.ofDays(3)).plusSeconds(600);

        assertThat(next("rfm.recencyDays * 2 > 10", now)).isEqualTo(LAST_PURCHASE.toEpochMilli() + 4 * DAY);
        assertThat(next("rfm.recencyDays in [10, 20]", now)).isEqualTo(LAST_PURCHASE.toEpochMilli() + 4 * DAY);
    }

    @Test
    void sessionsWindowsAndTheCalendarMoveByTheirOwnClocks() {
        customer();
        pipeline.click(view("v1", "u1", "s1", "shoes", LAST_CLICK.plusSeconds(60)));
        Instant now = LAST_CLICK.plusSeconds(120);
        long sessionGap = pipeline.settings().sessionGap().toMillis();

        assertThat(next("dwell.sessionActive", now)).isEqualTo(LAST_CLICK.toEpochMilli() + 60_000 + sessionGap + 1);
        assertThat(next("interest.totalViews > 0", now)).isEqualTo(at("2026-09-15T09:00:00Z").toEpochMilli());
        assertThat(next("rfm.windowFrequency >= 2", now)).isEqualTo(at("2026-09-16T00:00:00Z").toEpochMilli());
        assertThat(next("time.hourOfDay == 18", now)).isEqualTo(at("2026-09-15T09:00:00Z").toEpochMilli());
        assertThat(next("time.nowMillis > 1800000000000", now)).isEqualTo(1_800_000_000_001L);
        assertThat(Conditions.compile("rfm.frequency >= 1 && cart.items > 0").movesWithTime()).isFalse();
        assertThat(next("rfm.frequency >= 1 && cart.items > 0", now)).isEqualTo(Long.MAX_VALUE);
        // A user without purchases: recency stays -1.
        assertThat(Conditions.compile("rfm.recencyDays >= 60").nextChange(
                new Facts.Input(pipeline.features("nobody", now), Predictions.fixedIntent(0)), now.toEpochMilli()))
                .isEqualTo(Long.MAX_VALUE);
    }

    /**
     * Random conditions over the counters: walking from one computed change to the next, the condition
     * holds the same at every step of every counter before the next computed change, i.e. time alone
     * never flips it earlier than computed. The steps are enumerated from the purchase and click
     * times, not from the code under test.
     */
    @Test
    void noConditionFlipsBeforeItsComputedChange() {
        customer();
        Random random = new Random(42);
        String[] counters = {"rfm.recencyDays", "rfm.daysSinceFirstPurchase", "cart.minutesSinceActivity"};
        String[] operators = {"<", "<=", ">", ">=", "==", "!="};
        Instant start = LAST_CLICK.plusSeconds(30);
        Instant horizon = start.plus(Duration.ofDays(200));
        TreeSet<Long> steps = new TreeSet<>();
        for (long t = start.toEpochMilli(); t <= horizon.toEpochMilli(); t += DAY) {
            steps.add(FIRST_PURCHASE.toEpochMilli() + Math.floorDiv(t - FIRST_PURCHASE.toEpochMilli(), DAY) * DAY);
            steps.add(LAST_PURCHASE.toEpochMilli() + Math.floorDiv(t - LAST_PURCHASE.toEpochMilli(), DAY) * DAY);
        }
        for (long t = LAST_CLICK.toEpochMilli(); t <= LAST_CLICK.toEpochMilli() + 3 * DAY; t += MINUTE) {
            steps.add(t);
        }
        int flips = 0;
        for (int i = 0; i < 60; i++) {
            List<String> atoms = new ArrayList<>();
            for (int a = 0; a < 1 + random.nextInt(3); a++) {
                String counter = counters[random.nextInt(counters.length)];
                long threshold = counter.startsWith("cart") ? random.nextInt(3 * 24 * 60) : random.nextInt(250);
                String atom = random.nextBoolean() ? counter + " " + operators[random.nextInt(6)] + " " + threshold
                        : threshold + " " + operators[random.nextInt(6)] + " " + counter;
                atoms.add(random.nextInt(4) == 0 ? "!(" + atom + ")" : atom);
            }
            String expression = String.join(random.nextBoolean() ? " && " : " || ", atoms);
            Condition condition = Conditions.compile(expression);
            long now = start.toEpochMilli();
            while (now < horizon.toEpochMilli()) {
                boolean holds = condition.test(input(Instant.ofEpochMilli(now)));
                long next = condition.nextChange(input(Instant.ofEpochMilli(now)), now);
                assertThat(next).as("%s at %s", expression, now).isGreaterThan(now);
                for (long step : steps.subSet(now, false, Math.min(next, horizon.toEpochMilli()), false)) {
                    assertThat(condition.test(input(Instant.ofEpochMilli(step))))
                            .as("%s flipped at %s, before the computed change %s", expression, step, next).isEqualTo(holds);
                }
                if (next < horizon.toEpochMilli() && condition.test(input(Instant.ofEpochMilli(next))) != holds) {
                    flips++;
                }
                now = next;
            }
        }
        // The walk did meet flips (it is not vacuous).
        assertThat(flips).isGreaterThan(20);
    }
}
