package io.segstream.facts;

import dev.cel.common.types.CelType;
import java.util.function.Function;

/**
 * One value a segment condition can read, e.g. {@code rfm.frequency}: its CEL name and type, what it
 * means, how to read it from a user's features, and the model that predicts it (null for facts
 * folded from events alone).
 */
public record Fact(String name, CelType type, String description, Function<Facts.Input, Object> read, String model) {

    public Fact(String name, CelType type, String description, Function<Facts.Input, Object> read) {
        this(name, type, description, read, null);
    }
}
