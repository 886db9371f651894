package io.segstream.bench;

import io.segstream.avro.ChangeTrigger;
import io.segstream.avro.GeneratedClasses;
import io.segstream.avro.SegmentDefinition;
import io.segstream.facts.Cart;
import io.segstream.facts.CartLine;
import io.segstream.facts.Dwell;
import io.segstream.facts.Interest;
import io.segstream.facts.RfmScores;
import io.segstream.facts.UserFeatures;
import io.segstream.features.RfmState;
import io.segstream.scoring.IntentModel;
import io.segstream.scoring.ModelCatalog;
import io.segstream.segments.MembershipState;
import io.segstream.segments.SegmentCatalog;
import io.segstream.segments.SegmentEvaluator;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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

/**
 * Cost of evaluating one user's segments after an event (intent score, the conditions whose facts
 * changed, exclusive groups, membership diff) with 10, 100 and 1000 definitions. {@code evaluate}:
 * each call is a user's next event, which changes a few facts (a page view, a product view, a cart
 * add, in turn); {@code unchanged}: the user's facts are the same as at their last evaluation;
 * {@code baseline}: no definitions (feature read and intent score only), measured in the same run;
 * quote ratios.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SegmentEvaluationBenchmark {

    private static final long NOW = Instant.parse("2026-11-20T12:00:00Z").toEpochMilli();
    private static final String[] CATEGORIES = {"audio", "shoes", "books", "garden", "toys", "kitchen"};

    @Param({"10", "100", "1000"})
    public int definitions;

    private SegmentEvaluator evaluator;
    private SegmentCatalog.Snapshot catalog;
    private SegmentCatalog.Snapshot empty;
    /** Per user, the facts after each of their events, in turn. */
    private final List<UserFeatures[]> users = new ArrayList<>();
    private final int[] events = new int[1024];
    private final List<MembershipState> memberships = new ArrayList<>();
    private final MembershipState noMembership = new MembershipState();
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        GeneratedClasses.trust();
        evaluator = new SegmentEvaluator(new ModelCatalog(IntentModel.defaultModel()));
        Random random = new Random(42);
        SegmentCatalog segments = new SegmentCatalog();
        for (int i = 0; i < definitions; i++) {
            segments.apply("s" + i, definition(i, random));
        }
        catalog = segments.snapshot();
        empty = new SegmentCatalog().snapshot();
        for (int i = 0; i < 1024; i++) {
            users.add(events(user(i, random), random));
            // Steady state: the stored membership is what the user currently matches.
            memberships.add(evaluator.evaluate(users.get(i)[0], catalog, null, NOW, NOW, ChangeTrigger.EVENT, true)
                    .membership());
        }
    }

    @Benchmark
    public Object evaluate() {
        int i = next++ & 1023;
        UserFeatures[] history = users.get(i);
        int event = events[i] = (events[i] + 1) % history.length;
        SegmentEvaluator.Outcome outcome = evaluator.evaluate(history[event], catalog, memberships.get(i), NOW, NOW,
                ChangeTrigger.EVENT, true);
        memberships.set(i, outcome.membership());
        return outcome;
    }

    @Benchmark
    public Object unchanged() {
        int i = next++ & 1023;
        return evaluator.evaluate(users.get(i)[events[i]], catalog, memberships.get(i), NOW, NOW, ChangeTrigger.EVENT, true);
    }

    @Benchmark
    public Object baseline() {
        int i = next++ & 1023;
        return evaluator.evaluate(users.get(i)[0], empty, noMembership, NOW, NOW, ChangeTrigger.EVENT, true);
    }

    /**
     * The user's facts after each of four events, in turn: a page view (session pages and dwell), a
     * product view (one category's views), a cart add (one more line), and back (a new session).
     */
    private static UserFeatures[] events(UserFeatures user, Random random) {
        Dwell.CurrentSession session = user.dwell().currentSession();
        Dwell.CurrentSession longer = new Dwell.CurrentSession(session.sessionId(), session.start(), session.lastActivity(),
                session.dwellMs() + 30_000, session.pages() + 1, true, session.openUntil());
        UserFeatures pageView = new UserFeatures(user.userId(), NOW, user.rfm(), new Dwell(longer, user.dwell().sessions(),
                user.dwell().sessionsLast30Days(), user.dwell().averageSessionDwellMs(), user.dwell().totalDwellMs(),
                user.dwell().categoryDwellMsLast7Days()), user.cart(), user.interest());
        Map<String, Long> views = new java.util.HashMap<>(user.interest().categoryViews());
        views.merge(CATEGORIES[random.nextInt(CATEGORIES.length)], 1L, Long::sum);
        UserFeatures productView = new UserFeatures(user.userId(), NOW, user.rfm(), pageView.dwell(), user.cart(),
                new Interest(views));
        List<CartLine> lines = new ArrayList<>(user.cart().lines());
        lines.add(new CartLine("p" + lines.size(), CATEGORIES[random.nextInt(CATEGORIES.length)], 1, new BigDecimal("25.00")));
        Cart cart = new Cart(lines, user.cart().value().add(new BigDecimal("25.00")), user.cart().items() + 1, "EUR",
                user.cart().lastActivity(), user.cart().checkoutStarted(), null, "s");
        UserFeatures cartAdd = new UserFeatures(user.userId(), NOW, user.rfm(), pageView.dwell(), cart, productView.interest());
        return new UserFeatures[] {user, pageView, productView, cartAdd};
    }

    /** A realistic mix: RFM thresholds, cart and session conditions, category interest, intent; some grouped. */
    private static SegmentDefinition definition(int i, Random random) {
        String category = CATEGORIES[random.nextInt(CATEGORIES.length)];
        String condition = switch (i % 6) {
            case 0 -> "rfm.frequency >= " + (1 + random.nextInt(8)) + " && rfm.recencyDays >= 0 && rfm.recencyDays <= "
                    + (10 + random.nextInt(200));
            case 1 -> "cart.items > " + random.nextInt(3) + " && cart.value > " + (10 + random.nextInt(200)) + ".0";
            case 2 -> "interest.categoryViews.exists(c, interest.categoryViews[c] > " + (1 + random.nextInt(5))
                    + " && !(c in cart.categories))";
            case 3 -> "intent.score >= " + (20 + random.nextInt(70)) + ".0";
            case 4 -> "dwell.sessionActive && dwell.sessionPages >= " + (1 + random.nextInt(10));
            default -> "'" + category + "' in interest.categoryViews && rfm.m >= " + (1 + random.nextInt(5));
        };
        SegmentDefinition.Builder builder = SegmentDefinition.newBuilder().setName("s" + i).setCondition(condition)
                .setPriority(random.nextInt(100)).setVersion(1).setUpdatedAt(Instant.ofEpochMilli(NOW));
        if (i % 10 == 0) {
            builder.setExclusiveGroup("group-" + (i / 100));
        }
        return builder.build();
    }

    private static UserFeatures user(int i, Random random) {
        RfmState orders = new RfmState();
        int purchases = random.nextInt(8);
        for (int k = 0; k < purchases; k++) {
            orders.apply(io.segstream.avro.Order.newBuilder().setOrderId("o" + i + "-" + k).setUserId("u" + i)
                    .setType(io.segstream.avro.OrderType.PURCHASE).setTotal(new BigDecimal(10 + random.nextInt(200)))
                    .setCurrency("EUR").setEventTimestamp(Instant.ofEpochMilli(NOW - random.nextInt(300) * 86_400_000L))
                    .build(), 365);
        }
        int items = random.nextInt(4);
        List<CartLine> lines = new ArrayList<>();
        for (int k = 0; k < items; k++) {
            lines.add(new CartLine("p" + k, CATEGORIES[random.nextInt(CATEGORIES.length)], 1, new BigDecimal("25.00")));
        }
        Cart cart = new Cart(lines, new BigDecimal(25 * items), items, "EUR", Instant.ofEpochMilli(NOW - 60_000),
                random.nextInt(5) == 0, null, "s");
        Dwell dwell = new Dwell(new Dwell.CurrentSession("s", Instant.ofEpochMilli(NOW - 600_000),
                Instant.ofEpochMilli(NOW - 60_000), random.nextInt(600_000), random.nextInt(15), random.nextBoolean(),
                Instant.ofEpochMilli(NOW + 1_740_000)),
                1 + random.nextInt(20), random.nextInt(5), 120_000, 600_000, Map.of(CATEGORIES[0], 30_000L));
        Map<String, Long> views = new java.util.HashMap<>();
        views.put(CATEGORIES[random.nextInt(CATEGORIES.length)], (long) random.nextInt(8));
        views.merge(CATEGORIES[random.nextInt(CATEGORIES.length)], (long) random.nextInt(3), Long::sum);
        return new UserFeatures("u" + i, NOW,
                orders.view(NOW, 365, purchases == 0 ? null : new RfmScores(1 + random.nextInt(5), 1 + random.nextInt(5),
                        1 + random.nextInt(5))),
                dwell, cart, new Interest(views));
    }
}
