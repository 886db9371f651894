package io.segstream.segments;

import static io.segstream.testing.Events.add;
import static io.segstream.testing.Events.at;
import static io.segstream.testing.Events.click;
import static io.segstream.testing.Events.remove;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.segstream.app.SegStreamApp;
import io.segstream.avro.ClickEvent;
import io.segstream.avro.ChangeTrigger;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.SegmentChange;
import io.segstream.avro.SegmentChangeKind;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.TopicCreator;
import io.segstream.config.Topics;
import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.registry.HttpSchemaRegistryClient;
import io.segstream.registry.RegistryConfig;
import io.segstream.serde.SpecificAvroDeserializer;
import io.segstream.serde.SpecificAvroSerializer;
import io.segstream.testing.ApicurioRegistry;
import io.segstream.testing.Cli;
import io.segstream.testing.KafkaTopics;
import io.segstream.testing.RealInfrastructure;
import io.segstream.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Operators apply and retire definitions with the CLI while the pipeline runs on a real broker. */
@ExtendWith(RealInfrastructure.class)
class SegmentsIT {

    private static final Instant T0 = at("2026-11-20T10:00:00Z");

    @Test
    void appliedDefinitionsTakeEffectWithoutARestartAndRetiringExitsTheMembers(EmbeddedKafkaBroker kafka,
            ApicurioRegistry registry, @TempDir Path dir) throws Exception {
        String suffix = TestConfigs.suffix();
        Map<String, String> values = TestConfigs.pipeline(kafka.bootstrapServers(), registry.url(), suffix);
        Path configFile = TestConfigs.write(values, dir.resolve("segstream.properties"));
        String routed = "segment.cart-holders-" + suffix;
        Path definitions = dir.resolve("cart.yaml");
        Files.writeString(definitions, """
                segments:
                  - name: cart-holders
                    condition: cart.items > 0
                    outputTopic: %s
                """.formatted(routed));
        try (Running running = Running.start(values)) {
            SegStreamApp app = running.app();
            Topics topics = running.topics();
            HttpSchemaRegistryClient client = running.registry();
            assertThat(Cli.run("segments", "apply", "--config", configFile.toString(), definitions.toString()))
                    .isEqualTo("created    cart-holders (v1)");
            assertThat(Cli.run("segments", "apply", "--config", configFile.toString(), definitions.toString()))
                    .isEqualTo("unchanged  cart-holders (v1)");
            assertThat(Cli.run("segments", "list", "--config", configFile.toString()))
                    .contains("cart-holders", "cart.items > 0");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> app.instance().catalog().snapshot().segments().containsKey("cart-holders"));

            SpecificAvroSerializer<ClickEvent> clicks = new SpecificAvroSerializer<>(ClickEvent.class, client, false);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaTopics.producerConfig(kafka),
                    new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(topics.clickstream(), "u1",
                        clicks.serialize(topics.clickstream(), add("e1", "u1", "sku-1", 1, "9.00", T0)))).get();
            }
            SpecificAvroDeserializer<SegmentChange> changes = new SpecificAvroDeserializer<>(SegmentChange.class, client);
            List<ConsumerRecord<String, byte[]>> entered =
                    KafkaTopics.consume(kafka, routed, new ByteArrayDeserializer(), 1);
            assertThat(changes.deserialize(routed, entered.get(0).value()).getKind()).isEqualTo(SegmentChangeKind.ENTERED);

            assertThat(Cli.run("segments", "retire", "cart-holders", "--config", configFile.toString()))
                    .isEqualTo("Retired cart-holders.");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !app.instance().catalog().snapshot().segments().containsKey("cart-holders"));
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaTopics.producerConfig(kafka),
                    new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(topics.clickstream(), "other", clicks.serialize(topics.clickstream(),
                        click("e2", "other", ClickEventType.PAGE_VIEW, T0.plusSeconds(60)).build()))).get();
            }
            List<ConsumerRecord<String, byte[]>> all =
                    KafkaTopics.consume(kafka, topics.segmentChanges(), new ByteArrayDeserializer(), 2);
            SegmentChange exited = changes.deserialize(topics.segmentChanges(), all.get(1).value());
            assertThat(exited.getUserId()).isEqualTo("u1");
            assertThat(exited.getKind()).isEqualTo(SegmentChangeKind.EXITED);
            assertThat(exited.getTrigger().name()).isEqualTo("DEFINITION_CHANGE");
        }
    }

    @Test
    void underAtLeastOnceEachUsersEventsAreDecidedAfterThemOnceOrTogether(EmbeddedKafkaBroker kafka,
            ApicurioRegistry registry, @TempDir Path dir) throws Exception {
        String suffix = TestConfigs.suffix();
        Map<String, String> values = TestConfigs.pipeline(kafka.bootstrapServers(), registry.url(), suffix);
        values.put("processing.guarantee", "at_least_once");
        Path configFile = TestConfigs.write(values, dir.resolve("segstream.properties"));
        Path definitions = dir.resolve("carts.yaml");
        Files.writeString(definitions, """
                segments:
                  - name: cart-holders
                    condition: cart.items > 0
                  - name: big-carts
                    condition: cart.value >= 20.0
                """);
        try (Running running = Running.start(values)) {
            SegStreamApp app = running.app();
            Topics topics = running.topics();
            HttpSchemaRegistryClient client = running.registry();
            Cli.run("segments", "apply", "--config", configFile.toString(), definitions.toString());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> app.instance().catalog().snapshot().segments().keySet().containsAll(
                            List.of("cart-holders", "big-carts")));

            // Sent at once: whether a user's events are decided one by one or together depends on how they
            // reach the stream thread; what each user ends up with, and each change's trigger, do not.
            SpecificAvroSerializer<ClickEvent> clicks = new SpecificAvroSerializer<>(ClickEvent.class, client, false);
            List<ClickEvent> events = List.of(
                    add("e1", "u1", "sku-1", 1, "5.00", T0),
                    add("e2", "u1", "sku-2", 1, "30.00", T0.plusSeconds(1)),
                    remove("e3", "u1", "sku-1", 1, T0.plusSeconds(2)),
                    add("e4", "u2", "sku-1", 1, "5.00", T0.plusSeconds(3)),
                    remove("e5", "u2", "sku-1", 1, T0.plusSeconds(4)),
                    add("e6", "u3", "sku-3", 1, "2.00", T0.plusSeconds(5)));
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaTopics.producerConfig(kafka),
                    new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                for (ClickEvent event : events) {
                    producer.send(new ProducerRecord<>(topics.clickstream(), event.getUserId(),
                            clicks.serialize(topics.clickstream(), event)));
                }
                producer.flush();
            }

            SpecificAvroDeserializer<SegmentChange> deserializer = new SpecificAvroDeserializer<>(SegmentChange.class, client);
            // A user's events after one decided within the last interval wait up to an interval (or a poll, as
            // the input stops here), so changes of different users may come in any order: read until u1 has
            // two, u3 one and u2 an even number (an entry and its exit, or none).
            List<SegmentChange> changes = KafkaTopics.consumeUntil(kafka, topics.segmentChanges(), new ByteArrayDeserializer(),
                    "two changes of u1, one of u3 and an even number of u2's", records -> {
                        Map<String, Long> perUser = records.stream()
                                .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
                        return perUser.getOrDefault("u1", 0L) >= 2 && perUser.getOrDefault("u3", 0L) >= 1
                                && perUser.getOrDefault("u2", 0L) % 2 == 0;
                    })
                    .stream().map(record -> deserializer.deserialize(topics.segmentChanges(), record.value())).toList();

            assertThat(changes).allSatisfy(change -> assertThat(change.getTrigger()).isEqualTo(ChangeTrigger.EVENT));
            assertThat(changes).filteredOn(change -> change.getUserId().equals("u1"))
                    .extracting(SegmentChange::getSegment, SegmentChange::getKind)
                    .containsExactlyInAnyOrder(tuple("cart-holders", SegmentChangeKind.ENTERED),
                            tuple("big-carts", SegmentChangeKind.ENTERED));
            // u2's cart filled and emptied: one entry and exit when decided apart, nothing when decided together.
            List<Tuple> u2 = changes.stream().filter(change -> change.getUserId().equals("u2"))
                    .map(change -> tuple(change.getSegment(), change.getKind())).toList();
            assertThat(u2).isIn(List.of(), List.of(tuple("cart-holders", SegmentChangeKind.ENTERED),
                    tuple("cart-holders", SegmentChangeKind.EXITED)));
            assertThat(changes).filteredOn(change -> change.getUserId().equals("u3"))
                    .extracting(SegmentChange::getSegment, SegmentChange::getKind)
                    .containsExactly(tuple("cart-holders", SegmentChangeKind.ENTERED));
        }
    }

    /** The pipeline of {@code values} started on the real broker, its topics created first; with its registry client. */
    private record Running(SegStreamApp app, Topics topics, HttpSchemaRegistryClient registry) implements AutoCloseable {

        static Running start(Map<String, String> values) {
            SegStreamConfig config = SegStreamConfig.of(values);
            TopicCreator.createMissing(config);
            HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(new RegistryConfig(values));
            SegStreamApp app = new SegStreamApp(config, registry);
            app.start();
            return new Running(app, Topics.from(config), registry);
        }

        @Override
        public void close() {
            app.close();
        }
    }
}
