package io.segstream.bench;

import io.segstream.avro.ChangeTrigger;
import io.segstream.avro.GeneratedClasses;
import io.segstream.avro.SegmentDefinition;
import io.segstream.facts.Cart;
import io.segstream.facts.CartLine;
import io.segstream.facts.Dwell;
import io.segstream.facts.Interest;
import io.segstream.facts.Rfm;
import io.segstream.facts.RfmScores;
import io.segstream.facts.UserFeatures;
import io.segstream.features.RfmState;
import io.segstream.scoring.IntentModel;
import io.segstream.scoring.ModelCatalog;
import io.segstream.segments.MembershipState;
import io.segstream.segments.SegmentCatalog;
import io.segstream.segments.SegmentEvaluator;
import io.segstream.segments.SegmentSpec;
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
 * changed, exclusive groups, membership diff and the changes emitted) with 10, 100 and 1000
 * definitions, in two mixes:
 *
 * <ul>
 *   <li>{@code catalog}: a shop's catalog of segments ({@link CatalogDefinitions}) over 400 product
 *       categories. Each user
 *       is interested in three categories and goes forward through 128 events (page views, product
 *       views, cart adds and removals, new sessions, purchases), then starts over.
 *   <li>{@code dense}: every definition is one of six conditions on the same few facts with random
 *       thresholds, and users cycle through four events that undo each other; with 1000 definitions an
 *       event changes about 75 memberships (the cost is then that of emitting them).
 * </ul>
 *
 * {@code evaluate}: each call is a user's next event; {@code unchanged}: the user's facts are the same
 * as at their last evaluation. Quote ratios of runs on the same machine.
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
    /**
     * The catalog mix's product categories: the rees46 sample in ../shared/data has 434 category ids in
     * 17,435 events, and its users touch 1.3 categories on average (2 at the 90th percentile).
     */
    private static final String[] SHOP = new String[400];
    private static final int TRAJECTORY = 128;

    static {
        CatalogDefinitions.categories(SHOP.length, List.of()).toArray(SHOP);
    }

    @Param({"10", "100", "1000"})
    public int definitions;

    @Param({"catalog", "dense"})
    public String mix;

    /**
     * Users evaluated in turn (a power of two). With 1024 their state and facts outgrow the CPU's caches,
     * as a stream thread's users do; a few dozen fit, which shows the cost of the work alone.
     */
    @Param({"1024"})
    public int users;

    private SegmentEvaluator evaluator;
    private SegmentCatalog.Snapshot catalog;
    /** Per user, the facts after each of their events, in turn. */
    private final List<UserFeatures[]> histories = new ArrayList<>();
    private int[] events;
    private final List<MembershipState> memberships = new ArrayList<>();
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        GeneratedClasses.trust();
        evaluator = new SegmentEvaluator(new ModelCatalog(IntentModel.defaultModel()));
        Random random = new Random(42);
        SegmentCatalog segments = new SegmentCatalog();
        boolean catalogMix = mix.equals("catalog");
        if (catalogMix) {
            for (SegmentSpec spec : CatalogDefinitions.generate(definitions, List.of(SHOP), 42)) {
                segments.apply(spec.name(), SegmentDefinition.newBuilder().setName(spec.name()).setCondition(spec.condition())
                        .setPriority(spec.priority()).setExclusiveGroup(spec.exclusiveGroup()).setVersion(1)
                        .setUpdatedAt(Instant.ofEpochMilli(NOW)).build());
            }
        } else {
            for (int i = 0; i < definitions; i++) {
                segments.apply("s" + i, definition(i, random));
            }
        }
        catalog = segments.snapshot();
        if (Integer.bitCount(users) != 1) {
            throw new IllegalArgumentException("users must be a power of two, not " + users);
        }
        events = new int[users];
        for (int i = 0; i < users; i++) {
            histories.add(catalogMix ? trajectory(i, random) : events(user(i, random), random));
            // Steady state: the stored membership is what the user currently matches.
            memberships.add(evaluator.evaluate(histories.get(i)[0], catalog, null, NOW, NOW, ChangeTrigger.EVENT, true)
                    .membership());
        }
    }

    @Benchmark
    public Object evaluate() {
        int i = next++ & (users - 1);
        UserFeatures[] history = histories.get(i);
        int event = events[i] = (events[i] + 1) % history.length;
        SegmentEvaluator.Outcome outcome = evaluator.evaluate(history[event], catalog, memberships.get(i), NOW, NOW,
                ChangeTrigger.EVENT, true);
        memberships.set(i, outcome.membership());
        return outcome;
    }

    @Benchmark
    public Object unchanged() {
        int i = next++ & (users - 1);
        return evaluator.evaluate(histories.get(i)[events[i]], catalog, memberships.get(i), NOW, NOW, ChangeTrigger.EVENT, true);
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

    /**
     * A catalog mix user's facts after each of {@value #TRAJECTORY} events, going forward: page views,
     * product views and cart adds in the three categories they are interested in, cart removals, new
     * sessions, sessions ending, purchases (which empty the cart).
     */
    private static UserFeatures[] trajectory(int i, Random random) {
        String[] interests = {SHOP[random.nextInt(SHOP.length)], SHOP[random.nextInt(SHOP.length)],
                SHOP[random.nextInt(SHOP.length)]};
        RfmState orders = new RfmState();
        int purchases = random.nextInt(4);
        for (int k = 0; k < purchases; k++) {
            orders.apply(order("u" + i, "o" + i + "-" + k, new BigDecimal(10 + random.nextInt(200)),
                    NOW - (1 + random.nextInt(300)) * 86_400_000L), 365);
        }
        Map<String, Long> views = new java.util.HashMap<>();
        views.put(interests[0], (long) random.nextInt(4));
        List<CartLine> lines = new ArrayList<>();
        int pages = 1;
        long dwellMs = 0;
        boolean active = true;
        long sessions = 1 + random.nextInt(10);
        // As in the pipeline, a part of the facts that an event leaves alone is the same object after it
        // (the features keep their views until what they are made from changes).
        Interest interest = null;
        Cart cart = null;
        Rfm rfm = null;
        UserFeatures[] trajectory = new UserFeatures[TRAJECTORY];
        for (int event = 0; event < TRAJECTORY; event++) {
            Map<String, Long> viewsBefore = views;
            List<CartLine> linesBefore = lines;
            long ordersBefore = orders.purchases();
            double step = random.nextDouble();
            String category = interests[random.nextInt(interests.length)];
            if (step < 0.40) {
                pages++;
                dwellMs += 20_000 + random.nextInt(40_000);
                active = true;
            } else if (step < 0.75) {
                views = new java.util.HashMap<>(views);
                views.merge(category, 1L, Long::sum);
            } else if (step < 0.87) {
                lines = new ArrayList<>(lines);
                lines.add(new CartLine("p" + event, category, 1, new BigDecimal(10 + random.nextInt(110))));
            } else if (step < 0.90 && !lines.isEmpty()) {
                lines = new ArrayList<>(lines.subList(0, lines.size() - 1));
            } else if (step < 0.94) {
                sessions++;
                pages = 1;
                dwellMs = 0;
                active = true;
            } else if (step < 0.97) {
                active = false;
            } else {
                BigDecimal total = lines.stream().map(CartLine::unitPrice).reduce(new BigDecimal("30"), BigDecimal::add);
                orders.apply(order("u" + i, "o" + i + "-e" + event, total, NOW - 60_000), 365);
                lines = List.of();
            }
            if (cart == null || lines != linesBefore) {
                BigDecimal value = lines.stream().map(CartLine::unitPrice).reduce(BigDecimal.ZERO, BigDecimal::add);
                cart = new Cart(lines, value, lines.size(), "EUR", Instant.ofEpochMilli(NOW - 90 * 60_000), false, null,
                        "s");
            }
            if (interest == null || views != viewsBefore) {
                interest = new Interest(views);
            }
            if (rfm == null || orders.purchases() != ordersBefore) {
                RfmScores scores = orders.view(NOW, 365, null).frequency() == 0 ? null : new RfmScores(3, 3, 3);
                rfm = orders.view(NOW, 365, null).withScores(scores);
            }
            Dwell dwell = new Dwell(new Dwell.CurrentSession("s" + sessions, Instant.ofEpochMilli(NOW - 600_000),
                    Instant.ofEpochMilli(NOW - 60_000), dwellMs, pages, active, Instant.ofEpochMilli(NOW + 1_740_000)),
                    sessions, Math.min(sessions, 5), 120_000, 600_000, Map.of());
            trajectory[event] = new UserFeatures("u" + i, NOW, rfm, dwell, cart, interest);
        }
        return trajectory;
    }

    private static io.segstream.avro.Order order(String user, String id, BigDecimal total, long at) {
        return io.segstream.avro.Order.newBuilder().setOrderId(id).setUserId(user)
                .setType(io.segstream.avro.OrderType.PURCHASE).setTotal(total).setCurrency("EUR")
                .setEventTimestamp(Instant.ofEpochMilli(at)).build();
    }

    /** The dense mix: RFM thresholds, cart and session conditions, category interest, intent; some grouped. */
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
            orders.apply(order("u" + i, "o" + i + "-" + k, new BigDecimal(10 + random.nextInt(200)),
                    NOW - random.nextInt(300) * 86_400_000L), 365);
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
                orders.view(NOW, 365, null).withScores(purchases == 0 ? null : new RfmScores(1 + random.nextInt(5),
                        1 + random.nextInt(5), 1 + random.nextInt(5))),
                dwell, cart, new Interest(views));
    }
}
