package dev.adjoint.sample;

import demo.Losses_TiedAutoencoder;
import dev.adjoint.runtime.GradientChecker;
import dev.adjoint.runtime.optim.Lbfgs;
import dev.adjoint.runtime.optim.Objective;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Tied linear autoencoder L(W) = ½‖WᵀWX − X‖² on the digits, trained with L-BFGS through the
 * generated {@code demo.Losses_TiedAutoencoder}, and compared with its closed-form minimum.
 *
 * <p>The minimum over m×n matrices W is reached when the rows of W span the top-m principal
 * subspace of X (an orthonormal basis of it), and equals ½·Σ_{j&gt;m} λⱼ(XXᵀ) (Baldi and
 * Hornik, 1989): the variance the m-dimensional projection cannot keep.
 *
 * <p>The loss is declared {@code @Differentiable(order = 2)}: with {@link Config#newtonSamples()}
 * above 0, the same m on the first {@code newtonSamples} images (from a start drawn like the main
 * one) is then solved by both L-BFGS and Newton-CG to the same gradient-norm criterion
 * ({@link NewtonComparison}).
 */
public final class AutoencoderExperiment {
    private AutoencoderExperiment() {}

    /** Pass criterion: final loss at most this factor times the analytic minimum. */
    public static final double LOSS_FACTOR = 1.01;

    /**
     * @param components    m, the number of rows of W (hidden units)
     * @param samples       number of images used (0: all)
     * @param maxIterations L-BFGS iterations at most
     * @param seed          seed of the random start
     * @param checkSamples  images used for the finite-difference check
     * @param sparkMaster   train through Spark on this master (e.g. {@code local[2]}); null: on this machine
     * @param newtonSamples images of the Newton-CG against L-BFGS comparison, on this machine (0: none)
     */
    public record Config(int components, int samples, int maxIterations, long seed, int checkSamples,
                         String sparkMaster, int newtonSamples) {
        public Config {
            if (components < 1 || components > Digits.PIXELS) {
                throw new IllegalArgumentException("components must be in 1.." + Digits.PIXELS + " but is " + components);
            }
            if (samples < 0 || maxIterations < 1 || checkSamples < 1) {
                throw new IllegalArgumentException("samples, iterations and check samples must be positive");
            }
            if (newtonSamples < 0) {
                throw new IllegalArgumentException("Newton-CG samples must be 0 (none) or positive but is " + newtonSamples);
            }
        }

        /** A configuration without the Newton-CG comparison. */
        public Config(int components, int samples, int maxIterations, long seed, int checkSamples,
                      String sparkMaster) {
            this(components, samples, maxIterations, seed, checkSamples, sparkMaster, 0);
        }

        /** A configuration that trains on this machine, without the Newton-CG comparison. */
        public Config(int components, int samples, int maxIterations, long seed, int checkSamples) {
            this(components, samples, maxIterations, seed, checkSamples, null, 0);
        }

        /** This configuration with another seed. */
        public Config withSeed(long seed) {
            return new Config(components, samples, maxIterations, seed, checkSamples, sparkMaster, newtonSamples);
        }

        /** This configuration trained through Spark on {@code master} (null: on this machine). */
        public Config withSpark(String master) {
            return new Config(components, samples, maxIterations, seed, checkSamples, master, newtonSamples);
        }

        /** This configuration with a Newton-CG comparison on the first {@code samples} images (0: none). */
        public Config withNewtonSamples(int samples) {
            return new Config(components, this.samples, maxIterations, seed, checkSamples, sparkMaster, samples);
        }

        /** The configuration the README runs. */
        public static Config defaults() {
            return new Config(16, 0, 2000, 42, 100, null, 300);
        }
    }

    /** What a run produced. */
    public record Result(Config config, int samples, double finalLoss, double minimumLoss,
                         double maxPrincipalAngleDegrees, double gradientCheckError, int iterations,
                         boolean converged, long gradientCalls, double secondsPerGradient, double trainingSeconds,
                         double[] lossHistory, DMatrixRMaj weights, DMatrixRMaj centred, double[] mean,
                         int[] labels, double[] eigenvalues, NewtonComparison.Result newton) {

        /** finalLoss / minimumLoss. */
        public double ratio() {
            return finalLoss / minimumLoss;
        }

        /**
         * Whether the gradient check and the loss criterion both pass (the Newton-CG comparison has
         * its own row: {@link NewtonComparison.Result#passed()}).
         */
        public boolean passed() {
            return gradientCheckError <= Experiments.GRADIENT_TOLERANCE && ratio() <= LOSS_FACTOR;
        }

        Experiments.Summary summary() {
            return new Experiments.Summary("autoencoder",
                    String.format(Locale.ROOT, "loss ≤ %.2f × analytic minimum", LOSS_FACTOR),
                    String.format(Locale.ROOT, "%.6f × (%.4f vs %.4f), angle %.1e°", ratio(), finalLoss, minimumLoss,
                            maxPrincipalAngleDegrees),
                    gradientCheckError, secondsPerGradient, gradientCalls, trainingSeconds, passed());
        }
    }

    /** Trains and checks one autoencoder. */
    public static Result run(Digits digits, Config config, Progress progress, Log log) {
        Digits data = config.samples() == 0 ? digits : digits.first(Math.min(config.samples(), digits.size()));
        int n = Digits.PIXELS;
        int count = data.size();
        int m = config.components();
        double[] mean = data.scaledMean();
        // X: n × N, one centred image per column.
        DMatrixRMaj x = new DMatrixRMaj(n, count);
        CommonOps_DDRM.transpose(data.centredRows(mean), x);

        // Closed form: eigenvalues of XXᵀ.
        DMatrixRMaj xxt = new DMatrixRMaj(n, n);
        CommonOps_DDRM.multTransB(x, x, xxt);
        Spectra.Eigen eig = Spectra.symmetricEigen(xxt);
        double minimum = 0.5 * eig.tailSum(m);

        // Small random start.
        DMatrixRMaj w = randomStart(m, n, config.seed());

        log.info(String.format(Locale.ROOT, "autoencoder: W is %d×%d, X is %d×%d (%d images, scaled to [0,1] and centred)",
                m, n, n, count, count));
        log.info(String.format(Locale.ROOT, "  analytic minimum ½·Σ_{j>%d} λⱼ(XXᵀ) = %.6f", m, minimum));

        // Finite-difference check of the generated gradient on real images.
        int checkCount = Math.min(config.checkSamples(), count);
        DMatrixRMaj xCheck = new DMatrixRMaj(n, checkCount);
        CommonOps_DDRM.extract(x, 0, n, 0, checkCount, xCheck, 0, 0);
        GradientChecker.Report check = GradientChecker.check(new Losses_TiedAutoencoder(), new Object[] {w, xCheck});
        log.info(String.format(Locale.ROOT, "  gradient check on the first %d images: max relative error %.2e",
                checkCount, check.maxRelativeError()));

        // On Spark the data X are split into column blocks on the executors: the loss is a sum over
        // samples, and only W remains an argument.
        SparkRuns.Distributed spark = config.sparkMaster() == null ? null
                : SparkRuns.autoencoder(config.sparkMaster(), x);
        TimedFunction f = new TimedFunction(spark == null ? new Losses_TiedAutoencoder() : spark.loss());
        Object[] args = spark == null ? new Object[] {w, x} : new Object[] {w};
        if (spark != null) {
            log.info("  training through Spark: " + spark.description());
        }
        double[] history = new double[config.maxIterations() + 1];
        int iterations = 0;
        double seconds;
        double finalLoss;
        Lbfgs lbfgs;
        try (spark) {
            lbfgs = new Lbfgs(Objective.minimize(f, args, "W"));
            long start = System.nanoTime();
            try (Progress.Task task = progress.start("autoencoder", config.maxIterations())) {
                while (iterations < config.maxIterations() && !lbfgs.converged()) {
                    history[iterations] = lbfgs.step();
                    iterations++;
                    task.update(iterations, String.format(Locale.ROOT, "loss/min %.6f", history[iterations - 1] / minimum));
                }
                task.finish(iterations, lbfgs.converged() ? "converged" : "iteration limit");
            }
            seconds = (System.nanoTime() - start) * 1e-9;
            finalLoss = f.value(args);
        }
        history[iterations] = finalLoss;

        DMatrixRMaj rowSpace = Spectra.orthonormalColumns(CommonOps_DDRM.transpose(w, null));
        double angle = Spectra.largestPrincipalAngleDegrees(rowSpace, eig.top(m));

        log.info(String.format(Locale.ROOT, "  L-BFGS: %d iterations%s, %d gradient calls, %.2f s (%.3f ms per gradient)",
                iterations, lbfgs.converged() ? " (converged)" : "", f.gradientCalls(), seconds, 1e3 * f.secondsPerGradient()));
        log.info(String.format(Locale.ROOT, "  final loss %.6f = %.6f × minimum; largest principal angle to the top-%d"
                + " principal subspace %.2g° (λ%d = %.3f, λ%d = %.3f)", finalLoss, finalLoss / minimum, m, angle,
                m, eig.values()[m - 1], m + 1, eig.values()[m]));

        NewtonComparison.Result newton = null;
        if (config.newtonSamples() > 0) {
            Digits small = digits.first(Math.min(config.newtonSamples(), digits.size()));
            DMatrixRMaj xNewton = new DMatrixRMaj(n, small.size());
            CommonOps_DDRM.transpose(small.centredRows(small.scaledMean()), xNewton);
            newton = NewtonComparison.run("autoencoder", String.format(Locale.ROOT,
                            "the first %d images (W %d×%d, X %d×%d)", small.size(), m, n, n, small.size()),
                    Losses_TiedAutoencoder::new, new Object[] {randomStart(m, n, config.seed()), xNewton}, false, "W",
                    new Object[] {randomStart(m, n, config.seed()), xCheck}, progress, log);
        }
        return new Result(config, count, finalLoss, minimum, angle, check.maxRelativeError(), iterations,
                lbfgs.converged(), f.gradientCalls(), f.secondsPerGradient(), seconds,
                Arrays.copyOf(history, iterations + 1), w, x, mean, data.labels(), eig.values(), newton);
    }

    /** The random start: an m×n matrix of N(0, 0.1²) entries from {@code seed}. */
    private static DMatrixRMaj randomStart(int m, int n, long seed) {
        Random random = new Random(seed);
        DMatrixRMaj w = new DMatrixRMaj(m, n);
        for (int i = 0; i < w.getNumElements(); i++) {
            w.data[i] = 0.1 * random.nextGaussian();
        }
        return w;
    }
}
