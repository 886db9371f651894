package io.segstream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.segstream.avro.Model;
import io.segstream.avro.ModelFeature;
import io.segstream.avro.ModelKind;
import io.segstream.facts.Lifetime;
import io.segstream.facts.Rfm;
import io.segstream.testing.Models;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCatalogTest {

    private static final Instant FIRST = Instant.parse("2026-01-05T10:00:00Z");

    /** RFM facts of a customer with {@code purchases} orders worth {@code monetary}, the last {@code lastDays} after the first. */
    private static Rfm customer(long purchases, String monetary, double lastDays) {
        BigDecimal spend = new BigDecimal(monetary);
        Instant last = FIRST.plusMillis((long) (lastDays * 86_400_000L));
        return new Rfm(purchases, spend, Rfm.averageOrderValue(spend, purchases), purchases == 0 ? null : FIRST,
                purchases == 0 ? null : last, null, 0, BigDecimal.ZERO, 365, 0, BigDecimal.ZERO, null);
    }

    private static long daysAfterFirst(double days) {
        return FIRST.toEpochMilli() + (long) (days * 86_400_000L);
    }

    @Test
    void aCustomersHistoryIsReadFromTheirRfmFactsInTheModelsTimeUnit() {
        CustomerLifetime weekly = CustomerLifetime.from(Models.clv("v1"));

        BgNbd.History history = weekly.history(customer(3, "90.00", 7 * 30.43), daysAfterFirst(7 * 38.86));

        assertThat(history.repeatPurchases()).isEqualTo(2);
        assertThat(history.recency()).isCloseTo(30.43, within(1e-6));
        assertThat(history.age()).isCloseTo(38.86, within(1e-6));
    }

    @Test
    void predictionsFollowTheModelsClosedForms() {
        CustomerLifetime weekly = CustomerLifetime.from(Models.clv("v1"));
        // One repeat purchase, and now is the moment of it: P(alive) = 1 / (1 + a / b) = 1 / 1.32.
        Lifetime justBought = weekly.predict(customer(2, "50.00", 14), daysAfterFirst(14));
        // Two purchases averaging 25: Gamma-Gamma's mean p (gamma + x m) / (p x + q - 1) = 6 x 65 / 15 = 26.
        BgNbd.History history = weekly.history(customer(2, "50.00", 14), daysAfterFirst(14));
        double purchasesInAYear = weekly.purchases().expectedPurchases(365 / 7.0, history);

        assertThat(justBought.pAlive()).isCloseTo(1 / 1.32, within(1e-12));
        assertThat(justBought.expectedValue365d()).isCloseTo(26 * purchasesInAYear, within(1e-9));
        assertThat(justBought.expectedPurchases90d()).isGreaterThan(0).isLessThan(purchasesInAYear);
        assertThat(justBought.absentReason()).isNull();
    }

    @Test
    void aCustomerWhoGoesQuietIsLessLikelyAliveAndExpectedToBuyLess() {
        CustomerLifetime weekly = CustomerLifetime.from(Models.clv("v1"));
        Rfm rfm = customer(5, "200.00", 60);

        Lifetime soon = weekly.predict(rfm, daysAfterFirst(61));
        Lifetime later = weekly.predict(rfm, daysAfterFirst(400));

        assertThat(later.pAlive()).isLessThan(soon.pAlive() / 2);
        assertThat(later.expectedPurchases90d()).isLessThan(soon.expectedPurchases90d() / 2);
    }

    @Test
    void withoutAPurchaseOrAPositiveAverageTheFactsAreAbsentAndSayWhy() {
        CustomerLifetime weekly = CustomerLifetime.from(Models.clv("v1"));

        assertThat(weekly.predict(customer(0, "0", 0), daysAfterFirst(3)))
                .isEqualTo(Lifetime.absent("no purchase yet: the clv model predicts for customers"));
        Lifetime refunded = weekly.predict(customer(2, "-5.00", 10), daysAfterFirst(12));
        assertThat(refunded.pAlive()).isNotNull();
        assertThat(refunded.expectedValue365d()).isNull();
        assertThat(refunded.absentReason()).isEqualTo("no positive average order value (refunds exceed purchases)");
        Map<String, Double> purchasesOnly = new HashMap<>(Models.clv("v2").getParameters());
        purchasesOnly.keySet().removeAll(List.of("p", "q", "gamma"));
        assertThat(CustomerLifetime.from(Models.clv("v2", purchasesOnly)).predict(customer(2, "50.00", 14),
                daysAfterFirst(20)).expectedValue365d()).isNull();
    }

    @Test
    void anUnusableModelIsRefusedNamingWhatIsWrong() {
        Map<String, Double> noAlpha = new HashMap<>(Models.clv("v1").getParameters());
        noAlpha.remove("alpha");
        Map<String, Double> lowQ = new HashMap<>(Models.clv("v1").getParameters());
        lowQ.put("q", 0.9);

        assertThatThrownBy(() -> ModelCatalog.validate(Models.clv("v1", noAlpha)))
                .hasMessage("parameter alpha must be a positive number, got null");
        assertThatThrownBy(() -> ModelCatalog.validate(Models.clv("v1", lowQ)))
                .hasMessageContaining("parameter q must be > 1");
        Model misnamed = Model.newBuilder(Models.clv("v1")).setName("ltv").build();
        assertThatThrownBy(() -> ModelCatalog.validate(misnamed))
                .hasMessage("model name 'ltv' is not one the pipeline uses; name it intent (intent.score) or clv (clv.* facts)");
        Model wrongKind = Model.newBuilder(Models.clv("v1")).setName("intent").build();
        assertThatThrownBy(() -> ModelCatalog.validate(wrongKind))
                .hasMessage("model intent v1 is of kind CLV_BGNBD_GAMMA_GAMMA; intent.score needs kind INTENT_LOGISTIC");
        Model readsAPrediction = intent("v1", List.of(feature("clv.pAlive", 1.0)));
        assertThatThrownBy(() -> ModelCatalog.validate(readsAPrediction))
                .hasMessageContaining("feature 'clv.pAlive' is predicted by model clv");
    }

    @Test
    void publishedModelsReplaceTheConfiguredOnesUntilWithdrawnAndUnusableOnesAreIgnored() {
        ModelCatalog catalog = new ModelCatalog(IntentModel.defaultModel());
        String bundled = IntentModel.defaultModel().version();
        assertThat(catalog.snapshot().versions()).isEqualTo(Map.of("intent", bundled));
        assertThat(catalog.snapshot().clv()).isNull();

        catalog.apply("clv", Models.clv("v1"));
        catalog.apply("intent", intent("fitted-1", List.of(feature("cart.items", 0.5))));
        assertThat(catalog.snapshot().versions()).isEqualTo(Map.of("intent", "fitted-1", "clv", "v1"));
        long generation = catalog.snapshot().generation();

        catalog.apply("clv", Models.clv("v1"));
        catalog.apply("clv", Models.clv("v2", Map.of("r", 1.0)));
        catalog.apply("intent", Models.clv("v3"));
        assertThat(catalog.snapshot().generation()).as("a repeat or unusable model changes nothing").isEqualTo(generation);
        assertThat(catalog.snapshot().versions()).isEqualTo(Map.of("intent", "fitted-1", "clv", "v1"));

        catalog.apply("intent", null);
        catalog.apply("clv", null);
        assertThat(catalog.snapshot().versions()).isEqualTo(Map.of("intent", bundled));
        assertThat(catalog.snapshot().published()).isEmpty();
    }

    @Test
    void aModelFileRoundTripsAndABadOneSaysWhatToFix(@TempDir Path dir) throws Exception {
        Model model = intent("fitted-1", List.of(feature("cart.items", 0.5), feature("dwell.sessionActive", 1.5)));
        Path file = dir.resolve("intent.json");
        ModelFiles.write(model, file);

        assertThat(ModelFiles.read(file)).isEqualTo(model);
        Files.writeString(file, Files.readString(file).replace("INTENT_LOGISTIC", "NEURAL_NET"));
        assertThatThrownBy(() -> ModelFiles.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot use model file " + file + ": kind 'NEURAL_NET' is not one of CLV_BGNBD_GAMMA_GAMMA, "
                        + "INTENT_LOGISTIC");
    }

    private static ModelFeature feature(String fact, double weight) {
        return ModelFeature.newBuilder().setFact(fact).setMean(1).setScale(2).setWeight(weight).build();
    }

    private static Model intent(String version, List<ModelFeature> features) {
        return Model.newBuilder().setName("intent").setKind(ModelKind.INTENT_LOGISTIC).setVersion(version)
                .setParameters(Map.of("bias", -1.5)).setFeatures(features).setProvenance(Map.of("rows", "10"))
                .setTrainedAt(Instant.parse("2026-12-01T00:00:00Z").plus(Duration.ZERO)).build();
    }
}
