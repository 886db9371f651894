package io.segstream.scoring;

import static io.segstream.testing.Events.purchase;
import static io.segstream.testing.Events.refund;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.segstream.avro.Model;
import io.segstream.avro.ModelKind;
import io.segstream.facts.Rfm;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CustomerLifetimeTrainingTest {

    private static final Instant DAY0 = Instant.parse("2011-01-01T00:00:00Z");

    private static Instant day(int day) {
        return DAY0.plus(Duration.ofDays(day));
    }

    /**
     * a: purchases on days 0 and 50 (the second sent twice), a refund on day 60; then 2 purchases in the holdout.
     * b: purchases on days 20, 80, 90; in the holdout only a refund, and a purchase after it.
     * c: one purchase on day 99; 1 purchase in the holdout. d: only a refund, so no customer.
     */
    private static CustomerLifetimeTraining training() {
        CustomerLifetimeTraining training = new CustomerLifetimeTraining(day(100), day(150));
        training.add(purchase("a1", "a", "10.00", day(0)));
        training.add(purchase("a2", "a", "30.00", day(50)));
        training.add(purchase("a2", "a", "30.00", day(50)));
        training.add(refund("a3", "a", "-5.00", day(60)));
        training.add(refund("d1", "d", "-5.00", day(10)));
        training.add(purchase("b1", "b", "20.00", day(20)));
        training.add(purchase("b2", "b", "20.00", day(80)));
        training.add(purchase("b3", "b", "20.00", day(90)));
        training.add(purchase("c1", "c", "5.00", day(99)));
        training.add(purchase("a4", "a", "12.00", day(110)));
        training.add(purchase("a5", "a", "12.00", day(120)));
        training.add(refund("b4", "b", "-20.00", day(130)));
        training.add(purchase("c2", "c", "7.00", day(140)));
        training.add(purchase("b5", "b", "20.00", day(160)));
        return training;
    }

    @Test
    void fitsOnTheCustomersOrdersFoldedAsThePipelineFoldsThem() {
        CustomerLifetimeTraining.Result result = training().fit("clv-test", 1, Map.of("data", "test"));

        assertThat(result.customers()).isEqualTo(3);
        assertThat(result.spendCustomers()).isEqualTo(2);
        assertThat(result.orders()).as("the repeated order counts once").isEqualTo(8);
        Model model = result.model();
        assertThat(model.getName()).isEqualTo("clv");
        assertThat(model.getKind()).isEqualTo(ModelKind.CLV_BGNBD_GAMMA_GAMMA);
        assertThat(model.getVersion()).isEqualTo("clv-test");
        assertThat(model.getParameters()).containsOnlyKeys("r", "alpha", "a", "b", "timeUnitDays", "p", "q", "gamma")
                .containsEntry("timeUnitDays", 1.0);
        assertThat(model.getProvenance()).containsEntry("data", "test").containsEntry("customers", "3")
                .containsEntry("fittedOn", "orders from 2011-01-01T00:00:00Z to 2011-04-11T00:00:00Z");
    }

    @Test
    void theHoldoutComparesTheModelWithKeepingEachCustomersRate() {
        CustomerLifetimeTraining.Holdout holdout = training().fit("clv-test", 1, Map.of()).holdout();

        assertThat(holdout.customers()).isEqualTo(3);
        assertThat(holdout.actualPurchases()).as("a: 2, b: 0 (a refund, and a purchase after the holdout), c: 1")
                .isEqualTo(3);
        // 50 days of holdout. Repeat rate since the first purchase: a 1/100, b 2/80, c 0 (no repeat).
        CustomerLifetimeTraining.Score repeatRate = holdout.scores().get(1);
        assertThat(repeatRate.predictor()).isEqualTo("repeatRateSinceFirstPurchase");
        assertThat(repeatRate.total()).isCloseTo(0.5 + 1.25 + 0, within(1e-9));
        assertThat(repeatRate.meanAbsoluteError()).isCloseTo((1.5 + 1.25 + 1) / 3, within(1e-9));
        // Purchases per day of the 100-day fitting period: a 2, b 3, c 1.
        CustomerLifetimeTraining.Score periodRate = holdout.scores().get(2);
        assertThat(periodRate.predictor()).isEqualTo("rateOverFittingPeriod");
        assertThat(periodRate.total()).isCloseTo(1 + 1.5 + 0.5, within(1e-9));
        assertThat(periodRate.meanAbsoluteError()).isCloseTo((1 + 1.5 + 0.5) / 3, within(1e-9));
        assertThat(holdout.scores().get(0).predictor()).isEqualTo("model");
        assertThat(holdout.scores().get(0).total()).isPositive();
    }

    @Test
    void fitsOnCustomersAsThePipelineHoldsThemAsTheExportWouldBeFitted() {
        CustomerLifetimeTraining.Result fromOrders = training().fit("orders", 1, Map.of());
        // The same customers as a running pipeline holds them on day 100 (before the holdout's orders).
        List<Rfm> held = List.of(
                rfm(2, "35.00", day(0), day(50)), rfm(3, "60.00", day(20), day(90)), rfm(1, "5.00", day(99), day(99)));

        CustomerLifetimeTraining.Result fromState = CustomerLifetimeTraining.fitCustomers(held, day(100), "state", 1,
                Map.of("data", "live"));

        assertThat(fromState.customers()).isEqualTo(3);
        assertThat(fromState.spendCustomers()).isEqualTo(2);
        assertThat(fromState.orders()).as("their purchases").isEqualTo(6);
        assertThat(fromState.model().getParameters()).isEqualTo(fromOrders.model().getParameters());
        assertThat(fromState.model().getProvenance()).containsEntry("data", "live")
                .containsEntry("fittedOn", "the pipeline's state as of 2011-04-11T00:00:00Z");
    }

    private static Rfm rfm(long purchases, String monetary, Instant first, Instant last) {
        BigDecimal spend = new BigDecimal(monetary);
        return new Rfm(purchases, spend, Rfm.averageOrderValue(spend, purchases), first, last, null, 0, BigDecimal.ZERO,
                365, 0, BigDecimal.ZERO, null);
    }

    @Test
    void withoutEnoughCustomersOrAWellOrderedHoldoutItSaysWhy() {
        CustomerLifetimeTraining one = new CustomerLifetimeTraining(null, null);
        one.add(purchase("o1", "a", "10.00", day(0)));
        one.add(purchase("o2", "a", "10.00", day(5)));

        assertThatThrownBy(() -> one.fit("v", 7, Map.of())).hasMessage("too few customers to fit: 1 with a purchase, "
                + "1 with a repeat purchase");
        assertThatThrownBy(() -> new CustomerLifetimeTraining(day(10), day(5)))
                .hasMessage("the holdout needs an end after the end of the fitting period");
        assertThatThrownBy(() -> new CustomerLifetimeTraining(day(10), null).fit("v", 7, Map.of()))
                .hasMessage("no orders to fit on before 2011-01-11T00:00:00Z");
    }
}
