package io.segstream.testing;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.DeviceType;
import io.segstream.avro.GeneratedClasses;
import io.segstream.avro.LineItem;
import io.segstream.avro.Order;
import io.segstream.avro.OrderType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** Realistic records for tests, with every optional field that matters filled in. */
public final class TestRecords {

    static {
        GeneratedClasses.trust();
    }

    private TestRecords() {}

    /** An amount at the contracts' scale of 4, so records compare equal after a round trip. */
    public static BigDecimal money(String amount) {
        return new BigDecimal(amount).setScale(4);
    }

    public static ClickEvent productView(String eventId, String userId, String category, Instant at) {
        return ClickEvent.newBuilder()
                .setEventId(eventId)
                .setUserId(userId)
                .setSessionId("s-" + userId)
                .setType(ClickEventType.PRODUCT_VIEW)
                .setPageType("product")
                .setProductId("sku-" + eventId)
                .setCategory(category)
                .setPrice(money("24.50"))
                .setCurrency("EUR")
                .setDevice(DeviceType.DESKTOP)
                .setEventTimestamp(at)
                .build();
    }

    public static ClickEvent addToCart(String eventId, String userId, Instant at) {
        return ClickEvent.newBuilder()
                .setEventId(eventId)
                .setUserId(userId)
                .setSessionId("s-" + userId)
                .setType(ClickEventType.ADD_TO_CART)
                .setPageType("product")
                .setPageUrl("/p/sku-42")
                .setProductId("sku-42")
                .setCategory("electronics.smartphone")
                .setPrice(money("199.99"))
                .setCurrency("EUR")
                .setQuantity(2)
                .setDwellMs(12_500L)
                .setScrollDepth(80)
                .setDevice(DeviceType.MOBILE)
                .setEventTimestamp(at)
                .build();
    }

    public static ClickEvent anonymousPageView(String eventId, String anonymousId, Instant at) {
        return ClickEvent.newBuilder()
                .setEventId(eventId)
                .setAnonymousId(anonymousId)
                .setType(ClickEventType.PAGE_VIEW)
                .setPageType("home")
                .setPageUrl("/")
                .setEventTimestamp(at)
                .build();
    }

    public static Order purchase(String orderId, String userId, Instant at) {
        return Order.newBuilder()
                .setOrderId(orderId)
                .setUserId(userId)
                .setType(OrderType.PURCHASE)
                .setLines(List.of(
                        LineItem.newBuilder().setProductId("85123A").setCategory("home.decor").setQuantity(6)
                                .setUnitPrice(money("2.55")).build(),
                        LineItem.newBuilder().setProductId("71053").setQuantity(1)
                                .setUnitPrice(money("0.001")).build()))
                .setTotal(money("15.301"))
                .setCurrency("GBP")
                .setEventTimestamp(at)
                .build();
    }
}
