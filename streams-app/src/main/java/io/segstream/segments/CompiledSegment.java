package io.segstream.segments;

import io.segstream.avro.SegmentDefinition;

/** A definition version with its compiled condition. */
public record CompiledSegment(SegmentDefinition definition, Condition condition) {

    public String name() {
        return definition.getName();
    }

    public long version() {
        return definition.getVersion();
    }

    /** Whether only users whose consent allows it may be in this segment. */
    public boolean requiresConsent() {
        return definition.getRequiresConsent();
    }

    static CompiledSegment compile(SegmentDefinition definition) {
        return new CompiledSegment(definition, Conditions.compile(definition.getCondition()));
    }
}
