package io.segstream.features;

import io.segstream.avro.CartAbandoned;
import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.LineItem;
import io.segstream.avro.Order;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The second stage of the per-user pipeline: folds a new event into the user's features (RFM,
 * interest, the timeline and the cart and sessions folded from it) and keeps the cart's
 * abandonment timer in step; on the clock, turns due timers into cart abandonments.
 */
public final class FeatureUpdates {

    private final FeatureSettings settings;
    private final Timers timers;
    private final FeatureCounters counters;
    private final Timeline.Folding folding;

    public FeatureUpdates(FeatureSettings settings, KeyValueStore<String, String> timerStore, FeatureCounters counters) {
        this(settings, Timers.in(timerStore), counters);
    }

    private FeatureUpdates(FeatureSettings settings, Timers timers, FeatureCounters counters) {
        this.settings = settings;
        this.timers = timers;
        this.counters = counters;
        this.folding = new Timeline.Folding(settings.sessionGap().toMillis(), settings.dwellMaxMs());
    }

    /** The same updates with their timers in memory: a replay of an export without Kafka (model training). */
    public static FeatureUpdates offline(FeatureSettings settings) {
        return new FeatureUpdates(settings, Timers.inMemory(), new FeatureCounters());
    }

    /** Applies a click seen for the first time; {@code streamTime} settles the timeline. */
    public void click(String user, FeatureState state, ClickEvent click, long streamTime) {
        Activity activity = Activity.of(click);
        if (click.getType() == ClickEventType.PRODUCT_VIEW) {
            if (state.interest == null) {
                state.interest = new InterestState();
            }
            state.interest.addView(activity.at(), activity.category(), settings.interestWindow().toMillis());
        }
        applyToTimeline(user, state, activity, streamTime);
        counters.processed();
    }

    /** Applies an order seen for the first time. */
    public void order(String user, FeatureState state, Order order, long streamTime) {
        if (state.rfm == null) {
            state.rfm = new RfmState();
        }
        state.rfm.apply(order, settings.rfmWindowDays());
        applyToTimeline(user, state, Activity.of(order), streamTime);
        counters.processed();
    }

    private void applyToTimeline(String user, FeatureState state, Activity activity, long streamTime) {
        Timeline timeline = state.timeline;
        Timeline.Folded folded = timeline.add(activity, state.cart, state.dwell, folding);
        CartState cart = folded.cart();
        timeline.settle(streamTime - settings.grace().toMillis(), settings.timelineMaxRecent(), folding);
        if (folded.cartChanged()) {
            cart.abandonedAt = null;
        }
        armAbandonment(user, cart);
        state.cart = cart;
        if (activity.isClick()) {
            state.dwell = folded.dwell();
        }
    }

    /**
     * Keeps exactly one abandonment timer per non-empty, not yet abandoned cart, due no later than its
     * last activity + timeout. A timer is not moved later with every activity (a store write per click
     * of a shopper with a cart): one that fires early finds the cart active and is re-armed then.
     */
    private void armAbandonment(String user, CartState cart) {
        Long due = !cart.isEmpty() && cart.abandonedAt == null
                ? cart.lastActivity + settings.abandonAfter().toMillis()
                : null;
        if (Objects.equals(due, cart.timerDue) || due != null && cart.timerDue != null && due > cart.timerDue) {
            return;
        }
        if (cart.timerDue != null) {
            timers.cancel(Timers.Kind.CART_ABANDON, user, cart.timerDue);
        }
        if (due != null) {
            timers.schedule(Timers.Kind.CART_ABANDON, user, due);
        }
        cart.timerDue = due;
    }

    /**
     * Cancels the timers kept for {@code state}'s user (an erasure; the state itself is deleted by the
     * caller). Returns whether there was one.
     */
    public boolean forget(String user, FeatureState state) {
        CartState cart = state.cart;
        if (cart.timerDue == null) {
            return false;
        }
        timers.cancel(Timers.Kind.CART_ABANDON, user, cart.timerDue);
        cart.timerDue = null;
        return true;
    }

    /**
     * Puts back the abandonment timer {@code state}'s cart waits for when the store does not hold it, and
     * returns whether it did. Timers are written at once and a user's state later: under at-least-once a
     * crash can lose the state that knew a timer had fired or moved while the store kept the change, and
     * the state restored from before would wait for a timer that is gone. A pass over the users after a
     * start puts such timers back: the cart is abandoned, at worst a second time, never not at all.
     */
    public boolean keepTimer(String user, FeatureState state) {
        Long due = state.cart.timerDue;
        return due != null && timers.scheduleIfMissing(Timers.Kind.CART_ABANDON, user, due);
    }

    /** The timers due at or before {@code now}, earliest first. */
    public List<Timers.Due> dueBy(long now) {
        return timers.dueBy(now);
    }

    /**
     * Abandons the user's cart when their activity at {@code at} comes more than the timeout after the cart's
     * last activity and its timer has not fired yet: the cart was abandoned in between, at last activity +
     * timeout, as the timer would have said had it fired first (it had not because the pipeline was down, or
     * because this activity moved the clock past it). Call it before the activity is applied. Returns the
     * abandonment to emit, or null.
     */
    public CartAbandoned abandonIfLapsed(String user, FeatureState state, long at) {
        CartState cart = state.cart;
        if (cart.isEmpty() || cart.abandonedAt != null || cart.lastActivity == Long.MIN_VALUE
                || at <= cart.lastActivity + settings.abandonAfter().toMillis()) {
            return null;
        }
        if (cart.timerDue != null) {
            timers.cancel(Timers.Kind.CART_ABANDON, user, cart.timerDue);
            cart.timerDue = null;
        }
        cart.abandonedAt = cart.lastActivity + settings.abandonAfter().toMillis();
        counters.abandoned();
        return abandonment(user, cart);
    }

    /**
     * Fires a due timer on its user's state (null when the user has none) and removes it. Returns
     * the abandonment to emit, or null when the timer was stale or the cart changed (then it is
     * re-armed). The returned abandonment's time is {@link CartAbandoned#getAbandonedAt()}.
     */
    public CartAbandoned fire(Timers.Due timer, FeatureState state, long now) {
        timers.cancel(timer.kind(), timer.user(), timer.due());
        if (state == null || !Objects.equals(state.cart.timerDue, timer.due())) {
            return null;
        }
        CartState cart = state.cart;
        cart.timerDue = null;
        long abandonedAt = cart.lastActivity + settings.abandonAfter().toMillis();
        if (!cart.isEmpty() && cart.abandonedAt == null && abandonedAt <= now) {
            cart.abandonedAt = abandonedAt;
            counters.abandoned();
            return abandonment(timer.user(), cart);
        }
        armAbandonment(timer.user(), cart);
        return null;
    }

    private static CartAbandoned abandonment(String user, CartState cart) {
        List<LineItem> lines = new ArrayList<>();
        cart.lines.values().forEach(line -> lines.add(LineItem.newBuilder().setProductId(line.productId())
                .setCategory(line.category()).setQuantity(line.quantity()).setUnitPrice(line.unitPrice()).build()));
        return CartAbandoned.newBuilder()
                .setUserId(user)
                .setSessionId(cart.sessionId)
                .setLines(lines)
                .setCartValue(cart.value())
                .setCurrency(cart.currency)
                .setLastActivity(Instant.ofEpochMilli(cart.lastActivity))
                .setAbandonedAt(Instant.ofEpochMilli(cart.abandonedAt))
                .build();
    }
}
