package io.segstream.features;

import io.segstream.facts.CategoryCounts;
import java.util.Arrays;

/**
 * Amounts per category in time buckets (days, hours) of one user's window (part of the user's state:
 * dwell per category by day, product views per category by hour), with the totals over one window
 * kept in step as amounts are added. Buckets ascend by time and the categories of a bucket by name,
 * the order the state encoding lists them in.
 *
 * <p>Kept in arrays rather than a map of maps: an event adds to the newest bucket, nearly always to a
 * category that bucket already has (found by reference, see {@link Amounts}), so it neither walks a
 * tree nor boxes a number, and a user's buckets are a few arrays instead of a map entry and a boxed
 * amount per category and bucket for the collector to copy. The totals are derived, never encoded: a
 * decoded or copied state computes them when first read.
 */
final class CategoryBuckets {

    private static final Bucket[] NO_BUCKETS = {};

    /** One bucket: its time and its categories' amounts, categories ascending by name. */
    static final class Bucket {
        final long time;
        final Amounts amounts;

        Bucket(long time, Amounts amounts) {
            this.time = time;
            this.amounts = amounts;
        }
    }

    /**
     * Amounts by category, ascending by name, in two arrays. A category is looked for by reference first:
     * categories are {@link SharedNames}, so that finds it without reading any string's contents (the
     * users' own strings would be scattered over the heap).
     */
    static final class Amounts {
        private String[] categories;
        private long[] values;
        private int size;

        Amounts(int capacity) {
            categories = new String[capacity];
            values = new long[capacity];
        }

        int size() {
            return size;
        }

        String category(int i) {
            return categories[i];
        }

        long value(int i) {
            return values[i];
        }

        /** Adds {@code amount} to {@code category}'s value, making it when new. */
        void add(String category, long amount) {
            for (int i = 0; i < size; i++) {
                if (categories[i] == category) {
                    values[i] += amount;
                    return;
                }
            }
            int found = Arrays.binarySearch(categories, 0, size, category);
            if (found >= 0) {
                // An equal string of another instance: the one given is the shared one, or as good.
                categories[found] = category;
                values[found] += amount;
            } else {
                insert(-found - 1, category, amount);
            }
        }

        private void insert(int at, String category, long amount) {
            if (size == categories.length) {
                int capacity = Math.max(4, 2 * size);
                categories = Arrays.copyOf(categories, capacity);
                values = Arrays.copyOf(values, capacity);
            }
            System.arraycopy(categories, at, categories, at + 1, size - at);
            System.arraycopy(values, at, values, at + 1, size - at);
            categories[at] = category;
            values[at] = amount;
            size++;
        }

        Amounts copy() {
            Amounts copy = new Amounts(Math.max(1, size));
            System.arraycopy(categories, 0, copy.categories, 0, size);
            System.arraycopy(values, 0, copy.values, 0, size);
            copy.size = size;
            return copy;
        }

        /** As the read model's immutable counts. */
        CategoryCounts toCounts() {
            return CategoryCounts.of(categories, values, size);
        }

        boolean sameAs(Amounts other) {
            return Arrays.equals(categories, 0, size, other.categories, 0, other.size)
                    && Arrays.equals(values, 0, size, other.values, 0, other.size);
        }
    }

    private Bucket[] buckets = NO_BUCKETS;
    private int count;

    /** The totals of the buckets from {@code windowEnd - windowLength + 1} to {@code windowEnd}, or null until read. */
    private Amounts totals;
    private long windowEnd;
    private long windowLength;
    /** {@link #totals} as handed to readers, shared until they change; null until asked for. */
    private CategoryCounts shared;

    boolean isEmpty() {
        return count == 0;
    }

    int size() {
        return count;
    }

    Bucket bucket(int i) {
        return buckets[i];
    }

    /** The time of the newest bucket; only when not {@link #isEmpty()}. */
    long newestTime() {
        return buckets[count - 1].time;
    }

    /** Adds {@code amount} to {@code category} in the bucket at {@code time}, making either when new. */
    void add(long time, String category, long amount) {
        bucketAt(time).add(category, amount);
        if (totals != null && time <= windowEnd && time > windowEnd - windowLength) {
            totals.add(category, amount);
            shared = null;
        }
    }

    /** The amounts of the bucket at {@code time}, made (empty) when there is none. */
    Amounts bucketAt(long time) {
        if (count > 0 && buckets[count - 1].time == time) {
            return buckets[count - 1].amounts;
        }
        int at = count;
        while (at > 0 && buckets[at - 1].time > time) {
            at--;
        }
        if (at > 0 && buckets[at - 1].time == time) {
            return buckets[at - 1].amounts;
        }
        if (count == buckets.length) {
            buckets = Arrays.copyOf(buckets, Math.max(2, 2 * count));
        }
        System.arraycopy(buckets, at, buckets, at + 1, count - at);
        Bucket made = new Bucket(time, new Amounts(2));
        buckets[at] = made;
        count++;
        return made.amounts;
    }

    /**
     * Removes the buckets before {@code first}; the totals are derived again when their window reaches
     * before it. Called with every event, so the usual case (nothing old enough) looks at the first
     * bucket only. Returns whether any was removed.
     */
    boolean dropBefore(long first) {
        if (totals != null && first > windowEnd - windowLength + 1) {
            totals = null;
            shared = null;
        }
        int dropped = 0;
        while (dropped < count && buckets[dropped].time < first) {
            dropped++;
        }
        if (dropped == 0) {
            return false;
        }
        System.arraycopy(buckets, dropped, buckets, 0, count - dropped);
        Arrays.fill(buckets, count - dropped, count, null);
        count -= dropped;
        return true;
    }

    /** The totals per category of the buckets from {@code end - length + 1} to {@code end}, inclusive; immutable. */
    CategoryCounts totals(long end, long length) {
        if (totals == null || windowEnd != end || windowLength != length) {
            Amounts summed = new Amounts(4);
            for (int i = 0; i < count; i++) {
                Bucket bucket = buckets[i];
                if (bucket.time > end - length && bucket.time <= end) {
                    for (int j = 0; j < bucket.amounts.size(); j++) {
                        summed.add(bucket.amounts.category(j), bucket.amounts.value(j));
                    }
                }
            }
            totals = summed;
            windowEnd = end;
            windowLength = length;
            shared = null;
        }
        if (shared == null) {
            shared = totals.toCounts();
        }
        return shared;
    }

    /** A copy of the buckets (without the totals, which the copy derives when read). */
    CategoryBuckets copy() {
        CategoryBuckets copy = new CategoryBuckets();
        copy.buckets = new Bucket[count];
        for (int i = 0; i < count; i++) {
            copy.buckets[i] = new Bucket(buckets[i].time, buckets[i].amounts.copy());
        }
        copy.count = count;
        return copy;
    }

    /** Same buckets, categories and amounts. */
    @Override
    public boolean equals(Object other) {
        if (!(other instanceof CategoryBuckets that) || that.count != count) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            if (buckets[i].time != that.buckets[i].time || !buckets[i].amounts.sameAs(that.buckets[i].amounts)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = count;
        for (int i = 0; i < count; i++) {
            Amounts amounts = buckets[i].amounts;
            hash = 31 * hash + Long.hashCode(buckets[i].time);
            for (int j = 0; j < amounts.size(); j++) {
                hash = 31 * (31 * hash + amounts.category(j).hashCode()) + Long.hashCode(amounts.value(j));
            }
        }
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        for (int i = 0; i < count; i++) {
            text.append(i == 0 ? "" : ", ").append(buckets[i].time).append('=')
                    .append(buckets[i].amounts.toCounts());
        }
        return text.append('}').toString();
    }
}
