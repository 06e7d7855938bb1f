package dev.adjoint.runtime.optim;

/**
 * Gradient descent with an optional heavy-ball momentum: v ← μ·v − η·∇, x ← x + v (plain
 * gradient descent when μ = 0).
 */
public final class GradientDescent implements Optimizer {

    private final Objective objective;
    private final double[] x;
    private final double[] g;
    private final double[] velocity;
    private final double momentum;
    private double learningRate;
    private double gradientNorm = Double.NaN;

    /** Plain gradient descent with learning rate η. */
    public GradientDescent(Objective objective, double learningRate) {
        this(objective, learningRate, 0);
    }

    /**
     * Gradient descent with momentum.
     *
     * @param learningRate η &gt; 0
     * @param momentum     μ in [0, 1)
     */
    public GradientDescent(Objective objective, double learningRate, double momentum) {
        this.objective = objective;
        setLearningRate(learningRate);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1) but is " + momentum);
        }
        this.momentum = momentum;
        int n = objective.dimension();
        x = new double[n];
        g = new double[n];
        velocity = new double[n];
    }

    /** The current learning rate. */
    public double learningRate() {
        return learningRate;
    }

    /** Changes the learning rate (for a schedule). */
    public void setLearningRate(double learningRate) {
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be positive and finite but is " + learningRate);
        }
        this.learningRate = learningRate;
    }

    @Override
    public Objective objective() {
        return objective;
    }

    @Override
    public double step() {
        objective.read(x);
        double cost = objective.evaluate(g);
        double norm2 = 0;
        for (int i = 0; i < x.length; i++) {
            norm2 += g[i] * g[i];
            velocity[i] = momentum * velocity[i] - learningRate * g[i];
            x[i] += velocity[i];
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
        java.util.Arrays.fill(velocity, 0);
        gradientNorm = Double.NaN;
    }
}
