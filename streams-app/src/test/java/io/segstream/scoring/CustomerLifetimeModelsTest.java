package io.segstream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.ExponentialDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;

/**
 * Parameter recovery: customers simulated from known parameters by the models' own story (not
 * their likelihoods), then fitted. The parameters are those Fader, Hardie and Lee fitted to the
 * CDNow data; ages are spread over 10 to 52 weeks.
 */
class CustomerLifetimeModelsTest {

    private static final BgNbd TRUE_BG_NBD = new BgNbd(0.243, 4.414, 0.793, 2.426);
    private static final GammaGamma TRUE_GAMMA_GAMMA = new GammaGamma(6.25, 3.74, 15.44);
    /** 5,000 by default; -Dclv.customers=20000 runs the full-size recovery. */
    private static final int CUSTOMERS = Integer.getInteger("clv.customers", 5_000);

    /** One customer: alive, buying at rate λ, until dropping out (probability p after each repeat purchase) or age T. */
    private static BgNbd.History simulate(BgNbd truth, double age, RandomGenerator random) {
        double rate = new GammaDistribution(random, truth.r(), 1 / truth.alpha()).sample();
        double dropout = new BetaDistribution(random, truth.a(), truth.b()).sample();
        int purchases = 0;
        double last = 0;
        double time = 0;
        while (true) {
            time += new ExponentialDistribution(random, 1 / rate).sample();
            if (time > age) {
                break;
            }
            purchases++;
            last = time;
            if (random.nextDouble() < dropout) {
                break;
            }
        }
        return new BgNbd.History(purchases, last, age);
    }

    @Test
    void bgNbdRecoversTheParametersItWasSimulatedFrom() {
        RandomGenerator random = new Well19937c(7);
        List<BgNbd.History> customers = new ArrayList<>();
        for (int i = 0; i < CUSTOMERS; i++) {
            customers.add(simulate(TRUE_BG_NBD, 10 + 42 * random.nextDouble(), random));
        }

        BgNbd fitted = BgNbd.fit(customers);

        System.out.println("[clv] BG/NBD on " + CUSTOMERS + " simulated customers: " + fitted);
        // a and b are identified only by the customers who buy again, so they are the noisier pair.
        assertThat(fitted.r()).isCloseTo(TRUE_BG_NBD.r(), within(0.10 * TRUE_BG_NBD.r()));
        assertThat(fitted.alpha()).isCloseTo(TRUE_BG_NBD.alpha(), within(0.10 * TRUE_BG_NBD.alpha()));
        assertThat(fitted.a()).isCloseTo(TRUE_BG_NBD.a(), within(0.15 * TRUE_BG_NBD.a()));
        assertThat(fitted.b()).isCloseTo(TRUE_BG_NBD.b(), within(0.15 * TRUE_BG_NBD.b()));
        assertThat(fitted.logLikelihood(customers)).isGreaterThanOrEqualTo(TRUE_BG_NBD.logLikelihood(customers));
    }

    @Test
    void gammaGammaRecoversTheParametersItWasSimulatedFrom() {
        RandomGenerator random = new Well19937c(11);
        List<GammaGamma.Spend> customers = new ArrayList<>();
        for (int i = 0; i < CUSTOMERS; i++) {
            double scale = new GammaDistribution(random, TRUE_GAMMA_GAMMA.q(), 1 / TRUE_GAMMA_GAMMA.gamma()).sample();
            int transactions = 1 + random.nextInt(8);
            double total = 0;
            for (int t = 0; t < transactions; t++) {
                total += new GammaDistribution(random, TRUE_GAMMA_GAMMA.p(), 1 / scale).sample();
            }
            customers.add(new GammaGamma.Spend(transactions, total / transactions));
        }

        GammaGamma fitted = GammaGamma.fit(customers);

        System.out.println("[clv] Gamma-Gamma on " + CUSTOMERS + " simulated customers: " + fitted);
        assertThat(fitted.p()).isCloseTo(TRUE_GAMMA_GAMMA.p(), within(0.10 * TRUE_GAMMA_GAMMA.p()));
        assertThat(fitted.q()).isCloseTo(TRUE_GAMMA_GAMMA.q(), within(0.10 * TRUE_GAMMA_GAMMA.q()));
        assertThat(fitted.gamma()).isCloseTo(TRUE_GAMMA_GAMMA.gamma(), within(0.10 * TRUE_GAMMA_GAMMA.gamma()));
    }

    /**
     * The paper's own worked example (Fader, Hardie and Lee 2005, section 5, the CDNow fit): a
     * customer with 2 repeat purchases, the last at week 30.43, observed for 38.86 weeks, is expected
     * to make 1.226 purchases in the next 39 weeks.
     */
    @Test
    void theExpectedPurchasesMatchThePapersWorkedExample() {
        BgNbd cdnow = new BgNbd(0.243, 4.414, 0.793, 2.426);

        assertThat(cdnow.expectedPurchases(39, new BgNbd.History(2, 30.43, 38.86))).isCloseTo(1.226, within(0.001));
    }

    @Test
    void theHypergeometricSeriesMatchesClosedForms() {
        // 2F1(1, 1; 2; z) = -ln(1 - z) / z, and 2F1(a, b; b; z) = (1 - z)^-a.
        assertThat(BgNbd.hypergeometric2F1(1, 1, 2, 0.5)).isCloseTo(-Math.log(0.5) / 0.5, within(1e-12));
        assertThat(BgNbd.hypergeometric2F1(2.5, 3, 3, 0.3)).isCloseTo(Math.pow(0.7, -2.5), within(1e-12));
    }

    @Test
    void aCustomerWhoBoughtOftenButLongAgoIsLikelyGone() {
        BgNbd model = TRUE_BG_NBD;
        double recent = model.probabilityAlive(new BgNbd.History(10, 38, 39));
        double longAgo = model.probabilityAlive(new BgNbd.History(10, 5, 39));

        assertThat(model.probabilityAlive(new BgNbd.History(0, 0, 39))).isEqualTo(1.0);
        assertThat(recent).isGreaterThan(0.9);
        assertThat(longAgo).isLessThan(0.01);
    }
}
