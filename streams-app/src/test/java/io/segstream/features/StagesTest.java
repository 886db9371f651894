package io.segstream.features;

import static io.segstream.testing.Events.add;
import static io.segstream.testing.Events.purchase;
import static io.segstream.testing.Events.remove;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.avro.CartAbandoned;
import io.segstream.config.SegStreamConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The first two stages of the per-user pipeline on their own: de-duplication and feature updates. */
class StagesTest {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    private final FeatureSettings settings = FeatureSettings.from(SegStreamConfig.of(Map.of(
            SegStreamConfig.BOOTSTRAP_SERVERS, "unused:9092", SegStreamConfig.DEDUP_RETENTION, "1h",
            SegStreamConfig.ORDERS_DEDUP_RETENTION, "30d")));
    private final FeatureCounters counters = new FeatureCounters();
    private KeyValueStore<String, String> timers;
    private WindowStore<String, Long> orderIds;

    @BeforeEach
    void setUp() {
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>(new Properties());
        timers = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("timers"), Serdes.String(), Serdes.String())
                .withLoggingDisabled().build();
        timers.init(context.getStateStoreContext(), timers);
        orderIds = Stores.windowStoreBuilder(Stores.inMemoryWindowStore("order-ids", Duration.ofDays(30), Duration.ofMillis(1),
                false), Serdes.String(), Serdes.Long()).withLoggingDisabled().build();
        orderIds.init(context.getStateStoreContext(), orderIds);
    }

    @Test
    void aClickIsADuplicateWithinTheRetentionOfTheUsersLatestClickOnly() {
        Deduplication deduplication = new Deduplication(orderIds, false, settings, counters);
        FeatureState state = new FeatureState();

        assertThat(deduplication.firstClick(state, add("e1", "u1", "sku", 1, "1.00", T0))).isTrue();
        assertThat(deduplication.firstClick(state, add("e1", "u1", "sku", 1, "1.00", T0))).isFalse();
        assertThat(deduplication.firstClick(state, add("e2", "u1", "sku", 1, "1.00", T0.plus(Duration.ofMinutes(61)))))
                .isTrue();
        // e1 is now more than an hour older than the user's latest click: forgotten, and the state stays small.
        assertThat(state.recentEventCount()).isEqualTo(1);
        assertThat(deduplication.firstClick(state, add("e1", "u1", "sku", 1, "1.00", T0))).isTrue();
        assertThat(counters.duplicateCount()).isEqualTo(1);
    }

    @Test
    void anOrderIdCountsOnceWithinTheOrderRetentionWhateverItsTimestamp() {
        Deduplication deduplication = new Deduplication(orderIds, true, settings, counters);
        FeatureState state = new FeatureState();
        List<Runnable> writes = new ArrayList<>();

        assertThat(deduplication.firstOrder(purchase("o1", "u1", "10.00", T0))).isTrue();
        deduplication.rememberOrder(state, purchase("o1", "u1", "10.00", T0), writes::add);
        // Remembered before it is written to the store (with the user's state that counted it).
        assertThat(deduplication.firstOrder(purchase("o1", "u1", "10.00", T0.plus(Duration.ofDays(4))))).isFalse();
        assertThat(storedOrderIds()).isEmpty();

        writes.forEach(Runnable::run);
        assertThat(storedOrderIds()).containsExactly("o1@" + T0.toEpochMilli());
        // Exactly-once, the store's entry is committed with the state: the state holds nothing of it.
        assertThat(deduplication.holdsUnwrittenOrders(state)).isFalse();
        assertThat(deduplication.firstOrder(purchase("o1", "u1", "10.00", T0.plus(Duration.ofDays(4))))).isFalse();
        assertThat(deduplication.firstOrder(purchase("o1", "u1", "10.00", T0.plus(Duration.ofDays(31))))).isTrue();
        assertThat(deduplication.firstOrder(purchase("o2", "u1", "10.00", T0.plus(Duration.ofDays(4))))).isTrue();
        assertThat(counters.duplicateCount()).isEqualTo(2);
    }

    @Test
    void atLeastOnceAnOrderIdIsHeldInTheUsersStateUntilItsEntryInTheStoreIsCommitted() {
        Deduplication deduplication = new Deduplication(orderIds, false, settings, counters);
        FeatureState state = new FeatureState();
        List<Runnable> afterStateWritten = new ArrayList<>();
        List<String> written = new ArrayList<>();

        assertThat(deduplication.firstOrder(purchase("o1", "u1", "10.00", T0))).isTrue();
        deduplication.rememberOrder(state, purchase("o1", "u1", "10.00", T0), write -> {
            throw new AssertionError("at-least-once the id goes to the store through the state");
        });
        assertThat(deduplication.holdsUnwrittenOrders(state)).isTrue();
        // A state read back from its record holds the id too: a crash cannot part the id from the count.
        FeatureState stored = readBack(state);
        assertThat(deduplication.holdsUnwrittenOrders(stored)).isTrue();

        deduplication.writeHeldOrders(state, afterStateWritten::add, (id, time) -> written.add(id + "@" + time));
        assertThat(deduplication.holdsUnwrittenOrders(state)).isFalse();
        assertThat(storedOrderIds()).isEmpty();
        afterStateWritten.forEach(Runnable::run);
        assertThat(storedOrderIds()).containsExactly("o1@" + T0.toEpochMilli());
        assertThat(written).containsExactly("o1@" + T0.toEpochMilli());

        // Committed: the state lets the id go, and the store's entry still finds the repeat.
        assertThat(deduplication.forgetCommittedOrder(state, "o1", T0.toEpochMilli())).isTrue();
        assertThat(deduplication.forgetCommittedOrder(state, "o1", T0.toEpochMilli())).isFalse();
        assertThat(readBack(state).uncommittedOrders).isNull();
        assertThat(deduplication.firstOrder(purchase("o1", "u1", "10.00", T0))).isFalse();

        // The state read back before the commit writes its id to the store again (a crash may have lost it):
        // at once when that state is the one written.
        orderIds.put("o1", null, T0.toEpochMilli());
        assertThat(deduplication.firstOrder(purchase("o1", "u1", "10.00", T0))).isTrue();
        deduplication.writeHeldOrders(stored, Runnable::run, (id, time) -> written.add(id + "@" + time));
        assertThat(deduplication.holdsUnwrittenOrders(stored)).isFalse();
        assertThat(storedOrderIds()).containsExactly("o1@" + T0.toEpochMilli());
        assertThat(deduplication.firstOrder(purchase("o1", "u1", "10.00", T0))).isFalse();
        assertThat(written).containsExactly("o1@" + T0.toEpochMilli(), "o1@" + T0.toEpochMilli());
        assertThat(counters.duplicateCount()).isEqualTo(2);
    }

    private static FeatureState readBack(FeatureState state) {
        try {
            var bytes = new java.io.ByteArrayOutputStream();
            var encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(bytes, null);
            state.write(encoder);
            encoder.flush();
            return FeatureState.read(org.apache.avro.io.DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private List<String> storedOrderIds() {
        List<String> ids = new ArrayList<>();
        try (var all = orderIds.all()) {
            all.forEachRemaining(entry -> ids.add(entry.key.key() + "@" + entry.value));
        }
        return ids;
    }

    @Test
    void cartChangesKeepExactlyOneAbandonmentTimerWhichFiringEarlyReArmsAndAStaleTimerDoesNothing() {
        FeatureUpdates updates = new FeatureUpdates(settings, timers, counters);
        FeatureState state = new FeatureState();
        String firstDue = String.format("%019d|CART_ABANDON|u1", T0.plus(Duration.ofMinutes(30)).toEpochMilli());
        String cartDue = String.format("%019d|CART_ABANDON|u1", T0.plusSeconds(60).plus(Duration.ofMinutes(30)).toEpochMilli());

        updates.click("u1", state, add("e1", "u1", "sku-1", 2, "10.00", T0), T0.toEpochMilli());
        updates.click("u1", state, add("e2", "u1", "sku-2", 1, "5.00", T0.plusSeconds(60)), T0.plusSeconds(60).toEpochMilli());
        // The second add does not move the timer: it stays where the first add put it.
        assertThat(keys(timers)).containsExactly(firstDue);
        assertThat(state.cart().view().value()).isEqualByComparingTo("25.00");

        // Due at T0+30m, the timer finds the cart active until T0+31m: no abandonment, re-armed there.
        List<Timers.Due> early = updates.dueBy(T0.plus(Duration.ofMinutes(30)).toEpochMilli());
        assertThat(early).hasSize(1);
        assertThat(updates.fire(early.get(0), state, T0.plus(Duration.ofMinutes(30)).toEpochMilli())).isNull();
        assertThat(keys(timers)).containsExactly(cartDue);
        assertThat(counters.abandonmentCount()).isZero();

        List<Timers.Due> due = updates.dueBy(T0.plus(Duration.ofHours(1)).toEpochMilli());
        Timers.Due stale = new Timers.Due(T0.plus(Duration.ofMinutes(30)).toEpochMilli(), Timers.Kind.CART_ABANDON, "u1");
        assertThat(updates.fire(stale, state, T0.plus(Duration.ofHours(1)).toEpochMilli())).isNull();
        assertThat(keys(timers)).containsExactly(cartDue);
        CartAbandoned abandonment = updates.fire(due.get(0), state, T0.plus(Duration.ofHours(1)).toEpochMilli());
        assertThat(abandonment.getCartValue()).isEqualByComparingTo("25.00");
        assertThat(abandonment.getAbandonedAt()).isEqualTo(T0.plusSeconds(60).plus(Duration.ofMinutes(30)));
        assertThat(keys(timers)).isEmpty();

        // Emptying the cart after the abandonment arms nothing.
        updates.click("u1", state, remove("e3", "u1", "sku-1", 2, T0.plus(Duration.ofHours(2))), T0.plus(Duration.ofHours(2))
                .toEpochMilli());
        updates.click("u1", state, remove("e4", "u1", "sku-2", 1, T0.plus(Duration.ofHours(2))), T0.plus(Duration.ofHours(2))
                .toEpochMilli());
        assertThat(state.cart().view().lines()).isEmpty();
        assertThat(keys(timers)).isEmpty();
        assertThat(counters.processedCount()).isEqualTo(4);
        assertThat(counters.abandonmentCount()).isEqualTo(1);
    }

    @Test
    void aBusyUsersRecordStaysBounded() {
        FeatureSettings bounded = FeatureSettings.from(SegStreamConfig.of(Map.of(SegStreamConfig.BOOTSTRAP_SERVERS,
                "unused:9092", SegStreamConfig.TIMELINE_MAX_RECENT, "2", SegStreamConfig.DEDUP_MAX_RECENT, "2")));
        Deduplication deduplication = new Deduplication(orderIds, false, bounded, counters);
        FeatureUpdates updates = new FeatureUpdates(bounded, timers, counters);
        FeatureState state = new FeatureState();
        for (int i = 1; i <= 3; i++) {
            var click = add("e" + i, "u1", "sku-" + i, 1, "1.00", T0.plusSeconds(i));
            assertThat(deduplication.firstClick(state, click)).isTrue();
            updates.click("u1", state, click, T0.plusSeconds(i).toEpochMilli());
        }

        assertThat(state.recentActivityCount()).isEqualTo(2);
        assertThat(state.recentEventCount()).isEqualTo(2);
        // The oldest id was forgotten; the settled activity still counts in the cart.
        assertThat(deduplication.firstClick(state, add("e1", "u1", "sku-1", 1, "1.00", T0.plusSeconds(1)))).isTrue();
        assertThat(state.cart().view().items()).isEqualTo(3);
    }

    private static List<String> keys(KeyValueStore<String, String> store) {
        List<String> keys = new ArrayList<>();
        try (var all = store.all()) {
            all.forEachRemaining(entry -> keys.add(entry.key));
        }
        return keys;
    }
}
