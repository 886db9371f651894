package io.segstream.app;

import io.segstream.config.ClusterChecks;
import io.segstream.config.SegStreamConfig;
import io.segstream.dlq.DeadLetterCounters;
import io.segstream.features.FeatureCounters;
import io.segstream.features.FeatureSettings;
import io.segstream.privacy.PrivacySettings;
import io.segstream.privacy.PrivacyTopic;
import io.segstream.scoring.ModelTopic;
import io.segstream.query.ApiServer;
import io.segstream.query.LocalQueries;
import io.segstream.query.Metrics;
import io.segstream.segments.Conditions;
import io.segstream.segments.SegmentEvaluator;
import io.segstream.registry.SchemaRegistries;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.topology.InstanceState;
import io.segstream.topology.SegStreamTopology;
import java.time.Duration;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running SegStream instance: the topology on Kafka Streams, with its counters and health. A
 * record never fails a stream thread (the exception handlers dead-letter it), so a thread fails
 * only when something outside the record does, such as an unreachable schema registry: it is
 * replaced after a backoff that doubles up to a minute, and the instance never gives up by itself.
 * The instance is a static member of its consumer group, so after a crash it gets its partitions
 * back as soon as it rejoins instead of after the session timeout.
 */
public final class SegStreamApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SegStreamApp.class);

    private final KafkaStreams streams;
    private final DeadLetterCounters deadLetters = new DeadLetterCounters();
    private final InstanceState instance;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final SegStreamConfig config;
    private final ClusterChecks cluster;
    private final InstanceHealth health;
    private final RestoreProgress restores = new RestoreProgress();
    private final Path stateDirectory;
    private Metrics metrics;
    private ApiServer api;
    /** Where the API's admin route publishes privacy requests. */
    private final PrivacyTopic privacyRequests;
    /** Where the API's admin route publishes models. */
    private final ModelTopic models;
    private LocalQueries local;

    public SegStreamApp(SegStreamConfig config) {
        this(config, SchemaRegistries.client(config.all()));
    }

    public SegStreamApp(SegStreamConfig config, SchemaRegistryClient registry) {
        this.config = config;
        this.instance = InstanceState.create(SegStreamTopology.intentModel(config));
        // The global thread compiles every definition before any stream thread starts, and the first
        // compilation loads the expression engine (about two seconds on a cold JVM): load it meanwhile,
        // so a restarted instance processes again sooner.
        Thread warmUp = new Thread(() -> Conditions.compile("rfm.frequency >= 0 && cart.items >= 0"), "segstream-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        Properties properties = SegStreamTopology.streamsProperties(config, deadLetters);
        StaticMembership.apply(config, properties);
        StreamsConfig streamsConfig = new StreamsConfig(properties);
        stateDirectory = Path.of(streamsConfig.getString(StreamsConfig.STATE_DIR_CONFIG),
                streamsConfig.getString(StreamsConfig.APPLICATION_ID_CONFIG));
        if (StreamsConfig.EXACTLY_ONCE_V2.equals(streamsConfig.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))) {
            UncommittedState.discard(stateDirectory);
        }
        streams = new KafkaStreams(SegStreamTopology.build(config, registry, instance), properties);
        privacyRequests = new PrivacyTopic(config, registry);
        models = new ModelTopic(config, registry);
        cluster = new ClusterChecks(config);
        health = new InstanceHealth(streams, cluster, String.join(",", config.getList(SegStreamConfig.BOOTSTRAP_SERVERS)));
        streams.setUncaughtExceptionHandler(this::onStreamThreadFailure);
        streams.setGlobalStateRestoreListener(restores);
        streams.setStateListener((now, before) -> {
            log.info("Kafka Streams {} -> {}", before, now);
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
    }

    /**
     * Starts the HTTP API (its readiness says what the instance waits for), waits for the brokers,
     * checks the topics and timestamp limits (a problem stops it with a message naming the key to
     * fix), then starts the pipeline. The API comes first so that its start-up overlaps the waits on
     * the cluster instead of competing with the stream threads for CPU.
     */
    public void start() {
        health.start();
        metrics = new Metrics(streams, instance, deadLetters, health::threadFailures, stateDirectory,
                restores::remainingByStore);
        String server = config.passthrough(SegStreamConfig.APPLICATION_SERVER);
        HostInfo self = server == null || server.isBlank() ? null : HostInfo.buildFromEndpoint(server);
        int port = config.getInt(SegStreamConfig.API_PORT);
        if (self != null && port != 0 && self.port() != port) {
            log.warn("application.server {} advertises port {} but the API listens on {}: other instances will not "
                    + "reach this one", server, self.port(), port);
        }
        local = new LocalQueries(streams, FeatureSettings.from(config), PrivacySettings.from(config), instance,
                new SegmentEvaluator(instance.models()));
        api = new ApiServer(config, self, streams, local, instance, metrics, privacyRequests, models, health::problems);
        cluster.awaitBrokers(null);
        cluster.requireReadyToRun();
        streams.start();
    }

    /** Members per segment on this instance (the demo's console view). */
    public java.util.Map<String, Long> memberCounts() {
        return local.memberCounts();
    }

    /** The port the HTTP API listens on. */
    public int apiPort() {
        return api.port();
    }

    /** Blocks until the instance has stopped; returns true when it stopped cleanly rather than on an error. */
    public boolean awaitStopped() throws InterruptedException {
        stopped.await();
        return streams.state() != KafkaStreams.State.ERROR;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public DeadLetterCounters deadLetterCounters() {
        return deadLetters;
    }

    public FeatureCounters featureCounters() {
        return instance.features();
    }

    public InstanceState instance() {
        return instance;
    }

    /** Stream threads that failed and were replaced since start. */
    public long threadFailures() {
        return health.threadFailures();
    }

    /** Every reason this instance is not ready; empty when it is (what /health/ready reports). */
    public java.util.List<String> problems() {
        return health.problems();
    }

    /** Runs on the failed thread: waits out the backoff (cut short by close), then has the thread replaced. */
    private StreamThreadExceptionResponse onStreamThreadFailure(Throwable failure) {
        Duration backoff = health.threadFailed(failure);
        log.error("Stream thread failed; replacing it in {} s. Processing resumes from the last commit", backoff.toSeconds(),
                failure);
        try {
            if (closing.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** Stops the HTTP API first, then the pipeline. */
    @Override
    public void close() {
        closing.countDown();
        health.close();
        if (api != null) {
            api.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        privacyRequests.close();
        // Leave the group on a deliberate stop, so the other instances take over at once instead of
        // after the session timeout.
        streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        cluster.close();
    }
}
