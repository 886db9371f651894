package io.segstream.app;

import io.segstream.config.SegStreamConfig;
import io.segstream.dlq.DeadLetterCounters;
import io.segstream.features.FeatureCounters;
import io.segstream.registry.SchemaRegistries;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.topology.InstanceState;
import io.segstream.topology.SegStreamTopology;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
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

    public SegStreamApp(SegStreamConfig config) {
        this(config, SchemaRegistries.client(config.all()));
    }

    public SegStreamApp(SegStreamConfig config, SchemaRegistryClient registry) {
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

    public void start() {
        streams.start();
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

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }
}
