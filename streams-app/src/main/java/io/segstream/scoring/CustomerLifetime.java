package io.segstream.scoring;

import io.segstream.avro.Model;
import io.segstream.avro.ModelKind;
import io.segstream.facts.Lifetime;
import io.segstream.facts.Rfm;
import java.util.Map;

/**
 * A published customer-lifetime model (kind CLV_BGNBD_GAMMA_GAMMA): BG/NBD for how many purchases a
 * customer will still make and whether they are still active, Gamma-Gamma for what a purchase of
 * theirs is worth. A customer's history is read from their RFM facts: repeat purchases = frequency - 1,
 * recency = last - first purchase, age = now - first purchase, in the model's time unit.
 */
public final class CustomerLifetime {

    public static final String R = "r";
    public static final String ALPHA = "alpha";
    public static final String A = "a";
    public static final String B = "b";
    public static final String TIME_UNIT_DAYS = "timeUnitDays";
    public static final String P = "p";
    public static final String Q = "q";
    public static final String GAMMA = "gamma";

    private static final long DAY_MILLIS = 86_400_000L;
    private static final double PURCHASES_DAYS = 90;
    private static final double VALUE_DAYS = 365;

    private final String version;
    private final BgNbd purchases;
    /** Null when the model has no spend parameters. */
    private final GammaGamma spend;
    private final double unitMillis;

    public CustomerLifetime(String version, BgNbd purchases, GammaGamma spend, double timeUnitDays) {
        this.version = version;
        this.purchases = purchases;
        this.spend = spend;
        this.unitMillis = timeUnitDays * DAY_MILLIS;
    }

    /** The model a published record describes; a clear error naming what is missing or wrong. */
    public static CustomerLifetime from(Model model) {
        if (model.getKind() != ModelKind.CLV_BGNBD_GAMMA_GAMMA) {
            throw new IllegalArgumentException("model " + model.getName() + " is of kind " + model.getKind()
                    + "; the clv facts need kind CLV_BGNBD_GAMMA_GAMMA");
        }
        Map<String, Double> parameters = model.getParameters();
        BgNbd purchases = new BgNbd(positive(parameters, R), positive(parameters, ALPHA), positive(parameters, A),
                positive(parameters, B));
        GammaGamma spend = null;
        if (parameters.containsKey(P) || parameters.containsKey(Q) || parameters.containsKey(GAMMA)) {
            spend = new GammaGamma(positive(parameters, P), positive(parameters, Q), positive(parameters, GAMMA));
            if (spend.q() <= 1) {
                throw new IllegalArgumentException("model " + model.getName() + ": parameter q must be > 1 (the mean "
                        + "spend is infinite otherwise), got " + spend.q());
            }
        }
        return new CustomerLifetime(model.getVersion(), purchases, spend, positive(parameters, TIME_UNIT_DAYS));
    }

    public String version() {
        return version;
    }

    public BgNbd purchases() {
        return purchases;
    }

    /** The spend model, or null when the model predicts purchases only. */
    public GammaGamma spend() {
        return spend;
    }

    /** A customer's predictions at {@code now} from their RFM facts. */
    public Lifetime predict(Rfm rfm, long now) {
        if (rfm.frequency() < 1 || rfm.firstPurchase() == null || rfm.lastPurchase() == null) {
            return Lifetime.absent("no purchase yet: the clv model predicts for customers");
        }
        BgNbd.History history = history(rfm, now);
        double pAlive = purchases.probabilityAlive(history);
        double next90 = purchases.expectedPurchases(PURCHASES_DAYS * DAY_MILLIS / unitMillis, history);
        if (!Double.isFinite(pAlive) || !Double.isFinite(next90)) {
            return Lifetime.absent("the clv model's parameters give no finite prediction for this history");
        }
        if (spend == null) {
            return new Lifetime(pAlive, next90, null, "the clv model has no spend parameters (p, q, gamma)");
        }
        double averageOrderValue = rfm.averageOrderValue() == null ? 0 : rfm.averageOrderValue().doubleValue();
        if (!(averageOrderValue > 0)) {
            return new Lifetime(pAlive, next90, null, "no positive average order value (refunds exceed purchases)");
        }
        double next365 = purchases.expectedPurchases(VALUE_DAYS * DAY_MILLIS / unitMillis, history);
        double value = next365 * spend.expectedAverageValue(new GammaGamma.Spend((int) Math.min(rfm.frequency(),
                Integer.MAX_VALUE), averageOrderValue));
        return new Lifetime(pAlive, next90, value, null);
    }

    /** The BG/NBD history of a customer at {@code now}: ages are measured to now, never before the last purchase. */
    public BgNbd.History history(Rfm rfm, long now) {
        long first = rfm.firstPurchase().toEpochMilli();
        long last = Math.max(first, rfm.lastPurchase().toEpochMilli());
        int repeat = (int) Math.min(rfm.frequency() - 1, Integer.MAX_VALUE);
        double recency = repeat == 0 ? 0 : (last - first) / unitMillis;
        return new BgNbd.History(repeat, recency, Math.max(recency, (Math.max(now, last) - first) / unitMillis));
    }

    private static double positive(Map<String, Double> parameters, String name) {
        Double value = parameters.get(name);
        if (value == null || !(value > 0) || value.isInfinite()) {
            throw new IllegalArgumentException("parameter " + name + " must be a positive number, got " + value);
        }
        return value;
    }
}
