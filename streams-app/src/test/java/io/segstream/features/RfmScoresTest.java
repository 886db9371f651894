package io.segstream.features;

import static io.segstream.testing.Events.at;
import static io.segstream.testing.Events.purchase;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.avro.Order;
import io.segstream.avro.RfmSketches;
import io.segstream.facts.RfmScores;
import io.segstream.testing.PipelineDriver;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RfmScoresTest {

    private static final Instant NOW = at("2026-11-20T12:00:00Z");

    private final PipelineDriver pipeline = new PipelineDriver();

    @AfterEach
    void close() {
        pipeline.close();
    }

    /**
     * 100 customers: customer i last bought 100 - i days ago, made 1 + (i - 1) % 5 purchases and
     * spent 10 x i in all. So R, F and M each split the population into known fifths.
     */
    @Test
    void scoresAreQuintilesOfTheWholePopulation() {
        List<Order> orders = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            int purchases = 1 + (i - 1) % 5;
            Instant last = NOW.minus(Duration.ofDays(100 - i));
            for (int k = 0; k < purchases; k++) {
                BigDecimal total = k == 0 ? BigDecimal.valueOf(10L * i - (purchases - 1)) : BigDecimal.ONE;
                orders.add(purchase("o" + i + "-" + k, "c" + i, total.toPlainString(), last.minus(Duration.ofMinutes(k))));
            }
        }
        orders.sort(Comparator.comparing(Order::getEventTimestamp));
        orders.forEach(pipeline::order);
        // The wall clock moves past the 60 s publication interval: the task publishes its sketches.
        pipeline.advanceWallClock(Duration.ofSeconds(61));

        List<RfmSketches> published = pipeline.globalSketches();
        assertThat(published).singleElement().satisfies(task -> assertThat(task.getCustomers()).isEqualTo(100));
        RfmQuintiles quintiles = RfmQuintiles.merge(published);
        assertThat(quintiles.population()).isEqualTo(100);

        assertThat(scores(quintiles, "c100")).isEqualTo(new RfmScores(5, 5, 5));
        assertThat(scores(quintiles, "c1")).isEqualTo(new RfmScores(1, 1, 1));
        assertThat(scores(quintiles, "c42")).isEqualTo(new RfmScores(3, 2, 3));
        assertThat(scores(quintiles, "c80")).isEqualTo(new RfmScores(4, 5, 4));
        assertThat(scores(quintiles, "c81")).isEqualTo(new RfmScores(5, 1, 5));
    }

    @Test
    void sketchesFromSeveralTasksMergeIntoOnePopulation() {
        RfmSketchBuilder low = new RfmSketchBuilder();
        RfmSketchBuilder high = new RfmSketchBuilder();
        long now = NOW.toEpochMilli();
        for (int i = 1; i <= 50; i++) {
            low.add(customer(i, now), now);
            high.add(customer(50 + i, now), now);
        }

        RfmQuintiles merged = RfmQuintiles.merge(List.of(low.build("0_0", now), high.build("0_1", now)));

        assertThat(merged.population()).isEqualTo(100);
        // Alone, the best customer of the "low" task would score 5; against everyone it is a 3.
        assertThat(merged.scores(customer(50, now).view(now, 365, null)).m()).isEqualTo(3);
        assertThat(merged.scores(customer(100, now).view(now, 365, null)).m()).isEqualTo(5);
    }

    @Test
    void someoneWhoNeverPurchasedHasNoScores() {
        RfmQuintiles quintiles = RfmQuintiles.merge(List.of());

        assertThat(quintiles.scores(new RfmState().view(NOW.toEpochMilli(), 365, null))).isNull();
    }

    private RfmScores scores(RfmQuintiles quintiles, String customer) {
        return quintiles.scores(pipeline.rfm(customer).view(NOW.plusSeconds(61).toEpochMilli(), 365, null));
    }

    private static RfmState customer(int spendTens, long now) {
        RfmState state = new RfmState();
        state.apply(purchase("o" + spendTens, "c" + spendTens, Integer.toString(spendTens * 10),
                Instant.ofEpochMilli(now).minus(Duration.ofDays(3))), 365);
        return state;
    }
}
