package io.segstream.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LiveWindowTest {

    private static final long START = 1_000_000;

    private final AtomicLong compilersNanos = new AtomicLong();
    private final AtomicInteger measureStarts = new AtomicInteger();

    private LiveWindow window(int minWarmUp, int maxWarmUp, int measured) {
        return new LiveWindow(START, minWarmUp, maxWarmUp, measured, compilersNanos::get, measureStarts::incrementAndGet);
    }

    /** Asks the window at every millisecond from {@code from} to {@code to}, the compilers using {@code share} of a core. */
    private boolean runUntil(LiveWindow window, long from, long to, double share) {
        boolean running = true;
        for (long now = from; now < to; now++) {
            compilersNanos.addAndGet((long) (share * 1_000_000));
            running = window.running(now);
        }
        return running;
    }

    @Test
    void measuresAfterTheMinimumWarmUpWhenTheCompilersAreQuiet() {
        LiveWindow window = window(20, 90, 40);

        assertThat(runUntil(window, START, START + 20_001, 0.02)).isTrue();

        assertThat(window.measureFrom()).isEqualTo(START + 20_000);
        assertThat(window.stopAt()).isEqualTo(START + 60_000);
        assertThat(window.warmUpSeconds()).isEqualTo(20.0);
        assertThat(window.compilersShare()).isBetween(0.019, 0.021);
        assertThat(measureStarts).hasValue(1);
        assertThat(runUntil(window, START + 20_001, START + 60_000, 0.5)).isTrue();
        assertThat(window.running(START + 60_000)).isFalse();
        assertThat(measureStarts).hasValue(1);
    }

    @Test
    void warmsUpLongerWhileTheCompilersUseMoreThanATenthOfACore() {
        LiveWindow window = window(20, 90, 40);

        assertThat(runUntil(window, START, START + 30_000, 0.5)).isTrue();
        assertThat(window.measureFrom()).isEqualTo(Long.MAX_VALUE);
        assertThat(window.stopAt()).isEqualTo(Long.MAX_VALUE);

        // Quiet from second 30: the last 5 s are quiet at second 35.
        runUntil(window, START + 30_000, START + 36_000, 0.05);
        assertThat(window.measureFrom()).isEqualTo(START + 35_000);
        assertThat(window.compilersShare()).isBetween(0.049, 0.051);
        assertThat(measureStarts).hasValue(1);
    }

    @Test
    void measuresAtTheMaximumWarmUpWhateverTheCompilersDo() {
        LiveWindow window = window(20, 45, 40);

        runUntil(window, START, START + 46_000, 0.8);

        assertThat(window.measureFrom()).isEqualTo(START + 45_000);
        assertThat(window.compilersShare()).isBetween(0.79, 0.81);
    }

    @Test
    void refusesAMaximumBelowTheMinimum() {
        assertThatThrownBy(() -> window(30, 20, 40))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--max-latency-warm-up (20 s) must be at least --latency-warm-up (30 s)");
    }
}
