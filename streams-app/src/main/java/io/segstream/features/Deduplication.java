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
 * count exactly once, so they are remembered far longer than clicks, and an order's id is never
 * committed without the user's state that counted it, nor that state without the id (see
 * {@link #rememberOrder}).
 */
public final class Deduplication {

    private final IdMemory orderIds;
    private final boolean idsCommittedWithState;
    private final long clickRetentionMs;
    private final int clickMaxRecent;
    private final FeatureCounters counters;

    /**
     * @param idsCommittedWithState whether what the stores write between two commits is committed as one
     *     (exactly-once): then an order's id and the state that counted it need no more than their order
     */
    public Deduplication(WindowStore<String, Long> orderIds, boolean idsCommittedWithState, FeatureSettings settings,
            FeatureCounters counters) {
        this.orderIds = new IdMemory(orderIds, settings.orderDedupRetention().toMillis());
        this.idsCommittedWithState = idsCommittedWithState;
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
     * Remembers {@code order}'s id, counted in the user's {@code state}: a repeat of it is a duplicate from
     * now on. Its entry in store {@code order-ids} is written right after that state
     * ({@code afterStateWritten} runs the write then), and never before it: under at-least-once a crash
     * loses what was not written, and the input that made it comes again; an id written before the count
     * would drop that order as a duplicate, and its money would be lost.
     *
     * <p>Exactly-once, both writes are then committed in one transaction. At-least-once, they go to two
     * changelogs, and a crash between the producer's sends of the two would leave the order counted and
     * its id unknown, to be counted again when it comes again. So the id is also held in the state
     * itself, in the same record as the count, until its entry in {@code order-ids} is committed: the
     * caller hands it to {@link #writeHeldOrders}, and then to {@link #forgetCommittedOrder}. A state read
     * from the store is handed to {@link #writeHeldOrders} before its user's next order is checked.
     */
    public void rememberOrder(FeatureState state, Order order, Consumer<Runnable> afterStateWritten) {
        String id = order.getOrderId();
        long time = order.getEventTimestamp().toEpochMilli();
        if (idsCommittedWithState) {
            orderIds.remember(id, time, afterStateWritten);
            return;
        }
        if (state.uncommittedOrders == null) {
            state.uncommittedOrders = new UncommittedOrders();
        }
        state.uncommittedOrders.add(id, time);
    }

    /** Whether the user's {@code state} holds order ids that {@link #writeHeldOrders} has not written yet. */
    public boolean holdsUnwrittenOrders(FeatureState state) {
        return state.uncommittedOrders != null && state.uncommittedOrders.anyNotHandedOver();
    }

    /**
     * At-least-once: writes to store {@code order-ids} every order id the user's state holds and this task
     * has not written yet, each right after that state ({@code afterStateWritten}), and then hands the
     * order to {@code written}. Ids held by a state read from the store, as after a crash, are written
     * again: a put of an id at its time replaces the one that may be there.
     */
    public void writeHeldOrders(FeatureState state, Consumer<Runnable> afterStateWritten, HeldOrder written) {
        state.uncommittedOrders.handOver((id, time) -> orderIds.remember(id, time, write -> afterStateWritten.accept(() -> {
            write.run();
            written.accept(id, time);
        })));
    }

    /**
     * Drops from the user's {@code state} the order id written to store {@code order-ids} by
     * {@link #writeHeldOrders}, once that write is committed; returns whether the state changed.
     */
    public boolean forgetCommittedOrder(FeatureState state, String id, long time) {
        if (state.uncommittedOrders == null || !state.uncommittedOrders.remove(id, time)) {
            return false;
        }
        if (state.uncommittedOrders.isEmpty()) {
            state.uncommittedOrders = null;
        }
        return true;
    }

    /** An order id held in a user's state, at its time. */
    @FunctionalInterface
    public interface HeldOrder {
        void accept(String id, long time);
    }
}
