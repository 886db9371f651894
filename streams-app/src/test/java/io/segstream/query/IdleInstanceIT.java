package io.segstream.query;

import static io.segstream.testing.Definitions.segment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.app.SegStreamApp;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.TopicCreator;
import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.local.Ports;
import io.segstream.registry.HttpSchemaRegistryClient;
import io.segstream.registry.RegistryConfig;
import io.segstream.scoring.ModelTopic;
import io.segstream.segments.DefinitionTopic;
import io.segstream.testing.ApicurioRegistry;
import io.segstream.testing.Instances;
import io.segstream.testing.Models;
import io.segstream.testing.RealInfrastructure;
import io.segstream.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An instance that holds no task (beyond the partition count, or without stream threads) still knows
 * the live definitions and models: its global stores are restored through their processors, which
 * update the catalogs, not only loaded. (Its routes over the users store answer 503: it has none.)
 */
@ExtendWith(RealInfrastructure.class)
class IdleInstanceIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anInstanceWithoutTasksKnowsTheDefinitionsAndModelsPublishedBeforeItStarted(EmbeddedKafkaBroker kafka,
            ApicurioRegistry registry) throws Exception {
        String suffix = TestConfigs.suffix();
        Map<String, String> shared = TestConfigs.pipeline(kafka.bootstrapServers(), registry.url(), suffix);
        int portOne = Ports.freeLoopbackPort();
        int portTwo = Ports.freeLoopbackPort();
        SegStreamConfig one = TestConfigs.instance(shared, suffix, 1, portOne);
        // No stream thread: the second instance can never be given a task, whatever the assignor decides.
        Map<String, String> idleValues = new java.util.HashMap<>(shared);
        idleValues.put("num.stream.threads", "0");
        SegStreamConfig two = TestConfigs.instance(idleValues, suffix, 2, portTwo);
        TopicCreator.createMissing(one);
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(new RegistryConfig(shared));
        new DefinitionTopic(one, client).publish(List.of(segment("cart-holders", "cart.items > 0", 1).build()));
        new ModelTopic(one, client).publish(Models.clv("v7"));

        try (SegStreamApp first = new SegStreamApp(one, client); SegStreamApp idle = new SegStreamApp(two, client)) {
            Instances.startWithTasks(first);
            idle.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> idle.streams().state() == KafkaStreams.State.RUNNING);
            assertThat(idle.streams().metadataForLocalThreads()).isEmpty();

            assertThat(idle.instance().catalog().snapshot().segments()).containsOnlyKeys("cart-holders");
            assertThat(idle.instance().models().snapshot().versions()).containsEntry("clv", "v7");
            JsonNode models = get("http://127.0.0.1:" + portTwo + "/api/v1/models");
            assertThat(models.findValuesAsText("version")).contains("v7");
        }
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
