package io.segstream.segments;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A segment as people write it in a YAML file (see deploy/segments). The pipeline's form is the
 * versioned {@code SegmentDefinition} record; {@link SegmentFiles} turns one into the other.
 */
public record SegmentSpec(
        String name,
        String description,
        String condition,
        int priority,
        String exclusiveGroup,
        boolean fallback,
        String outputTopic,
        boolean requiresConsent) {

    @JsonCreator
    static SegmentSpec of(
            @JsonProperty(value = "name", required = true) String name,
            @JsonProperty("description") String description,
            @JsonProperty(value = "condition", required = true) String condition,
            @JsonProperty("priority") Integer priority,
            @JsonProperty("exclusiveGroup") String exclusiveGroup,
            @JsonProperty("fallback") Boolean fallback,
            @JsonProperty("outputTopic") String outputTopic,
            @JsonProperty("requiresConsent") Boolean requiresConsent) {
        return new SegmentSpec(name, description, condition, priority == null ? 0 : priority, exclusiveGroup,
                fallback != null && fallback, outputTopic, requiresConsent == null || requiresConsent);
    }
}
