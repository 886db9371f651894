package io.segstream.topology;

import io.segstream.features.FeatureCounters;
import io.segstream.segments.SegmentCatalog;
import io.segstream.segments.SegmentCounters;

/** What the tasks of one instance share: the compiled segment catalog and the counters. */
public record InstanceState(SegmentCatalog catalog, FeatureCounters features, SegmentCounters segments) {

    public static InstanceState create() {
        return new InstanceState(new SegmentCatalog(), new FeatureCounters(), new SegmentCounters());
    }
}
