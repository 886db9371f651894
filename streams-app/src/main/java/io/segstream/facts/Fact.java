package io.segstream.facts;

import dev.cel.common.types.CelType;
import java.util.function.Function;

/**
 * One value a segment condition can read, e.g. {@code rfm.frequency}: its CEL name and type, what it
 * means, how to read it from a user's features, the model that predicts it (null for facts folded
 * from events alone), and how time alone moves it between events.
 */
public record Fact(String name, CelType type, String description, Function<Facts.Input, Object> read, String model,
        Clock clock) {}
