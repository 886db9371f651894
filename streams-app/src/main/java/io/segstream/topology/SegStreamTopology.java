package io.segstream.topology;

import io.segstream.avro.CartAbandoned;
import io.segstream.avro.ClickEvent;
import io.segstream.avro.Order;
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
import io.segstream.features.CartState;
import io.segstream.features.DwellState;
import io.segstream.features.FeatureSettings;
import io.segstream.features.InterestState;
import io.segstream.features.RfmState;
import io.segstream.features.StateSerde;
import io.segstream.features.Timeline;
import io.segstream.features.UserFeatureProcessor;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.scoring.IntentModel;
import io.segstream.segments.MembershipState;
import io.segstream.segments.SegmentEvaluator;
import io.segstream.serde.SpecificAvroSerde;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The SegStream topology. Clicks and orders are validated (bad ones dead-lettered), re-keyed by
 * user once if configured, merged, and handled per user by {@link UserFeatureProcessor}, which
 * owns the feature and membership stores and emits segment changes, memberships, cart
 * abandonments and RFM sketches. Definitions and sketches arrive through global stores. Tests and
 * production both build it here.
 */
public final class SegStreamTopology {

    public static final String USER_FEATURES = "user-features";

    private SegStreamTopology() {}

    /** The topology for {@code config}, with Avro serdes bound to {@code registry}. */
    public static Topology build(SegStreamConfig config, SchemaRegistryClient registry, InstanceState instance) {
        Topics topics = Topics.from(config);
        FeatureSettings settings = FeatureSettings.from(config);
        SegmentEvaluator evaluator = new SegmentEvaluator(intentModel(config));
        boolean repartition = config.getBoolean(SegStreamConfig.INPUT_REPARTITION);
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(kafkaStreamsSettings(config))));

        KStream<String, SpecificRecord> clicks =
                input(builder, topics.clickstream(), "clickstream", avro(ClickEvent.class, registry), settings, repartition);
        KStream<String, SpecificRecord> orders =
                input(builder, topics.orders(), "orders", avro(Order.class, registry), settings, repartition);

        builder.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(StoreNames.DEDUP, settings.dedupRetention(), Duration.ofMillis(1), false),
                Serdes.String(), Serdes.Long()));
        builder.addStateStore(stateStore(StoreNames.RFM, RfmState.class));
        builder.addStateStore(stateStore(StoreNames.DWELL, DwellState.class));
        builder.addStateStore(stateStore(StoreNames.CART, CartState.class));
        builder.addStateStore(stateStore(StoreNames.INTEREST, InterestState.class));
        builder.addStateStore(stateStore(StoreNames.TIMELINE, Timeline.class));
        builder.addStateStore(stateStore(StoreNames.MEMBERSHIP, MembershipState.class));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.TIMERS), Serdes.String(), Serdes.String()));

        KStream<String, SpecificRecord> outputs = clicks.merge(orders, Named.as("inputs-merge"))
                .process(() -> new UserFeatureProcessor(settings, instance, evaluator), Named.as(USER_FEATURES),
                        StoreNames.DEDUP, StoreNames.RFM, StoreNames.DWELL, StoreNames.CART, StoreNames.INTEREST,
                        StoreNames.TIMELINE, StoreNames.TIMERS, StoreNames.MEMBERSHIP);
        Serde<SegmentChange> changes = avro(SegmentChange.class, registry);
        KStream<String, SegmentChange> segmentChanges = only(outputs, SegmentChange.class, "segment-changes");
        segmentChanges.to(topics.segmentChanges(), Produced.with(Serdes.String(), changes).withName("segment-changes-sink"));
        segmentChanges.processValues(RouteFilter::new, Named.as("segment-routes"))
                .to((user, change, context) -> new String(
                                context.headers().lastHeader(UserFeatureProcessor.ROUTE_HEADER).value(), StandardCharsets.UTF_8),
                        Produced.with(Serdes.String(), changes).withName("segment-topic-sink"));
        only(outputs, UserSegments.class, "membership")
                .to(topics.segmentMembership(), Produced.with(Serdes.String(), avro(UserSegments.class, registry))
                        .withName("membership-sink"));
        only(outputs, CartAbandoned.class, "cart-abandoned")
                .to(topics.cartAbandoned(), Produced.with(Serdes.String(), avro(CartAbandoned.class, registry))
                        .withName("cart-abandoned-sink"));
        Serde<RfmSketches> sketches = avro(RfmSketches.class, registry);
        only(outputs, RfmSketches.class, "rfm-sketches")
                .to(topics.rfmSketches(), Produced.with(Serdes.String(), sketches).withName("rfm-sketches-sink"));

        builder.addGlobalStore(globalStore(StoreNames.RFM_SKETCHES, sketches), topics.rfmSketches(),
                Consumed.with(Serdes.String(), sketches).withName("rfm-sketches-global"),
                () -> new GlobalStoreUpdater<RfmSketches>(StoreNames.RFM_SKETCHES, (task, published) -> { }));
        Serde<SegmentDefinition> definitions = avro(SegmentDefinition.class, registry);
        builder.addGlobalStore(globalStore(StoreNames.DEFINITIONS, definitions), topics.segmentDefinitions(),
                Consumed.with(Serdes.String(), definitions).withName("definitions-global"),
                () -> new GlobalStoreUpdater<SegmentDefinition>(StoreNames.DEFINITIONS, instance.catalog()::apply));
        return builder.build();
    }

    /** The intent model named by intent.model.path, or the bundled one. */
    public static IntentModel intentModel(SegStreamConfig config) {
        String path = config.getString(SegStreamConfig.INTENT_MODEL_PATH);
        return path == null || path.isBlank() ? IntentModel.defaultModel() : IntentModel.load(Path.of(path));
    }

    private static <T extends SpecificRecord> KStream<String, T> only(KStream<String, SpecificRecord> outputs, Class<T> type,
            String name) {
        return outputs.filter((key, value) -> type.isInstance(value), Named.as(name + "-filter"))
                .mapValues(value -> type.cast(value), Named.as("as-" + name));
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
        properties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        return properties;
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> KStream<String, SpecificRecord> input(StreamsBuilder builder, String topic,
            String name, Serde<T> serde, FeatureSettings settings, boolean repartition) {
        InputContract contract = new InputContract(settings.timestampMaxFuture(), !repartition);
        FixedKeyProcessorSupplier<String, SpecificRecord, SpecificRecord> validator =
                () -> new InputValidator(contract, settings.grace());
        KStream<String, SpecificRecord> validated = builder
                .stream(topic, Consumed.with(Serdes.String(), serde)
                        .withName(name + "-source")
                        .withTimestampExtractor(new PayloadTimestampExtractor(contract)))
                .processValues(validator, Named.as(name + "-validate"));
        if (!repartition) {
            return validated;
        }
        return validated
                .selectKey((key, value) -> UserKeys.of(value), Named.as(name + "-key-by-user"))
                .repartition(Repartitioned.with(Serdes.String(), (Serde<SpecificRecord>) (Serde<?>) serde)
                        .withName(name + "-by-user"));
    }

    private static <T extends SpecificRecord> Serde<T> avro(Class<T> type, SchemaRegistryClient registry) {
        return new SpecificAvroSerde<>(type, registry, false);
    }

    private static <T> StoreBuilder<KeyValueStore<String, T>> stateStore(String name, Class<T> type) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), new StateSerde<>(type));
    }
}
