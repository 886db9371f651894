package io.segstream.scoring;

import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.NelderMeadSimplex;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.SimplexOptimizer;

/**
 * Maximum-likelihood fitting of models whose parameters are all positive: the log-likelihood is
 * maximised over the parameters' logarithms with Commons Math's Nelder-Mead simplex, restarted
 * from its own optimum until it stops improving (a simplex can stall before the optimum).
 */
final class MaximumLikelihood {

    private static final int MAX_EVALUATIONS = 20_000;
    private static final int MAX_RESTARTS = 10;

    private MaximumLikelihood() {}

    /** The positive parameters that maximise {@code logLikelihood}, searched from {@code start}. */
    static double[] fit(ToDoubleFunction<double[]> logLikelihood, double[] start) {
        ObjectiveFunction negative = new ObjectiveFunction(logs -> {
            double value = logLikelihood.applyAsDouble(exp(logs));
            return Double.isFinite(value) ? -value : Double.MAX_VALUE;
        });
        SimplexOptimizer optimizer = new SimplexOptimizer(1e-10, 1e-10);
        double[] point = log(start);
        double best = Double.MAX_VALUE;
        for (int restart = 0; restart < MAX_RESTARTS; restart++) {
            PointValuePair optimum = optimizer.optimize(new MaxEval(MAX_EVALUATIONS), negative, GoalType.MINIMIZE,
                    new InitialGuess(point), new NelderMeadSimplex(point.length, 0.5));
            point = optimum.getPoint();
            if (best - optimum.getValue() < 1e-9 * Math.max(1, Math.abs(best))) {
                best = Math.min(best, optimum.getValue());
                break;
            }
            best = optimum.getValue();
        }
        return exp(point);
    }

    private static double[] exp(double[] logs) {
        double[] values = new double[logs.length];
        for (int i = 0; i < logs.length; i++) {
            values[i] = Math.exp(logs[i]);
        }
        return values;
    }

    private static double[] log(double[] values) {
        double[] logs = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            logs[i] = Math.log(values[i]);
        }
        return logs;
    }
}
