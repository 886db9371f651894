package io.segstream.features;

import java.util.Arrays;

/**
 * Counts by day (epoch days), oldest first, in one array of (day, count) pairs: a user's session
 * starts per day (part of {@link DwellState}). A session start adds to the newest day nearly always,
 * and each click checks the oldest against the window: both are a look at one array, where a sorted
 * map would walk its nodes and unbox its keys (each an object of its own, cold in memory by the
 * user's next event).
 */
final class DayCounts {

    private static final long[] NONE = {};

    /** Day, count, day, count, ... for the first {@link #size} days, in day order. */
    private long[] pairs = NONE;
    private int size;

    int size() {
        return size;
    }

    long day(int i) {
        return pairs[2 * i];
    }

    long count(int i) {
        return pairs[2 * i + 1];
    }

    /** Adds {@code count} to {@code day}, inserting the day where it belongs when it is not there yet. */
    void add(long day, long count) {
        int i = size - 1;
        while (i >= 0 && pairs[2 * i] > day) {
            i--;
        }
        if (i >= 0 && pairs[2 * i] == day) {
            pairs[2 * i + 1] += count;
            return;
        }
        int at = i + 1;
        if (2 * (size + 1) > pairs.length) {
            pairs = Arrays.copyOf(pairs, Math.max(4, 2 * pairs.length));
        }
        System.arraycopy(pairs, 2 * at, pairs, 2 * at + 2, 2 * (size - at));
        pairs[2 * at] = day;
        pairs[2 * at + 1] = count;
        size++;
    }

    /** Removes the days before {@code first}; returns whether any was removed. */
    boolean dropBefore(long first) {
        if (size == 0 || pairs[0] >= first) {
            return false;
        }
        int kept = 0;
        while (kept < size && pairs[2 * kept] < first) {
            kept++;
        }
        System.arraycopy(pairs, 2 * kept, pairs, 0, 2 * (size - kept));
        size -= kept;
        return true;
    }

    /** The sum of the counts of the days from {@code from} to {@code to}, both included. */
    long sum(long from, long to) {
        long sum = 0;
        for (int i = 0; i < size; i++) {
            long day = pairs[2 * i];
            if (day >= from && day <= to) {
                sum += pairs[2 * i + 1];
            }
        }
        return sum;
    }

    DayCounts copy() {
        DayCounts copy = new DayCounts();
        copy.pairs = size == 0 ? NONE : Arrays.copyOf(pairs, 2 * size);
        copy.size = size;
        return copy;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DayCounts that && size == that.size
                && Arrays.equals(pairs, 0, 2 * size, that.pairs, 0, 2 * size);
    }

    @Override
    public int hashCode() {
        int hash = 1;
        for (int i = 0; i < 2 * size; i++) {
            hash = 31 * hash + Long.hashCode(pairs[i]);
        }
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        for (int i = 0; i < size; i++) {
            text.append(i == 0 ? "" : ", ").append(day(i)).append('=').append(count(i));
        }
        return text.append('}').toString();
    }
}
