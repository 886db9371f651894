package io.segstream.features;

import io.segstream.avro.CartAbandoned;
import io.segstream.avro.ChangeTrigger;
import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.LineItem;
import io.segstream.avro.Order;
import io.segstream.avro.RfmSketches;
import io.segstream.avro.SegmentDefinition;
import io.segstream.config.StoreNames;
import io.segstream.segments.MembershipState;
import io.segstream.segments.SegmentCatalog;
import io.segstream.segments.SegmentEvaluator;
import io.segstream.topology.InstanceState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every feature of a user in one task: drops duplicates, updates the rfm, dwell, cart,
 * interest and timeline stores, then evaluates the user's segments and emits what changed. On its
 * clock's punctuation it emits due cart abandonments, re-evaluates a bounded batch of users (so
 * time alone moves users, and definition changes reach everyone within reevaluate.interval) and
 * publishes this task's RFM sketches. Outputs: {@link CartAbandoned}, {@link RfmSketches},
 * SegmentChange (header {@link #ROUTE_HEADER} names a segment's own topic) and UserSegments.
 */
public final class UserFeatureProcessor implements Processor<String, SpecificRecord, String, SpecificRecord> {

    /** Header of a SegmentChange that must also go to its segment's output topic. */
    public static final String ROUTE_HEADER = "segstream.route";

    private static final Logger log = LoggerFactory.getLogger(UserFeatureProcessor.class);
    private static final int MIN_SWEEP_BATCH = 100;

    private final FeatureSettings settings;
    private final FeatureCounters counters;
    private final InstanceState instance;
    private final SegmentEvaluator evaluator;
    private ProcessorContext<String, SpecificRecord> context;
    private WindowStore<String, Long> dedup;
    private KeyValueStore<String, RfmState> rfm;
    private KeyValueStore<String, DwellState> dwell;
    private KeyValueStore<String, CartState> cart;
    private KeyValueStore<String, InterestState> interest;
    private KeyValueStore<String, Timeline> timelines;
    private Timers timers;
    private KeyValueStore<String, MembershipState> membership;
    private KeyValueStore<String, SegmentDefinition> definitions;
    private KeyValueStore<String, RfmSketches> sketches;
    private RfmQuintiles quintiles;
    private String sweepCursor;
    private long sweepGeneration;
    private ChangeTrigger sweepTrigger = ChangeTrigger.TIME;
    private long sweepPassUsers;

    public UserFeatureProcessor(FeatureSettings settings, InstanceState instance, SegmentEvaluator evaluator) {
        this.settings = settings;
        this.counters = instance.features();
        this.instance = instance;
        this.evaluator = evaluator;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        dedup = context.getStateStore(StoreNames.DEDUP);
        rfm = context.getStateStore(StoreNames.RFM);
        dwell = context.getStateStore(StoreNames.DWELL);
        cart = context.getStateStore(StoreNames.CART);
        interest = context.getStateStore(StoreNames.INTEREST);
        timelines = context.getStateStore(StoreNames.TIMELINE);
        timers = new Timers(context.getStateStore(StoreNames.TIMERS));
        membership = context.getStateStore(StoreNames.MEMBERSHIP);
        definitions = context.getStateStore(StoreNames.DEFINITIONS);
        sketches = context.getStateStore(StoreNames.RFM_SKETCHES);
        instance.catalog().sync(definitions);
        sweepGeneration = instance.catalog().snapshot().generation();
        refreshQuintiles();
        context.schedule(settings.punctuationInterval(), settings.timeMode().punctuationType(),
                timestamp -> fireDueTimers(settings.timeMode().now(context)));
        // The sweep is paced by the wall clock in both modes: a replay, whose stream time jumps hours
        // per record, would otherwise sweep on nearly every record.
        context.schedule(settings.punctuationInterval(), PunctuationType.WALL_CLOCK_TIME, timestamp -> {
            instance.catalog().sync(definitions);
            sweep(settings.timeMode().now(context));
        });
        context.schedule(settings.scoresInterval(), settings.timeMode().punctuationType(),
                timestamp -> {
                    publishSketches(settings.timeMode().now(context));
                    refreshQuintiles();
                });
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        String user = record.key();
        instance.streamTime().accumulate(context.currentStreamTimeMs());
        if (record.value() instanceof ClickEvent click) {
            if (firstSighting("c:" + click.getEventId(), click.getEventTimestamp())) {
                InterestState views = interest.get(user);
                if (click.getType() == ClickEventType.PRODUCT_VIEW) {
                    views = orNew(views, InterestState::new);
                    views.addView(click.getEventTimestamp().toEpochMilli(), click.getCategory(), settings.interestWindow().toMillis());
                    interest.put(user, views);
                }
                Touched touched = applyToTimeline(user, Activity.of(click));
                counters.processed();
                evaluate(user, record.timestamp(), ChangeTrigger.EVENT, rfm.get(user), touched.dwell(), touched.cart(), views);
            }
        } else if (record.value() instanceof Order order) {
            if (firstSighting("o:" + order.getOrderId(), order.getEventTimestamp())) {
                RfmState orders = orNew(rfm.get(user), RfmState::new);
                if (orders.apply(order, settings.rfmWindowDays())) {
                    rfm.put(user, orders);
                    Touched touched = applyToTimeline(user, Activity.of(order));
                    counters.processed();
                    evaluate(user, record.timestamp(), ChangeTrigger.EVENT, orders, touched.dwell(), touched.cart(),
                            interest.get(user));
                } else {
                    counters.duplicate();
                }
            }
        }
    }

    private boolean firstSighting(String id, Instant at) {
        long time = at.toEpochMilli();
        long retention = settings.dedupRetention().toMillis();
        try (WindowStoreIterator<Long> seen = dedup.fetch(id, Instant.ofEpochMilli(time - retention),
                Instant.ofEpochMilli(time + retention))) {
            if (seen.hasNext()) {
                counters.duplicate();
                return false;
            }
        }
        dedup.put(id, time, time);
        return true;
    }

    /** The user's cart and dwell after an activity, to evaluate without reading them back. */
    private record Touched(CartState cart, DwellState dwell) {}

    private Touched applyToTimeline(String user, Activity activity) {
        long gap = settings.sessionGap().toMillis();
        long dwellMax = settings.dwellMaxMs();
        Timeline timeline = orNew(timelines.get(user), Timeline::new);
        CartState liveCart = orNew(cart.get(user), CartState::new);
        DwellState liveDwell = orNew(dwell.get(user), DwellState::new);
        boolean cartChanged;
        if (timeline.insert(activity)) {
            cartChanged = liveCart.fold(activity);
            liveDwell.fold(activity, gap, dwellMax);
        } else {
            liveCart = timeline.refoldCart(liveCart);
            liveDwell = timeline.refoldDwell(gap, dwellMax);
            cartChanged = activity.kind() == Activity.Kind.ADD_TO_CART || activity.kind() == Activity.Kind.REMOVE_FROM_CART
                    || activity.kind() == Activity.Kind.PURCHASE;
        }
        timeline.settle(context.currentStreamTimeMs() - settings.grace().toMillis(), gap, dwellMax);
        if (cartChanged) {
            liveCart.abandonedAt = null;
        }
        armAbandonment(user, liveCart);
        timelines.put(user, timeline);
        cart.put(user, liveCart);
        if (activity.isClick()) {
            dwell.put(user, liveDwell);
        }
        return new Touched(liveCart, liveDwell);
    }

    /** Keeps exactly one abandonment timer per non-empty, not yet abandoned cart, due at last activity + timeout. */
    private void armAbandonment(String user, CartState state) {
        Long due = !state.isEmpty() && state.abandonedAt == null
                ? state.lastActivity + settings.abandonAfter().toMillis()
                : null;
        if (Objects.equals(due, state.timerDue)) {
            return;
        }
        if (state.timerDue != null) {
            timers.cancel(Timers.Kind.CART_ABANDON, user, state.timerDue);
        }
        if (due != null) {
            timers.schedule(Timers.Kind.CART_ABANDON, user, due);
        }
        state.timerDue = due;
    }

    void fireDueTimers(long now) {
        for (Timers.Due timer : timers.dueBy(now)) {
            timers.cancel(timer.kind(), timer.user(), timer.due());
            CartState state = cart.get(timer.user());
            if (state == null || !Objects.equals(state.timerDue, timer.due())) {
                continue;
            }
            state.timerDue = null;
            long abandonedAt = state.lastActivity + settings.abandonAfter().toMillis();
            if (!state.isEmpty() && state.abandonedAt == null && abandonedAt <= now) {
                state.abandonedAt = abandonedAt;
                context.forward(new Record<>(timer.user(), abandonment(timer.user(), state), writtenAt()));
                counters.abandoned();
                cart.put(timer.user(), state);
                evaluate(timer.user(), abandonedAt, ChangeTrigger.TIME);
            } else {
                armAbandonment(timer.user(), state);
                cart.put(timer.user(), state);
            }
        }
    }

    /** Evaluates one user's segments as of now, reading their states from the stores. */
    private void evaluate(String user, long eventTime, ChangeTrigger trigger) {
        evaluate(user, eventTime, trigger, rfm.get(user), dwell.get(user), cart.get(user), interest.get(user));
    }

    /** Evaluates one user's segments as of now from states already in hand, and emits the changes. */
    private void evaluate(String user, long eventTime, ChangeTrigger trigger, RfmState rfmState, DwellState dwellState,
            CartState cartState, InterestState interestState) {
        long started = System.nanoTime();
        long now = settings.timeMode().now(context);
        SegmentCatalog.Snapshot catalog = instance.catalog().snapshot();
        MembershipState stored = membership.get(user);
        SegmentEvaluator.Outcome outcome = evaluator.evaluate(
                FeatureViews.read(user, now, settings, rfmState, dwellState, cartState, interestState, quintiles),
                catalog, stored, eventTime, context.currentSystemTimeMs(), trigger);
        if (stored == null ? !outcome.membership().segments().isEmpty()
                : !stored.segments().equals(outcome.membership().segments())) {
            membership.put(user, outcome.membership());
        }
        for (SegmentEvaluator.RoutedChange routed : outcome.changes()) {
            RecordHeaders headers = new RecordHeaders();
            if (routed.outputTopic() != null) {
                headers.add(ROUTE_HEADER, routed.outputTopic().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            context.forward(new Record<>(user, (SpecificRecord) routed.change(), writtenAt(), headers));
            instance.segments().changed(routed.change().getSegment(), routed.change().getKind());
        }
        if (outcome.changed()) {
            context.forward(new Record<>(user, (SpecificRecord) outcome.current(), writtenAt()));
        }
        instance.segments().evaluated(System.nanoTime() - started);
    }

    /**
     * Re-evaluates the next batch of users. A full pass over every user takes at most
     * reevaluate.interval; a definition change restarts the pass, and its changes say DEFINITION_CHANGE.
     */
    void sweep(long now) {
        long generation = instance.catalog().snapshot().generation();
        if (generation != sweepGeneration) {
            log.info("Segment definitions changed (generation {}): re-evaluating every user of task {}",
                    generation, context.taskId());
            sweepTrigger = ChangeTrigger.DEFINITION_CHANGE;
            sweepGeneration = generation;
            sweepCursor = null;
            sweepPassUsers = 0;
        }
        // Every user has a cart entry (written on each click and order); its values are small to read.
        long users = Math.max(1, cart.approximateNumEntries());
        long passes = Math.max(1, settings.reevaluateInterval().toMillis() / settings.punctuationInterval().toMillis());
        long batch = Math.max(MIN_SWEEP_BATCH, (users + passes - 1) / passes);
        List<String> keys = new ArrayList<>();
        boolean exhausted;
        try (KeyValueIterator<String, CartState> range = sweepCursor == null ? cart.all() : cart.range(sweepCursor, null)) {
            while (range.hasNext() && keys.size() < batch) {
                String key = range.next().key;
                if (!key.equals(sweepCursor)) {
                    keys.add(key);
                }
            }
            exhausted = !range.hasNext();
        }
        keys.forEach(user -> evaluate(user, now, sweepTrigger));
        sweepPassUsers += keys.size();
        instance.segments().swept(keys.size());
        if (exhausted) {
            if (sweepTrigger == ChangeTrigger.DEFINITION_CHANGE) {
                log.info("Re-evaluation after definition change done for task {}: {} users", context.taskId(), sweepPassUsers);
            }
            sweepTrigger = ChangeTrigger.TIME;
            sweepCursor = null;
            sweepPassUsers = 0;
        } else if (!keys.isEmpty()) {
            sweepCursor = keys.get(keys.size() - 1);
        }
    }

    private void refreshQuintiles() {
        List<RfmSketches> tasks = new ArrayList<>();
        try (KeyValueIterator<String, RfmSketches> entries = sketches.all()) {
            entries.forEachRemaining(entry -> tasks.add(entry.value));
        }
        quintiles = tasks.isEmpty() ? null : RfmQuintiles.merge(tasks);
    }

    private static CartAbandoned abandonment(String user, CartState state) {
        List<LineItem> lines = new ArrayList<>();
        state.lines.values().forEach(line -> lines.add(LineItem.newBuilder().setProductId(line.productId())
                .setCategory(line.category()).setQuantity(line.quantity()).setUnitPrice(line.unitPrice()).build()));
        return CartAbandoned.newBuilder()
                .setUserId(user)
                .setSessionId(state.sessionId)
                .setLines(lines)
                .setCartValue(state.value())
                .setCurrency(state.currency)
                .setLastActivity(Instant.ofEpochMilli(state.lastActivity))
                .setAbandonedAt(Instant.ofEpochMilli(state.abandonedAt))
                .build();
    }

    void publishSketches(long now) {
        RfmSketchBuilder sketches = new RfmSketchBuilder();
        try (KeyValueIterator<String, RfmState> customers = rfm.all()) {
            while (customers.hasNext()) {
                KeyValue<String, RfmState> customer = customers.next();
                sketches.add(customer.value, now);
            }
        }
        String taskId = context.taskId().toString();
        context.forward(new Record<>(taskId, sketches.build(taskId, now), writtenAt()));
    }

    /**
     * The Kafka timestamp of every output: the wall-clock time it is written, never the event's time.
     * A broker refuses records stamped more than log.message.timestamp.after.max.ms ahead and deletes
     * records stamped older than retention.ms, so outputs of events from the future or the past would
     * otherwise fail the task or vanish before anyone reads them. Event time is in the payload.
     */
    private long writtenAt() {
        return context.currentSystemTimeMs();
    }

    private static <T> T orNew(T value, java.util.function.Supplier<T> creator) {
        return value != null ? value : creator.get();
    }
}
