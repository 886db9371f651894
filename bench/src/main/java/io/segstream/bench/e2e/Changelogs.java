package io.segstream.bench.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Bytes;

/**
 * What an application's state stores hold, read from their changelog topics (the last value of
 * every key, as a restore leaves it), and copies of that state under another application id, so
 * a fresh instance can be timed restoring many users. Works on bytes: it measures whatever state
 * layout the pipeline has.
 */
final class Changelogs {

    /** The live records of one changelog partition: key to value, last write wins, tombstones removed. */
    record Partition(String topic, int partition, Map<Bytes, byte[]> live) {}

    private final String bootstrap;

    Changelogs(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    /** Every changelog partition of {@code applicationId}, read to its end (committed records only). */
    List<Partition> read(String applicationId) throws ExecutionException, InterruptedException {
        List<String> topics;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            topics = admin.listTopics().names().get().stream()
                    .filter(name -> name.startsWith(applicationId + "-") && name.endsWith("-changelog"))
                    .sorted().toList();
        }
        Map<String, Object> settings = new HashMap<>();
        settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
        List<Partition> partitions = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> assigned = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(info -> assigned.add(new TopicPartition(topic, info.partition())));
            }
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned);
            Map<TopicPartition, Map<Bytes, byte[]>> live = new HashMap<>();
            assigned.forEach(partition -> live.put(partition, new HashMap<>()));
            while (assigned.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Map<Bytes, byte[]> values = live.get(new TopicPartition(record.topic(), record.partition()));
                    if (record.value() == null) {
                        values.remove(Bytes.wrap(record.key()));
                    } else {
                        values.put(Bytes.wrap(record.key()), record.value());
                    }
                }
            }
            live.forEach((partition, values) -> partitions.add(new Partition(partition.topic(), partition.partition(), values)));
        }
        return partitions;
    }

    /** Live bytes (keys and values) per store, by store name. */
    static Map<String, long[]> bytesByStore(List<Partition> partitions, String applicationId) {
        Map<String, long[]> stores = new TreeMap<>();
        for (Partition partition : partitions) {
            String store = partition.topic().substring(applicationId.length() + 1,
                    partition.topic().length() - "-changelog".length());
            long[] totals = stores.computeIfAbsent(store, name -> new long[2]);
            partition.live().forEach((key, value) -> {
                totals[0]++;
                totals[1] += key.get().length + value.length;
            });
        }
        return stores;
    }

    /**
     * Writes {@code copies} copies of every live record to the changelogs of {@code target}, each
     * copy's keys prefixed with its number: {@code copies} times the users, same partitions, same
     * bytes per user. Returns the records written.
     */
    long copy(List<Partition> partitions, String source, String target, int copies)
            throws ExecutionException, InterruptedException {
        Map<String, Integer> partitionCounts = new TreeMap<>();
        partitions.forEach(partition -> partitionCounts.merge(partition.topic(), partition.partition() + 1, Math::max));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<NewTopic> topics = new ArrayList<>();
            partitionCounts.forEach((topic, count) -> topics.add(new NewTopic(target + topic.substring(source.length()),
                    count, (short) 1).configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))));
            admin.createTopics(topics).all().get();
        }
        Map<String, Object> settings = new HashMap<>();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        settings.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        settings.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256L << 20);
        settings.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20);
        long written = 0;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int copy = 1; copy <= copies; copy++) {
                byte[] prefix = ("c" + copy + "-").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                for (Partition partition : partitions) {
                    String topic = target + partition.topic().substring(source.length());
                    for (Map.Entry<Bytes, byte[]> entry : partition.live().entrySet()) {
                        byte[] key = entry.getKey().get();
                        byte[] copied = new byte[prefix.length + key.length];
                        System.arraycopy(prefix, 0, copied, 0, prefix.length);
                        System.arraycopy(key, 0, copied, prefix.length, key.length);
                        producer.send(new ProducerRecord<>(topic, partition.partition(), copied, entry.getValue()));
                        written++;
                    }
                }
            }
            producer.flush();
        }
        return written;
    }
}
