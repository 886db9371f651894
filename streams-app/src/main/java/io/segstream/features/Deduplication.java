package io.segstream.features;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.Order;
import java.util.function.Consumer;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The first stage of the per-user pipeline: drops events and orders seen before. A click is a
 * duplicate when its event id came within dedup.retention of the user's latest click (checked
 * in the user's state, no store round trip); an order when its order id came within
 * orders.dedup.retention (store {@code order-ids}, one entry per order, so a user's state does not
 * grow with their lifetime orders). Orders are a few percent of the events; their money must
 * count exactly once, so they are remembered far longer than clicks, and an order's id is written
 * with the user's state that counted it, never before (see {@link IdMemory}).
 */
public final class Deduplication {

    private final IdMemory orderIds;
    private final long clickRetentionMs;
    private final int clickMaxRecent;
    private final FeatureCounters counters;

    public Deduplication(WindowStore<String, Long> orderIds, FeatureSettings settings, FeatureCounters counters) {
        this.orderIds = new IdMemory(orderIds, settings.orderDedupRetention().toMillis());
        this.clickRetentionMs = settings.dedupRetention().toMillis();
        this.clickMaxRecent = settings.dedupMaxRecent();
        this.counters = counters;
    }

    /** True, and remembered in {@code state}, when {@code click} is seen for the first time. */
    public boolean firstClick(FeatureState state, ClickEvent click) {
        boolean first = state.recentEvents.add(RecentEvents.fingerprint(click.getEventId()),
                click.getEventTimestamp().toEpochMilli(), clickRetentionMs, clickMaxRecent);
        if (!first) {
            counters.duplicate();
        }
        return first;
    }

    /** True when {@code order}'s id is seen for the first time; {@link #rememberOrder} remembers it once it counted. */
    public boolean firstOrder(Order order) {
        boolean first = !orderIds.seen(order.getOrderId(), order.getEventTimestamp().toEpochMilli());
        if (!first) {
            counters.duplicate();
        }
        return first;
    }

    /**
     * Remembers {@code order}'s id, counted in its user's state: a repeat of it is a duplicate from now on,
     * and its id is written to store {@code order-ids} when {@code when} runs the write, with that state.
     */
    public void rememberOrder(Order order, Consumer<Runnable> when) {
        orderIds.remember(order.getOrderId(), order.getEventTimestamp().toEpochMilli(), when);
    }
}
