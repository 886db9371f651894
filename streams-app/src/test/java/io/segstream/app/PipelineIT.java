package io.segstream.app;

import static io.segstream.testing.Events.add;
import static io.segstream.testing.Events.at;
import static io.segstream.testing.Events.click;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.avro.CartAbandoned;
import io.segstream.avro.ClickEventType;
import io.segstream.config.StoreNames;
import io.segstream.topology.UserStateSerde;
import io.segstream.config.Topics;
import io.segstream.dlq.DeadLetterReason;
import io.segstream.dlq.DeadLetters;
import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.registry.HttpSchemaRegistryClient;
import io.segstream.serde.SpecificAvroDeserializer;
import io.segstream.testing.ApicurioRegistry;
import io.segstream.testing.KafkaTopics;
import io.segstream.testing.PipelineSetup;
import io.segstream.testing.RealInfrastructure;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The whole pipeline on a real broker and registry, exactly-once, as `segstream run` runs it. */
@ExtendWith(RealInfrastructure.class)
class PipelineIT {

    private static final Instant T0 = at("2026-11-20T10:00:00Z");

    @Test
    void deadLettersBadBytesAndEmitsACartAbandonmentEndToEnd(EmbeddedKafkaBroker kafka, ApicurioRegistry registry)
            throws Exception {
        PipelineSetup pipeline = PipelineSetup.create(kafka, registry);
        Topics topics = pipeline.topics();
        HttpSchemaRegistryClient client = pipeline.registry();
        byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);

        try (SegStreamApp app = new SegStreamApp(pipeline.config(), client)) {
            app.start();
            pipeline.sendClicks(add("e1", "u1", "sku-1", 2, "19.99", T0));
            pipeline.sendRaw("u2", garbage);
            pipeline.sendClicks(click("e2", "other", ClickEventType.PAGE_VIEW, T0.plus(Duration.ofMinutes(40))).build());

            List<ConsumerRecord<String, byte[]>> abandoned =
                    KafkaTopics.consume(kafka, topics.cartAbandoned(), new ByteArrayDeserializer(), 1);
            CartAbandoned abandonment = new SpecificAvroDeserializer<>(CartAbandoned.class, client)
                    .deserialize(topics.cartAbandoned(), abandoned.get(0).value());
            assertThat(abandoned.get(0).key()).isEqualTo("u1");
            assertThat(abandonment.getAbandonedAt()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
            assertThat(abandonment.getCartValue()).isEqualByComparingTo("39.98");

            List<ConsumerRecord<String, byte[]>> letters =
                    KafkaTopics.consume(kafka, topics.deadLetters(), new ByteArrayDeserializer(), 1);
            assertThat(letters.get(0).key()).isEqualTo("u2");
            assertThat(letters.get(0).value()).isEqualTo(garbage);
            assertThat(new String(letters.get(0).headers().lastHeader(DeadLetters.HEADER_REASON).value(),
                    StandardCharsets.UTF_8)).isEqualTo("UNKNOWN_MAGIC_BYTE");
            assertThat(app.deadLetterCounters().count(DeadLetterReason.UNKNOWN_MAGIC_BYTE)).isEqualTo(1);

            ReadOnlyKeyValueStore<String, byte[]> users = app.streams().store(StoreQueryParameters
                    .fromNameAndType(StoreNames.USERS, QueryableStoreTypes.<String, byte[]>keyValueStore()));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(UserStateSerde.INSTANCE.decode(users.get("u1"))
                    .features().cart().view().abandonedAt()).isEqualTo(T0.plus(Duration.ofMinutes(30))));
            assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);

            String api = "http://127.0.0.1:" + app.apiPort();
            JsonNode profile = getJson(api + "/api/v1/users/u1", 200);
            assertThat(profile.path("userId").asText()).isEqualTo("u1");
            assertThat(profile.path("cart").path("abandonedAt").asText()).isEqualTo("2026-11-20T10:30:00Z");
            assertThat(profile.path("cart").path("value").decimalValue()).isEqualByComparingTo("39.98");
            assertThat(profile.path("rfm").path("frequency").asLong()).isZero();
            assertThat(profile.path("intent").path("contributions").size()).isEqualTo(9);
            assertThat(getJson(api + "/api/v1/users/nobody", 404).path("error").asText()).isEqualTo("unknown user");
            assertThat(getJson(api + "/api/v1/segments/none/members?limit=abc", 404).path("error").asText())
                    .isEqualTo("unknown segment");
            assertThat(getJson(api + "/health/ready", 200).path("status").asText()).isEqualTo("UP");
            assertThat(get(api + "/metrics").body())
                    .contains("segstream_dead_letters_total{reason=\"UNKNOWN_MAGIC_BYTE\"} 1.0")
                    .contains("segstream_carts_abandoned_total 1.0")
                    .contains("kafka_stream_");
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode getJson(String url, int status) throws Exception {
        HttpResponse<String> response = get(url);
        assertThat(response.statusCode()).as(url + " -> " + response.body()).isEqualTo(status);
        return new ObjectMapper().readTree(response.body());
    }
}
