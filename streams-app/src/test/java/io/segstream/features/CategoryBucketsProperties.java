package io.segstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Buckets of amounts per category hold, in bucket and name order, what a map of sorted maps given the
 * same adds and drops holds, and their totals over any window read between the changes are the sums
 * of that map's buckets in it: across new and late buckets, new and known categories (given as the
 * instance held or as an equal copy), drops, and copies (which derive their own totals).
 */
class CategoryBucketsProperties {

    private static final String[] CATEGORIES = {"shoes", "hats", "bags", "toys", "(none)", "Bags", "bag"};

    @Property(tries = 300)
    void holdsAndTotalsWhatAMapOfMapsHolds(@ForAll long seed, @ForAll @IntRange(min = 1, max = 120) int steps) {
        Random random = new Random(seed);
        CategoryBuckets buckets = new CategoryBuckets();
        TreeMap<Long, TreeMap<String, Long>> model = new TreeMap<>();
        long newest = 100;
        for (int step = 0; step < steps; step++) {
            int action = random.nextInt(10);
            if (action < 7) {
                // Mostly the newest bucket, sometimes a new one or a late one.
                newest += random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0;
                long time = random.nextInt(5) == 0 ? newest - random.nextInt(8) : newest;
                // The same name as the same instance (shared) or as a copy of its own (found by its contents).
                String name = CATEGORIES[random.nextInt(CATEGORIES.length)];
                String category = random.nextBoolean() ? name : new String(name);
                long amount = 1 + random.nextInt(1_000_000);
                buckets.add(time, category, amount);
                model.computeIfAbsent(time, t -> new TreeMap<>()).merge(category, amount, Long::sum);
            } else if (action < 8) {
                long first = newest - random.nextInt(10);
                boolean dropped = buckets.dropBefore(first);
                assertThat(dropped).as("step %d", step).isEqualTo(!model.headMap(first).isEmpty());
                model.headMap(first).clear();
            } else if (action < 9) {
                buckets = buckets.copy();
            }
            long end = newest - random.nextInt(4);
            long length = 1 + random.nextInt(6);
            Map<String, Long> expected = new TreeMap<>();
            model.subMap(end - length + 1, true, end, true).values()
                    .forEach(byCategory -> byCategory.forEach((category, amount) -> expected.merge(category, amount, Long::sum)));
            assertThat(buckets.totals(end, length)).as("step %d", step).isEqualTo(expected);
            assertThat(contents(buckets)).as("step %d", step).isEqualTo(model);
        }
    }

    /** What the buckets hold, read in their order; the order is checked as it is read. */
    private static TreeMap<Long, TreeMap<String, Long>> contents(CategoryBuckets buckets) {
        TreeMap<Long, TreeMap<String, Long>> read = new TreeMap<>();
        for (int i = 0; i < buckets.size(); i++) {
            CategoryBuckets.Bucket bucket = buckets.bucket(i);
            assertThat(i == 0 || buckets.bucket(i - 1).time < bucket.time).isTrue();
            TreeMap<String, Long> byCategory = new TreeMap<>();
            for (int j = 0; j < bucket.amounts.size(); j++) {
                assertThat(j == 0 || bucket.amounts.category(j - 1).compareTo(bucket.amounts.category(j)) < 0).isTrue();
                byCategory.put(bucket.amounts.category(j), bucket.amounts.value(j));
            }
            read.put(bucket.time, byCategory);
        }
        return read;
    }
}
