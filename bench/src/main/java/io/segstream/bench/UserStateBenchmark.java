package io.segstream.bench;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.Order;
import io.segstream.config.SegStreamConfig;
import io.segstream.features.Deduplication;
import io.segstream.features.FeatureCounters;
import io.segstream.features.FeatureSettings;
import io.segstream.features.FeatureUpdates;
import io.segstream.local.SyntheticTraffic;
import io.segstream.topology.UserState;
import io.segstream.topology.UserStateSerde;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cost of the events of an end-to-end drain to the users' state, without Kafka: the demo's synthetic
 * traffic (seed 7, 20,000 users, 200,000 events with an event every 36 ms of event time, as the
 * end-to-end benchmark preloads; {@code -p stepMs=3024} spreads them over a week), made before each
 * iteration; each iteration starts from empty state and takes the 200,000 events in order, each
 * de-duplicated and folded into its user's features by the pipeline's own code ({@code fold}).
 * {@code foldAndCommit} also writes back as a commit does: after every {@code commitEvents} events
 * (4,000: a 100 ms exactly-once commit at 40,000 events/s), each user changed since the last commit
 * has their record encoded once. Scores are milliseconds per 200,000 events: divide by 200 for
 * microseconds per event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, batchSize = UserStateBenchmark.EVENTS)
@Measurement(iterations = 10, batchSize = UserStateBenchmark.EVENTS)
@Fork(1)
public class UserStateBenchmark {

    static final int EVENTS = 200_000;
    private static final int USERS = 20_000;

    private FeatureSettings settings;
    private FeatureUpdates updates;
    private Deduplication deduplication;
    private final UserStateSerde serde = UserStateSerde.forOneThread();
    private final Map<String, UserState> users = new HashMap<>();
    private final List<SpecificRecord> events = new ArrayList<>(EVENTS);
    private int next;
    /** Users changed since the last commit, in the order they first changed. */
    private final Set<String> changed = new LinkedHashSet<>();

    @Param({"4000"})
    public int commitEvents;

    /** Event time between two events of the traffic: 36 ms spreads 200,000 over 2 hours; 3024 over a week. */
    @Param({"36"})
    public long stepMs;

    @Setup(Level.Trial)
    public void configure() {
        // The features read no connection setting; the configuration only asks for one to be named.
        settings = FeatureSettings.from(SegStreamConfig.of(Map.of(SegStreamConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9092")));
    }

    @Setup(Level.Iteration)
    public void startDrain() {
        users.clear();
        events.clear();
        changed.clear();
        next = 0;
        updates = FeatureUpdates.offline(settings);
        // Orders are de-duplicated by a window store in the pipeline (a few percent of the events): not measured here.
        deduplication = new Deduplication(null, true, settings, new FeatureCounters());
        SyntheticTraffic traffic = new SyntheticTraffic(7, USERS);
        long at = Instant.parse("2026-11-20T08:00:00Z").toEpochMilli();
        while (events.size() < EVENTS) {
            traffic.next(Instant.ofEpochMilli(at += stepMs), events::add);
        }
    }

    /** Folds the drain's next event into its user's state; the user's id, or null for a duplicate click. */
    private String foldNext() {
        SpecificRecord record = events.get(next++ % events.size());
        if (record instanceof ClickEvent click) {
            UserState state = users.computeIfAbsent(click.getUserId(), user -> UserState.empty());
            if (!deduplication.firstClick(state.features(), click)) {
                return null;
            }
            updates.click(click.getUserId(), state.features(), click, click.getEventTimestamp().toEpochMilli());
            return click.getUserId();
        }
        Order order = (Order) record;
        UserState state = users.computeIfAbsent(order.getUserId(), user -> UserState.empty());
        updates.order(order.getUserId(), state.features(), order, order.getEventTimestamp().toEpochMilli());
        return order.getUserId();
    }

    @Benchmark
    public String fold() {
        return foldNext();
    }

    @Benchmark
    public void foldAndCommit(Blackhole blackhole) {
        String user = foldNext();
        if (user != null) {
            changed.add(user);
        }
        if (next % commitEvents == 0) {
            for (String each : changed) {
                blackhole.consume(serde.encode(users.get(each)));
            }
            changed.clear();
        }
    }
}
