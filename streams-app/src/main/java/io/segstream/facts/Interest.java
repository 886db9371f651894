package io.segstream.facts;

import java.util.Map;

/** Product views per category within the interest window (read model of store {@code interest}). */
public record Interest(Map<String, Long> categoryViews) {

    public Interest {
        categoryViews = Map.copyOf(categoryViews);
    }
}
