package io.segstream.topology;

import static io.segstream.testing.Events.add;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segstream.config.StoreNames;
import io.segstream.features.FeatureCounters;
import io.segstream.features.FeatureSettings;
import io.segstream.features.FeatureUpdates;
import io.segstream.config.SegStreamConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Store users: decoded users in front of the encoded store, written back per flush and on eviction. */
class UserStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    private static final UserStateSerde SERDE = UserStateSerde.INSTANCE;

    private final FeatureSettings settings = FeatureSettings.from(SegStreamConfig.of(Map.of(
            SegStreamConfig.BOOTSTRAP_SERVERS, "unused:9092")));
    private MockProcessorContext<String, Object> context;
    private FeatureUpdates features;
    private UserStore users;
    private long wallClock = T0.toEpochMilli();

    @BeforeEach
    void setUp() {
        context = new MockProcessorContext<>(new Properties());
        KeyValueStore<String, String> timers = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.TIMERS),
                Serdes.String(), Serdes.String()).withLoggingDisabled().build();
        timers.init(context.getStateStoreContext(), timers);
        features = new FeatureUpdates(settings, timers, new FeatureCounters());
        users = UserStore.builder(Stores.inMemoryKeyValueStore(StoreNames.USERS), 2, Duration.ofSeconds(1), () -> wallClock)
                .withLoggingDisabled().build();
        users.init(context.getStateStoreContext(), users);
    }

    /** The user's state after adding {@code quantity} of a product to their cart. */
    private UserState addToCart(String user, String event, int quantity) {
        UserState state = users.load(user);
        if (state == null) {
            state = UserState.empty();
        }
        features.click(user, state.features(), add(event, user, "sku-1", quantity, "2.50", T0), T0.toEpochMilli());
        users.save(user, state);
        return state;
    }

    private int encodedItems(String user) {
        byte[] stored = users.get(user);
        return stored == null ? -1 : SERDE.decode(stored).features().cart().view().items();
    }

    @Test
    void aChangedUserIsKeptDecodedAndWrittenToTheStoreOncePerFlush() {
        UserState first = addToCart("u1", "e1", 1);
        UserState second = addToCart("u1", "e2", 2);

        assertThat(second).isSameAs(first);
        assertThat(users.get("u1")).isNull();
        assertThat(users.approximateNumEntries()).isZero();

        users.flushCache();
        assertThat(encodedItems("u1")).isEqualTo(3);
        assertThat(SERDE.decode(users.get("u1")).features().cart().view())
                .isEqualTo(first.features().cart().view());

        addToCart("u1", "e3", 4);
        assertThat(encodedItems("u1")).isEqualTo(3);
        users.flushCache();
        assertThat(encodedItems("u1")).isEqualTo(7);
    }

    @Test
    void theLeastRecentlyActiveUserBeyondTheBoundIsWrittenBackAndDropped() {
        addToCart("u1", "e1", 1);
        addToCart("u2", "e2", 2);
        users.load("u1");
        addToCart("u3", "e3", 3);

        assertThat(users.held("u2")).isNull();
        assertThat(encodedItems("u2")).isEqualTo(2);
        assertThat(users.held("u1")).isNotNull();
        assertThat(users.held("u3")).isNotNull();
        assertThat(encodedItems("u1")).isEqualTo(-1);

        // Read back from the encoded store, u2 goes on from where it was.
        addToCart("u2", "e4", 5);
        users.flushCache();
        assertThat(encodedItems("u2")).isEqualTo(7);
    }

    @Test
    void aChangeIsWrittenBackASecondAfterItOldestFirstAtMostAsManyAsAsked() {
        addToCart("u1", "e1", 1);
        wallClock += 400;
        addToCart("u2", "e2", 2);
        addToCart("u1", "e3", 1);

        wallClock += 599;
        users.writeBackChanged(5);
        assertThat(encodedItems("u1")).isEqualTo(-1);

        wallClock += 1;
        users.writeBackChanged(5);
        assertThat(encodedItems("u1")).isEqualTo(2);
        assertThat(encodedItems("u2")).isEqualTo(-1);

        addToCart("u1", "e4", 3);
        wallClock += 1_000;
        users.writeBackChanged(1);
        assertThat(encodedItems("u2")).isEqualTo(2);
        assertThat(encodedItems("u1")).isEqualTo(2);
        users.writeBackChanged(1);
        assertThat(encodedItems("u1")).isEqualTo(5);
    }

    /** Replaces {@link #users} with a store (1 s write-back) initialised at the wall clock under Kafka Streams {@code streams} settings. */
    private void usersUnder(Map<String, Object> streams) {
        Properties properties = new Properties();
        properties.putAll(streams);
        users = UserStore.builder(Stores.inMemoryKeyValueStore(StoreNames.USERS), 2, Duration.ofSeconds(1), () -> wallClock)
                .withLoggingDisabled().build();
        users.init(new MockProcessorContext<>(properties).getStateStoreContext(), users);
    }

    /** Asserts that the user's change is written back at wall-clock ms {@code at}, not a millisecond sooner, with {@code items} in the cart. */
    private void assertWrittenBackFirstAt(long at, String user, int items) {
        wallClock = at - 1;
        users.writeBackChanged(5);
        assertThat(encodedItems(user)).isEqualTo(-1);
        wallClock = at;
        users.writeBackChanged(5);
        assertThat(encodedItems(user)).isEqualTo(items);
    }

    @Test
    void asACommitFurtherApartThanTheWriteBackNearsTheWriteBackComesSooner() {
        usersUnder(Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 10_000));
        long start = wallClock;

        // 1.5 s before the commit: written once the time since the change reaches the time left to it.
        wallClock = start + 8_500;
        addToCart("u1", "e1", 1);
        assertWrittenBackFirstAt(start + 9_250, "u1", 1);

        wallClock = start + 9_900;
        addToCart("u2", "e2", 2);
        assertWrittenBackFirstAt(start + 9_950, "u2", 2);

        // The commit ends late, at 10.9 s: the next is an interval on from there, and a second's delay again
        // until the last second before it.
        wallClock = start + 10_900;
        users.commit(Map.of());
        wallClock = start + 11_000;
        addToCart("u3", "e3", 3);
        assertWrittenBackFirstAt(start + 12_000, "u3", 3);
        wallClock = start + 19_500;
        addToCart("u4", "e4", 4);
        assertWrittenBackFirstAt(start + 20_200, "u4", 4);
    }

    @Test
    void afterCommitsWithNothingToCommitTheNextIsTakenAsAnIntervalOnFromTheLastThatWouldHaveCome() {
        usersUnder(Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 10_000));
        long start = wallClock;
        users.commit(Map.of());

        // No commit at 10 s, 20 s, 30 s, 40 s: the next is taken at 50 s, so a change at 45 s waits its second.
        wallClock = start + 45_000;
        addToCart("u1", "e1", 1);
        assertWrittenBackFirstAt(start + 46_000, "u1", 1);

        wallClock = start + 49_600;
        addToCart("u2", "e2", 2);
        assertWrittenBackFirstAt(start + 49_800, "u2", 2);
    }

    @Test
    void commitsNoFurtherApartThanTheWriteBackLeaveItsDelayAlone() {
        usersUnder(Map.of(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2));
        long start = wallClock;

        // Exactly-once commits every 100 ms: a change half a second before where an at-least-once commit
        // would come (30 s) still waits its second.
        wallClock = start + 29_500;
        addToCart("u1", "e1", 1);
        assertWrittenBackFirstAt(start + 30_500, "u1", 1);
    }

    @Test
    void aFlushLeavesNothingToWriteBackUntilTheNextChange() {
        addToCart("u1", "e1", 1);
        users.flushCache();
        // Changed in place but not saved: not a change the store knows of.
        UserState held = users.held("u1");
        features.click("u1", held.features(), add("e2", "u1", "sku-1", 1, "2.50", T0), T0.toEpochMilli());
        wallClock += 5_000;

        users.writeBackChanged(5);
        assertThat(encodedItems("u1")).isEqualTo(1);

        users.save("u1", held);
        wallClock += 1_000;
        users.writeBackChanged(5);
        assertThat(encodedItems("u1")).isEqualTo(2);
    }

    @Test
    void aUserDeletedRightAfterTheirLastEventStartsOverWithTheNext() {
        addToCart("u1", "e1", 1);
        users.flushCache();
        addToCart("u1", "e2", 2);

        assertThat(users.delete("u1")).isTrue();
        assertThat(users.load("u1")).isNull();
        assertThat(users.held("u1")).isNull();

        addToCart("u1", "e3", 4);
        users.flushCache();
        assertThat(encodedItems("u1")).isEqualTo(4);
    }

    @Test
    void whatAScanSavesForAUserNotHeldGoesStraightToTheStore() {
        addToCart("u1", "e1", 1);
        users.flushCache();
        users.clearCache();
        UserState scanned = SERDE.decode(users.get("u1"));
        features.click("u1", scanned.features(), add("e2", "u1", "sku-1", 1, "2.50", T0), T0.toEpochMilli());

        users.saveScanned("u1", scanned);

        assertThat(encodedItems("u1")).isEqualTo(2);
        assertThat(users.held("u1")).isNull();
    }

    @Test
    void theChangesNotWrittenYetAreHandedOverWithoutWritingThem() {
        addToCart("u1", "e1", 1);
        users.flushCache();
        UserState changed = addToCart("u1", "e2", 2);
        UserState created = addToCart("u2", "e3", 4);

        assertThat(users.changedStates()).containsExactlyInAnyOrderEntriesOf(Map.of("u1", changed, "u2", created));
        assertThat(encodedItems("u1")).as("u1's change waits for its write-back").isEqualTo(1);
        assertThat(users.get("u2")).as("u2 waits for its first write").isNull();
        users.flushCache();
        assertThat(users.changedStates()).isEmpty();
    }

    @Test
    void reinitialisingOrClearingDropsDecodedStatesWithoutWritingThem() {
        addToCart("u1", "e1", 1);
        users.flushCache();
        addToCart("u1", "e2", 2);

        users.clearCache();
        assertThat(users.held("u1")).isNull();
        assertThat(users.load("u1").features().cart().view().items()).isEqualTo(1);

        addToCart("u1", "e3", 5);
        users.init(context.getStateStoreContext(), users);
        assertThat(users.load("u1").features().cart().view().items()).isEqualTo(1);
    }

    /**
     * What {@link UserStore#afterStateWritten} and {@link UserStore#afterInputCommitted} ran, each write recording the
     * user's encoded cart items at that moment: a write never runs before the state it goes with is written.
     */
    private final List<String> written = new ArrayList<>();

    private void writeAfterState(String user, String what) {
        users.afterStateWritten(user, () -> written.add(what + " with " + encodedItems(user)));
    }

    @Test
    void aWriteThatGoesWithAChangeRunsRightAfterTheUsersStateIsWrittenHoweverItIs() {
        addToCart("u1", "e1", 1);
        writeAfterState("u1", "order-1");
        addToCart("u1", "e2", 2);
        writeAfterState("u1", "order-2");
        assertThat(written).isEmpty();

        // Written back a second after the change.
        wallClock += 1_000;
        users.writeBackChanged(5);
        assertThat(written).containsExactly("order-1 with 3", "order-2 with 3");

        // Evicted: two users are held.
        addToCart("u1", "e3", 1);
        writeAfterState("u1", "order-3");
        addToCart("u2", "e4", 1);
        addToCart("u3", "e5", 1);
        assertThat(written).containsExactly("order-1 with 3", "order-2 with 3", "order-3 with 4");

        // At the flush before a commit; then deleted (an erasure) before it was written.
        writeAfterState("u2", "order-4");
        users.flushCache();
        addToCart("u3", "e6", 1);
        writeAfterState("u3", "order-5");
        users.delete("u3");
        assertThat(written).containsExactly("order-1 with 3", "order-2 with 3", "order-3 with 4", "order-4 with 1",
                "order-5 with -1");

        // A user not held, or held and written already: at once. The next flush runs nothing again.
        writeAfterState("u9", "order-6");
        writeAfterState("u2", "order-7");
        users.flushCache();
        assertThat(written).endsWith("order-6 with -1", "order-7 with 1").hasSize(7);
    }

    @Test
    void atLeastOnceAWriteAfterTheInputIsCommittedRunsAtTheFirstFlushAfterTheNextCommit() {
        addToCart("u1", "e1", 1);
        users.afterInputCommitted(() -> written.add("request-1 with " + encodedItems("u1")));
        // The flush before the commit writes the user, not the request: the commit of the offsets comes after it.
        users.flushCache();
        assertThat(encodedItems("u1")).isEqualTo(1);
        assertThat(written).isEmpty();

        // Kafka Streams commits the stores after the offsets; the write goes with the next flush.
        users.commit(Map.of());
        assertThat(written).isEmpty();
        addToCart("u1", "e2", 1);
        users.flushCache();
        assertThat(written).containsExactly("request-1 with 2");

        users.commit(Map.of());
        users.flushCache();
        assertThat(written).hasSize(1);
    }

    /** Initialises the store again as an exactly-once application's. */
    private void initExactlyOnce() {
        Properties exactlyOnce = new Properties();
        exactlyOnce.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        users.init(new MockProcessorContext<>(exactlyOnce).getStateStoreContext(), users);
    }

    @Test
    void exactlyOnceAWriteAfterTheInputIsCommittedRunsAtTheNextFlushInTheTransactionThatCommitsTheInput() {
        initExactlyOnce();
        addToCart("u1", "e1", 1);
        users.afterInputCommitted(() -> written.add("request-1 with " + encodedItems("u1")));
        assertThat(written).isEmpty();

        users.flushCache();
        assertThat(written).containsExactly("request-1 with 1");
    }

    @Test
    void exactlyOnceAWriteAtTheFlushThatEvictsAChangedUserRunsThatUsersWritesInTheSameFlush() {
        initExactlyOnce();
        addToCart("u1", "e1", 1);
        addToCart("u2", "e2", 1);
        addToCart("u3", "e3", 1);
        users.afterInputCommitted(() -> {
            // As a write that loads a user does: u2 changes, u3 is read, and loading u1 evicts u2.
            addToCart("u2", "e4", 1);
            users.afterStateWritten("u2", () -> users.afterInputCommitted(() -> written.add("u2 with " + encodedItems("u2"))));
            users.load("u3");
            addToCart("u1", "e5", 1);
            written.add("u1 loaded");
        });

        users.flushCache();
        assertThat(written).containsExactly("u1 loaded", "u2 with 2");
        users.flushCache();
        assertThat(written).hasSize(2);
    }

    @Test
    void writesWaitingForStatesThatAreDroppedAreDroppedWithThem() {
        addToCart("u1", "e1", 1);
        writeAfterState("u1", "order-1");
        users.afterInputCommitted(() -> written.add("request-1"));

        users.clearCache();
        users.commit(Map.of());
        users.flushCache();
        addToCart("u1", "e2", 1);
        users.flushCache();

        assertThat(written).isEmpty();
    }

    /** The users taken from {@link UserStore#takeWaiting}, each as "user@latest event time", in order. */
    private List<String> takeWaiting() {
        return takeWaiting(0);
    }

    /** As {@link #takeWaiting()}, taken at wall-clock ms {@code now}. */
    private List<String> takeWaiting(long now) {
        List<String> taken = new ArrayList<>();
        users.takeWaiting(now, (user, eventTime) -> taken.add(user + "@" + eventTime));
        return taken;
    }

    @Test
    void aUserQuietForTheIntervalIsDecidedAtOnceAndTheirNextEventsWithinItWait() {
        addToCart("u1", "e1", 1);
        assertThat(users.decideAtOnceElseWait("u1", 10, 1_000, 10)).isTrue();
        addToCart("u1", "e2", 1);
        assertThat(users.decideAtOnceElseWait("u1", 20, 1_004, 10)).isFalse();
        addToCart("u1", "e3", 1);
        // Waiting, the user goes on waiting however long ago they were decided.
        assertThat(users.decideAtOnceElseWait("u1", 30, 1_012, 10)).isFalse();
        addToCart("u2", "e4", 1);
        assertThat(users.decideAtOnceElseWait("u2", 40, 1_012, 10)).isTrue();

        assertThat(takeWaiting(1_013)).containsExactly("u1@30");
        // Taken at 1,013: quiet again from 1,023.
        addToCart("u1", "e5", 1);
        assertThat(users.decideAtOnceElseWait("u1", 50, 1_022, 10)).isFalse();
        assertThat(takeWaiting(1_030)).containsExactly("u1@50");
        addToCart("u1", "e6", 1);
        assertThat(users.decideAtOnceElseWait("u1", 60, 1_040, 10)).isTrue();
        assertThat(takeWaiting(1_041)).isEmpty();
    }

    /** The user's event adds {@code quantity} to their cart, and they wait with an event time of {@code eventTime}. */
    private void waitsAfter(String user, String event, int quantity, long eventTime) {
        addToCart(user, event, quantity);
        users.markWaiting(user, eventTime);
    }

    @Test
    void waitingUsersAreTakenOnceEachInTheOrderTheyStartedWaitingWithTheirLatestEventTime() {
        waitsAfter("u1", "e1", 1, 10);
        waitsAfter("u2", "e2", 1, 30);
        waitsAfter("u1", "e3", 1, 20);
        waitsAfter("u3", "e4", 1, 5);
        assertThat(users.stopWaiting("u3")).isEqualTo(5);
        assertThat(users.stopWaiting("u3")).isNull();

        assertThat(takeWaiting()).containsExactly("u1@20", "u2@30");
        assertThat(takeWaiting()).isEmpty();
        assertThat(users.stopWaiting("u1")).isNull();

        // Stopped and started again, a user waits behind those who waited meanwhile.
        waitsAfter("u1", "e5", 1, 40);
        waitsAfter("u2", "e6", 1, 50);
        assertThat(users.stopWaiting("u1")).isEqualTo(40);
        waitsAfter("u1", "e7", 1, 60);
        assertThat(takeWaiting()).containsExactly("u2@50", "u1@60");
    }

    @Test
    void aWaitingUserEvictedFromTheDecodedOnesKeepsTheirPlaceAndTimeWhenHeldAgain() {
        waitsAfter("u1", "e1", 1, 10);
        waitsAfter("u2", "e2", 1, 20);
        // Two are held: u3 evicts u1, who is written back and keeps waiting.
        waitsAfter("u3", "e3", 1, 30);
        assertThat(users.held("u1")).isNull();
        assertThat(encodedItems("u1")).isEqualTo(1);

        // Held again by their next event, u1 waits with the later time, still first.
        waitsAfter("u1", "e4", 2, 40);
        assertThat(takeWaiting()).containsExactly("u1@40", "u2@20", "u3@30");

        // Evicted while waiting and erased, a user waits no more.
        waitsAfter("u4", "e5", 1, 50);
        addToCart("u5", "e6", 1);
        addToCart("u6", "e7", 1);
        assertThat(users.held("u4")).isNull();
        assertThat(users.delete("u4")).isTrue();
        assertThat(users.stopWaiting("u4")).isNull();
        assertThat(takeWaiting()).isEmpty();
    }

    @Test
    void aUserWaitsOnlyOnceSaved() {
        assertThatThrownBy(() -> users.markWaiting("u1", 10)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void interactiveQueriesReadItAsAKeyValueStore() {
        assertThat(QueryableStoreTypes.<String, byte[]>keyValueStore().accepts(users)).isTrue();
        assertThat(users.name()).isEqualTo(StoreNames.USERS);
    }
}
