package io.segstream.topology;

import io.segstream.avro.CartAbandoned;
import io.segstream.avro.ChangeTrigger;
import io.segstream.avro.ClickEvent;
import io.segstream.avro.Model;
import io.segstream.avro.Order;
import io.segstream.avro.PrivacyOutcome;
import io.segstream.avro.PrivacyRequest;
import io.segstream.avro.PrivacyRequestType;
import io.segstream.avro.RfmSketches;
import io.segstream.avro.SegmentDefinition;
import io.segstream.config.StoreNames;
import io.segstream.facts.Facts;
import io.segstream.facts.UserFeatures;
import io.segstream.features.Deduplication;
import io.segstream.features.FeatureSettings;
import io.segstream.features.FeatureUpdates;
import io.segstream.features.RfmQuintiles;
import io.segstream.features.RfmSketchBuilder;
import io.segstream.features.RfmState;
import io.segstream.features.TimeMode;
import io.segstream.features.Timers;
import io.segstream.privacy.Consent;
import io.segstream.privacy.PrivacyRequests;
import io.segstream.privacy.PrivacySettings;
import io.segstream.segments.MemberCounts;
import io.segstream.segments.SegmentCatalog;
import io.segstream.segments.SegmentEvaluator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task's users, in stages: {@link Deduplication} drops what was seen before,
 * {@link FeatureUpdates} folds the event into the user's features, {@link SegmentEvaluator}
 * decides their segments, after each event or, with {@link EvaluationTiming#COMMIT}, once per commit
 * for all of the user's events since ({@link PendingEvaluations}). The user's one state record (store
 * {@link UserStore}) stays decoded between their events and is encoded once per commit. On its clocks
 * it fires due cart abandonments, re-evaluates the users whose conditions time alone can have changed
 * ({@link DueTimes}) and, in bounded batches, every user after a start or a definition or model change, and publishes
 * this task's RFM sketches.
 * Outputs go through {@link Outputs}.
 */
public final class UserProcessor implements Processor<String, SpecificRecord, String, Object> {

    private static final Logger log = LoggerFactory.getLogger(UserProcessor.class);
    private static final int MIN_BATCH = 100;
    /** Users a scan for the RFM sketches reads per second at least (a few milliseconds of a stream thread). */
    private static final int MIN_SKETCH_BATCH = 1_000;
    private static final Duration CADENCE = Duration.ofSeconds(1);
    private static final Duration SKETCHES_UNCHANGED_MAX = Duration.ofDays(1);
    /**
     * Left out of the facts of an evaluation when no condition reads it (a model cannot: it is a map); its
     * position in Facts.ALL.
     */
    private static final int CATEGORY_DWELL = Facts.indexOf(Facts.named("dwell.categoryDwellMs"));
    /** Facts read from the RFM quintiles: new quintiles can change them for any customer. */
    private static final Set<String> SCORE_FACTS = Set.of("rfm.r", "rfm.f", "rfm.m");

    private final FeatureSettings settings;
    private final PrivacySettings privacySettings;
    private final InstanceState instance;
    private final SegmentEvaluator evaluator;
    private final EvaluationTiming timing;
    private final long intervalMs;
    private final UserStateSerde serde = UserStateSerde.forOneThread();
    private ProcessorContext<String, Object> context;
    private UserStore users;
    private Deduplication deduplication;
    private FeatureUpdates features;
    private PrivacyRequests privacy;
    private Outputs outputs;
    private PendingEvaluations pending;
    private KeyValueStore<String, SegmentDefinition> definitions;
    private KeyValueStore<String, Model> models;
    private KeyValueStore<String, RfmSketches> sketches;
    private RfmQuintiles quintiles;
    private MemberCounts.Task members;
    private final DueTimes due = new DueTimes();
    /** The pass over every user running now, or null when none runs. */
    private Pass pass;
    private long passGeneration;
    private long passModels;
    /** The scan of the task's users for its RFM sketches, while one runs (else null). */
    private SketchScan sketchScan;
    /** The sketches the quintiles were last merged from. */
    private List<RfmSketches> quintileSources = List.of();
    /** Whether an order or an erasure changed the task's customers since its sketches were last published. */
    private boolean customersChanged;
    private long sketchesPublishedAt;
    /** Wall-clock ms the users waiting now began to (with EvaluationTiming.INTERVAL): when the first of them did. */
    private long waitingSince;

    public UserProcessor(FeatureSettings settings, PrivacySettings privacySettings, InstanceState instance,
            SegmentEvaluator evaluator, EvaluationTiming timing) {
        this.settings = settings;
        this.privacySettings = privacySettings;
        this.instance = instance;
        this.evaluator = evaluator;
        this.timing = timing;
        this.intervalMs = timing.interval() == null ? 0 : timing.interval().toMillis();
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        users = context.getStateStore(StoreNames.USERS);
        deduplication = new Deduplication(context.getStateStore(StoreNames.ORDER_IDS), users.committedWithInput(), settings,
                instance.features());
        features = new FeatureUpdates(settings, context.getStateStore(StoreNames.TIMERS), instance.features());
        privacy = new PrivacyRequests(context.getStateStore(StoreNames.PRIVACY_REQUEST_IDS), privacySettings,
                instance.privacy());
        outputs = new Outputs(context);
        pending = new PendingEvaluations(context, users);
        users.beforeFlush(() -> decidePending(true));
        if (timing.interval() != null) {
            // Between commits, too: at-least-once commits every 30 s, and its outputs are visible at once.
            context.schedule(timing.interval(), PunctuationType.WALL_CLOCK_TIME, timestamp -> decidePending(false));
        }
        definitions = context.getStateStore(StoreNames.DEFINITIONS);
        sketches = context.getStateStore(StoreNames.RFM_SKETCHES);
        models = context.getStateStore(StoreNames.MODELS);
        instance.catalog().sync(definitions);
        instance.models().sync(models);
        passGeneration = instance.catalog().snapshot().generation();
        passModels = instance.models().snapshot().generation();
        // Sketches this task published before (another instance, or before a restart) describe the customers
        // restored with it: they are published again when orders change them, or in a day.
        customersChanged = sketches.get(context.taskId().toString()) == null;
        sketchesPublishedAt = context.currentSystemTimeMs();
        refreshQuintiles();
        Stored stored = scanStored();
        members = instance.members().start(context.taskId().toString(), stored.members());
        // Due times are held in memory: a starting task re-evaluates its stored users once, which schedules
        // them (and covers any pass new quintiles asked for). A task with none has nothing to schedule: its
        // users' events do it, and a pass would only chase them through the store as they arrive.
        if (stored.users() > 0) {
            startPass(ChangeTrigger.TIME);
        } else {
            pass = null;
        }
        context.schedule(settings.punctuationInterval(), settings.timeMode().punctuationType(),
                timestamp -> fireDueTimers(now()));
        // Re-evaluation and the sketches are paced by the wall clock in both modes: a replay, whose stream
        // time jumps hours per record, would otherwise run them on nearly every record.
        context.schedule(reevaluationCadence(), PunctuationType.WALL_CLOCK_TIME, timestamp -> {
            instance.catalog().sync(definitions);
            instance.models().sync(models);
            reevaluate(now());
            continueSketches(sketchBatch());
            // When events stop, what they changed is still written back on time.
            users.writeBackChanged(Integer.MAX_VALUE);
        });
        context.schedule(settings.scoresInterval(), PunctuationType.WALL_CLOCK_TIME, timestamp -> {
            // Without new orders the sketches change only as recency ages: then once a day is enough.
            if (sketchScan == null
                    && (customersChanged || timestamp - sketchesPublishedAt >= SKETCHES_UNCHANGED_MAX.toMillis())) {
                startSketches(now());
                // Its first batch at once: a task of fewer users than a batch publishes now.
                continueSketches(sketchBatch());
                sketchesPublishedAt = timestamp;
            }
            refreshQuintiles();
        });
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        String user = record.key();
        if (record.value() instanceof PrivacyRequest request) {
            if (privacy.first(request)) {
                handle(user, request);
            }
            return;
        }
        long streamTime = context.currentStreamTimeMs();
        instance.streamTime().accumulate(streamTime);
        UserState state = load(user);
        if (record.value() instanceof ClickEvent click) {
            if (!deduplication.firstClick(state.features(), click)) {
                return;
            }
            state = abandonIfLapsed(user, state, record.timestamp());
            features.click(user, state.features(), click, streamTime);
        } else if (record.value() instanceof Order order) {
            if (!deduplication.firstOrder(order)) {
                return;
            }
            state = abandonIfLapsed(user, state, record.timestamp());
            features.order(user, state.features(), order, streamTime);
            customersChanged = true;
        } else {
            return;
        }
        if (!timing.waits()) {
            users.save(user, evaluate(user, state, now(), record.timestamp(), ChangeTrigger.EVENT));
        } else if (timing.interval() == null) {
            users.save(user, state);
            pending.add(user, record.timestamp());
        } else {
            users.save(user, state);
            long wallClock = context.currentSystemTimeMs();
            boolean othersWait = pending.any();
            if (pending.decideNow(user, record.timestamp(), wallClock, intervalMs)) {
                // The user's first event after a quiet interval: decided at once, while what the decision
                // reads is still in the CPU's caches. Their next ones within the interval wait.
                users.save(user, evaluate(user, state, now(), record.timestamp(), ChangeTrigger.EVENT));
            } else if (!othersWait) {
                waitingSince = wallClock;
            }
            if (othersWait && wallClock - waitingSince >= intervalMs) {
                // In a steady stream no one waits longer than an interval: the punctuator runs only between
                // batches of records, or after a poll.
                decidePending(false);
            }
        }
        if (record.value() instanceof Order order) {
            deduplication.rememberOrder(state.features(), order, write -> users.afterStateWritten(user, write));
            writeHeldOrders(user, state);
        }
        // Two at most, so the writes keep up with the users that change (one per event) without a burst.
        users.writeBackChanged(2);
    }

    /**
     * At-least-once: the order ids the user's state holds go to store {@code order-ids} right after that state
     * is written, and leave the state once that write is committed (the user is written again without them).
     */
    private void writeHeldOrders(String user, UserState state) {
        if (!deduplication.holdsUnwrittenOrders(state.features())) {
            return;
        }
        deduplication.writeHeldOrders(state.features(), write -> users.afterStateWritten(user, write),
                (id, time) -> users.afterInputCommitted(() -> forgetCommittedOrder(user, id, time)));
    }

    private void forgetCommittedOrder(String user, String id, long time) {
        UserState state = users.load(user);
        if (state != null && deduplication.forgetCommittedOrder(state.features(), id, time)) {
            users.save(user, state);
        }
    }

    /**
     * The user's state, changed in place by the stages. A record whose processing fails is dead-lettered;
     * what it had already changed stays, as with any store written before a failure.
     */
    private UserState load(String user) {
        UserState state = users.load(user);
        if (state == null) {
            return UserState.empty();
        }
        // Order ids held by a state read from the store (as after a crash) go to store order-ids again.
        writeHeldOrders(user, state);
        return state;
    }

    /** Applies a consent change or an erasure to the user, and audits it. */
    private void handle(String user, PrivacyRequest request) {
        long requestedAt = request.getRequestedAt().toEpochMilli();
        long handledAt = context.currentSystemTimeMs();
        if (request.getType() == PrivacyRequestType.ERASE) {
            erase(user, request, requestedAt, handledAt);
            return;
        }
        UserState state = caughtUp(user, load(user));
        Consent consent = privacy.consentAfter(request);
        if (consent == state.consent()) {
            privacy.remember(request, Runnable::run);
            outputs.audit(privacy.audit(request, PrivacyOutcome.CONSENT_UNCHANGED, List.of(), 0, handledAt));
            return;
        }
        // A user with no state yet gets one holding their consent, so their first events respect it.
        UserState evaluated = evaluate(user, state.withConsent(consent), now(), requestedAt, ChangeTrigger.CONSENT);
        users.save(user, evaluated);
        privacy.remember(request, write -> users.afterStateWritten(user, write));
        int exited = (int) state.membership().segments().keySet().stream()
                .filter(segment -> !evaluated.membership().holds(segment)).count();
        outputs.audit(privacy.audit(request, PrivacyOutcome.CONSENT_RECORDED, List.of(), exited, handledAt));
    }

    /**
     * Erases the user: they leave every segment (EXITED, ERASURE, no feature values), their timers and
     * state are deleted (tombstones in the changelogs) and their membership record is tombstoned. Their
     * later events start a new profile.
     */
    private void erase(String user, PrivacyRequest request, long requestedAt, long handledAt) {
        UserState state = users.load(user);
        // Segments they were about to enter at the next commit were never announced: nothing to exit.
        pending.remove(user);
        List<String> purged = new ArrayList<>();
        List<SegmentEvaluator.RoutedChange> exits = state == null ? List.of()
                : evaluator.exitAll(user, state.membership(), ChangeTrigger.ERASURE, requestedAt, handledAt);
        emit(user, exits);
        if (state != null && features.forget(user, state.features())) {
            purged.add(StoreNames.TIMERS);
        }
        if (users.delete(user)) {
            purged.add(0, StoreNames.USERS);
        }
        // Written once the request is committed, not now: until then a crash makes the events before it
        // come again (under at-least-once) and the user anew, and the request must come again to erase them.
        privacy.remember(request, users::afterInputCommitted);
        members.apply(exits);
        due.forget(user);
        customersChanged = true;
        outputs.membershipErased(user);
        outputs.audit(privacy.audit(request, state == null ? PrivacyOutcome.NOTHING_STORED : PrivacyOutcome.ERASED,
                purged, exits.size(), handledAt));
    }

    /** Fires the abandonment timers due by {@code now}. */
    void fireDueTimers(long now) {
        for (Timers.Due timer : features.dueBy(now)) {
            UserState state = users.load(timer.user());
            if (state != null) {
                state = caughtUp(timer.user(), state);
            }
            CartAbandoned abandonment = features.fire(timer, state == null ? null : state.features(), now);
            if (state == null) {
                continue;
            }
            if (abandonment != null) {
                state = abandoned(timer.user(), state, abandonment, now);
            }
            users.save(timer.user(), state);
        }
    }

    /**
     * The user's state after the abandonment of their cart that their event at {@code eventTime} reveals, if
     * it does ({@link FeatureUpdates#abandonIfLapsed}): emitted and decided as if its timer had fired first.
     */
    private UserState abandonIfLapsed(String user, UserState state, long eventTime) {
        CartAbandoned abandonment = features.abandonIfLapsed(user, state.features(), eventTime);
        return abandonment == null ? state : abandoned(user, caughtUp(user, state), abandonment, now());
    }

    /** Emits the abandonment of the user's cart and decides their segments as of it (trigger TIME). */
    private UserState abandoned(String user, UserState state, CartAbandoned abandonment, long now) {
        // Retargeting is marketing: a user whose consent does not allow it is not handed to it.
        if (privacy.allows(state.consent())) {
            outputs.abandoned(user, abandonment);
        } else {
            privacy.withheld();
        }
        return evaluate(user, state, now, abandonment.getAbandonedAt().toEpochMilli(), ChangeTrigger.TIME);
    }

    /**
     * Decides the segments of every user whose events wait, each for all of their events since their last
     * decision (trigger EVENT, event time of the latest). Runs in the flush before each commit, where each
     * user is written back right after ({@code writeBack}), and with EvaluationTiming.INTERVAL every
     * interval between commits. A user whose evaluation fails keeps their segments until their next
     * evaluation; the failure is logged and counted, and the others are still decided.
     */
    private void decidePending(boolean writeBack) {
        pending.drain((user, eventTime) -> {
            try {
                UserState state = users.load(user);
                if (state != null) {
                    decideEvents(user, state, eventTime);
                }
            } catch (RuntimeException e) {
                instance.segments().evaluationFailed();
                log.error("Deciding the segments of a user of task {} after their events failed; they keep their segments "
                        + "until their next event or time-driven evaluation", context.taskId(), e);
            }
            if (writeBack) {
                // The flush would write the user next anyway: now, while what the decision read is still in the CPU's caches.
                users.writeBack(user);
            }
        });
    }

    /**
     * The user's state with the segments their waiting events decide (trigger EVENT) emitted first, so that
     * a change by time, consent or a pass is told apart from what their events did, as it is with
     * EvaluationTiming.EVENT.
     */
    private UserState caughtUp(String user, UserState state) {
        Long eventTime = pending.remove(user);
        return eventTime == null ? state : decideEvents(user, state, eventTime);
    }

    /** Decides the segments the user's waiting events (the latest at {@code eventTime}) lead to, and keeps them. */
    private UserState decideEvents(String user, UserState state, long eventTime) {
        UserState decided = evaluate(user, state, now(), eventTime, ChangeTrigger.EVENT);
        users.save(user, decided);
        return decided;
    }

    /** Evaluates one user's segments as of now, emits what changed, and returns the state with the new membership. */
    private UserState evaluate(String user, UserState state, long now, long eventTime, ChangeTrigger trigger) {
        long started = System.nanoTime();
        now = notBefore(state, now);
        SegmentCatalog.Snapshot catalog = instance.catalog().snapshot();
        UserFeatures features = state.features().view(user, now, settings, quintiles, catalog.reads(CATEGORY_DWELL));
        SegmentEvaluator.Outcome outcome = evaluator.evaluate(features, catalog, state.membership(), eventTime,
                context.currentSystemTimeMs(), trigger, privacy.allows(state.consent()));
        emit(user, outcome.changes());
        if (outcome.changed()) {
            outputs.membership(user, outcome.current());
        }
        members.apply(outcome.changes());
        users.keepDueSecond(user, due.schedule(user, outcome.nextChange(), users.dueSecond(user)));
        instance.segments().evaluated(System.nanoTime() - started);
        return state.withMembership(outcome.membership());
    }

    /** Sends segment changes to segments.changes (and their segments' topics) and counts them. */
    private void emit(String user, List<SegmentEvaluator.RoutedChange> changes) {
        for (SegmentEvaluator.RoutedChange routed : changes) {
            outputs.change(user, routed.change(), routed.outputTopic());
            instance.segments().changed(routed.change().getSegment(), routed.change().getKind());
        }
    }

    /**
     * Re-evaluates, in bounded batches, the users whose conditions time alone can have changed by
     * {@code now} (their due times), and the next users of a pass over everyone when one runs: after the
     * task starts, a definition or model change, or new RFM quintiles. A pass takes at most
     * reevaluate.interval; a definition change restarts it and its changes say DEFINITION_CHANGE, a
     * published model's say MODEL_CHANGE.
     */
    void reevaluate(long now) {
        long generation = instance.catalog().snapshot().generation();
        long modelGeneration = instance.models().snapshot().generation();
        if (generation != passGeneration) {
            log.info("Segment definitions changed (generation {}): re-evaluating every user of task {}",
                    generation, context.taskId());
            startPass(ChangeTrigger.DEFINITION_CHANGE);
        } else if (modelGeneration != passModels) {
            log.info("Models changed (now {}): re-evaluating every user of task {}",
                    instance.models().snapshot().versions(), context.taskId());
            startPass(ChangeTrigger.MODEL_CHANGE);
        }
        passGeneration = generation;
        passModels = modelGeneration;
        long batch = batchSize();
        if (pass != null) {
            continuePass(now, batch);
        }
        List<String> dueUsers = due.takeDue(now, (int) Math.min(Integer.MAX_VALUE, batch));
        for (String user : dueUsers) {
            UserState held = users.held(user);
            byte[] stored = held == null ? users.get(user) : null;
            if (held != null || stored != null) {
                reevaluate(user, held == null ? serde.decode(stored) : held, now, ChangeTrigger.TIME);
            }
        }
        instance.segments().reevaluated(dueUsers.size());
    }

    /** The next batch of the running pass over every user. */
    private void continuePass(long now, long batch) {
        Pass running = pass;
        // A pass reads the encoded store: at its start every user seen so far is written to it (the users
        // changed since they were last written are not read from memory here, as the sketch scan reads them:
        // see the README's history, thirty-fourth session). Between commits, users changed a second ago are
        // written on this clock too when events do not do it.
        if (running.cursor == null) {
            users.flushCache();
        } else {
            users.writeBackChanged(Integer.MAX_VALUE);
        }
        List<KeyValue<String, byte[]>> next = new ArrayList<>();
        boolean exhausted;
        try (KeyValueIterator<String, byte[]> range = running.cursor == null ? users.all()
                : users.range(running.cursor, null)) {
            while (range.hasNext() && next.size() < batch) {
                KeyValue<String, byte[]> entry = range.next();
                if (!entry.key.equals(running.cursor)) {
                    next.add(entry);
                }
            }
            exhausted = !range.hasNext();
        }
        for (KeyValue<String, byte[]> entry : next) {
            UserState held = users.held(entry.key);
            visit(running, entry.key, held == null ? serde.decode(entry.value) : held, now);
        }
        instance.segments().reevaluated(next.size());
        if (exhausted) {
            log.info("Re-evaluation after {} done for task {}: {} users, {} with a time-driven change ahead{}",
                    running.trigger == ChangeTrigger.TIME ? "start or new quintiles" : running.trigger, context.taskId(),
                    running.users, due.size(), running.timersRestored == 0 ? ""
                            : "; " + running.timersRestored + " abandonment timers put back (lost in a crash under at-least-once)");
            pass = null;
        } else if (!next.isEmpty()) {
            running.cursor = next.get(next.size() - 1).key;
        }
    }

    /** Re-evaluates one user for the pass, putting back an abandonment timer their state asks for. */
    private void visit(Pass running, String user, UserState state, long now) {
        if (features.keepTimer(user, state.features())) {
            running.timersRestored++;
        }
        reevaluate(user, state, now, running.trigger);
        running.users++;
    }

    /**
     * In stream time, {@code now}, or the user's latest event if their state holds a later one. Stream time
     * is the largest event time the task has seen; at-least-once, a restarted task's starts from its committed
     * offsets, while a restored user's state may hold events after them (written back before the crash). Read
     * as of a time before those events, the user's features lose them (views by hour, sessions), and a
     * decision by time would take the user out of segments that the events, replayed as duplicates, never
     * decide again. In wall-clock time {@code now} as it is: an event stamped ahead of the clock does not
     * move a user's "now" either way.
     */
    private long notBefore(UserState state, long now) {
        return settings.timeMode() == TimeMode.STREAM ? Math.max(now, state.features().latestEventTime()) : now;
    }

    /** Evaluates a user read by a pass or due by time, and keeps what changed. */
    private void reevaluate(String user, UserState state, long now, ChangeTrigger trigger) {
        UserState caughtUp = caughtUp(user, state);
        long at = notBefore(caughtUp, now);
        UserState evaluated = evaluate(user, caughtUp, at, at, trigger);
        if (!evaluated.membership().sameAs(state.membership())) {
            users.saveScanned(user, evaluated);
        }
    }

    private void startPass(ChangeTrigger trigger) {
        pass = new Pass(trigger);
    }

    /** A pass over every user in progress. */
    private static final class Pass {
        /** What it re-evaluates for. */
        final ChangeTrigger trigger;
        /** The last user of its previous batch, or null at its start. */
        String cursor;
        long users;
        /** Abandonment timers it put back ({@link FeatureUpdates#keepTimer}). */
        long timersRestored;

        Pass(ChangeTrigger trigger) {
            this.trigger = trigger;
        }
    }

    /** Users per batch: a pass over every user fits in reevaluate.interval. */
    private long batchSize() {
        long userCount = Math.max(1, users.approximateNumEntries());
        long batches = Math.max(1, settings.reevaluateInterval().toMillis() / reevaluationCadence().toMillis());
        return Math.max(MIN_BATCH, (userCount + batches - 1) / batches);
    }

    /**
     * Starts a scan of every user's orders for this task's RFM sketches, as of {@code now}. The clock goes
     * on with it in batches ({@link #continueSketches}): read at once, the 500,000 users of a task held
     * up its events for 2 to 3 s.
     */
    void startSketches(long now) {
        customersChanged = false;
        SketchScan scan = new SketchScan(now);
        // The scan reads the encoded store, which has an older state, or none yet, of the users changed since
        // they were last written: their orders are counted now, from memory, and they are passed over there.
        users.changedStates().forEach((user, state) -> {
            RfmState orders = state.features().rfm();
            if (orders != null) {
                scan.builder.add(orders, now);
            }
            scan.counted.add(user);
        });
        sketchScan = scan;
    }

    /**
     * Reads the next {@code batch} users of the running sketch scan from the store (for a user neither counted
     * at its start nor read yet, what was written since counts); publishes the sketches when it has read them all.
     */
    void continueSketches(long batch) {
        if (sketchScan == null) {
            return;
        }
        SketchScan scan = sketchScan;
        long started = System.nanoTime();
        long read = 0;
        boolean exhausted;
        try (KeyValueIterator<String, byte[]> range = scan.cursor == null ? users.all() : users.range(scan.cursor, null)) {
            while (range.hasNext() && read < batch) {
                KeyValue<String, byte[]> entry = range.next();
                if (entry.key.equals(scan.cursor)) {
                    continue;
                }
                RfmState orders = !scan.counted.isEmpty() && scan.counted.remove(entry.key) ? null
                        : serde.decodeRfm(entry.value);
                if (orders != null) {
                    scan.builder.add(orders, scan.asOf);
                }
                scan.cursor = entry.key;
                read++;
            }
            exhausted = !range.hasNext();
        }
        scan.read += read;
        scan.nanos += System.nanoTime() - started;
        if (exhausted) {
            sketchScan = null;
            String taskId = context.taskId().toString();
            RfmSketches published = scan.builder.build(taskId, scan.asOf);
            outputs.sketches(taskId, published);
            log.info("Task {} published its RFM sketches: {} customers among {} users, read in {} ms", taskId,
                    published.getCustomers(), scan.read + scan.counted.size(), scan.nanos / 1_000_000);
        }
    }

    /** Users per batch of a sketch scan: it is done within one rfm.scores.interval, at MIN_SKETCH_BATCH a second at least. */
    private long sketchBatch() {
        long userCount = Math.max(1, users.approximateNumEntries());
        long batches = Math.max(1, settings.scoresInterval().toMillis() / reevaluationCadence().toMillis());
        return Math.max(MIN_SKETCH_BATCH, (userCount + batches - 1) / batches);
    }

    /**
     * A sketch scan in progress: as of when, what it has read so far and the last user read, and the users
     * counted from memory at its start that it has not passed in the store yet.
     */
    private static final class SketchScan {
        final long asOf;
        final RfmSketchBuilder builder = new RfmSketchBuilder();
        final Set<String> counted = new HashSet<>();
        String cursor;
        long read;
        long nanos;

        SketchScan(long asOf) {
            this.asOf = asOf;
        }
    }

    /** The task's stored users (restored by the time the processor starts): how many, and members per segment. */
    private record Stored(long users, Map<String, Long> members) {}

    private Stored scanStored() {
        Map<String, Long> counted = new HashMap<>();
        long stored = 0;
        try (KeyValueIterator<String, byte[]> all = users.all()) {
            while (all.hasNext()) {
                serde.decodeMembership(all.next().value).forEach((segment, member) -> counted.merge(segment, 1L, Long::sum));
                stored++;
            }
        }
        return new Stored(stored, counted);
    }

    @Override
    public void close() {
        users.beforeFlush(() -> { });
        instance.members().stop(context.taskId().toString(), members);
    }

    /**
     * Merges the published sketches of every task into the quintiles the scores are read from. When they
     * changed and a condition (or the intent model) reads a score, every user is re-evaluated in a pass.
     */
    private void refreshQuintiles() {
        List<RfmSketches> tasks = new ArrayList<>();
        try (KeyValueIterator<String, RfmSketches> entries = sketches.all()) {
            entries.forEachRemaining(entry -> tasks.add(entry.value));
        }
        if (tasks.equals(quintileSources)) {
            return;
        }
        quintileSources = tasks;
        quintiles = tasks.isEmpty() ? null : RfmQuintiles.merge(tasks);
        if (pass == null && readsScores()) {
            startPass(ChangeTrigger.TIME);
        }
    }

    private boolean readsScores() {
        SegmentCatalog.Snapshot catalog = instance.catalog().snapshot();
        return catalog.reads(SCORE_FACTS) || catalog.reads(Set.of("intent.score")) && instance.models().snapshot()
                .intentInputs().stream().anyMatch(fact -> SCORE_FACTS.contains(fact.name()));
    }

    /**
     * How often a batch of re-evaluation runs: every second at most, so each batch is small and the
     * events waiting behind it are not held up (a batch of a sixth of the users every 10 s stalled them).
     */
    private Duration reevaluationCadence() {
        return settings.punctuationInterval().compareTo(CADENCE) < 0 ? settings.punctuationInterval() : CADENCE;
    }

    private long now() {
        return settings.timeMode().now(context);
    }
}
