package io.segstream.testing;

import io.segstream.avro.GeneratedClasses;
import io.segstream.avro.Model;
import io.segstream.avro.ModelKind;
import java.time.Instant;
import java.util.Map;

/** Models for tests, as `segstream models apply` would publish them. */
public final class Models {

    static {
        GeneratedClasses.trust();
    }

    private Models() {}

    /**
     * A clv model with weekly BG/NBD parameters r 0.25, alpha 4, a 0.8, b 2.5 and Gamma-Gamma p 6,
     * q 4, gamma 15 (close to the CDNow fits in the papers). For a customer with one repeat purchase
     * and no time since it, P(alive) = 1 / (1 + a / b) = 1 / 1.32.
     */
    public static Model clv(String version) {
        return clv(version, Map.of("r", 0.25, "alpha", 4.0, "a", 0.8, "b", 2.5, "timeUnitDays", 7.0,
                "p", 6.0, "q", 4.0, "gamma", 15.0));
    }

    public static Model clv(String version, Map<String, Double> parameters) {
        return Model.newBuilder().setName("clv").setKind(ModelKind.CLV_BGNBD_GAMMA_GAMMA).setVersion(version)
                .setParameters(parameters).setProvenance(Map.of("source", "test"))
                .setTrainedAt(Instant.parse("2026-11-30T00:00:00Z")).build();
    }
}
