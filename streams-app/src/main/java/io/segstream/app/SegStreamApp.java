package io.segstream.app;

import io.segstream.config.SegStreamConfig;
import io.segstream.dlq.DeadLetterCounters;
import io.segstream.features.FeatureCounters;
import io.segstream.features.FeatureSettings;
import io.segstream.query.ApiServer;
import io.segstream.query.LocalQueries;
import io.segstream.query.Metrics;
import io.segstream.segments.SegmentEvaluator;
import io.segstream.registry.SchemaRegistries;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.topology.InstanceState;
import io.segstream.topology.SegStreamTopology;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running SegStream instance: the topology on Kafka Streams, with its counters. A failing
 * stream thread is replaced (a registry outage heals itself), unless threads keep failing, which
 * means a defect: then the instance shuts down rather than spin.
 */
public final class SegStreamApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SegStreamApp.class);
    private static final int MAX_THREAD_FAILURES = 5;
    private static final Duration FAILURE_WINDOW = Duration.ofMinutes(10);

    private final KafkaStreams streams;
    private final DeadLetterCounters deadLetters = new DeadLetterCounters();
    private final InstanceState instance = InstanceState.create();
    private final Deque<Long> recentFailures = new ArrayDeque<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final SegStreamConfig config;
    private Metrics metrics;
    private ApiServer api;
    private LocalQueries local;

    public SegStreamApp(SegStreamConfig config) {
        this(config, SchemaRegistries.client(config.all()));
    }

    public SegStreamApp(SegStreamConfig config, SchemaRegistryClient registry) {
        this.config = config;
        streams = new KafkaStreams(SegStreamTopology.build(config, registry, instance),
                SegStreamTopology.streamsProperties(config, deadLetters));
        streams.setUncaughtExceptionHandler(this::onStreamThreadFailure);
        streams.setStateListener((now, before) -> {
            log.info("Kafka Streams {} -> {}", before, now);
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
    }

    /** Starts the pipeline, then the HTTP API. */
    public void start() {
        streams.start();
        metrics = new Metrics(streams, instance, deadLetters);
        String server = config.passthrough(SegStreamConfig.APPLICATION_SERVER);
        HostInfo self = server == null || server.isBlank() ? null : HostInfo.buildFromEndpoint(server);
        int port = config.getInt(SegStreamConfig.API_PORT);
        if (self != null && port != 0 && self.port() != port) {
            log.warn("application.server {} advertises port {} but the API listens on {}: other instances will not "
                    + "reach this one", server, self.port(), port);
        }
        local = new LocalQueries(streams, FeatureSettings.from(config), instance,
                new SegmentEvaluator(SegStreamTopology.intentModel(config)));
        api = new ApiServer(config.getString(SegStreamConfig.API_BIND_ADDRESS), port, self, streams, local, instance, metrics);
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

    private synchronized StreamThreadExceptionResponse onStreamThreadFailure(Throwable failure) {
        long now = System.nanoTime();
        recentFailures.addLast(now);
        while (!recentFailures.isEmpty() && now - recentFailures.peekFirst() > FAILURE_WINDOW.toNanos()) {
            recentFailures.removeFirst();
        }
        if (recentFailures.size() > MAX_THREAD_FAILURES) {
            log.error("Stream threads failed {} times within {}; shutting down", recentFailures.size(), FAILURE_WINDOW, failure);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        log.error("Stream thread failed; replacing it", failure);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** Stops the HTTP API first, then the pipeline. */
    @Override
    public void close() {
        if (api != null) {
            api.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        // Leave the group on a deliberate stop, so the other instances take over at once instead of
        // after the session timeout.
        streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    }
}
