package io.segstream.bench.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.app.FormatLocale;
import io.segstream.app.SegStreamApp;
import io.segstream.avro.ChangeTrigger;
import io.segstream.avro.SegmentChange;
import io.segstream.bench.CatalogDefinitions;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.StoreNames;
import io.segstream.config.TopicCreator;
import io.segstream.config.Topics;
import io.segstream.local.SyntheticTraffic;
import io.segstream.registry.SchemaRegistries;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.segments.DefinitionTopic;
import io.segstream.segments.SegmentFiles;
import io.segstream.segments.SegmentPublisher;
import io.segstream.segments.SegmentSpec;
import io.segstream.serde.SpecificAvroDeserializer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * SegStream against Kafka's own limit, in one run on one broker (in a JVM of its own): the demo's synthetic
 * traffic preloaded once, drained by a passthrough, a per-user count and SegStream under
 * exactly-once and at-least-once (same topics, partitions, serdes, one stream thread); then
 * SegStream's latency at half its measured maximum, its state bytes per user, and the time a fresh
 * instance takes to restore a million users' state from the changelogs.
 */
@Command(name = "end-to-end", mixinStandardHelpOptions = true,
        description = "End-to-end benchmark of SegStream against a Kafka Streams passthrough and a per-user count.")
public final class EndToEndBenchmark implements Callable<Integer> {

    private static final String EOS = "exactly_once_v2";
    private static final String ALOS = "at_least_once";
    private static final List<String> ALL_PIPELINES = List.of("passthrough", "count", "segstream", "passthrough-per-topic");
    /**
     * The live load generator's linger.ms: Kafka's producer default since 4.0. Its wait is part of the measured
     * latency (an event's time is taken before it is sent); sending each event alone (0) made the broker, on the
     * same two cores, the bottleneck of the measurement.
     */
    private static final int LIVE_LINGER_MS = 5;

    @Option(names = "--events", defaultValue = "200000", description = "Events preloaded and drained (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--users", defaultValue = "20000", description = "Synthetic users (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the synthetic traffic (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--partitions", defaultValue = "2", description = "Partitions of every topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--runs", defaultValue = "3", description = "Drains of each pipeline and guarantee; medians are "
            + "reported (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warm-up-runs", defaultValue = "1", description = "Drains of each pipeline and guarantee before the "
            + "counted runs, at least (see --max-warm-up-runs), not counted: the first drain in a JVM runs mostly "
            + "interpreted code (default: ${DEFAULT-VALUE}).")
    int warmUpRuns;

    @Option(names = "--max-warm-up-runs", defaultValue = "6", description = "More warm-up drains of every pipeline, "
            + "up to this many in all, while the JIT compilers used more than a tenth of a core over the drains of the "
            + "round before: on two cores they go on compiling what the drains made hot for minutes after a start, "
            + "and a drain measured meanwhile is measured warming up (default: ${DEFAULT-VALUE}).")
    int maxWarmUpRuns;

    @Option(names = "--latency-warm-up", defaultValue = "20", description = "Seconds of load at least before latency "
            + "is measured (default: ${DEFAULT-VALUE}).")
    int warmUpSeconds;

    @Option(names = "--max-latency-warm-up", defaultValue = "90", description = "Seconds of load at most before latency "
            + "is measured: past --latency-warm-up the load goes on until the JIT compilers used at most a tenth of a "
            + "core over the last 5 s, as live traffic runs code the drains did not (default: ${DEFAULT-VALUE}).")
    int maxWarmUpSeconds;

    @Option(names = "--latency-seconds", defaultValue = "40", description = "Seconds latency is measured "
            + "(default: ${DEFAULT-VALUE}; 0 skips it).")
    int latencySeconds;

    @Option(names = "--latency-load", description = "Events/s of live traffic while latency is measured (default: half "
            + "of SegStream's median drain rate of the same guarantee).")
    Double latencyLoad;

    @Option(names = "--restore-users", defaultValue = "1000000", description = "Users whose state a fresh instance "
            + "restores (default: ${DEFAULT-VALUE}; 0 skips it).")
    int restoreUsers;

    @Option(names = "--idle-seconds", defaultValue = "60", description = "After the restore, seconds the restored "
            + "instance is measured with no traffic: CPU of its threads, and GET /api/v1/segments (default: "
            + "${DEFAULT-VALUE}; 0 skips it).")
    int idleSeconds;

    @Option(names = "--segments", paramLabel = "DIR", description = "Segment definitions (default: deploy/segments).")
    Path segments;

    @Option(names = "--generated-definitions", defaultValue = "0", paramLabel = "N", description = "Also apply N "
            + "generated definitions, a shop's catalog over 400 categories ten of which the synthetic visitors browse "
            + "(default: ${DEFAULT-VALUE}).")
    int generatedDefinitions;

    @Option(names = "--online-retail", paramLabel = "FILE", description = "Also replay this online-retail export "
            + "(e.g. ../shared/data/online-retail/online-retail.csv.gz) into fresh topics and time SegStream draining its "
            + "orders (time.mode=stream).")
    Path onlineRetail;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A SegStream setting for every SegStream run, e.g. "
            + "--set timeline.max.recent=200 (repeatable).")
    Map<String, String> settings = new HashMap<>();

    @Option(names = "--kafka-set", paramLabel = "KEY=VALUE", description = "A Kafka Streams or Kafka client setting "
            + "for every pipeline, the references included, e.g. --kafka-set producer.compression.type=lz4 (repeatable).")
    Map<String, String> kafkaSettings = new HashMap<>();

    @Option(names = "--guarantees", split = ",", defaultValue = EOS + "," + ALOS,
            description = "Processing guarantees to measure (default: ${DEFAULT-VALUE}).")
    List<String> guarantees;

    @Option(names = "--pipelines", split = ",", defaultValue = "passthrough,count,segstream",
            description = "Pipelines to drain (default: ${DEFAULT-VALUE}), segstream included; also passthrough-per-topic "
                    + "(the passthrough measured before 2026-12-04: clicks and orders in tasks of their own).")
    List<String> pipelines;

    private BrokerProcess broker;
    private SchemaRegistryClient registry;
    private Path work;

    public static void main(String[] args) {
        // The format locale SegStream's own entry point sets, for every pipeline measured.
        FormatLocale.useUnitedStatesUnlessChosen();
        System.exit(new CommandLine(new EndToEndBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        work = Files.createTempDirectory("segstream-bench-");
        broker = BrokerProcess.start(work.resolve("kafka"), "2g");
        try {
            return run();
        } finally {
            broker.close();
            deleteQuietly(work);
        }
    }

    private int run() throws Exception {
        if (!ALL_PIPELINES.containsAll(pipelines) || !pipelines.contains("segstream")) {
            System.err.println("--pipelines takes some of " + ALL_PIPELINES + ", segstream included");
            return 2;
        }
        if (guarantees.isEmpty() || !List.of(EOS, ALOS).containsAll(guarantees)) {
            System.err.println("--guarantees takes " + EOS + ", " + ALOS + " or both");
            return 2;
        }
        SegStreamConfig inputs = config("bench-setup", "input", EOS);
        registry = SchemaRegistries.client(inputs.all());
        TopicCreator.createMissing(inputs);
        Path definitions = segments != null ? segments : Path.of(System.getProperty("segstream.home", "."), "deploy", "segments");
        SegmentFiles.Result read = SegmentFiles.read(SegmentFiles.expand(List.of(definitions)));
        if (!read.ok()) {
            read.problems().forEach(System.err::println);
            return 1;
        }
        List<SegmentSpec> applied = new ArrayList<>(read.segments());
        applied.addAll(CatalogDefinitions.generate(generatedDefinitions,
                CatalogDefinitions.categories(400, SyntheticTraffic.categories()), seed));
        SegmentPublisher.apply(applied, inputs, new DefinitionTopic(inputs, registry));
        Topics topics = Topics.from(inputs);
        int preloadedUsers;
        try (Traffic traffic = new Traffic(seed, users, broker.bootstrapServers(), registry, topics.clickstream(),
                topics.orders(), 20)) {
            traffic.preload(events, Duration.ofHours(2));
            preloadedUsers = traffic.users();
        }
        say("preloaded %,d events of %,d users (seed %d, event times over the last 2 h), %d partitions, %d segment definitions",
                events, preloadedUsers, seed, partitions, applied.size());

        Map<String, double[]> rates = new LinkedHashMap<>();
        Map<String, double[]> cpu = new LinkedHashMap<>();
        Map<String, double[]> allocated = new LinkedHashMap<>();
        String footprintApp = null;
        int warmUps = 0;
        double compilingShare = 0;
        while (warmUps < warmUpRuns || warmUps > 0 && warmUps < maxWarmUpRuns && compilingShare > ThreadTimes.QUIET_COMPILERS_SHARE) {
            warmUps++;
            // The compilers' CPU time over the round's drains, and the drains' time (each drain is of the same events).
            double compilingMicrosPerEvent = 0;
            double secondsPerEvent = 0;
            for (String guarantee : guarantees) {
                for (String pipeline : pipelines) {
                    String applicationId = "bench-" + pipeline + "-" + tag(guarantee) + "-warm-up" + warmUps;
                    Pipelines.Drain drain = drain(pipeline, guarantee, applicationId, topics);
                    say("warm-up %-11s %-16s %s (not counted)", pipeline, guarantee, describe(drain));
                    compilingMicrosPerEvent += drain.jitCpuMicrosPerRecord();
                    secondsPerEvent += 1 / drain.perSecond();
                }
            }
            compilingShare = compilingMicrosPerEvent / 1e6 / secondsPerEvent;
            say("warm-up round %d: the JIT compilers used %.0f%% of a core over its drains", warmUps, 100 * compilingShare);
        }
        for (int run = 1; run <= runs; run++) {
            for (String guarantee : guarantees) {
                for (String pipeline : pipelines) {
                    String applicationId = "bench-" + pipeline + "-" + tag(guarantee) + "-" + run;
                    Pipelines.Drain drain = drain(pipeline, guarantee, applicationId, topics);
                    rates.computeIfAbsent(pipeline + " " + guarantee, key -> new double[runs])[run - 1] = drain.perSecond();
                    cpu.computeIfAbsent(pipeline + " " + guarantee, key -> new double[runs])[run - 1] = drain.cpuMicrosPerRecord();
                    allocated.computeIfAbsent(pipeline + " " + guarantee, key -> new double[runs])[run - 1] =
                            drain.allocatedBytesPerRecord();
                    say("run %d %-11s %-16s %s", run, pipeline, guarantee, describe(drain));
                    // The state of the first exactly-once run (at-least-once when only that is measured).
                    if (footprintApp == null && pipeline.equals("segstream") && (guarantee.equals(EOS) || !guarantees.contains(EOS))) {
                        footprintApp = applicationId;
                    }
                }
            }
        }

        List<String> report = new ArrayList<>();
        report.add("| pipeline | guarantee | events/s (median of " + runs + ") | runs | SegStream's ratio to it "
                + "| drain by drain (median) | stream-thread CPU µs/event (median) | SegStream's CPU ratio to it "
                + "| stream-thread KB allocated/event (median) |");
        report.add("|---|---|---|---|---|---|---|---|---|");
        for (String guarantee : guarantees) {
            double[] segstreamRates = rates.get("segstream " + guarantee);
            double segstream = median(segstreamRates);
            double segstreamCpu = median(cpu.get("segstream " + guarantee));
            for (String pipeline : pipelines) {
                double[] measured = rates.get(pipeline + " " + guarantee);
                double median = median(measured);
                double cpuMedian = median(cpu.get(pipeline + " " + guarantee));
                boolean reference = !pipeline.equals("segstream");
                report.add(String.format("| %s | %s | %,.0f | %s | %s | %s | %.1f | %s | %.1f |", pipeline, guarantee, median,
                        list(measured), reference ? String.format("%.3f×", segstream / median) : "",
                        reference ? drainByDrain(segstreamRates, measured) : "", cpuMedian,
                        reference ? String.format("%.3f×", cpuMedian / segstreamCpu) : "",
                        median(allocated.get(pipeline + " " + guarantee)) / 1e3));
            }
        }

        if (latencySeconds > 0) {
            report.add("");
            report.add("| latency, event -> SegmentChange | load (events/s) | changes measured | p50 ms | p99 ms | max ms |");
            report.add("|---|---|---|---|---|---|");
            for (String guarantee : guarantees) {
                double load = latencyLoad != null ? latencyLoad : median(rates.get("segstream " + guarantee)) / 2;
                long[] latencies = latency(guarantee, load);
                say("latency %s at %,.0f events/s: p50 %d ms, p99 %d ms, max %d ms (%,d changes)", guarantee, load,
                        percentile(latencies, 50), percentile(latencies, 99),
                        latencies.length == 0 ? 0 : latencies[latencies.length - 1], latencies.length);
                report.add(String.format("| %s (%s) | %,.0f | %,d | %d | %d | %d |", guarantee,
                        guarantee.equals(EOS) ? "read_committed, commit.interval.ms " + commitInterval(guarantee) : "read_uncommitted",
                        load, latencies.length, percentile(latencies, 50), percentile(latencies, 99),
                        latencies.length == 0 ? 0 : latencies[latencies.length - 1]));
            }
        }

        if (onlineRetail != null) {
            report.add("");
            report.add(onlineRetail());
        }

        Changelogs changelogs = new Changelogs(broker.bootstrapServers());
        List<Changelogs.Partition> state = changelogs.read(footprintApp);
        Map<String, long[]> stores = Changelogs.bytesByStore(state, footprintApp);
        long totalBytes = stores.values().stream().mapToLong(totals -> totals[1]).sum();
        report.add("");
        report.add(String.format("State after draining %,d events of %,d users (every changelog read to its end, last value "
                + "per key): %,d bytes, **%,.0f bytes per user**.", events, preloadedUsers, totalBytes,
                (double) totalBytes / preloadedUsers));
        report.add("");
        report.add("| store | live keys | live bytes | bytes per user |");
        report.add("|---|---|---|---|");
        stores.forEach((store, totals) -> report.add(String.format("| %s | %,d | %,d | %,.0f |", store, totals[0], totals[1],
                (double) totals[1] / preloadedUsers)));

        if (restoreUsers > 0) {
            int copies = (restoreUsers + preloadedUsers - 1) / preloadedUsers;
            long started = System.nanoTime();
            long records = changelogs.copy(state, footprintApp, "bench-restore", copies);
            say("wrote %,d changelog records (%d copies of the state of %,d users) in %.1f s", records, copies,
                    preloadedUsers, (System.nanoTime() - started) / 1e9);
            Restore restore = restore();
            say("restored %,d users in %.1f s", (long) copies * preloadedUsers, restore.restoreSeconds());
            report.add("");
            report.add(String.format("Restore: a fresh instance (empty state directory) restored %,d users' state "
                    + "(%,d changelog records, %,d MB) in **%.1f s** (restoration); start to RUNNING %.1f s.",
                    (long) copies * preloadedUsers, restore.records(), copies * totalBytes >> 20,
                    restore.restoreSeconds(), restore.runningSeconds()));
            if (restore.idle() != null) {
                Idle idle = restore.idle();
                say("idle: %.1f%% of one core; GET /api/v1/segments median %.1f ms, max %.1f ms", 100 * idle.cpuShare(),
                        idle.segmentsMedianMs(), idle.segmentsMaxMs());
                report.add("");
                report.add(String.format("Idle with those users: the passes over every user after the start were done "
                        + "%.1f s after it; "
                        + "then with no traffic for %d s the pipeline's threads used **%.1f%% of one core**; GET "
                        + "/api/v1/segments answered in **%.1f ms** (median of 24; max %.1f ms) with member counts %s.",
                        idle.passSeconds(), idleSeconds, 100 * idle.cpuShare(), idle.segmentsMedianMs(),
                        idle.segmentsMaxMs(), idle.segments()));
            }
        }

        System.out.println();
        System.out.printf("SegStream end-to-end benchmark, %s, %d cores, Java %s, Kafka Streams 4.3.1, one stream thread, "
                + "%d partitions, embedded broker%n%n", LocalDate.now(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), partitions);
        report.forEach(System.out::println);
        return 0;
    }

    private Pipelines.Drain drain(String pipeline, String guarantee, String applicationId, Topics topics) throws Exception {
        Path state = Files.createDirectories(work.resolve("state").resolve(applicationId));
        Duration timeout = Duration.ofMinutes(20);
        if (pipeline.equals("segstream")) {
            SegStreamConfig config = config(applicationId, "input", guarantee, state);
            try (SegStreamApp app = new SegStreamApp(config, registry)) {
                app.start();
                Pipelines.Drain drain = Pipelines.drain(app.streams(), applicationId, events, timeout, broker::cpuNanos);
                say("%s wrote %s", applicationId, Pipelines.recordsSent(app.streams()));
                say("%s stream thread: %s", applicationId, threadTimes(app.streams()));
                return drain;
            }
        }
        if (pipeline.startsWith("passthrough")) {
            TopicCreator.createMissing(config(applicationId, "input", guarantee, state), List.of(applicationId + "-clicks",
                    applicationId + "-orders", applicationId + "-privacy.requests"));
        }
        var properties = Pipelines.streamsProperties(broker.bootstrapServers(), applicationId, guarantee, state.toString());
        properties.putAll(kafkaSettings);
        var topology = switch (pipeline) {
            case "passthrough" -> Pipelines.passthrough(topics.clickstream(), topics.orders(), topics.privacyRequests(),
                    applicationId, registry);
            case "passthrough-per-topic" -> Pipelines.perTopicPassthrough(topics.clickstream(), topics.orders(), applicationId,
                    registry);
            default -> Pipelines.perUserCount(topics.clickstream(), topics.orders(), topics.privacyRequests(), registry);
        };
        try (KafkaStreams streams = new KafkaStreams(topology, properties)) {
            streams.start();
            Pipelines.Drain drain = Pipelines.drain(streams, applicationId, events, timeout, broker::cpuNanos);
            say("%s stream thread: %s", applicationId, threadTimes(streams));
            return drain;
        }
    }

    /**
     * Event-to-change latencies in ms, sorted: SegStream on fresh topics under live traffic at
     * {@code load} events/s (event time = produce time); every SegmentChange triggered by an event,
     * as a consumer of segments.changes sees it (read_committed under exactly-once).
     */
    private long[] latency(String guarantee, double load) throws Exception {
        String prefix = "latency-" + tag(guarantee);
        SegStreamConfig config = config("bench-" + prefix, prefix, guarantee,
                Files.createDirectories(work.resolve("state").resolve(prefix)));
        TopicCreator.createMissing(config);
        Topics topics = Topics.from(config);
        List<Long> latencies = new ArrayList<>();
        try (SegStreamApp app = new SegStreamApp(config, registry)) {
            app.start();
            awaitRunning(app.streams(), Duration.ofMinutes(2));
            DoubleSupplier processed = Pipelines.processed(app.streams());
            AtomicReference<LiveCounters> measureStart = new AtomicReference<>();
            LiveWindow window = new LiveWindow(System.currentTimeMillis(), warmUpSeconds, maxWarmUpSeconds, latencySeconds,
                    () -> ThreadTimes.now().compilersCpuNanos(), () -> measureStart.set(liveCounters(prefix, processed)));
            Thread reader = new Thread(() -> readChanges(topics.segmentChanges(), guarantee, window, latencies),
                    "bench-latency-reader");
            reader.start();
            try (Traffic traffic = new Traffic(seed + 1, users, broker.bootstrapServers(), registry, topics.clickstream(),
                    topics.orders(), LIVE_LINGER_MS)) {
                traffic.live(load, () -> window.running(System.currentTimeMillis()));
            }
            say("latency %s, warmed up for %.0f s, the JIT compilers at %.0f%% of a core over its last %d s", tag(guarantee),
                    window.warmUpSeconds(), 100 * window.compilersShare(), LiveWindow.QUIET_SPAN_MS / 1000);
            say("latency %s, stream thread over the last minute of traffic: %s", tag(guarantee), threadTimes(app.streams()));
            reader.join(60_000);
            LiveCounters before = measureStart.get();
            LiveCounters after = liveCounters(prefix, processed);
            double events = after.processed() - before.processed();
            double streamThread = (after.streamThreadNanos() - before.streamThreadNanos()) / 1e3 / events;
            double jvm = (after.processNanos() - before.processNanos()) / 1e3 / events;
            double brokerCpu = (after.brokerNanos() - before.brokerNanos()) / 1e3 / events;
            // Per event of the measured span, from its start until the consumer stops reading 5 s after it (what a
            // pipeline fell behind on is processed then); times the load, the cores that load asks for.
            say("latency %s, CPU per event over the measured %d s and the 5 s after: stream thread %.1f µs, this JVM "
                    + "(SegStream, load generator, consumer, collector) %.1f µs, broker %.1f µs (%,.0f events): at that load "
                    + "%.2f of the machine's %d cores",
                    tag(guarantee), latencySeconds, streamThread, jvm, brokerCpu, events,
                    (jvm + brokerCpu) * load / 1e6, Runtime.getRuntime().availableProcessors());
            say("latency %s, this JVM's busiest threads over the measured span, µs CPU per event (names cut to 15 "
                    + "characters): %s", tag(guarantee), after.threads().busiestSince(before.threads(), events, 10));
        }
        return latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** What the CPU per event of live traffic is computed from: CPU times so far, and the events processed. */
    private record LiveCounters(long streamThreadNanos, long processNanos, long brokerNanos, double processed,
            ThreadTimes threads) {}

    private LiveCounters liveCounters(String prefix, DoubleSupplier processed) {
        return new LiveCounters(Pipelines.streamThreadCpuNanos("bench-" + prefix), Pipelines.processCpuNanos(),
                broker.cpuNanos(), processed.getAsDouble(), ThreadTimes.now());
    }

    /**
     * Where the stream thread's time went: Kafka Streams' own avg/max latencies (ms) of its poll, process,
     * punctuate and commit steps, the metrics' window being the last minute or so, and its commits so far.
     */
    private static String threadTimes(KafkaStreams streams) {
        Map<String, Double> values = new java.util.TreeMap<>();
        streams.metrics().forEach((name, metric) -> {
            if (name.group().equals("stream-thread-metrics")
                    && name.name().matches("(poll|process|punctuate|commit)-latency-(avg|max)|commit-total")
                    && metric.metricValue() instanceof Double value && !value.isNaN()) {
                values.merge(name.name(), value, Math::max);
            }
            if (name.group().equals("producer-metrics") && name.name().matches("(flush|txn-send-offsets|txn-commit)-time-ns-total")
                    && metric.metricValue() instanceof Double value && !value.isNaN()) {
                values.merge(name.name(), value, Double::sum);
            }
        });
        StringBuilder times = new StringBuilder();
        for (String step : List.of("poll", "process", "punctuate", "commit")) {
            times.append(String.format("%s %.2f/%.0f ms  ", step, values.getOrDefault(step + "-latency-avg", 0.0),
                    values.getOrDefault(step + "-latency-max", 0.0)));
        }
        double commits = values.getOrDefault("commit-total", 0.0);
        times.append(String.format("(avg/max), %,.0f commits so far", commits));
        if (commits > 0) {
            // The producer's share of a commit; the rest is the stores' write-back (SegStream's segment
            // decisions and encoding of changed users among it) and Kafka Streams' own bookkeeping.
            times.append(String.format("; per commit, the producer's flush %.2f ms, offsets to the transaction %.2f ms, "
                    + "transaction commit %.2f ms", values.getOrDefault("flush-time-ns-total", 0.0) / 1e6 / commits,
                    values.getOrDefault("txn-send-offsets-time-ns-total", 0.0) / 1e6 / commits,
                    values.getOrDefault("txn-commit-time-ns-total", 0.0) / 1e6 / commits));
        }
        return times.toString();
    }

    /**
     * Reads segments.changes until a few seconds after the window's measured span: the latencies of changes whose
     * event time is in that span, and the largest latency of each second of traffic, warm-up included.
     */
    private void readChanges(String topic, String guarantee, LiveWindow window, List<Long> latencies) {
        Map<Long, Long> worstBySecond = new java.util.TreeMap<>();
        Map<String, Object> settings = new HashMap<>();
        settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, guarantee.equals(EOS) ? "read_committed" : "read_uncommitted");
        settings.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
        SpecificAvroDeserializer<SegmentChange> changes = new SpecificAvroDeserializer<>(SegmentChange.class, registry);
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> assigned = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            // Events produced before the end may still be in flight: read a few seconds more.
            while (window.stopAt() == Long.MAX_VALUE || System.currentTimeMillis() < window.stopAt() + 5_000) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                    long seen = System.currentTimeMillis();
                    SegmentChange change = changes.deserialize(record.topic(), record.value());
                    long eventTime = change.getEventTime().toEpochMilli();
                    if (change.getTrigger() != ChangeTrigger.EVENT || eventTime < window.start() || eventTime >= window.stopAt()) {
                        continue;
                    }
                    worstBySecond.merge((eventTime - window.start()) / 1000, seen - eventTime, Math::max);
                    if (eventTime >= window.measureFrom()) {
                        latencies.add(seen - eventTime);
                    }
                }
            }
        }
        say("latency %s, worst per second of traffic (ms, measured from second %.0f): %s", tag(guarantee),
                window.warmUpSeconds(), worstBySecond.values());
    }

    /** The export's orders produced first, then drained by SegStream in stream time; one line for the report. */
    private String onlineRetail() throws Exception {
        double[] rates = new double[runs];
        long orders = 0;
        int attempt = 0;
        for (int run = 1; run <= runs; run++) {
            String prefix = "retail-" + run + "-" + (++attempt);
            Map<String, String> overrides = Map.of(SegStreamConfig.TIME_MODE, "stream");
            SegStreamConfig config = config("bench-" + prefix, prefix, EOS,
                    Files.createDirectories(work.resolve("state").resolve(prefix)), overrides);
            TopicCreator.createMissing(config);
            try {
                orders = new io.segstream.replay.Replayer(config, registry)
                        .replay(io.segstream.replay.ReplayFormat.ONLINE_RETAIL, onlineRetail, 0, false).orders();
            } catch (org.apache.kafka.common.KafkaException e) {
                if (attempt >= 2 * runs) {
                    throw e;
                }
                say("online-retail replay %d failed, replaying it into fresh topics: %s", run, e.getMessage());
                run--;
                continue;
            }
            try (SegStreamApp app = new SegStreamApp(config, registry)) {
                app.start();
                rates[run - 1] = Pipelines.drain(app.streams(), "bench-" + prefix, orders, Duration.ofMinutes(30),
                        broker::cpuNanos).perSecond();
            }
            say("run %d online-retail orders  %,8.0f orders/s", run, rates[run - 1]);
        }
        return String.format("Online-retail replay (%s, %,d orders produced first, time.mode=stream, exactly_once_v2): "
                + "**%,.0f orders/s** (median of %d: %s).", onlineRetail.getFileName(), orders, median(rates), runs, list(rates));
    }

    private record Restore(long records, double restoreSeconds, double runningSeconds, Idle idle) {}

    /**
     * The restored instance with no traffic: the seconds its first pass over every user took, the share of
     * one core its own threads used afterwards, and GET /api/v1/segments latencies (median, max; ms).
     */
    private record Idle(double passSeconds, double cpuShare, double segmentsMedianMs, double segmentsMaxMs,
            String segments) {}

    private Restore restore() throws Exception {
        SegStreamConfig config = config("bench-restore", "restore", EOS,
                Files.createDirectories(work.resolve("state").resolve("restore")));
        TopicCreator.createMissing(config);
        AtomicLong records = new AtomicLong();
        AtomicLong firstStart = new AtomicLong();
        AtomicLong lastEnd = new AtomicLong();
        try (SegStreamApp app = new SegStreamApp(config, registry)) {
            app.streams().setGlobalStateRestoreListener(new StateRestoreListener() {
                @Override
                public void onRestoreStart(TopicPartition partition, String store, long start, long end) {
                    firstStart.compareAndSet(0, System.nanoTime());
                }

                @Override
                public void onBatchRestored(TopicPartition partition, String store, long batchEnd, long restored) {
                    records.addAndGet(restored);
                }

                @Override
                public void onRestoreEnd(TopicPartition partition, String store, long restored) {
                    lastEnd.set(System.nanoTime());
                }
            });
            long started = System.nanoTime();
            app.start();
            awaitRunning(app.streams(), Duration.ofMinutes(30));
            double running = (System.nanoTime() - started) / 1e9;
            Idle idle = idleSeconds > 0 ? idle(app, config) : null;
            return new Restore(records.get(), (lastEnd.get() - firstStart.get()) / 1e9, running, idle);
        }
    }

    /**
     * Waits for the passes after the start (the start's own, and the one new quintiles trigger) to
     * re-evaluate every restored user, then measures the idle instance.
     */
    private Idle idle(SegStreamApp app, SegStreamConfig config) throws Exception {
        String applicationId = config.getString(SegStreamConfig.APPLICATION_ID);
        long passStarted = System.nanoTime();
        long users = restoredUsers(app);
        // A pass over every user re-evaluates a sixth of them in 10 s; due users alone are far fewer. Passes
        // run after the start and when the first sketches of the restored customers change the quintiles.
        // The sketches' scan starts at the first rfm.scores.interval tick and takes up to one interval, the
        // quintiles it brings are read at the tick after it: the passes are done once every user was
        // re-evaluated and then nothing like a pass ran for longer than two intervals.
        long quietNeeded = 2 * config.duration(SegStreamConfig.RFM_SCORES_INTERVAL).toNanos() + 10_000_000_000L;
        long previous = app.instance().segments().reevaluatedUsers();
        long quietSince = System.nanoTime();
        do {
            Thread.sleep(10_000);
            long reevaluated = app.instance().segments().reevaluatedUsers();
            long step = reevaluated - previous;
            previous = reevaluated;
            if (step >= users / 30 || reevaluated < users) {
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= quietNeeded) {
                break;
            }
        } while (System.nanoTime() - passStarted < Duration.ofMinutes(10).toNanos());
        double passSeconds = (quietSince - passStarted) / 1e9;
        say("passes over the %,d users done %.1f s after the start (none since, for %.0f s); measuring %d s with no "
                + "traffic", users, passSeconds, (System.nanoTime() - quietSince) / 1e9, idleSeconds);
        say("restored instance's stream thread over the last minute: %s", threadTimes(app.streams()));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> before = pipelineThreadCpu(threads, applicationId);
        long idleStarted = System.nanoTime();
        Thread.sleep(idleSeconds * 1000L);
        Map<Long, Long> after = pipelineThreadCpu(threads, applicationId);
        double wall = System.nanoTime() - idleStarted;
        long cpu = 0;
        Map<String, Long> byThread = new HashMap<>();
        for (Map.Entry<Long, Long> thread : after.entrySet()) {
            long used = thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
            cpu += used;
            ThreadInfo info = threads.getThreadInfo(thread.getKey());
            byThread.merge(info == null ? "(ended)" : info.getThreadName().replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "*"), used,
                    Long::sum);
        }
        byThread.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(5).forEach(entry ->
                say("  %5.2f%% of one core: %s", 100.0 * entry.getValue() / wall, entry.getKey()));
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + app.apiPort() + "/api/v1/segments");
        List<Double> latencies = new ArrayList<>();
        String body = "";
        for (int i = 0; i < 25; i++) {
            long sent = System.nanoTime();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET /api/v1/segments answered " + response.statusCode() + ": " + response.body());
            }
            latencies.add((System.nanoTime() - sent) / 1e6);
            body = response.body();
        }
        // The first request warms the HTTP client and server up; it is not counted.
        List<Double> counted = latencies.subList(1, latencies.size()).stream().sorted().toList();
        String counts = String.join(", ", new ObjectMapper().readTree(body).findValues("memberCount")
                .stream().map(node -> String.format("%,d", node.asLong())).toList());
        return new Idle(passSeconds, cpu / wall, counted.get(counted.size() / 2), counted.get(counted.size() - 1), counts);
    }

    /** The users the instance holds: entries of its users stores. */
    private static long restoredUsers(SegStreamApp app) {
        ReadOnlyKeyValueStore<String, Object> users = app.streams().store(
                StoreQueryParameters.fromNameAndType(StoreNames.USERS,
                        QueryableStoreTypes.keyValueStore()));
        return users.approximateNumEntries();
    }

    /** CPU time (ns) of every live thread of the pipeline (named after its application id), by thread id. */
    private static Map<Long, Long> pipelineThreadCpu(ThreadMXBean threads, String applicationId) {
        Map<Long, Long> cpu = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().contains(applicationId)) {
                long time = threads.getThreadCpuTime(info.getThreadId());
                if (time >= 0) {
                    cpu.put(info.getThreadId(), time);
                }
            }
        }
        return cpu;
    }

    private static void awaitRunning(KafkaStreams streams, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not RUNNING after " + timeout.toSeconds() + " s: " + streams.state());
            }
            Thread.sleep(10);
        }
    }

    private SegStreamConfig config(String applicationId, String topicPrefix, String guarantee) throws IOException {
        return config(applicationId, topicPrefix, guarantee, Files.createDirectories(work.resolve("state").resolve(applicationId)));
    }

    private SegStreamConfig config(String applicationId, String topicPrefix, String guarantee, Path state) {
        return config(applicationId, topicPrefix, guarantee, state, Map.of());
    }

    /** SegStream's config for one run: its defaults, one stream thread, topics named {@code topicPrefix}-*. */
    private SegStreamConfig config(String applicationId, String topicPrefix, String guarantee, Path state,
            Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>();
        values.put(SegStreamConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        values.put(SegStreamConfig.APPLICATION_ID, applicationId);
        values.put("schema.registry.url", "mem://bench");
        values.put("state.dir", state.toString());
        values.put("processing.guarantee", guarantee);
        values.put("num.stream.threads", "1");
        values.put(SegStreamConfig.API_PORT, "0");
        values.put(SegStreamConfig.STATIC_MEMBERSHIP, "false");
        values.put(SegStreamConfig.TOPICS_PARTITIONS, Integer.toString(partitions));
        values.put(SegStreamConfig.TOPIC_CLICKSTREAM, topicPrefix + "-clickstream");
        values.put(SegStreamConfig.TOPIC_ORDERS, topicPrefix + "-orders");
        values.put(SegStreamConfig.TOPIC_SEGMENT_DEFINITIONS, "segments.definitions");
        values.put(SegStreamConfig.TOPIC_PRIVACY_REQUESTS, topicPrefix + "-privacy.requests");
        values.put(SegStreamConfig.TOPIC_SEGMENT_CHANGES, topicPrefix + "-segments.changes");
        values.put(SegStreamConfig.TOPIC_SEGMENT_MEMBERSHIP, topicPrefix + "-segments.membership");
        values.put(SegStreamConfig.TOPIC_CART_ABANDONED, topicPrefix + "-cart.abandoned");
        values.put(SegStreamConfig.TOPIC_DLQ, topicPrefix + "-segstream.dlq");
        values.put(SegStreamConfig.TOPIC_RFM_SKETCHES, topicPrefix + "-segstream.rfm-sketches");
        values.putAll(kafkaSettings);
        values.putAll(settings);
        values.putAll(overrides);
        return SegStreamConfig.of(values);
    }

    private static String commitInterval(String guarantee) {
        return guarantee.equals(EOS) ? "100" : "30000";
    }

    private static String tag(String guarantee) {
        return guarantee.equals(EOS) ? "eos" : "alos";
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    static long percentile(long[] sorted, int percent) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    /**
     * SegStream's ratio to a reference in each run, whose drains of the two follow each other (the
     * machine's phases change less between them than across runs), and the median of those ratios.
     */
    private static String drainByDrain(double[] segstream, double[] reference) {
        double[] ratios = new double[reference.length];
        for (int run = 0; run < reference.length; run++) {
            ratios[run] = segstream[run] / reference[run];
        }
        return list(ratios, "%.3f") + String.format(" (%.3f×)", median(ratios));
    }

    private static String list(double[] values) {
        return list(values, "%,.0f");
    }

    /** A drain's figures as each line of progress prints them. */
    private static String describe(Pipelines.Drain drain) {
        return String.format("%,8.0f events/s, %5.1f µs CPU/event, %5.1f KB allocated/event, GC paused %4.1f%%, CPU/event of "
                + "the JVM %5.1f µs (its JIT compilers %4.1f) and of the broker %5.1f µs", drain.perSecond(),
                drain.cpuMicrosPerRecord(), drain.allocatedBytesPerRecord() / 1e3, 100 * drain.gcPausedShare(),
                drain.jvmCpuMicrosPerRecord(), drain.jitCpuMicrosPerRecord(), drain.brokerCpuMicrosPerRecord());
    }

    /** {@code values}, each in {@code format}, separated by slashes. */
    private static String list(double[] values, String format) {
        return String.join(" / ", Arrays.stream(values).mapToObj(value -> String.format(format, value)).toList());
    }

    private static void say(String format, Object... arguments) {
        System.out.printf("[bench] " + format + "%n", arguments);
        System.out.flush();
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
