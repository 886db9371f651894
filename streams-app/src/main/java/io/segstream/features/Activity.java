package io.segstream.features;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.Order;
import io.segstream.avro.OrderType;
import io.segstream.serde.StateEncoding;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Comparator;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;

/**
 * One thing a user did, reduced to what the features need, in the order-sensitive timeline.
 * {@code key}, a fingerprint of the event or order id, breaks ties between activities at the same
 * millisecond, so every arrival order folds them in the same order.
 */
public record Activity(
        long at,
        long key,
        Kind kind,
        String sessionId,
        String productId,
        String category,
        int quantity,
        BigDecimal price,
        String currency,
        Long dwellMs) {

    /** What was done. Part of the state encoding: symbols are only ever appended. */
    public enum Kind { PAGE_VIEW, PRODUCT_VIEW, ADD_TO_CART, REMOVE_FROM_CART, CHECKOUT_START, SEARCH, PURCHASE, REFUND }

    private static final Kind[] KINDS = Kind.values();

    public static final Comparator<Activity> EVENT_TIME_ORDER =
            Comparator.comparingLong(Activity::at).thenComparingLong(Activity::key);

    public static Activity of(ClickEvent click) {
        return new Activity(click.getEventTimestamp().toEpochMilli(), RecentEvents.fingerprint("c:" + click.getEventId()),
                kindOf(click.getType()), click.getSessionId(), click.getProductId(), SharedNames.of(click.getCategory()),
                click.getQuantity() == null ? 1 : click.getQuantity(), click.getPrice(), SharedNames.of(click.getCurrency()),
                click.getDwellMs());
    }

    public static Activity of(Order order) {
        return new Activity(order.getEventTimestamp().toEpochMilli(), RecentEvents.fingerprint("o:" + order.getOrderId()),
                kindOf(order.getType()), null, null, null, 0, null, SharedNames.of(order.getCurrency()), null);
    }

    /** What a click did; UNKNOWN (a symbol newer than this reader) is refused by the input contract first. */
    private static Kind kindOf(ClickEventType type) {
        return switch (type) {
            case PAGE_VIEW -> Kind.PAGE_VIEW;
            case PRODUCT_VIEW -> Kind.PRODUCT_VIEW;
            case ADD_TO_CART -> Kind.ADD_TO_CART;
            case REMOVE_FROM_CART -> Kind.REMOVE_FROM_CART;
            case CHECKOUT_START -> Kind.CHECKOUT_START;
            case SEARCH -> Kind.SEARCH;
            case UNKNOWN -> throw new IllegalArgumentException("A click of an unknown type has no activity");
        };
    }

    private static Kind kindOf(OrderType type) {
        return switch (type) {
            case PURCHASE -> Kind.PURCHASE;
            case REFUND -> Kind.REFUND;
            case UNKNOWN -> throw new IllegalArgumentException("An order of an unknown type has no activity");
        };
    }

    boolean isClick() {
        return kind != Kind.PURCHASE && kind != Kind.REFUND;
    }

    boolean isPageView() {
        return kind == Kind.PAGE_VIEW || kind == Kind.PRODUCT_VIEW;
    }

    /** Everything but the time and id, under schema io/segstream/state/activity-body-v1.avsc. */
    void writeBody(Encoder out) throws IOException {
        out.writeEnum(kind.ordinal());
        StateEncoding.writeNullableString(out, sessionId);
        StateEncoding.writeNullableString(out, productId);
        StateEncoding.writeNullableString(out, category);
        out.writeInt(quantity);
        StateEncoding.writeNullableDecimal(out, price);
        StateEncoding.writeNullableString(out, currency);
        StateEncoding.writeNullableLong(out, dwellMs);
    }

    static Activity readBody(long at, long key, Decoder in) throws IOException {
        return new Activity(at, key, KINDS[in.readEnum()], StateEncoding.readNullableString(in),
                StateEncoding.readNullableString(in), SharedNames.of(StateEncoding.readNullableString(in)), in.readInt(),
                StateEncoding.readNullableDecimal(in), SharedNames.of(StateEncoding.readNullableString(in)),
                StateEncoding.readNullableLong(in));
    }
}
