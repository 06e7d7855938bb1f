package dev.adjoint.runtime.optim;

import java.util.Arrays;

/**
 * Adam (Kingma and Ba, 2015): per-coordinate steps scaled by running estimates of the first and
 * second moments of the gradient, with bias correction. Suited to noisy (minibatch) gradients:
 * the non-variable arguments may be refilled between steps.
 */
public final class Adam implements Optimizer {

    /** Defaults from the paper. */
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPSILON = 1e-8;

    private final Objective objective;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double[] x;
    private final double[] g;
    private final double[] m;
    private final double[] v;
    private double learningRate;
    private long t;
    private double beta1Power = 1;
    private double beta2Power = 1;
    private double gradientNorm = Double.NaN;

    /** Adam with the paper's β₁ = 0.9, β₂ = 0.999, ε = 1e-8. */
    public Adam(Objective objective, double learningRate) {
        this(objective, learningRate, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
    }

    /**
     * @param learningRate η &gt; 0
     * @param beta1        decay of the first moment, in [0, 1)
     * @param beta2        decay of the second moment, in [0, 1)
     * @param epsilon      added to the root of the second moment, &gt; 0
     */
    public Adam(Objective objective, double learningRate, double beta1, double beta2, double epsilon) {
        this.objective = objective;
        setLearningRate(learningRate);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta1 and beta2 must be in [0, 1) but are " + beta1 + ", " + beta2);
        }
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("epsilon must be positive but is " + epsilon);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        int n = objective.dimension();
        x = new double[n];
        g = new double[n];
        m = new double[n];
        v = new double[n];
    }

    /** The current learning rate. */
    public double learningRate() {
        return learningRate;
    }

    /** Changes the learning rate (for a schedule); the moment estimates are kept. */
    public void setLearningRate(double learningRate) {
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be positive and finite but is " + learningRate);
        }
        this.learningRate = learningRate;
    }

    /** Number of steps taken since creation or {@link #reset()}. */
    public long steps() {
        return t;
    }

    @Override
    public Objective objective() {
        return objective;
    }

    @Override
    public double step() {
        objective.read(x);
        double cost = objective.evaluate(g);
        t++;
        beta1Power *= beta1;
        beta2Power *= beta2;
        // Bias-corrected step: η·m̂/(√v̂ + ε) with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ).
        double c1 = 1 / (1 - beta1Power);
        double c2 = 1 / (1 - beta2Power);
        double norm2 = 0;
        for (int i = 0; i < x.length; i++) {
            double gi = g[i];
            norm2 += gi * gi;
            m[i] = beta1 * m[i] + (1 - beta1) * gi;
            v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
            x[i] -= learningRate * (m[i] * c1) / (Math.sqrt(v[i] * c2) + epsilon);
        }
        gradientNorm = Math.sqrt(norm2);
        objective.write(x);
        return objective.valueOf(cost);
    }

    @Override
    public double gradientNorm() {
        return gradientNorm;
    }

    @Override
    public void reset() {
        Arrays.fill(m, 0);
        Arrays.fill(v, 0);
        t = 0;
        beta1Power = 1;
        beta2Power = 1;
        gradientNorm = Double.NaN;
    }
}
