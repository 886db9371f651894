package io.segstream.segments;

import static io.segstream.testing.Definitions.segment;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.avro.ChangeTrigger;
import io.segstream.avro.SegmentChangeKind;
import io.segstream.facts.Cart;
import io.segstream.facts.CartLine;
import io.segstream.facts.Dwell;
import io.segstream.facts.Interest;
import io.segstream.facts.Rfm;
import io.segstream.facts.RfmScores;
import io.segstream.facts.UserFeatures;
import io.segstream.scoring.IntentModel;
import io.segstream.scoring.ModelCatalog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * A user's evaluations skip the conditions whose facts did not change since their last one
 * ({@link LastResults}); the segments they decide must be the ones evaluating every condition
 * decides, event after event, across definition changes.
 */
class LastResultsProperties {

    private static final long NOW = Instant.parse("2026-11-20T12:00:00Z").toEpochMilli();
    private static final String[] CATEGORIES = {"audio", "shoes", "books"};

    @Property(tries = 300)
    void skippingUnchangedConditionsDecidesAsEvaluatingEverything(@ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int events) {
        Random random = new Random(seed);
        SegmentCatalog catalog = new SegmentCatalog();
        define(catalog, 1);
        SegmentEvaluator evaluator = new SegmentEvaluator(new ModelCatalog(IntentModel.defaultModel()));
        int redefineAt = random.nextInt(events + 1);
        MembershipState membership = null;
        // Facts change a few at a time, as events change them, so that most conditions see repeated values.
        int items = 0;
        int frequency = 0;
        long recency = -1;
        Map<String, Long> views = new TreeMap<>();
        for (int event = 0; event < events; event++) {
            boolean redefined = event == redefineAt;
            if (redefined) {
                define(catalog, 2);
            }
            // A definition change meets an event that changes none of its facts.
            switch (redefined ? 5 : random.nextInt(6)) {
                case 0 -> items = random.nextInt(3);
                case 1, 2 -> views.merge(CATEGORIES[random.nextInt(CATEGORIES.length)], 1L, Long::sum);
                case 3 -> {
                    frequency++;
                    recency = random.nextInt(100);
                }
                default -> { } // a page view: none of the facts above changes
            }
            UserFeatures features = features(items, frequency, recency, views, random.nextInt(3) == 0);
            SegmentCatalog.Snapshot snapshot = catalog.snapshot();

            membership = evaluator.evaluate(features, snapshot, membership, NOW, NOW, ChangeTrigger.EVENT, true).membership();

            assertThat(membership.segments().keySet())
                    .isEqualTo(snapshot.matching(evaluator.facts(features), true).keySet());
        }
    }

    /**
     * Random catalogs (conditions of one to three parts, some of them nested junctions, exclusive
     * groups with priorities and fallbacks, consent) and random histories in which each event changes a
     * few facts: evaluating only the conditions that read a changed fact decides what evaluating every
     * condition decides.
     */
    @Property(tries = 300)
    void evaluatingOnlyWhatChangedDecidesAsEvaluatingEverything(@ForAll long seed,
            @ForAll @IntRange(min = 1, max = 60) int events) {
        Random random = new Random(seed);
        String[] atoms = {"cart.items > %d", "cart.items == %d", "rfm.frequency >= %d", "rfm.recencyDays <= %d0",
                "interest.totalViews >= %d", "'shoes' in interest.categoryViews", "dwell.sessionActive",
                "intent.score >= %d0.0", "cart.categories.exists(c, c == 'audio')",
                "interest.categoryViews.exists(c, interest.categoryViews[c] > %d && !(c in cart.categories))",
                "%d < cart.items", "rfm.frequency != %d", "cart.value >= %d5.5", "rfm.recencyDays < %d.5",
                "clv.pAlive > 0.%d", "intent.score < %d5.0", "(cart.items > %d) == dwell.sessionActive",
                "interest.categoryViews['shoes'] >= %d", "%d <= interest.categoryViews['books']",
                "'audio' in cart.categories", "interest.categoryViews['audio'] != %d",
                "interest.categoryViews.exists(k, interest.categoryViews[k] >= %d)",
                "interest.categoryViews.all(k, k.startsWith('s') || interest.categoryViews[k] < %d)",
                "interest.categoryViews.exists(k, k == 'books' && %d > 1)",
                "interest.categoryViews.exists(k, interest.categoryViews[k] / (%d - 1) > 1)",
                "interest.categoryViews.all(k, interest.categoryViews[k] < %d || k in cart.categories)",
                "interest.categoryViews.exists(k, interest.categoryViews[k] / (%d - 1) > 1 && !(k in cart.categories))",
                "interest.categoryViews.all(k, !(k in cart.categories))",
                "interest.categoryViews.exists(k, k.startsWith('s') && interest.categoryViews[k] >= %d)",
                "interest.categoryViews.exists(k, k.startsWith('b') && !(k in cart.categories))",
                "interest.categoryViews.exists(k, interest.categoryViews[k] > %d && !(k in cart.categories) && cart.items > 1)"};
        SegmentCatalog catalog = new SegmentCatalog();
        int definitions = 1 + random.nextInt(25);
        for (int i = 0; i < definitions; i++) {
            List<String> parts = new ArrayList<>();
            for (int a = 0; a < 1 + random.nextInt(3); a++) {
                String part = atoms[random.nextInt(atoms.length)].formatted(random.nextInt(4));
                if (random.nextInt(4) == 0) {
                    // A nested junction: (a || b) && c, !(a && b) ...
                    part = "(" + part + (random.nextBoolean() ? " || " : " && ")
                            + atoms[random.nextInt(atoms.length)].formatted(random.nextInt(4)) + ")";
                }
                parts.add(random.nextInt(5) == 0 ? "!(" + part + ")" : part);
            }
            var definition = segment("s" + i, String.join(random.nextBoolean() ? " && " : " || ", parts), 1)
                    .setPriority(random.nextInt(10)).setRequiresConsent(random.nextInt(6) == 0);
            if (random.nextInt(3) == 0) {
                definition.setExclusiveGroup("g" + random.nextInt(3)).setFallback(random.nextInt(8) == 0);
            }
            catalog.apply("s" + i, definition.build());
        }
        SegmentEvaluator evaluator = new SegmentEvaluator(new ModelCatalog(IntentModel.defaultModel()));
        MembershipState membership = null;
        int items = 0;
        int frequency = 0;
        long recency = -1;
        boolean active = false;
        boolean consented = true;
        Map<String, Long> views = new TreeMap<>();
        for (int event = 0; event < events; event++) {
            switch (random.nextInt(8)) {
                case 0 -> items = random.nextInt(4);
                case 1, 2 -> views.merge(CATEGORIES[random.nextInt(CATEGORIES.length)], 1L, Long::sum);
                case 3 -> {
                    frequency++;
                    recency = random.nextInt(50);
                }
                case 4 -> active = !active;
                case 5 -> consented = random.nextInt(4) != 0;
                case 6 -> views.remove(CATEGORIES[random.nextInt(CATEGORIES.length)]);
                default -> { } // none of these facts changes
            }
            UserFeatures features = features(items, frequency, recency, views, active);
            SegmentCatalog.Snapshot snapshot = catalog.snapshot();
            // The same membership decoded again: no last results, so every condition is evaluated.
            MembershipState decoded = membership == null ? null : reencoded(membership);

            SegmentEvaluator.Outcome outcome = evaluator.evaluate(features, snapshot, membership, NOW, NOW,
                    ChangeTrigger.EVENT, consented);
            SegmentEvaluator.Outcome everything = evaluator.evaluate(features, snapshot, decoded, NOW, NOW,
                    ChangeTrigger.EVENT, consented);
            membership = outcome.membership();

            assertThat(membership.segments().keySet()).as("event %d", event)
                    .isEqualTo(snapshot.matching(evaluator.facts(features), consented).keySet());
            assertThat(outcome.changes()).as("event %d", event).isEqualTo(everything.changes());
            // Entries are emitted in the order of matching: standalone by priority, then the groups.
            List<String> matchingOrder = List.copyOf(snapshot.matching(evaluator.facts(features), consented).keySet());
            List<String> entered = everything.changes().stream()
                    .filter(routed -> routed.change().getKind() == SegmentChangeKind.ENTERED)
                    .map(routed -> routed.change().getSegment()).toList();
            assertThat(entered).as("event %d", event).isEqualTo(matchingOrder.stream().filter(entered::contains).toList());
            assertThat(outcome.current()).as("event %d", event).isEqualTo(everything.current());
        }
    }

    private static MembershipState reencoded(MembershipState membership) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
            membership.write(encoder);
            encoder.flush();
            return MembershipState.read(DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Example
    void aNewVersionOfADefinitionIsEvaluatedEvenWhenItsFactsAreUnchanged() {
        SegmentCatalog catalog = new SegmentCatalog();
        String condition = "interest.categoryViews.exists(c, interest.categoryViews[c] > %d)";
        catalog.apply("enthusiasts", segment("enthusiasts", condition.formatted(3), 1).build());
        SegmentEvaluator evaluator = new SegmentEvaluator(new ModelCatalog(IntentModel.defaultModel()));
        UserFeatures features = features(0, 0, -1, Map.of("shoes", 2L), false);

        MembershipState first = evaluator.evaluate(features, catalog.snapshot(), null, NOW, NOW, ChangeTrigger.EVENT, true)
                .membership();
        catalog.apply("enthusiasts", segment("enthusiasts", condition.formatted(1), 2).build());
        MembershipState second = evaluator.evaluate(features, catalog.snapshot(), first, NOW, NOW, ChangeTrigger.EVENT, true)
                .membership();

        assertThat(first.segments()).doesNotContainKey("enthusiasts");
        assertThat(second.segments()).containsKey("enthusiasts");
    }

    /** The definitions; version 2 changes only the threshold of one, whose facts an event may leave unchanged. */
    private static void define(SegmentCatalog catalog, long version) {
        String threshold = version == 1 ? "3" : "1";
        catalog.apply("enthusiasts", segment("enthusiasts",
                "interest.categoryViews.exists(c, interest.categoryViews[c] > " + threshold + " && !(c in cart.categories))",
                version).build());
        if (version > 1) {
            return;
        }
        catalog.apply("cart-holders", segment("cart-holders", "cart.items > 0", 1).build());
        catalog.apply("intent", segment("intent", "intent.score >= 30.0", 1).build());
        catalog.apply("loyal", segment("loyal", "rfm.frequency >= 3 && rfm.recencyDays <= 30", 1)
                .setExclusiveGroup("lifecycle").setPriority(2).build());
        catalog.apply("buyers", segment("buyers", "rfm.frequency >= 1", 1)
                .setExclusiveGroup("lifecycle").setPriority(1).build());
        catalog.apply("prospects", segment("prospects", "true", 1)
                .setExclusiveGroup("lifecycle").setFallback(true).build());
    }

    private static UserFeatures features(int items, int frequency, long recency, Map<String, Long> views, boolean active) {
        List<CartLine> lines = new ArrayList<>();
        if (items > 0) {
            lines.add(new CartLine("sku-1", CATEGORIES[items % CATEGORIES.length], items, new BigDecimal("10.00")));
        }
        Cart cart = new Cart(lines, BigDecimal.TEN.multiply(BigDecimal.valueOf(items)), items, "EUR",
                Instant.ofEpochMilli(NOW), false, null, "s1");
        BigDecimal spend = BigDecimal.valueOf(25L * frequency);
        Rfm rfm = new Rfm(frequency, spend, Rfm.averageOrderValue(spend, frequency), null, null,
                frequency == 0 ? null : recency, 0, BigDecimal.ZERO, 365, frequency, spend, new RfmScores(3, 3, 3));
        Dwell dwell = new Dwell(new Dwell.CurrentSession("s1", Instant.ofEpochMilli(NOW - 60_000), Instant.ofEpochMilli(NOW),
                30_000, 3, active, Instant.ofEpochMilli(NOW + 1_800_000)), 1, 1, 30_000, 30_000, Map.of());
        return new UserFeatures("u1", NOW, rfm, dwell, cart, new Interest(views));
    }
}
