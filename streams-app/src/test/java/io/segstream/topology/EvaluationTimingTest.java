package io.segstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segstream.config.SegStreamConfig;
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
    void byDefaultSegmentsAreDecidedAtTheCommitUnderExactlyOnceAndAfterEachEventOtherwise() {
        SegStreamConfig defaults = config(Map.of("SEGSTREAM_BOOTSTRAP_SERVERS", "localhost:9092"));

        assertThat(EvaluationTiming.of(defaults, StreamsConfig.EXACTLY_ONCE_V2)).isEqualTo(EvaluationTiming.COMMIT);
        assertThat(EvaluationTiming.of(defaults, StreamsConfig.AT_LEAST_ONCE)).isEqualTo(EvaluationTiming.EVENT);
    }

    @Test
    void aChosenTimingHoldsUnderEitherGuarantee() {
        for (String guarantee : new String[] {StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE}) {
            assertThat(EvaluationTiming.of(evaluate("event"), guarantee)).isEqualTo(EvaluationTiming.EVENT);
            assertThat(EvaluationTiming.of(evaluate("commit"), guarantee)).isEqualTo(EvaluationTiming.COMMIT);
        }
    }

    @Test
    void anUnknownTimingNamesTheKeyAndTheChoices() {
        assertThatThrownBy(() -> evaluate("batch"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Invalid value batch for configuration segments.evaluate: String must be one of: "
                        + "auto, event, commit");
    }
}
