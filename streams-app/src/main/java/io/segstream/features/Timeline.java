package io.segstream.features;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The order-sensitive part of a user's history (store {@code timeline}): the cart and dwell state
 * settled up to {@code stream time - grace}, plus every activity since, sorted by event time.
 * An activity that lands inside the recent part is folded again from the settled state, which
 * gives exactly the result in-order arrival would have given. Lateness is checked per input
 * partition upstream, so an activity of an input that fell behind the other by more than grace
 * can land before the settled point: it is folded right after the settled state.
 */
public final class Timeline {

    CartState settledCart = new CartState();
    DwellState settledDwell = new DwellState();
    long settledBefore = Long.MIN_VALUE;
    List<Activity> recent = new ArrayList<>();

    /** Inserts {@code activity} in event-time order; returns true when it is the newest (an in-order arrival). */
    boolean insert(Activity activity) {
        int position = Collections.binarySearch(recent, activity, Activity.EVENT_TIME_ORDER);
        int index = position >= 0 ? position : -position - 1;
        recent.add(index, activity);
        return index == recent.size() - 1;
    }

    /** Folds activities before {@code horizon} into the settled state; they can no longer be overtaken. */
    void settle(long horizon, long sessionGapMs, long dwellMaxMs) {
        int settled = 0;
        while (settled < recent.size() && recent.get(settled).at() < horizon) {
            Activity activity = recent.get(settled++);
            settledCart.fold(activity);
            settledDwell.fold(activity, sessionGapMs, dwellMaxMs);
        }
        recent.subList(0, settled).clear();
        settledBefore = Math.max(settledBefore, horizon);
    }

    /** The cart folded from the settled state over every recent activity, keeping {@code live}'s emission state. */
    CartState refoldCart(CartState live) {
        CartState cart = settledCart.copyContents();
        recent.forEach(cart::fold);
        return cart.withEmissionStateOf(live);
    }

    DwellState refoldDwell(long sessionGapMs, long dwellMaxMs) {
        DwellState dwell = settledDwell.copy();
        recent.forEach(activity -> dwell.fold(activity, sessionGapMs, dwellMaxMs));
        return dwell;
    }
}
