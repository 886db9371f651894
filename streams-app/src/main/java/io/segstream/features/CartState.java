package io.segstream.features;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A user's open cart (store {@code cart}). Its lines depend on the order of adds, removes and
 * purchases, so it is folded from the user's timeline in event-time order; the abandonment fields
 * record what was emitted and are carried over when the cart is re-folded.
 */
public final class CartState {

    TreeMap<String, CartLine> lines = new TreeMap<>();
    boolean checkoutStarted;
    long lastActivity = Long.MIN_VALUE;
    String sessionId;
    String currency;
    /** Event time at which the current cart was declared abandoned, or null. */
    Long abandonedAt;
    /** Due time of the scheduled abandonment timer, or null. */
    Long timerDue;

    /** Applies one activity; returns true when the cart's contents changed. */
    boolean fold(Activity activity) {
        if (activity.at() >= lastActivity) {
            lastActivity = activity.at();
            if (activity.sessionId() != null) {
                sessionId = activity.sessionId();
            }
        }
        return switch (activity.kind()) {
            case ADD_TO_CART -> add(activity);
            case REMOVE_FROM_CART -> remove(activity);
            case CHECKOUT_START -> {
                checkoutStarted = !lines.isEmpty();
                yield false;
            }
            case PURCHASE -> {
                boolean hadLines = !lines.isEmpty();
                lines.clear();
                checkoutStarted = false;
                yield hadLines;
            }
            default -> false;
        };
    }

    private boolean add(Activity activity) {
        if (activity.productId() == null || activity.quantity() <= 0) {
            return false;
        }
        CartLine current = lines.get(activity.productId());
        int quantity = (current == null ? 0 : current.quantity()) + activity.quantity();
        BigDecimal price = activity.price() != null ? activity.price() : current == null ? BigDecimal.ZERO : current.unitPrice();
        String category = activity.category() != null ? activity.category() : current == null ? null : current.category();
        lines.put(activity.productId(), new CartLine(activity.productId(), category, quantity, price));
        if (activity.currency() != null) {
            currency = activity.currency();
        }
        return true;
    }

    private boolean remove(Activity activity) {
        CartLine current = activity.productId() == null ? null : lines.get(activity.productId());
        if (current == null || activity.quantity() <= 0) {
            return false;
        }
        int quantity = current.quantity() - activity.quantity();
        if (quantity <= 0) {
            lines.remove(activity.productId());
        } else {
            lines.put(activity.productId(), new CartLine(current.productId(), current.category(), quantity, current.unitPrice()));
        }
        if (lines.isEmpty()) {
            checkoutStarted = false;
        }
        return true;
    }

    /** A copy for folding: contents only, emission state is kept by the live cart. */
    CartState copyContents() {
        CartState copy = new CartState();
        copy.lines = new TreeMap<>(lines);
        copy.checkoutStarted = checkoutStarted;
        copy.lastActivity = lastActivity;
        copy.sessionId = sessionId;
        copy.currency = currency;
        return copy;
    }

    /** Takes over this cart's emission state into a re-folded one. */
    CartState withEmissionStateOf(CartState live) {
        abandonedAt = live.abandonedAt;
        timerDue = live.timerDue;
        return this;
    }

    boolean isEmpty() {
        return lines.isEmpty();
    }

    BigDecimal value() {
        BigDecimal value = BigDecimal.ZERO;
        for (CartLine line : lines.values()) {
            value = value.add(line.unitPrice().multiply(BigDecimal.valueOf(line.quantity())));
        }
        return value;
    }

    /** The read model. */
    public Cart view() {
        List<CartLine> current = new ArrayList<>(lines.values());
        int items = current.stream().mapToInt(CartLine::quantity).sum();
        return new Cart(current, value(), items, currency, Times.instant(lastActivity == Long.MIN_VALUE ? null : lastActivity),
                checkoutStarted, Times.instant(abandonedAt), sessionId);
    }
}
