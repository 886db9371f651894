package io.segstream.topology;

import io.segstream.features.FeatureCounters;
import io.segstream.privacy.PrivacyCounters;
import io.segstream.segments.SegmentCatalog;
import io.segstream.segments.SegmentCounters;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * What the tasks of one instance share: the compiled segment catalog, the counters, and the
 * largest event time any task has seen (the API's "now" in time.mode=stream).
 */
public record InstanceState(SegmentCatalog catalog, FeatureCounters features, SegmentCounters segments,
        PrivacyCounters privacy, LongAccumulator streamTime) {

    public static InstanceState create() {
        return new InstanceState(new SegmentCatalog(), new FeatureCounters(), new SegmentCounters(),
                new PrivacyCounters(), new LongAccumulator(Math::max, 0));
    }
}
