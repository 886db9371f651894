package io.segstream.scoring;

import static org.apache.commons.math3.special.Gamma.logGamma;

import java.util.List;

/**
 * The BG/NBD model of repeat purchasing in a non-contractual setting (Fader, Hardie and Lee, 2005,
 * "Counting Your Customers the Easy Way"). While alive, a customer buys at a Poisson rate λ that
 * varies across customers as Gamma(r, α); after each purchase they drop out with probability p that
 * varies as Beta(a, b). A customer's history is summarised by their repeat purchases x, the time of
 * their last purchase t_x and their age T, both counted from their first purchase (in any unit,
 * the same for all; α is in that unit).
 */
public record BgNbd(double r, double alpha, double a, double b) {

    /** One customer's history: repeat purchases (after the first), time of the last purchase, age. */
    public record History(int repeatPurchases, double recency, double age) {
        public History {
            if (repeatPurchases < 0 || recency < 0 || age < recency || (repeatPurchases == 0 && recency != 0)) {
                throw new IllegalArgumentException("need 0 <= recency <= age, and recency 0 without repeat purchases: "
                        + repeatPurchases + ", " + recency + ", " + age);
            }
        }
    }

    /** The parameters that maximise the likelihood of {@code customers}. */
    public static BgNbd fit(List<History> customers) {
        double[] fitted = MaximumLikelihood.fit(parameters -> new BgNbd(parameters[0], parameters[1], parameters[2],
                parameters[3]).logLikelihood(customers), new double[] {1, 1, 1, 1});
        return new BgNbd(fitted[0], fitted[1], fitted[2], fitted[3]);
    }

    /** The log-likelihood of {@code customers} under these parameters (equation 6 of the paper). */
    public double logLikelihood(List<History> customers) {
        double sum = 0;
        double common = logGamma(a + b) - logGamma(b) + r * Math.log(alpha) - logGamma(r);
        for (History customer : customers) {
            int x = customer.repeatPurchases();
            double a1 = logGamma(r + x);
            double a2 = logGamma(b + x) - logGamma(a + b + x);
            double a3 = -(r + x) * Math.log(alpha + customer.age());
            double value = a3;
            if (x > 0) {
                double a4 = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + customer.recency());
                value = logSumExp(a3, a4);
            }
            sum += common + a1 + a2 + value;
        }
        return sum;
    }

    /** The probability that a customer with {@code history} is still active at its age (equation 11). */
    public double probabilityAlive(History history) {
        int x = history.repeatPurchases();
        if (x == 0) {
            return 1.0;
        }
        double logRatio = Math.log(a) - Math.log(b + x - 1)
                + (r + x) * (Math.log(alpha + history.age()) - Math.log(alpha + history.recency()));
        return 1.0 / (1.0 + Math.exp(logRatio));
    }

    /**
     * The expected number of purchases in the next {@code t} time units of a customer with
     * {@code history} (equation 10 of the paper).
     */
    public double expectedPurchases(double t, History history) {
        int x = history.repeatPurchases();
        double age = history.age();
        double z = t / (alpha + age + t);
        double hypergeometric = hypergeometric2F1(r + x, b + x, a + b + x - 1, z);
        double numerator = (a + b + x - 1) / (a - 1)
                * (1 - Math.pow((alpha + age) / (alpha + age + t), r + x) * hypergeometric);
        double denominator = x == 0 ? 1
                : 1 + a / (b + x - 1) * Math.pow((alpha + age) / (alpha + history.recency()), r + x);
        return numerator / denominator;
    }

    /**
     * Gauss's hypergeometric function 2F1(a, b; c; z) for 0 <= z < 1, by its power series (Commons
     * Math has none; here z = t / (α + T + t) stays well below 1, where the series converges fast).
     */
    static double hypergeometric2F1(double a, double b, double c, double z) {
        double term = 1;
        double sum = 1;
        for (int n = 0; n < 100_000; n++) {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
            sum += term;
            if (Math.abs(term) < 1e-15 * Math.abs(sum)) {
                return sum;
            }
        }
        throw new ArithmeticException("2F1(" + a + ", " + b + "; " + c + "; " + z + ") did not converge");
    }

    private static double logSumExp(double first, double second) {
        double max = Math.max(first, second);
        return max + Math.log(Math.exp(first - max) + Math.exp(second - max));
    }
}
