package io.segstream.testing;

import io.segstream.local.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Topic, producer and consumer helpers for integration tests on the real broker. */
public final class KafkaTopics {

    private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(60);

    private KafkaTopics() {}

    /** Creates a topic named {@code prefix} plus a unique suffix, so test classes never share data. */
    public static String create(EmbeddedKafkaBroker kafka, String prefix, int partitions)
            throws ExecutionException, InterruptedException {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
        return name;
    }

    public static Map<String, Object> producerConfig(EmbeddedKafkaBroker kafka) {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return config;
    }

    /** Reads {@code count} records from the start of {@code topic}, failing if they do not arrive in time. */
    public static <V> List<ConsumerRecord<String, V>> consume(EmbeddedKafkaBroker kafka, String topic,
            Deserializer<V> valueDeserializer, int count) {
        return consumeUntil(kafka, topic, valueDeserializer, "" + count + " records", records -> records.size() >= count);
    }

    /**
     * Reads {@code topic} from its start until the records read so far are {@code done}, failing if they are not
     * in time ({@code what} says what was waited for).
     */
    public static <V> List<ConsumerRecord<String, V>> consumeUntil(EmbeddedKafkaBroker kafka, String topic,
            Deserializer<V> valueDeserializer, String what, Predicate<List<ConsumerRecord<String, V>>> done) {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(config, new StringDeserializer(), valueDeserializer)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + CONSUME_TIMEOUT.toNanos();
            while (!done.test(records) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        if (!done.test(records)) {
            throw new AssertionError("Expected " + what + " on " + topic + " but got " + records.size()
                    + " records within " + CONSUME_TIMEOUT);
        }
        return records;
    }
}
