package io.segstream.testing;

import io.segstream.config.SegStreamConfig;
import io.segstream.config.TopicCreator;
import io.segstream.config.Topics;
import io.segstream.registry.HttpSchemaRegistryClient;
import io.segstream.registry.RegistryConfig;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.segments.DefinitionTopic;
import io.segstream.segments.SegmentFiles;
import io.segstream.segments.SegmentPublisher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the chaos tests share: their size (short in {@code mvn verify}, full with
 * {@code -Dchaos.full=true}), the sample segments, a producer of raw bytes, reading an output
 * topic's committed records to its end, and printing figures.
 */
public final class Chaos {

    /** True for the full run the README's chaos command makes. */
    public static final boolean FULL = Boolean.getBoolean("chaos.full");

    private Chaos() {}

    /** A pipeline's settings on topics of its own (two partitions each, created), with the sample segments applied. */
    public record Setup(Map<String, String> values, SegStreamConfig config, Topics topics, HttpSchemaRegistryClient registry) {}

    /** Settings of {@link TestConfigs#pipeline} plus {@code overrides}; creates the topics and applies the sample segments. */
    public static Setup setUp(String bootstrapServers, String registryUrl, String suffix, Map<String, String> overrides)
            throws java.io.IOException {
        Map<String, String> values = TestConfigs.pipeline(bootstrapServers, registryUrl, suffix);
        values.put(SegStreamConfig.TOPICS_PARTITIONS, "2");
        values.putAll(overrides);
        SegStreamConfig config = SegStreamConfig.of(values);
        TopicCreator.createMissing(config);
        HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(new RegistryConfig(values));
        applySampleSegments(config, registry);
        return new Setup(values, config, Topics.from(config), registry);
    }

    /** Publishes the sample definitions of deploy/segments, as `segstream segments apply` does. */
    public static void applySampleSegments(SegStreamConfig config, SchemaRegistryClient registry) throws java.io.IOException {
        SegmentFiles.Result read = SegmentFiles.read(SegmentFiles.expand(List.of(Path.of("../deploy/segments"))));
        if (!read.ok()) {
            throw new IllegalStateException("Sample segments do not validate: " + read.problems());
        }
        SegmentPublisher.apply(read.segments(), config, new DefinitionTopic(config, registry));
    }

    public static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    /** Every committed record of {@code topic}, from its earliest offset to its end offset now. */
    public static <V> List<ConsumerRecord<String, V>> readAll(String bootstrapServers, String topic,
            Deserializer<V> values) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Could not read " + topic + " to its end offsets " + ends);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** The earliest offset of each partition of {@code topic}: 0 unless the broker deleted records. */
    public static Map<Integer, Long> earliestOffsets(String bootstrapServers, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                request.put(new TopicPartition(topic, p), OffsetSpec.earliest());
            }
            Map<Integer, Long> earliest = new HashMap<>();
            admin.listOffsets(request).all().get().forEach((partition, info) -> earliest.put(partition.partition(), info.offset()));
            return earliest;
        }
    }

    /** Waits until {@code done} holds, failing with {@code what} after {@code timeout}. */
    public static void await(Duration timeout, String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** Prints one figure of a chaos run, so the README's command shows what it measured. */
    public static void report(String format, Object... arguments) {
        System.out.println("CHAOS " + String.format(format, arguments));
    }
}
