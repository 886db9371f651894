package io.segstream.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.avro.CartAbandoned;
import io.segstream.avro.SegmentChange;
import io.segstream.avro.UserSegments;
import io.segstream.cli.SegStreamCli;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.Topics;
import io.segstream.local.Ports;
import io.segstream.registry.HttpSchemaRegistryClient;
import io.segstream.registry.RegistryConfig;
import io.segstream.serde.SpecificAvroDeserializer;
import io.segstream.testing.ApicurioRegistry;
import io.segstream.testing.BrokerMain;
import io.segstream.testing.Chaos;
import io.segstream.testing.ChaosInput;
import io.segstream.testing.ChildProcess;
import io.segstream.testing.Memberships;
import io.segstream.testing.RealInfrastructure;
import io.segstream.testing.TestConfigs;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Chaos (a) and (b), with the pipeline ({@code segstream run}) and the broker in processes of their
 * own: the pipeline killed with kill -9 while it has lag, and the broker killed and stopped under
 * it, exactly-once; and kill -9 at-least-once. The outputs of each run are compared with a run of the
 * same input without faults. Population facts (the RFM quintile scores, which the intent score reads too) depend on
 * when each run happens to merge its sketches, so the runs publish none ({@code rfm.scores.interval}
 * longer than the test) and every segment's output must match.
 */
@ExtendWith(RealInfrastructure.class)
class CrashRecoveryIT {

    /** A JVM ended by SIGTERM exits 128 + 15 once its shutdown hooks (SegStream's clean close) have run. */
    private static final int SIGTERM_EXIT = 143;
    /** Enough that each kill lands while the pipeline still has lag, however fast it drains. */
    private static final int VALID = Chaos.FULL ? 20_000 : 12_000;
    private static final int KILLS = Chaos.FULL ? 5 : 2;
    private static final Duration OUTAGE = Chaos.FULL ? Duration.ofSeconds(30) : Duration.ofSeconds(15);
    private static final java.util.regex.Pattern API_PORT = java.util.regex.Pattern.compile("HTTP API listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant END = Instant.now();
    private static final Path WORK = Path.of("target/chaos/" + TestConfigs.suffix()).toAbsolutePath();

    private static int brokerPort;
    private static int controllerPort;
    private static ChildProcess broker;
    private static String bootstrap;

    @BeforeAll
    static void startBroker() throws Exception {
        brokerPort = Ports.freeLoopbackPort();
        controllerPort = Ports.freeLoopbackPort();
        bootstrap = "127.0.0.1:" + brokerPort;
        broker = startBrokerProcess();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        for (ChildProcess pipeline : PIPELINES) {
            pipeline.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    private static ChildProcess startBrokerProcess() throws InterruptedException {
        Path log = WORK.resolve("broker.log");
        long from = ChildProcess.logSize(log);
        ChildProcess process = ChildProcess.start(BrokerMain.class, List.of(WORK.resolve("broker").toString(),
                Integer.toString(brokerPort), Integer.toString(controllerPort)), log);
        process.awaitLog("READY", from, Duration.ofSeconds(90));
        return process;
    }

    /** One run's topics and config file; every run reads the same input. */
    private record Run(String name, SegStreamConfig config, Path configFile, Path log) {
        Topics topics() {
            return Topics.from(config);
        }
    }

    /** A run of its own topics, every input record produced before it starts; {@code overrides} change its settings. */
    private static Run prepare(String name, ApicurioRegistry registry, Map<String, String> overrides) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "state.dir", WORK.resolve(name + "-state").toString(),
                SegStreamConfig.REEVALUATE_INTERVAL, "5s",
                SegStreamConfig.PUNCTUATION_INTERVAL, "1s",
                SegStreamConfig.RFM_SCORES_INTERVAL, "1h",
                // -Dchaos.staticMembership=false measures recovery without static membership, for comparison.
                SegStreamConfig.STATIC_MEMBERSHIP, System.getProperty("chaos.staticMembership", "true")));
        settings.putAll(overrides);
        Chaos.Setup setup = Chaos.setUp(bootstrap, registry.url(), name + "-" + TestConfigs.suffix(), settings);
        ChaosInput input = ChaosInput.generate(31, 2_000, VALID, 5, END, Duration.ofHours(3), setup.topics(), setup.registry());
        try (KafkaProducer<String, byte[]> producer = Chaos.producer(bootstrap)) {
            input.produce(producer, 0, input.entries().size());
        }
        Path file = WORK.resolve(name + ".properties");
        Properties properties = new Properties();
        properties.putAll(setup.values());
        try (OutputStream out = Files.newOutputStream(file)) {
            properties.store(out, "chaos run " + name);
        }
        return new Run(name, setup.config(), file, WORK.resolve(name + ".log"));
    }

    /** Every pipeline process this class started, so none outlives it when a test fails. */
    private static final List<ChildProcess> PIPELINES = new ArrayList<>();

    private static ChildProcess startPipeline(Run run) {
        ChildProcess pipeline = ChildProcess.start(SegStreamCli.class, List.of("run", "--config", run.configFile().toString()),
                run.log());
        PIPELINES.add(pipeline);
        return pipeline;
    }

    private static Admin admin;

    private static Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", 2000,
                    "default.api.timeout.ms", 2000));
        }
        return admin;
    }

    /** Committed offsets of the run's group on its inputs, summed, and the inputs' end offsets, summed. */
    private static long[] progress(Run run) {
        try {
            Admin admin = admin();
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                    run.config().getString(SegStreamConfig.APPLICATION_ID)).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
            for (String topic : List.of(run.topics().clickstream(), run.topics().orders())) {
                for (int p = 0; p < 2; p++) {
                    latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
            }
            long ends = 0;
            long done = 0;
            for (var entry : admin.listOffsets(latest).all().get().entrySet()) {
                ends += entry.getValue().offset();
                OffsetAndMetadata offset = committed.get(entry.getKey());
                done += offset == null ? 0 : offset.offset();
            }
            return new long[] {done, ends};
        } catch (Exception e) {
            return new long[] {-1, -1};
        }
    }

    /** Waits until the run has committed its whole input, then lets time-driven work settle. */
    private static void awaitDrained(Run run, ChildProcess pipeline) throws InterruptedException {
        Chaos.await(Duration.ofMinutes(Chaos.FULL ? 15 : 4), run.name() + " to commit its whole input", () -> {
            assertThat(pipeline.isAlive()).as(run.name() + " pipeline alive").isTrue();
            long[] progress = progress(run);
            return progress[1] > 0 && progress[0] == progress[1];
        });
        // Every user is re-evaluated within reevaluate.interval (5 s) at the final stream time.
        Thread.sleep(12_000);
    }

    /** "STATUS BODY" of /health/ready, or "000" when the API does not answer. */
    private static String health(String url) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (IOException e) {
            return "000 " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "000 interrupted";
        }
    }

    /**
     * Every customer the running pipeline holds, as {@code GET /api/v1/customers/histories} gives them
     * (purchases, first and last purchase, net spend; no user ids), sorted: what each customer's orders
     * added up to, whichever way the run went.
     */
    private static List<String> customerHistories(ChildProcess pipeline) throws Exception {
        String port = pipeline.findInOwnLog(API_PORT);
        assertThat(port).as("the pipeline's API port in its log").isNotNull();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/v1/customers/histories")).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("instances").asInt()).isEqualTo(body.get("expectedInstances").asInt());
        List<String> customers = new ArrayList<>();
        body.get("customers").forEach(customer -> customers.add(customer.toString()));
        Collections.sort(customers);
        return customers;
    }

    /** What a run left: every customer's orders, read from its API before it stopped, and its outputs. */
    private record Finished(List<String> customers, Outputs outputs) {}

    /** Waits until the run has committed its whole input, reads its customers, stops it (SIGTERM) and reads its outputs. */
    private static Finished finish(Run run, ChildProcess pipeline, ApicurioRegistry registry) throws Exception {
        awaitDrained(run, pipeline);
        List<String> customers = customerHistories(pipeline);
        assertThat(pipeline.stop()).as(run.name() + ": exit after SIGTERM").isIn(0, SIGTERM_EXIT);
        return new Finished(customers, outputs(run, registry));
    }

    /** What a run wrote, as a downstream tool reads it. */
    private record Outputs(List<ConsumerRecord<String, SegmentChange>> changes,
            List<ConsumerRecord<String, UserSegments>> memberships, List<String> abandonments) {}

    private static Outputs outputs(Run run, ApicurioRegistry registry) {
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(new RegistryConfig(Map.of("schema.registry.url",
                registry.url())));
        List<String> abandonments = new ArrayList<>();
        Chaos.readAll(bootstrap, run.topics().cartAbandoned(), new SpecificAvroDeserializer<>(CartAbandoned.class, client))
                .forEach(record -> abandonments.add(record.key() + " " + record.value().getAbandonedAt() + " "
                        + record.value().getCartValue()));
        Collections.sort(abandonments);
        return new Outputs(
                Chaos.readAll(bootstrap, run.topics().segmentChanges(), new SpecificAvroDeserializer<>(SegmentChange.class, client)),
                Chaos.readAll(bootstrap, run.topics().segmentMembership(),
                        new SpecificAvroDeserializer<>(UserSegments.class, client)),
                abandonments);
    }

    @Test
    void killedPipelinesAndBrokerOutagesLoseNothingAndDuplicateNothing(ApicurioRegistry registry) throws Exception {
        Run reference = prepare("reference", registry, Map.of());
        Run crashes = prepare("crashes", registry, Map.of());
        Run outages = prepare("outages", registry, Map.of());

        Finished withoutFaults = finish(reference, startPipeline(reference), registry);
        Outputs expected = withoutFaults.outputs();

        // (a) kill -9 while the pipeline has lag, then start it again on the same state directory.
        List<Double> recoveries = new ArrayList<>();
        Finished crashed = finish(crashes, killWhileLagging(crashes, recoveries), registry);
        assertThat(crashed.customers()).as("crashes: every customer's orders").isEqualTo(withoutFaults.customers());
        Outputs afterCrashes = crashed.outputs();

        // (b) the broker killed, then stopped, for a while each, under a running pipeline.
        ChildProcess survivor = startPipeline(outages);
        Chaos.await(Duration.ofSeconds(60), "the API of outages", () -> survivor.findInLog(API_PORT, 0) != null);
        String ready = "http://127.0.0.1:" + survivor.findInLog(API_PORT, 0) + "/health/ready";
        List<Double> brokerRecoveries = new ArrayList<>();
        for (boolean hard : new boolean[] {true, false}) {
            long before = progress(outages)[0];
            Chaos.await(Duration.ofSeconds(90), "outages to make progress", () -> progress(outages)[0] > before);
            if (hard) {
                broker.kill();
            } else {
                broker.stop();
            }
            long down = System.nanoTime();
            Chaos.await(OUTAGE, "/health/ready to say the broker is unreachable",
                    () -> health(ready).startsWith("503") && health(ready).contains("cannot reach Kafka at " + bootstrap));
            Chaos.report("broker %s: /health/ready answered 503 \"cannot reach Kafka\" after %.1f s", hard ? "killed" : "stopped",
                    (System.nanoTime() - down) / 1e9);
            Thread.sleep(Math.max(0, OUTAGE.toMillis() - (System.nanoTime() - down) / 1_000_000));
            long committed = progress(outages)[0];
            broker = startBrokerProcess();
            long back = System.nanoTime();
            long floor = committed < 0 ? before : committed;
            Chaos.await(Duration.ofSeconds(180), "processing again after the broker returned",
                    () -> progress(outages)[0] > floor);
            brokerRecoveries.add((System.nanoTime() - back) / 1e9);
            assertThat(survivor.isAlive()).as("the pipeline survives without a restart").isTrue();
            Chaos.await(Duration.ofSeconds(30), "/health/ready to answer 200 again", () -> health(ready).startsWith("200"));
        }
        Finished survived = finish(outages, survivor, registry);
        assertThat(survived.customers()).as("outages: every customer's orders").isEqualTo(withoutFaults.customers());
        Outputs afterOutages = survived.outputs();

        for (var run : Map.of("crashes", afterCrashes, "outages", afterOutages).entrySet()) {
            Outputs actual = run.getValue();
            List<String> contradictions = new ArrayList<>();
            var implied = Memberships.impliedByChanges(actual.changes(), contradictions);
            var sequences = Memberships.sequences(actual.changes());
            var expectedSequences = Memberships.sequences(expected.changes());
            Set<String> differing = new HashSet<>(sequences.keySet());
            differing.addAll(expectedSequences.keySet());
            differing.removeIf(key -> java.util.Objects.equals(sequences.get(key), expectedSequences.get(key)));
            Chaos.report("%s: %d segment changes (no faults: %d), %d abandonments (no faults: %d), %d contradictions, "
                            + "%d of %d user/segment change sequences differ from the run without faults",
                    run.getKey(), actual.changes().size(), expected.changes().size(), actual.abandonments().size(),
                    expected.abandonments().size(), contradictions.size(), differing.size(), expectedSequences.size());
            differing.stream().sorted().limit(10).forEach(key -> Chaos.report("%s: %s was %s, without faults %s", run.getKey(),
                    key, Memberships.history(actual.changes(), key), Memberships.history(expected.changes(), key)));

            assertThat(contradictions).as(run.getKey() + ": a duplicated or missing ENTERED/EXITED").isEmpty();
            assertThat(implied).as(run.getKey() + ": membership records agree with the changes")
                    .isEqualTo(Memberships.lastRecorded(actual.memberships()));
            assertThat(actual.abandonments()).as(run.getKey() + ": abandonments").isEqualTo(expected.abandonments());
            assertThat(implied).as(run.getKey() + ": final memberships")
                    .isEqualTo(Memberships.lastRecorded(expected.memberships()));
        }
        Chaos.report("broker killed, then stopped, for %d s each: committing again %s s after it returned",
                OUTAGE.toSeconds(), brokerRecoveries);
        assertQuickRecoveries("exactly-once", recoveries);
    }

    /**
     * At-least-once, killed with kill -9 while it has lag: Kafka Streams processes again the input a
     * crash left uncommitted, so a segment change or an abandonment may be written twice, but none is
     * lost and the memberships end as in a run without faults. Commits every second and changed users
     * written back 200 ms after a change, so at each kill some users' state in the changelog is ahead of
     * the committed input (their events come again as duplicates) and some is behind it (their events
     * are decided again).
     */
    @Test
    void atLeastOnceKilledPipelinesMayRepeatOutputsButLoseNone(ApicurioRegistry registry) throws Exception {
        Map<String, String> atLeastOnce = Map.of("processing.guarantee", "at_least_once", "commit.interval.ms", "1000",
                SegStreamConfig.USERS_WRITE_BACK_AFTER, "200ms");
        Run reference = prepare("alos-reference", registry, atLeastOnce);
        Run crashes = prepare("alos-crashes", registry, atLeastOnce);

        Finished withoutFaults = finish(reference, startPipeline(reference), registry);
        Outputs expected = withoutFaults.outputs();
        List<String> expectedCustomers = withoutFaults.customers();

        List<Double> recoveries = new ArrayList<>();
        Finished crashed = finish(crashes, killWhileLagging(crashes, recoveries), registry);
        Outputs actual = crashed.outputs();
        List<String> customers = crashed.customers();

        List<String> referenceContradictions = new ArrayList<>();
        var expectedImplied = Memberships.impliedByChanges(expected.changes(), referenceContradictions);
        List<String> repeated = new ArrayList<>();
        var implied = Memberships.impliedByChanges(actual.changes(), repeated);
        Chaos.report("at-least-once crashes: %d segment changes (no faults: %d), %d repeating the one before; "
                        + "%d abandonments (no faults: %d), %d distinct", actual.changes().size(), expected.changes().size(),
                repeated.size(), actual.abandonments().size(), expected.abandonments().size(),
                new TreeSet<>(actual.abandonments()).size());
        repeated.stream().limit(10).forEach(change -> Chaos.report("at-least-once crashes: repeated %s", change));
        var recorded = Memberships.lastRecorded(actual.memberships());
        reportDifferences("changes, records", implied, recorded, actual, actual);
        reportDifferences("changes, without faults", implied, expectedImplied, actual, expected);
        Set<String> missing = new TreeSet<>(expected.abandonments());
        missing.removeAll(actual.abandonments());
        missing.stream().limit(10).forEach(abandonment -> Chaos.report("at-least-once crashes: abandonment %s missing", abandonment));

        List<String> differentCustomers = new ArrayList<>(customers);
        differentCustomers.removeAll(expectedCustomers);
        Chaos.report("at-least-once crashes: %d customers (no faults: %d), %d of them with other orders than without faults: %s",
                customers.size(), expectedCustomers.size(), differentCustomers.size(),
                differentCustomers.subList(0, Math.min(5, differentCustomers.size())));

        assertThat(customers).as("at-least-once crashes: every customer's orders, each counted once").isEqualTo(expectedCustomers);
        assertThat(referenceContradictions).as("at-least-once without faults: a duplicated or missing ENTERED/EXITED").isEmpty();
        assertThat(expectedImplied).as("at-least-once without faults: membership records agree with the changes")
                .isEqualTo(Memberships.lastRecorded(expected.memberships()));
        assertThat(implied).as("at-least-once crashes: membership records agree with the changes")
                .isEqualTo(Memberships.lastRecorded(actual.memberships()));
        assertThat(implied).as("at-least-once crashes: final memberships").isEqualTo(expectedImplied);
        assertThat(new TreeSet<>(actual.abandonments())).as("at-least-once crashes: abandonments, each at least once")
                .isEqualTo(new TreeSet<>(expected.abandonments()));
        assertQuickRecoveries("at-least-once", recoveries);
    }

    /** Reports the users whose segments differ between {@code a} and {@code b}, with their changes in the two runs. */
    private static void reportDifferences(String what, Map<String, Set<String>> a, Map<String, Set<String>> b, Outputs runA,
            Outputs runB) {
        Set<String> users = new TreeSet<>(a.keySet());
        users.addAll(b.keySet());
        users.removeIf(user -> java.util.Objects.equals(a.get(user), b.get(user)));
        Chaos.report("at-least-once crashes: %d users differ (%s)", users.size(), what);
        users.stream().limit(10).forEach(user -> Chaos.report("at-least-once crashes: %s in %s, %s (%s); changes %s, %s", user,
                a.get(user), b.get(user), what, Memberships.historyOf(runA.changes(), user),
                Memberships.historyOf(runB.changes(), user)));
    }

    /**
     * Starts the run's pipeline and kills it with kill -9 {@link #KILLS} times, each while it has lag,
     * starting it again on the same state directory; adds the seconds from each restart to its committed
     * input moving again to {@code recoveries} and returns the pipeline last started.
     */
    private static ChildProcess killWhileLagging(Run run, List<Double> recoveries) throws InterruptedException {
        Random random = new Random(5);
        ChildProcess pipeline = startPipeline(run);
        for (int kill = 0; kill < KILLS; kill++) {
            long before = progress(run)[0];
            Chaos.await(Duration.ofSeconds(90), run.name() + " to make progress", () -> progress(run)[0] > before);
            Thread.sleep(200 + random.nextInt(800));
            long[] atKill = progress(run);
            assertThat(atKill[0]).as("still has lag when killed").isLessThan(atKill[1]);
            pipeline.kill();
            long committed = progress(run)[0];
            long restarted = System.nanoTime();
            pipeline = startPipeline(run);
            Chaos.await(Duration.ofSeconds(120), "processing again after kill " + (kill + 1),
                    () -> progress(run)[0] > committed);
            recoveries.add((System.nanoTime() - restarted) / 1e9);
        }
        return pipeline;
    }

    private static void assertQuickRecoveries(String guarantee, List<Double> recoveries) {
        List<Double> sorted = new ArrayList<>(recoveries);
        Collections.sort(sorted);
        Chaos.report("%s: kill -9 -> committing input again after a restart: %s s, median %.1f s", guarantee, sorted,
                sorted.get(sorted.size() / 2));
        // Without static membership the restarted instance waits out the dead member's session (45 s).
        assertThat(sorted.get(sorted.size() / 2)).as(guarantee + ": median seconds to process again after kill -9")
                .isLessThan(20.0);
    }

    static {
        try {
            Files.createDirectories(WORK);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
