package io.segstream.testing;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.SegmentDefinition;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.TopicCreator;
import io.segstream.config.Topics;
import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.registry.HttpSchemaRegistryClient;
import io.segstream.registry.RegistryConfig;
import io.segstream.segments.DefinitionTopic;
import io.segstream.serde.SpecificAvroSerializer;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One isolated pipeline on the shared broker and registry, as most integration tests start: its
 * settings ({@link TestConfigs#pipeline}), its topics created, a registry client and a click serializer.
 */
public record PipelineSetup(EmbeddedKafkaBroker kafka, Map<String, String> values, SegStreamConfig config, Topics topics,
        HttpSchemaRegistryClient registry, SpecificAvroSerializer<ClickEvent> clicks) {

    public static PipelineSetup create(EmbeddedKafkaBroker kafka, ApicurioRegistry registry) {
        return create(kafka, registry, values -> { });
    }

    /** As {@link #create(EmbeddedKafkaBroker, ApicurioRegistry)}, with {@code customize} changing the settings first. */
    public static PipelineSetup create(EmbeddedKafkaBroker kafka, ApicurioRegistry registry,
            Consumer<Map<String, String>> customize) {
        Map<String, String> values = TestConfigs.pipeline(kafka.bootstrapServers(), registry.url(), TestConfigs.suffix());
        customize.accept(values);
        SegStreamConfig config = SegStreamConfig.of(values);
        TopicCreator.createMissing(config);
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(new RegistryConfig(values));
        return new PipelineSetup(kafka, values, config, Topics.from(config), client,
                new SpecificAvroSerializer<>(ClickEvent.class, client, false));
    }

    /** Publishes {@code definitions} as {@code segstream segments apply} would. */
    public void publish(SegmentDefinition... definitions) {
        new DefinitionTopic(config, registry).publish(List.of(definitions));
    }

    /** Sends the clicks to the clickstream (key: user id, record timestamp: event time) and waits for each. */
    public void sendClicks(ClickEvent... events) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaTopics.producerConfig(kafka),
                new StringSerializer(), new ByteArraySerializer())) {
            for (ClickEvent event : events) {
                String key = event.getUserId() != null ? event.getUserId() : event.getAnonymousId();
                producer.send(new ProducerRecord<>(topics.clickstream(), null, event.getEventTimestamp().toEpochMilli(),
                        key, clicks.serialize(topics.clickstream(), event))).get();
            }
        }
    }

    /** Sends raw bytes to the clickstream under {@code key}. */
    public void sendRaw(String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaTopics.producerConfig(kafka),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.clickstream(), key, value)).get();
        }
    }
}
