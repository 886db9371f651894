package io.segstream.bench;

import io.segstream.segments.SegmentSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A shop's catalog of generated segment definitions, for benchmarks at scale. Nearly every definition
 * is about one product category (views of it, it in the cart with a value or left a while, intent or
 * session depth among those interested in it, recent buyers interested in it), with the round
 * thresholds marketers use; one in 50 is a general lifecycle segment and one in 50 a comprehension
 * over a family of categories (those whose name starts alike); one in ten is in an exclusive group.
 */
public final class CatalogDefinitions {

    private CatalogDefinitions() {}

    /** {@code count} definitions named {@code generated-0...} about {@code categories}, from {@code seed}. */
    public static List<SegmentSpec> generate(int count, List<String> categories, long seed) {
        Random random = new Random(seed);
        List<SegmentSpec> specs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String category = categories.get(random.nextInt(categories.size()));
            String interested = "'" + category + "' in interest.categoryViews";
            String inCart = "'" + category + "' in cart.categories";
            String condition;
            if (i % 50 == 0) {
                condition = "rfm.frequency >= " + pick(random, 1, 2, 3, 5) + " && rfm.recencyDays <= "
                        + pick(random, 30, 60, 90, 180, 365);
            } else if (i % 50 == 25) {
                String family = category.substring(0, Math.max(1, category.length() - 1));
                condition = "interest.categoryViews.exists(c, c.startsWith('" + family
                        + "') && interest.categoryViews[c] >= " + pick(random, 5, 10, 20) + ")";
            } else {
                condition = switch (i % 6) {
                    case 0 -> interested + " && interest.categoryViews['" + category + "'] >= " + pick(random, 3, 5, 10, 20);
                    case 1 -> inCart + " && cart.value >= " + pick(random, 25, 50, 100, 200);
                    case 2 -> "intent.score >= " + pick(random, 50, 60, 70, 80, 90) + ".0 && " + interested;
                    case 3 -> "dwell.sessionActive && dwell.sessionPages >= " + pick(random, 3, 5, 10) + " && " + interested;
                    case 4 -> "rfm.frequency >= " + pick(random, 1, 2, 3) + " && rfm.recencyDays <= "
                            + pick(random, 7, 14, 30, 60, 90, 180, 365) + " && " + interested;
                    default -> inCart + " && cart.minutesSinceActivity >= " + pick(random, 30, 60, 120);
                };
            }
            specs.add(new SegmentSpec("generated-" + i, "generated for a benchmark", condition, random.nextInt(100),
                    i % 10 == 1 ? "generated-group-" + (i / 100) : null, false, null, false));
        }
        return specs;
    }

    /**
     * {@code total} category names: {@code known} (the ones traffic visits) among others named
     * {@code category-N}, as in a shop whose visitors browse some of its categories.
     */
    public static List<String> categories(int total, List<String> known) {
        List<String> categories = new ArrayList<>(known);
        for (int i = 0; categories.size() < total; i++) {
            categories.add("category-" + i);
        }
        return categories;
    }

    private static int pick(Random random, int... values) {
        return values[random.nextInt(values.length)];
    }
}
