package io.segstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.local.Ports;
import io.segstream.testing.RealInfrastructure;
import io.segstream.testing.TestConfigs;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What `segstream run` and `topics create` check on a real broker before they start. */
@ExtendWith(RealInfrastructure.class)
class ClusterChecksIT {

    @Test
    void aTimestampLimitTheBrokersWouldRefuseStopsTheStartNamingBothKeys(EmbeddedKafkaBroker kafka) {
        Map<String, String> values = TestConfigs.isolated(kafka.bootstrapServers(), TestConfigs.suffix());
        values.put(SegStreamConfig.TIMESTAMP_MAX_FUTURE, "1d");
        SegStreamConfig config = SegStreamConfig.of(values);
        TopicCreator.createMissing(config);

        try (ClusterChecks checks = new ClusterChecks(config)) {
            assertThat(checks.timestampProblems()).containsExactly("timestamp.max.future=1d accepts events further ahead "
                    + "than the brokers' log.message.timestamp.after.max.ms=3600000 ms: their state changelog records "
                    + "would be refused and the task would fail. Set timestamp.max.future to at most 3600000ms or raise "
                    + "the brokers' log.message.timestamp.after.max.ms");
            assertThatThrownBy(checks::requireReadyToRun).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("timestamp.max.future=1d accepts events further ahead");
        }
        values.put(SegStreamConfig.TIMESTAMP_MAX_FUTURE, "1h");
        try (ClusterChecks checks = new ClusterChecks(SegStreamConfig.of(values))) {
            assertThat(checks.timestampProblems()).isEmpty();
            checks.requireReadyToRun();
        }
    }

    @Test
    void missingInputTopicsAreNamedWithTheCommandThatCreatesThem(EmbeddedKafkaBroker kafka) {
        String suffix = TestConfigs.suffix();
        try (ClusterChecks checks = new ClusterChecks(SegStreamConfig.of(TestConfigs.isolated(kafka.bootstrapServers(), suffix)))) {
            assertThat(checks.missingInputs()).containsExactly(
                    "topic 'clickstream-" + suffix + "' (topics.clickstream) does not exist; create the topics with "
                            + "`segstream topics create --config FILE` or set topics.clickstream to the right name",
                    "topic 'orders-" + suffix + "' (topics.orders) does not exist; create the topics with "
                            + "`segstream topics create --config FILE` or set topics.orders to the right name",
                    "topic 'privacy.requests-" + suffix + "' (topics.privacy.requests) does not exist; create the topics "
                            + "with `segstream topics create --config FILE` or set topics.privacy.requests to the right name",
                    "topic 'segments.definitions-" + suffix + "' (topics.segment.definitions) does not exist; create the "
                            + "topics with `segstream topics create --config FILE` or set topics.segment.definitions to "
                            + "the right name",
                    "topic 'segstream.models-" + suffix + "' (topics.models) does not exist; create the topics with "
                            + "`segstream topics create --config FILE` or set topics.models to the right name");
        }
    }

    @Test
    void anUnreachableBrokerIsOneMessageNamingBootstrapServers() {
        String nowhere = "127.0.0.1:" + Ports.freeLoopbackPort();
        try (ClusterChecks checks = new ClusterChecks(SegStreamConfig.of(Map.of(SegStreamConfig.BOOTSTRAP_SERVERS, nowhere)))) {
            assertThat(checks.brokersReachable()).isFalse();
            assertThatThrownBy(() -> checks.awaitBrokers(Duration.ofSeconds(6))).isInstanceOf(KafkaException.class)
                    .hasMessage("Cannot reach Kafka at " + nowhere + " (bootstrap.servers) for 6 s: check that the brokers "
                            + "are up and that bootstrap.servers names them (host:port)");
        }
    }
}
