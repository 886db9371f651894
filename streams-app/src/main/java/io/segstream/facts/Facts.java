package io.segstream.facts;

import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The catalog of facts segment conditions read, the one place their names and types are defined:
 * the condition compiler declares them, evaluation reads them, and the docs list them.
 * Facts folded from events have documented sentinels (-1 days when something never happened); a
 * fact a model predicts is absent (null) when the model is missing or cannot predict it, and a
 * condition that reads an absent fact is false.
 */
public final class Facts {

    /**
     * A user's features plus what the models predict from them. Fact values are read once per input
     * and shared by every condition evaluated on it (and by the models); an input belongs to one
     * evaluation, on one thread.
     */
    public static final class Input {

        private final UserFeatures features;
        private final Predictions predictions;
        private final Object[] values = new Object[ALL.size()];
        private double intentScore = Double.NaN;
        private Lifetime lifetime;

        /** An input whose predictions are computed from its own facts, each once, when first read. */
        public Input(UserFeatures features, Predictions predictions) {
            this.features = features;
            this.predictions = predictions;
        }

        /** An input with a given intent score and no lifetime model. */
        public Input(UserFeatures features, double intentScore) {
            this(features, Predictions.fixedIntent(intentScore));
        }

        public UserFeatures features() {
            return features;
        }

        /** The input of a user with no history, at the same now and with the same models. */
        public Input blank() {
            return new Input(UserFeatures.blank(features.userId(), features.now()), predictions);
        }

        public double intentScore() {
            if (Double.isNaN(intentScore)) {
                intentScore = predictions.intentScore(this);
            }
            return intentScore;
        }

        /** The customer-lifetime prediction; its values are null (with the reason) when there is none. */
        public Lifetime lifetime() {
            if (lifetime == null) {
                lifetime = predictions.lifetime(this);
            }
            return lifetime;
        }

        /** The version of the model {@code name} these facts were predicted with, or null. */
        public String modelVersion(String name) {
            return predictions.versions().get(name);
        }

        /** The value of the fact {@code name}, or null when there is no such fact or it is absent. */
        public Object value(String name) {
            Integer index = INDEX.get(name);
            return index == null ? null : value(index);
        }

        /** The value of {@code fact}, a fact of {@link #ALL}; null when absent. */
        public Object value(Fact fact) {
            return value(INDEX.get(fact.name()));
        }

        /** The value of the fact at {@code index} of {@link #ALL} (see {@link Facts#indexOf}); null when absent. */
        public Object value(int index) {
            Object value = values[index];
            if (value == null) {
                value = ALL.get(index).read().apply(this);
                values[index] = value;
            }
            return value;
        }
    }

    private static final CelType INT = SimpleType.INT;
    private static final CelType DOUBLE = SimpleType.DOUBLE;
    private static final CelType BOOL = SimpleType.BOOL;
    private static final CelType COUNTS = MapType.create(SimpleType.STRING, SimpleType.INT);

    private static final long MINUTE_MS = 60_000L;
    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 86_400_000L;

    private static final Clock.Counter DAYS_SINCE_LAST_PURCHASE = new Clock.Counter(in -> in.features().rfm().lastPurchase(),
            DAY_MS);
    private static final Clock.Counter DAYS_SINCE_FIRST_PURCHASE =
            new Clock.Counter(in -> in.features().rfm().firstPurchase(), DAY_MS);
    /** Day buckets: a window with purchases in it can change at each UTC midnight. */
    private static final Clock RFM_WINDOW = new Clock.Steps((in, now) -> in.features().rfm().windowFrequency() == 0
            && in.features().rfm().windowMonetary().signum() == 0 ? Long.MAX_VALUE : Clock.nextPeriod(now, DAY_MS));
    /** Hour buckets: views age out at the start of an hour. */
    private static final Clock INTEREST_WINDOW = new Clock.Steps((in, now) ->
            in.features().interest().categoryViews().isEmpty() ? Long.MAX_VALUE : Clock.nextPeriod(now, HOUR_MS));
    /**
     * Lifetime predictions move continuously with the customer's age; between events they are looked at
     * again at each whole day since the first purchase.
     */
    private static final Clock LIFETIME = new Clock.Steps((in, now) -> in.modelVersion("clv") == null ? Long.MAX_VALUE
            : DAYS_SINCE_FIRST_PURCHASE.nextChange(in, now));

    public static final List<Fact> ALL = List.of(
            fact("rfm.frequency", INT, "distinct purchases, lifetime", in -> in.features().rfm().frequency()),
            fact("rfm.monetary", DOUBLE, "net spend (purchases minus refunds), lifetime",
                    in -> money(in.features().rfm().monetary())),
            fact("rfm.averageOrderValue", DOUBLE, "monetary / frequency; 0 without purchases",
                    in -> money(in.features().rfm().averageOrderValue())),
            timed("rfm.recencyDays", INT, "days since the last purchase; -1 if none",
                    in -> orMinusOne(in.features().rfm().recencyDays()), DAYS_SINCE_LAST_PURCHASE),
            timed("rfm.daysSinceFirstPurchase", INT, "days since the first purchase; -1 if none",
                    in -> daysSince(in.features().rfm().firstPurchase(), in.features().now()), DAYS_SINCE_FIRST_PURCHASE),
            fact("rfm.refunds", INT, "refund orders, lifetime", in -> in.features().rfm().refunds()),
            timed("rfm.windowFrequency", INT, "purchases in the trailing rfm.window.days",
                    in -> in.features().rfm().windowFrequency(), RFM_WINDOW),
            timed("rfm.windowMonetary", DOUBLE, "net spend in the trailing rfm.window.days",
                    in -> money(in.features().rfm().windowMonetary()), RFM_WINDOW),
            timed("rfm.r", INT, "recency score 1..5 (5 = most recent fifth of customers); 0 if unknown",
                    in -> score(in.features().rfm(), 'r'), new Clock.Steps((in, now) ->
                            in.features().rfm().scores() == null ? Long.MAX_VALUE
                                    : DAYS_SINCE_LAST_PURCHASE.nextChange(in, now))),
            fact("rfm.f", INT, "frequency score 1..5; 0 if unknown", in -> score(in.features().rfm(), 'f')),
            fact("rfm.m", INT, "monetary score 1..5; 0 if unknown", in -> score(in.features().rfm(), 'm')),
            fact("dwell.sessions", INT, "sessions, lifetime", in -> in.features().dwell().sessions()),
            timed("dwell.sessionsLast30Days", INT, "sessions started in the last 30 days",
                    in -> in.features().dwell().sessionsLast30Days(), new Clock.Steps((in, now) ->
                            in.features().dwell().sessionsLast30Days() == 0 ? Long.MAX_VALUE : Clock.nextPeriod(now, DAY_MS))),
            fact("dwell.averageSessionDwellMs", INT, "total dwell / sessions",
                    in -> in.features().dwell().averageSessionDwellMs()),
            timed("dwell.sessionActive", BOOL, "the latest session's last event is within the session gap of now",
                    in -> session(in.features().dwell()) != null && session(in.features().dwell()).active(),
                    new Clock.Steps((in, now) -> {
                        Dwell.CurrentSession session = session(in.features().dwell());
                        return session == null || !session.active() ? Long.MAX_VALUE
                                : session.openUntil().toEpochMilli() + 1;
                    })),
            fact("dwell.sessionDwellMs", INT, "dwell of the latest session",
                    in -> session(in.features().dwell()) == null ? 0L : session(in.features().dwell()).dwellMs()),
            fact("dwell.sessionPages", INT, "page and product views of the latest session",
                    in -> session(in.features().dwell()) == null ? 0L : (long) session(in.features().dwell()).pages()),
            timed("dwell.categoryDwellMs", COUNTS, "dwell per category, last 7 days",
                    in -> in.features().dwell().categoryDwellMsLast7Days(), new Clock.Steps((in, now) ->
                            in.features().dwell().categoryDwellMsLast7Days().isEmpty() ? Long.MAX_VALUE
                                    : Clock.nextPeriod(now, DAY_MS))),
            fact("cart.items", INT, "units in the cart", in -> (long) in.features().cart().items()),
            fact("cart.lines", INT, "distinct products in the cart", in -> (long) in.features().cart().lines().size()),
            fact("cart.value", DOUBLE, "cart value", in -> money(in.features().cart().value())),
            fact("cart.checkoutStarted", BOOL, "checkout started with this cart",
                    in -> in.features().cart().checkoutStarted()),
            fact("cart.abandoned", BOOL, "an abandonment was emitted for the current cart",
                    in -> in.features().cart().abandonedAt() != null),
            timed("cart.minutesSinceActivity", INT, "minutes since the user's last click or order; -1 if none",
                    in -> minutesSince(in.features().cart().lastActivity(), in.features().now()),
                    new Clock.Counter(in -> in.features().cart().lastActivity(), MINUTE_MS)),
            fact("cart.categories", ListType.create(SimpleType.STRING), "categories of the products in the cart",
                    in -> in.features().cart().categories()),
            timed("interest.categoryViews", COUNTS, "product views per category in the interest window",
                    in -> in.features().interest().categoryViews(), INTEREST_WINDOW),
            timed("interest.totalViews", INT, "product views in the interest window",
                    in -> in.features().interest().categoryViews().sum(), INTEREST_WINDOW),
            timed("interest.topCategoryViews", INT, "views of the most viewed category in the interest window",
                    in -> in.features().interest().categoryViews().max(), INTEREST_WINDOW),
            predicted("intent.score", "intent", "purchase-intent score 0..100 from the intent model", Input::intentScore,
                    new Clock.Steps(Facts::nextIntentChange)),
            predicted("clv.pAlive", "clv", "probability the customer is still active (BG/NBD); absent before a purchase",
                    in -> in.lifetime().pAlive(), LIFETIME),
            predicted("clv.expectedPurchases90d", "clv", "expected purchases in the next 90 days (BG/NBD); absent before "
                    + "a purchase", in -> in.lifetime().expectedPurchases90d(), LIFETIME),
            predicted("clv.expectedValue365d", "clv", "expected spend in the next 365 days, in the shop's currency "
                    + "(BG/NBD x Gamma-Gamma); absent before a purchase or without a positive average order value",
                    in -> in.lifetime().expectedValue365d(), LIFETIME),
            timed("time.hourOfDay", INT, "hour of now, UTC, 0..23", in -> (long) utc(in.features().now()).getHour(),
                    new Clock.Steps((in, now) -> Clock.nextPeriod(now, HOUR_MS))),
            timed("time.dayOfWeek", INT, "day of week of now, UTC, 1 = Monday .. 7 = Sunday",
                    in -> (long) utc(in.features().now()).getDayOfWeek().getValue(),
                    new Clock.Steps((in, now) -> Clock.nextPeriod(now, DAY_MS))),
            timed("time.nowMillis", INT, "now, epoch milliseconds", in -> in.features().now(),
                    new Clock.Counter(in -> Instant.EPOCH, 1)));

    /** Each fact's position in {@link #ALL}, by name. */
    private static final Map<String, Integer> INDEX = positions();

    private Facts() {}

    public static Fact named(String name) {
        Integer index = INDEX.get(name);
        return index == null ? null : ALL.get(index);
    }

    /** The position of {@code fact} in {@link #ALL}, for reading it with {@link Input#value(int)}. */
    public static int indexOf(Fact fact) {
        return INDEX.get(fact.name());
    }

    /** A fact time alone does not change. */
    private static Fact fact(String name, CelType type, String description, Function<Input, Object> read) {
        return new Fact(name, type, description, read, null, Clock.NONE);
    }

    private static Fact timed(String name, CelType type, String description, Function<Input, Object> read, Clock clock) {
        return new Fact(name, type, description, read, null, clock);
    }

    /** A fact a model predicts (a double, absent when the model cannot predict it). */
    private static Fact predicted(String name, String model, String description, Function<Input, Object> read,
            Clock clock) {
        return new Fact(name, DOUBLE, description, read, model, clock);
    }

    /** The score moves when one of the facts the intent model reads does. */
    private static long nextIntentChange(Input in, long now) {
        long next = Long.MAX_VALUE;
        for (Clock clock : in.predictions.intentClocks()) {
            next = Math.min(next, clock.nextChange(in, now));
        }
        return next;
    }

    /** The distinct clocks of {@code facts}, in order of first use. */
    public static List<Clock> clocks(List<Fact> facts) {
        return facts.stream().map(Fact::clock).distinct().toList();
    }

    private static Map<String, Integer> positions() {
        Map<String, Integer> positions = new HashMap<>();
        for (int i = 0; i < ALL.size(); i++) {
            positions.put(ALL.get(i).name(), i);
        }
        return positions;
    }

    private static double money(BigDecimal amount) {
        return amount == null ? 0.0 : amount.doubleValue();
    }

    private static long orMinusOne(Long value) {
        return value == null ? -1L : value;
    }

    private static long daysSince(Instant then, long now) {
        return then == null ? -1L : Math.max(0, Math.floorDiv(now - then.toEpochMilli(), 86_400_000L));
    }

    private static long minutesSince(Instant then, long now) {
        return then == null ? -1L : Math.max(0, Math.floorDiv(now - then.toEpochMilli(), 60_000L));
    }

    private static long score(Rfm rfm, char which) {
        if (rfm.scores() == null) {
            return 0L;
        }
        return switch (which) {
            case 'r' -> rfm.scores().r();
            case 'f' -> rfm.scores().f();
            default -> rfm.scores().m();
        };
    }

    private static Dwell.CurrentSession session(Dwell dwell) {
        return dwell.currentSession();
    }

    private static ZonedDateTime utc(long now) {
        return Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC);
    }
}
