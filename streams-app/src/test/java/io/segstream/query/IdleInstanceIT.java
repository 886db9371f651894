package io.segstream.query;

import static io.segstream.testing.Definitions.segment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.app.SegStreamApp;
import io.segstream.avro.ClickEvent;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.TopicCreator;
import io.segstream.config.Topics;
import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.local.Ports;
import io.segstream.registry.HttpSchemaRegistryClient;
import io.segstream.registry.RegistryConfig;
import io.segstream.scoring.ModelTopic;
import io.segstream.segments.DefinitionTopic;
import io.segstream.serde.SpecificAvroSerializer;
import io.segstream.testing.ApicurioRegistry;
import io.segstream.testing.Events;
import io.segstream.testing.KafkaTopics;
import io.segstream.testing.Models;
import io.segstream.testing.RealInfrastructure;
import io.segstream.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An instance that holds no task (more instances than partitions) still knows
 * the live definitions and models: its global stores are restored through their processors, which
 * update the catalogs, not only loaded. It is ready, and answers for the cluster by fan-out and forwarding.
 */
@ExtendWith(RealInfrastructure.class)
class IdleInstanceIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anInstanceWithoutTasksKnowsTheDefinitionsAndModelsAndAnswersForTheCluster(EmbeddedKafkaBroker kafka,
            ApicurioRegistry registry) throws Exception {
        String suffix = TestConfigs.suffix();
        Map<String, String> shared = TestConfigs.pipeline(kafka.bootstrapServers(), registry.url(), suffix);
        int portOne = Ports.freeLoopbackPort();
        int portTwo = Ports.freeLoopbackPort();
        SegStreamConfig one = TestConfigs.instance(shared, suffix, 1, portOne);
        SegStreamConfig two = TestConfigs.instance(shared, suffix, 2, portTwo);
        TopicCreator.createMissing(one);
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(new RegistryConfig(shared));
        new DefinitionTopic(one, client).publish(List.of(segment("cart-holders", "cart.items > 0", 1).build()));
        new ModelTopic(one, client).publish(Models.clv("v7"));

        // One partition, two instances: one of them holds the task, the other none.
        try (SegStreamApp first = new SegStreamApp(one, client); SegStreamApp second = new SegStreamApp(two, client)) {
            first.start();
            second.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> Stream.of(first, second).allMatch(app ->
                    app.streams().state() == KafkaStreams.State.RUNNING) && Stream.of(first, second).filter(app ->
                    holdsATask(app)).count() == 1);
            SegStreamApp idle = holdsATask(first) ? second : first;

            assertThat(idle.instance().catalog().snapshot().segments()).containsOnlyKeys("cart-holders");
            assertThat(idle.instance().models().snapshot().versions()).containsEntry("clv", "v7");
            String idleApi = "http://127.0.0.1:" + idle.apiPort();
            assertThat(get(idleApi + "/api/v1/models").findValuesAsText("version")).contains("v7");

            // It has no users of its own, yet it is ready and answers for the cluster: by fan-out and forwarding.
            Topics topics = Topics.from(one);
            SpecificAvroSerializer<ClickEvent> clicks = new SpecificAvroSerializer<>(ClickEvent.class, client, false);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaTopics.producerConfig(kafka),
                    new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(topics.clickstream(), "u1", clicks.serialize(topics.clickstream(),
                        Events.add("e1", "u1", "sku-1", 2, "10.00", Instant.now().minusSeconds(60))))).get();
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    get(idleApi + "/api/v1/segments").get(0).path("memberCount").asLong()).isEqualTo(1));
            assertThat(get(idleApi + "/health/ready").path("storesQueryable").asBoolean()).isTrue();
            // Profiles and member lists read the store, which a change reaches about a second after the counters.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    get(idleApi + "/api/v1/users/u1").path("cart").path("items").asInt()).isEqualTo(2));
            assertThat(get(idleApi + "/api/v1/segments/cart-holders/members").path("members").get(0).asText())
                    .isEqualTo("u1");
        }
    }

    private static boolean holdsATask(SegStreamApp app) {
        return app.streams().metadataForLocalThreads().stream().anyMatch(thread -> !thread.activeTasks().isEmpty());
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
