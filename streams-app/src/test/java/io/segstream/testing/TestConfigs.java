package io.segstream.testing;

import io.segstream.config.SegStreamConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/** Configs for integration tests that share one broker: every topic name and the app id get a unique suffix. */
public final class TestConfigs {

    private TestConfigs() {}

    /** Settings for {@code bootstrapServers} where every topic is its default name plus "-" + {@code suffix}. */
    public static Map<String, String> isolated(String bootstrapServers, String suffix) {
        Map<String, String> values = new HashMap<>();
        values.put(SegStreamConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        values.put(SegStreamConfig.APPLICATION_ID, "segstream-it-" + suffix);
        SegStreamConfig.DEFINITION.names().stream()
                .filter(key -> key.startsWith("topics.") && SegStreamConfig.DEFINITION.configKeys().get(key).type
                        == org.apache.kafka.common.config.ConfigDef.Type.STRING)
                .forEach(key -> values.put(key, SegStreamConfig.DEFINITION.configKeys().get(key).defaultValue + "-" + suffix));
        return values;
    }

    /**
     * A whole pipeline's settings against the real broker and registry: isolated names, stream time
     * (deterministic), one partition per topic, state under target/.
     */
    public static Map<String, String> pipeline(String bootstrapServers, String registryUrl, String suffix) {
        Map<String, String> values = isolated(bootstrapServers, suffix);
        values.put("schema.registry.url", registryUrl);
        values.put(SegStreamConfig.TIME_MODE, "stream");
        values.put(SegStreamConfig.PRIVACY_AUDIT_KEY, "test-audit-key");
        values.put(SegStreamConfig.TOPICS_PARTITIONS, "1");
        values.put("state.dir", "target/it-state/" + suffix);
        values.put(SegStreamConfig.API_PORT, "0");
        return values;
    }

    /**
     * Instance {@code number} of an application whose instances share {@code shared}: a state folder of
     * its own, its API on {@code port}, and {@code advertisedPort} as what it tells the others.
     */
    public static SegStreamConfig instance(Map<String, String> shared, String suffix, int number, int port,
            int advertisedPort) {
        Map<String, String> values = new HashMap<>(shared);
        values.put("state.dir", "target/it-state/" + suffix + "-" + number);
        values.put(SegStreamConfig.API_PORT, Integer.toString(port));
        values.put(SegStreamConfig.APPLICATION_SERVER, "127.0.0.1:" + advertisedPort);
        return SegStreamConfig.of(values);
    }

    /** As {@link #instance(Map, String, int, int, int)}, advertising the port it listens on. */
    public static SegStreamConfig instance(Map<String, String> shared, String suffix, int number, int port) {
        return instance(shared, suffix, number, port, port);
    }

    /** Writes {@code values} as the properties file a user passes with --config; returns the file. */
    public static Path write(Map<String, String> values, Path file) throws IOException {
        Properties properties = new Properties();
        properties.putAll(values);
        try (var out = Files.newOutputStream(file)) {
            properties.store(out, null);
        }
        return file;
    }

    public static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
