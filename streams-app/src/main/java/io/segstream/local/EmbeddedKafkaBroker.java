package io.segstream.local;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker and controller) running in this
 * JVM and bound to 127.0.0.1 on free ports. Serves the embedded demo and the integration tests.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String LOOPBACK = Ports.LOOPBACK;
    private static final int NODE_ID = 1;

    private final Path dataDir;
    private final boolean ownsDataDir;
    private final int brokerPort;
    private final KafkaRaftServer server;

    private EmbeddedKafkaBroker(Path dataDir, boolean ownsDataDir, int brokerPort, KafkaRaftServer server) {
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.brokerPort = brokerPort;
        this.server = server;
    }

    /** Starts a broker with its data in a new temporary folder that {@link #close()} deletes. */
    public static EmbeddedKafkaBroker start() {
        return start(null, Map.of());
    }

    /**
     * Starts a broker. With a {@code dataDir} its log survives restarts (formatted on first use);
     * without one a temporary folder is used and deleted on close. {@code overrides} are broker
     * settings applied over the single-node defaults.
     */
    public static EmbeddedKafkaBroker start(Path dataDir, Map<String, String> overrides) {
        return start(dataDir, overrides, Ports.freeLoopbackPort(), Ports.freeLoopbackPort());
    }

    /**
     * As {@link #start(Path, Map)} on given ports: a broker restarted on its data folder and ports
     * is the same broker to its clients (chaos tests stop and start it under a running pipeline).
     */
    public static EmbeddedKafkaBroker start(Path dataDir, Map<String, String> overrides, int brokerPort, int controllerPort) {
        boolean owns = dataDir == null;
        Path dir;
        try {
            dir = owns ? Files.createTempDirectory("segstream-kafka-") : Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the broker's data folder " + dataDir, e);
        }
        Map<String, String> settings = settings(dir, brokerPort, controllerPort);
        settings.putAll(overrides);
        KafkaConfig config = new KafkaConfig(toProperties(settings), false);
        format(config, dir);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir, owns, brokerPort, server);
        try {
            server.startup();
            broker.awaitReady(Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        log.info("Kafka broker {} listening on {} (data in {})", NODE_ID, broker.bootstrapServers(), dir);
        return broker;
    }

    /** The {@code bootstrap.servers} value that reaches this broker. */
    public String bootstrapServers() {
        return LOOPBACK + ":" + brokerPort;
    }

    /** Admin client settings for this broker, a starting point for producer/consumer/streams configs too. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return config;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (ownsDataDir) {
                deleteRecursively(dataDir);
            }
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(clientConfig())) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka broker on " + bootstrapServers()
                                + " did not become ready within " + timeout, e);
                    }
                }
                sleepQuietly(100);
            }
        }
    }

    private static Map<String, String> settings(Path dir, int brokerPort, int controllerPort) {
        Map<String, String> settings = new HashMap<>();
        settings.put("process.roles", "broker,controller");
        settings.put("node.id", Integer.toString(NODE_ID));
        settings.put("listeners", "PLAINTEXT://" + LOOPBACK + ":" + brokerPort + ",CONTROLLER://" + LOOPBACK + ":" + controllerPort);
        settings.put("advertised.listeners", "PLAINTEXT://" + LOOPBACK + ":" + brokerPort);
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        settings.put("inter.broker.listener.name", "PLAINTEXT");
        settings.put("controller.quorum.voters", NODE_ID + "@" + LOOPBACK + ":" + controllerPort);
        settings.put("log.dirs", dir.resolve("log").toString());
        settings.put("num.partitions", "1");
        settings.put("auto.create.topics.enable", "false");
        settings.put("offsets.topic.replication.factor", "1");
        settings.put("offsets.topic.num.partitions", "5");
        settings.put("transaction.state.log.replication.factor", "1");
        settings.put("transaction.state.log.min.isr", "1");
        settings.put("transaction.state.log.num.partitions", "5");
        settings.put("share.coordinator.state.topic.replication.factor", "1");
        settings.put("share.coordinator.state.topic.min.isr", "1");
        settings.put("group.initial.rebalance.delay.ms", "0");
        settings.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        return settings;
    }

    private static void format(KafkaConfig config, Path dir) {
        if (Files.exists(dir.resolve("log").resolve("meta.properties"))) {
            // Formatted by an earlier run: keep its cluster id, so the restarted broker is the same cluster.
            return;
        }
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setIgnoreFormatted(true)
                    .setDirectories(List.of(dir.resolve("log").toString()))
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format the broker's storage in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Properties toProperties(Map<String, String> settings) {
        Properties properties = new Properties();
        properties.putAll(settings);
        return properties;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", dir, e.getMessage());
        }
    }
}
