package io.segstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class InstanceHealthTest {

    @Test
    void aFailingStreamThreadIsReplacedAfterABackoffThatDoublesUpToAMinuteAndNeverGivesUp() {
        assertThat(IntStream.rangeClosed(1, 9).mapToObj(InstanceHealth::backoff).map(Duration::toSeconds))
                .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
        assertThat(InstanceHealth.backoff(10_000)).isEqualTo(Duration.ofSeconds(60));
    }
}
