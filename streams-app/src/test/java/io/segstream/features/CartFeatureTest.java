package io.segstream.features;

import static io.segstream.testing.Events.add;
import static io.segstream.testing.Events.at;
import static io.segstream.testing.Events.click;
import static io.segstream.testing.Events.purchase;
import static io.segstream.testing.Events.remove;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.avro.CartAbandoned;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.LineItem;
import io.segstream.facts.Cart;
import io.segstream.facts.CartLine;
import io.segstream.testing.PipelineDriver;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CartFeatureTest {

    private PipelineDriver pipeline = new PipelineDriver();

    @AfterEach
    void close() {
        pipeline.close();
    }

    @Test
    void addsRemovesAndCheckoutMakeTheCart() {
        pipeline.click(add("e1", "u1", "sku-1", 2, "19.99", at("2026-11-20T10:00:00Z")));
        pipeline.click(add("e2", "u1", "sku-2", 1, "5.00", at("2026-11-20T10:01:00Z")));
        pipeline.click(add("e3", "u1", "sku-1", 1, "18.99", at("2026-11-20T10:02:00Z")));
        pipeline.click(remove("e4", "u1", "sku-1", 2, at("2026-11-20T10:03:00Z")));
        pipeline.click(remove("e5", "u1", "sku-9", 1, at("2026-11-20T10:03:30Z")));
        pipeline.click(click("e6", "u1", ClickEventType.CHECKOUT_START, at("2026-11-20T10:04:00Z")).setSessionId("s-u1").build());

        Cart cart = pipeline.cart("u1").view();

        assertThat(cart).isEqualTo(new Cart(
                List.of(new CartLine("sku-1", "cat-sku-1", 1, new BigDecimal("18.9900")),
                        new CartLine("sku-2", "cat-sku-2", 1, new BigDecimal("5.0000"))),
                new BigDecimal("23.9900"), 2, "EUR", at("2026-11-20T10:04:00Z"), true, null, "s-u1"));
    }

    /**
     * Events sharing a millisecond are ordered by key, whatever their arrival. With one recent activity
     * kept, the first of a millisecond is settled when the second arrives; a third keyed before them
     * is folded after the settled part. Every add stays in the cart, also for a user whose events
     * have shared a millisecond before (whose state before the newest millisecond is kept in hand).
     */
    @Test
    void anActivityLandingInAPartlySettledMillisecondLosesNothing() {
        pipeline.close();
        pipeline = new PipelineDriver(Map.of("timeline.max.recent", "1"));
        java.time.Instant earlier = at("2026-11-20T09:59:55Z");
        java.time.Instant t = at("2026-11-20T10:00:00Z");
        String tied = idKeyed("a", key -> key > Long.MIN_VALUE + 1, earlier);
        long tiedKey = key(tied, earlier);
        String first = idKeyed("b", key -> true, t);
        long firstKey = key(first, t);

        pipeline.click(add(tied, "u1", "sku-1", 1, "1.00", earlier));
        pipeline.click(add(idKeyed("e", key -> key < tiedKey, earlier), "u1", "sku-1", 1, "1.00", earlier));
        pipeline.click(add(first, "u1", "sku-2", 1, "2.00", t));
        pipeline.click(add(idKeyed("c", key -> key > firstKey, t), "u1", "sku-3", 1, "3.00", t));
        pipeline.click(add(idKeyed("d", key -> key < firstKey, t), "u1", "sku-4", 1, "4.00", t));

        Cart cart = pipeline.cart("u1").view();
        assertThat(cart.lines()).extracting(CartLine::productId).containsExactly("sku-1", "sku-2", "sku-3", "sku-4");
        assertThat(cart.value()).isEqualByComparingTo("11.00");
    }

    /** The first id "{prefix}{n}" whose activity key at {@code at} passes {@code wanted}. */
    private static String idKeyed(String prefix, java.util.function.LongPredicate wanted, java.time.Instant at) {
        for (int n = 0; ; n++) {
            if (wanted.test(key(prefix + n, at))) {
                return prefix + n;
            }
        }
    }

    private static long key(String id, java.time.Instant at) {
        return Activity.of(add(id, "u1", "x", 1, "1.00", at)).key();
    }

    @Test
    void aPurchaseEmptiesTheCartAndCancelsItsAbandonment() {
        pipeline.click(add("e1", "u1", "sku-1", 1, "10.00", at("2026-11-20T10:00:00Z")));
        pipeline.order(purchase("o1", "u1", "10.00", at("2026-11-20T10:05:00Z")));
        pipeline.click(add("e2", "other", "sku-1", 1, "10.00", at("2026-11-20T12:00:00Z")));

        Cart cart = pipeline.cart("u1").view();

        assertThat(cart.lines()).isEmpty();
        assertThat(cart.value()).isEqualByComparingTo("0");
        assertThat(cart.lastActivity()).isEqualTo(at("2026-11-20T10:05:00Z"));
        assertThat(pipeline.abandoned.isEmpty()).isTrue();
    }

    @Test
    void aQuietCartIsAbandonedOnceWhenStreamTimeMovesOnWithoutThatUser() {
        pipeline.click(add("e1", "u1", "sku-1", 2, "19.99", at("2026-11-20T10:00:00Z")));
        pipeline.click(click("e2", "u1", ClickEventType.PAGE_VIEW, at("2026-11-20T10:10:00Z")).setSessionId("s-9").build());
        // Other users' traffic moves stream time past 10:40; u1 sends nothing more.
        pipeline.click(add("x1", "other", "sku-7", 1, "1.00", at("2026-11-20T10:39:59Z")));
        assertThat(pipeline.abandoned.isEmpty()).isTrue();
        pipeline.click(click("x2", "other", ClickEventType.PAGE_VIEW, at("2026-11-20T10:41:00Z")).build());
        pipeline.click(click("x3", "other", ClickEventType.PAGE_VIEW, at("2026-11-20T11:10:00Z")).build());

        List<TestRecord<String, CartAbandoned>> emitted = pipeline.abandoned.readRecordsToList();

        // Only u1: "other" kept clicking, so its cart never went quiet for 30 minutes.
        assertThat(emitted).hasSize(1);
        assertThat(emitted.get(0).key()).isEqualTo("u1");
        // Stamped with the wall-clock time it was written; the event times are in the payload.
        assertThat(emitted.get(0).timestamp()).isEqualTo(PipelineDriver.WALL_CLOCK_START.toEpochMilli());
        assertThat(emitted.get(0).value()).isEqualTo(CartAbandoned.newBuilder()
                .setUserId("u1").setSessionId("s-9")
                .setLines(List.of(LineItem.newBuilder().setProductId("sku-1").setCategory("cat-sku-1").setQuantity(2)
                        .setUnitPrice(new BigDecimal("19.9900")).build()))
                .setCartValue(new BigDecimal("39.9800")).setCurrency("EUR")
                .setLastActivity(at("2026-11-20T10:10:00Z")).setAbandonedAt(at("2026-11-20T10:40:00Z"))
                .build());
        assertThat(pipeline.cart("u1").view().abandonedAt()).isEqualTo(at("2026-11-20T10:40:00Z"));
        assertThat(pipeline.featureCounters().abandonmentCount()).isEqualTo(1);
    }

    @Test
    void aUserWhoReturnsAfterTheTimeoutBeforeTheTimerFiredFindsTheirCartAbandonedAtTheTimeout() {
        pipeline.click(add("e1", "u1", "sku-1", 1, "10.00", at("2026-11-20T10:00:00Z")));
        // Nothing else until u1 comes back an hour later (the pipeline was down, say): their own click is
        // the first past the timer's due time, and it is processed before the timer fires.
        pipeline.click(click("e2", "u1", ClickEventType.PAGE_VIEW, at("2026-11-20T11:00:00Z")).build());
        pipeline.click(add("x1", "other", "sku-7", 1, "1.00", at("2026-11-20T11:20:00Z")));

        assertThat(pipeline.abandoned.readValuesToList()).singleElement().satisfies(abandonment -> {
            assertThat(abandonment.getUserId()).isEqualTo("u1");
            assertThat(abandonment.getLastActivity()).isEqualTo(at("2026-11-20T10:00:00Z"));
            assertThat(abandonment.getAbandonedAt()).isEqualTo(at("2026-11-20T10:30:00Z"));
            assertThat(abandonment.getCartValue()).isEqualByComparingTo("10.00");
        });
        // Abandoned once: the page view did not change the cart, so no timer waits for it.
        Cart cart = pipeline.cart("u1").view();
        assertThat(cart.abandonedAt()).isEqualTo(at("2026-11-20T10:30:00Z"));
        assertThat(cart.lastActivity()).isEqualTo(at("2026-11-20T11:00:00Z"));

        // Back after the timeout with a change to the cart: abandoned at the timeout, then the change re-arms it.
        pipeline.click(add("e3", "u1", "sku-2", 1, "5.00", at("2026-11-20T12:00:00Z")));
        pipeline.click(add("e4", "u1", "sku-3", 1, "2.00", at("2026-11-20T13:00:00Z")));
        // (The other user's cart, quiet since 11:20, is abandoned by its timer once 12:00 moved the clock.)
        assertThat(pipeline.abandoned.readValuesToList())
                .extracting(CartAbandoned::getUserId, CartAbandoned::getAbandonedAt, CartAbandoned::getCartValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("other", at("2026-11-20T11:50:00Z"), new BigDecimal("1.0000")),
                        org.assertj.core.groups.Tuple.tuple("u1", at("2026-11-20T12:30:00Z"), new BigDecimal("15.0000")));
        assertThat(pipeline.featureCounters().abandonmentCount()).isEqualTo(3);
    }

    @Test
    void anAbandonedCartIsNotAbandonedAgainUntilItChanges() {
        pipeline.click(add("e1", "u1", "sku-1", 1, "10.00", at("2026-11-20T10:00:00Z")));
        pipeline.click(click("x1", "other", ClickEventType.PAGE_VIEW, at("2026-11-20T11:00:00Z")).build());
        // u1 browses without touching the cart, then goes quiet again.
        pipeline.click(click("e2", "u1", ClickEventType.PAGE_VIEW, at("2026-11-20T11:05:00Z")).build());
        pipeline.click(click("x2", "other", ClickEventType.PAGE_VIEW, at("2026-11-20T12:00:00Z")).build());
        assertThat(pipeline.abandoned.readValuesToList()).extracting(CartAbandoned::getUserId).containsExactly("u1");

        pipeline.click(add("e3", "u1", "sku-2", 1, "3.00", at("2026-11-20T12:10:00Z")));
        assertThat(pipeline.cart("u1").view().abandonedAt()).isNull();
        pipeline.click(click("x3", "other", ClickEventType.PAGE_VIEW, at("2026-11-20T13:00:00Z")).build());

        List<CartAbandoned> again = pipeline.abandoned.readValuesToList();
        assertThat(again).extracting(CartAbandoned::getUserId).containsExactly("u1");
        assertThat(again.get(0).getCartValue()).isEqualByComparingTo("13.00");
        assertThat(again.get(0).getAbandonedAt()).isEqualTo(at("2026-11-20T12:40:00Z"));
    }

    @Test
    void inWallClockModeAQuietCartIsAbandonedWithNoTrafficAtAll() {
        pipeline.close();
        pipeline = new PipelineDriver(Map.of("time.mode", "wall", "punctuation.interval", "5s"));
        // Event time just before the test driver's wall clock start.
        pipeline.click(add("e1", "u1", "sku-1", 1, "10.00",
                PipelineDriver.WALL_CLOCK_START.minus(Duration.ofMinutes(5))));

        pipeline.advanceWallClock(Duration.ofMinutes(24));
        assertThat(pipeline.abandoned.isEmpty()).isTrue();
        pipeline.advanceWallClock(Duration.ofMinutes(2));

        assertThat(pipeline.abandoned.readValuesToList()).singleElement()
                .extracting(CartAbandoned::getAbandonedAt)
                .isEqualTo(PipelineDriver.WALL_CLOCK_START.plus(Duration.ofMinutes(25)));
        assertThat(pipeline.timers()).isEmpty();
    }
}
