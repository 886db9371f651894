package io.segstream.segments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segstream.facts.Cart;
import io.segstream.facts.CartLine;
import io.segstream.facts.Fact;
import io.segstream.facts.Facts;
import io.segstream.facts.Interest;
import io.segstream.facts.UserFeatures;
import io.segstream.features.CartState;
import io.segstream.features.DwellState;
import io.segstream.features.RfmState;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConditionsTest {

    private static Facts.Input views(Map<String, Long> categoryViews) {
        long now = 1_700_000_000_000L;
        return new Facts.Input(new UserFeatures("u1", now, new RfmState().view(now, 365, null),
                new DwellState().view(now, 1_800_000), new CartState().view(), new Interest(categoryViews)), 42.0);
    }

    @Test
    void aConditionIsTypeCheckedAndReadsOnlyTheFactsItNames() {
        Condition condition = Conditions.compile(
                "interest.categoryViews.exists(c, interest.categoryViews[c] > 3 && !(c in cart.categories)) && intent.score > 40.0");

        assertThat(condition.reads()).extracting(Fact::name)
                .containsExactly("cart.categories", "interest.categoryViews", "intent.score");
        assertThat(condition.test(views(Map.of("shoes", 4L)))).isTrue();
        assertThat(condition.test(views(Map.of("shoes", 3L)))).isFalse();
        assertThat(condition.evidence(views(Map.of("shoes", 4L))))
                .containsEntry("interest.categoryViews", Map.of("shoes", 4L)).containsEntry("intent.score", 42.0);
    }

    /** Category views, with one line of {@code category} in the cart. */
    private static Facts.Input viewsAndCart(Map<String, Long> categoryViews, String category) {
        long now = 1_700_000_000_000L;
        Cart cart = new Cart(List.of(new CartLine("p1", category, 1, new BigDecimal("10.00"))), new BigDecimal("10.00"), 1,
                "EUR", Instant.ofEpochMilli(now), false, null, "s1");
        return new Facts.Input(new UserFeatures("u1", now, new RfmState().view(now, 365, null),
                new DwellState().view(now, 1_800_000), cart, new Interest(categoryViews)), 42.0);
    }

    private static Atom.Entries entriesOf(String expression) {
        java.util.List<Atom> atoms = new java.util.ArrayList<>();
        Conditions.compile(expression).formula().atoms(atoms);
        assertThat(atoms).singleElement().isInstanceOf(Atom.Entries.class);
        return (Atom.Entries) atoms.get(0);
    }

    /**
     * A body that reads another fact is decided by its parts on the entry alone when one of them decides
     * ({@code false} for {@code &&}, {@code true} for {@code ||}), else evaluated whole: the results, errors
     * included, are CEL's, whether remembered by value or in a snapshot's array of small counts.
     */
    @Test
    void aComprehensionBodyWithContextIsDecidedByItsPartsOnTheEntryAloneFirst() {
        Atom.Entries noCart = entriesOf(
                "interest.categoryViews.exists(c, interest.categoryViews[c] > 3 && !(c in cart.categories))");
        Facts.Input shoesInCart = viewsAndCart(Map.of("shoes", 4L, "books", 2L), "shoes");
        Facts.Input emptyCart = views(Map.of("shoes", 4L, "books", 2L));
        for (byte[] known : new byte[][] {null, new byte[Atom.Entries.SMALL_COUNTS]}) {
            assertThat(noCart.entry("books", 2L, shoesInCart, known, 0)).isEqualTo(Formula.FALSE);
            assertThat(noCart.entry("books", 2L, emptyCart, known, 0)).isEqualTo(Formula.FALSE);
            assertThat(noCart.entry("shoes", 4L, shoesInCart, known, 0)).isEqualTo(Formula.FALSE);
            assertThat(noCart.entry("shoes", 4L, emptyCart, known, 0)).isEqualTo(Formula.TRUE);
        }
        assertThat(noCart.value(emptyCart)).isEqualTo(Formula.TRUE);
        assertThat(noCart.value(shoesInCart)).isEqualTo(Formula.FALSE);

        Atom.Entries allOrInCart = entriesOf(
                "interest.categoryViews.all(c, interest.categoryViews[c] < 3 || c in cart.categories)");
        assertThat(allOrInCart.entry("books", 2L, emptyCart)).isEqualTo(Formula.TRUE);
        assertThat(allOrInCart.entry("shoes", 4L, shoesInCart)).isEqualTo(Formula.TRUE);
        assertThat(allOrInCart.entry("shoes", 4L, emptyCart)).isEqualTo(Formula.FALSE);

        // An error on the entry alone decides nothing: error && false is false, error && true an error.
        Atom.Entries dividing = entriesOf("interest.categoryViews.exists(c, "
                + "interest.categoryViews[c] / (c.size() - 5) > 1 && !(c in cart.categories))");
        assertThat(dividing.entry("shoes", 4L, shoesInCart)).isEqualTo(Formula.FALSE);
        assertThat(dividing.entry("shoes", 4L, emptyCart)).isEqualTo(Formula.ERROR);
        assertThat(dividing.entry("books", 2L, emptyCart)).isEqualTo(Formula.ERROR);

        // Their parts that read context are the key's membership in the cart: tested without CEL.
        int cartCategories = Facts.indexOf(Facts.named("cart.categories"));
        assertThat(noCart.keyTests()).containsExactly(new Atom.Entries.KeyIn(cartCategories, true));
        assertThat(allOrInCart.keyTests()).containsExactly(new Atom.Entries.KeyIn(cartCategories, false));
        // A part that reads context otherwise leaves the whole body to CEL.
        Atom.Entries bigCart = entriesOf("interest.categoryViews.exists(c, interest.categoryViews[c] > 3 "
                + "&& !(c in cart.categories) && cart.items > 1)");
        assertThat(bigCart.keyTests()).isEmpty();
        assertThat(bigCart.entry("shoes", 4L, emptyCart)).isEqualTo(Formula.FALSE);
        // The key alone in the cart, no guard: the body is the key test.
        Atom.Entries inCart = entriesOf("interest.categoryViews.exists(c, c in cart.categories)");
        assertThat(inCart.keyTests()).containsExactly(new Atom.Entries.KeyIn(cartCategories, false));
        assertThat(inCart.entry("shoes", 4L, shoesInCart)).isEqualTo(Formula.TRUE);
        assertThat(inCart.entry("books", 2L, shoesInCart)).isEqualTo(Formula.FALSE);
    }

    @Test
    void aBodyPartOnTheKeyAloneCanDecideTheBodyWhateverTheEntrysValue() {
        Atom.Entries someShoe = entriesOf(
                "interest.categoryViews.exists(c, c.startsWith('sh') && interest.categoryViews[c] >= 10)");
        assertThat(someShoe.decidedByKey("books")).isTrue();
        assertThat(someShoe.decidedByKey("shoes")).isFalse();

        Atom.Entries fewUnlessS = entriesOf(
                "interest.categoryViews.all(k, k.startsWith('s') || interest.categoryViews[k] < 3)");
        assertThat(fewUnlessS.decidedByKey("shoes")).isTrue();
        assertThat(fewUnlessS.decidedByKey("books")).isFalse();

        // With context too: a false part on the key decides the && whatever the cart holds.
        Atom.Entries notInCart = entriesOf(
                "interest.categoryViews.exists(c, c.startsWith('sh') && !(c in cart.categories))");
        assertThat(notInCart.decidedByKey("books")).isTrue();
        assertThat(notInCart.decidedByKey("shoes")).isFalse();

        assertThat(entriesOf("interest.categoryViews.exists(k, interest.categoryViews[k] >= 3)").decidedByKey("books"))
                .isFalse();
        // A part on the key that fails is an error, which decides nothing.
        assertThat(entriesOf("interest.categoryViews.exists(k, int(k) > 3 && interest.categoryViews[k] >= 3)")
                .decidedByKey("books")).isFalse();
    }

    @Test
    void aComprehensionOverAMapIsTestedPerEntryEvenWhenItsBodyReadsOtherFacts() {
        java.util.List<Atom> atoms = new java.util.ArrayList<>();
        Conditions.compile("interest.categoryViews.exists(c, interest.categoryViews[c] > 3 && !(c in cart.categories))")
                .formula().atoms(atoms);

        assertThat(atoms).singleElement().isInstanceOfSatisfying(Atom.Entries.class, entries -> {
            assertThat(entries.context()).containsExactly(Facts.indexOf(Facts.named("cart.categories")));
            assertThat(entries.reads()).containsExactlyInAnyOrder(Facts.indexOf(Facts.named("cart.categories")),
                    Facts.indexOf(Facts.named("interest.categoryViews")));
            assertThat(entries.entry("shoes", 4L, views(Map.of("shoes", 4L)))).isEqualTo(Formula.TRUE);
            assertThat(entries.entry("shoes", 3L, views(Map.of("shoes", 3L)))).isEqualTo(Formula.FALSE);
        });
        // Reading the map otherwise than by the entry's key is no per-entry test.
        atoms.clear();
        Conditions.compile("interest.categoryViews.exists(c, interest.categoryViews[c] > size(interest.categoryViews))")
                .formula().atoms(atoms);
        assertThat(atoms).singleElement().isInstanceOf(Atom.Expression.class);
    }

    @Test
    void aFactWithoutAModelIsAbsentSoAConditionOnItIsFalseUnlessAnotherPartDecides() {
        Facts.Input noModel = views(Map.of());

        assertThat(noModel.value("clv.pAlive")).isNull();
        assertThat(Conditions.compile("clv.pAlive > 0.5").test(noModel)).isFalse();
        assertThat(Conditions.compile("!(clv.pAlive > 0.5)").test(noModel)).isFalse();
        assertThat(Conditions.compile("clv.pAlive > 0.5 || rfm.frequency == 0").test(noModel)).isTrue();
        assertThat(Conditions.compile("clv.pAlive > 0.5 && rfm.frequency == 0").test(noModel)).isFalse();
        assertThat(Conditions.compile("clv.expectedValue365d > 100.0").evidence(noModel))
                .containsOnlyKeys("clv.expectedValue365d").containsEntry("clv.expectedValue365d", null);
        assertThat(Conditions.compile("clv.pAlive > 0.5").models(noModel)).isEmpty();
        assertThat(Conditions.compile("intent.score > 0.5 && rfm.frequency == 0").models(noModel)).isEmpty();
    }

    @Test
    void aFactNameInAStringIsNotARead() {
        Condition condition = Conditions.compile("'rfm.frequency' in cart.categories");

        assertThat(condition.reads()).extracting(Fact::name).containsExactly("cart.categories");
    }

    @Test
    void remembersResultsByTheValuesItReadsAndStillAnswersEachInputRight() {
        Condition condition = Conditions.compile("interest.categoryViews.exists(c, interest.categoryViews[c] > 3)");

        for (int round = 0; round < 3; round++) {
            for (int views = 0; views < 8; views++) {
                assertThat(condition.test(views(Map.of("shoes", (long) views)))).as("%d views, round %d", views, round)
                        .isEqualTo(views > 3);
            }
        }
    }

    @Test
    void aConditionWhoseValuesNeverRepeatStillAnswersRightPastItsMemory() {
        Condition condition = Conditions.compile("interest.categoryViews['shoes'] % 2 == 0");

        for (int views = 0; views < 3 * ResultMemory.LIMIT; views++) {
            assertThat(condition.test(views(Map.of("shoes", (long) views)))).as("%d views", views).isEqualTo(views % 2 == 0);
        }
    }

    @Test
    void aMissingMapKeyMakesTheConditionFalseNotAnError() {
        assertThat(Conditions.compile("interest.categoryViews['hats'] > 1").test(views(Map.of()))).isFalse();
    }

    @Test
    void errorsSayWhatIsWrong() {
        assertThatThrownBy(() -> Conditions.compile("rfm.frequency")).hasMessageContaining("expected type 'bool' but found 'int'");
        assertThatThrownBy(() -> Conditions.compile("rfm.frequncy > 2"))
                .hasMessageContaining("'rfm.frequncy' is not a fact; did you mean 'rfm.frequency'?");
        assertThatThrownBy(() -> Conditions.compile(" ")).hasMessage("condition is empty");
    }
}
