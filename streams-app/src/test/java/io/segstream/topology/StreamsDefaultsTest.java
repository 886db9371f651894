package io.segstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.config.SegStreamConfig;
import io.segstream.dlq.DeadLetterCounters;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class StreamsDefaultsTest {

    private static Properties streams(Map<String, String> extra) {
        Map<String, String> values = new HashMap<>(Map.of("bootstrap.servers", "127.0.0.1:9092",
                "schema.registry.url", "mem://defaults"));
        values.putAll(extra);
        return SegStreamTopology.streamsProperties(SegStreamConfig.of(values), new DeadLetterCounters());
    }

    @Test
    void segstreamRunsExactlyOnceWithAShortLingerAndLargeBatchesUnlessConfigured() {
        Properties defaults = streams(Map.of());

        assertThat(defaults.get("processing.guarantee")).isEqualTo("exactly_once_v2");
        assertThat(defaults).doesNotContainKey("commit.interval.ms");
        assertThat(defaults.get("producer.linger.ms")).isEqualTo(5);
        assertThat(defaults.get("producer.batch.size")).isEqualTo(262_144);
        assertThat(defaults.get("producer.buffer.memory")).isEqualTo(67_108_864L);
    }

    @Test
    void atLeastOnceKeepsSmallerBatchesInKafkasBuffer() {
        Properties defaults = streams(Map.of("processing.guarantee", "at_least_once"));

        assertThat(defaults.get("producer.linger.ms")).isEqualTo(5);
        assertThat(defaults.get("producer.batch.size")).isEqualTo(65_536);
        assertThat(defaults).doesNotContainKey("producer.buffer.memory");
    }

    @Test
    void aConfiguredBufferWinsUnderExactlyOnce() {
        Properties configured = streams(Map.of("buffer.memory", "16777216"));

        assertThat(configured.get("buffer.memory")).isEqualTo("16777216");
        assertThat(configured).doesNotContainKey("producer.buffer.memory");
    }

    @Test
    void configuredKafkaStreamsSettingsWin() {
        Properties configured = streams(Map.of("processing.guarantee", "at_least_once",
                "statestore.cache.max.bytes", "1048576", "linger.ms", "20", "producer.batch.size", "262144"));

        assertThat(configured.get("processing.guarantee")).isEqualTo("at_least_once");
        assertThat(configured.get("statestore.cache.max.bytes")).isEqualTo("1048576");
        assertThat(configured.get("linger.ms")).isEqualTo("20");
        assertThat(configured).doesNotContainKey("producer.linger.ms");
        assertThat(configured.get("producer.batch.size")).isEqualTo("262144");
    }
}
