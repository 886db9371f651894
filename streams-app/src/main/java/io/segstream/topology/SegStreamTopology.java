package io.segstream.topology;

import io.segstream.avro.CartAbandoned;
import io.segstream.avro.ClickEvent;
import io.segstream.avro.Order;
import io.segstream.avro.RfmSketches;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.StoreNames;
import io.segstream.config.Topics;
import io.segstream.dlq.DeadLetterCounters;
import io.segstream.dlq.DeadLetterDeserializationHandler;
import io.segstream.dlq.DeadLetterProcessingHandler;
import io.segstream.dlq.DeadLetters;
import io.segstream.features.CartState;
import io.segstream.features.DwellState;
import io.segstream.features.FeatureCounters;
import io.segstream.features.FeatureSettings;
import io.segstream.features.InterestState;
import io.segstream.features.RfmState;
import io.segstream.features.StateSerde;
import io.segstream.features.Timeline;
import io.segstream.features.UserFeatureProcessor;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.serde.SpecificAvroSerde;
import java.time.Duration;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Branched;
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
 * owns the feature stores and emits cart abandonments and RFM sketches. Tests and production both
 * build it here.
 */
public final class SegStreamTopology {

    public static final String USER_FEATURES = "user-features";

    private SegStreamTopology() {}

    /** The topology for {@code config}, with Avro serdes bound to {@code registry}. */
    public static Topology build(SegStreamConfig config, SchemaRegistryClient registry, FeatureCounters counters) {
        Topics topics = Topics.from(config);
        FeatureSettings settings = FeatureSettings.from(config);
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
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.TIMERS), Serdes.String(), Serdes.String()));

        Serde<RfmSketches> sketches = avro(RfmSketches.class, registry);
        clicks.merge(orders, Named.as("inputs-merge"))
                .process(() -> new UserFeatureProcessor(settings, counters), Named.as(USER_FEATURES),
                        StoreNames.DEDUP, StoreNames.RFM, StoreNames.DWELL, StoreNames.CART, StoreNames.INTEREST,
                        StoreNames.TIMELINE, StoreNames.TIMERS)
                .split(Named.as("outputs-"))
                .branch((user, value) -> value instanceof CartAbandoned, Branched.withConsumer(abandoned -> abandoned
                        .mapValues(value -> (CartAbandoned) value, Named.as("as-cart-abandoned"))
                        .to(topics.cartAbandoned(), Produced.with(Serdes.String(), avro(CartAbandoned.class, registry))
                                .withName("cart-abandoned-sink")), "cart-abandoned"))
                .branch((task, value) -> value instanceof RfmSketches, Branched.withConsumer(published -> published
                        .mapValues(value -> (RfmSketches) value, Named.as("as-rfm-sketches"))
                        .to(topics.rfmSketches(), Produced.with(Serdes.String(), sketches).withName("rfm-sketches-sink")),
                        "rfm-sketches"))
                .noDefaultBranch();

        builder.addGlobalStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(StoreNames.RFM_SKETCHES), Serdes.String(), sketches)
                        .withLoggingDisabled(),
                topics.rfmSketches(),
                Consumed.with(Serdes.String(), sketches).withName("rfm-sketches-global"),
                SketchStoreUpdater::new);
        return builder.build();
    }

    /**
     * Kafka Streams properties: the Kafka settings of {@code config}, plus the
     * dead-letter handlers and exactly-once processing unless configured otherwise.
     */
    public static Properties streamsProperties(SegStreamConfig config, DeadLetterCounters deadLetterCounters) {
        Properties properties = kafkaStreamsSettings(config);
        properties.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class);
        properties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class);
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
        FixedKeyProcessorSupplier<String, SpecificRecord, SpecificRecord> validator =
                () -> new InputValidator(settings, !repartition);
        KStream<String, SpecificRecord> validated = builder
                .stream(topic, Consumed.with(Serdes.String(), serde)
                        .withName(name + "-source")
                        .withTimestampExtractor(new PayloadTimestampExtractor()))
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
