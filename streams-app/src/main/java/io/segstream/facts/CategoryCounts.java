package io.segstream.facts;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Amounts per category (product views, dwell in ms): an immutable map, categories ascending by name,
 * over two arrays, with its sum and largest amount computed once. A user's window totals are read by
 * every evaluation and change with every product view: built from the features' arrays by two array
 * copies (a hashed map costs an entry object per category and a table), compared with the previous
 * totals by walking both in name order, and summed once per change instead of at each read of
 * {@code interest.totalViews} and {@code interest.topCategoryViews}. Equal to any map of the same
 * entries, as the {@link Map} contract asks; no null keys or values.
 */
public final class CategoryCounts extends AbstractMap<String, Long> {

    public static final CategoryCounts EMPTY = new CategoryCounts(new String[0], new long[0]);

    private final String[] names;
    private final long[] amounts;
    private final long sum;
    private final long max;

    private CategoryCounts(String[] names, long[] amounts) {
        this.names = names;
        this.amounts = amounts;
        long total = 0;
        long largest = 0;
        for (long amount : amounts) {
            total += amount;
            largest = Math.max(largest, amount);
        }
        this.sum = total;
        this.max = largest;
    }

    /**
     * The first {@code size} categories of {@code names} (ascending by name, distinct, not null) with their
     * {@code amounts} (not negative), copied.
     */
    public static CategoryCounts of(String[] names, long[] amounts, int size) {
        return size == 0 ? EMPTY : new CategoryCounts(Arrays.copyOf(names, size), Arrays.copyOf(amounts, size));
    }

    /** {@code counts} as category counts: itself when it is one, else its entries sorted by name. */
    public static CategoryCounts copyOf(Map<String, Long> counts) {
        if (counts instanceof CategoryCounts same) {
            return same;
        }
        String[] names = counts.keySet().toArray(new String[0]);
        Arrays.sort(names);
        long[] amounts = new long[names.length];
        for (int i = 0; i < names.length; i++) {
            Long amount = counts.get(names[i]);
            if (amount == null || amount < 0) {
                throw new IllegalArgumentException("A category's amount must be a number of zero or more, not " + amount
                        + " (" + names[i] + ")");
            }
            amounts[i] = amount;
        }
        return of(names, amounts, names.length);
    }

    /** The sum of the amounts; 0 when empty. */
    public long sum() {
        return sum;
    }

    /** The largest amount; 0 when empty. */
    public long max() {
        return max;
    }

    /** What changed in one category between two counts: its amount before and after, null where it had none. */
    @FunctionalInterface
    public interface Difference {
        void changed(String category, Long before, Long after);
    }

    /** Tells {@code difference} each category whose amount differs from {@code before} to this, in name order. */
    public void differencesFrom(CategoryCounts before, Difference difference) {
        int i = 0;
        int j = 0;
        while (i < before.names.length || j < names.length) {
            int order = i == before.names.length ? 1 : j == names.length ? -1 : compare(before.names[i], names[j]);
            if (order < 0) {
                difference.changed(before.names[i], before.amounts[i], null);
                i++;
            } else if (order > 0) {
                difference.changed(names[j], null, amounts[j]);
                j++;
            } else {
                if (before.amounts[i] != amounts[j]) {
                    difference.changed(names[j], before.amounts[i], amounts[j]);
                }
                i++;
                j++;
            }
        }
    }

    /** Name order; the same (shared) instance without reading it. */
    private static int compare(String one, String other) {
        return one == other ? 0 : one.compareTo(other);
    }

    private int indexOf(Object key) {
        if (!(key instanceof String name)) {
            return -1;
        }
        for (int i = 0; i < names.length; i++) {
            // Categories are shared strings (see the features): most lookups match by reference.
            if (names[i] == name) {
                return i;
            }
        }
        int found = Arrays.binarySearch(names, name);
        return found < 0 ? -1 : found;
    }

    @Override
    public Long get(Object key) {
        int at = indexOf(key);
        return at < 0 ? null : amounts[at];
    }

    @Override
    public boolean containsKey(Object key) {
        return indexOf(key) >= 0;
    }

    @Override
    public int size() {
        return names.length;
    }

    @Override
    public boolean isEmpty() {
        return names.length == 0;
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super Long> action) {
        for (int i = 0; i < names.length; i++) {
            action.accept(names[i], amounts[i]);
        }
    }

    @Override
    public Set<Map.Entry<String, Long>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, Long>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < names.length;
                    }

                    @Override
                    public Map.Entry<String, Long> next() {
                        if (next == names.length) {
                            throw new NoSuchElementException();
                        }
                        int at = next++;
                        return Map.entry(names[at], amounts[at]);
                    }
                };
            }

            @Override
            public int size() {
                return names.length;
            }
        };
    }

    @Override
    public boolean equals(Object other) {
        if (other instanceof CategoryCounts counts) {
            return Arrays.equals(amounts, counts.amounts) && Arrays.equals(names, counts.names);
        }
        return super.equals(other);
    }

    @Override
    public int hashCode() {
        int hash = 0;
        for (int i = 0; i < names.length; i++) {
            hash += names[i].hashCode() ^ Long.hashCode(amounts[i]);
        }
        return hash;
    }
}
