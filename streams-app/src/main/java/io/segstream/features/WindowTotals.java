package io.segstream.features;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.BinaryOperator;

/**
 * Per-key totals over the buckets of a window (days, hours) ending at one bucket, kept in step as
 * amounts are added, so that reading them after each event does not merge every bucket of the
 * window again (168 hourly buckets for a week of interest). Derived from the buckets, never
 * encoded: a decoded or copied state starts without them and computes them on first read.
 */
final class WindowTotals<N> {

    private final BinaryOperator<N> sum;
    private TreeMap<String, N> totals;
    /** An immutable copy of {@link #totals} handed to readers, shared until the totals change. */
    private Map<String, N> shared;
    private long end;
    private long length;

    WindowTotals(BinaryOperator<N> sum) {
        this.sum = sum;
    }

    /** The totals of {@code buckets} from {@code end - length + 1} to {@code end}, inclusive; immutable. */
    Map<String, N> of(TreeMap<Long, TreeMap<String, N>> buckets, long end, long length) {
        if (totals == null || this.end != end || this.length != length) {
            totals = new TreeMap<>();
            for (Map<String, N> bucket : buckets.subMap(end - length + 1, true, end, true).values()) {
                bucket.forEach((key, amount) -> totals.merge(key, amount, sum));
            }
            this.end = end;
            this.length = length;
            shared = null;
        }
        if (shared == null) {
            shared = Map.copyOf(totals);
        }
        return shared;
    }

    /** Records that {@code amount} was added to {@code key} in {@code bucket}. */
    void added(long bucket, String key, N amount) {
        if (totals != null && bucket <= end && bucket > end - length) {
            totals.merge(key, amount, sum);
            shared = null;
        }
    }

    /** Records that the buckets before {@code first} were dropped. */
    void droppedBefore(long first) {
        if (totals != null && first > end - length + 1) {
            totals = null;
        }
    }
}
