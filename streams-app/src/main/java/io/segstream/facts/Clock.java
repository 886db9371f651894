package io.segstream.facts;

import java.time.Instant;
import java.util.function.Function;
import java.util.function.ToLongBiFunction;

/**
 * How a fact's value moves with time alone, between a user's events: what lets a user be
 * re-evaluated when a condition can flip by time instead of in a pass over everyone.
 */
public sealed interface Clock {

    /** Time alone never changes the value. */
    Clock NONE = new Steps((in, now) -> Long.MAX_VALUE);

    /**
     * The first instant after {@code now} at which the value can differ from its value at {@code now};
     * {@link Long#MAX_VALUE} when time alone does not change it.
     */
    long nextChange(Facts.Input in, long now);

    /** A fact whose value changes at instants only its own clock knows (windows ageing out, a session ending). */
    record Steps(ToLongBiFunction<Facts.Input, Long> next) implements Clock {
        @Override
        public long nextChange(Facts.Input in, long now) {
            return next.applyAsLong(in, now);
        }
    }

    /**
     * Whole {@code unitMs} elapsed since an instant (never below 0): days since the last purchase,
     * minutes since the last activity. It steps up by one at known instants, so a comparison with a
     * constant flips at an instant computed from the constant alone ({@link #reaches}).
     */
    record Counter(Function<Facts.Input, Instant> since, long unitMs) implements Clock {

        /** The instant at which the count becomes {@code count}, {@link Long#MAX_VALUE} when nothing is counted. */
        public long reaches(Facts.Input in, long count) {
            Instant start = since.apply(in);
            if (start == null) {
                return Long.MAX_VALUE;
            }
            long steps = Math.max(0, count);
            if (steps > (Long.MAX_VALUE - Math.max(0, start.toEpochMilli())) / unitMs) {
                return Long.MAX_VALUE;
            }
            return start.toEpochMilli() + steps * unitMs;
        }

        @Override
        public long nextChange(Facts.Input in, long now) {
            Instant start = since.apply(in);
            if (start == null) {
                return Long.MAX_VALUE;
            }
            long elapsed = Math.max(0, Math.floorDiv(now - start.toEpochMilli(), unitMs));
            return reaches(in, elapsed + 1);
        }
    }

    /** The next start of a period of {@code periodMs} (UTC hours, days) after {@code now}. */
    static long nextPeriod(long now, long periodMs) {
        return (Math.floorDiv(now, periodMs) + 1) * periodMs;
    }
}
