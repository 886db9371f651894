package io.segstream.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.segstream.avro.Model;
import io.segstream.avro.PrivacyRequest;
import io.segstream.avro.PrivacyRequestType;
import io.segstream.avro.SegmentDefinition;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.StoreNames;
import io.segstream.privacy.PrivacyTopic;
import io.segstream.scoring.ModelCatalog;
import io.segstream.scoring.ModelFiles;
import io.segstream.scoring.ModelTopic;
import io.segstream.segments.CompiledSegment;
import io.segstream.segments.SegmentFiles;
import io.segstream.segments.SegmentPreview;
import io.segstream.topology.InstanceState;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analysts' HTTP API. Any instance answers for any user: it looks up the owner of the key,
 * answers from its own stores or forwards to the owner with one shared HTTP client, and falls back
 * to a standby replica (answer flagged stale) when the owner is unreachable. Cluster-wide routes
 * fan out to every instance and merge. 503 with Retry-After while stores migrate.
 */
public final class ApiServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    private static final String RETRY_AFTER_SECONDS = "5";
    private static final int MAX_PAGE = 1000;
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(10);
    /** A preview reads every user of an instance: a million take a minute or so. */
    private static final Duration PREVIEW_TIMEOUT = Duration.ofMinutes(10);

    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final KafkaStreams streams;
    private final LocalQueries local;
    private final InstanceState instance;
    private final Metrics metrics;
    private final HostInfo self;
    private final Supplier<List<String>> problems;
    private final HttpClient http;
    /** http or https, as every instance of the application serves. */
    private final String scheme;
    private final ApiAuth auth;
    private final PrivacyTopic privacyRequests;
    private final ModelTopic models;
    private final Javalin server;

    /**
     * Starts listening on {@code bindAddress:port}; {@code self} is this instance's application.server,
     * or null alone; {@code problems} says why the instance is not ready (empty when it is).
     */
    public ApiServer(SegStreamConfig config, HostInfo self, KafkaStreams streams, LocalQueries local,
            InstanceState instance, Metrics metrics, PrivacyTopic privacyRequests, ModelTopic models,
            Supplier<List<String>> problems) {
        this.privacyRequests = privacyRequests;
        this.models = models;
        String bindAddress = config.getString(SegStreamConfig.API_BIND_ADDRESS);
        int port = config.getInt(SegStreamConfig.API_PORT);
        this.auth = ApiAuth.from(config);
        ApiTls tls = ApiTls.from(config);
        this.scheme = tls == null ? "http" : "https";
        this.http = tls == null ? HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                : tls.client(Duration.ofSeconds(2));        this.streams = streams;
        this.problems = problems;
        this.local = local;
        this.instance = instance;
        this.metrics = metrics;
        this.self = self;
        this.server = Javalin.create(javalin -> {
            javalin.showJavalinBanner = false;
            javalin.jsonMapper(new JavalinJackson(JSON, false));
            if (tls != null) {
                javalin.jetty.addConnector((jetty, httpConfig) -> tls.connector(jetty, httpConfig, bindAddress, port));
            }
        });
        server.before(auth::check);
        server.get("/api/v1/users/{userId}", ctx -> user(ctx, "", stale -> local.profile(ctx.pathParam("userId"), stale)));
        server.get("/api/v1/users/{userId}/explain",
                ctx -> user(ctx, "/explain", stale -> local.explain(ctx.pathParam("userId"), stale)));
        server.get("/api/v1/segments", this::segments);
        server.get("/api/v1/segments/{name}/members", this::members);
        server.post("/api/v1/segments/preview", this::preview);
        server.post("/internal/v1/segments/preview", ctx -> ctx.json(localPreview(drafts(ctx), sampleSize(ctx))));
        server.get("/api/v1/models", this::models);
        server.post("/api/v1/models", this::publishModel);
        server.get("/api/v1/customers/histories", this::customerHistories);
        server.get("/internal/v1/customers/histories", ctx -> ctx.json(local.customerHistories()));
        server.get("/api/v1/instances", this::instances);
        server.post("/api/v1/privacy/requests", this::privacyRequest);
        server.get("/internal/v1/segment-counts", ctx -> ctx.json(local.memberCounts()));
        server.get("/internal/v1/segments/{name}/members", ctx -> ctx.json(
                local.members(ctx.pathParam("name"), ctx.queryParamAsClass("after", String.class).getOrDefault(""), limit(ctx))));
        server.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
        server.get("/health/ready", this::ready);
        server.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        server.exception(InvalidStateStoreException.class, (e, ctx) -> {
            ctx.header("Retry-After", RETRY_AFTER_SECONDS);
            error(ctx, 503, "state stores are migrating or restoring", "retry after " + RETRY_AFTER_SECONDS + " s");
        });
        server.exception(BadRequest.class, (e, ctx) -> error(ctx, 400, "bad request", e.getMessage()));
        server.exception(ApiAuth.Refused.class, (e, ctx) -> {
            if (e.status == 401) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"segstream\"");
            }
            error(ctx, e.status, e.status == 401 ? "unauthorized" : "forbidden", e.getMessage());
        });
        server.exception(Exception.class, (e, ctx) -> {
            log.error("API request {} failed", ctx.path(), e);
            error(ctx, 500, "internal error", e.getMessage());
        });
        server.error(404, ctx -> {
            if (ctx.result() == null) {
                error(ctx, 404, "not found", "no route " + ctx.method() + " " + ctx.path());
            }
        });
        if (tls == null) {
            server.start(bindAddress, port);
        } else {
            server.start();
        }
        log.info("HTTP API listening on {}:{} ({}, {})", bindAddress, server.port(), scheme,
                auth.enabled() ? "bearer tokens required" : "open: no api.auth tokens configured");
        if (!auth.enabled() && !isLoopback(bindAddress)) {
            log.warn("The HTTP API listens on {} without authentication: anyone who reaches the port can read every "
                    + "user's profile. Configure api.auth.tokens or api.auth.tokens.file, or bind to 127.0.0.1", bindAddress);
        }
    }

    public int port() {
        return server.port();
    }

    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }

    private <T> void user(Context ctx, String suffix, Function<Boolean, Optional<T>> answer) throws InterruptedException {
        String user = ctx.pathParam("userId");
        boolean stale = "true".equals(ctx.queryParam("stale"));
        if (self == null || "true".equals(ctx.queryParam("local"))) {
            answerLocally(ctx, user, answer.apply(stale));
            return;
        }
        KeyQueryMetadata owner = streams.queryMetadataForKey(StoreNames.USERS, user, Serdes.String().serializer());
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE) || owner.activeHost() == null) {
            throw new InvalidStateStoreException("no instance owns the key yet");
        }
        if (owner.activeHost().equals(self)) {
            answerLocally(ctx, user, answer.apply(false));
            return;
        }
        String path = "/api/v1/users/" + encode(user) + suffix + "?local=true";
        if (forward(ctx, owner.activeHost(), path)) {
            return;
        }
        for (HostInfo standby : owner.standbyHosts()) {
            if (standby.equals(self)) {
                answerLocally(ctx, user, answer.apply(true));
                return;
            }
            if (forward(ctx, standby, path + "&stale=true")) {
                return;
            }
        }
        ctx.header("Retry-After", RETRY_AFTER_SECONDS);
        error(ctx, 503, "the instance owning this user is unreachable and no standby answered",
                "owner " + owner.activeHost() + "; retry after " + RETRY_AFTER_SECONDS + " s");
    }

    private static <T> void answerLocally(Context ctx, String user, Optional<T> answer) {
        if (answer.isPresent()) {
            ctx.json(answer.get());
        } else {
            error(ctx, 404, "unknown user", "no events seen for user '" + user + "'");
        }
    }

    /** Relays another instance's answer; false when that instance cannot be reached. */
    private boolean forward(Context ctx, HostInfo host, String path) throws InterruptedException {
        try {
            HttpResponse<String> response = http.send(request(ctx, host, path), HttpResponse.BodyHandlers.ofString());
            ctx.status(response.statusCode()).contentType("application/json").result(response.body());
            response.headers().firstValue("Retry-After").ifPresent(value -> ctx.header("Retry-After", value));
            return true;
        } catch (IOException e) {
            log.warn("Instance {} did not answer {}: {}", host, path, e.toString());
            return false;
        }
    }

    private void segments(Context ctx) throws InterruptedException {
        Map<String, Long> counts = new TreeMap<>();
        for (JsonNode instanceCounts : fanOut(ctx, "/internal/v1/segment-counts", () -> JSON.valueToTree(local.memberCounts()))) {
            instanceCounts.fields().forEachRemaining(entry -> counts.merge(entry.getKey(), entry.getValue().asLong(), Long::sum));
        }
        List<Map<String, Object>> segments = new ArrayList<>();
        new TreeMap<>(instance.catalog().snapshot().segments()).forEach((name, segment) -> segments.add(describe(segment,
                counts.getOrDefault(name, 0L))));
        ctx.json(segments);
    }

    private static Map<String, Object> describe(CompiledSegment segment, long members) {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("name", segment.name());
        description.put("version", segment.version());
        description.put("memberCount", members);
        description.put("description", segment.definition().getDescription());
        description.put("condition", segment.definition().getCondition());
        description.put("priority", segment.definition().getPriority());
        description.put("exclusiveGroup", segment.definition().getExclusiveGroup());
        description.put("fallback", segment.definition().getFallback());
        description.put("outputTopic", segment.definition().getOutputTopic());
        description.put("updatedAt", segment.definition().getUpdatedAt());
        return description;
    }

    private void members(Context ctx) throws InterruptedException {
        String segment = ctx.pathParam("name");
        if (!instance.catalog().snapshot().segments().containsKey(segment)) {
            error(ctx, 404, "unknown segment", "no live segment named '" + segment + "'");
            return;
        }
        int limit = limit(ctx);
        String cursor = ctx.queryParamAsClass("cursor", String.class).getOrDefault("");
        String query = "?after=" + encode(cursor) + "&limit=" + limit;
        TreeSet<String> merged = new TreeSet<>();
        for (JsonNode page : fanOut(ctx, "/internal/v1/segments/" + encode(segment) + "/members" + query,
                () -> JSON.valueToTree(local.members(segment, cursor, limit)))) {
            page.forEach(user -> merged.add(user.asText()));
        }
        List<String> members = merged.stream().limit(limit).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("segment", segment);
        body.put("members", members);
        body.put("nextCursor", members.size() == limit ? members.get(members.size() - 1) : null);
        ctx.json(body);
    }

    /**
     * Who draft definitions (the body: a segment file, YAML or JSON, as {@code segments apply} takes)
     * would hold right now, cluster-wide, without publishing them: per draft the member count, the live
     * segment's count when it exists, and a sample of members (the first {@code sample} user ids,
     * default 10). Every instance reads every one of its users, so it takes as long as that does.
     */
    private void preview(Context ctx) throws InterruptedException {
        List<SegmentDefinition> drafts = drafts(ctx);
        int sampleSize = sampleSize(ctx);
        List<JsonNode> answers = fanOut(ctx, "/internal/v1/segments/preview?sample=" + sampleSize, ctx.bodyAsBytes(),
                PREVIEW_TIMEOUT, () -> JSON.valueToTree(localPreview(drafts, sampleSize)));
        long users = 0;
        Map<String, Long> counts = new HashMap<>();
        Map<String, Long> liveCounts = new HashMap<>();
        Map<String, TreeSet<String>> samples = new HashMap<>();
        for (JsonNode answer : answers) {
            users += answer.path("evaluatedUsers").asLong();
            answer.path("segments").fields().forEachRemaining(entry -> {
                counts.merge(entry.getKey(), entry.getValue().path("memberCount").asLong(), Long::sum);
                liveCounts.merge(entry.getKey(), entry.getValue().path("liveMemberCount").asLong(), Long::sum);
                entry.getValue().path("sample").forEach(user -> samples.computeIfAbsent(entry.getKey(), name -> new TreeSet<>())
                        .add(user.asText()));
            });
        }
        List<Map<String, Object>> segments = new ArrayList<>();
        for (SegmentDefinition draft : drafts) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", draft.getName());
            entry.put("condition", draft.getCondition());
            entry.put("memberCount", counts.getOrDefault(draft.getName(), 0L));
            entry.put("liveMemberCount", instance.catalog().snapshot().segments().containsKey(draft.getName())
                    ? liveCounts.getOrDefault(draft.getName(), 0L) : null);
            entry.put("sample", samples.getOrDefault(draft.getName(), new TreeSet<>()).stream().limit(sampleSize).toList());
            segments.add(entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("asOf", Instant.ofEpochMilli(local.now()));
        body.put("instances", answers.size());
        body.put("expectedInstances", self == null ? 1 : streams.metadataForAllStreamsClients().size());
        body.put("evaluatedUsers", users);
        body.put("segments", segments);
        ctx.json(body);
    }

    /** This instance's part of a preview: users evaluated, and per draft the members and the sample. */
    private Map<String, Object> localPreview(List<SegmentDefinition> drafts, int sampleSize) {
        SegmentPreview preview = local.preview(drafts, sampleSize);
        Map<String, Long> live = local.memberCounts();
        Map<String, Object> segments = new LinkedHashMap<>();
        for (String draft : preview.drafts()) {
            segments.put(draft, Map.of("memberCount", preview.members(draft), "liveMemberCount",
                    live.getOrDefault(draft, 0L), "sample", preview.sample(draft)));
        }
        return Map.of("evaluatedUsers", preview.users(), "segments", segments);
    }

    /** The draft definitions in the body; a 400 that lists every problem when they are not usable. */
    private List<SegmentDefinition> drafts(Context ctx) {
        SegmentFiles.Result result = SegmentFiles.parse(Map.of(Path.of("body"), ctx.bodyAsBytes()));
        if (!result.ok()) {
            throw new BadRequest(String.join("; ", result.problems().stream().map(Object::toString).toList()));
        }
        if (result.segments().isEmpty()) {
            throw new BadRequest("the body has no segments: send a segment file (segments: [...]) as segments apply takes");
        }
        Instant now = Instant.ofEpochMilli(local.now());
        return result.segments().stream().map(spec -> SegmentFiles.toDefinition(spec, 0, now)).toList();
    }

    private static int sampleSize(Context ctx) {
        String value = ctx.queryParam("sample");
        try {
            int sample = value == null ? 10 : Integer.parseInt(value);
            if (sample >= 0 && sample <= MAX_PAGE) {
                return sample;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new BadRequest("sample must be between 0 and " + MAX_PAGE + ", was '" + value + "'");
    }

    /**
     * Publishes a privacy request from a JSON body {@code {"userId", "type", "requestId"?, "requestedAt"?}},
     * as {@code segstream privacy} does: 202 with where it went; the user's own task handles it.
     */
    private void privacyRequest(Context ctx) {
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body());
        } catch (IOException e) {
            throw new BadRequest("the body is not JSON: " + e.getMessage());
        }
        String user = body == null ? "" : body.path("userId").asText("");
        if (user.isBlank()) {
            throw new BadRequest("userId is required");
        }
        PrivacyRequestType type;
        try {
            type = PrivacyRequestType.valueOf(body.path("type").asText(""));
        } catch (IllegalArgumentException e) {
            type = PrivacyRequestType.UNKNOWN;
        }
        if (type == PrivacyRequestType.UNKNOWN) {
            throw new BadRequest("type must be ERASE, CONSENT_GRANTED or CONSENT_WITHDRAWN, was '" + body.path("type").asText("")
                    + "'");
        }
        Instant requestedAt;
        try {
            requestedAt = body.hasNonNull("requestedAt") ? Instant.parse(body.get("requestedAt").asText()) : null;
        } catch (java.time.format.DateTimeParseException e) {
            throw new BadRequest("requestedAt must be an ISO-8601 instant such as 2026-12-01T10:00:00Z");
        }
        PrivacyRequest request = PrivacyTopic.request(user, type,
                body.hasNonNull("requestId") ? body.get("requestId").asText() : null, requestedAt);
        RecordMetadata written = privacyRequests.publish(request);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("requestId", request.getRequestId());
        answer.put("userId", user);
        answer.put("type", type.name());
        answer.put("topic", written.topic());
        answer.put("partition", written.partition());
        answer.put("offset", written.offset());
        ctx.status(202).json(answer);
    }

    /** Publishes a model (the file form in the body) as `segstream models apply` does. */
    private void publishModel(Context ctx) {
        Model model;
        try {
            model = ModelFiles.parse(ctx.bodyAsBytes());
        } catch (IOException | IllegalArgumentException e) {
            throw new BadRequest("the body is not a usable model: " + e.getMessage());
        }
        models.publish(model);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", model.getName());
        answer.put("version", model.getVersion());
        answer.put("topic", models.name());
        ctx.status(202).json(answer);
    }

    /** The models this instance computes facts with: the published ones, and the configured intent model if none is. */
    private void models(Context ctx) {
        ModelCatalog.Snapshot models = instance.models().snapshot();
        List<Map<String, Object>> entries = new ArrayList<>();
        Model publishedIntent = models.published().get(ModelCatalog.INTENT);
        if (publishedIntent == null) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", ModelCatalog.INTENT);
            entry.put("kind", "INTENT_LOGISTIC");
            entry.put("version", models.intent().version());
            entry.put("source", "configured");
            entry.put("provenance", models.intent().provenance());
            entries.add(entry);
        }
        models.published().values().forEach(model -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", model.getName());
            entry.put("kind", model.getKind().name());
            entry.put("version", model.getVersion());
            entry.put("source", "published");
            entry.put("parameters", new TreeMap<>(model.getParameters()));
            entry.put("features", model.getFeatures().stream().map(feature -> Map.of("fact", feature.getFact(),
                    "mean", feature.getMean(), "scale", feature.getScale(), "weight", feature.getWeight())).toList());
            entry.put("provenance", new TreeMap<>(model.getProvenance()));
            entry.put("trainedAt", model.getTrainedAt());
            entries.add(entry);
        });
        ctx.json(entries);
    }

    /**
     * Every customer's purchase history, cluster-wide, for fitting the clv model on the live state:
     * {@code asOf}, how many instances answered of how many there are, and the customers.
     */
    private void customerHistories(Context ctx) throws InterruptedException {
        List<JsonNode> answers = fanOut(ctx, "/internal/v1/customers/histories",
                () -> JSON.valueToTree(local.customerHistories()));
        com.fasterxml.jackson.databind.node.ArrayNode customers = JSON.createArrayNode();
        answers.forEach(answer -> answer.forEach(customers::add));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("asOf", Instant.ofEpochMilli(local.now()));
        body.put("instances", answers.size());
        body.put("expectedInstances", self == null ? 1 : streams.metadataForAllStreamsClients().size());
        body.put("customers", customers);
        ctx.json(body);
    }

    private void instances(Context ctx) {
        List<Map<String, Object>> instances = new ArrayList<>();
        for (StreamsMetadata metadata : streams.metadataForAllStreamsClients()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("host", metadata.host());
            entry.put("port", metadata.port());
            entry.put("self", metadata.hostInfo().equals(self));
            entry.put("activePartitions", metadata.topicPartitions().stream().map(Object::toString).sorted().toList());
            entry.put("standbyPartitions", metadata.standbyTopicPartitions().stream().map(Object::toString).sorted().toList());
            instances.add(entry);
        }
        ctx.json(instances);
    }

    private void ready(Context ctx) {
        List<String> reasons = new ArrayList<>(problems.get());
        boolean queryable = false;
        if (streams.state() == KafkaStreams.State.RUNNING) {
            try {
                local.requireQueryable();
                queryable = true;
            } catch (InvalidStateStoreException e) {
                reasons.add("state stores are not queryable yet: " + e.getMessage());
            }
        }
        boolean ready = queryable && reasons.isEmpty();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ready ? "UP" : "DOWN");
        body.put("streams", streams.state().name());
        body.put("storesQueryable", queryable);
        body.put("problems", reasons);
        ctx.status(ready ? 200 : 503).json(body);
    }

    /** Asks every instance (this one directly) and returns their JSON answers; unreachable ones are skipped. */
    private List<JsonNode> fanOut(Context ctx, String path, java.util.function.Supplier<JsonNode> localAnswer)
            throws InterruptedException {
        return fanOut(ctx, path, null, FORWARD_TIMEOUT, localAnswer);
    }

    /** As {@link #fanOut(Context, String, java.util.function.Supplier)}, POSTing {@code body} when it is not null. */
    private List<JsonNode> fanOut(Context ctx, String path, byte[] body, Duration timeout,
            java.util.function.Supplier<JsonNode> localAnswer) throws InterruptedException {
        List<JsonNode> answers = new ArrayList<>();
        if (self == null) {
            answers.add(localAnswer.get());
            return answers;
        }
        for (StreamsMetadata metadata : streams.metadataForAllStreamsClients()) {
            if (metadata.hostInfo().equals(self)) {
                answers.add(localAnswer.get());
                continue;
            }
            try {
                HttpResponse<String> response = http.send(request(ctx, metadata.hostInfo(), path, body, timeout),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    answers.add(JSON.readTree(response.body()));
                } else {
                    log.warn("Instance {} answered {} to {}", metadata.hostInfo(), response.statusCode(), path);
                }
            } catch (IOException e) {
                log.warn("Instance {} did not answer {}: {}", metadata.hostInfo(), path, e.toString());
            }
        }
        return answers;
    }

    /**
     * A GET of {@code path} on another instance, on behalf of the caller of {@code ctx}: their bearer
     * token goes with it, so the other instance checks it as it checks its own callers.
     */
    private HttpRequest request(Context ctx, HostInfo host, String path) {
        return request(ctx, host, path, null, FORWARD_TIMEOUT);
    }

    /** As {@link #request(Context, HostInfo, String)}, a POST of {@code body} when it is not null. */
    private HttpRequest request(Context ctx, HostInfo host, String path, byte[] body, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://" + host.host() + ":" + host.port() + path))
                .timeout(timeout);
        if (body == null) {
            request.GET();
        } else {
            request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/yaml");
        }
        String authorization = ctx.header(ApiAuth.HEADER);
        if (authorization != null) {
            request.header(ApiAuth.HEADER, authorization);
        }
        return request.build();
    }

    private static boolean isLoopback(String bindAddress) {
        try {
            return java.net.InetAddress.getByName(bindAddress).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static int limit(Context ctx) {
        String value = ctx.queryParam("limit");
        if (value == null) {
            return 100;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit < 1 || limit > MAX_PAGE) {
                throw new BadRequest("limit must be between 1 and " + MAX_PAGE + ", was " + limit);
            }
            return limit;
        } catch (NumberFormatException e) {
            throw new BadRequest("limit must be a number, was '" + value + "'");
        }
    }

    private static void error(Context ctx, int status, String error, String detail) {
        ctx.status(status).json(new ApiError(status, error, detail));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        server.stop();
    }
}
