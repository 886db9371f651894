package io.segstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.config.SegStreamConfig;
import io.segstream.testing.Events;
import io.segstream.testing.PipelineDriver;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.avro.specific.SpecificRecord;

/** Records arriving out of order within grace leave exactly the store values in-order arrival leaves. */
class OutOfOrderProperties {

    private static final Instant START = Instant.parse("2026-11-20T10:00:00Z");
    private static final String[] CATEGORIES = {"shoes", "hats", "bags"};
    private static final String[] PRODUCTS = {"sku-1", "sku-2", "sku-3"};

    @Property(tries = 40)
    void shuffledWithinGraceGivesTheSameFeaturesAsInOrder(@ForAll("seeds") long seed,
            @ForAll @IntRange(min = 5, max = 40) int events) {
        List<Timed> history = history(new Random(seed), events, random -> START.plusSeconds(random.nextInt(50 * 60)));
        List<Timed> inOrder = new ArrayList<>(history);
        inOrder.sort(Comparator.comparing(Timed::at).thenComparing(Timed::id));
        List<Timed> shuffled = new ArrayList<>(history);
        Collections.shuffle(shuffled, new Random(seed + 1));

        assertThat(featuresAfter(shuffled)).isEqualTo(featuresAfter(inOrder));
    }

    /**
     * A busy user's events share milliseconds; they arrive in time order, but within a millisecond in any
     * order (their order there is by id, not by arrival). Spread over up to 30 milliseconds, ties also land
     * after more than Timeline.CHECKPOINT_SPACING newer milliseconds without one.
     */
    @Property(tries = 60)
    void eventsSharingMillisecondsGiveTheSameFeaturesWhateverOrderTheyArriveInWithinOne(@ForAll("seeds") long seed,
            @ForAll @IntRange(min = 5, max = 80) int events, @ForAll @IntRange(min = 1, max = 30) int milliseconds) {
        List<Timed> history = sharingMilliseconds(new Random(seed), events, milliseconds);
        List<Timed> tiesShuffled = tiesShuffled(history, seed);

        // Each in its place: folded on top, never again.
        assertThat(featuresAfter(tiesShuffled)).isEqualTo(featuresAfter(inOrder(history)));
    }

    /**
     * Events sharing milliseconds, mostly in time order with some a few places late: late ones land
     * behind newer milliseconds, before and after the checkpoints kept after the first of them.
     */
    @Property(tries = 80)
    void eventsSharingMillisecondsGiveTheSameFeaturesWhenSomeArriveLate(@ForAll("seeds") long seed,
            @ForAll @IntRange(min = 5, max = 80) int events, @ForAll @IntRange(min = 1, max = 30) int milliseconds) {
        Random random = new Random(seed);
        List<Timed> history = sharingMilliseconds(random, events, milliseconds);
        List<Timed> arrivals = tiesShuffled(history, seed);
        for (int i = 0; i < arrivals.size(); i++) {
            if (random.nextInt(4) == 0) {
                Collections.swap(arrivals, i, Math.min(arrivals.size() - 1, i + 1 + random.nextInt(5)));
            }
        }

        assertThat(featuresAfter(arrivals)).isEqualTo(featuresAfter(inOrder(history)));
    }

    /**
     * A busy user: up to 150 events, 20 s apart and often sharing one, in time order but for some that
     * arrive up to 40 places late; beyond timeline.max.recent the oldest are settled early (never one a
     * late event lands behind). The late ones are folded again from the checkpoints kept after the first,
     * which settling and later late ones move or drop.
     */
    @Property(tries = 40)
    void aBusyUsersLateEventsGiveTheSameFeaturesAsInOrder(@ForAll("seeds") long seed,
            @ForAll @IntRange(min = 30, max = 150) int events, @ForAll @IntRange(min = 45, max = 200) int maxRecent) {
        Random random = new Random(seed);
        List<Timed> history = history(random, events, r -> START.plusSeconds(20L * r.nextInt(events)));
        List<Timed> arrivals = tiesShuffled(history, seed);
        for (int i = arrivals.size() - 1; i >= 0; i--) {
            if (random.nextInt(7) == 0) {
                arrivals.add(Math.min(arrivals.size() - 1, i + 1 + random.nextInt(40)), arrivals.remove(i));
            }
        }
        Map<String, String> settings = Map.of(SegStreamConfig.TIMELINE_MAX_RECENT, String.valueOf(maxRecent));

        assertThat(featuresAfter(arrivals, settings)).isEqualTo(featuresAfter(inOrder(history), settings));
    }

    /**
     * A tie, then twice as many newer milliseconds as there are activities between two checkpoints, then
     * an event landing before the newest millisecond and a tie landing inside it: the tie must fold on top
     * of the late event, not on a checkpoint kept before it arrived.
     */
    @net.jqwik.api.Example
    void aTieAfterALateEventFoldsOnTopOfIt() {
        List<Timed> arrivals = new ArrayList<>();
        Timed first = viewAt("tie-a", START);
        arrivals.add(first);
        arrivals.add(viewBehind(first, "tie-b"));
        for (int i = 1; i <= 2 * Timeline.CHECKPOINT_SPACING; i++) {
            arrivals.add(viewAt("view-" + i, START.plusMillis(i)));
        }
        Timed newest = arrivals.get(arrivals.size() - 1);
        arrivals.add(new Timed(START.plusMillis(2), "late",
                ClickEvent.newBuilder(Events.add("late", "u1", "sku-1", 1, "4.50", START.plusMillis(2))).setSessionId("s1").build()));
        arrivals.add(viewBehind(newest, "tie-c"));
        assertThat(featuresAfter(arrivals)).isEqualTo(featuresAfter(inOrder(arrivals)));
        assertThat(((io.segstream.facts.Cart) featuresAfter(arrivals).get(0)).items()).isEqualTo(1);
    }

    /** A user's events over a few milliseconds (7 ms apart, a quarter of them 40 s apart), many sharing one. */
    private static List<Timed> sharingMilliseconds(Random random, int events, int milliseconds) {
        return history(random, events,
                r -> START.plusMillis(r.nextInt(milliseconds) * (r.nextInt(4) == 0 ? 40_000L : 7L)));
    }

    /** The events in the order they take in a user's history: by time, then by key within a millisecond. */
    private static List<Timed> inOrder(List<Timed> events) {
        List<Timed> inOrder = new ArrayList<>(events);
        inOrder.sort(Comparator.comparing(Timed::at).thenComparingLong(OutOfOrderProperties::key));
        return inOrder;
    }

    /** The events in time order, in any order within a millisecond. */
    private static List<Timed> tiesShuffled(List<Timed> events, long seed) {
        List<Timed> shuffled = new ArrayList<>(events);
        Collections.shuffle(shuffled, new Random(seed + 1));
        shuffled.sort(Comparator.comparing(Timed::at));
        return shuffled;
    }

    private static Timed viewAt(String id, Instant at) {
        return new Timed(at, id, Events.view(id, "u1", "s1", "shoes", at));
    }

    /** A view in {@code other}'s millisecond that sorts before it there (an id with a smaller key). */
    private static Timed viewBehind(Timed other, String prefix) {
        for (int i = 0; ; i++) {
            Timed candidate = viewAt(prefix + "-" + i, other.at());
            if (key(candidate) < key(other)) {
                return candidate;
            }
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Long> seeds() {
        return net.jqwik.api.Arbitraries.longs();
    }

    /** A user's clicks and orders at the times {@code time} draws (inside the 1-hour grace). */
    private static List<Timed> history(Random random, int count, java.util.function.Function<Random, Instant> time) {
        List<Timed> history = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Instant at = time.apply(random);
            String id = "e" + i;
            String session = random.nextInt(4) == 0 ? null : "s" + random.nextInt(2);
            String category = CATEGORIES[random.nextInt(CATEGORIES.length)];
            String product = PRODUCTS[random.nextInt(PRODUCTS.length)];
            SpecificRecord record = switch (random.nextInt(7)) {
                case 0, 1 -> Events.view(id, "u1", session, category, at);
                case 2 -> Events.click(id, "u1", ClickEventType.PAGE_VIEW, at).setSessionId(session)
                        .setCategory(category).setDwellMs(random.nextBoolean() ? null : (long) random.nextInt(90_000)).build();
                case 3 -> ClickEvent.newBuilder(Events.add(id, "u1", product, 1 + random.nextInt(3), "4.50", at))
                        .setSessionId(session).build();
                case 4 -> Events.remove(id, "u1", product, 1, at);
                case 5 -> Events.click(id, "u1", ClickEventType.CHECKOUT_START, at).setSessionId(session).build();
                default -> random.nextInt(3) == 0
                        ? Events.refund("r" + i, "u1", "-" + new BigDecimal(random.nextInt(2000)).movePointLeft(2), at)
                        : Events.purchase("o" + i, "u1", new BigDecimal(random.nextInt(9000)).movePointLeft(2).toPlainString(), at);
            };
            history.add(new Timed(at, id, record));
        }
        return history;
    }

    private static List<Object> featuresAfter(List<Timed> arrivals) {
        return featuresAfter(arrivals, Map.of());
    }

    private static List<Object> featuresAfter(List<Timed> arrivals, Map<String, String> settings) {
        try (PipelineDriver pipeline = new PipelineDriver(settings)) {
            for (Timed arrival : arrivals) {
                if (arrival.record() instanceof ClickEvent click) {
                    pipeline.click(click);
                } else {
                    pipeline.order((io.segstream.avro.Order) arrival.record());
                }
            }
            long now = START.plusSeconds(3600).toEpochMilli();
            FeatureSettings features = pipeline.settings();
            return java.util.Arrays.asList(
                    pipeline.cart("u1") == null ? null : pipeline.cart("u1").view(),
                    pipeline.dwell("u1") == null ? null : pipeline.dwell("u1").view(now, features.sessionGap().toMillis()),
                    pipeline.rfm("u1") == null ? null : pipeline.rfm("u1").view(now, features.rfmWindowDays(), null),
                    pipeline.interest("u1") == null ? null
                            : pipeline.interest("u1").view(now, features.interestWindow().toMillis()),
                    pipeline.deadLetters.getQueueSize());
        }
    }

    /** The tie-breaker of activities at the same millisecond. */
    private static long key(Timed timed) {
        return timed.record() instanceof ClickEvent click ? Activity.of(click).key()
                : Activity.of((io.segstream.avro.Order) timed.record()).key();
    }

    private record Timed(Instant at, String id, SpecificRecord record) {}
}
