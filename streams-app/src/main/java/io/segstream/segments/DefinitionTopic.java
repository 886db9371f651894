package io.segstream.segments;

import io.segstream.avro.SegmentDefinition;
import io.segstream.config.ReliableProducers;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.Topics;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.serde.SpecificAvroDeserializer;
import io.segstream.serde.SpecificAvroSerializer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The compacted {@code segments.definitions} topic: the current definitions, publishing and retiring. */
public final class DefinitionTopic {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final SegStreamConfig config;
    private final String topic;
    private final SchemaRegistryClient registry;

    public DefinitionTopic(SegStreamConfig config, SchemaRegistryClient registry) {
        this.config = config;
        this.topic = Topics.from(config).segmentDefinitions();
        this.registry = registry;
    }

    /** The live definitions by name: the topic read from its start to its end, tombstones applied. */
    public Map<String, SegmentDefinition> current() {
        Map<String, Object> properties = config.clientProperties();
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        SpecificAvroDeserializer<SegmentDefinition> values = new SpecificAvroDeserializer<>(SegmentDefinition.class, registry);
        Map<String, SegmentDefinition> current = new TreeMap<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, READ_TIMEOUT).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, READ_TIMEOUT);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaException("Timed out reading " + topic + " to its end");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) {
                        current.remove(record.key());
                    } else {
                        current.put(record.key(), values.deserialize(topic, record.value()));
                    }
                }
            }
        }
        return current;
    }

    /** Publishes definitions (keyed by name) and waits until the broker has them. */
    public void publish(List<SegmentDefinition> definitions) {
        SpecificAvroSerializer<SegmentDefinition> values = new SpecificAvroSerializer<>(SegmentDefinition.class, registry, false);
        try (KafkaProducer<String, SegmentDefinition> producer = producer(values)) {
            for (SegmentDefinition definition : definitions) {
                producer.send(new ProducerRecord<>(topic, definition.getName(), definition)).get();
            }
        } catch (ExecutionException e) {
            throw new KafkaException("Cannot publish to " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while publishing definitions", e);
        }
    }

    /** Writes the tombstone that retires {@code name}; its members exit. */
    public void retire(String name) {
        SpecificAvroSerializer<SegmentDefinition> values = new SpecificAvroSerializer<>(SegmentDefinition.class, registry, false);
        try (KafkaProducer<String, SegmentDefinition> producer = producer(values)) {
            producer.send(new ProducerRecord<>(topic, name, null)).get();
        } catch (ExecutionException e) {
            throw new KafkaException("Cannot retire " + name + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while retiring " + name, e);
        }
    }

    private KafkaProducer<String, SegmentDefinition> producer(SpecificAvroSerializer<SegmentDefinition> values) {
        return ReliableProducers.create(config, values);
    }
}
