package io.segstream.topology;

import static io.segstream.testing.Events.add;
import static io.segstream.testing.Events.purchase;
import static io.segstream.testing.Events.remove;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.segstream.avro.CartAbandoned;
import io.segstream.avro.ChangeTrigger;
import io.segstream.avro.Model;
import io.segstream.avro.RfmSketches;
import io.segstream.avro.SegmentChange;
import io.segstream.avro.SegmentChangeKind;
import io.segstream.avro.SegmentDefinition;
import io.segstream.avro.UserSegments;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.StoreNames;
import io.segstream.features.FeatureSettings;
import io.segstream.privacy.PrivacySettings;
import io.segstream.segments.SegmentEvaluator;
import io.segstream.testing.Definitions;
import io.segstream.testing.Models;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-user processor and its punctuators, driven directly on in-memory stores. */
class UserProcessorTest {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    private static final io.segstream.registry.InMemorySchemaRegistry REGISTRY =
            io.segstream.registry.InMemorySchemaRegistry.named("user-processor-test");

    private final InstanceState instance = InstanceState.create();
    private MockProcessorContext<String, Object> context;
    private KeyValueStore<String, SegmentDefinition> definitions;
    private KeyValueStore<String, Model> models;
    private KeyValueStore<String, String> timers;
    private WindowStore<String, Long> orderIds;
    private UserStore users;
    private FeatureSettings settings;
    private PrivacySettings privacySettings;
    private UserProcessor processor;

    @BeforeEach
    void setUp() {
        SegStreamConfig config = SegStreamConfig.of(Map.of(SegStreamConfig.BOOTSTRAP_SERVERS, "unused:9092",
                SegStreamConfig.TIME_MODE, "stream"));
        settings = FeatureSettings.from(config);
        privacySettings = PrivacySettings.from(config);
        context = new MockProcessorContext<>(new Properties());
        context.setCurrentSystemTimeMs(Instant.parse("2026-11-23T00:00:00Z").toEpochMilli());
        users = UserStore.builder(Stores.inMemoryKeyValueStore(StoreNames.USERS), 100, Duration.ofSeconds(5)).withLoggingDisabled().build();
        orderIds = Stores.windowStoreBuilder(Stores.inMemoryWindowStore(StoreNames.ORDER_IDS,
                settings.orderDedupRetention(), Duration.ofMillis(1), false), Serdes.String(), Serdes.Long())
                .withLoggingDisabled().build();
        timers = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.TIMERS), Serdes.String(),
                Serdes.String()).withLoggingDisabled().build();
        definitions = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.DEFINITIONS), Serdes.String(),
                new io.segstream.serde.SpecificAvroSerde<>(SegmentDefinition.class, REGISTRY, false)).withLoggingDisabled().build();
        KeyValueStore<String, RfmSketches> sketches = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(StoreNames.RFM_SKETCHES), Serdes.String(),
                new io.segstream.serde.SpecificAvroSerde<>(RfmSketches.class, REGISTRY, false)).withLoggingDisabled().build();
        WindowStore<String, Long> privacyRequestIds = Stores.windowStoreBuilder(Stores.inMemoryWindowStore(
                StoreNames.PRIVACY_REQUEST_IDS, Duration.ofDays(30), Duration.ofMillis(1), false), Serdes.String(),
                Serdes.Long()).withLoggingDisabled().build();
        models = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.MODELS), Serdes.String(),
                new io.segstream.serde.SpecificAvroSerde<>(Model.class,
                        io.segstream.registry.InMemorySchemaRegistry.named("user-processor-test-models"), false)).withLoggingDisabled().build();
        for (var store : List.of(users, orderIds, timers, definitions, sketches, privacyRequestIds, models)) {
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
        processor = newProcessor();
    }

    private UserProcessor newProcessor() {
        return newProcessor(EvaluationTiming.EVENT);
    }

    private UserProcessor newProcessor(EvaluationTiming timing) {
        return new UserProcessor(settings, privacySettings, instance, new SegmentEvaluator(instance.models()), timing);
    }

    private static org.assertj.core.groups.Tuple change(String user, String segment, SegmentChangeKind kind,
            ChangeTrigger trigger, Instant eventTime) {
        return org.assertj.core.groups.Tuple.tuple(user, segment, kind, trigger, eventTime);
    }

    private List<org.assertj.core.groups.Tuple> changes() {
        return forwarded(Outputs.CHANGES).stream().map(value -> (SegmentChange) value)
                .map(change -> change(change.getUserId(), change.getSegment(), change.getKind(), change.getTrigger(),
                        change.getEventTime()))
                .toList();
    }

    private void erase(String user, String requestId, Instant at) {
        processor.process(new Record<>(user, io.segstream.avro.PrivacyRequest.newBuilder().setRequestId(requestId)
                .setUserId(user).setType(io.segstream.avro.PrivacyRequestType.ERASE).setRequestedAt(at)
                .build(), at.toEpochMilli()));
    }

    private void define(String name, String condition, long version) {
        definitions.put(name, Definitions.segment(name, condition, version).build());
    }

    private void process(SpecificRecord event, Instant at) {
        context.setCurrentStreamTimeMs(at.toEpochMilli());
        String user = event instanceof io.segstream.avro.ClickEvent click ? click.getUserId()
                : ((io.segstream.avro.Order) event).getUserId();
        processor.process(new Record<>(user, event, at.toEpochMilli()));
    }

    private List<Object> forwarded(String sink) {
        return context.forwarded(sink).stream().map(forward -> (Object) forward.record().value()).toList();
    }

    @Test
    void dueTimersEmitOneAbandonmentThenEvaluateTheUser() {
        define("abandoners", "cart.abandoned", 1);
        processor.init(context);
        process(add("e1", "u1", "sku-1", 2, "10.00", T0), T0);
        assertThat(timers.approximateNumEntries()).isEqualTo(1);

        processor.fireDueTimers(T0.plus(Duration.ofMinutes(29)).toEpochMilli());
        assertThat(forwarded(Outputs.ABANDONED)).isEmpty();

        context.setCurrentStreamTimeMs(T0.plus(Duration.ofMinutes(30)).toEpochMilli());
        processor.fireDueTimers(T0.plus(Duration.ofMinutes(30)).toEpochMilli());
        processor.fireDueTimers(T0.plus(Duration.ofMinutes(31)).toEpochMilli());

        List<Object> abandoned = forwarded(Outputs.ABANDONED);
        assertThat(abandoned).singleElement().satisfies(value -> {
            CartAbandoned abandonment = (CartAbandoned) value;
            assertThat(abandonment.getUserId()).isEqualTo("u1");
            assertThat(abandonment.getAbandonedAt()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
            assertThat(abandonment.getCartValue()).isEqualByComparingTo("20.00");
        });
        assertThat(forwarded(Outputs.CHANGES)).extracting(change -> ((SegmentChange) change).getTrigger(),
                change -> ((SegmentChange) change).getKind())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(ChangeTrigger.TIME, SegmentChangeKind.ENTERED));
        assertThat(timers.approximateNumEntries()).isZero();
    }

    @Test
    void theSweepMovesUsersThatTimeAloneMoves() {
        define("recent-buyers", "rfm.recencyDays >= 0 && rfm.recencyDays <= 1", 1);
        processor.init(context);
        process(purchase("o1", "u1", "25.00", T0), T0);
        process(purchase("o2", "u2", "25.00", T0.plus(Duration.ofDays(2))), T0.plus(Duration.ofDays(2)));
        assertThat(forwarded(Outputs.CHANGES)).extracting(change -> ((SegmentChange) change).getUserId())
                .containsExactly("u1", "u2");
        context.resetForwards();

        processor.reevaluate(T0.plus(Duration.ofDays(2)).toEpochMilli());

        assertThat(forwarded(Outputs.CHANGES)).singleElement().satisfies(value -> {
            SegmentChange change = (SegmentChange) value;
            assertThat(change.getUserId()).isEqualTo("u1");
            assertThat(change.getKind()).isEqualTo(SegmentChangeKind.EXITED);
            assertThat(change.getTrigger()).isEqualTo(ChangeTrigger.TIME);
        });
        assertThat(forwarded(Outputs.MEMBERSHIP)).singleElement()
                .satisfies(value -> assertThat(((UserSegments) value).getSegments()).isEmpty());
        // Only u1, due by time: the task started empty, so no pass over everyone ran.
        assertThat(instance.segments().reevaluatedUsers()).isEqualTo(1);
    }

    @Test
    void aTaskThatStartsWithStoredUsersEvaluatesEachOnceInBatchesAndFindsWhenTimeMovesThem() {
        define("lapsed", "rfm.frequency >= 1 && rfm.recencyDays >= 60", 1);
        processor.init(context);
        Instant purchased = aBuyerAndThreeHundredShoppers();
        users.flushCache();
        processor.close();

        // Started again (due times are held in memory only), it evaluates its 301 users once, 100 a second.
        processor = newProcessor();
        processor.init(context);
        context.resetForwards();
        long before = instance.segments().reevaluatedUsers();
        processor.reevaluate(T0.plusSeconds(10).toEpochMilli());
        assertThat(instance.segments().reevaluatedUsers()).isEqualTo(before + 100);
        for (int second = 11; second < 15; second++) {
            processor.reevaluate(T0.plusSeconds(second).toEpochMilli());
        }
        assertThat(instance.segments().reevaluatedUsers()).isEqualTo(before + 301);
        assertThat(forwarded(Outputs.CHANGES)).isEmpty();

        // The pass scheduled u1 again: on the 60th day after the purchase it enters, by time alone.
        Instant flips = purchased.plus(Duration.ofDays(60));
        processor.reevaluate(flips.plusMillis(999).toEpochMilli());
        assertThat(forwarded(Outputs.CHANGES)).singleElement().satisfies(value -> {
            SegmentChange change = (SegmentChange) value;
            assertThat(change.getUserId()).isEqualTo("u1");
            assertThat(change.getKind()).isEqualTo(SegmentChangeKind.ENTERED);
            assertThat(change.getTrigger()).isEqualTo(ChangeTrigger.TIME);
        });
        assertThat(instance.segments().reevaluatedUsers()).isEqualTo(before + 302);
    }

    @Test
    void aRestartedTaskWhoseStreamTimeIsBehindARestoredUserReadsThemAsOfTheirLatestEvent() {
        define("viewers", "interest.topCategoryViews >= 2", 1);
        processor.init(context);
        Instant viewed = T0.plus(Duration.ofHours(1));
        process(io.segstream.testing.Events.view("e1", "u1", "s1", "shoes", viewed), viewed);
        process(io.segstream.testing.Events.view("e2", "u1", "s1", "shoes", viewed.plusSeconds(1)), viewed.plusSeconds(1));
        assertThat(changes()).containsExactly(
                change("u1", "viewers", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT, viewed.plusSeconds(1)));
        users.flushCache();

        // At-least-once, the task starts again from offsets committed before the views, at a stream time an
        // hour behind them; its pass over the stored users must not read u1 as of then (no views yet).
        processor = newProcessor();
        processor.init(context);
        context.resetForwards();
        processor.reevaluate(T0.toEpochMilli());

        assertThat(forwarded(Outputs.CHANGES)).isEmpty();
    }

    @Test
    void aDefinitionChangeReachesEveryUserWithItsOwnTrigger() {
        processor.init(context);
        process(purchase("o1", "u1", "25.00", T0), T0);
        process(add("e1", "u2", "sku-1", 1, "5.00", T0), T0);
        assertThat(forwarded(Outputs.CHANGES)).isEmpty();

        define("buyers", "rfm.frequency >= 1", 1);
        instance.catalog().sync(definitions);
        processor.reevaluate(T0.toEpochMilli());

        assertThat(forwarded(Outputs.CHANGES)).singleElement().satisfies(value -> {
            SegmentChange change = (SegmentChange) value;
            assertThat(change.getUserId()).isEqualTo("u1");
            assertThat(change.getTrigger()).isEqualTo(ChangeTrigger.DEFINITION_CHANGE);
        });
    }

    @Test
    void aPublishedModelReachesEveryUserAndItsChangesNameTheModel() {
        define("likely-active", "clv.pAlive > 0.5", 1);
        define("buyers", "rfm.frequency >= 1", 1);
        processor.init(context);
        Instant second = T0.plus(Duration.ofDays(10));
        process(purchase("o1", "u1", "25.00", T0), T0);
        process(purchase("o2", "u1", "35.00", second), second);
        process(add("e1", "u2", "sku-1", 1, "5.00", second), second);
        assertThat(forwarded(Outputs.CHANGES)).extracting(change -> ((SegmentChange) change).getSegment())
                .containsExactly("buyers");
        context.resetForwards();

        models.put("clv", Models.clv("2026-12-01"));
        instance.models().sync(models);
        processor.reevaluate(second.toEpochMilli());

        assertThat(forwarded(Outputs.CHANGES)).singleElement().satisfies(value -> {
            SegmentChange change = (SegmentChange) value;
            assertThat(change.getUserId()).isEqualTo("u1");
            assertThat(change.getSegment()).isEqualTo("likely-active");
            assertThat(change.getKind()).isEqualTo(SegmentChangeKind.ENTERED);
            assertThat(change.getTrigger()).isEqualTo(ChangeTrigger.MODEL_CHANGE);
            assertThat(change.getModels()).isEqualTo(Map.of("clv", "2026-12-01"));
            assertThat((Double) change.getFeatures().get("clv.pAlive")).isCloseTo(1 / 1.32, within(1e-12));
        });

        models.delete("clv");
        instance.models().sync(models);
        context.resetForwards();
        processor.reevaluate(second.toEpochMilli());

        assertThat(forwarded(Outputs.CHANGES)).singleElement().satisfies(value -> {
            SegmentChange change = (SegmentChange) value;
            assertThat(change.getSegment()).isEqualTo("likely-active");
            assertThat(change.getKind()).isEqualTo(SegmentChangeKind.EXITED);
            assertThat(change.getTrigger()).isEqualTo(ChangeTrigger.MODEL_CHANGE);
            assertThat(change.getFeatures()).containsEntry("clv.pAlive", null);
            assertThat(change.getModels()).isEmpty();
        });
    }

    @Test
    void sketchesSummariseTheCustomersOfTheTask() {
        twoCustomersAndAShopper();

        processor.startSketches(T0.toEpochMilli());
        processor.continueSketches(Long.MAX_VALUE);

        assertThat(context.forwarded(Outputs.SKETCHES)).singleElement().satisfies(forward -> {
            assertThat(forward.record().key()).isEqualTo(context.taskId().toString());
            RfmSketches sketches = (RfmSketches) forward.record().value();
            assertThat(sketches.getCustomers()).isEqualTo(2);
            assertThat(sketches.getPublishedAt()).isEqualTo(T0);
        });
    }

    @Test
    void aSketchScanReadsTheUsersInBatchesAndPublishesOnceWhenItHasReadThemAll() {
        twoCustomersAndAShopper();
        process(purchase("o3", "u4", "15.00", T0), T0);
        users.flushCache();

        processor.startSketches(T0.toEpochMilli());
        processor.continueSketches(2);
        assertThat(context.forwarded(Outputs.SKETCHES)).as("u1 and u2 read, u3 and u4 not yet").isEmpty();
        processor.continueSketches(2);

        assertThat(context.forwarded(Outputs.SKETCHES)).singleElement().satisfies(forward -> {
            RfmSketches sketches = (RfmSketches) forward.record().value();
            assertThat(sketches.getCustomers()).isEqualTo(3);
            assertThat(sketches.getPublishedAt()).isEqualTo(T0);
        });
        context.resetForwards();
        processor.continueSketches(2);
        assertThat(context.forwarded(Outputs.SKETCHES)).as("the scan is over").isEmpty();
    }

    @Test
    void aSketchScanCountsTheChangesNotWrittenYetFromMemoryAndWritesNothing() {
        twoCustomersAndAShopper();
        users.flushCache();
        byte[] customerStored = users.get("u1");
        byte[] shopperStored = users.get("u3");
        process(purchase("o3", "u1", "10.00", T0), T0);
        process(purchase("o4", "u3", "15.00", T0), T0);
        process(purchase("o5", "u4", "20.00", T0), T0);

        processor.startSketches(T0.toEpochMilli());
        processor.continueSketches(Long.MAX_VALUE);

        assertThat(context.forwarded(Outputs.SKETCHES)).singleElement().satisfies(forward -> {
            RfmSketches sketches = (RfmSketches) forward.record().value();
            assertThat(sketches.getCustomers()).as("u1 once, with both orders; u3 and u4 from memory").isEqualTo(4);
            KllDoublesSketch frequency = KllDoublesSketch.heapify(Memory.wrap(sketches.getFrequency().array()));
            assertThat(frequency.getN()).isEqualTo(4);
            assertThat(frequency.getMaxItem()).isEqualTo(2.0);
        });
        assertThat(users.get("u1")).as("u1's order waits for its write-back").isEqualTo(customerStored);
        assertThat(users.get("u3")).as("u3's order waits for its write-back").isEqualTo(shopperStored);
        assertThat(users.get("u4")).as("u4 is new, and not written for the scan").isNull();
    }

    /** Starts the processor with customers u1 and u2 and u3, who only has a cart. */
    private void twoCustomersAndAShopper() {
        processor.init(context);
        process(purchase("o1", "u1", "25.00", T0), T0);
        process(purchase("o2", "u2", "40.00", T0), T0);
        process(add("e1", "u3", "sku-1", 1, "5.00", T0), T0);
    }

    @Test
    void theDwellPerCategoryIsAFactWhenAConditionReadsIt() {
        define("shoe-browsers", "dwell.categoryDwellMs['shoes'] >= 60000", 1);
        processor.init(context);
        process(io.segstream.testing.Events.view("e1", "u1", "s1", "shoes", T0), T0);
        assertThat(changes()).isEmpty();

        // The next view of the session closes the first one's dwell: 90 s on shoes.
        process(io.segstream.testing.Events.view("e2", "u1", "s1", "hats", T0.plusSeconds(90)), T0.plusSeconds(90));

        assertThat(forwarded(Outputs.CHANGES)).singleElement().satisfies(value -> {
            SegmentChange change = (SegmentChange) value;
            assertThat(change.getSegment()).isEqualTo("shoe-browsers");
            assertThat(change.getKind()).isEqualTo(SegmentChangeKind.ENTERED);
            assertThat(change.getFeatures()).isEqualTo(Map.of("dwell.categoryDwellMs.shoes", 90_000L));
        });
    }

    @Test
    void aRepeatedEventChangesNothingAndIsCounted() {
        processor.init(context);
        process(add("e1", "u1", "sku-1", 1, "5.00", T0), T0);
        process(add("e1", "u1", "sku-1", 1, "5.00", T0), T0);
        process(purchase("o1", "u1", "5.00", T0.plusSeconds(5)), T0.plusSeconds(5));
        process(purchase("o1", "u1", "5.00", T0.plus(Duration.ofDays(4))), T0.plus(Duration.ofDays(4)));

        assertThat(instance.features().processedCount()).isEqualTo(2);
        assertThat(instance.features().duplicateCount()).isEqualTo(2);
    }

    private boolean orderIdStored(String orderId, Instant at) {
        try (var seen = orderIds.fetch(orderId, at.toEpochMilli(), at.toEpochMilli())) {
            return seen.hasNext();
        }
    }

    /** A crash of an at-least-once instance: the decoded users not written yet are lost, and the processor starts again. */
    private void crashAndRestart() {
        users.clearCache();
        processor.close();
        processor = newProcessor();
        processor.init(context);
        context.resetForwards();
    }

    @Test
    void anOrdersIdIsWrittenWithTheStateThatCountedItSoACrashLosesBothAndTheOrderCountsWhenItComesAgain() {
        processor.init(context);
        process(purchase("o1", "u1", "25.00", T0), T0);
        assertThat(orderIdStored("o1", T0)).isFalse();
        // Remembered all the same: a repeat now is a duplicate.
        process(purchase("o1", "u1", "25.00", T0), T0);
        assertThat(instance.features().duplicateCount()).isEqualTo(1);

        crashAndRestart();
        process(purchase("o1", "u1", "25.00", T0), T0);
        assertThat(instance.features().duplicateCount()).isEqualTo(1);
        users.flushCache();
        assertThat(orderIdStored("o1", T0)).isTrue();
        assertThat(UserStateSerde.INSTANCE.decode(users.get("u1")).features().rfm().purchases()).isEqualTo(1);

        // Written with the state, the id outlives a crash with it.
        crashAndRestart();
        process(purchase("o1", "u1", "25.00", T0), T0);
        assertThat(instance.features().duplicateCount()).isEqualTo(2);
    }

    @Test
    void atLeastOnceAnOrdersIdLeavesTheUsersRecordOnlyOnceItsEntryInTheStoreIsCommitted() {
        processor.init(context);
        process(purchase("o1", "u1", "25.00", T0), T0);
        users.flushCache();
        assertThat(orderIdStored("o1", T0)).isTrue();
        assertThat(storedStateHoldsOrderIds("u1")).as("the id is in the record that counted the order").isTrue();

        // The crash struck after the producer sent the user's record and before the id's entry: the entry is lost.
        orderIds.put("o1", null, T0.toEpochMilli());
        crashAndRestart();
        process(purchase("o1", "u1", "25.00", T0), T0);
        assertThat(instance.features().duplicateCount()).isEqualTo(1);
        assertThat(UserStateSerde.INSTANCE.decode(users.get("u1")).features().rfm().purchases()).isEqualTo(1);

        // The restored state writes its id to the store again, and lets it go once that is committed.
        users.flushCache();
        assertThat(orderIdStored("o1", T0)).isTrue();
        assertThat(storedStateHoldsOrderIds("u1")).isTrue();
        users.commit(Map.of());
        users.flushCache();
        users.flushCache();
        assertThat(storedStateHoldsOrderIds("u1")).as("committed in the store, the id leaves the record").isFalse();
        crashAndRestart();
        process(purchase("o1", "u1", "25.00", T0), T0);
        assertThat(instance.features().duplicateCount()).isEqualTo(2);
    }

    private boolean storedStateHoldsOrderIds(String user) {
        return new io.segstream.features.Deduplication(orderIds, false, settings, instance.features())
                .holdsUnwrittenOrders(UserStateSerde.INSTANCE.decode(users.get(user)).features());
    }

    private void withdrawConsent(String user, String requestId, Instant at) {
        processor.process(new Record<>(user, io.segstream.avro.PrivacyRequest.newBuilder().setRequestId(requestId)
                .setUserId(user).setType(io.segstream.avro.PrivacyRequestType.CONSENT_WITHDRAWN).setRequestedAt(at)
                .build(), at.toEpochMilli()));
    }

    private io.segstream.privacy.Consent storedConsent(String user) {
        return UserStateSerde.INSTANCE.decode(users.get(user)).consent();
    }

    /** User u1 with one click, stored; then {@code request} twice (the second a duplicate); then a crash before the commit. */
    private void aRequestTwiceThenACrash(Runnable request) {
        processor.init(context);
        process(add("e1", "u1", "sku-1", 1, "5.00", T0), T0);
        users.flushCache();
        request.run();
        request.run();
        assertThat(instance.privacy().duplicateCount()).isEqualTo(1);
        crashAndRestart();
    }

    @Test
    void aConsentChangeACrashLostIsMadeAgainWhenItsRequestComesAgain() {
        aRequestTwiceThenACrash(() -> withdrawConsent("u1", "r1", T0.plusSeconds(1)));
        assertThat(storedConsent("u1")).isEqualTo(io.segstream.privacy.Consent.UNSET);
        withdrawConsent("u1", "r1", T0.plusSeconds(1));
        users.flushCache();
        assertThat(storedConsent("u1")).isEqualTo(io.segstream.privacy.Consent.WITHDRAWN);
        assertThat(instance.privacy().duplicateCount()).isEqualTo(1);

        crashAndRestart();
        withdrawConsent("u1", "r1", T0.plusSeconds(1));
        assertThat(instance.privacy().duplicateCount()).isEqualTo(2);
    }

    /** The events of {@link #aRequestTwiceThenACrash} and the erasure again, as after a crash; then a flush. */
    private void eraseAgainAfterACrash() {
        process(add("e1", "u1", "sku-1", 1, "5.00", T0), T0);
        assertThat(users.load("u1")).isNotNull();
        erase("u1", "r1", T0.plusSeconds(1));
        users.flushCache();
    }

    @Test
    void anErasureRequestIsRememberedOnceCommittedSoOneACrashInterruptedErasesAgain() {
        aRequestTwiceThenACrash(() -> erase("u1", "r1", T0.plusSeconds(1)));
        // Before the commit: the events before the request come again, and the request erases them again.
        eraseAgainAfterACrash();
        assertThat(instance.privacy().duplicateCount()).isEqualTo(1);
        assertThat(users.get("u1")).isNull();

        // Flushed, and a crash before the offsets were committed: the same again.
        crashAndRestart();
        eraseAgainAfterACrash();
        assertThat(instance.privacy().duplicateCount()).isEqualTo(1);
        assertThat(users.get("u1")).isNull();

        // Committed (Kafka Streams commits the stores after the offsets) and written at the next flush: a
        // repeat after a crash is a duplicate.
        users.commit(Map.of());
        users.flushCache();
        crashAndRestart();
        erase("u1", "r1", T0.plusSeconds(1));
        assertThat(instance.privacy().duplicateCount()).isEqualTo(2);
    }

    @Test
    void aPassAfterAStartPutsBackAnAbandonmentTimerWhoseFiringACrashLostFromTheState() {
        define("abandoners", "cart.abandoned", 1);
        processor.init(context);
        process(add("e1", "u1", "sku-1", 2, "10.00", T0), T0);
        users.flushCache();
        Instant due = T0.plus(Duration.ofMinutes(30));
        context.setCurrentStreamTimeMs(due.toEpochMilli());
        processor.fireDueTimers(due.toEpochMilli());
        assertThat(forwarded(Outputs.ABANDONED)).hasSize(1);
        assertThat(timers.approximateNumEntries()).isZero();

        // The timer's removal reached the store; the state that knew of the abandonment did not.
        crashAndRestart();
        processor.fireDueTimers(due.plusSeconds(60).toEpochMilli());
        assertThat(forwarded(Outputs.ABANDONED)).isEmpty();
        processor.reevaluate(due.plusSeconds(60).toEpochMilli());
        assertThat(timers.approximateNumEntries()).isEqualTo(1);
        processor.fireDueTimers(due.plusSeconds(61).toEpochMilli());

        assertThat(forwarded(Outputs.ABANDONED)).singleElement().satisfies(value -> {
            CartAbandoned abandonment = (CartAbandoned) value;
            assertThat(abandonment.getUserId()).isEqualTo("u1");
            assertThat(abandonment.getAbandonedAt()).isEqualTo(due);
            assertThat(abandonment.getCartValue()).isEqualByComparingTo("20.00");
        });
        assertThat(changes()).containsExactly(change("u1", "abandoners", SegmentChangeKind.ENTERED, ChangeTrigger.TIME, due));
    }

    @Test
    void membersAreCountedAsUsersEnterAndLeaveAndCountedAgainWhenTheTaskStartsAgain() {
        define("buyers", "rfm.frequency >= 1", 1);
        define("cart-holders", "cart.items > 0", 1);
        processor.init(context);
        process(purchase("o1", "u1", "25.00", T0), T0);
        process(purchase("o2", "u2", "40.00", T0), T0);
        process(add("e1", "u2", "sku-1", 1, "5.00", T0.plusSeconds(1)), T0.plusSeconds(1));
        process(add("e2", "u3", "sku-2", 1, "5.00", T0.plusSeconds(2)), T0.plusSeconds(2));
        process(remove("e3", "u3", "sku-2", 1, T0.plusSeconds(3)), T0.plusSeconds(3));
        String task = context.taskId().toString();
        assertThat(instance.members().tasks()).containsExactly(task);
        assertThat(instance.members().total()).containsExactly(Map.entry("buyers", 2L), Map.entry("cart-holders", 1L));

        // Closed (Kafka Streams writes the store back first), the task is no longer counted.
        users.flushCache();
        processor.close();
        assertThat(instance.members().tasks()).isEmpty();
        assertThat(instance.members().total()).isEmpty();

        // Started again, it counts its stored users.
        processor = newProcessor();
        processor.init(context);
        assertThat(instance.members().total()).containsExactly(Map.entry("buyers", 2L), Map.entry("cart-holders", 1L));
        assertThat(instance.members().members("buyers")).isEqualTo(2);

        // An erased user leaves every segment; a definition retired empties its segment once its members are re-evaluated.
        processor.process(new Record<>("u2", io.segstream.avro.PrivacyRequest.newBuilder().setRequestId("r1")
                .setUserId("u2").setType(io.segstream.avro.PrivacyRequestType.ERASE).setRequestedAt(T0.plusSeconds(4))
                .build(), T0.plusSeconds(4).toEpochMilli()));
        assertThat(instance.members().total()).containsExactly(Map.entry("buyers", 1L));
        definitions.delete("buyers");
        instance.catalog().sync(definitions);
        processor.reevaluate(T0.plusSeconds(5).toEpochMilli());
        assertThat(instance.members().total()).isEmpty();
    }

    /** u1 buys 7 s after T0 (returned), and 300 more users put something in their cart at T0. */
    private Instant aBuyerAndThreeHundredShoppers() {
        Instant purchased = T0.plusSeconds(7);
        process(purchase("o1", "u1", "25.00", purchased), purchased);
        for (int i = 0; i < 300; i++) {
            process(add("e" + i, "v" + i, "sku-1", 1, "5.00", T0), T0);
        }
        return purchased;
    }

    @Test
    void aUserWhoseConditionFlipsByTimeAloneMovesWhenItFlipsWithoutAPassOverEveryone() {
        define("lapsed", "rfm.frequency >= 1 && rfm.recencyDays >= 60", 1);
        define("cart-holders", "cart.items > 0", 1);
        processor.init(context);
        Instant purchased = aBuyerAndThreeHundredShoppers();
        // Their events found when each can change by time; a task that started with no users has no pass to run.
        for (int second = 10; second < 15; second++) {
            processor.reevaluate(T0.plusSeconds(second).toEpochMilli());
        }
        long afterPass = instance.segments().reevaluatedUsers();
        assertThat(afterPass).isZero();
        context.resetForwards();

        // Until the 60th day after the purchase only time passes: no one is evaluated.
        Instant flips = purchased.plus(Duration.ofDays(60));
        processor.reevaluate(flips.minusMillis(1).toEpochMilli());
        assertThat(forwarded(Outputs.CHANGES)).isEmpty();
        assertThat(instance.segments().reevaluatedUsers()).isEqualTo(afterPass);

        // Within a second of the flip u1, and only u1, is evaluated and moves.
        processor.reevaluate(flips.plusMillis(999).toEpochMilli());
        assertThat(forwarded(Outputs.CHANGES)).singleElement().satisfies(value -> {
            SegmentChange change = (SegmentChange) value;
            assertThat(change.getUserId()).isEqualTo("u1");
            assertThat(change.getSegment()).isEqualTo("lapsed");
            assertThat(change.getKind()).isEqualTo(SegmentChangeKind.ENTERED);
            assertThat(change.getTrigger()).isEqualTo(ChangeTrigger.TIME);
            assertThat(change.getEventTime()).isEqualTo(flips.plusMillis(999));
            assertThat(change.getFeatures()).containsEntry("rfm.recencyDays", 60L);
        });
        assertThat(instance.segments().reevaluatedUsers()).isEqualTo(afterPass + 1);

        // Past its threshold nothing time-driven is left for u1.
        processor.reevaluate(flips.plus(Duration.ofDays(400)).toEpochMilli());
        assertThat(instance.segments().reevaluatedUsers()).isEqualTo(afterPass + 1);
    }

    @Test
    void decidedAtTheCommitAUsersEventsSinceTheLastOneMakeOneDecision() {
        define("cart-holders", "cart.items > 0", 1);
        define("big-carts", "cart.value >= 20.0", 1);
        startDecidingAtTheCommit();
        process(add("e1", "u1", "sku-1", 1, "5.00", T0), T0);
        process(add("e2", "u2", "sku-1", 1, "5.00", T0.plusSeconds(1)), T0.plusSeconds(1));
        process(add("e3", "u1", "sku-2", 1, "30.00", T0.plusSeconds(2)), T0.plusSeconds(2));
        assertThat(forwarded(Outputs.CHANGES)).isEmpty();
        assertThat(forwarded(Outputs.MEMBERSHIP)).isEmpty();

        users.flushCache();

        // In the order the users first waited, each with the time of their latest event.
        assertThat(changes()).containsExactly(
                change("u1", "big-carts", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT, T0.plusSeconds(2)),
                change("u1", "cart-holders", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT, T0.plusSeconds(2)),
                change("u2", "cart-holders", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT, T0.plusSeconds(1)));
        assertThat(forwarded(Outputs.MEMBERSHIP)).extracting(value -> ((UserSegments) value).getUserId())
                .containsExactly("u1", "u2");
        assertThat(instance.segments().evaluations()).isEqualTo(2);
        assertThat(serdeDecode("u1").membership().segments().keySet()).containsExactly("big-carts", "cart-holders");

        assertTheNextCommitEmitsNothing();
    }

    @Test
    void decidedAtTheCommitEventsThatUndoEachOtherEmitNothing() {
        define("cart-holders", "cart.items > 0", 1);
        startDecidingAtTheCommit();
        process(add("e1", "u1", "sku-1", 1, "5.00", T0), T0);
        process(remove("e2", "u1", "sku-1", 1, T0.plusSeconds(1)), T0.plusSeconds(1));

        users.flushCache();

        assertThat(forwarded(Outputs.CHANGES)).isEmpty();
        assertThat(forwarded(Outputs.MEMBERSHIP)).isEmpty();
        assertThat(serdeDecode("u1").membership().segments()).isEmpty();
        assertThat(instance.members().total()).isEmpty();
    }

    @Test
    void decidedAtTheCommitWaitingEventsAreDecidedBeforeATimerAndKeepTheirTrigger() {
        define("cart-holders", "cart.items > 0", 1);
        define("abandoners", "cart.abandoned", 1);
        startDecidingAtTheCommit();
        process(add("e1", "u1", "sku-1", 2, "10.00", T0), T0);

        Instant due = T0.plus(Duration.ofMinutes(30));
        context.setCurrentStreamTimeMs(due.toEpochMilli());
        processor.fireDueTimers(due.toEpochMilli());

        assertThat(changes()).containsExactly(
                change("u1", "cart-holders", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT, T0),
                change("u1", "abandoners", SegmentChangeKind.ENTERED, ChangeTrigger.TIME, due));
        assertTheNextCommitEmitsNothing();
    }

    @Test
    void decidedAtTheCommitAUserErasedWhileWaitingLeavesNothingToExit() {
        define("cart-holders", "cart.items > 0", 1);
        startDecidingAtTheCommit();
        process(add("e1", "u1", "sku-1", 1, "5.00", T0), T0);

        erase("u1", "r1", T0.plusSeconds(1));
        users.flushCache();

        assertThat(forwarded(Outputs.CHANGES)).isEmpty();
        assertThat(forwarded(Outputs.AUDIT)).singleElement().satisfies(value -> {
            io.segstream.avro.PrivacyAudit audit = (io.segstream.avro.PrivacyAudit) value;
            assertThat(audit.getOutcome()).isEqualTo(io.segstream.avro.PrivacyOutcome.ERASED);
            assertThat(audit.getSegmentsExited()).isZero();
        });
        assertThat(users.get("u1")).isNull();
        assertThat(instance.members().total()).isEmpty();
    }

    @Test
    void decidedEveryIntervalAUsersFirstEventAfterAQuietIntervalIsDecidedAtOnceAndTheNextOnesTogether() {
        define("cart-holders", "cart.items > 0", 1);
        define("big-carts", "cart.value >= 20.0", 1);
        processor = newProcessor(EvaluationTiming.every(Duration.ofMillis(10)));
        processor.init(context);
        List<Punctuator> deciding = context.scheduledPunctuators().stream()
                .filter(punctuator -> punctuator.getInterval().equals(Duration.ofMillis(10)))
                .filter(punctuator -> punctuator.getType() == PunctuationType.WALL_CLOCK_TIME)
                .map(MockProcessorContext.CapturedPunctuator::getPunctuator)
                .toList();
        assertThat(deciding).hasSize(1);
        Punctuator decide = deciding.get(0);
        long now = context.currentSystemTimeMs();

        process(add("e1", "u1", "sku-1", 1, "5.00", T0), T0);
        assertThat(changes()).containsExactly(
                change("u1", "cart-holders", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT, T0));

        // Within the interval u1's next events wait, for the punctuator; u2's first is decided at once.
        context.resetForwards();
        processAt(now + 4, add("e2", "u1", "sku-2", 1, "30.00", T0.plusSeconds(1)), T0.plusSeconds(1));
        process(add("e3", "u2", "sku-1", 1, "5.00", T0.plusSeconds(2)), T0.plusSeconds(2));
        process(remove("e4", "u1", "sku-1", 1, T0.plusSeconds(3)), T0.plusSeconds(3));
        assertThat(changes()).containsExactly(
                change("u2", "cart-holders", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT, T0.plusSeconds(2)));
        context.resetForwards();
        decide.punctuate(now + 4);
        assertThat(changes()).containsExactly(
                change("u1", "big-carts", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT, T0.plusSeconds(3)));
        assertThat(instance.segments().evaluations()).isEqualTo(3);
        // Decided, not written: the write waits for the commit (or the write-back), as with each event.
        assertThat(users.get("u1")).isNull();

        // A steady stream: an event an interval after the last decision decides everyone waiting.
        context.resetForwards();
        process(remove("e5", "u2", "sku-1", 1, T0.plusSeconds(4)), T0.plusSeconds(4));
        assertThat(forwarded(Outputs.CHANGES)).isEmpty();
        processAt(now + 14, add("e6", "u3", "sku-3", 1, "2.00", T0.plusSeconds(5)), T0.plusSeconds(5));
        assertThat(changes()).containsExactly(
                change("u3", "cart-holders", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT, T0.plusSeconds(5)),
                change("u2", "cart-holders", SegmentChangeKind.EXITED, ChangeTrigger.EVENT, T0.plusSeconds(4)));

        assertTheNextCommitEmitsNothing();
        assertThat(serdeDecode("u1").membership().segments().keySet()).containsExactly("big-carts", "cart-holders");
        assertThat(serdeDecode("u2").membership().segments()).isEmpty();

        // The interval counts from when the first of those waiting began to, not from a later one's event.
        processAt(now + 20, add("e7", "u3", "sku-4", 1, "30.00", T0.plusSeconds(6)), T0.plusSeconds(6));
        processAt(now + 24, add("e8", "u1", "sku-5", 1, "1.00", T0.plusSeconds(7)), T0.plusSeconds(7));
        assertThat(forwarded(Outputs.CHANGES)).isEmpty();
        processAt(now + 30, add("e9", "u2", "sku-1", 1, "5.00", T0.plusSeconds(8)), T0.plusSeconds(8));
        assertThat(changes()).containsExactly(
                change("u2", "cart-holders", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT, T0.plusSeconds(8)),
                change("u3", "big-carts", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT, T0.plusSeconds(6)));
    }

    /** The event, processed at wall-clock ms {@code wallClock}. */
    private void processAt(long wallClock, SpecificRecord event, Instant at) {
        context.setCurrentSystemTimeMs(wallClock);
        process(event, at);
    }

    private void startDecidingAtTheCommit() {
        processor = newProcessor(EvaluationTiming.COMMIT);
        processor.init(context);
    }

    /** Nothing waits any longer: a commit now decides no one. */
    private void assertTheNextCommitEmitsNothing() {
        context.resetForwards();
        users.flushCache();
        assertThat(forwarded(Outputs.CHANGES)).isEmpty();
        assertThat(forwarded(Outputs.MEMBERSHIP)).isEmpty();
    }

    private UserState serdeDecode(String user) {
        return UserStateSerde.INSTANCE.decode(users.get(user));
    }
}
