package io.segstream.query;

import io.segstream.avro.RfmSketches;
import io.segstream.config.StoreNames;
import io.segstream.features.CartState;
import io.segstream.features.DwellState;
import io.segstream.features.FeatureSettings;
import io.segstream.features.FeatureViews;
import io.segstream.features.InterestState;
import io.segstream.features.RfmQuintiles;
import io.segstream.features.RfmState;
import io.segstream.features.TimeMode;
import io.segstream.segments.CompiledSegment;
import io.segstream.segments.Facts;
import io.segstream.segments.MembershipState;
import io.segstream.segments.SegmentCatalog;
import io.segstream.segments.SegmentEvaluator;
import io.segstream.segments.UserFeatures;
import io.segstream.topology.InstanceState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Answers queries from this instance's own stores (active tasks, or standby replicas when asked
 * for stale reads). Throws Kafka Streams' InvalidStateStoreException while stores migrate.
 */
public final class LocalQueries {

    private final KafkaStreams streams;
    private final FeatureSettings settings;
    private final InstanceState instance;
    private final SegmentEvaluator evaluator;

    public LocalQueries(KafkaStreams streams, FeatureSettings settings, InstanceState instance, SegmentEvaluator evaluator) {
        this.streams = streams;
        this.settings = settings;
        this.instance = instance;
        this.evaluator = evaluator;
    }

    /** The pipeline's "now": the wall clock, or in stream mode the largest event time seen. */
    public long now() {
        return settings.timeMode() == TimeMode.WALL ? System.currentTimeMillis() : instance.streamTime().get();
    }

    public Optional<UserProfile> profile(String user, boolean stale) {
        return features(user, stale).map(features -> {
            MembershipState membership = store(StoreNames.MEMBERSHIP, stale).get(user) instanceof MembershipState m ? m : null;
            List<UserProfile.Segment> segments = new ArrayList<>();
            if (membership != null) {
                membership.segments().forEach((name, member) ->
                        segments.add(new UserProfile.Segment(name, member.version(), Instant.ofEpochMilli(member.since()))));
            }
            Facts.Input input = new Facts.Input(features, 0);
            return new UserProfile(user, Instant.ofEpochMilli(features.now()), features.rfm(), features.dwell(),
                    features.cart(), features.interest(), evaluator.intentModel().score(input), segments, stale);
        });
    }

    public Optional<Explanation> explain(String user, boolean stale) {
        return features(user, stale).map(features -> {
            Facts.Input input = evaluator.facts(features);
            SegmentCatalog.Snapshot catalog = instance.catalog().snapshot();
            Map<String, CompiledSegment> matching = catalog.matching(input);
            List<Explanation.Decision> decisions = new ArrayList<>();
            new TreeMap<>(catalog.segments()).forEach((name, segment) -> decisions.add(new Explanation.Decision(name,
                    segment.version(), segment.definition().getCondition(), segment.definition().getExclusiveGroup(),
                    segment.condition().test(input), matching.containsKey(name), segment.condition().evidence(input))));
            return new Explanation(user, Instant.ofEpochMilli(features.now()), input.intentScore(), decisions, stale);
        });
    }

    /** Members per segment among this instance's users. */
    public Map<String, Long> memberCounts() {
        Map<String, Long> counts = new TreeMap<>();
        try (KeyValueIterator<String, Object> all = store(StoreNames.MEMBERSHIP, false).all()) {
            all.forEachRemaining(entry -> ((MembershipState) entry.value).segments().keySet()
                    .forEach(segment -> counts.merge(segment, 1L, Long::sum)));
        }
        return counts;
    }

    /** Up to {@code limit} of this instance's members of {@code segment} with user ids after {@code after}, sorted. */
    public List<String> members(String segment, String after, int limit) {
        List<String> members = new ArrayList<>();
        try (KeyValueIterator<String, Object> range = store(StoreNames.MEMBERSHIP, false).range(after, null)) {
            while (range.hasNext() && members.size() < limit) {
                KeyValue<String, Object> entry = range.next();
                if (!entry.key.equals(after) && ((MembershipState) entry.value).segments().containsKey(segment)) {
                    members.add(entry.key);
                }
            }
        }
        return members;
    }

    private Optional<UserFeatures> features(String user, boolean stale) {
        CartState cart = (CartState) store(StoreNames.CART, stale).get(user);
        if (cart == null) {
            return Optional.empty();
        }
        return Optional.of(FeatureViews.read(user, now(), settings, (RfmState) store(StoreNames.RFM, stale).get(user),
                (DwellState) store(StoreNames.DWELL, stale).get(user), cart,
                (InterestState) store(StoreNames.INTEREST, stale).get(user), quintiles()));
    }

    private RfmQuintiles quintiles() {
        List<RfmSketches> tasks = new ArrayList<>();
        try (KeyValueIterator<String, Object> all = store(StoreNames.RFM_SKETCHES, false).all()) {
            all.forEachRemaining(entry -> tasks.add((RfmSketches) entry.value));
        }
        return tasks.isEmpty() ? null : RfmQuintiles.merge(tasks);
    }

    private ReadOnlyKeyValueStore<String, Object> store(String name, boolean stale) {
        StoreQueryParameters<ReadOnlyKeyValueStore<String, Object>> parameters =
                StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore());
        return streams.store(stale ? parameters.enableStaleStores() : parameters);
    }
}
