package io.segstream.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of the Confluent Schema Registry REST API (Confluent, Karapace, Redpanda, Apicurio ccompat).
 * Ids and schemas are cached for the life of the client; connection errors and 502/503/504 answers
 * are retried with exponential backoff, trying each configured URL in turn.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {

    private static final Logger log = LoggerFactory.getLogger(HttpSchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT =
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";

    private final List<URI> baseUrls;
    private final Optional<String> authorization;
    private final Duration requestTimeout;
    private final int retries;
    private final Duration backoff;
    private final Duration backoffMax;
    private final long missingIdCacheNanos;
    private final HttpClient http;

    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<Integer, Long> missingIdsUntilNanos = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {}

    private record Reply(int status, JsonNode body) {}

    public HttpSchemaRegistryClient(RegistryConfig config) {
        this.baseUrls = config.urls().stream().map(HttpSchemaRegistryClient::withoutTrailingSlash).toList();
        this.authorization = config.basicAuthUserInfo()
                .map(userInfo -> "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
        this.requestTimeout = config.requestTimeout();
        this.retries = config.retries();
        this.backoff = config.retryBackoff();
        this.backoffMax = config.retryBackoffMax();
        this.missingIdCacheNanos = config.missingIdCacheTime().toNanos();
        HttpClient.Builder http = HttpClient.newBuilder()
                .connectTimeout(requestTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL);
        config.sslContext().ifPresent(http::sslContext);
        this.http = http.build();
    }

    @Override
    public int register(String subject, Schema schema) {
        return idsBySubjectSchema.computeIfAbsent(new SubjectSchema(subject, schema), key -> {
            Reply reply = send("POST", "/subjects/" + pathSegment(subject) + "/versions", schemaBody(schema));
            return requiredId(reply, "registering a schema under subject \"" + subject + "\"");
        });
    }

    @Override
    public int lookUp(String subject, Schema schema) {
        return idsBySubjectSchema.computeIfAbsent(new SubjectSchema(subject, schema), key -> {
            Reply reply = send("POST", "/subjects/" + pathSegment(subject), schemaBody(schema));
            return requiredId(reply, "looking up a schema under subject \"" + subject + "\"");
        });
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        Long missingUntil = missingIdsUntilNanos.get(id);
        if (missingUntil != null && System.nanoTime() - missingUntil < 0) {
            throw new SchemaNotFoundException("Schema " + id + " not found (remembered from an earlier lookup)", 40403);
        }
        try {
            Reply reply = send("GET", "/schemas/ids/" + id, null);
            String text = reply.body().path("schema").asText(null);
            if (text == null) {
                throw new SchemaRegistryException("Registry answered schema " + id + " without a \"schema\" field",
                        reply.status(), -1);
            }
            Schema schema = new Schema.Parser().parse(text);
            schemasById.put(id, schema);
            return schema;
        } catch (SchemaNotFoundException e) {
            missingIdsUntilNanos.put(id, System.nanoTime() + missingIdCacheNanos);
            throw e;
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException("Schema " + id + " from the registry is not valid Avro: " + e.getMessage(),
                    200, -1, e);
        }
    }

    @Override
    public CompatibilityResult testCompatibility(String subject, Schema schema) {
        try {
            Reply reply = send("POST", "/compatibility/subjects/" + pathSegment(subject) + "/versions/latest?verbose=true",
                    schemaBody(schema));
            List<String> messages = new ArrayList<>();
            reply.body().path("messages").forEach(message -> messages.add(message.asText()));
            return new CompatibilityResult(reply.body().path("is_compatible").asBoolean(false), messages);
        } catch (SchemaNotFoundException e) {
            // No earlier version to be incompatible with.
            return CompatibilityResult.ok();
        }
    }

    @Override
    public void setCompatibility(String subject, CompatibilityLevel level) {
        String path = subject == null ? "/config" : "/config/" + pathSegment(subject);
        send("PUT", path, json(Map.of("compatibility", level.name())));
    }

    @Override
    public List<String> subjects() {
        List<String> subjects = new ArrayList<>();
        send("GET", "/subjects", null).body().forEach(subject -> subjects.add(subject.asText()));
        return subjects;
    }

    private Reply send(String method, String path, String body) {
        SchemaRegistryException lastFailure = null;
        for (int attempt = 0; attempt <= retries; attempt++) {
            if (attempt > 0) {
                pause(attempt, lastFailure);
            }
            for (URI base : baseUrls) {
                HttpRequest request = request(method, base, path, body);
                HttpResponse<String> response;
                try {
                    response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    lastFailure = new SchemaRegistryUnavailableException("Cannot reach the schema registry at " + base
                            + " (" + method + " " + path + "): " + describe(e), -1, e);
                    continue;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SchemaRegistryUnavailableException("Interrupted while calling the schema registry at " + base,
                            -1, e);
                }
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return new Reply(status, parse(response.body()));
                }
                SchemaRegistryException failure = failure(method, base, path, status, response.body());
                if (!(failure instanceof SchemaRegistryUnavailableException)) {
                    throw failure;
                }
                lastFailure = failure;
            }
        }
        throw lastFailure;
    }

    private HttpRequest request(String method, URI base, String path, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(requestTimeout)
                .header("Accept", ACCEPT)
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            builder.header("Content-Type", CONTENT_TYPE);
        }
        authorization.ifPresent(value -> builder.header("Authorization", value));
        return builder.build();
    }

    private void pause(int attempt, SchemaRegistryException lastFailure) {
        long exponential = backoff.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(exponential, backoffMax.toMillis());
        long jittered = capped == 0 ? 0 : capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        log.warn("{}; retry {}/{} in {} ms", lastFailure.getMessage(), attempt, retries, jittered);
        try {
            Thread.sleep(jittered);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryUnavailableException("Interrupted while waiting to retry the schema registry",
                    -1, lastFailure);
        }
    }

    private static SchemaRegistryException failure(String method, URI base, String path, int status, String body) {
        JsonNode error = parseQuietly(body);
        int errorCode = error.path("error_code").asInt(-1);
        String registryMessage = error.path("message").asText(abbreviate(body));
        String message = "Schema registry at " + base + " answered " + status + " to " + method + " " + path
                + (errorCode > 0 ? " (error " + errorCode + ")" : "") + ": " + registryMessage;
        return switch (status) {
            case 404 -> new SchemaNotFoundException(message, errorCode);
            case 409 -> new IncompatibleSchemaException(message, errorCode);
            case 401, 403 -> new SchemaRegistryException(message
                    + " - check " + RegistryConfig.BASIC_AUTH_USER_INFO, status, errorCode);
            case 502, 503, 504 -> new SchemaRegistryUnavailableException(message, status, null);
            default -> new SchemaRegistryException(message, status, errorCode);
        };
    }

    private static int requiredId(Reply reply, String what) {
        JsonNode id = reply.body().path("id");
        if (!id.canConvertToInt()) {
            throw new SchemaRegistryException("Registry answered " + what + " without an \"id\"", reply.status(), -1);
        }
        return id.intValue();
    }

    private static String schemaBody(Schema schema) {
        return json(Map.of("schema", schema.toString()));
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write registry request body", e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException("Registry answered with invalid JSON: " + abbreviate(body), 200, -1, e);
        }
    }

    private static JsonNode parseQuietly(String body) {
        try {
            return body == null || body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return JSON.nullNode();
        }
    }

    private static String abbreviate(String text) {
        if (text == null || text.isBlank()) {
            return "(empty body)";
        }
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getClass().getSimpleName() + ": " + e.getMessage() : e.getClass().getSimpleName();
    }

    private static String pathSegment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static URI withoutTrailingSlash(URI uri) {
        String text = uri.toString();
        return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : uri;
    }
}
