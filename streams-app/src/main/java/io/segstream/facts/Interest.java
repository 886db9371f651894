package io.segstream.facts;

import java.util.Map;
import java.util.Objects;

/** Product views per category within the interest window (read model of store {@code interest}). */
public record Interest(CategoryCounts categoryViews) {

    /** No product views in the window. */
    public static final Interest NONE = new Interest(CategoryCounts.EMPTY);

    public Interest {
        Objects.requireNonNull(categoryViews, "categoryViews");
    }

    public Interest(Map<String, Long> categoryViews) {
        this(CategoryCounts.copyOf(categoryViews));
    }
}
