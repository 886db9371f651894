package io.segstream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.segstream.facts.Cart;
import io.segstream.facts.CartLine;
import io.segstream.facts.Dwell;
import io.segstream.facts.Facts;
import io.segstream.facts.Interest;
import io.segstream.facts.UserFeatures;
import io.segstream.features.RfmState;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntentModelTest {

    private static final long NOW = Instant.parse("2026-11-20T10:30:00Z").toEpochMilli();

    private static Facts.Input user(int pages, int items, boolean checkout, boolean active) {
        Dwell dwell = new Dwell(new Dwell.CurrentSession("s1", Instant.ofEpochMilli(NOW - 600_000),
                Instant.ofEpochMilli(NOW - 60_000), 300_000, pages, active,
                Instant.ofEpochMilli(NOW + 1_740_000)), 3, 1, 200_000, 600_000, Map.of());
        List<CartLine> lines = items == 0 ? List.of()
                : List.of(new CartLine("sku-1", "audio", items, new BigDecimal("60.00")));
        Cart cart = new Cart(lines, new BigDecimal("60.00").multiply(BigDecimal.valueOf(items)), items, "EUR",
                Instant.ofEpochMilli(NOW - 60_000), checkout, null, "s1");
        UserFeatures features = new UserFeatures("u1", NOW, new RfmState().view(NOW, 365, null), dwell, cart,
                new Interest(Map.of("audio", 5L)));
        return new Facts.Input(features, 0);
    }

    @Test
    void contributionsAndBaselineAddUpToTheScore() {
        IntentScore score = IntentModel.defaultModel().score(user(8, 2, true, true));

        double sum = score.baseline() + score.contributions().values().stream().mapToDouble(Double::doubleValue).sum();
        assertThat(sum).isCloseTo(score.score(), within(1e-9));
        assertThat(score.contributions()).containsOnlyKeys("cart.checkoutStarted", "cart.items", "dwell.sessionActive",
                "dwell.sessionPages", "interest.topCategoryViews", "cart.value", "dwell.sessionDwellMs", "rfm.r",
                "rfm.frequency");
        assertThat(score.modelVersion()).isEqualTo("default-2026-11-v1");
    }

    @Test
    void aCheckoutWithAFullCartScoresHighAndIdleBrowsingLow() {
        IntentModel model = IntentModel.defaultModel();

        assertThat(model.score(user(8, 2, true, true)).score()).isGreaterThan(80);
        assertThat(model.score(user(1, 0, false, false)).score()).isLessThan(10);
        assertThat(model.score(user(8, 2, true, true)).contributions().get("cart.checkoutStarted")).isPositive();
    }

    @Test
    void aModelFileIsCheckedAgainstTheFacts(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model.json");
        Files.writeString(model, """
                {"version": "t1", "bias": 0, "features": [{"fact": "cart.categories", "mean": 0, "scale": 1, "weight": 1}]}
                """);

        assertThatThrownBy(() -> IntentModel.load(model)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("feature 'cart.categories' is list(string); the model reads numbers and booleans");
        Files.writeString(model, """
                {"version": "t2", "bias": -1.5, "features": [{"fact": "cart.items", "mean": 0, "scale": 2, "weight": 1}]}
                """);
        assertThat(IntentModel.load(model).score(user(0, 4, false, false)).score())
                .isCloseTo(100 / (1 + Math.exp(-0.5)), within(1e-9));
    }
}
