package io.segstream.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.avro.ClickEvent;
import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.registry.HttpSchemaRegistryClient;
import io.segstream.registry.RegistryConfig;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.testing.ApicurioRegistry;
import io.segstream.testing.KafkaTopics;
import io.segstream.testing.RealInfrastructure;
import io.segstream.testing.TestRecords;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealInfrastructure.class)
class ClickEventRoundTripIT {

    private static final Instant START = Instant.parse("2026-11-20T09:00:00Z");

    @Test
    void clickEventsProducedWithOurSerializerComeBackEqualThroughARealBrokerAndRegistry(
            EmbeddedKafkaBroker kafka, ApicurioRegistry registry) throws Exception {
        String topic = KafkaTopics.create(kafka, "clickstream", 3);
        List<ClickEvent> sent = IntStream.range(0, 200)
                .mapToObj(i -> i % 3 == 0
                        ? TestRecords.anonymousPageView("e" + i, "anon-" + i % 7, START.plusSeconds(i))
                        : i % 3 == 1
                                ? TestRecords.productView("e" + i, "u" + i % 11, "electronics.audio", START.plusSeconds(i))
                                : TestRecords.addToCart("e" + i, "u" + i % 11, START.plusSeconds(i)))
                .toList();

        Map<String, Object> serdeConfig = Map.of(RegistryConfig.URL, registry.url());
        try (KafkaProducer<String, ClickEvent> producer = new KafkaProducer<>(KafkaTopics.producerConfig(kafka),
                new StringSerializer(), SpecificAvroSerde.of(ClickEvent.class, serdeConfig, false).serializer())) {
            for (ClickEvent event : sent) {
                producer.send(new ProducerRecord<>(topic, keyOf(event), event)).get();
            }
        }

        // A reader with a cold cache, as a separate consumer application would have.
        SchemaRegistryClient coldClient = new HttpSchemaRegistryClient(new RegistryConfig(serdeConfig));
        SpecificAvroDeserializer<ClickEvent> deserializer = new SpecificAvroDeserializer<>(ClickEvent.class, coldClient);
        List<ConsumerRecord<String, byte[]>> received =
                KafkaTopics.consume(kafka, topic, new ByteArrayDeserializer(), sent.size());
        List<ClickEvent> decoded = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : received) {
            ClickEvent event = deserializer.deserialize(topic, record.value());
            assertThat(record.key()).isEqualTo(keyOf(event));
            decoded.add(event);
        }

        assertThat(decoded).containsExactlyInAnyOrderElementsOf(sent);
        int registeredId = coldClient.lookUp(topic + "-value", ClickEvent.getClassSchema());
        assertThat(received).allSatisfy(record -> {
            assertThat(record.value()[0]).isZero();
            assertThat(ByteBuffer.wrap(record.value(), 1, 4).getInt()).isEqualTo(registeredId);
        });
        assertThat(coldClient.subjects()).contains(topic + "-value");
    }

    private static String keyOf(ClickEvent event) {
        return event.getUserId() != null ? event.getUserId() : event.getAnonymousId();
    }

    @Test
    void aRecordWithASchemaIdTheRealRegistryDoesNotKnowIsRejectedWithItsReason(ApicurioRegistry registry) {
        SpecificAvroDeserializer<ClickEvent> deserializer = new SpecificAvroDeserializer<>(ClickEvent.class,
                new HttpSchemaRegistryClient(new RegistryConfig(Map.of(RegistryConfig.URL, registry.url()))));
        byte[] framed = ByteBuffer.allocate(7).put((byte) 0).putInt(987_654).put(new byte[] {2, 65}).array();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> deserializer.deserialize("clickstream", framed))
                .isInstanceOf(UnknownSchemaIdException.class)
                .hasMessage("Cannot read record from topic \"clickstream\": schema id 987654 is not in the registry");
    }
}
