package io.segstream.query;

import io.segstream.avro.RfmSketches;
import io.segstream.avro.SegmentDefinition;
import io.segstream.config.StoreNames;
import io.segstream.facts.Fact;
import io.segstream.facts.Facts;
import io.segstream.facts.Lifetime;
import io.segstream.facts.UserFeatures;
import io.segstream.features.FeatureSettings;
import io.segstream.features.RfmQuintiles;
import io.segstream.features.RfmState;
import io.segstream.features.TimeMode;
import io.segstream.privacy.PrivacySettings;
import io.segstream.scoring.ModelCatalog;
import io.segstream.segments.CompiledSegment;
import io.segstream.segments.SegmentCatalog;
import io.segstream.segments.SegmentEvaluator;
import io.segstream.segments.SegmentPreview;
import io.segstream.topology.InstanceState;
import io.segstream.topology.UserState;
import io.segstream.topology.UserStateSerde;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Answers queries from this instance's own stores (active tasks, or standby replicas when asked
 * for stale reads). Throws Kafka Streams' InvalidStateStoreException while stores migrate.
 */
public final class LocalQueries {

    private static final UserStateSerde SERDE = UserStateSerde.INSTANCE;

    private final KafkaStreams streams;
    private final FeatureSettings settings;
    private final InstanceState instance;
    private final SegmentEvaluator evaluator;
    private final PrivacySettings privacy;

    public LocalQueries(KafkaStreams streams, FeatureSettings settings, PrivacySettings privacy, InstanceState instance,
            SegmentEvaluator evaluator) {
        this.streams = streams;
        this.settings = settings;
        this.privacy = privacy;
        this.instance = instance;
        this.evaluator = evaluator;
    }

    /** The pipeline's "now": the wall clock, or in stream mode the largest event time seen. */
    public long now() {
        return settings.timeMode() == TimeMode.WALL ? System.currentTimeMillis() : instance.streamTime().get();
    }

    public Optional<UserProfile> profile(String user, boolean stale) {
        return state(user, stale).map(state -> {
            UserFeatures features = features(user, state);
            List<UserProfile.Segment> segments = new ArrayList<>();
            state.membership().forEach((name, member) ->
                    segments.add(new UserProfile.Segment(name, member.version(), Instant.ofEpochMilli(member.since()))));
            ModelCatalog.Snapshot models = evaluator.models().snapshot();
            Facts.Input input = new Facts.Input(features, models);
            return new UserProfile(user, Instant.ofEpochMilli(features.now()), features.rfm(), features.dwell(),
                    features.cart(), features.interest(), models.intent().score(input), lifetime(input), consent(state),
                    segments, stale);
        });
    }

    public Optional<Explanation> explain(String user, boolean stale) {
        return state(user, stale).map(state -> {
            UserFeatures features = features(user, state);
            Facts.Input input = evaluator.facts(features);
            SegmentCatalog.Snapshot catalog = instance.catalog().snapshot();
            UserProfile.ConsentStatus consent = consent(state);
            Map<String, CompiledSegment> matching = catalog.matching(input, consent.allowsSegmentsRequiringConsent());
            List<Explanation.Decision> decisions = new ArrayList<>();
            new TreeMap<>(catalog.segments()).forEach((name, segment) -> decisions.add(new Explanation.Decision(name,
                    segment.version(), segment.definition().getCondition(), segment.definition().getExclusiveGroup(),
                    segment.requiresConsent(), segment.condition().test(input), matching.containsKey(name),
                    segment.condition().evidence(input), segment.condition().models(input), absent(segment, input))));
            return new Explanation(user, Instant.ofEpochMilli(features.now()), input.intentScore(), lifetime(input),
                    consent, decisions, stale);
        });
    }

    /**
     * Throws {@link org.apache.kafka.streams.errors.InvalidStateStoreException} unless this instance's users
     * store can be queried (or it holds no task, so has no users to query). Reads no data, so it neither
     * waits for the stream thread nor costs more with more users.
     */
    public void requireQueryable() {
        users();
    }

    /**
     * Members per segment among this instance's users, as its tasks keep them (no scan). Throws
     * {@link InvalidStateStoreException} while one of its active tasks has not started counting
     * (restoring, migrating), as the stores do, rather than answer with part of its users.
     */
    public Map<String, Long> memberCounts() {
        if (users().isEmpty()) {
            return Map.of();
        }
        Set<String> counted = instance.members().tasks();
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            for (TaskMetadata task : thread.activeTasks()) {
                if (!counted.contains(task.taskId().toString())) {
                    throw new InvalidStateStoreException("task " + task.taskId() + " is not processing yet (restoring)");
                }
            }
        }
        return instance.members().total();
    }

    /**
     * Every customer of this instance (a user with a purchase) as {@code [purchases, first purchase,
     * last purchase (epoch millis), net spend]}, without user ids: what the clv model is fitted on.
     */
    public List<Object[]> customerHistories() {
        List<Object[]> customers = new ArrayList<>();
        users().ifPresent(users -> {
            try (KeyValueIterator<String, Object> all = users.all()) {
                all.forEachRemaining(entry -> {
                    RfmState orders = SERDE.decodeRfm((byte[]) entry.value);
                    if (orders != null && orders.purchases() > 0) {
                        customers.add(new Object[] {orders.purchases(), orders.firstPurchase(), orders.lastPurchase(),
                                orders.monetary()});
                    }
                });
            }
        });
        return customers;
    }

    /**
     * Who {@code drafts} would hold among this instance's users right now (see {@link SegmentPreview}),
     * read from the stores: a pass over every user, so it takes about as long as the users it reads.
     */
    public SegmentPreview preview(List<SegmentDefinition> drafts, int sampleSize) {
        SegmentPreview preview = SegmentPreview.of(instance.catalog().snapshot(), drafts, sampleSize);
        long now = now();
        RfmQuintiles quintiles = quintiles();
        users().ifPresent(users -> {
            try (KeyValueIterator<String, Object> all = users.all()) {
                all.forEachRemaining(entry -> {
                    UserState state = SERDE.decode((byte[]) entry.value);
                    UserFeatures features = state.features().view(entry.key, now, settings, quintiles);
                    preview.add(entry.key, evaluator.facts(features), consent(state).allowsSegmentsRequiringConsent());
                });
            }
        });
        return preview;
    }

    /** Up to {@code limit} of this instance's members of {@code segment} with user ids after {@code after}, sorted. */
    public List<String> members(String segment, String after, int limit) {
        List<String> members = new ArrayList<>();
        users().ifPresent(users -> {
            try (KeyValueIterator<String, Object> range = users.range(after, null)) {
                while (range.hasNext() && members.size() < limit) {
                    KeyValue<String, Object> entry = range.next();
                    if (!entry.key.equals(after)
                            && SERDE.decodeMembership((byte[]) entry.value).holds(segment)) {
                        members.add(entry.key);
                    }
                }
            }
        });
        return members;
    }

    /**
     * This instance's users store, or none when it holds no task (more instances than partitions):
     * then it has no users of its own, and its cluster-wide answers come from the others. Throws
     * {@link org.apache.kafka.streams.errors.InvalidStateStoreException} while stores migrate or restore.
     */
    private Optional<ReadOnlyKeyValueStore<String, Object>> users() {
        if (streams.state() == KafkaStreams.State.RUNNING
                && streams.metadataForLocalThreads().stream().allMatch(thread -> thread.activeTasks().isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(store(StoreNames.USERS, false));
    }

    private Optional<UserState> state(String user, boolean stale) {
        return Optional.ofNullable((byte[]) store(StoreNames.USERS, stale).get(user)).map(SERDE::decode);
    }

    /** The user's lifetime prediction with the model version, or why there is none. */
    private static UserProfile.LifetimeValue lifetime(Facts.Input input) {
        Lifetime lifetime = input.lifetime();
        return new UserProfile.LifetimeValue(lifetime.pAlive(), lifetime.expectedPurchases90d(),
                lifetime.expectedValue365d(), input.modelVersion(ModelCatalog.CLV), lifetime.absentReason());
    }

    /** The facts a condition reads that are absent for this user, each with the reason. */
    private static Map<String, String> absent(CompiledSegment segment, Facts.Input input) {
        Map<String, String> absent = new TreeMap<>();
        for (Fact fact : segment.condition().reads()) {
            if (input.value(fact) == null) {
                absent.put(fact.name(), ModelCatalog.CLV.equals(fact.model()) ? input.lifetime().absentReason()
                        : "no value");
            }
        }
        return absent;
    }

    private UserProfile.ConsentStatus consent(UserState state) {
        return new UserProfile.ConsentStatus(state.consent().name(), state.consent().allows(privacy.consentGrantedByDefault()));
    }

    private UserFeatures features(String user, UserState state) {
        return state.features().view(user, now(), settings, quintiles());
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
