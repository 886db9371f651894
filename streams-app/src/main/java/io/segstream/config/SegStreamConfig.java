package io.segstream.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * SegStream's configuration: a properties file, then environment overrides, then defaults, all
 * applied here. Keys SegStream does not define (bootstrap.servers, Kafka Streams and client
 * settings) pass through to Kafka untouched.
 */
public final class SegStreamConfig extends AbstractConfig {

    /** Environment variables with this prefix override keys: SEGSTREAM_SCHEMA_REGISTRY_URL sets schema.registry.url. */
    public static final String ENV_PREFIX = "SEGSTREAM_";

    private static final String REGISTRY_PREFIX = "schema.registry.";
    private static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String APPLICATION_ID = "application.id";

    public static final String TOPIC_CLICKSTREAM = "topics.clickstream";
    public static final String TOPIC_ORDERS = "topics.orders";
    public static final String TOPIC_SEGMENT_DEFINITIONS = "topics.segment.definitions";
    public static final String TOPIC_PRIVACY_REQUESTS = "topics.privacy.requests";
    public static final String TOPIC_SEGMENT_CHANGES = "topics.segment.changes";
    public static final String TOPIC_SEGMENT_MEMBERSHIP = "topics.segment.membership";
    public static final String TOPIC_CART_ABANDONED = "topics.cart.abandoned";
    public static final String TOPIC_DLQ = "topics.dlq";
    public static final String TOPIC_RFM_SKETCHES = "topics.rfm.sketches";
    public static final String TOPIC_PRIVACY_AUDIT = "topics.privacy.audit";
    public static final String TOPIC_MODELS = "topics.models";
    public static final String TOPICS_PARTITIONS = "topics.partitions";
    public static final String TOPICS_REPLICATION_FACTOR = "topics.replication.factor";

    public static final String INPUT_REPARTITION = "input.repartition";
    public static final String TIME_MODE = "time.mode";
    public static final String GRACE = "grace";
    public static final String DEDUP_RETENTION = "dedup.retention";
    public static final String TIMELINE_MAX_RECENT = "timeline.max.recent";
    public static final String DEDUP_MAX_RECENT = "dedup.max.recent";
    public static final String USERS_CACHE_MAX = "users.cache.max";
    public static final String USERS_WRITE_BACK_AFTER = "users.write.back.after";
    public static final String ORDERS_DEDUP_RETENTION = "orders.dedup.retention";
    public static final String TIMESTAMP_MAX_FUTURE = "timestamp.max.future";
    public static final String PUNCTUATION_INTERVAL = "punctuation.interval";
    public static final String RFM_WINDOW_DAYS = "rfm.window.days";
    public static final String RFM_SCORES_INTERVAL = "rfm.scores.interval";
    public static final String DWELL_SESSION_GAP = "dwell.session.gap";
    public static final String DWELL_MAX_MS = "dwell.max.ms";
    public static final String CART_ABANDON_AFTER = "cart.abandon.after";
    public static final String INTEREST_WINDOW = "interest.window";
    public static final String REEVALUATE_INTERVAL = "reevaluate.interval";
    public static final String SEGMENTS_EVALUATE = "segments.evaluate";
    public static final String SEGMENTS_EVALUATE_INTERVAL = "segments.evaluate.interval";
    public static final String INTENT_MODEL_PATH = "intent.model.path";
    public static final String API_PORT = "api.port";
    public static final String API_BIND_ADDRESS = "api.bind.address";
    public static final String API_AUTH_TOKENS = "api.auth.tokens";
    public static final String API_AUTH_TOKENS_FILE = "api.auth.tokens.file";
    public static final String API_AUTH_OPEN_PATHS = "api.auth.open.paths";
    public static final String API_TLS_KEYSTORE_PATH = "api.tls.keystore.path";
    public static final String API_TLS_KEYSTORE_PASSWORD = "api.tls.keystore.password";
    public static final String API_TLS_TRUSTSTORE_PATH = "api.tls.truststore.path";
    public static final String API_TLS_TRUSTSTORE_PASSWORD = "api.tls.truststore.password";
    public static final String APPLICATION_SERVER = "application.server";
    public static final String STATIC_MEMBERSHIP = "static.membership";
    public static final String PRIVACY_CONSENT_DEFAULT = "privacy.consent.default";
    public static final String PRIVACY_AUDIT_KEY = "privacy.audit.key";
    public static final String PRIVACY_DEDUP_RETENTION = "privacy.dedup.retention";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(BOOTSTRAP_SERVERS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, SegStreamConfig::checkBrokers,
                    Importance.HIGH, "Kafka brokers to connect to, host:port,...")
            .define(APPLICATION_ID, Type.STRING, "segstream", Importance.HIGH,
                    "Kafka Streams application id: consumer group, prefix of internal topics and state folders. "
                            + "Instances with the same id share the work.")
            .define(TOPIC_CLICKSTREAM, Type.STRING, "clickstream", Importance.MEDIUM, "Input: ClickEvent records.")
            .define(TOPIC_ORDERS, Type.STRING, "orders", Importance.MEDIUM, "Input: Order records.")
            .define(TOPIC_SEGMENT_DEFINITIONS, Type.STRING, "segments.definitions", Importance.MEDIUM,
                    "Compacted: SegmentDefinition records keyed by segment name; a tombstone retires one.")
            .define(TOPIC_PRIVACY_REQUESTS, Type.STRING, "privacy.requests", Importance.MEDIUM,
                    "Input: PrivacyRequest records (consent changes, erasure).")
            .define(TOPIC_SEGMENT_CHANGES, Type.STRING, "segments.changes", Importance.MEDIUM,
                    "Output: SegmentChange records (ENTERED/EXITED).")
            .define(TOPIC_SEGMENT_MEMBERSHIP, Type.STRING, "segments.membership", Importance.MEDIUM,
                    "Output, compacted: each user's current UserSegments; a tombstone after erasure.")
            .define(TOPIC_CART_ABANDONED, Type.STRING, "cart.abandoned", Importance.MEDIUM,
                    "Output: CartAbandoned records.")
            .define(TOPIC_DLQ, Type.STRING, "segstream.dlq", Importance.MEDIUM,
                    "Dead letters: the original key and value bytes, with headers saying why.")
            .define(TOPIC_RFM_SKETCHES, Type.STRING, "segstream.rfm-sketches", Importance.LOW,
                    "Compacted: each task's KLL sketches of recency, frequency and monetary, merged by every "
                            + "instance into population-wide quintiles for the R, F and M scores.")
            .define(TOPIC_PRIVACY_AUDIT, Type.STRING, "privacy.audit", Importance.MEDIUM,
                    "Output: a PrivacyAudit record per handled privacy request, keyed by request id; no personal data.")
            .define(TOPIC_MODELS, Type.STRING, "segstream.models", Importance.MEDIUM,
                    "Compacted: Model records keyed by model name (clv, intent); every instance computes its model "
                            + "facts with the latest; a tombstone withdraws one.")
            .define(PRIVACY_CONSENT_DEFAULT, Type.STRING, "granted", ConfigDef.ValidString.in("granted", "withdrawn"),
                    Importance.MEDIUM, "Consent of a user who has sent no consent request: granted (they may enter "
                            + "segments that require consent until they withdraw it) or withdrawn (they enter none "
                            + "until they grant it, for shops that need opt-in).")
            .define(PRIVACY_AUDIT_KEY, Type.PASSWORD, null, Importance.MEDIUM,
                    "Secret key of the HMAC that stands for the user in privacy.audit records (the audit holds no "
                            + "user id). Set it, the same on every instance; without it the application id is the key, "
                            + "which anyone can guess, and a warning is logged.")
            .define(PRIVACY_DEDUP_RETENTION, Type.STRING, "30d", Durations.positive(), Importance.LOW,
                    "How long a privacy request id is remembered (by requestedAt) so a re-sent request is handled once.")
            .define(INPUT_REPARTITION, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Set to true when producers do not key clickstream/orders records by user id (anonymous id for "
                            + "anonymous clicks): the pipeline then re-keys and repartitions each input once. When false, "
                            + "a record whose key is not its user id is dead-lettered (KEY_MISMATCH).")
            .define(TIME_MODE, Type.STRING, "wall", ConfigDef.ValidString.in("wall", "stream"), Importance.HIGH,
                    "What 'now' is for recency, abandonment deadlines and window expiry: wall = the wall clock (live "
                            + "operation; deadlines also fire when traffic is quiet), stream = the largest event time "
                            + "seen (replaying history gives the results it would have given live).")
            .define(GRACE, Type.STRING, "1h", Durations.positive(), Importance.MEDIUM,
                    "How far behind the latest event time of its input partition a record may be and still count; "
                            + "later ones are dead-lettered (LATE).")
            .define(TIMELINE_MAX_RECENT, Type.INT, 200, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "At most this many of a user's activities within grace are kept to fold late ones in order; beyond "
                            + "it the oldest are settled early, so an abnormally busy user (a bot) cannot make every "
                            + "event of theirs cost more.")
            .define(DEDUP_MAX_RECENT, Type.INT, 1000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "At most this many click ids per user are remembered for de-duplication; beyond it the oldest are "
                            + "forgotten before dedup.retention.")
            .define(USERS_CACHE_MAX, Type.INT, 10_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "At most this many users' states each task keeps decoded in memory between their events; a changed "
                            + "state is encoded and written to store users at the next commit or users.write.back.after "
                            + "after the change. Beyond it the least recently active user's state is written back and "
                            + "dropped.")
            .define(USERS_WRITE_BACK_AFTER, Type.STRING, "5s", Durations.positive(), Importance.LOW,
                    "A changed user's state is written to store users (and its changelog) this long after the change, "
                            + "or at the next commit if that comes first; interactive queries and standbys see a change "
                            + "at most this late. A busy user is written once per this time, however many events. Where "
                            + "commits are further apart (at-least-once, every 30 s), the delay shrinks to the time left "
                            + "over the last stretch of this length before each commit, which then has little left to write.")
            .define(DEDUP_RETENTION, Type.STRING, "24h", Durations.positive(), Importance.MEDIUM,
                    "How long a click's event id is remembered, counted back from the user's latest click, to drop "
                            + "a re-sent click.")
            .define(ORDERS_DEDUP_RETENTION, Type.STRING, "400d", Durations.positive(), Importance.MEDIUM,
                    "How long an order id is remembered (in event time) to drop a re-sent order: beyond it, the same "
                            + "order id counts again.")
            .define(TIMESTAMP_MAX_FUTURE, Type.STRING, "1h", Durations.positive(), Importance.LOW,
                    "An event timestamp further than this ahead of the wall clock is invalid (INVALID_TIMESTAMP). "
                            + "At most the brokers' log.message.timestamp.after.max.ms (1h by default): state "
                            + "changelogs carry event times, and a broker refuses records stamped further ahead.")
            .define(PUNCTUATION_INTERVAL, Type.STRING, "10s", Durations.positive(), Importance.LOW,
                    "How often due timers (cart abandonment) are checked, on both the stream-time and the wall clock.")
            .define(RFM_WINDOW_DAYS, Type.INT, 365, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Length in days of the trailing window for windowed order count and spend.")
            .define(RFM_SCORES_INTERVAL, Type.STRING, "60s", Durations.positive(), Importance.LOW,
                    "How often each task publishes its R/F/M sketches for the population-wide quintiles.")
            .define(DWELL_SESSION_GAP, Type.STRING, "30m", Durations.positive(), Importance.MEDIUM,
                    "Inactivity gap that ends a session when events carry no session id.")
            .define(DWELL_MAX_MS, Type.LONG, 1_800_000L, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Cap, in milliseconds, on the dwell an event gets from the gap to the next event of its session.")
            .define(CART_ABANDON_AFTER, Type.STRING, "30m", Durations.positive(), Importance.MEDIUM,
                    "A non-empty cart whose user shows no activity (click or order) for this long is abandoned.")
            .define(INTEREST_WINDOW, Type.STRING, "7d", Durations.positive(), Importance.MEDIUM,
                    "Sliding window of the per-category product-view counts (hourly buckets).")
            .define(REEVALUATE_INTERVAL, Type.STRING, "60s", Durations.positive(), Importance.MEDIUM,
                    "How long a pass over every user takes at most (after a task starts, a definition or model "
                            + "change, new RFM quintiles read by a condition), in batches every second of wall clock; "
                            + "time-driven changes do not wait for it: each user is evaluated again when one of their "
                            + "conditions can change by time.")
            .define(SEGMENTS_EVALUATE, Type.STRING, "auto", ConfigDef.ValidString.in("auto", "event", "commit", "interval"),
                    Importance.LOW,
                    "When a user's segments are decided after their events: event = after each event; commit = once per "
                            + "commit for all of the user's events since the last one, just before the commit (under "
                            + "exactly-once that is when a read_committed consumer sees the changes anyway; changes that "
                            + "undo each other within a commit are not emitted); interval = the same every "
                            + "segments.evaluate.interval as well; auto = commit under exactly_once_v2, interval otherwise.")
            .define(SEGMENTS_EVALUATE_INTERVAL, Type.STRING, "10ms", Durations.positive(), Importance.LOW,
                    "With segments.evaluate=interval (at-least-once's default): a user last decided at least this long "
                            + "ago is decided at once, else their event waits; the users waiting are decided every "
                            + "interval, each once for all of their events since.")
            .define(INTENT_MODEL_PATH, Type.STRING, null, Importance.MEDIUM,
                    "JSON file of the intent model; empty uses the bundled default model.")
            .define(API_PORT, Type.INT, 7070, ConfigDef.Range.between(0, 65535), Importance.MEDIUM,
                    "Port of the HTTP API (0 picks a free one). Every instance serves the API.")
            .define(API_BIND_ADDRESS, Type.STRING, "127.0.0.1", Importance.MEDIUM,
                    "Address the HTTP API listens on; 0.0.0.0 in a container or to be reached by other instances.")
            .define(API_AUTH_TOKENS, Type.PASSWORD, null, Importance.HIGH,
                    "API bearer tokens as ROLE:TOKEN,... (roles read and admin; tokens of at least 16 characters), "
                            + "e.g. from SEGSTREAM_API_AUTH_TOKENS. With no token here or in api.auth.tokens.file the "
                            + "API is open.")
            .define(API_AUTH_TOKENS_FILE, Type.STRING, null, Importance.HIGH,
                    "File of API bearer tokens, one 'ROLE TOKEN' per line (# comments); read at start.")
            .define(API_AUTH_OPEN_PATHS, Type.LIST, "/health/live,/health/ready,/metrics", Importance.MEDIUM,
                    "API paths that need no token when tokens are configured (probes, Prometheus); empty closes them too.")
            .define(API_TLS_KEYSTORE_PATH, Type.STRING, null, Importance.MEDIUM,
                    "PKCS12 keystore with the API's certificate and key: set, the API serves HTTPS only, and "
                            + "instances forward to each other over HTTPS (set it on every instance).")
            .define(API_TLS_KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "Password of api.tls.keystore.path.")
            .define(API_TLS_TRUSTSTORE_PATH, Type.STRING, null, Importance.LOW,
                    "PKCS12 store of the certificates (or CA) instances trust when forwarding to each other; "
                            + "default: the keystore itself.")
            .define(API_TLS_TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.LOW, "Password of api.tls.truststore.path.")
            .define(STATIC_MEMBERSHIP, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Join the consumer group as a static member (group.instance.id = application id, host name and "
                            + "a hash of state.dir, unless group.instance.id is set): an instance restarted after a "
                            + "crash gets its partitions back at once instead of after session.timeout.ms.")
            .define(TOPICS_PARTITIONS, Type.INT, -1, Importance.LOW,
                    "Partitions for topics that `segstream topics create` makes; -1 uses the broker's num.partitions.")
            .define(TOPICS_REPLICATION_FACTOR, Type.SHORT, (short) -1, Importance.LOW,
                    "Replication factor for topics that `segstream topics create` makes; -1 uses the broker's "
                            + "default.replication.factor.");

    /** Each broker must be host:port; Kafka's own message for a missing port names neither the key nor the fix. */
    private static void checkBrokers(String key, Object value) {
        @SuppressWarnings("unchecked")
        List<String> brokers = (List<String>) value;
        if (brokers.isEmpty()) {
            throw new ConfigException(key, value, "name at least one broker as host:port, e.g. 127.0.0.1:9092.");
        }
        for (String broker : brokers) {
            int colon = broker.lastIndexOf(':');
            String port = colon < 0 ? "" : broker.substring(colon + 1);
            if (colon <= 0 || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new ConfigException(key, value, "entry '" + broker + "' is not host:port (a port 1-65535 is "
                        + "required), e.g. " + (colon < 0 ? broker : broker.substring(0, colon)) + ":9092.");
            }
        }
    }

    private SegStreamConfig(Map<String, String> values) {
        super(DEFINITION, values, false);
    }

    /** Configuration from explicit values only (tests, embedded mode). */
    public static SegStreamConfig of(Map<String, String> values) {
        return new SegStreamConfig(values);
    }

    /** Loads {@code file} (when given), then applies {@code SEGSTREAM_*} overrides from {@code environment}. */
    public static SegStreamConfig load(Path file, Map<String, String> environment) {
        return load(file, environment, Map.of());
    }

    /** As {@link #load(Path, Map)}, with explicit values (command-line options) applied last. */
    public static SegStreamConfig load(Path file, Map<String, String> environment, Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>();
        if (file != null) {
            values.putAll(readProperties(file));
        }
        values.putAll(environmentOverrides(environment));
        values.putAll(overrides);
        try {
            return new SegStreamConfig(values);
        } catch (ConfigException e) {
            throw new ConfigException(e.getMessage() + " Set it in " + (file == null ? "a --config file" : file)
                    + " or as an environment variable, e.g. bootstrap.servers as " + ENV_PREFIX + "BOOTSTRAP_SERVERS.");
        }
    }

    public java.time.Duration duration(String key) {
        return Durations.parse(getString(key));
    }

    /** Every key and value as given, defined or not, with SegStream's defaults filled in. */
    public Map<String, Object> all() {
        Map<String, Object> all = new HashMap<>(originals());
        all.putAll(values());
        return all;
    }

    /**
     * The settings meant for Kafka clients and Kafka Streams: everything SegStream itself does not
     * define (and not the registry's), plus bootstrap.servers and application.id. SegStream's own
     * keys stay out, so none is mistaken for a Kafka setting (Streams reads "topic." keys as configs
     * of its internal topics, for instance).
     */
    public Map<String, Object> kafkaProperties() {
        Map<String, Object> kafka = new HashMap<>(originals());
        kafka.keySet().removeIf(key -> DEFINITION.names().contains(key) || key.startsWith(REGISTRY_PREFIX)
                || key.equals(AUTO_REGISTER_SCHEMAS));
        kafka.put(BOOTSTRAP_SERVERS, String.join(",", getList(BOOTSTRAP_SERVERS)));
        kafka.put(APPLICATION_ID, getString(APPLICATION_ID));
        return kafka;
    }

    /** The value of a key SegStream does not define, e.g. a Kafka client setting. */
    public String passthrough(String key) {
        Object value = originals().get(key);
        return value == null ? null : value.toString();
    }

    /** Settings for a plain producer, consumer or admin client: the Kafka settings without application.id. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> client = kafkaProperties();
        client.remove(APPLICATION_ID);
        return client;
    }

    static Map<String, String> environmentOverrides(Map<String, String> environment) {
        Map<String, String> overrides = new HashMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                overrides.put(name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return overrides;
    }

    private static Map<String, String> readProperties(Path file) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (NoSuchFileException e) {
            throw new ConfigException("Config file " + file + " does not exist; pass the path of a properties file "
                    + "(deploy/segstream.properties is an example)");
        } catch (IOException e) {
            throw new ConfigException("Cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> values = new HashMap<>();
        properties.forEach((key, value) -> values.put(key.toString().trim(), value.toString().trim()));
        return values;
    }
}
