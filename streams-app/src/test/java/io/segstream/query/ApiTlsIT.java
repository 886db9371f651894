package io.segstream.query;

import static io.segstream.testing.Definitions.segment;
import static io.segstream.testing.Events.add;
import static io.segstream.testing.Events.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import io.segstream.testing.Certificates;
import io.segstream.testing.Chaos;
import io.segstream.testing.Instances;
import io.segstream.testing.RealInfrastructure;
import io.segstream.testing.TestConfigs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The API over HTTPS on two instances, with a certificate for 127.0.0.1 made by the JDK's keytool. */
@ExtendWith(RealInfrastructure.class)
class ApiTlsIT {

    private static final Instant T0 = at("2026-11-20T10:00:00Z");
    private static final String TOKEN = "analyst-token-0123456789";

    @Test
    void instancesServeAndForwardOverHttps(EmbeddedKafkaBroker kafka, ApicurioRegistry registry, @TempDir Path dir)
            throws Exception {
        Certificates.Stores certificate = Certificates.forLoopback(dir, "segstream-api");
        String suffix = TestConfigs.suffix();
        Map<String, String> shared = TestConfigs.pipeline(kafka.bootstrapServers(), registry.url(), suffix);
        shared.put(SegStreamConfig.TOPICS_PARTITIONS, "2");
        shared.put(SegStreamConfig.API_TLS_KEYSTORE_PATH, certificate.keystore().toString());
        shared.put(SegStreamConfig.API_TLS_KEYSTORE_PASSWORD, certificate.password());
        shared.put(SegStreamConfig.API_AUTH_TOKENS, "read:" + TOKEN);
        int portOne = Ports.freeLoopbackPort();
        int portTwo = Ports.freeLoopbackPort();
        SegStreamConfig one = TestConfigs.instance(shared, suffix, 1, portOne);
        SegStreamConfig two = TestConfigs.instance(shared, suffix, 2, portTwo);
        Topics topics = Topics.from(one);
        TopicCreator.createMissing(one);
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(new RegistryConfig(shared));
        new DefinitionTopic(one, client).publish(List.of(segment("cart-holders", "cart.items > 0", 1).build()));
        HttpClient https = HttpClient.newBuilder().sslContext(certificate.clientContext()).build();

        try (SegStreamApp first = new SegStreamApp(one, client); SegStreamApp second = new SegStreamApp(two, client)) {
            Instances.startWithTasks(first, second);
            List<String> users = IntStream.range(0, 10).mapToObj(i -> "user-" + i).toList();
            SpecificAvroSerializer<ClickEvent> clicks = new SpecificAvroSerializer<>(ClickEvent.class, client, false);
            try (KafkaProducer<String, byte[]> producer = Chaos.producer(kafka.bootstrapServers())) {
                for (String user : users) {
                    producer.send(new ProducerRecord<>(topics.clickstream(), user, clicks.serialize(topics.clickstream(),
                            add("e-" + user, user, "sku-1", 1, "10.00", T0)))).get();
                }
            }
            HostInfo hostTwo = new HostInfo("127.0.0.1", portTwo);
            String ownedByTwo = users.stream().filter(user -> hostTwo.equals(first.streams()
                    .queryMetadataForKey(StoreNames.USERS, user, Serdes.String().serializer()).activeHost()))
                    .findFirst().orElseThrow();
            String apiOne = "https://127.0.0.1:" + portOne;

            // Instance one forwards to instance two over HTTPS, with the caller's token.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> forwarded = get(https, apiOne + "/api/v1/users/" + ownedByTwo);
                assertThat(forwarded.statusCode()).as(forwarded.body()).isEqualTo(200);
                assertThat(forwarded.body()).contains("\"userId\":\"" + ownedByTwo + "\"");
            });
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    get(https, apiOne + "/api/v1/segments").body()).contains("\"memberCount\":" + users.size()));
            // Plain HTTP is not served, and a client that does not trust the certificate gets no answer.
            assertThat(plainStatus("http://127.0.0.1:" + portOne + "/health/live")).isNotEqualTo(200);
            assertThatThrownBy(() -> get(HttpClient.newHttpClient(), apiOne + "/health/live"))
                    .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        }
    }

    /** The status a plain-HTTP GET gets, or -1 when the connection fails. */
    private static int plainStatus(String url) throws Exception {
        try {
            return get(HttpClient.newHttpClient(), url).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

}
