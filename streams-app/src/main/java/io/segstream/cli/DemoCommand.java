package io.segstream.cli;

import io.segstream.app.SegStreamApp;
import io.segstream.avro.CartAbandoned;
import io.segstream.avro.ClickEvent;
import io.segstream.avro.Order;
import io.segstream.avro.SegmentChange;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.TopicCreator;
import io.segstream.config.Topics;
import io.segstream.dlq.DeadLetterReason;
import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.local.SyntheticTraffic;
import io.segstream.registry.SchemaRegistries;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.replay.ReplayFormat;
import io.segstream.replay.ReplaySummary;
import io.segstream.replay.Replayer;
import io.segstream.segments.DefinitionTopic;
import io.segstream.segments.SegmentFiles;
import io.segstream.segments.SegmentPublisher;
import io.segstream.serde.SpecificAvroDeserializer;
import io.segstream.serde.SpecificAvroSerializer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segstream demo}: everything in one process on 127.0.0.1 — a real Kafka broker, the
 * in-memory registry, the sample segments, the pipeline and its HTTP API, realistic synthetic
 * traffic, and a live console view. Ctrl-C stops the API, then the pipeline, then the broker.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on an embedded Kafka broker with synthetic traffic and the HTTP API "
                + "(http://127.0.0.1:7070). Ctrl-C stops it.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Keep the broker's data and the state here "
            + "(default: a temporary folder, deleted on exit).")
    Path dataDir;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the synthetic traffic (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--rate", defaultValue = "200", description = "Synthetic events per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--users", defaultValue = "5000", description = "Synthetic users (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--port", defaultValue = "7070", description = "HTTP API port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--segments", paramLabel = "DIR", description = "Segment definition files to apply "
            + "(default: deploy/segments of this checkout).")
    Path segments;

    @Option(names = "--replay", paramLabel = "FORMAT:FILE", description = "Replay a real export instead of "
            + "synthetic traffic, e.g. online-retail:data/online-retail.csv.gz or rees46:sample.csv (time.mode=stream), "
            + "then keep serving.")
    String replay;

    @Spec
    CommandSpec spec;

    private volatile boolean running = true;
    private final Deque<String> recent = new ArrayDeque<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<Path> definitionFiles = definitionFiles();
        out.println("Starting Kafka 4.3.1 on 127.0.0.1 ...");
        out.flush();
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir == null ? null : dataDir.resolve("kafka"), Map.of());
        SegStreamConfig config = SegStreamConfig.of(settings(broker));
        SchemaRegistryClient registry = SchemaRegistries.client(config.all());
        Topics topics = Topics.from(config);
        TopicCreator.createMissing(config);
        SegmentFiles.Result read = SegmentFiles.read(definitionFiles);
        read.problems().forEach(problem -> spec.commandLine().getErr().println(problem));
        if (!read.ok()) {
            broker.close();
            return 1;
        }
        SegmentPublisher.apply(read.segments(), config, new DefinitionTopic(config, registry)).forEach(out::println);
        SegStreamApp app = new SegStreamApp(config, registry);
        app.start();
        out.printf("Pipeline running. API: http://127.0.0.1:%d/api/v1/segments  (Ctrl-C to stop)%n", app.apiPort());
        out.flush();

        CountDownLatch stopped = new CountDownLatch(1);
        Thread traffic = new Thread(() -> {
            if (replay == null) {
                produce(config, registry, topics);
            } else {
                replay(config, registry, out);
            }
        }, "demo-traffic");
        Thread watcher = new Thread(() -> watch(config, registry, topics), "demo-watch");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running = false;
            out.println("Stopping: API, pipeline, broker ...");
            out.flush();
            join(traffic);
            join(watcher);
            app.close();
            broker.close();
            stopped.countDown();
        }, "demo-shutdown"));
        traffic.start();
        watcher.start();
        long started = System.nanoTime();
        while (running && !stopped.await(5, java.util.concurrent.TimeUnit.SECONDS)) {
            printStatus(out, app, Duration.ofNanos(System.nanoTime() - started));
        }
        stopped.await();
        return 0;
    }

    private Map<String, String> settings(EmbeddedKafkaBroker broker) throws IOException {
        Path state = dataDir != null ? Files.createDirectories(dataDir.resolve("state"))
                : Files.createTempDirectory("segstream-demo-state-");
        Map<String, String> values = new HashMap<>();
        values.put(SegStreamConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        values.put(SegStreamConfig.APPLICATION_ID, "segstream-demo");
        values.put("schema.registry.url", "mem://demo");
        values.put("state.dir", state.toString());
        values.put(SegStreamConfig.TIME_MODE, replay == null ? "wall" : "stream");
        // The demo's audit is as short-lived as its broker: a key of its own, not the guessable default.
        values.put(SegStreamConfig.PRIVACY_AUDIT_KEY, java.util.UUID.randomUUID().toString());
        values.put(SegStreamConfig.TOPICS_PARTITIONS, "3");
        values.put(SegStreamConfig.API_PORT, Integer.toString(port));
        // Livelier than production defaults, so the demo shows abandonments and time-driven exits within minutes.
        values.put(SegStreamConfig.CART_ABANDON_AFTER, "2m");
        values.put(SegStreamConfig.REEVALUATE_INTERVAL, "10s");
        values.put(SegStreamConfig.PUNCTUATION_INTERVAL, "2s");
        values.put(SegStreamConfig.RFM_SCORES_INTERVAL, "10s");
        values.put("commit.interval.ms", "500");
        return values;
    }

    private List<Path> definitionFiles() throws IOException {
        Path directory = segments != null ? segments
                : Path.of(System.getProperty("segstream.home", "."), "deploy", "segments");
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("no segment definitions in " + directory + "; pass --segments DIR");
        }
        return SegmentFiles.expand(List.of(directory));
    }

    /** Replays the export given with --replay, then leaves the pipeline serving. */
    private void replay(SegStreamConfig config, SchemaRegistryClient registry, PrintWriter out) {
        int colon = replay.indexOf(':');
        if (colon < 0) {
            spec.commandLine().getErr().println("--replay takes FORMAT:FILE, e.g. online-retail:online-retail.csv.gz");
            return;
        }
        try {
            ReplaySummary summary = new Replayer(config, registry)
                    .replay(ReplayFormat.parse(replay.substring(0, colon)), Path.of(replay.substring(colon + 1)), 0, false);
            out.println("Replay done: " + summary);
            out.flush();
        } catch (IOException | RuntimeException e) {
            spec.commandLine().getErr().println("Replay failed: " + e.getMessage());
        }
    }

    /** A year of order history, then live traffic at the configured rate. */
    private void produce(SegStreamConfig config, SchemaRegistryClient registry, Topics topics) {
        SyntheticTraffic traffic = new SyntheticTraffic(seed, users);
        SpecificAvroSerializer<ClickEvent> clicks = new SpecificAvroSerializer<>(ClickEvent.class, registry, false);
        SpecificAvroSerializer<Order> orders = new SpecificAvroSerializer<>(Order.class, registry, false);
        Map<String, Object> properties = config.clientProperties();
        properties.put("linger.ms", 5);
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer())) {
            java.util.function.Consumer<SpecificRecord> send = record -> {
                if (record instanceof ClickEvent click) {
                    String key = click.getUserId() != null ? click.getUserId() : click.getAnonymousId();
                    producer.send(new ProducerRecord<>(topics.clickstream(), key, clicks.serialize(topics.clickstream(), click)));
                } else {
                    Order order = (Order) record;
                    producer.send(new ProducerRecord<>(topics.orders(), order.getUserId(), orders.serialize(topics.orders(), order)));
                }
            };
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            traffic.history(now.minusSeconds(60), users / 3).forEach(send);
            long intervalNanos = 1_000_000_000L / Math.max(1, rate);
            long next = System.nanoTime();
            while (running) {
                traffic.next(Instant.now().truncatedTo(ChronoUnit.MILLIS), send);
                next += intervalNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Follows segment changes and abandonments for the console view. */
    private void watch(SegStreamConfig config, SchemaRegistryClient registry, Topics topics) {
        Map<String, Object> properties = config.clientProperties();
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "segstream-demo-console-" + UUID.randomUUID());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        SpecificAvroDeserializer<SegmentChange> changes = new SpecificAvroDeserializer<>(SegmentChange.class, registry);
        SpecificAvroDeserializer<CartAbandoned> abandoned = new SpecificAvroDeserializer<>(CartAbandoned.class, registry);
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topics.segmentChanges(), topics.cartAbandoned()));
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    String line;
                    if (record.topic().equals(topics.segmentChanges())) {
                        SegmentChange change = changes.deserialize(record.topic(), record.value());
                        line = String.format("%-8s %-12s %-28s %s", change.getKind(), change.getUserId(), change.getSegment(),
                                change.getTrigger());
                    } else {
                        CartAbandoned cart = abandoned.deserialize(record.topic(), record.value());
                        line = String.format("%-8s %-12s cart of %s EUR", "ABANDON", cart.getUserId(),
                                cart.getCartValue().setScale(2, java.math.RoundingMode.HALF_EVEN));
                    }
                    synchronized (recent) {
                        recent.addFirst(line);
                        while (recent.size() > 6) {
                            recent.removeLast();
                        }
                    }
                }
            }
        }
    }

    private void printStatus(PrintWriter out, SegStreamApp app, Duration uptime) {
        StringBuilder view = new StringBuilder();
        view.append(String.format("%n== %s  up %ds  events %,d  duplicates %,d  dead letters %,d  abandoned carts %,d%n",
                LocalTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS), uptime.toSeconds(),
                app.featureCounters().processedCount(), app.featureCounters().duplicateCount(),
                java.util.Arrays.stream(DeadLetterReason.values()).mapToLong(app.deadLetterCounters()::count).sum(),
                app.featureCounters().abandonmentCount()));
        try {
            Map<String, Long> counts = app.memberCounts();
            app.instance().catalog().snapshot().segments().keySet().stream().sorted().forEach(name ->
                    view.append(String.format("   %-30s %,8d%n", name, counts.getOrDefault(name, 0L))));
        } catch (RuntimeException e) {
            view.append("   (stores are starting)\n");
        }
        synchronized (recent) {
            if (!recent.isEmpty()) {
                view.append("   recent:\n");
                recent.forEach(line -> view.append("     ").append(line).append('\n'));
            }
        }
        out.print(view);
        out.flush();
    }

    private static void join(Thread thread) {
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
