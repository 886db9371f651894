package io.segstream.testing;

import io.segstream.avro.GeneratedClasses;
import io.segstream.avro.SegmentDefinition;
import java.time.Instant;

/** Segment definitions for tests, as `segstream segments apply` would publish them. */
public final class Definitions {

    static {
        GeneratedClasses.trust();
    }

    private Definitions() {}

    public static SegmentDefinition.Builder segment(String name, String condition, long version) {
        return SegmentDefinition.newBuilder().setName(name).setCondition(condition).setPriority(0)
                .setVersion(version).setUpdatedAt(Instant.parse("2026-11-01T00:00:00Z"));
    }
}
