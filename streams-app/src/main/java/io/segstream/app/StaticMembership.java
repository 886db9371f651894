package io.segstream.app;

import io.segstream.config.SegStreamConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Gives the instance a stable {@code group.instance.id} (KIP-345 static membership), so an instance
 * restarted after a crash is recognised by the group coordinator and gets its own partitions back
 * at once, instead of sitting in REBALANCING until the dead member's session times out. The id is
 * derived from what identifies an instance's local state: application id, host name and state
 * directory; Kafka Streams adds the stream thread's index.
 */
final class StaticMembership {

    private StaticMembership() {}

    static void apply(SegStreamConfig config, Properties properties) {
        if (!config.getBoolean(SegStreamConfig.STATIC_MEMBERSHIP) || properties.containsKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)) {
            return;
        }
        properties.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId(config.getString(SegStreamConfig.APPLICATION_ID),
                hostName(), stateDirectory(properties)));
    }

    static String instanceId(String applicationId, String host, Path stateDirectory) {
        return applicationId + "-" + host.toLowerCase(Locale.ROOT) + "-" + shortHash(stateDirectory.toAbsolutePath().normalize().toString());
    }

    private static Path stateDirectory(Properties properties) {
        Object configured = properties.get(StreamsConfig.STATE_DIR_CONFIG);
        return Path.of(configured != null ? configured.toString()
                : System.getProperty("java.io.tmpdir") + "/kafka-streams");
    }

    private static String hostName() {
        String fromEnvironment = System.getenv("HOSTNAME");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
