package io.segstream.topology;

import io.segstream.avro.CartAbandoned;
import io.segstream.avro.ClickEvent;
import io.segstream.avro.Model;
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
import io.segstream.dlq.DeadLetterDeserializationHandler;
import io.segstream.dlq.DeadLetterProcessingHandler;
import io.segstream.dlq.DeadLetterProductionHandler;
import io.segstream.dlq.DeadLetters;
import io.segstream.features.FeatureSettings;
import io.segstream.privacy.PrivacySettings;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.scoring.IntentModel;
import io.segstream.segments.SegmentEvaluator;
import io.segstream.serde.SpecificAvroSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SegStream topology. Clicks, orders and privacy requests are validated (bad ones
 * dead-lettered), re-keyed by user once if configured, and handled per user by
 * {@link UserProcessor}, the direct child of all three, which owns the users, order-ids, timers and privacy-request-ids stores and
 * emits segment changes, memberships, cart abandonments, RFM sketches and privacy audits, each
 * straight to its sink. Definitions, models and sketches arrive through global stores. Tests and
 * production both build it here.
 */
public final class SegStreamTopology {

    private static final Logger log = LoggerFactory.getLogger(SegStreamTopology.class);

    public static final String USER_FEATURES = "user-features";
    /** The producer linger.ms SegStream runs with unless configured. */
    public static final int OUTPUT_LINGER_MS = 5;
    /** The producer batch.size SegStream runs with at-least-once unless configured: 64 KiB, Kafka's default being 16 KiB. */
    public static final int OUTPUT_BATCH_BYTES = 64 * 1024;
    /** The producer batch.size SegStream runs with under exactly-once unless configured. */
    public static final int COMMIT_BATCH_BYTES = 256 * 1024;
    /** The producer buffer.memory SegStream runs with under exactly-once unless configured (Kafka's: 32 MiB). */
    public static final long COMMIT_BUFFER_BYTES = 64L * 1024 * 1024;

    private SegStreamTopology() {}

    /** The topology for {@code config}, with Avro serdes bound to {@code registry}. */
    public static Topology build(SegStreamConfig config, SchemaRegistryClient registry, InstanceState instance) {
        Topics topics = Topics.from(config);
        FeatureSettings settings = FeatureSettings.from(config);
        SegmentEvaluator evaluator = new SegmentEvaluator(instance.models());
        boolean repartition = config.getBoolean(SegStreamConfig.INPUT_REPARTITION);
        StreamsConfig streamsConfig = new StreamsConfig(kafkaStreamsSettings(config));
        EvaluationTiming timing =
                EvaluationTiming.of(config, streamsConfig.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(streamsConfig));

        String clicks =
                input(builder, topics.clickstream(), "clickstream", avro(ClickEvent.class, registry), settings, repartition);
        String orders = input(builder, topics.orders(), "orders", avro(Order.class, registry), settings, repartition);
        String privacyRequests = input(builder, topics.privacyRequests(), "privacy-requests",
                avro(PrivacyRequest.class, registry), settings, repartition);
        PrivacySettings privacy = PrivacySettings.from(config);
        if (!privacy.auditKeyConfigured()) {
            log.warn("{} is not set: privacy.audit records name users by an HMAC keyed with the application id, which "
                    + "anyone can guess; set a secret key, the same on every instance", SegStreamConfig.PRIVACY_AUDIT_KEY);
        }

        Serde<RfmSketches> sketches = avro(RfmSketches.class, registry);
        builder.addGlobalStore(globalStore(StoreNames.RFM_SKETCHES, sketches), topics.rfmSketches(),
                Consumed.with(Serdes.String(), sketches).withName("rfm-sketches-global"),
                () -> new GlobalStoreUpdater<RfmSketches>(StoreNames.RFM_SKETCHES, (task, published) -> { }));
        Serde<SegmentDefinition> definitions = avro(SegmentDefinition.class, registry);
        builder.addGlobalStore(globalStore(StoreNames.DEFINITIONS, definitions), topics.segmentDefinitions(),
                Consumed.with(Serdes.String(), definitions).withName("definitions-global"),
                () -> new GlobalStoreUpdater<SegmentDefinition>(StoreNames.DEFINITIONS, instance.catalog()::apply));
        Serde<Model> models = avro(Model.class, registry);
        builder.addGlobalStore(globalStore(StoreNames.MODELS, models), topics.models(),
                Consumed.with(Serdes.String(), models).withName("models-global"),
                () -> new GlobalStoreUpdater<Model>(StoreNames.MODELS, instance.models()::apply));

        // The per-user processor is every input's direct child, and its outputs are its own direct children
        // (see Outputs): no merge node in between passes each record on.
        Topology topology = builder.build();
        topology.addProcessor(USER_FEATURES, () -> new UserProcessor(settings, privacy, instance, evaluator, timing),
                clicks, orders, privacyRequests);
        // Recently active users stay decoded: a busy user's record is encoded and goes to RocksDB and the
        // changelog once per commit or users.write.back.after, whichever comes first, not once per event.
        topology.addStateStore(UserStore.builder(Stores.persistentKeyValueStore(StoreNames.USERS),
                config.getInt(SegStreamConfig.USERS_CACHE_MAX), config.duration(SegStreamConfig.USERS_WRITE_BACK_AFTER)),
                USER_FEATURES);
        topology.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(StoreNames.ORDER_IDS, settings.orderDedupRetention(), Duration.ofMillis(1), false),
                Serdes.String(), Serdes.Long()), USER_FEATURES);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.TIMERS), Serdes.String(), Serdes.String()), USER_FEATURES);
        topology.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(StoreNames.PRIVACY_REQUEST_IDS,
                privacy.dedupRetention(), Duration.ofMillis(1), false), Serdes.String(), Serdes.Long()), USER_FEATURES);

        Serializer<String> users = Serdes.String().serializer();
        Serializer<SegmentChange> changes = avro(SegmentChange.class, registry).serializer();
        topology.addSink(Outputs.CHANGES, topics.segmentChanges(), users, changes, USER_FEATURES);
        topology.addSink(Outputs.SEGMENT_TOPICS, (user, routed, context) -> routed.topic(), users,
                (Serializer<Outputs.Routed>) (topic, routed) -> changes.serialize(topic, routed.change()), USER_FEATURES);
        topology.addSink(Outputs.MEMBERSHIP, topics.segmentMembership(), users,
                avro(UserSegments.class, registry).serializer(), USER_FEATURES);
        topology.addSink(Outputs.ABANDONED, topics.cartAbandoned(), users, avro(CartAbandoned.class, registry).serializer(),
                USER_FEATURES);
        topology.addSink(Outputs.SKETCHES, topics.rfmSketches(), users, sketches.serializer(), USER_FEATURES);
        topology.addSink(Outputs.AUDIT, topics.privacyAudit(), users, avro(PrivacyAudit.class, registry).serializer(),
                USER_FEATURES);
        return topology;
    }

    /** The intent model named by intent.model.path, or the bundled one: used while no intent model is published. */
    public static IntentModel intentModel(SegStreamConfig config) {
        String path = config.getString(SegStreamConfig.INTENT_MODEL_PATH);
        return path == null || path.isBlank() ? IntentModel.defaultModel() : IntentModel.load(Path.of(path));
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> globalStore(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values).withLoggingDisabled();
    }

    /**
     * Kafka Streams properties: the Kafka settings of {@code config}, plus the
     * dead-letter handlers and exactly-once processing unless configured otherwise.
     */
    public static Properties streamsProperties(SegStreamConfig config, DeadLetterCounters deadLetterCounters) {
        Properties properties = kafkaStreamsSettings(config);
        properties.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class);
        properties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class);
        properties.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class);
        properties.put(DeadLetters.TOPIC_CONFIG, Topics.from(config).deadLetters());
        properties.put(DeadLetters.COUNTERS_CONFIG, deadLetterCounters);
        return properties;
    }

    /** The Kafka settings of {@code config} with SegStream's Streams defaults; the topology is built with these too. */
    private static Properties kafkaStreamsSettings(SegStreamConfig config) {
        Properties properties = new Properties();
        properties.putAll(config.kafkaProperties());
        properties.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Segment changes are for tools that act on them now: send them at once rather than after
        // Kafka Streams' 100 ms producer linger.
        producerDefault(properties, ProducerConfig.LINGER_MS_CONFIG, OUTPUT_LINGER_MS);
        // A commit writes every user changed since the last one (about a kilobyte each) and waits until
        // the broker has them all; a request carries one batch per partition, so with 16 KiB batches and
        // five requests in flight that wait was most of an exactly-once commit. Under exactly-once those
        // writes come all at once, in the commit: 256 KiB batches take them in a quarter of the requests,
        // and the broker's CPU per event fell by 40% on the benchmark machine. Each partition being written
        // holds a batch of that size while it fills, so the producer gets twice Kafka's buffer for them.
        boolean exactlyOnce = StreamsConfig.EXACTLY_ONCE_V2.equals(properties.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        producerDefault(properties, ProducerConfig.BATCH_SIZE_CONFIG, exactlyOnce ? COMMIT_BATCH_BYTES : OUTPUT_BATCH_BYTES);
        if (exactlyOnce) {
            producerDefault(properties, ProducerConfig.BUFFER_MEMORY_CONFIG, COMMIT_BUFFER_BYTES);
        }
        properties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // Kafka Streams 4.3 reads its settings again, in the partition assignor, from the main consumer's
        // settings, which leave this one out, and warns that it is off: it is on.
        properties.put(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), true);
        return properties;
    }

    /** Sets the producer's {@code key} to {@code value} unless it is configured, for every client or the producer's. */
    private static void producerDefault(Properties properties, String key, Object value) {
        if (!properties.containsKey(key) && !properties.containsKey(StreamsConfig.producerPrefix(key))) {
            properties.put(StreamsConfig.producerPrefix(key), value);
        }
    }

    /**
     * One input: read, validated and, if configured, re-keyed by user through its repartition topic. Returns
     * the name of its last node, the per-user processor's parent.
     */
    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> String input(StreamsBuilder builder, String topic, String name,
            Serde<T> serde, FeatureSettings settings, boolean repartition) {
        InputContract contract = new InputContract(settings.timestampMaxFuture(), !repartition);
        FixedKeyProcessorSupplier<String, SpecificRecord, SpecificRecord> validator =
                () -> new InputValidator(contract, settings.grace());
        String validate = name + "-validate";
        KStream<String, SpecificRecord> validated = builder
                .stream(topic, Consumed.with(Serdes.String(), serde)
                        .withName(name + "-source")
                        .withTimestampExtractor(new PayloadTimestampExtractor(contract)))
                .processValues(validator, Named.as(validate));
        if (!repartition) {
            return validate;
        }
        String byUser = name + "-by-user";
        validated
                .selectKey((key, value) -> UserKeys.of(value), Named.as(name + "-key-by-user"))
                .repartition(Repartitioned.with(Serdes.String(), (Serde<SpecificRecord>) (Serde<?>) serde).withName(byUser));
        // Kafka Streams names the node reading a repartition topic named N "N-repartition-source".
        return byUser + "-repartition-source";
    }

    private static <T extends SpecificRecord> Serde<T> avro(Class<T> type, SchemaRegistryClient registry) {
        return new SpecificAvroSerde<>(type, registry, false);
    }
}
