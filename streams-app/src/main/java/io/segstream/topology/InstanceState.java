package io.segstream.topology;

import io.segstream.features.FeatureCounters;
import io.segstream.privacy.PrivacyCounters;
import io.segstream.scoring.IntentModel;
import io.segstream.scoring.ModelCatalog;
import io.segstream.segments.MemberCounts;
import io.segstream.segments.SegmentCatalog;
import io.segstream.segments.SegmentCounters;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * What the tasks of one instance share: the compiled segment catalog, the models in use, the counters, the
 * members per segment of its tasks, and the largest event time any task has seen (the API's "now" in
 * time.mode=stream).
 */
public record InstanceState(SegmentCatalog catalog, ModelCatalog models, FeatureCounters features,
        SegmentCounters segments, PrivacyCounters privacy, MemberCounts members, LongAccumulator streamTime) {

    /** The state of an instance that scores intent with the bundled model until one is published. */
    public static InstanceState create() {
        return create(IntentModel.defaultModel());
    }

    /** The state of an instance that scores intent with {@code intent} until one is published. */
    public static InstanceState create(IntentModel intent) {
        return new InstanceState(new SegmentCatalog(), new ModelCatalog(intent), new FeatureCounters(),
                new SegmentCounters(), new PrivacyCounters(), new MemberCounts(), new LongAccumulator(Math::max, 0));
    }
}
