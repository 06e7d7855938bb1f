package dev.adjoint.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.optim.Adam;
import dev.adjoint.runtime.optim.GradientDescent;
import dev.adjoint.runtime.optim.Lbfgs;
import dev.adjoint.runtime.optim.MutableDouble;
import dev.adjoint.runtime.optim.Objective;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Spark loss against the single-machine generated class, on {@code local[2]} started here
 * (loopback only, no UI).
 */
class SparkLossTest {

    private static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        sc = AdjointSpark.context("adjoint-spark-test", "local[2]");
        sc.setLogLevel("WARN");
    }

    @AfterAll
    static void stop() {
        sc.close();
    }

    // ---- data ----

    private static DMatrixRMaj gaussian(int rows, int cols, double std, Random random) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = std * random.nextGaussian();
        }
        return m;
    }

    /** Random one-hot columns. */
    private static DMatrixRMaj oneHot(int classes, int cols, Random random) {
        DMatrixRMaj y = new DMatrixRMaj(classes, cols);
        for (int j = 0; j < cols; j++) {
            y.set(random.nextInt(classes), j, 1);
        }
        return y;
    }

    /** max |a − b| / max |b|. */
    private static double relativeError(DMatrixRMaj a, DMatrixRMaj b) {
        assertEquals(b.numRows, a.numRows);
        assertEquals(b.numCols, a.numCols);
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < b.getNumElements(); i++) {
            diff = Math.max(diff, Math.abs(a.data[i] - b.data[i]));
            scale = Math.max(scale, Math.abs(b.data[i]));
        }
        return diff / scale;
    }

    private static double relativeError(double a, double b) {
        return Math.abs(a - b) / Math.abs(b);
    }

    // ---- full batch equals single machine ----

    @Test
    void autoencoderSumLossAndGradientEqualSingleMachine() {
        Random random = new Random(1);
        DMatrixRMaj w = gaussian(5, 12, 0.3, random);
        DMatrixRMaj x = gaussian(12, 1001, 1, random);
        var local = new TestLosses_TiedAutoencoder();
        double expected = local.gradient(w, x);
        DMatrixRMaj expectedGrad = local.gradW().copy();
        try (SparkLoss loss = SparkLoss.builder(TestLosses_TiedAutoencoder::new, Reduction.SUM)
                .data("X").blockColumns(97).partitions(3).build(sc, x)) {
            assertEquals(11, loss.blockCount());
            assertEquals(1001, loss.samples());
            assertEquals(List.of("W"), loss.parameters().stream().map(p -> p.name()).toList());
            double value = loss.gradient(w);
            assertTrue(relativeError(value, expected) <= 1e-12, () -> value + " vs " + expected);
            double err = relativeError(loss.gradientOf("W"), expectedGrad);
            assertTrue(err <= 1e-12, "gradient relative error " + err);
            double forward = loss.value(w);
            assertTrue(relativeError(forward, expected) <= 1e-12, () -> forward + " vs " + expected);
        }
    }

    @Test
    void mlpMeanLossAndGradientEqualSingleMachine() {
        Random random = new Random(2);
        int n = 12, h = 8, k = 4, count = 1003;
        DMatrixRMaj w1 = gaussian(h, n, 0.4, random);
        DMatrixRMaj b1 = gaussian(h, 1, 0.1, random);
        DMatrixRMaj w2 = gaussian(k, h, 0.4, random);
        DMatrixRMaj b2 = gaussian(k, 1, 0.1, random);
        DMatrixRMaj x = gaussian(n, count, 1, random);
        DMatrixRMaj y = oneHot(k, count, random);
        var local = new TestLosses_Mlp();
        double expected = local.gradient(w1, b1, w2, b2, x, y);
        DMatrixRMaj[] expectedGrads = {local.gradW1().copy(), local.gradB1().copy(), local.gradW2().copy(),
            local.gradB2().copy()};
        try (SparkLoss loss = SparkLoss.builder(TestLosses_Mlp::new, Reduction.MEAN)
                .data("X", "Y").blockColumns(100).build(sc, x, y)) {
            double value = loss.gradient(w1, b1, w2, b2);
            assertTrue(relativeError(value, expected) <= 1e-12, () -> value + " vs " + expected);
            for (int i = 0; i < 4; i++) {
                double err = relativeError(loss.gradientOf(i), expectedGrads[i]);
                assertTrue(err <= 1e-12, loss.parameters().get(i).name() + ": gradient relative error " + err);
            }
            assertTrue(relativeError(loss.value(w1, b1, w2, b2), expected) <= 1e-12);
        }
    }

    @Test
    void scalarWrtAndFixedArgumentsAreBroadcast() {
        Random random = new Random(3);
        DMatrixRMaj w = gaussian(6, 1, 1, random);
        DMatrixRMaj x = gaussian(6, 500, 1, random);
        DMatrixRMaj y = gaussian(1, 500, 1, random);
        var local = new TestLosses_Affine();
        double expected = local.gradient(w, 0.7, 0.25, 3, x, y);
        try (SparkLoss loss = SparkLoss.builder(TestLosses_Affine::new, Reduction.SUM)
                .data("X", "y").blockColumns(64).build(sc, x, y)) {
            assertEquals(List.of("w", "b", "scale", "unused"), loss.parameters().stream().map(p -> p.name()).toList());
            double value = loss.gradient(w, new MutableDouble(0.7), 0.25, 3);
            assertTrue(relativeError(value, expected) <= 1e-12);
            assertTrue(relativeError(loss.gradientOf("w"), local.gradW()) <= 1e-12);
            assertTrue(relativeError(loss.gradientOf("b").get(0), local.gradB()) <= 1e-12);
            assertThrows(IllegalArgumentException.class, () -> loss.gradientOf("scale"));
        }
    }

    @Test
    void blocksBuiltOnTheClusterGiveTheSameResult() {
        Random random = new Random(4);
        DMatrixRMaj w = gaussian(3, 7, 0.3, random);
        // Each block is generated on an executor from its own seed, as data read from storage would be.
        JavaRDD<DMatrixRMaj[]> blocks = sc.parallelize(IntStream.range(0, 9).boxed().toList(), 3)
                .map(i -> new DMatrixRMaj[] {gaussian(7, 40 + i, 1, new Random(100 + i))});
        DMatrixRMaj x = new DMatrixRMaj(7, 0);
        for (int i = 0; i < 9; i++) {
            x = CommonOps_DDRM.concatColumnsMulti(x, gaussian(7, 40 + i, 1, new Random(100 + i)));
        }
        var local = new TestLosses_TiedAutoencoder();
        double expected = local.gradient(w, x);
        try (SparkLoss loss = SparkLoss.builder(TestLosses_TiedAutoencoder::new, Reduction.SUM)
                .data("X").build(blocks)) {
            assertEquals(9, loss.blockCount());
            assertEquals(x.numCols, loss.samples());
            assertTrue(relativeError(loss.gradient(w), expected) <= 1e-12);
            assertTrue(relativeError(loss.gradientOf("W"), local.gradW()) <= 1e-12);
        }
    }

    // ---- optimizers ----

    @Test
    void lbfgsThroughSparkReachesTheSingleMachineOptimum() {
        Random random = new Random(5);
        DMatrixRMaj x = gaussian(8, 600, 1, random);
        // Give the data a clear principal subspace: scale the rows.
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < 600; c++) {
                x.set(r, c, x.get(r, c) * (8 - r));
            }
        }
        DMatrixRMaj start = gaussian(3, 8, 0.1, random);

        DMatrixRMaj wLocal = start.copy();
        Lbfgs local = new Lbfgs(Objective.minimize(new TestLosses_TiedAutoencoder(), new Object[] {wLocal, x}));
        double localLoss = Double.NaN;
        for (int i = 0; i < 300 && !local.converged(); i++) {
            localLoss = local.step();
        }
        localLoss = new TestLosses_TiedAutoencoder().value(wLocal, x);

        DMatrixRMaj wSpark = start.copy();
        try (SparkLoss loss = SparkLoss.builder(TestLosses_TiedAutoencoder::new, Reduction.SUM)
                .data("X").blockColumns(128).build(sc, x)) {
            Lbfgs spark = new Lbfgs(Objective.minimize(loss, new Object[] {wSpark}));
            int iterations = 0;
            while (iterations < 300 && !spark.converged()) {
                spark.step();
                iterations++;
            }
            assertTrue(spark.converged(), "L-BFGS through Spark converged");
            double sparkLoss = new TestLosses_TiedAutoencoder().value(wSpark, x);
            // The analytic minimum: half the variance beyond the top 3 principal directions.
            DMatrixRMaj xxt = new DMatrixRMaj(8, 8);
            CommonOps_DDRM.multTransB(x, x, xxt);
            var eig = org.ejml.dense.row.factory.DecompositionFactory_DDRM.eig(8, false, true);
            assertTrue(eig.decompose(xxt));
            double[] lambda = IntStream.range(0, 8).mapToDouble(i -> eig.getEigenvalue(i).real).sorted().toArray();
            double minimum = 0.5 * (lambda[0] + lambda[1] + lambda[2] + lambda[3] + lambda[4]);
            assertTrue(relativeError(localLoss, minimum) <= 1e-9, "local " + localLoss + " vs minimum " + minimum);
            assertTrue(relativeError(sparkLoss, minimum) <= 1e-9, "spark " + sparkLoss + " vs minimum " + minimum);
            assertTrue(relativeError(sparkLoss, localLoss) <= 1e-9);
        }
    }

    @Test
    void lbfgsOnTheMlpFollowsTheSingleMachinePath() {
        Random random = new Random(6);
        int n = 10, h = 6, k = 3, count = 400;
        DMatrixRMaj x = gaussian(n, count, 1, random);
        DMatrixRMaj y = oneHot(k, count, random);
        DMatrixRMaj[] start = {gaussian(h, n, 0.3, random), new DMatrixRMaj(h, 1), gaussian(k, h, 0.3, random),
            new DMatrixRMaj(k, 1)};
        Object[] localArgs = {start[0].copy(), start[1].copy(), start[2].copy(), start[3].copy(), x, y};
        Lbfgs local = new Lbfgs(Objective.minimize(new TestLosses_Mlp(), localArgs));
        Object[] sparkArgs = {start[0].copy(), start[1].copy(), start[2].copy(), start[3].copy()};
        try (SparkLoss loss = SparkLoss.builder(TestLosses_Mlp::new, Reduction.MEAN)
                .data("X", "Y").blockColumns(50).build(sc, x, y)) {
            Lbfgs spark = new Lbfgs(Objective.minimize(loss, sparkArgs));
            for (int i = 0; i < 20; i++) {
                double a = local.step();
                double b = spark.step();
                assertTrue(relativeError(b, a) <= 1e-8, "step " + i + ": " + b + " vs " + a);
            }
            for (int j = 0; j < 4; j++) {
                assertTrue(relativeError((DMatrixRMaj) sparkArgs[j], (DMatrixRMaj) localArgs[j]) <= 1e-6);
            }
        }
    }

    @Test
    void minibatchesVisitEveryBlockOncePerEpoch() {
        Random random = new Random(7);
        DMatrixRMaj w = gaussian(2, 5, 0.5, random);
        DMatrixRMaj x = gaussian(5, 230, 1, random);
        double full = new TestLosses_TiedAutoencoder().value(w, x);
        try (SparkLoss loss = SparkLoss.builder(TestLosses_TiedAutoencoder::new, Reduction.SUM)
                .data("X").blockColumns(23).build(sc, x)) {
            assertEquals(10, loss.blockCount());
            SparkLoss mini = loss.minibatches(3, 11);
            assertFalse(mini.fullBatch());
            assertEquals(4, mini.evaluationsPerEpoch());
            // A SUM minibatch value is scaled by N / n (an estimate of the full sum): weighting each
            // back by n / N and adding over an epoch, which uses every block once, gives the full value.
            for (int epoch = 0; epoch < 3; epoch++) {
                double sum = 0;
                long samples = 0;
                for (int s = 0; s < mini.evaluationsPerEpoch(); s++) {
                    double v = mini.value(w);
                    sum += v * mini.lastSamples() / 230;
                    samples += mini.lastSamples();
                }
                assertEquals(230, samples);
                assertTrue(relativeError(sum, full) <= 1e-12, sum + " vs " + full);
            }
        }
    }

    @Test
    void adamAndGradientDescentTrainOnMinibatches() {
        Random random = new Random(8);
        int n = 6, h = 8, k = 3, count = 600;
        // Labels from a fixed linear rule, so the classes are separable.
        DMatrixRMaj x = gaussian(n, count, 1, random);
        DMatrixRMaj rule = gaussian(k, n, 1, random);
        DMatrixRMaj scores = new DMatrixRMaj(k, count);
        CommonOps_DDRM.mult(rule, x, scores);
        DMatrixRMaj y = new DMatrixRMaj(k, count);
        for (int j = 0; j < count; j++) {
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (scores.get(c, j) > scores.get(best, j)) {
                    best = c;
                }
            }
            y.set(best, j, 1);
        }
        try (SparkLoss loss = SparkLoss.builder(TestLosses_Mlp::new, Reduction.MEAN)
                .data("X", "Y").blockColumns(30).build(sc, x, y)) {
            for (String method : new String[] {"adam", "gd"}) {
                Random init = new Random(9);
                Object[] args = {gaussian(h, n, 0.3, init), new DMatrixRMaj(h, 1), gaussian(k, h, 0.3, init),
                    new DMatrixRMaj(k, 1)};
                double before = loss.value(args);
                SparkLoss mini = loss.minibatches(2, 5);
                Objective objective = Objective.minimize(mini, args);
                var opt = method.equals("adam") ? new Adam(objective, 0.02) : new GradientDescent(objective, 0.3, 0.9);
                for (int epoch = 0; epoch < 5; epoch++) {
                    for (int s = 0; s < mini.evaluationsPerEpoch(); s++) {
                        assertTrue(Double.isFinite(opt.step()));
                    }
                }
                assertEquals(5L * mini.evaluationsPerEpoch(), mini.evaluations());
                double after = loss.value(args);
                assertTrue(after < 0.5 * before, method + ": full loss " + before + " -> " + after);
            }
        }
    }

    // ---- errors ----

    @Test
    void errorsAreClear() {
        Random random = new Random(10);
        DMatrixRMaj x = gaussian(4, 20, 1, random);
        DMatrixRMaj y = oneHot(3, 19, random);
        var builder = SparkLoss.builder(TestLosses_Mlp::new, Reduction.MEAN);

        var e1 = assertThrows(IllegalArgumentException.class, () -> builder.data("X", "Y").build(sc, x, y));
        assertTrue(e1.getMessage().contains("X has 20 columns but Y has 19"), e1.getMessage());

        var e2 = assertThrows(IllegalArgumentException.class, () -> builder.data("X", "Z").build(sc, x, y));
        assertTrue(e2.getMessage().contains("no parameter named 'Z'"), e2.getMessage());
        assertTrue(e2.getMessage().contains("[W1, b1, W2, b2, X, Y]"), e2.getMessage());

        var e3 = assertThrows(IllegalArgumentException.class, () -> builder.data("W1", "X").build(sc, x, x));
        assertTrue(e3.getMessage().contains("data parameter 'W1'") && e3.getMessage().contains("in wrt"),
                e3.getMessage());

        var e4 = assertThrows(IllegalArgumentException.class,
                () -> SparkLoss.builder(TestLosses_AllWrt::new, Reduction.SUM).data("X").build(sc, x));
        assertTrue(e4.getMessage().contains("wrt = {\"w\"}"), e4.getMessage());

        var e5 = assertThrows(IllegalArgumentException.class,
                () -> SparkLoss.builder(TestLosses_Affine::new, Reduction.SUM).data("X", "unused").build(sc, x, x));
        assertTrue(e5.getMessage().contains("'unused'") && e5.getMessage().contains("integer"), e5.getMessage());

        var e6 = assertThrows(IllegalArgumentException.class, () -> builder.data().build(sc));
        assertTrue(e6.getMessage().contains("name the data parameters"), e6.getMessage());

        try (SparkLoss loss = SparkLoss.builder(TestLosses_TiedAutoencoder::new, Reduction.SUM)
                .data("X").blockColumns(7).build(sc, x)) {
            // Wrong argument count: the data are not arguments any more.
            var e7 = assertThrows(IllegalArgumentException.class, () -> loss.gradient(new DMatrixRMaj(2, 4), x));
            assertTrue(e7.getMessage().contains("takes 1 arguments"), e7.getMessage());
            // A W whose columns do not match the data's rows fails on the executors; the message
            // names the block and the generated code's shape error.
            var e8 = assertThrows(IllegalArgumentException.class, () -> loss.gradient(new DMatrixRMaj(2, 5)));
            assertTrue(e8.getMessage().contains("on data block") && e8.getMessage().contains("W"), e8.getMessage());
            var e9 = assertThrows(IllegalArgumentException.class, () -> loss.minibatches(4, 1));
            assertTrue(e9.getMessage().contains("1..3"), e9.getMessage());
        }

        JavaRDD<DMatrixRMaj[]> ragged = sc.parallelize(List.of(1, 2), 2)
                .map(i -> new DMatrixRMaj[] {new DMatrixRMaj(3 + i, 5)});
        var e10 = assertThrows(IllegalArgumentException.class,
                () -> SparkLoss.builder(TestLosses_TiedAutoencoder::new, Reduction.SUM).data("X").build(ragged));
        assertTrue(e10.getMessage().contains("has rows"), e10.getMessage());
    }

    private static final java.util.concurrent.atomic.AtomicInteger INSTANCES =
            new java.util.concurrent.atomic.AtomicInteger();

    @Test
    void oneFunctionInstancePerExecutorThread() {
        Random random = new Random(12);
        DMatrixRMaj w = gaussian(2, 4, 0.5, random);
        DMatrixRMaj x = gaussian(4, 64, 1, random);
        FunctionFactory counting = () -> {
            INSTANCES.incrementAndGet();
            return new TestLosses_TiedAutoencoder();
        };
        try (SparkLoss loss = SparkLoss.builder(counting, Reduction.SUM).data("X").blockColumns(4).build(sc, x)) {
            for (int i = 0; i < 5; i++) {
                loss.gradient(w);
            }
            assertEquals(5, loss.evaluations());
            // 16 blocks × 5 evaluations, but one instance on the driver (to read the parameters)
            // and at most one per executor thread of local[2].
            assertTrue(INSTANCES.get() <= 3, INSTANCES.get() + " instances");
        }
    }
}
