package io.segstream.facts;

import dev.cel.common.types.CelType;
import java.util.function.Function;

/**
 * One value a segment condition can read, e.g. {@code rfm.frequency}: its CEL name and type, what it
 * means, and how to read it from a user's features (and intent score).
 */
public record Fact(String name, CelType type, String description, Function<Facts.Input, Object> read) {}
