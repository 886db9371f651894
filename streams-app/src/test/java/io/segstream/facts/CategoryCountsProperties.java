package io.segstream.facts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Category counts behave as the map of their entries (equality both ways, hash code, lookups by an
 * equal string of another instance, iteration in name order), sum and take the largest amount as a
 * stream over those entries does, and their differences from other counts are the categories whose
 * amount a lookup in both finds different.
 */
class CategoryCountsProperties {

    private static final String[] CATEGORIES = {"shoes", "hats", "bags", "toys", "(none)", "Bags", "bag", ""};

    @Property(tries = 300)
    void isTheMapOfItsEntries(@ForAll long seed) {
        Random random = new Random(seed);
        Map<String, Long> entries = randomCounts(random);
        CategoryCounts counts = CategoryCounts.copyOf(entries);

        assertThat(counts).isEqualTo(entries);
        assertThat(entries).isEqualTo(counts);
        assertThat(counts.hashCode()).isEqualTo(entries.hashCode());
        assertThat(counts.size()).isEqualTo(entries.size());
        assertThat(counts.isEmpty()).isEqualTo(entries.isEmpty());
        assertThat(new ArrayList<>(counts.keySet())).isEqualTo(new ArrayList<>(new TreeSet<>(entries.keySet())));
        for (String category : CATEGORIES) {
            String copy = new String(category);
            assertThat(counts.get(copy)).as(category).isEqualTo(entries.get(category));
            assertThat(counts.containsKey(copy)).as(category).isEqualTo(entries.containsKey(category));
        }
        assertThat(counts.get(42)).isNull();
        assertThat(counts.sum()).isEqualTo(entries.values().stream().mapToLong(Long::longValue).sum());
        assertThat(counts.max()).isEqualTo(entries.values().stream().mapToLong(Long::longValue).max().orElse(0));
        Map<String, Long> visited = new TreeMap<>();
        counts.forEach(visited::put);
        assertThat(visited).isEqualTo(entries);
        assertThat(CategoryCounts.copyOf(counts)).isSameAs(counts);
    }

    @Property(tries = 300)
    void differencesAreTheCategoriesWhoseAmountsDiffer(@ForAll long seed) {
        Random random = new Random(seed);
        Map<String, Long> before = randomCounts(random);
        Map<String, Long> after = random.nextBoolean() ? randomCounts(random) : changedSome(before, random);
        List<String> expected = new ArrayList<>();
        for (String category : new TreeSet<>(List.of(CATEGORIES))) {
            Long was = before.get(category);
            Long is = after.get(category);
            if (was == null ? is != null : !was.equals(is)) {
                expected.add(category + ":" + was + "->" + is);
            }
        }

        List<String> found = new ArrayList<>();
        CategoryCounts.copyOf(after).differencesFrom(CategoryCounts.copyOf(before),
                (category, was, is) -> found.add(category + ":" + was + "->" + is));

        assertThat(found).isEqualTo(expected);
        assertThat(CategoryCounts.copyOf(after).equals(CategoryCounts.copyOf(before))).isEqualTo(expected.isEmpty());
    }

    @Example
    void anAmountBelowZeroIsRefusedWithItsCategory() {
        assertThatThrownBy(() -> CategoryCounts.copyOf(Map.of("shoes", 2L, "hats", -1L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("A category's amount must be a number of zero or more, not -1 (hats)");
    }

    @Example
    void copiesTheFirstEntriesOfArraysItIsGiven() {
        String[] names = {"bags", "shoes", "toys"};
        long[] amounts = {3, 5, 7};
        CategoryCounts counts = CategoryCounts.of(names, amounts, 2);
        amounts[0] = 99;

        assertThat(counts).isEqualTo(Map.of("bags", 3L, "shoes", 5L));
        assertThat(CategoryCounts.of(names, amounts, 0)).isSameAs(CategoryCounts.EMPTY);
        assertThat(counts).hasToString("{bags=3, shoes=5}");
    }

    private static Map<String, Long> randomCounts(Random random) {
        Map<String, Long> counts = new HashMap<>();
        int size = random.nextInt(CATEGORIES.length + 1);
        for (int i = 0; i < size; i++) {
            counts.put(CATEGORIES[random.nextInt(CATEGORIES.length)], (long) random.nextInt(4));
        }
        return counts;
    }

    private static Map<String, Long> changedSome(Map<String, Long> counts, Random random) {
        Map<String, Long> changed = new HashMap<>(counts);
        int changes = random.nextInt(3);
        for (int i = 0; i < changes; i++) {
            String category = CATEGORIES[random.nextInt(CATEGORIES.length)];
            if (random.nextBoolean()) {
                changed.remove(category);
            } else {
                changed.merge(category, 1L, Long::sum);
            }
        }
        return changed;
    }
}
