package io.segstream.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What SegStream checks on the cluster before it starts, so that a start-up problem is one clear
 * message naming the key to fix instead of a minute of client warnings or a task that fails later:
 * the brokers can be reached, the input topics exist, and the brokers accept the timestamps the
 * pipeline writes.
 */
public final class ClusterChecks implements AutoCloseable {

    static final String AFTER_MAX = "message.timestamp.after.max.ms";
    static final String BEFORE_MAX = "message.timestamp.before.max.ms";
    static final String TIMESTAMP_TYPE = "message.timestamp.type";
    private static final String BROKER_PREFIX = "log.";
    private static final Duration ATTEMPT = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(ClusterChecks.class);

    private final SegStreamConfig config;
    private final Admin admin;
    private volatile boolean closed;

    public ClusterChecks(SegStreamConfig config) {
        this.config = config;
        Map<String, Object> settings = config.clientProperties();
        settings.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ATTEMPT.toMillis());
        settings.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ATTEMPT.toMillis());
        this.admin = Admin.create(settings);
    }

    /**
     * Waits until a broker answers, saying every 10 s what it is waiting for; gives up after
     * {@code timeout} (null: never) with a message that names bootstrap.servers.
     */
    public void awaitBrokers(Duration timeout) {
        long started = System.nanoTime();
        long lastSaid = 0;
        while (!closed) {
            try {
                Collection<Node> nodes = admin.describeCluster().nodes().get(ATTEMPT.toMillis(), TimeUnit.MILLISECONDS);
                if (!nodes.isEmpty()) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("Interrupted while waiting for Kafka", e);
            } catch (ExecutionException | TimeoutException e) {
                long waited = System.nanoTime() - started;
                if (timeout != null && waited >= timeout.toNanos()) {
                    throw new KafkaException(unreachable() + " for " + timeout.toSeconds() + " s: check that the brokers "
                            + "are up and that " + SegStreamConfig.BOOTSTRAP_SERVERS + " names them (host:port)");
                }
                if (lastSaid == 0 || waited - lastSaid >= TimeUnit.SECONDS.toNanos(10)) {
                    lastSaid = Math.max(waited, 1);
                    log.warn("{}: {}. Check that the brokers are up and that {} names them; still trying", unreachable(),
                            cause(e), SegStreamConfig.BOOTSTRAP_SERVERS);
                }
            }
        }
        throw new KafkaException("Stopped while waiting for Kafka at " + config.getList(SegStreamConfig.BOOTSTRAP_SERVERS));
    }

    /** True when a broker answers within a few seconds; for health checks of a running instance. */
    public boolean brokersReachable() {
        try {
            return !admin.describeCluster().nodes().get(ATTEMPT.toMillis(), TimeUnit.MILLISECONDS).isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** The problem that stops `segstream run`: a missing input topic. */
    public List<String> missingInputs() {
        Topics topics = Topics.from(config);
        Set<String> existing = call(() -> admin.listTopics().names().get());
        List<String> problems = new ArrayList<>();
        Map<String, String> inputs = Map.of(SegStreamConfig.TOPIC_CLICKSTREAM, topics.clickstream(),
                SegStreamConfig.TOPIC_ORDERS, topics.orders(), SegStreamConfig.TOPIC_SEGMENT_DEFINITIONS,
                topics.segmentDefinitions(), SegStreamConfig.TOPIC_PRIVACY_REQUESTS, topics.privacyRequests(),
                SegStreamConfig.TOPIC_MODELS, topics.models());
        inputs.forEach((key, topic) -> {
            if (!existing.contains(topic)) {
                problems.add("topic '" + topic + "' (" + key + ") does not exist; create the topics with "
                        + "`segstream topics create --config FILE` or set " + key + " to the right name");
            }
        });
        return problems.stream().sorted().toList();
    }

    /**
     * Disagreements between timestamp.max.future and what the brokers accept. State changelogs (and
     * repartition topics) carry the event time of the record being processed and are created with
     * the brokers' defaults, so an event the pipeline accepts must be one the brokers accept too.
     */
    public List<String> timestampProblems() {
        Duration maxFuture = config.duration(SegStreamConfig.TIMESTAMP_MAX_FUTURE);
        Config broker = brokerConfig();
        List<String> problems = new ArrayList<>();
        if (broker == null || "LogAppendTime".equals(value(broker, BROKER_PREFIX + TIMESTAMP_TYPE))) {
            return problems;
        }
        String afterMax = value(broker, BROKER_PREFIX + AFTER_MAX);
        if (afterMax != null && Long.parseLong(afterMax) < maxFuture.toMillis()) {
            problems.add(SegStreamConfig.TIMESTAMP_MAX_FUTURE + "=" + config.getString(SegStreamConfig.TIMESTAMP_MAX_FUTURE)
                    + " accepts events further ahead than the brokers' " + BROKER_PREFIX + AFTER_MAX + "=" + afterMax
                    + " ms: their state changelog records would be refused and the task would fail. Set "
                    + SegStreamConfig.TIMESTAMP_MAX_FUTURE + " to at most " + afterMax + "ms or raise the brokers' " + BROKER_PREFIX + AFTER_MAX);
        }
        return problems;
    }

    /** A warning, not a stop: brokers that refuse old timestamps refuse the state of replayed history. */
    public String oldEventLimit() {
        Config broker = brokerConfig();
        String beforeMax = broker == null ? null : value(broker, BROKER_PREFIX + BEFORE_MAX);
        if (beforeMax == null || Long.parseLong(beforeMax) == Long.MAX_VALUE
                || "LogAppendTime".equals(value(broker, BROKER_PREFIX + TIMESTAMP_TYPE))) {
            return null;
        }
        return "the brokers' " + BROKER_PREFIX + BEFORE_MAX + "=" + beforeMax + " ms refuses records stamped further "
                + "back: events older than that (a replay, a backfill) cannot be processed, because their state "
                + "changelog records carry their event time";
    }

    /**
     * The per-user inputs (clickstream, orders, privacy.requests) read unless input.repartition is set:
     * a user's records must land in the same task, so these topics need the same number of partitions
     * (and producers the same partitioner). Empty when they agree or a topic is missing.
     */
    public List<String> partitionProblems() {
        if (config.getBoolean(SegStreamConfig.INPUT_REPARTITION)) {
            return List.of();
        }
        Topics topics = Topics.from(config);
        List<String> names = List.of(topics.clickstream(), topics.orders(), topics.privacyRequests());
        Set<String> existing = call(() -> admin.listTopics().names().get());
        if (!existing.containsAll(names)) {
            return List.of();
        }
        Map<String, TopicDescription> described = call(() -> admin.describeTopics(names).allTopicNames().get());
        Map<String, Integer> partitions = new java.util.LinkedHashMap<>();
        names.forEach(name -> partitions.put(name, described.get(name).partitions().size()));
        if (partitions.values().stream().distinct().count() == 1) {
            return List.of();
        }
        return List.of("the per-user input topics have different partition counts " + partitions + ": a user's clicks, "
                + "orders and privacy requests must reach the same task. Give them the same number of partitions, or set "
                + SegStreamConfig.INPUT_REPARTITION + "=true");
    }

    /** Fails with one message naming every problem that stops `segstream run`. */
    public void requireReadyToRun() {
        List<String> problems = new ArrayList<>(missingInputs());
        problems.addAll(partitionProblems());
        problems.addAll(timestampProblems());
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("; ", problems) + ".");
        }
        String warning = oldEventLimit();
        if (warning != null) {
            log.warn("Note: {}", warning);
        }
    }

    private Config brokerConfig() {
        Collection<Node> nodes = call(() -> admin.describeCluster().nodes().get());
        if (nodes.isEmpty()) {
            return null;
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, nodes.iterator().next().idString());
        return call(() -> admin.describeConfigs(List.of(resource)).all().get().get(resource));
    }

    private static String value(Config config, String name) {
        ConfigEntry entry = config.get(name);
        return entry == null ? null : entry.value();
    }

    private String unreachable() {
        return "Cannot reach Kafka at " + String.join(",", config.getList(SegStreamConfig.BOOTSTRAP_SERVERS)) + " ("
                + SegStreamConfig.BOOTSTRAP_SERVERS + ")";
    }

    private static String cause(Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    private interface Call<T> {
        T get() throws Exception;
    }

    private <T> T call(Call<T> call) {
        try {
            return call.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while asking Kafka", e);
        } catch (Exception e) {
            throw new KafkaException("Kafka at " + config.getList(SegStreamConfig.BOOTSTRAP_SERVERS) + " did not answer: "
                    + cause(e), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        admin.close(Duration.ofSeconds(5));
    }
}
