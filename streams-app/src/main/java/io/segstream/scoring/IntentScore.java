package io.segstream.scoring;

import java.util.Map;

/**
 * A user's purchase-intent score 0..100 with its explanation: the baseline (every feature at its
 * mean) plus each feature's contribution in score points adds up to the score.
 */
public record IntentScore(double score, double baseline, Map<String, Double> contributions, String modelVersion) {

    public IntentScore {
        contributions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(contributions));
    }
}
