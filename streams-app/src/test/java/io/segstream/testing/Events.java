package io.segstream.testing;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.GeneratedClasses;
import io.segstream.avro.LineItem;
import io.segstream.avro.Order;
import io.segstream.avro.OrderType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** Compact builders for feature tests: a click or an order at an explicit event time. */
public final class Events {

    static {
        GeneratedClasses.trust();
    }

    private Events() {}

    public static Instant at(String isoTime) {
        return Instant.parse(isoTime);
    }

    public static ClickEvent.Builder click(String id, String user, ClickEventType type, Instant at) {
        return ClickEvent.newBuilder().setEventId(id).setUserId(user).setType(type).setEventTimestamp(at);
    }

    public static ClickEvent view(String id, String user, String session, String category, Instant at) {
        return click(id, user, ClickEventType.PRODUCT_VIEW, at).setSessionId(session).setCategory(category)
                .setProductId("p-" + category).build();
    }

    public static ClickEvent add(String id, String user, String product, int quantity, String price, Instant at) {
        return click(id, user, ClickEventType.ADD_TO_CART, at).setSessionId("s-" + user).setProductId(product)
                .setCategory("cat-" + product).setQuantity(quantity).setPrice(new BigDecimal(price)).setCurrency("EUR")
                .build();
    }

    public static ClickEvent remove(String id, String user, String product, int quantity, Instant at) {
        return click(id, user, ClickEventType.REMOVE_FROM_CART, at).setSessionId("s-" + user).setProductId(product)
                .setQuantity(quantity).build();
    }

    public static Order purchase(String orderId, String user, String total, Instant at) {
        return order(orderId, user, OrderType.PURCHASE, total, at);
    }

    public static Order refund(String orderId, String user, String total, Instant at) {
        return order(orderId, user, OrderType.REFUND, total, at);
    }

    private static Order order(String orderId, String user, OrderType type, String total, Instant at) {
        BigDecimal amount = new BigDecimal(total);
        return Order.newBuilder().setOrderId(orderId).setUserId(user).setType(type)
                .setLines(List.of(LineItem.newBuilder().setProductId("sku").setQuantity(type == OrderType.REFUND ? -1 : 1)
                        .setUnitPrice(amount.abs()).build()))
                .setTotal(amount).setCurrency("GBP").setEventTimestamp(at).build();
    }
}
