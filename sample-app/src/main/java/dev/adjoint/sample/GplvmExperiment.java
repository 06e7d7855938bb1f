package dev.adjoint.sample;

import demo.Losses_Gplvm;
import dev.adjoint.runtime.GradientChecker;
import dev.adjoint.runtime.optim.Lbfgs;
import dev.adjoint.runtime.optim.Objective;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Linear-kernel GP-LVM ({@code demo.Losses_Gplvm}): the latent points X are optimized with
 * L-BFGS, α = 1 and β held fixed, and the log-likelihood reached is compared with its closed-form
 * maximum (Lawrence, 2005):
 *
 * <pre>
 * L* = −D/2·[Σ_{j≤q} log λⱼ + (N − q)·log β⁻¹ + q + β·Σ_{j&gt;q} λⱼ],   λⱼ the eigenvalues of S = YYᵀ/D,
 * </pre>
 *
 * with β⁻¹ the mean of the eigenvalues of S beyond the q-th (its maximum-likelihood value).
 *
 * <p>The loss is declared {@code @Differentiable(order = 2)}: with {@link Config#newtonPoints()}
 * above 0, a second, smaller GP-LVM on the first {@code newtonPoints} images (same α, β, seed and
 * start scale) is then solved by both L-BFGS and Newton-CG to the same gradient-norm criterion
 * ({@link NewtonComparison}).
 */
public final class GplvmExperiment {
    private GplvmExperiment() {}

    /** Pass criterion: L* − L_final at most this times |L*|. */
    public static final double RELATIVE_GAP = 1e-4;

    /** Standard deviation of the latent points at which the gradient is checked. */
    static final double CHECK_SCALE = 0.1;

    /** How far above L* a computed log-likelihood may be before it is more than rounding. */
    public static final double ROUNDING = 1e-9;

    /**
     * @param points        N, the first N images
     * @param latent        q, latent dimensions
     * @param maxIterations L-BFGS iterations at most
     * @param seed          seed of the random start
     * @param initScale     standard deviation of the random start
     * @param checkPoints   images used for the finite-difference check
     * @param newtonPoints  N of the Newton-CG against L-BFGS comparison (0: none)
     */
    public record Config(int points, int latent, int maxIterations, long seed, double initScale, int checkPoints,
                         int newtonPoints) {
        public Config {
            if (points < 2 || latent < 1 || latent >= points || maxIterations < 1 || checkPoints < 2) {
                throw new IllegalArgumentException("need 2 ≤ points, 1 ≤ latent < points, iterations ≥ 1, check points ≥ 2");
            }
            if (newtonPoints != 0 && newtonPoints <= latent) {
                throw new IllegalArgumentException("the Newton-CG comparison needs more than " + latent
                        + " points (or 0 for none) but has " + newtonPoints);
            }
            if (!(initScale > 0)) {
                throw new IllegalArgumentException("initial scale must be positive but is " + initScale);
            }
        }

        /** A configuration without the Newton-CG comparison. */
        public Config(int points, int latent, int maxIterations, long seed, double initScale, int checkPoints) {
            this(points, latent, maxIterations, seed, initScale, checkPoints, 0);
        }

        /** This configuration with another seed. */
        public Config withSeed(long seed) {
            return new Config(points, latent, maxIterations, seed, initScale, checkPoints, newtonPoints);
        }

        /** This configuration with a Newton-CG comparison on {@code points} images (0: none). */
        public Config withNewtonPoints(int points) {
            return new Config(this.points, latent, maxIterations, seed, initScale, checkPoints, points);
        }

        /** The configuration the README runs. */
        public static Config defaults() {
            return new Config(300, 2, 1000, 42, 1e-2, 40, 80);
        }
    }

    /** What a run produced. */
    public record Result(Config config, int dimensions, double finalLikelihood, double optimum, double betaInverse,
                         double maxExcess, double gradientCheckError, int iterations, boolean converged,
                         long gradientCalls, double secondsPerGradient, double trainingSeconds,
                         double[] likelihoodHistory, DMatrixRMaj latent, int[] labels, double[] eigenvalues,
                         NewtonComparison.Result newton) {

        /** L* − L_final. */
        public double gap() {
            return optimum - finalLikelihood;
        }

        /** (L* − L_final) / |L*|. */
        public double relativeGap() {
            return gap() / Math.abs(optimum);
        }

        /**
         * Whether the gradient check passes, the gap is small enough and L never exceeded L* beyond
         * rounding (the Newton-CG comparison has its own row: {@link NewtonComparison.Result#passed()}).
         */
        public boolean passed() {
            return gradientCheckError <= Experiments.GRADIENT_TOLERANCE
                    && gap() <= RELATIVE_GAP * Math.abs(optimum)
                    && maxExcess <= ROUNDING * Math.abs(optimum);
        }

        Experiments.Summary summary() {
            return new Experiments.Summary("gplvm",
                    String.format(Locale.ROOT, "L* − L ≤ %.0e·|L*|, L ≤ L*", RELATIVE_GAP),
                    String.format(Locale.ROOT, "%.2e·|L*| (L %.4f, L* %.4f)", relativeGap(), finalLikelihood, optimum),
                    gradientCheckError, secondsPerGradient, gradientCalls, trainingSeconds, passed());
        }
    }

    /** Fits one GP-LVM. */
    public static Result run(Digits digits, Config config, Progress progress, Log log) {
        if (config.points() > digits.size() || config.newtonPoints() > digits.size()) {
            throw new IllegalArgumentException("asked for " + Math.max(config.points(), config.newtonPoints())
                    + " points but there are only "
                    + digits.size() + " images");
        }
        Digits data = digits.first(config.points());
        int n = data.size();
        int q = config.latent();
        DMatrixRMaj y = data.centredRows(data.scaledMean()); // N × D, one centred image per row
        int d = y.numCols;

        // Closed form: eigenvalues of S = YYᵀ/D (N × N).
        DMatrixRMaj s = new DMatrixRMaj(n, n);
        CommonOps_DDRM.multTransB(1.0 / d, y, y, s);
        Spectra.Eigen eig = Spectra.symmetricEigen(s);
        double[] lambda = eig.values();
        double tail = CommonOps_DDRM.trace(s);
        double logTop = 0;
        for (int j = 0; j < q; j++) {
            tail -= lambda[j];
            logTop += Math.log(lambda[j]);
        }
        double betaInverse = tail / (n - q);
        double beta = 1 / betaInverse;
        if (!(lambda[q - 1] > betaInverse)) {
            throw new IllegalStateException("λ_q = " + lambda[q - 1] + " is not above β⁻¹ = " + betaInverse
                    + ": the closed form does not apply");
        }
        double optimum = -d / 2.0 * (logTop + (n - q) * Math.log(betaInverse) + q + beta * tail);

        Random random = new Random(config.seed());
        DMatrixRMaj x = new DMatrixRMaj(n, q);
        for (int i = 0; i < x.getNumElements(); i++) {
            x.data[i] = config.initScale() * random.nextGaussian();
        }

        log.info(String.format(Locale.ROOT, "gplvm: X is %d×%d, Y is %d×%d (the first %d images, scaled and centred);"
                + " α = 1, β⁻¹ = %.6f fixed", n, q, n, d, n, betaInverse));
        log.info(String.format(Locale.ROOT, "  closed-form maximum L* = %.6f (top %d eigenvalues of S: %s)", optimum, q,
                Arrays.toString(Arrays.stream(lambda, 0, q).mapToObj(v -> String.format(Locale.ROOT, "%.4f", v))
                        .toArray())));

        // Finite-difference check on the first few real images, for X, α and β. It is done at latent
        // points of the scale the solution has (0.1), not at the tiny random start: there ∂L/∂α is
        // ~1e-4 of the loss's scale and central differences would measure mostly their own rounding.
        int checkCount = Math.min(config.checkPoints(), n);
        DMatrixRMaj xCheck = new DMatrixRMaj(checkCount, q);
        DMatrixRMaj yCheck = new DMatrixRMaj(checkCount, d);
        for (int i = 0; i < xCheck.getNumElements(); i++) {
            xCheck.data[i] = CHECK_SCALE * random.nextGaussian();
        }
        CommonOps_DDRM.extract(y, 0, checkCount, 0, d, yCheck, 0, 0);
        GradientChecker.Report check = GradientChecker.check(new Losses_Gplvm(),
                new Object[] {xCheck, 1.0, beta, yCheck});
        log.info(String.format(Locale.ROOT, "  gradient check on the first %d images (random X of scale %.1f, α = 1,"
                + " β as above): max relative error %.2e", checkCount, CHECK_SCALE, check.maxRelativeError()));

        TimedFunction f = new TimedFunction(new Losses_Gplvm());
        Object[] args = {x, 1.0, beta, y};
        // alpha and beta are wrt parameters of the loss, held fixed here: only X is optimized.
        Lbfgs lbfgs = new Lbfgs(Objective.maximize(f, args, "X")).relativeTolerance(1e-12);
        double[] history = new double[config.maxIterations() + 1];
        int iterations = 0;
        long start = System.nanoTime();
        try (Progress.Task task = progress.start("gplvm", config.maxIterations())) {
            while (iterations < config.maxIterations() && !lbfgs.converged()) {
                history[iterations] = lbfgs.step();
                iterations++;
                task.update(iterations, String.format(Locale.ROOT, "(L*−L)/|L*| %.1e",
                        (optimum - history[iterations - 1]) / Math.abs(optimum)));
            }
            task.finish(iterations, lbfgs.converged() ? "converged" : "iteration limit");
        }
        double seconds = (System.nanoTime() - start) * 1e-9;
        double finalLikelihood = f.value(args);
        history[iterations] = finalLikelihood;
        double maxExcess = Double.NEGATIVE_INFINITY;
        for (int i = 0; i <= iterations; i++) {
            maxExcess = Math.max(maxExcess, history[i] - optimum);
        }

        log.info(String.format(Locale.ROOT, "  L-BFGS: %d iterations%s, %d gradient calls, %.2f s (%.1f ms per gradient)",
                iterations, lbfgs.converged() ? " (converged)" : "", f.gradientCalls(), seconds,
                1e3 * f.secondsPerGradient()));
        log.info(String.format(Locale.ROOT, "  L_final = %.6f, L* − L_final = %.3e (%.2e·|L*|); max of L − L* over"
                + " the run %.2e", finalLikelihood, optimum - finalLikelihood,
                (optimum - finalLikelihood) / Math.abs(optimum), maxExcess));

        NewtonComparison.Result newton = null;
        if (config.newtonPoints() > 0) {
            // A smaller GP-LVM, from a start drawn like the main one: the first newtonPoints images.
            int nn = config.newtonPoints();
            Digits small = digits.first(nn);
            DMatrixRMaj yNewton = small.centredRows(small.scaledMean());
            Random startRandom = new Random(config.seed());
            DMatrixRMaj xNewton = new DMatrixRMaj(nn, q);
            for (int i = 0; i < xNewton.getNumElements(); i++) {
                xNewton.data[i] = config.initScale() * startRandom.nextGaussian();
            }
            newton = NewtonComparison.run("gplvm", String.format(Locale.ROOT,
                            "the first %d images (X %d×%d, α = 1, β as above, maximized)", nn, nn, q),
                    Losses_Gplvm::new, new Object[] {xNewton, 1.0, beta, yNewton}, true, "X",
                    new Object[] {xCheck, 1.0, beta, yCheck}, progress, log);
        }
        return new Result(config, d, finalLikelihood, optimum, betaInverse, maxExcess,
                check.maxRelativeError(), iterations, lbfgs.converged(), f.gradientCalls(), f.secondsPerGradient(),
                seconds, Arrays.copyOf(history, iterations + 1), x, data.labels(), lambda, newton);
    }
}
