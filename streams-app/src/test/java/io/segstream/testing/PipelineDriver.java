package io.segstream.testing;

import io.segstream.avro.CartAbandoned;
import io.segstream.avro.ClickEvent;
import io.segstream.avro.GeneratedClasses;
import io.segstream.avro.Order;
import io.segstream.avro.PrivacyAudit;
import io.segstream.avro.PrivacyRequest;
import io.segstream.avro.RfmSketches;
import io.segstream.avro.SegmentChange;
import io.segstream.avro.SegmentDefinition;
import io.segstream.avro.UserSegments;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.StoreNames;
import io.segstream.config.Topics;
import io.segstream.dlq.DeadLetterCounters;
import io.segstream.features.FeatureCounters;
import io.segstream.features.FeatureState;
import io.segstream.features.FeatureSettings;
import io.segstream.features.RfmState;
import io.segstream.registry.InMemorySchemaRegistry;
import io.segstream.serde.SpecificAvroSerde;
import io.segstream.topology.InstanceState;
import io.segstream.topology.SegStreamTopology;
import io.segstream.topology.UserState;
import io.segstream.topology.UserStateSerde;
import io.segstream.topology.UserStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The production topology under TopologyTestDriver, with an in-memory registry, explicit event
 * times and a controllable wall clock. Reads stores as the API will: state plus a "now".
 */
public final class PipelineDriver implements AutoCloseable {

    public static final Instant WALL_CLOCK_START = Instant.parse("2026-11-23T00:00:00Z");

    private final TopologyTestDriver driver;
    private final Topics topics;
    private final FeatureSettings settings;
    private final InMemorySchemaRegistry registry;
    private final DeadLetterCounters deadLetterCounters = new DeadLetterCounters();
    private final InstanceState instance = InstanceState.create();
    public final TestInputTopic<String, ClickEvent> clicks;
    public final TestInputTopic<String, Order> orders;
    public final TestInputTopic<String, byte[]> rawClicks;
    public final TestOutputTopic<String, CartAbandoned> abandoned;
    public final TestOutputTopic<byte[], byte[]> deadLetters;
    public final TestOutputTopic<String, RfmSketches> sketches;
    public final TestOutputTopic<String, SegmentChange> changes;
    public final TestOutputTopic<String, UserSegments> memberships;
    public final TestInputTopic<String, PrivacyRequest> privacyRequests;
    public final TestInputTopic<String, byte[]> rawPrivacyRequests;
    public final TestOutputTopic<String, PrivacyAudit> audits;
    private final TestInputTopic<String, SegmentDefinition> definitions;

    static {
        GeneratedClasses.trust();
    }

    public PipelineDriver(Map<String, String> overrides) {
        String registryName = "pipeline-" + UUID.randomUUID();
        registry = InMemorySchemaRegistry.named(registryName);
        Map<String, String> values = new HashMap<>();
        values.put(SegStreamConfig.BOOTSTRAP_SERVERS, "unused:9092");
        values.put(SegStreamConfig.APPLICATION_ID, "segstream-test");
        values.put("schema.registry.url", "mem://" + registryName);
        values.put(SegStreamConfig.TIME_MODE, "stream");
        values.put(SegStreamConfig.PRIVACY_AUDIT_KEY, "test-audit-key");
        values.putAll(overrides);
        SegStreamConfig config = SegStreamConfig.of(values);
        topics = Topics.from(config);
        settings = FeatureSettings.from(config);
        Properties properties = SegStreamTopology.streamsProperties(config, deadLetterCounters);
        properties.put(StreamsConfig.STATE_DIR_CONFIG, "target/ttd-state/" + UUID.randomUUID());
        driver = new TopologyTestDriver(SegStreamTopology.build(config, registry, instance), properties, WALL_CLOCK_START);
        StringSerializer keys = new StringSerializer();
        clicks = driver.createInputTopic(topics.clickstream(), keys, avro(ClickEvent.class).serializer());
        orders = driver.createInputTopic(topics.orders(), keys, avro(Order.class).serializer());
        rawClicks = driver.createInputTopic(topics.clickstream(), keys, new ByteArraySerializer());
        abandoned = driver.createOutputTopic(topics.cartAbandoned(), new StringDeserializer(), avro(CartAbandoned.class).deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        sketches = driver.createOutputTopic(topics.rfmSketches(), new StringDeserializer(), avro(RfmSketches.class).deserializer());
        changes = driver.createOutputTopic(topics.segmentChanges(), new StringDeserializer(), avro(SegmentChange.class).deserializer());
        memberships = driver.createOutputTopic(topics.segmentMembership(), new StringDeserializer(),
                avro(UserSegments.class).deserializer());
        definitions = driver.createInputTopic(topics.segmentDefinitions(), keys, avro(SegmentDefinition.class).serializer());
        privacyRequests = driver.createInputTopic(topics.privacyRequests(), keys, avro(PrivacyRequest.class).serializer());
        rawPrivacyRequests = driver.createInputTopic(topics.privacyRequests(), keys, new ByteArraySerializer());
        audits = driver.createOutputTopic(topics.privacyAudit(), new StringDeserializer(), avro(PrivacyAudit.class).deserializer());
    }

    public PipelineDriver() {
        this(Map.of());
    }

    public <T extends org.apache.avro.specific.SpecificRecord> SpecificAvroSerde<T> avro(Class<T> type) {
        return new SpecificAvroSerde<>(type, registry, false);
    }

    public InMemorySchemaRegistry registry() {
        return registry;
    }

    public FeatureSettings settings() {
        return settings;
    }

    public DeadLetterCounters deadLetterCounters() {
        return deadLetterCounters;
    }

    public FeatureCounters featureCounters() {
        return instance.features();
    }

    public InstanceState instance() {
        return instance;
    }

    public void click(ClickEvent event) {
        clicks.pipeInput(new TestRecord<>(event.getUserId() != null ? event.getUserId() : event.getAnonymousId(), event));
    }

    public void order(Order order) {
        orders.pipeInput(new TestRecord<>(order.getUserId(), order));
    }

    /** Sends a privacy request keyed by its user, as `segstream privacy` does. */
    public void privacy(PrivacyRequest request) {
        privacyRequests.pipeInput(new TestRecord<>(request.getUserId(), request));
    }

    /** Publishes a definition (or retires {@code name} when {@code definition} is null), as segments apply does. */
    public void define(String name, SegmentDefinition definition) {
        definitions.pipeInput(name, definition);
    }

    /** The records that went to a segment's own output topic. */
    public TestOutputTopic<String, SegmentChange> segmentTopic(String topic) {
        return driver.createOutputTopic(topic, new StringDeserializer(), avro(SegmentChange.class).deserializer());
    }

    public void advanceWallClock(java.time.Duration duration) {
        driver.advanceWallClockTime(duration);
    }

    /** Store users (TopologyTestDriver's getters refuse a store that can be read as a key-value store but is not one). */
    private UserStore users() {
        return (UserStore) driver.getAllStateStores().get(StoreNames.USERS);
    }

    /** The user's whole state as store {@code users} holds it, or null. */
    public UserState state(String user) {
        byte[] stored = users().get(user);
        return stored == null ? null : UserStateSerde.INSTANCE.decode(stored);
    }

    /** The user's orders, or null before their first one. */
    public RfmState rfm(String user) {
        UserState state = state(user);
        return state == null ? null : state.features().rfm();
    }

    /** The user's live cart, or null when the user has no state. */
    public io.segstream.features.CartState cart(String user) {
        UserState state = state(user);
        return state == null ? null : state.features().cart();
    }

    public io.segstream.features.DwellState dwell(String user) {
        UserState state = state(user);
        return state == null ? null : state.features().dwell();
    }

    public io.segstream.features.InterestState interest(String user) {
        UserState state = state(user);
        return state == null ? null : state.features().interest();
    }

    /** The user's features as of {@code now}. */
    public io.segstream.facts.UserFeatures features(String user, Instant now) {
        UserState state = state(user);
        return (state == null ? new FeatureState() : state.features()).view(user, now.toEpochMilli(), settings, null);
    }

    /** Users in store {@code users}. */
    public long userCount() {
        return users().approximateNumEntries();
    }

    public List<RfmSketches> globalSketches() {
        List<RfmSketches> all = new java.util.ArrayList<>();
        try (KeyValueIterator<String, RfmSketches> entries =
                driver.<String, RfmSketches>getKeyValueStore(StoreNames.RFM_SKETCHES).all()) {
            entries.forEachRemaining((KeyValue<String, RfmSketches> entry) -> all.add(entry.value));
        }
        return all;
    }

    public List<String> timers() {
        List<String> keys = new java.util.ArrayList<>();
        try (KeyValueIterator<String, String> entries = driver.<String, String>getKeyValueStore(StoreNames.TIMERS).all()) {
            entries.forEachRemaining(entry -> keys.add(entry.key));
        }
        return keys;
    }

    @Override
    public void close() {
        driver.close();
    }
}
