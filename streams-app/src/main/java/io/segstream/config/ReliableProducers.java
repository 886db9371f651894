package io.segstream.config;

import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Producers for the commands that publish to the cluster: idempotent, acknowledged by every in-sync replica. */
public final class ReliableProducers {

    private ReliableProducers() {}

    /** A producer with string keys and {@code values}, configured by {@code config}'s Kafka client settings. */
    public static <V> KafkaProducer<String, V> create(SegStreamConfig config, Serializer<V> values) {
        Map<String, Object> properties = config.clientProperties();
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(properties, new StringSerializer(), values);
    }
}
