package io.segstream.facts;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/**
 * Recency, frequency and monetary value of a customer as of a given "now" (read model of store
 * {@code rfm}). Money is net of refunds; {@code scores} is null until population quintiles exist.
 */
public record Rfm(
        long frequency,
        BigDecimal monetary,
        BigDecimal averageOrderValue,
        Instant firstPurchase,
        Instant lastPurchase,
        Long recencyDays,
        long refunds,
        BigDecimal refunded,
        int windowDays,
        long windowFrequency,
        BigDecimal windowMonetary,
        RfmScores scores) {

    /** The same figures with {@code scores}. */
    public Rfm withScores(RfmScores scores) {
        return new Rfm(frequency, monetary, averageOrderValue, firstPurchase, lastPurchase, recencyDays, refunds, refunded,
                windowDays, windowFrequency, windowMonetary, scores);
    }

    public static BigDecimal averageOrderValue(BigDecimal monetary, long purchases) {
        return purchases == 0 ? null : monetary.divide(BigDecimal.valueOf(purchases), 4, RoundingMode.HALF_EVEN);
    }
}
