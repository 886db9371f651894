package io.segstream.config;

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
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A compacted topic of current values by name (segment definitions, models), as the commands that
 * manage it see it: read to its end with tombstones applied, published to and retired from.
 */
public final class CompactedTopic<V> {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final SegStreamConfig config;
    private final String topic;
    private final Serializer<V> serializer;
    private final Deserializer<V> deserializer;

    public CompactedTopic(SegStreamConfig config, String topic, Serializer<V> serializer, Deserializer<V> deserializer) {
        this.config = config;
        this.topic = topic;
        this.serializer = serializer;
        this.deserializer = deserializer;
    }

    public String name() {
        return topic;
    }

    /** The live values by key: the topic read from its start to its end, tombstones applied. */
    public Map<String, V> current() {
        Map<String, Object> properties = config.clientProperties();
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, V> current = new TreeMap<>();
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
                        current.put(record.key(), deserializer.deserialize(topic, record.value()));
                    }
                }
            }
        }
        return current;
    }

    /** Publishes {@code values} (by key, in order) and waits until the broker has each of them. */
    public void publish(Map<String, V> values) {
        try (KafkaProducer<String, V> producer = ReliableProducers.create(config, serializer)) {
            for (Map.Entry<String, V> value : values.entrySet()) {
                producer.send(new ProducerRecord<>(topic, value.getKey(), value.getValue())).get();
            }
        } catch (ExecutionException e) {
            throw new KafkaException("Cannot publish to " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while publishing to " + topic, e);
        }
    }

    /** Writes the tombstone that retires {@code key}, and waits until the broker has it. */
    public void retire(String key) {
        try (KafkaProducer<String, V> producer = ReliableProducers.create(config, serializer)) {
            producer.send(new ProducerRecord<>(topic, key, null)).get();
        } catch (ExecutionException e) {
            throw new KafkaException("Cannot retire " + key + " on " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while retiring " + key, e);
        }
    }
}
