package io.segstream.features;

import io.segstream.facts.Cart;
import io.segstream.facts.CartLine;
import io.segstream.serde.StateEncoding;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.TreeMap;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;

/**
 * A user's open cart (part of the user's state). Its lines depend on the order of adds, removes and
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
    /** What the views read of {@link #lines}, derived once until the lines change; never encoded. */
    private Contents contents;
    /** The encoding of {@link #lines}, made when first written and kept until they change. */
    private byte[] linesEncoded;

    private record Contents(List<CartLine> lines, BigDecimal value, int items, List<String> categories) {}

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
                if (hadLines) {
                    lines.clear();
                    linesChanged();
                }
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
        linesChanged();
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
        linesChanged();
        if (lines.isEmpty()) {
            checkoutStarted = false;
        }
        return true;
    }

    /**
     * A copy for folding: contents only, emission state is kept by the live cart. What is derived from
     * the lines goes with them (both are immutable): a timeline folded again from a copy mostly folds
     * views, which leave the lines as they are.
     */
    CartState copyContents() {
        CartState copy = new CartState();
        copy.lines = new TreeMap<>(lines);
        copy.checkoutStarted = checkoutStarted;
        copy.lastActivity = lastActivity;
        copy.sessionId = sessionId;
        copy.currency = currency;
        copy.contents = contents;
        copy.linesEncoded = linesEncoded;
        return copy;
    }

    /** Takes over this cart's emission state into a re-folded one. */
    CartState withEmissionStateOf(CartState live) {
        abandonedAt = live.abandonedAt;
        timerDue = live.timerDue;
        return this;
    }

    private void linesChanged() {
        contents = null;
        linesEncoded = null;
    }

    boolean isEmpty() {
        return lines.isEmpty();
    }

    BigDecimal value() {
        return contents().value();
    }

    private Contents contents() {
        if (contents == null) {
            BigDecimal value = BigDecimal.ZERO;
            int items = 0;
            for (CartLine line : lines.values()) {
                value = value.add(line.unitPrice().multiply(BigDecimal.valueOf(line.quantity())));
                items += line.quantity();
            }
            List<CartLine> listed = List.copyOf(lines.values());
            contents = new Contents(listed, value, items, Cart.categoriesOf(listed));
        }
        return contents;
    }

    /** The read model. */
    public Cart view() {
        Contents current = contents();
        return new Cart(current.lines(), current.value(), current.items(), currency,
                Times.instant(lastActivity == Long.MIN_VALUE ? null : lastActivity), checkoutStarted,
                Times.instant(abandonedAt), sessionId, current.categories());
    }

    void write(Encoder out) throws IOException {
        if (linesEncoded == null) {
            linesEncoded = StateEncoding.encoded(out, encoder -> StateEncoding.writeArray(encoder, lines.values(), (inner, line) -> {
                inner.writeString(line.productId());
                StateEncoding.writeNullableString(inner, line.category());
                inner.writeInt(line.quantity());
                StateEncoding.writeDecimal(inner, line.unitPrice());
            }));
        }
        // The lines change far less often than the rest (every activity moves lastActivity).
        out.writeFixed(linesEncoded);
        out.writeBoolean(checkoutStarted);
        out.writeLong(lastActivity);
        StateEncoding.writeNullableString(out, sessionId);
        StateEncoding.writeNullableString(out, currency);
        StateEncoding.writeNullableLong(out, abandonedAt);
        StateEncoding.writeNullableLong(out, timerDue);
    }

    static CartState read(Decoder in) throws IOException {
        CartState cart = new CartState();
        StateEncoding.readArray(in, decoder -> {
            CartLine line = new CartLine(decoder.readString(), SharedNames.of(StateEncoding.readNullableString(decoder)),
                    decoder.readInt(), StateEncoding.readDecimal(decoder));
            cart.lines.put(line.productId(), line);
        });
        cart.checkoutStarted = in.readBoolean();
        cart.lastActivity = in.readLong();
        cart.sessionId = StateEncoding.readNullableString(in);
        cart.currency = SharedNames.of(StateEncoding.readNullableString(in));
        cart.abandonedAt = StateEncoding.readNullableLong(in);
        cart.timerDue = StateEncoding.readNullableLong(in);
        return cart;
    }
}
