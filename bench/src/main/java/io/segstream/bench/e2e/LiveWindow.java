package io.segstream.bench.e2e;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * When the measured part of live traffic starts and ends: after at least the minimum warm-up, at the
 * first whole second in which the JIT compilers used at most a tenth of a core over the last
 * {@link #QUIET_SPAN_MS} (or at the maximum warm-up), then for the measured span. Live traffic runs
 * code the drains did not (the load generator, the consumer of the changes, the pipeline's punctuations
 * between small polls), and on two cores the compilers working on it take CPU from the pipeline; the
 * warm-up waits for them as the drains' warm-up rounds do.
 *
 * <p>{@link #running} is asked by the load generator's thread before each event; the consumer of the
 * changes reads {@link #measureFrom} from its own.
 */
final class LiveWindow {

    /** The span over which the compilers' CPU is compared with {@link ThreadTimes#QUIET_COMPILERS_SHARE}. */
    static final long QUIET_SPAN_MS = 5_000;

    private final long start;
    private final long minWarmUpMs;
    private final long maxWarmUpMs;
    private final long measuredMs;
    private final LongSupplier compilersCpuNanos;
    private final Runnable atMeasureStart;
    /** (wall-clock ms, compilers' CPU ns) once a second, the last {@link #QUIET_SPAN_MS} of them. */
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();
    private long nextSample;
    private volatile long measureFrom = Long.MAX_VALUE;
    private double compilersShare = Double.NaN;

    /**
     * A window starting now; {@code atMeasureStart} runs on the generator's thread when the measured span
     * starts (to take the counters the measured span is reported from).
     */
    LiveWindow(long now, int minWarmUpSeconds, int maxWarmUpSeconds, int measuredSeconds, LongSupplier compilersCpuNanos,
            Runnable atMeasureStart) {
        if (maxWarmUpSeconds < minWarmUpSeconds) {
            throw new IllegalArgumentException("--max-latency-warm-up (" + maxWarmUpSeconds + " s) must be at least "
                    + "--latency-warm-up (" + minWarmUpSeconds + " s)");
        }
        this.start = now;
        this.minWarmUpMs = minWarmUpSeconds * 1000L;
        this.maxWarmUpMs = maxWarmUpSeconds * 1000L;
        this.measuredMs = measuredSeconds * 1000L;
        this.compilersCpuNanos = compilersCpuNanos;
        this.atMeasureStart = atMeasureStart;
        this.nextSample = now;
    }

    /** Whether traffic goes on at {@code now}: during the warm-up and until the measured span has ended. */
    boolean running(long now) {
        if (measureFrom == Long.MAX_VALUE && now >= nextSample) {
            sample(now);
        }
        return now < stopAt();
    }

    private void sample(long now) {
        nextSample = now + 1000;
        long compilers = compilersCpuNanos.getAsLong();
        samples.addLast(new long[] {now, compilers});
        while (samples.size() > 1 && now - samples.peekFirst()[0] > QUIET_SPAN_MS) {
            samples.pollFirst();
        }
        long[] oldest = samples.peekFirst();
        long span = now - oldest[0];
        double share = span == 0 ? 0 : (compilers - oldest[1]) / 1e6 / span;
        boolean quiet = span >= QUIET_SPAN_MS - 1000 && share <= ThreadTimes.QUIET_COMPILERS_SHARE;
        if (now - start >= maxWarmUpMs || now - start >= minWarmUpMs && quiet) {
            compilersShare = share;
            atMeasureStart.run();
            measureFrom = now;
        }
    }

    /** When the measured span started (wall-clock ms), or {@link Long#MAX_VALUE} while warming up. */
    long measureFrom() {
        return measureFrom;
    }

    /** When traffic started (wall-clock ms). */
    long start() {
        return start;
    }

    /** When the measured span ends (wall-clock ms); later than any time while warming up. */
    long stopAt() {
        long from = measureFrom;
        return from == Long.MAX_VALUE ? Long.MAX_VALUE : from + measuredMs;
    }

    /** Seconds of warm-up before the measured span. */
    double warmUpSeconds() {
        return (measureFrom - start) / 1000.0;
    }

    /** The compilers' share of a core over the last span of the warm-up. */
    double compilersShare() {
        return compilersShare;
    }
}
