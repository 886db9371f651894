package io.segstream.scoring;

import static org.apache.commons.math3.special.Gamma.logGamma;

import java.util.List;

/**
 * The Gamma-Gamma model of spend per transaction (Fader and Hardie, 2013, "The Gamma-Gamma Model of
 * Monetary Value"): a customer's transaction values are Gamma(p, ν) around their own mean p/ν, and
 * ν varies across customers as Gamma(q, γ). It assumes spend per transaction is independent of
 * how often a customer buys. Fitted on customers with at least one repeat purchase.
 */
public record GammaGamma(double p, double q, double gamma) {

    /** One customer's transactions: how many (at least one) and their mean value (positive). */
    public record Spend(int transactions, double averageValue) {
        public Spend {
            if (transactions < 1 || !(averageValue > 0)) {
                throw new IllegalArgumentException("need at least one transaction of positive mean value: "
                        + transactions + ", " + averageValue);
            }
        }
    }

    /** The parameters that maximise the likelihood of {@code customers}. */
    public static GammaGamma fit(List<Spend> customers) {
        double[] fitted = MaximumLikelihood.fit(parameters -> new GammaGamma(parameters[0], parameters[1], parameters[2])
                .logLikelihood(customers), new double[] {1, 1, 1});
        return new GammaGamma(fitted[0], fitted[1], fitted[2]);
    }

    /** The log-likelihood of the customers' mean transaction values under these parameters. */
    public double logLikelihood(List<Spend> customers) {
        double sum = 0;
        for (Spend customer : customers) {
            double x = customer.transactions();
            double mean = customer.averageValue();
            sum += logGamma(p * x + q) - logGamma(p * x) - logGamma(q) + q * Math.log(gamma)
                    + (p * x - 1) * Math.log(mean) + p * x * Math.log(x) - (p * x + q) * Math.log(gamma + x * mean);
        }
        return sum;
    }

    /** The expected mean transaction value of a customer with {@code spend} (undefined for q <= 1). */
    public double expectedAverageValue(Spend spend) {
        double x = spend.transactions();
        return (p * (gamma + x * spend.averageValue())) / (p * x + q - 1);
    }
}
