package io.segstream.scoring;

import static io.segstream.testing.Events.click;
import static io.segstream.testing.Events.purchase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.app.SegStreamApp;
import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.Order;
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
import io.segstream.testing.Models;
import io.segstream.testing.RealInfrastructure;
import io.segstream.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Operators publish models with the CLI while the pipeline runs on a real broker: facts and segments follow. */
@ExtendWith(RealInfrastructure.class)
class ModelsIT {

    /** Recent enough that the broker's 7-day retention keeps every record of the test. */
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(5));
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * BG/NBD P(alive) (equation 11 of Fader, Hardie and Lee, 2005) of a customer with x repeat purchases,
     * the last at t_x, of age T: written out here, independently of the model code.
     */
    private static double pAlive(Map<String, Double> p, int x, double tx, double age) {
        return 1 / (1 + p.get("a") / (p.get("b") + x - 1)
                * Math.pow((p.get("alpha") + age) / (p.get("alpha") + tx), p.get("r") + x));
    }

    @Test
    void aPublishedModelChangesFactsAndMembershipsWithoutARestart(EmbeddedKafkaBroker kafka, ApicurioRegistry registry,
            @TempDir Path dir) throws Exception {
        String suffix = TestConfigs.suffix();
        Map<String, String> values = TestConfigs.pipeline(kafka.bootstrapServers(), registry.url(), suffix);
        String config = TestConfigs.write(values, dir.resolve("segstream.properties")).toString();
        Path definitions = Files.writeString(dir.resolve("likely-active.yaml"), """
                segments:
                  - name: likely-active
                    condition: clv.pAlive > 0.5
                """);
        // Daily units. v1 has little dropout: the regular buyer is likely active. v2 has a lot: they are not.
        Map<String, Double> lowDropout = new HashMap<>(Models.clv("v1").getParameters());
        lowDropout.put("timeUnitDays", 1.0);
        Map<String, Double> highDropout = new HashMap<>(lowDropout);
        highDropout.put("a", 8.0);
        highDropout.put("b", 1.0);
        Path v1 = dir.resolve("clv-v1.json");
        ModelFiles.write(Models.clv("v1", lowDropout), v1);
        Path v2 = dir.resolve("clv-v2.json");
        ModelFiles.write(Models.clv("v2", highDropout), v2);
        SegStreamConfig loaded = SegStreamConfig.of(values);
        Topics topics = Topics.from(loaded);
        TopicCreator.createMissing(loaded);
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(new RegistryConfig(values));

        try (SegStreamApp app = new SegStreamApp(loaded, client)) {
            app.start();
            Cli.run("segments", "apply", "--config", config, definitions.toString());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> app.instance().catalog().snapshot().segments().containsKey("likely-active"));
            // The regular buyer orders daily for three days; the pair buyer on days 0 and 2; the one-off
            // buyer once; a click a day later moves stream time ("now") to day 4.
            send(kafka, client, topics, List.of(purchase("o1", "regular", "40.00", T0),
                    purchase("o2", "one-off", "25.00", T0), purchase("p1", "pair", "10.00", T0),
                    purchase("o3", "regular", "40.00", T0.plus(Duration.ofDays(1))),
                    purchase("p2", "pair", "30.00", T0.plus(Duration.ofDays(2))),
                    purchase("o4", "regular", "40.00", T0.plus(Duration.ofDays(2))),
                    purchase("o5", "regular", "40.00", T0.plus(Duration.ofDays(3)))),
                    click("c1", "visitor", ClickEventType.PAGE_VIEW, T0.plus(Duration.ofDays(4))).build());
            String base = "http://127.0.0.1:" + app.apiPort();
            JsonNode before = await().atMost(Duration.ofSeconds(30)).until(() -> get(base + "/api/v1/users/visitor"),
                    user -> user != null).path("lifetime");
            JsonNode regularBefore = get(base + "/api/v1/users/regular");
            assertThat(regularBefore.path("rfm").path("frequency").asLong()).isEqualTo(4);
            assertThat(regularBefore.path("lifetime").path("pAlive").isNull()).isTrue();
            assertThat(regularBefore.path("lifetime").path("absentReason").asText())
                    .isEqualTo("no clv model is published (segstream models apply)");
            assertThat(before.path("absentReason").asText()).isEqualTo("no clv model is published (segstream models apply)");

            assertThat(Cli.run("models", "apply", v1.toString(), "--config", config)).isEqualTo("Published model clv v1.");

            List<SegmentChange> entered = changes(kafka, client, topics, 3);
            assertThat(entered).extracting(SegmentChange::getUserId).containsExactlyInAnyOrder("regular", "one-off", "pair");
            assertThat(entered).allSatisfy(change -> {
                assertThat(change.getKind()).isEqualTo(SegmentChangeKind.ENTERED);
                assertThat(change.getTrigger().name()).isEqualTo("MODEL_CHANGE");
                assertThat(change.getModels()).isEqualTo(Map.of("clv", "v1"));
            });
            // 3 repeat purchases, the last 3 days after the first, which was 4 days ago.
            double regularV1 = pAlive(lowDropout, 3, 3, 4);
            SegmentChange regularEntered = entered.stream().filter(c -> c.getUserId().equals("regular")).findFirst().get();
            assertThat((Double) regularEntered.getFeatures().get("clv.pAlive")).isCloseTo(regularV1, within(1e-9));
            JsonNode regular = get(base + "/api/v1/users/regular").path("lifetime");
            assertThat(regular.path("pAlive").asDouble()).isCloseTo(regularV1, within(1e-9));
            assertThat(regular.path("modelVersion").asText()).isEqualTo("v1");
            assertThat(regular.path("expectedValue365d").asDouble()).isPositive();
            assertThat(get(base + "/api/v1/users/visitor").path("lifetime").path("absentReason").asText())
                    .isEqualTo("no purchase yet: the clv model predicts for customers");

            // v2 goes through the API, as a training job or the demo would publish it.
            HttpResponse<String> bad = post(base + "/api/v1/models", Files.readString(v2).replace("\"a\" : 8.0", "\"a\" : -8.0"));
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(bad.body()).path("detail").asText())
                    .isEqualTo("the body is not a usable model: parameter a must be a positive number, got -8.0");
            HttpResponse<String> published = post(base + "/api/v1/models", Files.readString(v2));
            assertThat(published.statusCode()).isEqualTo(202);
            assertThat(JSON.readTree(published.body()).path("version").asText()).isEqualTo("v2");

            List<SegmentChange> all = changes(kafka, client, topics, 5);
            assertThat(all.subList(3, 5)).extracting(SegmentChange::getUserId).containsExactlyInAnyOrder("regular", "pair");
            SegmentChange exited = all.subList(3, 5).stream().filter(c -> c.getUserId().equals("regular")).findFirst().get();
            assertThat(exited.getKind()).isEqualTo(SegmentChangeKind.EXITED);
            assertThat(exited.getTrigger().name()).isEqualTo("MODEL_CHANGE");
            assertThat(exited.getModels()).isEqualTo(Map.of("clv", "v2"));
            double regularV2 = pAlive(highDropout, 3, 3, 4);
            assertThat(regularV2).isLessThan(0.5);
            assertThat((Double) exited.getFeatures().get("clv.pAlive")).isCloseTo(regularV2, within(1e-9));
            assertThat(get(base + "/api/v1/users/regular").path("lifetime").path("pAlive").asDouble())
                    .isCloseTo(regularV2, within(1e-9));
            JsonNode models = get(base + "/api/v1/models");
            assertThat(models.findValuesAsText("version")).contains("v2");
            assertThat(Cli.run("models", "list", "--config", config)).contains("clv", "CLV_BGNBD_GAMMA_GAMMA", "v2");
            // The one-off buyer has no repeat purchase: BG/NBD holds them active whatever the dropout.
            assertThat(get(base + "/api/v1/users/one-off/explain").path("decisions").get(0).path("member").asBoolean())
                    .isTrue();

            // The model can be refitted on what the pipeline holds, gathered from every instance.
            Path refit = dir.resolve("clv-live.json");
            assertThat(Cli.run("models", "train", "clv", "--from-api", base, "--time-unit-days", "1", "--version", "live-1",
                    "--out", refit.toString()))
                    .startsWith("Fitted live-1 on 7 orders of 3 customers (2 with repeat purchases for spend):");
            assertThat(Files.readString(refit)).contains("\"fittedOn\" : \"the pipeline's state as of " + T0.plus(Duration.ofDays(4)) + "\"");
        }
    }

    private static void send(EmbeddedKafkaBroker kafka, HttpSchemaRegistryClient client, Topics topics, List<Order> orders,
            ClickEvent click) throws Exception {
        SpecificAvroSerializer<Order> orderValues = new SpecificAvroSerializer<>(Order.class, client, false);
        SpecificAvroSerializer<ClickEvent> clickValues = new SpecificAvroSerializer<>(ClickEvent.class, client, false);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaTopics.producerConfig(kafka),
                new StringSerializer(), new ByteArraySerializer())) {
            for (Order order : orders) {
                producer.send(new ProducerRecord<>(topics.orders(), order.getUserId(),
                        orderValues.serialize(topics.orders(), order))).get();
            }
            producer.send(new ProducerRecord<>(topics.clickstream(), click.getUserId(),
                    clickValues.serialize(topics.clickstream(), click))).get();
        }
    }

    private static List<SegmentChange> changes(EmbeddedKafkaBroker kafka, HttpSchemaRegistryClient client, Topics topics,
            int count) {
        SpecificAvroDeserializer<SegmentChange> changes = new SpecificAvroDeserializer<>(SegmentChange.class, client);
        List<ConsumerRecord<String, byte[]>> records =
                KafkaTopics.consume(kafka, topics.segmentChanges(), new ByteArrayDeserializer(), count);
        return records.stream().map(record -> changes.deserialize(topics.segmentChanges(), record.value())).toList();
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The JSON of a 200 answer, or null for any other status. */
    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    }
}
