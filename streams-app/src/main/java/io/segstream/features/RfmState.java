package io.segstream.features;

import io.segstream.avro.Order;
import io.segstream.avro.OrderType;
import java.math.BigDecimal;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A customer's orders, reduced to what RFM needs (store {@code rfm}). Every operation is
 * commutative and idempotent per order id, so arrival order and replays do not change the result.
 */
public final class RfmState {

    /** Every order id applied, purchases and refunds: counts stay exact beyond the dedup window. */
    TreeSet<String> orderIds = new TreeSet<>();
    long purchases;
    long refunds;
    BigDecimal monetary = BigDecimal.ZERO;
    BigDecimal refunded = BigDecimal.ZERO;
    Long firstPurchase;
    Long lastPurchase;
    /** Latest order time seen: buckets older than the window before it can never count again. */
    long latestOrder = Long.MIN_VALUE;
    /** UTC day -> purchases and net spend of that day, for the trailing window. */
    TreeMap<Long, DayTotals> days = new TreeMap<>();

    /** One day's purchases and net spend. */
    record DayTotals(long purchases, BigDecimal spend) {
        DayTotals plus(long morePurchases, BigDecimal moreSpend) {
            return new DayTotals(purchases + morePurchases, spend.add(moreSpend));
        }
    }

    /** Applies an order once; returns false when its id was already applied. */
    public boolean apply(Order order, int windowDays) {
        if (!orderIds.add(order.getOrderId())) {
            return false;
        }
        long at = order.getEventTimestamp().toEpochMilli();
        BigDecimal total = order.getTotal();
        monetary = monetary.add(total);
        boolean purchase = order.getType() == OrderType.PURCHASE;
        if (purchase) {
            purchases++;
            firstPurchase = firstPurchase == null ? at : Math.min(firstPurchase, at);
            lastPurchase = lastPurchase == null ? at : Math.max(lastPurchase, at);
        } else {
            refunds++;
            refunded = refunded.add(total);
        }
        days.merge(Times.day(at), new DayTotals(purchase ? 1 : 0, total), (a, b) -> a.plus(b.purchases(), b.spend()));
        latestOrder = Math.max(latestOrder, at);
        days.headMap(Times.day(latestOrder) - windowDays + 1).clear();
        return true;
    }

    /** The read model as of {@code now}. */
    public Rfm view(long now, int windowDays, RfmScores scores) {
        long today = Times.day(now);
        long windowPurchases = 0;
        BigDecimal windowSpend = BigDecimal.ZERO;
        for (DayTotals totals : days.subMap(today - windowDays + 1, true, today, true).values()) {
            windowPurchases += totals.purchases();
            windowSpend = windowSpend.add(totals.spend());
        }
        return new Rfm(purchases, monetary, Rfm.averageOrderValue(monetary, purchases),
                Times.instant(firstPurchase), Times.instant(lastPurchase),
                lastPurchase == null ? null : Math.max(0, Math.floorDiv(now - lastPurchase, Times.DAY_MS)),
                refunds, refunded, windowDays, windowPurchases, windowSpend, scores);
    }

    public long purchases() {
        return purchases;
    }

    public BigDecimal monetary() {
        return monetary;
    }

    public Long lastPurchase() {
        return lastPurchase;
    }
}
