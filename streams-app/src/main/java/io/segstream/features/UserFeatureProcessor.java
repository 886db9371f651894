package io.segstream.features;

import io.segstream.avro.CartAbandoned;
import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.LineItem;
import io.segstream.avro.Order;
import io.segstream.avro.RfmSketches;
import io.segstream.config.StoreNames;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Keeps every feature of a user in one task: drops duplicates, updates the rfm, dwell, cart,
 * interest and timeline stores, and on its clock's punctuation emits cart abandonments that are
 * due and publishes this task's RFM sketches. Outputs are {@link CartAbandoned} and {@link RfmSketches}.
 */
public final class UserFeatureProcessor implements Processor<String, SpecificRecord, String, SpecificRecord> {

    private final FeatureSettings settings;
    private final FeatureCounters counters;
    private ProcessorContext<String, SpecificRecord> context;
    private WindowStore<String, Long> dedup;
    private KeyValueStore<String, RfmState> rfm;
    private KeyValueStore<String, DwellState> dwell;
    private KeyValueStore<String, CartState> cart;
    private KeyValueStore<String, InterestState> interest;
    private KeyValueStore<String, Timeline> timelines;
    private Timers timers;

    public UserFeatureProcessor(FeatureSettings settings, FeatureCounters counters) {
        this.settings = settings;
        this.counters = counters;
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
        context.schedule(settings.punctuationInterval(), settings.timeMode().punctuationType(),
                timestamp -> fireDueTimers(settings.timeMode().now(context)));
        context.schedule(settings.scoresInterval(), settings.timeMode().punctuationType(),
                timestamp -> publishSketches(settings.timeMode().now(context)));
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        String user = record.key();
        if (record.value() instanceof ClickEvent click) {
            if (firstSighting("c:" + click.getEventId(), click.getEventTimestamp())) {
                if (click.getType() == ClickEventType.PRODUCT_VIEW) {
                    InterestState views = orNew(interest.get(user), InterestState::new);
                    views.addView(click.getEventTimestamp().toEpochMilli(), click.getCategory(), settings.interestWindow().toMillis());
                    interest.put(user, views);
                }
                applyToTimeline(user, Activity.of(click));
                counters.processed();
            }
        } else if (record.value() instanceof Order order) {
            if (firstSighting("o:" + order.getOrderId(), order.getEventTimestamp())) {
                RfmState orders = orNew(rfm.get(user), RfmState::new);
                if (orders.apply(order, settings.rfmWindowDays())) {
                    rfm.put(user, orders);
                    applyToTimeline(user, Activity.of(order));
                    counters.processed();
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

    private void applyToTimeline(String user, Activity activity) {
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
                context.forward(new Record<>(timer.user(), abandonment(timer.user(), state), abandonedAt));
                counters.abandoned();
            } else {
                armAbandonment(timer.user(), state);
            }
            cart.put(timer.user(), state);
        }
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
        context.forward(new Record<>(taskId, sketches.build(taskId, now), now));
    }

    private static <T> T orNew(T value, java.util.function.Supplier<T> creator) {
        return value != null ? value : creator.get();
    }
}
