package io.segstream.features;

import static io.segstream.testing.Events.at;
import static io.segstream.testing.Events.purchase;
import static io.segstream.testing.Events.refund;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.facts.Rfm;
import io.segstream.testing.PipelineDriver;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RfmFeatureTest {

    private final PipelineDriver pipeline = new PipelineDriver(Map.of("rfm.window.days", "30"));

    @AfterEach
    void close() {
        pipeline.close();
    }

    @Test
    void purchasesAndRefundsGiveFrequencyMonetaryAndDates() {
        pipeline.order(purchase("536365", "17850", "139.12", at("2010-12-01T08:26:00Z")));
        pipeline.order(purchase("536366", "17850", "22.20", at("2010-12-01T08:28:00Z")));
        pipeline.order(refund("C536379", "17850", "-27.50", at("2010-12-01T09:41:00Z")));
        pipeline.order(purchase("537226", "17850", "100.00", at("2010-12-06T08:34:00Z")));

        Rfm rfm = pipeline.rfm("17850").view(at("2010-12-16T12:00:00Z").toEpochMilli(), 30, null);

        assertThat(rfm).isEqualTo(new Rfm(3, new BigDecimal("233.8200"), new BigDecimal("77.9400"),
                at("2010-12-01T08:26:00Z"), at("2010-12-06T08:34:00Z"), 10L, 1, new BigDecimal("-27.5000"),
                30, 3, new BigDecimal("233.8200"), null));
    }

    @Test
    void theTrailingWindowCountsOnlyDaysWithinItOfNow() {
        pipeline.order(purchase("o1", "u1", "10.00", at("2011-01-01T10:00:00Z")));
        pipeline.order(purchase("o2", "u1", "20.00", at("2011-01-20T10:00:00Z")));
        pipeline.order(refund("r1", "u1", "-5.00", at("2011-02-05T10:00:00Z")));

        Rfm onFeb10 = pipeline.rfm("u1").view(at("2011-02-10T00:00:00Z").toEpochMilli(), 30, null);
        Rfm onMar1 = pipeline.rfm("u1").view(at("2011-03-01T00:00:00Z").toEpochMilli(), 30, null);

        // 30 days up to Feb 10 start on Jan 12: o2 and the refund count, o1 does not.
        assertThat(onFeb10.windowFrequency()).isEqualTo(1);
        assertThat(onFeb10.windowMonetary()).isEqualByComparingTo("15.00");
        assertThat(onFeb10.frequency()).isEqualTo(2);
        assertThat(onFeb10.monetary()).isEqualByComparingTo("25.00");
        // 30 days up to Mar 1 start on Jan 31: only the refund.
        assertThat(onMar1.windowFrequency()).isZero();
        assertThat(onMar1.windowMonetary()).isEqualByComparingTo("-5.00");
        assertThat(onMar1.recencyDays()).isEqualTo(39);
    }

    @Test
    void aReplayedOrderChangesNothingEvenAfterTheDedupWindow() {
        pipeline.order(purchase("o1", "u1", "10.00", at("2011-01-01T10:00:00Z")));
        pipeline.order(purchase("o1", "u1", "10.00", at("2011-01-01T10:00:00Z")));
        // Long after dedup.retention (24h), the same invoice again, e.g. from a re-run export.
        pipeline.order(purchase("o2", "u1", "5.00", at("2011-01-05T10:00:00Z")));
        pipeline.order(purchase("o1", "u1", "10.00", at("2011-01-05T11:00:00Z")));

        Rfm rfm = pipeline.rfm("u1").view(at("2011-01-06T00:00:00Z").toEpochMilli(), 30, null);

        assertThat(rfm.frequency()).isEqualTo(2);
        assertThat(rfm.monetary()).isEqualByComparingTo("15.00");
        assertThat(rfm.lastPurchase()).isEqualTo(at("2011-01-05T10:00:00Z"));
        assertThat(pipeline.featureCounters().duplicateCount()).isEqualTo(2);
    }

    @Test
    void aCustomerWithOnlyARefundHasNoPurchasesAndNegativeMonetary() {
        pipeline.order(refund("C1", "u9", "-3.30", at("2011-01-01T10:00:00Z")));

        Rfm rfm = pipeline.rfm("u9").view(at("2011-01-02T00:00:00Z").toEpochMilli(), 30, null);

        assertThat(rfm.frequency()).isZero();
        assertThat(rfm.monetary()).isEqualByComparingTo("-3.30");
        assertThat(rfm.averageOrderValue()).isNull();
        assertThat(rfm.lastPurchase()).isNull();
        assertThat(rfm.recencyDays()).isNull();
    }
}
