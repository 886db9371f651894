package io.segstream.facts;

import java.time.Instant;
import java.util.function.Function;

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
    record Steps(Next next) implements Clock {
        @Override
        public long nextChange(Facts.Input in, long now) {
            return next.after(in, now);
        }
    }

    /** A {@link Steps} clock's own rule (unboxed: it runs for every evaluated user). */
    @FunctionalInterface
    interface Next {
        long after(Facts.Input in, long now);
    }

    /**
     * Whole {@code unitMs} elapsed since an instant (never below 0): days since the last purchase,
     * minutes since the last activity. It steps up by one at known instants, so a comparison with a
     * constant flips at an instant computed from the constant alone ({@link #firstReached}).
     */
    record Counter(Function<Facts.Input, Instant> since, long unitMs) implements Clock {

        @Override
        public long nextChange(Facts.Input in, long now) {
            Instant start = since.apply(in);
            if (start == null) {
                return Long.MAX_VALUE;
            }
            long elapsed = Math.max(0, Math.floorDiv(now - start.toEpochMilli(), unitMs));
            return reaches(start.toEpochMilli(), elapsed + 1);
        }

        /**
         * The first instant after {@code now} at which the count reaches one of {@code counts} (ascending),
         * {@link Long#MAX_VALUE} when none is reached later or nothing is counted.
         */
        public long firstReached(Facts.Input in, long[] counts, long now) {
            Instant since = this.since.apply(in);
            if (since == null) {
                return Long.MAX_VALUE;
            }
            long start = since.toEpochMilli();
            long elapsed = now - start;
            if (elapsed < 0) {
                // Counting starts after now: every count is reached after it, the smallest first.
                return counts.length == 0 ? Long.MAX_VALUE : reaches(start, counts[0]);
            }
            // A larger count is reached later: the first reached after now is the first above the count at now.
            long above = elapsed / unitMs;
            int low = 0;
            int high = counts.length;
            while (low < high) {
                int middle = (low + high) >>> 1;
                if (counts[middle] > above) {
                    high = middle;
                } else {
                    low = middle + 1;
                }
            }
            return low < counts.length ? reaches(start, counts[low]) : Long.MAX_VALUE;
        }

        /** The instant at which the count since {@code start} becomes {@code count}. */
        private long reaches(long start, long count) {
            long steps = Math.max(0, count);
            long offset = steps * unitMs;
            long instant = start + offset;
            // Past the end of time (the product or the sum overflows): never.
            if (Math.multiplyHigh(steps, unitMs) != 0 || offset < 0 || ((start ^ instant) & (offset ^ instant)) < 0) {
                return Long.MAX_VALUE;
            }
            return instant;
        }
    }

    /** The next start of a period of {@code periodMs} (UTC hours, days) after {@code now}. */
    static long nextPeriod(long now, long periodMs) {
        return (Math.floorDiv(now, periodMs) + 1) * periodMs;
    }
}
