package io.segstream.scoring;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.Model;
import io.segstream.avro.ModelFeature;
import io.segstream.avro.ModelKind;
import io.segstream.avro.Order;
import io.segstream.avro.OrderType;
import io.segstream.facts.Fact;
import io.segstream.facts.Facts;
import io.segstream.features.FeatureSettings;
import io.segstream.features.FeatureState;
import io.segstream.features.FeatureUpdates;
import io.segstream.features.Timers;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluationUtil;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Fits the intent model on a clickstream export. The export is replayed through the pipeline's own
 * feature code, without Kafka: at each click the user's facts are what the pipeline would have
 * evaluated, and they become one row. The label of a row is whether the user's session goes on to
 * a purchase (see {@link #labels()}). Rows are split by
 * time: the model is fitted on the earlier part (Tribuo's logistic regression over standardised
 * facts) and measured on the later part, against the model in use before (the prior).
 */
public final class IntentTraining {

    /** The facts fitted by default: in-session signals and purchase history the pipeline keeps for every user. */
    public static final List<String> DEFAULT_FEATURES = List.of("cart.items", "cart.lines", "cart.value",
            "cart.checkoutStarted", "dwell.sessionActive", "dwell.sessionPages", "dwell.sessionDwellMs", "dwell.sessions",
            "interest.totalViews", "interest.topCategoryViews", "rfm.frequency", "rfm.monetary");

    private static final int EPOCHS = 10;
    /** Tribuo logs each fit through java.util.logging at INFO; a command's output says what matters. */
    private static final java.util.logging.Logger TRIBUO_LOG = java.util.logging.Logger.getLogger("org.tribuo");

    static {
        TRIBUO_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private static final Label BUYS = new Label("purchase");
    private static final Label BROWSES = new Label("no-purchase");

    private final FeatureSettings settings;
    private final IntentModel prior;
    /** The prior's view of the facts: intent scored by the prior, no lifetime model. */
    private final ModelCatalog.Snapshot priorPredictions;
    private final List<Fact> features;
    private final FeatureUpdates updates;
    private final Map<String, FeatureState> users = new HashMap<>();
    /** One click (its row) or purchase (row -1) of a user, for the labels; a click's session id if it has one. */
    private record Act(long at, int row, String session) {}

    /** Each user's clicks and purchases, in export order, for the labels. */
    private final Map<String, List<Act>> activity = new HashMap<>();
    private final List<double[]> rows = new ArrayList<>();
    private final List<Long> rowTimes = new ArrayList<>();
    private final List<Double> priorScores = new ArrayList<>();
    private long streamTime = Long.MIN_VALUE;
    private long purchases;

    /** How a model did on the test rows. */
    public record Metrics(double rocAuc, double logLoss) {}

    /** The fitted model and how it and the prior did on the rows after the split. */
    public record Result(Model model, int rows, int trainRows, int testRows, long positiveTrainRows, long positiveTestRows,
            Instant splitAt, Metrics fitted, Metrics prior) {}

    /** Training on {@code features} (facts the intent model may read), measured against {@code prior}. */
    public IntentTraining(FeatureSettings settings, List<String> features, IntentModel prior) {
        this.settings = settings;
        this.prior = prior;
        this.priorPredictions = new ModelCatalog(prior).snapshot();
        List<Fact> resolved = new ArrayList<>();
        for (String name : features) {
            Fact fact = Facts.named(name);
            if (fact == null) {
                throw new IllegalArgumentException("'" + name + "' is not a fact");
            }
            resolved.add(fact);
        }
        this.features = List.copyOf(resolved);
        this.updates = FeatureUpdates.offline(settings);
        // Checks the facts are ones the intent model can read, as any published model is checked.
        IntentModel.from(model("check", 0, this.features.stream().map(fact -> ModelFeature.newBuilder()
                .setFact(fact.name()).setMean(0).setScale(1).setWeight(0).build()).toList(), Map.of()));
    }

    /** Replays one record of the export (in time order, as the export is written). */
    public void add(SpecificRecord record) {
        long at;
        String user;
        if (record instanceof ClickEvent click) {
            at = click.getEventTimestamp().toEpochMilli();
            user = click.getUserId();
        } else if (record instanceof Order order) {
            at = order.getEventTimestamp().toEpochMilli();
            user = order.getUserId();
        } else {
            return;
        }
        streamTime = Math.max(streamTime, at);
        fireDueTimers();
        FeatureState state = users.computeIfAbsent(user, u -> new FeatureState());
        if (record instanceof ClickEvent click) {
            updates.click(user, state, click, streamTime);
            Facts.Input input = new Facts.Input(state.view(user, at, settings, null), priorPredictions);
            double[] values = new double[features.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = IntentModel.numeric(input.value(features.get(i)));
            }
            activity.computeIfAbsent(user, u -> new ArrayList<>()).add(new Act(at, rows.size(),
                    click.getSessionId() == null ? null : click.getSessionId().toString()));
            rows.add(values);
            rowTimes.add(at);
            priorScores.add(input.intentScore() / 100);
        } else {
            Order order = (Order) record;
            updates.order(user, state, order, streamTime);
            if (order.getType() == OrderType.PURCHASE) {
                activity.computeIfAbsent(user, u -> new ArrayList<>()).add(new Act(at, -1, null));
                purchases++;
            }
        }
    }

    /** Abandons carts as the pipeline's punctuator would by now, so cart facts are the pipeline's. */
    private void fireDueTimers() {
        for (Timers.Due due : updates.dueBy(streamTime)) {
            updates.fire(due, users.get(due.user()), streamTime);
        }
    }

    /**
     * Fits on the rows before the {@code trainFraction} quantile of their times and measures on the rest.
     * The model is named intent, at {@code version}; {@code provenance} is added to the fit's.
     */
    public Result fit(String version, double trainFraction, long seed, Map<String, String> provenance) {
        boolean[] labels = labels();
        List<Long> sorted = new ArrayList<>(rowTimes);
        sorted.sort(null);
        if (rows.size() < 10) {
            throw new IllegalArgumentException("too few clicks to fit on: " + rows.size());
        }
        long split = sorted.get((int) Math.min(sorted.size() - 1, Math.round(trainFraction * sorted.size())));
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            (rowTimes.get(i) < split ? train : test).add(i);
        }
        long positiveTrain = train.stream().filter(i -> labels[i]).count();
        long positiveTest = test.stream().filter(i -> labels[i]).count();
        if (positiveTrain == 0 || positiveTrain == train.size() || positiveTest == 0 || positiveTest == test.size()) {
            throw new IllegalArgumentException("both the earlier and the later part need sessions with and without a "
                    + "purchase: " + positiveTrain + " of " + train.size() + " and " + positiveTest + " of " + test.size()
                    + " rows are positive");
        }
        // Standardised on the training rows; a fact that never varies there carries nothing and is left out.
        List<Integer> kept = new ArrayList<>();
        List<String> constant = new ArrayList<>();
        double[] means = new double[features.size()];
        double[] scales = new double[features.size()];
        for (int j = 0; j < features.size(); j++) {
            double sum = 0;
            double squares = 0;
            for (int i : train) {
                sum += rows.get(i)[j];
                squares += rows.get(i)[j] * rows.get(i)[j];
            }
            means[j] = sum / train.size();
            double variance = squares / train.size() - means[j] * means[j];
            scales[j] = Math.sqrt(Math.max(variance, 0));
            if (variance > 1e-12) {
                kept.add(j);
            } else {
                constant.add(features.get(j).name());
            }
        }
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("every feature is constant in the training rows: " + constant);
        }
        String[] names = kept.stream().map(j -> features.get(j).name()).toArray(String[]::new);
        MutableDataset<Label> dataset = new MutableDataset<>(new SimpleDataSourceProvenance("intent training rows",
                new LabelFactory()), new LabelFactory());
        for (int i : train) {
            double[] standardised = new double[names.length];
            for (int k = 0; k < names.length; k++) {
                int j = kept.get(k);
                standardised[k] = (rows.get(i)[j] - means[j]) / scales[j];
            }
            dataset.add(new ArrayExample<>(labels[i] ? BUYS : BROWSES, names, standardised));
        }
        // Tribuo's logistic regression (log loss, AdaGrad), with a fixed seed so a fit can be repeated.
        LinearSGDTrainer trainer = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(1.0, 0.1), EPOCHS,
                Integer.MAX_VALUE, 1, seed);
        LinearSGDModel fitted = trainer.train(dataset);
        // Two-class softmax: P(purchase) = sigmoid of the difference of the two classes' linear terms.
        DenseMatrix weights = fitted.getWeightsCopy();
        int buys = fitted.getOutputIDInfo().getID(BUYS);
        int browses = fitted.getOutputIDInfo().getID(BROWSES);
        List<ModelFeature> modelFeatures = new ArrayList<>();
        for (int k = 0; k < names.length; k++) {
            int column = fitted.getFeatureIDMap().get(names[k]).getID();
            int j = kept.get(k);
            modelFeatures.add(ModelFeature.newBuilder().setFact(names[k]).setMean(means[j]).setScale(scales[j])
                    .setWeight(weights.get(buys, column) - weights.get(browses, column)).build());
        }
        int biasColumn = weights.getDimension2Size() - 1;
        double bias = weights.get(buys, biasColumn) - weights.get(browses, biasColumn);
        IntentModel candidate = IntentModel.from(model(version, bias, modelFeatures, Map.of()));
        int[] keptIndexes = kept.stream().mapToInt(Integer::intValue).toArray();
        Metrics fittedMetrics = metrics(test, labels, i -> candidate.value(select(rows.get(i), keptIndexes)) / 100);
        Metrics priorMetrics = metrics(test, labels, priorScores::get);

        Map<String, String> fittedProvenance = new TreeMap<>(provenance);
        if (!constant.isEmpty()) {
            fittedProvenance.put("constantFeaturesLeftOut", String.join(",", constant));
        }
        fittedProvenance.put("trainer", "Tribuo " + org.tribuo.Tribuo.VERSION + " " + trainer);
        fittedProvenance.put("label", "a purchase follows the click in its session (the session of the user's latest "
                + "click before the purchase; without session ids, until " + settings.sessionGap() + " without activity)");
        fittedProvenance.put("rows", Integer.toString(rows.size()));
        fittedProvenance.put("split", "train on clicks before " + Instant.ofEpochMilli(split) + " (" + train.size()
                + " rows, " + positiveTrain + " positive), test on the rest (" + test.size() + " rows, " + positiveTest
                + " positive)");
        fittedProvenance.put("test.rocAuc", format(fittedMetrics.rocAuc()));
        fittedProvenance.put("test.logLoss", format(fittedMetrics.logLoss()));
        fittedProvenance.put("test.prior", prior.version() + ": rocAuc " + format(priorMetrics.rocAuc()) + ", logLoss "
                + format(priorMetrics.logLoss()));
        fittedProvenance.put("purchases", Long.toString(purchases));
        Model model = model(version, bias, modelFeatures, fittedProvenance);
        return new Result(model, rows.size(), train.size(), test.size(), positiveTrain, positiveTest,
                Instant.ofEpochMilli(split), fittedMetrics, priorMetrics);
    }

    /**
     * Whether each row's session goes on to a purchase. A purchase belongs to the session of the user's
     * latest click before it (orders carry no session id); a click is positive when a purchase of its
     * session follows it. Clicks without a session id are in the same session as a purchase when no
     * gap longer than {@code dwell.session.gap} separates them.
     */
    boolean[] labels() {
        boolean[] labels = new boolean[rows.size()];
        long gap = settings.sessionGap().toMillis();
        for (List<Act> events : activity.values()) {
            events.sort(java.util.Comparator.comparingLong(Act::at));
            String[] sessions = new String[events.size()];
            String current = null;
            for (int k = 0; k < events.size(); k++) {
                Act event = events.get(k);
                current = event.row() >= 0 ? event.session() : current;
                sessions[k] = current;
            }
            java.util.Set<String> purchasedLater = new java.util.HashSet<>();
            boolean unnamedPurchaseLater = false;
            long next = Long.MAX_VALUE;
            for (int k = events.size() - 1; k >= 0; k--) {
                Act event = events.get(k);
                if (next - event.at() > gap) {
                    unnamedPurchaseLater = false;
                }
                if (event.row() < 0) {
                    if (sessions[k] == null) {
                        unnamedPurchaseLater = true;
                    } else {
                        purchasedLater.add(sessions[k]);
                    }
                } else {
                    labels[event.row()] = event.session() == null ? unnamedPurchaseLater
                            : purchasedLater.contains(event.session());
                }
                next = event.at();
            }
        }
        return labels;
    }

    private static Metrics metrics(List<Integer> rows, boolean[] labels, java.util.function.IntToDoubleFunction probability) {
        boolean[] truth = new boolean[rows.size()];
        double[] predicted = new double[rows.size()];
        double loss = 0;
        for (int k = 0; k < rows.size(); k++) {
            int i = rows.get(k);
            truth[k] = labels[i];
            double p = Math.min(1 - 1e-15, Math.max(1e-15, probability.applyAsDouble(i)));
            predicted[k] = p;
            loss -= labels[i] ? Math.log(p) : Math.log(1 - p);
        }
        return new Metrics(LabelEvaluationUtil.binaryAUCROC(truth, predicted), loss / rows.size());
    }

    private static double[] select(double[] values, int[] indexes) {
        double[] selected = new double[indexes.length];
        for (int k = 0; k < indexes.length; k++) {
            selected[k] = values[indexes[k]];
        }
        return selected;
    }

    private static Model model(String version, double bias, List<ModelFeature> modelFeatures,
            Map<String, String> provenance) {
        return Model.newBuilder().setName(ModelCatalog.INTENT).setKind(ModelKind.INTENT_LOGISTIC).setVersion(version)
                .setParameters(Map.of(IntentModel.BIAS, bias)).setFeatures(modelFeatures).setProvenance(provenance)
                .setTrainedAt(Instant.now()).build();
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }
}
