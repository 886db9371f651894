package io.segstream.app;

import io.segstream.config.ClusterChecks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why an instance is not ready, in words an operator can act on: Kafka Streams not RUNNING, the
 * brokers unreachable (checked every few seconds: Kafka Streams itself stays RUNNING while it
 * retries), or a stream thread that failed and is being replaced after a backoff.
 */
final class InstanceHealth implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InstanceHealth.class);
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(2);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    /** A failure this long after the previous one starts the backoff again from its first step. */
    private static final Duration CALM = Duration.ofMinutes(5);

    private final KafkaStreams streams;
    private final ClusterChecks cluster;
    private final String brokers;
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "segstream-health");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong threadFailures = new AtomicLong();
    private volatile boolean brokersReachable = true;
    private volatile String lastFailure;
    private volatile Instant retryingUntil = Instant.EPOCH;
    private int consecutiveFailures;
    private Instant previousFailure = Instant.EPOCH;

    InstanceHealth(KafkaStreams streams, ClusterChecks cluster, String brokers) {
        this.streams = streams;
        this.cluster = cluster;
        this.brokers = brokers;
    }

    void start() {
        checker.scheduleWithFixedDelay(this::checkBrokers, 0, CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void checkBrokers() {
        boolean reachable = cluster.brokersReachable();
        if (reachable != brokersReachable) {
            if (reachable) {
                log.info("Kafka at {} is reachable again", brokers);
            } else {
                log.warn("Cannot reach Kafka at {} (bootstrap.servers); Kafka Streams keeps retrying and processing "
                        + "resumes when the brokers are back", brokers);
            }
        }
        brokersReachable = reachable;
    }

    /** Records a stream-thread failure and returns how long to wait before replacing the thread. */
    synchronized Duration threadFailed(Throwable failure) {
        Instant now = Instant.now();
        consecutiveFailures = Duration.between(previousFailure, now).compareTo(CALM) > 0 ? 1 : consecutiveFailures + 1;
        previousFailure = now;
        threadFailures.incrementAndGet();
        Duration backoff = backoff(consecutiveFailures);
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        lastFailure = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        retryingUntil = now.plus(backoff);
        return backoff;
    }

    /** The wait before replacing a thread after its {@code failures}-th failure in a row: 1 s, 2 s, 4 s ... 60 s. */
    static Duration backoff(int failures) {
        Duration backoff = FIRST_BACKOFF.multipliedBy(1L << Math.min(failures - 1, 20));
        return backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff;
    }

    long threadFailures() {
        return threadFailures.get();
    }

    /** Every reason the instance is not ready; empty when it is. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING) {
            problems.add("Kafka Streams is " + state + switch (state) {
                case CREATED -> " (not started: waiting for the brokers and the start-up checks)";
                case REBALANCING -> " (tasks are being assigned or their state restored)";
                default -> "";
            });
        }
        if (!brokersReachable) {
            problems.add("cannot reach Kafka at " + brokers + " (bootstrap.servers); retrying");
        }
        if (Instant.now().isBefore(retryingUntil)) {
            problems.add("a stream thread failed (" + lastFailure + "); replacing it at " + retryingUntil);
        }
        return problems;
    }

    @Override
    public void close() {
        checker.shutdownNow();
    }
}
