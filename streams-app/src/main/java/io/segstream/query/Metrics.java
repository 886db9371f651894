package io.segstream.query;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.segstream.avro.PrivacyOutcome;
import io.segstream.avro.SegmentChangeKind;
import io.segstream.config.StoreNames;
import io.segstream.dlq.DeadLetterCounters;
import io.segstream.dlq.DeadLetterReason;
import io.segstream.topology.InstanceState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;

/**
 * Prometheus metrics: Kafka Streams' own (Micrometer binder), the pipeline's counters, and what a
 * platform team alerts on that the binder does not give: the lag of each input partition this
 * instance processes, the bytes each store takes on its disk, the records left to restore, and
 * whether Kafka Streams is RUNNING.
 */
public final class Metrics implements AutoCloseable {

    /**
     * How often Kafka Streams' metrics are looked for anew: a task's store and processor metrics appear
     * when it is assigned, after the binder's first look (Micrometer's default is a minute).
     */
    static final Duration STREAMS_METRICS_REFRESH = Duration.ofSeconds(10);
    /** The tag that names the store, in SegStream's store metrics and in Kafka Streams' (see {@link #storeTagged}). */
    static final String STORE_TAG = "store";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MeterRegistry streamsRegistry = storeTagged(registry);
    private final ScheduledExecutorService streamsMetricsRefresh = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "segstream-metrics-refresh");
        thread.setDaemon(true);
        return thread;
    });
    private final KafkaStreamsMetrics streamsMetrics;
    private final InstanceState instance;
    private final KafkaStreams streams;
    private final Path stateDirectory;
    private final Supplier<Map<String, Long>> restoring;
    private final MultiGauge inputLag;
    private final MultiGauge storeBytes;
    private final MultiGauge restoreRemaining;

    /**
     * {@code stateDirectory} is this application's folder of state ({@code state.dir}/{@code application.id});
     * {@code restoring} the records left to restore per store.
     */
    public Metrics(KafkaStreams streams, InstanceState instance, DeadLetterCounters deadLetters,
            LongSupplier threadFailures, Path stateDirectory, Supplier<Map<String, Long>> restoring) {
        this.instance = instance;
        this.streams = streams;
        this.stateDirectory = stateDirectory;
        this.restoring = restoring;
        streamsMetrics = new KafkaStreamsMetrics(streams, Tags.empty(), streamsMetricsRefresh, STREAMS_METRICS_REFRESH);
        streamsMetrics.bindTo(streamsRegistry);
        Gauge.builder("segstream.instance.running", streams, s -> s.state() == KafkaStreams.State.RUNNING ? 1 : 0)
                .description("1 while Kafka Streams is RUNNING on this instance; 0 while it starts, rebalances, "
                        + "restores, stops or has failed").register(registry);
        inputLag = MultiGauge.builder("segstream.input.lag.records")
                .description("Records on each input partition this instance processes that it has not committed yet "
                        + "(end offset minus committed offset)").register(registry);
        storeBytes = MultiGauge.builder("segstream.state.store.bytes").baseUnit("bytes")
                .description("Bytes each state store takes on this instance's disk (active and standby tasks, global stores)")
                .register(registry);
        restoreRemaining = MultiGauge.builder("segstream.restore.remaining.records")
                .description("Changelog records this instance still has to restore before the store's tasks run")
                .register(registry);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            FunctionCounter.builder("segstream.dead.letters", deadLetters, counters -> counters.count(reason))
                    .description("Records sent to the dead-letter topic").tag("reason", reason.name()).register(registry);
        }
        FunctionCounter.builder("segstream.stream.thread.failures", threadFailures, LongSupplier::getAsLong)
                .description("Stream threads that failed (an outage, not a record) and were replaced").register(registry);
        FunctionCounter.builder("segstream.punctuation.failures", deadLetters, DeadLetterCounters::failedPunctuations)
                .description("Scheduled work (timers, re-evaluation, sketches) that raised an exception").register(registry);
        FunctionCounter.builder("segstream.events.processed", instance.features(), c -> c.processedCount())
                .description("Clicks and orders applied to user features").register(registry);
        FunctionCounter.builder("segstream.events.duplicates", instance.features(), c -> c.duplicateCount())
                .description("Duplicate clicks and orders dropped").register(registry);
        FunctionCounter.builder("segstream.carts.abandoned", instance.features(), c -> c.abandonmentCount())
                .description("Cart abandonments detected (written to cart.abandoned unless withheld for lack of consent)").register(registry);
        FunctionCounter.builder("segstream.segment.evaluations", instance.segments(), c -> c.evaluations())
                .description("User segment evaluations").register(registry);
        FunctionCounter.builder("segstream.segment.evaluation.seconds", instance.segments(),
                        c -> c.evaluationNanos() / (double) TimeUnit.SECONDS.toNanos(1))
                .description("Time spent evaluating segments").register(registry);
        FunctionCounter.builder("segstream.segment.evaluation.failures", instance.segments(), c -> c.evaluationFailures())
                .description("Evaluations before a commit that raised an exception (the user keeps their segments until "
                        + "their next evaluation)").register(registry);
        for (PrivacyOutcome outcome : PrivacyOutcome.values()) {
            if (outcome != PrivacyOutcome.UNKNOWN) {
                FunctionCounter.builder("segstream.privacy.requests", instance.privacy(), c -> c.handledCount(outcome))
                        .description("Privacy requests handled, by outcome").tag("outcome", outcome.name()).register(registry);
            }
        }
        FunctionCounter.builder("segstream.privacy.requests.duplicates", instance.privacy(), c -> c.duplicateCount())
                .description("Re-sent privacy requests dropped (same request id)").register(registry);
        FunctionCounter.builder("segstream.privacy.abandonments.withheld", instance.privacy(), c -> c.withheldCount())
                .description("Cart abandonments not written to cart.abandoned because the user's consent does not allow it")
                .register(registry);
        FunctionCounter.builder("segstream.segment.reevaluated.users", instance.segments(), c -> c.reevaluatedUsers())
                .description("Users re-evaluated without an event of theirs: at their due time, or in a pass over every user").register(registry);
    }

    /** The Prometheus text exposition; segment change counters are registered as segments appear. */
    public String scrape() {
        refreshInstanceGauges();
        for (String segment : instance.catalog().snapshot().segments().keySet()) {
            for (SegmentChangeKind kind : new SegmentChangeKind[] {SegmentChangeKind.ENTERED, SegmentChangeKind.EXITED}) {
                FunctionCounter.builder("segstream.segment.changes", instance.segments(), c -> c.changes(segment, kind))
                        .description("Segment changes emitted").tag("segment", segment).tag("kind", kind.name())
                        .register(registry);
            }
            Gauge.builder("segstream.segment.members", instance.members(), members -> members.members(segment))
                    .description("Members of the segment among this instance's users").tag("segment", segment)
                    .register(registry);
        }
        return registry.scrape();
    }

    /** Lag, store sizes and restoration, read now (they change with rebalances, so rows are replaced). */
    private void refreshInstanceGauges() {
        List<MultiGauge.Row<?>> lag = new ArrayList<>();
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            for (TaskMetadata task : thread.activeTasks()) {
                for (Map.Entry<TopicPartition, Long> end : task.endOffsets().entrySet()) {
                    Long committed = task.committedOffsets().get(end.getKey());
                    if (end.getValue() >= 0 && committed != null && committed >= 0) {
                        lag.add(MultiGauge.Row.of(Tags.of("topic", end.getKey().topic(),
                                "partition", Integer.toString(end.getKey().partition())), Math.max(0, end.getValue() - committed)));
                    }
                }
            }
        }
        inputLag.register(lag, true);
        storeBytes.register(perStore(storeSizes()), true);
        Map<String, Long> remaining = new TreeMap<>();
        StoreNames.ALL.forEach(store -> remaining.put(store, 0L));
        remaining.putAll(restoring.get());
        restoreRemaining.register(perStore(remaining), true);
    }

    /**
     * The registry to bind Kafka Streams' metrics to: what is registered there reaches {@code prometheus}
     * with the tag that names a store's metrics renamed. Kafka Streams names that tag after the store's
     * kind ({@code rocksdb-state-id} or {@code rocksdb-window-state-id}), and Prometheus takes one set
     * of tag keys per metric name: the kind registered second would be dropped (the window stores' or the
     * key-value stores' figures of every metric both have). One key, {@value #STORE_TAG}, keeps them all.
     * The binder finds and removes its meters (a task that moved away) by the ids it gave them, which
     * this registry keeps; it removes them from {@code prometheus} too.
     */
    static MeterRegistry storeTagged(PrometheusMeterRegistry prometheus) {
        // SegStream's stores are RocksDB key-value and window stores: these are all the kinds it has.
        for (String kind : List.of("rocksdb.state.id", "rocksdb.window.state.id")) {
            prometheus.config().meterFilter(MeterFilter.renameTag("kafka.stream.state", kind, STORE_TAG));
        }
        CompositeMeterRegistry tagged = new CompositeMeterRegistry();
        tagged.add(prometheus);
        return tagged;
    }

    private static List<MultiGauge.Row<?>> perStore(Map<String, Long> values) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        values.forEach((store, value) -> rows.add(MultiGauge.Row.of(Tags.of(STORE_TAG, store), value)));
        return rows;
    }

    /**
     * Bytes per store under the application's state folder: {@code <task>/rocksdb/<store>} for key-value
     * stores, {@code <task>/<store>} for window stores, {@code global/rocksdb/<store>} for global ones.
     */
    private Map<String, Long> storeSizes() {
        Map<String, Long> sizes = new TreeMap<>();
        StoreNames.ALL.forEach(store -> sizes.put(store, 0L));
        for (Path task : directories(stateDirectory)) {
            for (Path child : directories(task)) {
                List<Path> stores = child.getFileName().toString().equals("rocksdb") ? directories(child) : List.of(child);
                for (Path store : stores) {
                    sizes.computeIfPresent(store.getFileName().toString(), (name, bytes) -> bytes + bytesUnder(store));
                }
            }
        }
        return sizes;
    }

    private static List<Path> directories(Path folder) {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(folder, Files::isDirectory)) {
            children.forEach(found::add);
        } catch (NoSuchFileException gone) {
            // No state yet, or a task's folder removed by a rebalance meanwhile.
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + folder, e);
        }
        return found;
    }

    private static long bytesUnder(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.mapToLong(file -> {
                try {
                    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                    return attributes.isRegularFile() ? attributes.size() : 0;
                } catch (IOException compactedAway) {
                    return 0;
                }
            }).sum();
        } catch (IOException | UncheckedIOException changedMeanwhile) {
            return 0;
        }
    }

    @Override
    public void close() {
        streamsMetrics.close();
        streamsMetricsRefresh.shutdownNow();
        streamsRegistry.close();
        registry.close();
    }
}
