package io.segstream.registry;

import java.util.List;

/** The registry's answer to a compatibility test, with its reasons when the schema is incompatible. */
public record CompatibilityResult(boolean compatible, List<String> messages) {

    public CompatibilityResult {
        messages = List.copyOf(messages);
    }

    static CompatibilityResult ok() {
        return new CompatibilityResult(true, List.of());
    }
}
