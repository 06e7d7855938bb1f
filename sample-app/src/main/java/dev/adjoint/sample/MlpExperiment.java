package dev.adjoint.sample;

import static dev.adjoint.runtime.Ops.addColumn;
import static dev.adjoint.runtime.Ops.swish;

import demo.Losses_Mlp;
import dev.adjoint.runtime.GradientChecker;
import dev.adjoint.runtime.optim.Adam;
import dev.adjoint.runtime.optim.Objective;
import java.util.Locale;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.simple.SimpleMatrix;

/**
 * Two-layer Swish network with softmax cross-entropy ({@code demo.Losses_Mlp}) trained with Adam
 * on minibatches of a seeded 80/20 train/test split of the digits.
 */
public final class MlpExperiment {
    private MlpExperiment() {}

    /** Pass criterion: accuracy on the held-out test images at least this. */
    public static final double TEST_ACCURACY = 0.95;

    /**
     * @param hidden        hidden units
     * @param epochs        passes over the training images
     * @param learningRate  Adam's step size
     * @param batchSize     images per minibatch
     * @param testFraction  share of the images held out for testing
     * @param samples       number of images used (0: all)
     * @param seed          seed of the split, the initial weights and the batch order
     * @param checkSamples  training images used for the finite-difference check
     * @param sparkMaster   train through Spark on this master (e.g. {@code local[2]}); null: on this machine
     */
    public record Config(int hidden, int epochs, double learningRate, int batchSize, double testFraction,
                         int samples, long seed, int checkSamples, String sparkMaster) {
        public Config {
            if (hidden < 1 || epochs < 1 || batchSize < 1 || checkSamples < 1 || samples < 0) {
                throw new IllegalArgumentException("hidden units, epochs, batch size and check samples must be positive");
            }
            if (!(learningRate > 0)) {
                throw new IllegalArgumentException("learning rate must be positive but is " + learningRate);
            }
            if (!(testFraction > 0 && testFraction < 1)) {
                throw new IllegalArgumentException("test fraction must be in (0, 1) but is " + testFraction);
            }
        }

        /** A configuration that trains on this machine. */
        public Config(int hidden, int epochs, double learningRate, int batchSize, double testFraction,
                      int samples, long seed, int checkSamples) {
            this(hidden, epochs, learningRate, batchSize, testFraction, samples, seed, checkSamples, null);
        }

        /** This configuration with another seed. */
        public Config withSeed(long seed) {
            return new Config(hidden, epochs, learningRate, batchSize, testFraction, samples, seed, checkSamples,
                    sparkMaster);
        }

        /** This configuration trained through Spark on {@code master} (null: on this machine). */
        public Config withSpark(String master) {
            return new Config(hidden, epochs, learningRate, batchSize, testFraction, samples, seed, checkSamples,
                    master);
        }

        /** The configuration the README runs. */
        public static Config defaults() {
            return new Config(64, 30, 0.003, 32, 0.2, 0, 42, 16);
        }
    }

    /** What a run produced; the loss and accuracy arrays have one entry per epoch (index 0: before training). */
    public record Result(Config config, int trainSize, int testSize, double trainAccuracy, double testAccuracy,
                         double[] trainLoss, double[] testLoss, double[] testAccuracyHistory,
                         double gradientCheckError, long gradientCalls, double secondsPerGradient,
                         double trainingSeconds) {

        /** Whether the gradient check and the test-accuracy criterion both pass. */
        public boolean passed() {
            return gradientCheckError <= Experiments.GRADIENT_TOLERANCE && testAccuracy >= TEST_ACCURACY;
        }

        Experiments.Summary summary() {
            return new Experiments.Summary("mlp",
                    String.format(Locale.ROOT, "test accuracy ≥ %.2f", TEST_ACCURACY),
                    String.format(Locale.ROOT, "%.4f (train %.4f)", testAccuracy, trainAccuracy),
                    gradientCheckError, secondsPerGradient, gradientCalls, trainingSeconds, passed());
        }
    }

    /** Trains and evaluates one network. */
    public static Result run(Digits digits, Config config, Progress progress, Log log) {
        Digits all = config.samples() == 0 ? digits : digits.first(Math.min(config.samples(), digits.size()));
        Random random = new Random(config.seed());

        // Seeded split.
        int[] order = permutation(all.size(), random);
        int testSize = (int) Math.round(config.testFraction() * all.size());
        int trainSize = all.size() - testSize;
        if (trainSize < 1 || testSize < 1) {
            throw new IllegalArgumentException("too few images (" + all.size() + ") for a train/test split");
        }
        int[] trainIdx = java.util.Arrays.copyOfRange(order, 0, trainSize);
        int[] testIdx = java.util.Arrays.copyOfRange(order, trainSize, all.size());
        Digits train = all.subset(trainIdx);
        Digits test = all.subset(testIdx);
        double[] mean = train.scaledMean(); // centre with the training images only
        DMatrixRMaj xTrain = CommonOps_DDRM.transpose(train.centredRows(mean), null); // 64 × trainSize
        DMatrixRMaj xTest = CommonOps_DDRM.transpose(test.centredRows(mean), null);
        DMatrixRMaj yTrain = train.oneHotColumns();
        DMatrixRMaj yTest = test.oneHotColumns();

        int h = config.hidden();
        int n = Digits.PIXELS;
        int k = Digits.CLASSES;
        DMatrixRMaj w1 = gaussian(h, n, Math.sqrt(2.0 / n), random);
        DMatrixRMaj b1 = new DMatrixRMaj(h, 1);
        DMatrixRMaj w2 = gaussian(k, h, Math.sqrt(1.0 / h), random);
        DMatrixRMaj b2 = new DMatrixRMaj(k, 1);

        log.info(String.format(Locale.ROOT, "mlp: %d → %d (Swish) → %d softmax; %d training and %d test images"
                + " (seed %d); Adam, learning rate %s, batches of %d, %d epochs", n, h, k, trainSize, testSize,
                config.seed(), Double.toString(config.learningRate()), config.batchSize(), config.epochs()));

        // Finite-difference check on a few real training images.
        int checkCount = Math.min(config.checkSamples(), trainSize);
        DMatrixRMaj xCheck = new DMatrixRMaj(n, checkCount);
        DMatrixRMaj yCheck = new DMatrixRMaj(k, checkCount);
        CommonOps_DDRM.extract(xTrain, 0, n, 0, checkCount, xCheck, 0, 0);
        CommonOps_DDRM.extract(yTrain, 0, k, 0, checkCount, yCheck, 0, 0);
        GradientChecker.Report check = GradientChecker.check(new Losses_Mlp(),
                new Object[] {w1, b1, w2, b2, xCheck, yCheck});
        log.info(String.format(Locale.ROOT, "  gradient check on %d training images: max relative error %.2e",
                checkCount, check.maxRelativeError()));

        Losses_Mlp evaluation = new Losses_Mlp();
        int batch = Math.min(config.batchSize(), trainSize);
        DMatrixRMaj xb = new DMatrixRMaj(n, batch);
        DMatrixRMaj yb = new DMatrixRMaj(k, batch);
        // On Spark the training images are split into blocks of one batch each (the training set
        // is already in a random order) and every step samples the next block of a shuffled
        // order: minibatches of a shuffled data set, each block once per epoch. X and Y are data
        // there, so only the weights remain arguments.
        SparkRuns.Distributed spark = config.sparkMaster() == null ? null
                : SparkRuns.mlp(config.sparkMaster(), xTrain, yTrain, batch, random.nextLong());
        TimedFunction f = new TimedFunction(spark == null ? new Losses_Mlp() : spark.loss());
        Object[] args = spark == null ? new Object[] {w1, b1, w2, b2, xb, yb} : new Object[] {w1, b1, w2, b2};
        if (spark != null) {
            log.info("  training through Spark: " + spark.description());
        }
        Adam adam = new Adam(Objective.minimize(f, args), config.learningRate());

        double[] trainLoss = new double[config.epochs() + 1];
        double[] testLoss = new double[config.epochs() + 1];
        double[] testAccuracy = new double[config.epochs() + 1];
        trainLoss[0] = evaluation.value(w1, b1, w2, b2, xTrain, yTrain);
        testLoss[0] = evaluation.value(w1, b1, w2, b2, xTest, yTest);
        testAccuracy[0] = accuracy(w1, b1, w2, b2, xTest, test);

        int[] epochOrder = permutation(trainSize, random);
        long start = System.nanoTime();
        try (spark; Progress.Task task = progress.start("mlp", config.epochs())) {
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                double sum = 0;
                if (spark == null) {
                    shuffle(epochOrder, random);
                    for (int from = 0; from < trainSize; from += batch) {
                        int size = Math.min(batch, trainSize - from);
                        fillBatch(xTrain, yTrain, epochOrder, from, size, xb, yb);
                        sum += size * adam.step();
                    }
                } else {
                    for (int s = 0; s < spark.evaluationsPerEpoch(); s++) {
                        double loss = adam.step();
                        sum += spark.lastSamples() * loss;
                    }
                }
                trainLoss[epoch] = sum / trainSize; // mean minibatch loss during the epoch
                testLoss[epoch] = evaluation.value(w1, b1, w2, b2, xTest, yTest);
                testAccuracy[epoch] = accuracy(w1, b1, w2, b2, xTest, test);
                task.update(epoch, String.format(Locale.ROOT, "loss %.4f, test accuracy %.4f",
                        trainLoss[epoch], testAccuracy[epoch]));
            }
        }
        double seconds = (System.nanoTime() - start) * 1e-9;
        double trainAcc = accuracy(w1, b1, w2, b2, xTrain, train);
        double testAcc = testAccuracy[config.epochs()];
        log.info(String.format(Locale.ROOT, "  Adam: %d steps, %.2f s (%.3f ms per gradient); final training loss %.4f,"
                + " test loss %.4f", f.gradientCalls(), seconds, 1e3 * f.secondsPerGradient(),
                evaluation.value(w1, b1, w2, b2, xTrain, yTrain), testLoss[config.epochs()]));
        log.info(String.format(Locale.ROOT, "  accuracy: training %.4f, test %.4f", trainAcc, testAcc));
        return new Result(config, trainSize, testSize, trainAcc, testAcc, trainLoss, testLoss, testAccuracy,
                check.maxRelativeError(), f.gradientCalls(), f.secondsPerGradient(), seconds);
    }

    /** Share of columns of x whose largest logit is at the image's label (eager forward pass with Ops). */
    static double accuracy(DMatrixRMaj w1, DMatrixRMaj b1, DMatrixRMaj w2, DMatrixRMaj b2, DMatrixRMaj x, Digits d) {
        SimpleMatrix hidden = swish(addColumn(SimpleMatrix.wrap(w1).mult(SimpleMatrix.wrap(x)), SimpleMatrix.wrap(b1)));
        SimpleMatrix logits = addColumn(SimpleMatrix.wrap(w2).mult(hidden), SimpleMatrix.wrap(b2));
        int correct = 0;
        for (int j = 0; j < logits.getNumCols(); j++) {
            int best = 0;
            for (int c = 1; c < logits.getNumRows(); c++) {
                if (logits.get(c, j) > logits.get(best, j)) {
                    best = c;
                }
            }
            if (best == d.label(j)) {
                correct++;
            }
        }
        return (double) correct / logits.getNumCols();
    }

    private static void fillBatch(DMatrixRMaj x, DMatrixRMaj y, int[] order, int from, int size,
                                  DMatrixRMaj xb, DMatrixRMaj yb) {
        xb.reshape(x.numRows, size);
        yb.reshape(y.numRows, size);
        for (int c = 0; c < size; c++) {
            int src = order[from + c];
            for (int r = 0; r < x.numRows; r++) {
                xb.data[r * size + c] = x.data[r * x.numCols + src];
            }
            for (int r = 0; r < y.numRows; r++) {
                yb.data[r * size + c] = y.data[r * y.numCols + src];
            }
        }
    }

    private static DMatrixRMaj gaussian(int rows, int cols, double std, Random random) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = std * random.nextGaussian();
        }
        return m;
    }

    private static int[] permutation(int n, Random random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p, random);
        return p;
    }

    private static void shuffle(int[] p, Random random) {
        for (int i = p.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
    }
}
