package io.segstream.scoring;

import static io.segstream.testing.Events.purchase;
import static io.segstream.testing.Events.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.Model;
import io.segstream.config.SegStreamConfig;
import io.segstream.features.FeatureSettings;
import io.segstream.testing.Events;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IntentTrainingTest {

    private static final Instant T0 = Instant.parse("2026-11-02T08:00:00Z");
    private static final FeatureSettings SETTINGS = FeatureSettings.from(SegStreamConfig.of(Map.of(
            SegStreamConfig.BOOTSTRAP_SERVERS, "unused:9092")));

    private static IntentTraining training() {
        return new IntentTraining(SETTINGS, IntentTraining.DEFAULT_FEATURES, IntentModel.defaultModel());
    }

    private static ClickEvent addToCart(String id, String user, String session, Instant at) {
        return Events.click(id, user, ClickEventType.ADD_TO_CART, at).setSessionId(session).setProductId("p-1")
                .setCategory("shoes").setQuantity(1).setPrice(new BigDecimal("30.00")).setCurrency("EUR").build();
    }

    private static ClickEvent unnamedView(String id, String user, Instant at) {
        return Events.click(id, user, ClickEventType.PRODUCT_VIEW, at).setCategory("shoes").setProductId("p-1").build();
    }

    @Test
    void aClickIsPositiveWhenAPurchaseFollowsItInItsSession() {
        IntentTraining training = training();
        // Session a1 ends in a purchase; a2, later the same day, does not, although the user bought before.
        training.add(view("c0", "u1", "a1", "shoes", T0));
        training.add(addToCart("c1", "u1", "a1", T0.plusSeconds(60)));
        training.add(purchase("o1", "u1", "30.00", T0.plusSeconds(120)));
        training.add(view("c2", "u1", "a1", "shoes", T0.plusSeconds(180)));
        training.add(view("c3", "u1", "a2", "bags", T0.plusSeconds(600)));
        // Without session ids, the gap decides: 20 minutes before a purchase is the same session, 40 is not.
        training.add(unnamedView("c4", "u2", T0));
        training.add(unnamedView("c5", "u2", T0.plus(Duration.ofMinutes(40))));
        training.add(unnamedView("c6", "u2", T0.plus(Duration.ofMinutes(60))));
        training.add(purchase("o2", "u2", "10.00", T0.plus(Duration.ofMinutes(80))));

        assertThat(training.labels()).containsExactly(true, true, false, false, false, true, true);
    }

    /**
     * 240 sessions of 40 users, one every five minutes: three views, and in every third session an add to
     * cart and a purchase. Views say nothing about the purchase; the cart does.
     */
    @Test
    void fitsOnTheEarlierClicksAndMeasuresOnTheLaterOnesAgainstThePrior() {
        IntentTraining training = training();
        for (int s = 0; s < 240; s++) {
            String user = "u" + (s % 40);
            String session = "s" + s;
            Instant start = T0.plus(Duration.ofMinutes(5L * s));
            for (int v = 0; v < 3; v++) {
                training.add(view(session + "-v" + v, user, session, "shoes", start.plusSeconds(10L * v)));
            }
            if (s % 3 == 0) {
                training.add(addToCart(session + "-c", user, session, start.plusSeconds(40)));
                training.add(purchase(session + "-o", user, "30.00", start.plusSeconds(50)));
            }
        }

        IntentTraining.Result result = training.fit("test-1", 0.75, 7, Map.of("data", "synthetic"));

        assertThat(result.rows()).isEqualTo(240 * 3 + 80);
        assertThat(result.trainRows() + result.testRows()).isEqualTo(result.rows());
        // The split falls at the 75% quantile of click times: session 180 of 240, so 180 x 3 views + 60 carts.
        assertThat(result.trainRows()).isEqualTo(180 * 3 + 60);
        assertThat(result.positiveTrainRows()).isEqualTo(60 * 4);
        assertThat(result.positiveTestRows()).isEqualTo(20 * 4);
        Model model = result.model();
        assertThat(model.getName()).isEqualTo("intent");
        assertThat(model.getProvenance()).containsEntry("data", "synthetic").containsKeys("split", "label", "trainer",
                "test.rocAuc", "test.logLoss", "test.prior");
        assertThat(model.getFeatures()).filteredOn(feature -> feature.getFact().equals("cart.items")).singleElement()
                .satisfies(feature -> assertThat(feature.getWeight()).isPositive());
        assertThat(result.fitted().logLoss()).isLessThan(result.prior().logLoss());
        assertThat(result.fitted().rocAuc()).isGreaterThan(0.6);
        assertThat(IntentModel.from(model).version()).as("the pipeline can load it").isEqualTo("test-1");
    }

    @Test
    void aFactTheModelCannotReadIsRefusedUpFront() {
        assertThatThrownBy(() -> new IntentTraining(SETTINGS, List.of("cart.items", "clv.pAlive"), IntentModel.defaultModel()))
                .hasMessageContaining("feature 'clv.pAlive' is predicted by model clv");
        assertThatThrownBy(() -> new IntentTraining(SETTINGS, List.of("cart.item"), IntentModel.defaultModel()))
                .hasMessage("'cart.item' is not a fact");
    }
}
