package io.segstream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.segstream.local.Ports;
import io.segstream.testing.Certificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's behaviour on the answers a registry gives under failure, replayed by a scripted HTTP
 * server on loopback. The happy path against a real registry is in the integration tests.
 */
class HttpSchemaRegistryClientTest {

    private static final Schema SCHEMA = new Schema.Parser().parse(
            "{\"type\":\"record\",\"name\":\"Visit\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}");

    private HttpServer server;
    private final Map<String, Deque<String[]>> script = new HashMap<>();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(Ports.LOOPBACK, 0), 0);
        server.createContext("/", exchange -> {
            String request = exchange.getRequestMethod() + " " + exchange.getRequestURI();
            requests.add(request);
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            Deque<String[]> answers = script.getOrDefault(request, new ArrayDeque<>());
            String[] answer = answers.size() > 1 ? answers.poll() : answers.peek();
            if (answer == null) {
                answer = new String[] {"500", "{\"error_code\":50001,\"message\":\"unscripted " + request + "\"}"};
            }
            byte[] body = answer[1].getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
            exchange.sendResponseHeaders(Integer.parseInt(answer[0]), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private void answer(String request, int status, String body) {
        script.computeIfAbsent(request, ignored -> new ArrayDeque<>()).add(new String[] {Integer.toString(status), body});
    }

    private String url() {
        return "http://" + Ports.LOOPBACK + ":" + server.getAddress().getPort();
    }

    private HttpSchemaRegistryClient client(String urls, Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(extra);
        config.put(RegistryConfig.URL, urls);
        config.put(RegistryConfig.RETRY_BACKOFF_MS, 1L);
        config.put(RegistryConfig.RETRY_BACKOFF_MAX_MS, 5L);
        return new HttpSchemaRegistryClient(new RegistryConfig(config));
    }

    @Test
    void registersWithAJsonBodyAndCachesTheId() throws Exception {
        answer("POST /subjects/visits-value/versions", 200, "{\"id\":7}");
        HttpSchemaRegistryClient client = client(url(), Map.of());

        assertThat(client.register("visits-value", SCHEMA)).isEqualTo(7);
        assertThat(client.register("visits-value", SCHEMA)).isEqualTo(7);

        assertThat(requests).containsExactly("POST /subjects/visits-value/versions");
        assertThat(new ObjectMapper().readTree(bodies.get(0)).get("schema").asText()).isEqualTo(SCHEMA.toString());
    }

    @Test
    void fetchesASchemaByIdOnceThenServesItFromCache() {
        answer("GET /schemas/ids/7", 200, "{\"schema\":" + quoted(SCHEMA.toString()) + "}");
        HttpSchemaRegistryClient client = client(url(), Map.of());

        assertThat(client.schemaById(7)).isEqualTo(SCHEMA);
        assertThat(client.schemaById(7)).isEqualTo(SCHEMA);

        assertThat(requests).containsExactly("GET /schemas/ids/7");
    }

    @Test
    void retriesServiceUnavailableWithBackoffUntilTheRegistryAnswers() {
        answer("GET /schemas/ids/7", 503, "{\"error_code\":50003,\"message\":\"forwarding to leader\"}");
        answer("GET /schemas/ids/7", 503, "{\"error_code\":50003,\"message\":\"forwarding to leader\"}");
        answer("GET /schemas/ids/7", 200, "{\"schema\":" + quoted(SCHEMA.toString()) + "}");

        assertThat(client(url(), Map.of()).schemaById(7)).isEqualTo(SCHEMA);
        assertThat(requests).hasSize(3);
    }

    @Test
    void givesUpAfterTheConfiguredRetriesWithTheLastAnswer() {
        answer("GET /schemas/ids/7", 503, "{\"error_code\":50003,\"message\":\"forwarding to leader\"}");
        HttpSchemaRegistryClient client = client(url(), Map.of(RegistryConfig.RETRIES, 2));

        assertThatThrownBy(() -> client.schemaById(7))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessage("Schema registry at " + url() + " answered 503 to GET /schemas/ids/7 (error 50003): "
                        + "forwarding to leader");
        assertThat(requests).hasSize(3);
    }

    @Test
    void remembersAnUnknownIdSoCorruptRecordsDoNotHammerTheRegistry() {
        answer("GET /schemas/ids/99", 404, "{\"error_code\":40403,\"message\":\"Schema 99 not found\"}");
        HttpSchemaRegistryClient client = client(url(), Map.of());

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> client.schemaById(99)).isInstanceOf(SchemaNotFoundException.class);
        }
        assertThat(requests).containsExactly("GET /schemas/ids/99");
    }

    @Test
    void failsOverToTheNextUrlWhenOneIsUnreachable() {
        answer("POST /subjects/visits-value/versions", 200, "{\"id\":3}");
        String unreachable = "http://" + Ports.LOOPBACK + ":" + Ports.freeLoopbackPort();

        assertThat(client(unreachable + "," + url(), Map.of()).register("visits-value", SCHEMA)).isEqualTo(3);
    }

    @Test
    void anUnreachableRegistryIsUnavailableNotABadRecord() {
        String unreachable = "http://" + Ports.LOOPBACK + ":" + Ports.freeLoopbackPort();
        HttpSchemaRegistryClient client = client(unreachable, Map.of(RegistryConfig.RETRIES, 1));

        assertThatThrownBy(() -> client.schemaById(1))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageStartingWith("Cannot reach the schema registry at " + unreachable + " (GET /schemas/ids/1)");
    }

    @Test
    void anIncompatibleSchemaCarriesTheRegistrysReason() {
        answer("POST /subjects/visits-value/versions", 409,
                "{\"error_code\":409,\"message\":\"Schema being registered is incompatible with an earlier schema\"}");

        assertThatThrownBy(() -> client(url(), Map.of()).register("visits-value", SCHEMA))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessage("Schema registry at " + url() + " answered 409 to POST /subjects/visits-value/versions "
                        + "(error 409): Schema being registered is incompatible with an earlier schema");
        assertThat(requests).hasSize(1);
    }

    @Test
    void sendsBasicAuthAndPointsAtTheSettingWhenRefused() {
        answer("GET /subjects", 401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
        HttpSchemaRegistryClient client = client(url(), Map.of(RegistryConfig.BASIC_AUTH_USER_INFO, "seg:secret"));

        assertThatThrownBy(client::subjects)
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageEndingWith("Unauthorized - check schema.registry.basic.auth.user.info");
        assertThat(authorizations).containsExactly("Basic c2VnOnNlY3JldA==");
    }

    @Test
    void compatibilityOfAFirstSchemaIsTrueAndOtherwiseCarriesTheMessages() {
        answer("POST /compatibility/subjects/new-value/versions/latest?verbose=true", 404,
                "{\"error_code\":40401,\"message\":\"Subject 'new-value' not found.\"}");
        answer("POST /compatibility/subjects/visits-value/versions/latest?verbose=true", 200,
                "{\"is_compatible\":false,\"messages\":[\"READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1\"]}");
        HttpSchemaRegistryClient client = client(url(), Map.of());

        assertThat(client.testCompatibility("new-value", SCHEMA)).isEqualTo(new CompatibilityResult(true, List.of()));
        assertThat(client.testCompatibility("visits-value", SCHEMA))
                .isEqualTo(new CompatibilityResult(false, List.of("READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1")));
    }

    private static String quoted(String text) {
        try {
            return new ObjectMapper().writeValueAsString(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anHttpsRegistryIsReachedThroughTheConfiguredTrustStore(@TempDir Path dir) throws Exception {
        Certificates.Stores certificate = Certificates.forLoopback(dir, "registry");
        HttpsServer https = HttpsServer.create(new InetSocketAddress(Ports.LOOPBACK, 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
        https.createContext("/", exchange -> {
            byte[] body = ("{\"schema\":" + new ObjectMapper()
                    .writeValueAsString(SCHEMA.toString()) + "}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        https.start();
        try {
            String url = "https://" + Ports.LOOPBACK + ":" + https.getAddress().getPort();

            HttpSchemaRegistryClient trusting = client(url, Map.of(RegistryConfig.SSL_TRUSTSTORE_LOCATION,
                    certificate.truststore().toString(), RegistryConfig.SSL_TRUSTSTORE_PASSWORD, certificate.password()));
            assertThat(trusting.schemaById(7)).isEqualTo(SCHEMA);

            HttpSchemaRegistryClient defaultTrust = client(url, Map.of(RegistryConfig.RETRIES, 0));
            assertThatThrownBy(() -> defaultTrust.schemaById(7)).isInstanceOf(SchemaRegistryUnavailableException.class);
            assertThatThrownBy(() -> client(url, Map.of(RegistryConfig.SSL_TRUSTSTORE_LOCATION, dir.resolve("none").toString())))
                    .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                    .hasMessageContaining("schema.registry.ssl.truststore.location");
        } finally {
            https.stop(0);
        }
    }
}
