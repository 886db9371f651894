package io.segstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segstream.config.SegStreamConfig;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class EvaluationTimingTest {

    private static SegStreamConfig config(Map<String, String> environment) {
        return SegStreamConfig.load(null, environment);
    }

    private static SegStreamConfig evaluate(String value) {
        return config(Map.of("SEGSTREAM_BOOTSTRAP_SERVERS", "localhost:9092", "SEGSTREAM_SEGMENTS_EVALUATE", value));
    }

    @Test
    void byDefaultSegmentsAreDecidedAtTheCommitUnderExactlyOnceAndEveryTenMillisecondsOtherwise() {
        SegStreamConfig defaults = config(Map.of("SEGSTREAM_BOOTSTRAP_SERVERS", "localhost:9092"));

        assertThat(EvaluationTiming.of(defaults, StreamsConfig.EXACTLY_ONCE_V2)).isEqualTo(EvaluationTiming.COMMIT);
        assertThat(EvaluationTiming.of(defaults, StreamsConfig.AT_LEAST_ONCE))
                .isEqualTo(EvaluationTiming.every(Duration.ofMillis(10)));
    }

    @Test
    void aChosenTimingHoldsUnderEitherGuarantee() {
        for (String guarantee : new String[] {StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE}) {
            assertThat(EvaluationTiming.of(evaluate("event"), guarantee)).isEqualTo(EvaluationTiming.EVENT);
            assertThat(EvaluationTiming.of(evaluate("commit"), guarantee)).isEqualTo(EvaluationTiming.COMMIT);
            assertThat(EvaluationTiming.of(config(Map.of("SEGSTREAM_BOOTSTRAP_SERVERS", "localhost:9092",
                    "SEGSTREAM_SEGMENTS_EVALUATE", "interval", "SEGSTREAM_SEGMENTS_EVALUATE_INTERVAL", "250ms")), guarantee))
                    .isEqualTo(EvaluationTiming.every(Duration.ofMillis(250)));
        }
    }

    @Test
    void anIntervalThatIsNotALongerThanZeroDurationSaysWhatToWrite() {
        assertThatThrownBy(() -> config(Map.of("SEGSTREAM_BOOTSTRAP_SERVERS", "localhost:9092",
                "SEGSTREAM_SEGMENTS_EVALUATE_INTERVAL", "0ms")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Invalid value 0ms for configuration segments.evaluate.interval: must be longer than zero");
        assertThatThrownBy(() -> config(Map.of("SEGSTREAM_BOOTSTRAP_SERVERS", "localhost:9092",
                "SEGSTREAM_SEGMENTS_EVALUATE_INTERVAL", "soon")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Invalid value soon for configuration segments.evaluate.interval: not a duration; use e.g. "
                        + "500ms, 30s, 30m, 1h, 7d or PT30M");
    }

    @Test
    void anUnknownTimingNamesTheKeyAndTheChoices() {
        assertThatThrownBy(() -> evaluate("batch"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Invalid value batch for configuration segments.evaluate: String must be one of: "
                        + "auto, event, commit, interval");
    }
}
