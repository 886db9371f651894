package io.segstream.scoring;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cel.common.types.CelTypes;
import dev.cel.common.types.SimpleType;
import io.segstream.avro.Model;
import io.segstream.avro.ModelKind;
import io.segstream.facts.Fact;
import io.segstream.facts.Facts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The purchase-intent model: score = 100 x sigmoid(bias + sum of weight x (x - mean) / scale) over
 * numeric or boolean facts (true = 1). Loaded from JSON (a default ships in the jar; config key
 * {@code intent.model.path} loads another), checked against the facts catalog.
 */
public final class IntentModel {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final String DEFAULT_RESOURCE = "default-intent-model.json";
    /** The parameter of a published INTENT_LOGISTIC model holding the logit's intercept. */
    public static final String BIAS = "bias";

    /** One input of the model. */
    public record Feature(String fact, double mean, double scale, double weight) {
        @JsonCreator
        public Feature(@JsonProperty(value = "fact", required = true) String fact,
                @JsonProperty(value = "mean", required = true) double mean,
                @JsonProperty(value = "scale", required = true) double scale,
                @JsonProperty(value = "weight", required = true) double weight) {
            this.fact = fact;
            this.mean = mean;
            this.scale = scale;
            this.weight = weight;
        }
    }

    record Spec(String version, String provenance, double bias, List<Feature> features) {
        @JsonCreator
        Spec(@JsonProperty(value = "version", required = true) String version,
                @JsonProperty("provenance") String provenance,
                @JsonProperty(value = "bias", required = true) double bias,
                @JsonProperty(value = "features", required = true) List<Feature> features) {
            this.version = version;
            this.provenance = provenance;
            this.bias = bias;
            this.features = List.copyOf(features);
        }
    }

    private final Spec spec;
    private final List<Fact> facts;
    /** Positions of {@link #facts} in the facts catalog. */
    private final int[] factIndexes;

    private IntentModel(Spec spec, String source) {
        this.spec = spec;
        List<Fact> resolved = new ArrayList<>();
        for (Feature feature : spec.features()) {
            Fact fact = Facts.named(feature.fact());
            if (fact == null) {
                throw new IllegalArgumentException(source + ": feature '" + feature.fact() + "' is not a fact the model can read");
            }
            if (fact.model() != null) {
                throw new IllegalArgumentException(source + ": feature '" + feature.fact() + "' is predicted by model "
                        + fact.model() + "; the intent model reads facts folded from events");
            }
            if (fact.type() != SimpleType.INT && fact.type() != SimpleType.DOUBLE && fact.type() != SimpleType.BOOL) {
                throw new IllegalArgumentException(source + ": feature '" + feature.fact() + "' is " + CelTypes.format(fact.type())
                        + "; the model reads numbers and booleans");
            }
            if (!(feature.scale() > 0)) {
                throw new IllegalArgumentException(source + ": feature '" + feature.fact() + "' needs a scale > 0");
            }
            resolved.add(fact);
        }
        this.facts = List.copyOf(resolved);
        this.factIndexes = resolved.stream().mapToInt(Facts::indexOf).toArray();
    }

    /** The model that ships with SegStream. */
    public static IntentModel defaultModel() {
        try (InputStream in = IntentModel.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            return new IntentModel(JSON.readValue(in, Spec.class), DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new IllegalStateException("The bundled intent model cannot be read", e);
        }
    }

    /** The model in {@code file}; a clear error when it does not parse or names an unusable fact. */
    public static IntentModel load(Path file) {
        try {
            return new IntentModel(JSON.readValue(Files.readAllBytes(file), Spec.class), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read intent model " + file + ": " + e.getMessage(), e);
        }
    }

    /** The model a published record describes (kind INTENT_LOGISTIC); a clear error when it is unusable. */
    public static IntentModel from(Model model) {
        String source = "model " + model.getName() + " " + model.getVersion();
        if (model.getKind() != ModelKind.INTENT_LOGISTIC) {
            throw new IllegalArgumentException(source + " is of kind " + model.getKind()
                    + "; intent.score needs kind INTENT_LOGISTIC");
        }
        Double bias = model.getParameters().get(BIAS);
        if (bias == null || !Double.isFinite(bias)) {
            throw new IllegalArgumentException(source + ": parameter " + BIAS + " must be a finite number, got " + bias);
        }
        List<Feature> features = model.getFeatures().stream()
                .map(feature -> new Feature(feature.getFact(), feature.getMean(), feature.getScale(), feature.getWeight()))
                .toList();
        String provenance = model.getProvenance().isEmpty() ? null : new java.util.TreeMap<>(model.getProvenance()).toString();
        return new IntentModel(new Spec(model.getVersion(), provenance, bias, features), source);
    }

    public String version() {
        return spec.version();
    }

    public String provenance() {
        return spec.provenance();
    }

    /** A user's score alone, as {@link #score} computes it: what segment evaluation reads for every event. */
    public double value(Facts.Input input) {
        double sum = 0;
        for (int i = 0; i < facts.size(); i++) {
            sum += term(i, input);
        }
        return 100 * sigmoid(spec.bias() + sum);
    }

    /** The facts the model reads, in the order of its features. */
    public List<Fact> facts() {
        return facts;
    }

    /** The score 0..100 of a user whose facts, in the order of {@link #facts()}, have {@code values} (true = 1). */
    public double value(double[] values) {
        double sum = 0;
        for (int i = 0; i < facts.size(); i++) {
            Feature feature = spec.features().get(i);
            sum += feature.weight() * (values[i] - feature.mean()) / feature.scale();
        }
        return 100 * sigmoid(spec.bias() + sum);
    }

    /** The numeric value of a fact a model reads: a number, or a boolean as 1 or 0. */
    public static double numeric(Object value) {
        if (value instanceof Boolean flag) {
            return flag ? 1 : 0;
        }
        return ((Number) value).doubleValue();
    }

    /**
     * Scores a user, with the explanation. Each feature's contribution is its share (by its term in
     * the logit) of the distance from the baseline score (all features at their mean) to the score,
     * so baseline + the contributions = the score.
     */
    public IntentScore score(Facts.Input input) {
        double[] terms = new double[facts.size()];
        double sum = 0;
        for (int i = 0; i < terms.length; i++) {
            terms[i] = term(i, input);
            sum += terms[i];
        }
        double baseline = 100 * sigmoid(spec.bias());
        double score = 100 * sigmoid(spec.bias() + sum);
        Map<String, Double> contributions = new LinkedHashMap<>();
        for (int i = 0; i < terms.length; i++) {
            contributions.put(facts.get(i).name(), sum == 0 ? 0.0 : (score - baseline) * terms[i] / sum);
        }
        return new IntentScore(score, baseline, contributions, spec.version());
    }

    private double term(int i, Facts.Input input) {
        Feature feature = spec.features().get(i);
        return feature.weight() * (numeric(input.value(factIndexes[i])) - feature.mean()) / feature.scale();
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
