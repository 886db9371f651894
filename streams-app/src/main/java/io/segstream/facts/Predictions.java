package io.segstream.facts;

import java.util.List;
import java.util.Map;

/**
 * The facts that models predict from a user's other facts. The scoring package provides them from
 * the models in use; facts read them through {@link Facts.Input}, each at most once per input.
 */
public interface Predictions {

    /** The purchase-intent score 0..100. */
    double intentScore(Facts.Input input);

    /** The customer-lifetime prediction, or an absent one that says why. */
    Lifetime lifetime(Facts.Input input);

    /** The version of each model in use, by model name (intent, clv). */
    Map<String, String> versions();

    /** The facts the intent score is computed from (how time moves the score). */
    List<Fact> intentInputs();

    /** The distinct clocks of {@link #intentInputs()}: what moves the score between a user's events. */
    default List<Clock> intentClocks() {
        return Facts.clocks(intentInputs());
    }

    /** Predictions with a fixed intent score and no lifetime model, for tests and tools. */
    static Predictions fixedIntent(double score) {
        return new Predictions() {
            @Override
            public double intentScore(Facts.Input input) {
                return score;
            }

            @Override
            public Lifetime lifetime(Facts.Input input) {
                return Lifetime.absent("no clv model");
            }

            @Override
            public Map<String, String> versions() {
                return Map.of();
            }

            @Override
            public List<Fact> intentInputs() {
                return List.of();
            }
        };
    }
}
