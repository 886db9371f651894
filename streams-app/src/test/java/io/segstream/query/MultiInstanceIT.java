package io.segstream.query;

import static io.segstream.testing.Definitions.segment;
import static io.segstream.testing.Events.add;
import static io.segstream.testing.Events.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.app.SegStreamApp;
import io.segstream.avro.ClickEvent;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.StoreNames;
import io.segstream.config.TopicCreator;
import io.segstream.config.Topics;
import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.local.Ports;
import io.segstream.registry.HttpSchemaRegistryClient;
import io.segstream.registry.RegistryConfig;
import io.segstream.segments.DefinitionTopic;
import io.segstream.serde.SpecificAvroSerializer;
import io.segstream.testing.ApicurioRegistry;
import io.segstream.testing.Cli;
import io.segstream.testing.KafkaTopics;
import io.segstream.testing.Instances;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances on the real broker: any instance answers for any user (with bearer tokens, forwarded
 * with the request), and one takes over from the other.
 */
@ExtendWith(RealInfrastructure.class)
class MultiInstanceIT {

    private static final Instant T0 = at("2026-11-20T10:00:00Z");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String READ_TOKEN = "analyst-token-0123456789";
    private static final String ADMIN_TOKEN = "operator-token-0123456789";

    @Test
    void anInstanceAnswersForUsersTheOtherOwnsAndTakesOverWhenItStops(EmbeddedKafkaBroker kafka,
            ApicurioRegistry registry, @TempDir Path dir) throws Exception {
        String suffix = TestConfigs.suffix();
        Map<String, String> shared = TestConfigs.pipeline(kafka.bootstrapServers(), registry.url(), suffix);
        shared.put(SegStreamConfig.TOPICS_PARTITIONS, "4");
        // Tokens as an operator gives them: a file for one role, the environment-style key for the other.
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "# analysts\nread " + READ_TOKEN + "\n");
        shared.put(SegStreamConfig.API_AUTH_TOKENS_FILE, tokens.toString());
        shared.put(SegStreamConfig.API_AUTH_TOKENS, "admin:" + ADMIN_TOKEN);
        int portOne = Ports.freeLoopbackPort();
        int portTwo = Ports.freeLoopbackPort();
        SegStreamConfig one = TestConfigs.instance(shared, suffix, 1, portOne);
        SegStreamConfig two = TestConfigs.instance(shared, suffix, 2, portTwo);
        Topics topics = Topics.from(one);
        TopicCreator.createMissing(one);
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(new RegistryConfig(shared));
        new DefinitionTopic(one, client).publish(List.of(segment("cart-holders", "cart.items > 0", 1).build()));
        List<String> users = IntStream.range(0, 40).mapToObj(i -> "user-" + i).toList();

        SegStreamApp first = new SegStreamApp(one, client);
        try (SegStreamApp second = new SegStreamApp(two, client)) {
            Instances.startWithTasks(first, second);

            addToCarts(kafka, client, topics, users);
            String apiOne = "http://127.0.0.1:" + portOne;
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                    getJson(apiOne + "/api/v1/segments").get(0).path("memberCount").asLong()).isEqualTo(users.size()));

            HostInfo hostTwo = new HostInfo("127.0.0.1", portTwo);
            String ownedByTwo = users.stream().filter(user -> hostTwo.equals(first.streams()
                    .queryMetadataForKey(StoreNames.USERS, user, Serdes.String().serializer()).activeHost()))
                    .findFirst().orElseThrow();
            int expectedItems = itemsOf(ownedByTwo);

            // The read token works on instance one and goes with the request forwarded to instance two.
            // The counters see a change about a second before the store the profiles are read from.
            JsonNode forwarded = await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> getJson(apiOne + "/api/v1/users/" + ownedByTwo), Objects::nonNull);
            assertThat(forwarded.path("userId").asText()).isEqualTo(ownedByTwo);
            String userUrl = apiOne + "/api/v1/users/" + ownedByTwo;
            HttpResponse<String> anonymous = get(userUrl, null);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"segstream\"");
            assertThat(JSON.readTree(anonymous.body()).path("error").asText()).isEqualTo("unauthorized");
            assertThat(get(userUrl, "not-a-valid-token-at-all").statusCode()).isEqualTo(401);
            assertThat(get("http://127.0.0.1:" + portTwo + "/api/v1/users/" + ownedByTwo + "?local=true", null).statusCode())
                    .as("the owner refuses a forwarded request without the caller's token").isEqualTo(401);
            HttpResponse<String> readOnInstances = get(apiOne + "/api/v1/instances", READ_TOKEN);
            assertThat(readOnInstances.statusCode()).isEqualTo(403);
            assertThat(JSON.readTree(readOnInstances.body()).path("detail").asText())
                    .isEqualTo("this route needs the admin role; the token has read");
            assertThat(get(apiOne + "/api/v1/users/" + ownedByTwo, ADMIN_TOKEN).statusCode()).isEqualTo(200);
            HttpResponse<String> readPosts = HTTP.send(HttpRequest.newBuilder(URI.create(apiOne + "/api/v1/privacy/requests"))
                    .header("Authorization", "Bearer " + READ_TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"userId\": \"u\", \"type\": \"ERASE\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(readPosts.statusCode()).as("publishing privacy requests is for admins").isEqualTo(403);
            assertThat(get(apiOne + "/health/ready", null).statusCode()).isEqualTo(200);
            assertThat(get(apiOne + "/metrics", null).statusCode()).isEqualTo(200);
            assertThat(forwarded.path("cart").path("items").asInt()).isEqualTo(expectedItems);
            assertThat(forwarded.path("stale").asBoolean()).isFalse();
            assertThat(getJson(apiOne + "/api/v1/instances", ADMIN_TOKEN)).hasSize(2);
            assertThat(get(apiOne + "/api/v1/customers/histories", READ_TOKEN).statusCode())
                    .as("every customer's history is for admins").isEqualTo(403);
            JsonNode histories = getJson(apiOne + "/api/v1/customers/histories", ADMIN_TOKEN);
            assertThat(histories.path("instances").asInt()).as("both instances answered, the admin token forwarded")
                    .isEqualTo(2);
            assertThat(histories.path("expectedInstances").asInt()).isEqualTo(2);
            assertThat(histories.path("customers").isArray()).isTrue();
            // Member lists read the stores too, which every change reaches within about a second.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode page = getJson(apiOne + "/api/v1/segments/cart-holders/members?limit=25");
                assertThat(page.path("members")).hasSize(25);
                JsonNode rest = getJson(apiOne + "/api/v1/segments/cart-holders/members?limit=25&cursor="
                        + page.path("nextCursor").asText());
                assertThat(rest.path("members")).hasSize(15);
                assertThat(rest.path("nextCursor").isNull()).isTrue();
            });
            HttpResponse<String> badLimit = get(apiOne + "/api/v1/segments/cart-holders/members?limit=0");
            assertThat(badLimit.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(badLimit.body()).path("detail").asText()).isEqualTo("limit must be between 1 and 1000, was 0");

            // A preview of drafts, from both instances' users, with the read token: a changed live segment and a new one.
            List<String> twoOrMore = users.stream().filter(user -> itemsOf(user) >= 2).sorted().toList();
            List<String> three = users.stream().filter(user -> itemsOf(user) == 3).sorted().toList();
            Path drafts = Files.writeString(dir.resolve("drafts.yaml"), String.join("\n", "segments:",
                    "  - name: cart-holders", "    condition: cart.items >= 2",
                    "  - name: full-carts", "    condition: cart.items == 3", ""));
            JsonNode preview = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(apiOne
                            + "/api/v1/segments/preview?sample=5")).header("Authorization", "Bearer " + READ_TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofFile(drafts)).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(preview.path("instances").asInt()).isEqualTo(2);
            assertThat(preview.path("evaluatedUsers").asLong()).isEqualTo(users.size());
            assertThat(preview.path("segments").get(0).path("memberCount").asLong()).isEqualTo(twoOrMore.size());
            assertThat(preview.path("segments").get(0).path("liveMemberCount").asLong()).isEqualTo(users.size());
            assertThat(preview.path("segments").get(0).path("sample")).extracting(JsonNode::asText)
                    .containsExactlyElementsOf(twoOrMore.subList(0, 5));
            assertThat(preview.path("segments").get(1).path("memberCount").asLong()).isEqualTo(three.size());
            assertThat(preview.path("segments").get(1).path("liveMemberCount").isNull()).isTrue();
            String printed = Cli.run("segments", "preview", drafts.toString(), "--api", apiOne, "--token", READ_TOKEN,
                    "--sample", "2");
            assertThat(printed).contains(String.format("%-32s %,12d %12s  %s", "cart-holders", twoOrMore.size(), "40",
                    twoOrMore.get(0) + " " + twoOrMore.get(1)));
            assertThat(printed).contains(String.format("%-32s %,12d %12s  %s", "full-carts", three.size(), "(new)",
                    three.get(0) + " " + three.get(1)));
            // Nothing was published: the live segment still holds every user.
            assertThat(getJson(apiOne + "/api/v1/segments").get(0).path("memberCount").asLong()).isEqualTo(users.size());

            second.close();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                HttpResponse<String> response = get(apiOne + "/api/v1/users/" + ownedByTwo);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(JSON.readTree(response.body()).path("cart").path("items").asInt()).isEqualTo(expectedItems);
            });
            assertThat(getJson(apiOne + "/api/v1/instances", ADMIN_TOKEN)).hasSize(1);
        } finally {
            first.close();
        }
    }

    @Test
    void whenTheOwnerCannotBeReachedAStandbyReplicaAnswersFlaggedStale(EmbeddedKafkaBroker kafka,
            ApicurioRegistry registry) throws Exception {
        String suffix = TestConfigs.suffix();
        Map<String, String> shared = TestConfigs.pipeline(kafka.bootstrapServers(), registry.url(), suffix);
        shared.put(SegStreamConfig.TOPICS_PARTITIONS, "2");
        shared.put("num.standby.replicas", "1");
        int portOne = Ports.freeLoopbackPort();
        SegStreamConfig one = TestConfigs.instance(shared, suffix, 1, portOne);
        // Instance 2 advertises an address where nothing listens: to instance 1 it is unreachable.
        SegStreamConfig two = TestConfigs.instance(shared, suffix, 2, Ports.freeLoopbackPort(), Ports.freeLoopbackPort());
        Topics topics = Topics.from(one);
        TopicCreator.createMissing(one);
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(new RegistryConfig(shared));
        List<String> users = IntStream.range(0, 20).mapToObj(i -> "user-" + i).toList();

        try (SegStreamApp first = new SegStreamApp(one, client); SegStreamApp second = new SegStreamApp(two, client)) {
            first.start();
            second.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> first.streams().state() == KafkaStreams.State.RUNNING
                    && second.streams().state() == KafkaStreams.State.RUNNING
                    && !second.streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty()
                    && !first.streams().metadataForLocalThreads().iterator().next().standbyTasks().isEmpty());
            addToCarts(kafka, client, topics, users);
            HostInfo advertisedTwo = HostInfo.buildFromEndpoint(two.passthrough(SegStreamConfig.APPLICATION_SERVER));
            String ownedByTwo = users.stream().filter(user -> advertisedTwo.equals(first.streams()
                    .queryMetadataForKey(StoreNames.USERS, user, Serdes.String().serializer()).activeHost()))
                    .findFirst().orElseThrow();

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode answer = getJson("http://127.0.0.1:" + portOne + "/api/v1/users/" + ownedByTwo);
                assertThat(answer.path("stale").asBoolean()).isTrue();
                assertThat(answer.path("cart").path("items").asInt()).isEqualTo(itemsOf(ownedByTwo));
            });
        }
    }

    /** User i adds 1 + i % 3 units to the cart. */
    private static void addToCarts(EmbeddedKafkaBroker kafka, HttpSchemaRegistryClient client, Topics topics,
            List<String> users) throws Exception {
        SpecificAvroSerializer<ClickEvent> clicks = new SpecificAvroSerializer<>(ClickEvent.class, client, false);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaTopics.producerConfig(kafka),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < users.size(); i++) {
                producer.send(new ProducerRecord<>(topics.clickstream(), users.get(i), clicks.serialize(topics.clickstream(),
                        add("e" + i, users.get(i), "sku-" + i, itemsOf(users.get(i)), "10.00", T0.plusSeconds(i))))).get();
            }
        }
    }

    private static int itemsOf(String user) {
        return 1 + Integer.parseInt(user.substring("user-".length())) % 3;
    }

    /** A GET with the analysts' token (ignored where no tokens are configured). */
    private static HttpResponse<String> get(String url) throws Exception {
        return get(url, READ_TOKEN);
    }

    /** A GET with {@code token} as bearer token, or none when null. */
    private static HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode getJson(String url) throws Exception {
        return getJson(url, READ_TOKEN);
    }

    private static JsonNode getJson(String url, String token) throws Exception {
        HttpResponse<String> response = get(url, token);
        assertThat(response.statusCode()).as(url + " -> " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
