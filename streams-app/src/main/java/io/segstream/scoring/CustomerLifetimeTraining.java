package io.segstream.scoring;

import io.segstream.avro.Model;
import io.segstream.avro.ModelKind;
import io.segstream.avro.Order;
import io.segstream.avro.OrderType;
import io.segstream.facts.Rfm;
import io.segstream.features.RfmState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Fits the clv model (BG/NBD + Gamma-Gamma) from a shop's orders. Each customer's orders are folded
 * with the pipeline's own RFM code, as of {@code until}, and read into model histories exactly as
 * the in-stream facts read them, so the fitted parameters mean the same thing live. Orders from
 * {@code until} to {@code holdoutUntil}, if given, are not fitted on but counted, to measure the
 * model's predictions against what customers then did.
 */
public final class CustomerLifetimeTraining {

    private static final long DAY_MILLIS = 86_400_000L;
    /** The RFM window plays no part in the model; any value folds the same lifetime figures. */
    private static final int WINDOW_DAYS = 365;

    private final Instant until;
    private final Instant holdoutUntil;
    private final Map<String, RfmState> customers = new HashMap<>();
    private final Map<String, Long> holdoutPurchases = new HashMap<>();
    private final Set<String> orderIds = new HashSet<>();
    private Instant firstOrder;
    private Instant lastOrder;
    private long ordersFitted;

    /** How one predictor of the holdout's purchases did: mean absolute error per customer and total. */
    public record Score(String predictor, double meanAbsoluteError, double total) {}

    /** The holdout: its customers (those who bought before {@code until}), its length, and each predictor's score. */
    public record Holdout(Instant from, Instant until, int customers, long actualPurchases, List<Score> scores) {}

    /** The fitted model, the data it was fitted on, and the holdout (null without one). */
    public record Result(Model model, int customers, int spendCustomers, long orders, Holdout holdout) {}

    /**
     * Training on orders before {@code until} (null: every order); with {@code holdoutUntil}, the
     * purchases from {@code until} to it are the holdout.
     */
    public CustomerLifetimeTraining(Instant until, Instant holdoutUntil) {
        if (holdoutUntil != null && (until == null || !holdoutUntil.isAfter(until))) {
            throw new IllegalArgumentException("the holdout needs an end after the end of the fitting period");
        }
        this.until = until;
        this.holdoutUntil = holdoutUntil;
    }

    /** Adds one order; a repeated order id counts once, as in the pipeline. */
    public void add(Order order) {
        if (!orderIds.add(order.getOrderId())) {
            return;
        }
        Instant at = order.getEventTimestamp();
        if (until == null || at.isBefore(until)) {
            customers.computeIfAbsent(order.getUserId(), user -> new RfmState()).apply(order, WINDOW_DAYS);
            firstOrder = firstOrder == null || at.isBefore(firstOrder) ? at : firstOrder;
            lastOrder = lastOrder == null || at.isAfter(lastOrder) ? at : lastOrder;
            ordersFitted++;
        } else if (holdoutUntil != null && at.isBefore(holdoutUntil) && order.getType() == OrderType.PURCHASE) {
            holdoutPurchases.merge(order.getUserId(), 1L, Long::sum);
        }
    }

    /** Fits the model in {@code timeUnitDays} units and names it {@code version}; {@code provenance} is added to the fit's. */
    public Result fit(String version, double timeUnitDays, Map<String, String> provenance) {
        if (firstOrder == null) {
            throw new IllegalArgumentException("no orders to fit on" + (until == null ? "" : " before " + until));
        }
        Instant asOf = until == null ? lastOrder : until;
        Map<String, Rfm> views = new TreeMap<>();
        customers.forEach((user, state) -> views.put(user, state.view(asOf.toEpochMilli(), WINDOW_DAYS, null)));
        Map<String, String> fitted = new TreeMap<>(provenance);
        fitted.put("fittedOn", "orders from " + firstOrder + " to " + asOf);
        fitted.put("orders", Long.toString(ordersFitted));
        Fit fit = fit(views, asOf, timeUnitDays, fitted);
        Holdout holdout = holdoutUntil == null ? null
                : holdout(fit.purchases(), fit.histories(), timeUnitDays, Duration.between(firstOrder, asOf));
        if (holdout != null) {
            holdout.scores().forEach(score -> fitted.put("holdout." + score.predictor(), String.format(Locale.ROOT,
                    "MAE %.3f, total %.0f of %d", score.meanAbsoluteError(), score.total(), holdout.actualPurchases())));
        }
        return new Result(model(version, fit, timeUnitDays, fitted), fit.histories().size(), fit.spends().size(),
                ordersFitted, holdout);
    }

    /**
     * Fits the model on customers as the pipeline holds them (every instance's, through the API), their
     * histories measured as of {@code asOf}; the result's order count is their purchases.
     */
    public static Result fitCustomers(List<Rfm> customers, Instant asOf, String version, double timeUnitDays,
            Map<String, String> provenance) {
        Map<String, Rfm> views = new LinkedHashMap<>();
        customers.forEach(rfm -> views.put(Integer.toString(views.size()), rfm));
        Map<String, String> fitted = new TreeMap<>(provenance);
        fitted.put("fittedOn", "the pipeline's state as of " + asOf);
        Fit fit = fit(views, asOf, timeUnitDays, fitted);
        long purchases = customers.stream().mapToLong(Rfm::frequency).sum();
        fitted.put("orders", Long.toString(purchases));
        return new Result(model(version, fit, timeUnitDays, fitted), fit.histories().size(), fit.spends().size(),
                purchases, null);
    }

    /** The fitted models and what they were fitted on. */
    private record Fit(BgNbd purchases, GammaGamma spend, Map<String, BgNbd.History> histories,
            List<GammaGamma.Spend> spends) {}

    /**
     * Fits BG/NBD on every customer with a purchase and Gamma-Gamma on those with two or more and a
     * positive average, reading histories as the live facts do; adds the fit's figures to {@code fitted}.
     */
    private static Fit fit(Map<String, Rfm> customers, Instant asOf, double timeUnitDays, Map<String, String> fitted) {
        long now = asOf.toEpochMilli();
        // The histories are read by a model of the same time unit, whatever its parameters.
        CustomerLifetime reader = new CustomerLifetime("reader", new BgNbd(1, 1, 1, 1), null, timeUnitDays);
        Map<String, BgNbd.History> histories = new LinkedHashMap<>();
        List<GammaGamma.Spend> spends = new ArrayList<>();
        customers.forEach((user, rfm) -> {
            if (rfm.frequency() < 1) {
                return;
            }
            histories.put(user, reader.history(rfm, now));
            if (rfm.frequency() >= 2 && rfm.averageOrderValue() != null && rfm.averageOrderValue().signum() > 0) {
                spends.add(new GammaGamma.Spend((int) Math.min(rfm.frequency(), Integer.MAX_VALUE),
                        rfm.averageOrderValue().doubleValue()));
            }
        });
        if (histories.size() < 2 || spends.size() < 2) {
            throw new IllegalArgumentException("too few customers to fit: " + histories.size() + " with a purchase, "
                    + spends.size() + " with a repeat purchase");
        }
        List<BgNbd.History> all = List.copyOf(histories.values());
        BgNbd purchases = BgNbd.fit(all);
        GammaGamma spend = GammaGamma.fit(spends);
        fitted.put("customers", Integer.toString(histories.size()));
        fitted.put("spendCustomers", Integer.toString(spends.size()));
        fitted.put("logLikelihoodPurchases", String.format(Locale.ROOT, "%.1f", purchases.logLikelihood(all)));
        fitted.put("logLikelihoodSpend", String.format(Locale.ROOT, "%.1f", spend.logLikelihood(spends)));
        return new Fit(purchases, spend, histories, spends);
    }

    private static Model model(String version, Fit fit, double timeUnitDays, Map<String, String> provenance) {
        Map<String, Double> parameters = new TreeMap<>(Map.of(CustomerLifetime.R, fit.purchases().r(),
                CustomerLifetime.ALPHA, fit.purchases().alpha(), CustomerLifetime.A, fit.purchases().a(),
                CustomerLifetime.B, fit.purchases().b(), CustomerLifetime.TIME_UNIT_DAYS, timeUnitDays,
                CustomerLifetime.P, fit.spend().p(), CustomerLifetime.Q, fit.spend().q(),
                CustomerLifetime.GAMMA, fit.spend().gamma()));
        return Model.newBuilder()
                .setName(ModelCatalog.CLV)
                .setKind(ModelKind.CLV_BGNBD_GAMMA_GAMMA)
                .setVersion(version)
                .setParameters(parameters)
                .setProvenance(new TreeMap<>(provenance))
                .setTrainedAt(Instant.now())
                .build();
    }

    /**
     * Each fitted customer's purchases in the holdout, predicted by the model and by two naive
     * predictors that keep "the same rate as before": their repeat purchases per unit of time since
     * their first purchase, and their purchases per unit of time of the whole fitting period.
     */
    private Holdout holdout(BgNbd purchases, Map<String, BgNbd.History> histories, double timeUnitDays, Duration fitting) {
        double unitMillis = timeUnitDays * DAY_MILLIS;
        double length = Duration.between(until, holdoutUntil).toMillis() / unitMillis;
        double window = fitting.toMillis() / unitMillis;
        double[] errors = new double[3];
        double[] totals = new double[3];
        long actualTotal = 0;
        for (Map.Entry<String, BgNbd.History> entry : histories.entrySet()) {
            BgNbd.History history = entry.getValue();
            long actual = holdoutPurchases.getOrDefault(entry.getKey(), 0L);
            double[] predicted = {
                purchases.expectedPurchases(length, history),
                history.age() > 0 ? history.repeatPurchases() / history.age() * length : 0,
                (history.repeatPurchases() + 1) / window * length
            };
            for (int i = 0; i < predicted.length; i++) {
                errors[i] += Math.abs(predicted[i] - actual);
                totals[i] += predicted[i];
            }
            actualTotal += actual;
        }
        int n = histories.size();
        return new Holdout(until, holdoutUntil, n, actualTotal, List.of(
                new Score("model", errors[0] / n, totals[0]),
                new Score("repeatRateSinceFirstPurchase", errors[1] / n, totals[1]),
                new Score("rateOverFittingPeriod", errors[2] / n, totals[2])));
    }
}
