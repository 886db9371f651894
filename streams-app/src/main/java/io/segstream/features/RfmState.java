package io.segstream.features;

import io.segstream.avro.Order;
import io.segstream.avro.OrderType;
import io.segstream.facts.Rfm;
import io.segstream.serde.StateEncoding;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;

/**
 * A customer's orders, reduced to what RFM needs (part of the user's state). Every operation is
 * commutative, so arrival order does not change the result; an order is applied once because the
 * de-duplication stage before it drops repeated order ids (see {@link Deduplication}).
 */
public final class RfmState {

    /** The last {@link #none} made; any stream thread may replace it (a record, immutable: a race costs a copy). */
    private static volatile Rfm none;

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
    /**
     * The last view and what it was made as of (held in memory only, never encoded): most of a customer's
     * events are clicks, which change neither their orders, the day, their recency nor the quintiles.
     */
    private Rfm view;
    private long viewDay;
    private Long viewRecency;
    private RfmQuintiles viewQuintiles;
    /** The encoding, made when first written and kept until the next order (never encoded itself). */
    private byte[] encoded;

    /** One day's purchases and net spend. */
    record DayTotals(long purchases, BigDecimal spend) {
        DayTotals plus(long morePurchases, BigDecimal moreSpend) {
            return new DayTotals(purchases + morePurchases, spend.add(moreSpend));
        }
    }

    /** Applies an order (one not applied before). */
    public void apply(Order order, int windowDays) {
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
        Buckets.dropBefore(days, Times.day(latestOrder) - windowDays + 1);
        view = null;
        encoded = null;
    }

    /** The read model as of {@code now}, with scores when {@code quintiles} are given and known. */
    public Rfm view(long now, int windowDays, RfmQuintiles quintiles) {
        long today = Times.day(now);
        Long recency = lastPurchase == null ? null : Math.max(0, Math.floorDiv(now - lastPurchase, Times.DAY_MS));
        if (view != null && viewDay == today && view.windowDays() == windowDays && Objects.equals(viewRecency, recency)
                && viewQuintiles == quintiles) {
            return view;
        }
        long windowPurchases = 0;
        BigDecimal windowSpend = BigDecimal.ZERO;
        for (DayTotals totals : days.subMap(today - windowDays + 1, true, today, true).values()) {
            windowPurchases += totals.purchases();
            windowSpend = windowSpend.add(totals.spend());
        }
        Rfm made = new Rfm(purchases, monetary, Rfm.averageOrderValue(monetary, purchases),
                Times.instant(firstPurchase), Times.instant(lastPurchase), recency, refunds, refunded, windowDays,
                windowPurchases, windowSpend, null);
        if (quintiles != null) {
            made = made.withScores(quintiles.scores(made));
        }
        view = made;
        viewDay = today;
        viewRecency = recency;
        viewQuintiles = quintiles;
        return made;
    }

    /** The read model of a customer without orders, whatever the time: one, shared, per window. */
    public static Rfm none(int windowDays) {
        Rfm last = none;
        if (last == null || last.windowDays() != windowDays) {
            last = new Rfm(0, BigDecimal.ZERO, null, null, null, null, 0, BigDecimal.ZERO, windowDays, 0, BigDecimal.ZERO, null);
            none = last;
        }
        return last;
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

    /** Epoch millis of the first purchase, or null before one. */
    public Long firstPurchase() {
        return firstPurchase;
    }

    void write(Encoder out) throws IOException {
        if (encoded == null) {
            // Orders are rare among a customer's events: most writes of their record copy this.
            encoded = StateEncoding.encoded(out, this::encode);
        }
        out.writeFixed(encoded);
    }

    private void encode(Encoder out) throws IOException {
        out.writeLong(purchases);
        out.writeLong(refunds);
        StateEncoding.writeDecimal(out, monetary);
        StateEncoding.writeDecimal(out, refunded);
        StateEncoding.writeNullableLong(out, firstPurchase);
        StateEncoding.writeNullableLong(out, lastPurchase);
        out.writeLong(latestOrder);
        StateEncoding.writeArray(out, days.entrySet(), (encoder, day) -> {
            encoder.writeLong(day.getKey());
            encoder.writeLong(day.getValue().purchases());
            StateEncoding.writeDecimal(encoder, day.getValue().spend());
        });
    }

    static RfmState read(Decoder in) throws IOException {
        RfmState state = new RfmState();
        state.purchases = in.readLong();
        state.refunds = in.readLong();
        state.monetary = StateEncoding.readDecimal(in);
        state.refunded = StateEncoding.readDecimal(in);
        state.firstPurchase = StateEncoding.readNullableLong(in);
        state.lastPurchase = StateEncoding.readNullableLong(in);
        state.latestOrder = in.readLong();
        StateEncoding.readArray(in, decoder -> state.days.put(decoder.readLong(),
                new DayTotals(decoder.readLong(), StateEncoding.readDecimal(decoder))));
        return state;
    }
}
