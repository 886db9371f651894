package io.segstream.facts;

import java.util.Map;

/** Product views per category within the interest window (read model of store {@code interest}). */
public record Interest(Map<String, Long> categoryViews) {

    /** No product views in the window. */
    public static final Interest NONE = new Interest(Map.of());

    public Interest {
        categoryViews = Map.copyOf(categoryViews);
    }
}
