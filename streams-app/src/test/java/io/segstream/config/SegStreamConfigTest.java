package io.segstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegStreamConfigTest {

    @TempDir
    Path dir;

    @Test
    void environmentOverridesTheFileAndUnknownKeysPassThroughToKafka() throws Exception {
        Path file = dir.resolve("segstream.properties");
        Files.writeString(file, """
                bootstrap.servers=broker-a:9092
                topics.clickstream=web.clicks
                topic.min.insync.replicas=2
                schema.registry.url=http://registry:8081
                num.stream.threads=4
                """);

        SegStreamConfig config = SegStreamConfig.load(file, Map.of(
                "SEGSTREAM_BOOTSTRAP_SERVERS", "broker-b:9092",
                "SEGSTREAM_TOPICS_ORDERS", "shop.orders",
                "PATH", "/usr/bin"));

        assertThat(config.getList(SegStreamConfig.BOOTSTRAP_SERVERS)).containsExactly("broker-b:9092");
        Topics topics = Topics.from(config);
        assertThat(topics.clickstream()).isEqualTo("web.clicks");
        assertThat(topics.orders()).isEqualTo("shop.orders");
        assertThat(topics.segmentChanges()).isEqualTo("segments.changes");
        assertThat(config.passthrough("num.stream.threads")).isEqualTo("4");
        assertThat(config.all()).containsEntry("schema.registry.url", "http://registry:8081")
                .doesNotContainKey("path");
        assertThat(config.kafkaProperties()).containsOnly(
                Map.entry("bootstrap.servers", "broker-b:9092"),
                Map.entry("application.id", "segstream"),
                Map.entry("num.stream.threads", "4"),
                Map.entry("topic.min.insync.replicas", "2"));
    }

    @Test
    void aMissingFileSaysWhatToPass() {
        assertThatThrownBy(() -> SegStreamConfig.load(dir.resolve("nope.properties"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Config file " + dir.resolve("nope.properties") + " does not exist; pass the path of a "
                        + "properties file (deploy/segstream.properties is an example)");
    }

    @Test
    void aMissingRequiredKeySaysWhereToSetIt() {
        assertThatThrownBy(() -> SegStreamConfig.load(null, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Missing required configuration \"bootstrap.servers\" which has no default value. "
                        + "Set it in a --config file or as an environment variable, e.g. bootstrap.servers as "
                        + "SEGSTREAM_BOOTSTRAP_SERVERS.");
    }

    @Test
    void aBadValueNamesTheKey() {
        assertThatThrownBy(() -> SegStreamConfig.load(null, Map.of(
                "SEGSTREAM_BOOTSTRAP_SERVERS", "localhost:9092", "SEGSTREAM_TOPICS_PARTITIONS", "many")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Invalid value many for configuration topics.partitions");
    }

    @Test
    void aBrokerWithoutAPortSaysWhatToWrite() {
        assertThatThrownBy(() -> SegStreamConfig.load(null, Map.of("SEGSTREAM_BOOTSTRAP_SERVERS", "127.0.0.1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Invalid value [127.0.0.1] for configuration bootstrap.servers: entry '127.0.0.1' "
                        + "is not host:port (a port 1-65535 is required), e.g. 127.0.0.1:9092.");
        assertThatThrownBy(() -> SegStreamConfig.load(null, Map.of("SEGSTREAM_BOOTSTRAP_SERVERS", "a:9092,b:99999")))
                .hasMessageContaining("entry 'b:99999' is not host:port");
    }
}
