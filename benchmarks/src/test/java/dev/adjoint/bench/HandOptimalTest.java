package dev.adjoint.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hand-optimal baselines compute the same numbers as the generated classes (the check every
 * benchmark's {@code @Setup} runs, here at small sizes) and their gradients agree with central
 * finite differences of their own {@code value()}.
 */
class HandOptimalTest {
    /** Relative Frobenius tolerance of a central-difference gradient. */
    private static final double FD_TOLERANCE = 1e-6;

    @ParameterizedTest
    @CsvSource({"3, 5, 1", "3, 5, 4", "4, 6, 1", "2, 7, 9"})
    void autoencoder(int m, int n, int samples) {
        Random random = new Random(31 * m + n + samples);
        DMatrixRMaj W = Agreement.gaussian(random, m, n, 0.5);
        DMatrixRMaj X = Agreement.gaussian(random, n, samples, 1.0);
        HandOptimalAutoencoder hand = new HandOptimalAutoencoder();
        Workloads.checkAutoencoder(new BenchLosses_TiedAutoencoder(), hand, W, X);

        hand.gradient(W, X);
        assertFiniteDifferences("dW", hand.gradW(), W, w -> hand.value(W, X));
    }

    @ParameterizedTest
    @CsvSource({"6, 4, 3, 5, false", "5, 7, 4, 1, false", "6, 4, 3, 5, true"})
    void mlp(int inputs, int hidden, int classes, int batch, boolean softTargets) {
        Random random = new Random(inputs + 7L * batch);
        DMatrixRMaj[] a = Workloads.mlpArguments(random, inputs, hidden, classes, batch);
        if (softTargets) {
            // Columns that do not sum to 1: δ₂ must scale softmax by the column sum.
            for (int i = 0; i < a[5].getNumElements(); i++) {
                a[5].data[i] = random.nextDouble();
            }
        }
        HandOptimalMlp hand = new HandOptimalMlp();
        Workloads.checkMlp(new BenchLosses_Mlp(), hand, a);

        hand.gradient(a[0], a[1], a[2], a[3], a[4], a[5]);
        ToDoubleFunction<DMatrixRMaj> value = ignored -> hand.value(a[0], a[1], a[2], a[3], a[4], a[5]);
        assertFiniteDifferences("dW1", copy(hand.gradW1()), a[0], value);
        assertFiniteDifferences("db1", copy(hand.gradB1()), a[1], value);
        assertFiniteDifferences("dW2", copy(hand.gradW2()), a[2], value);
        assertFiniteDifferences("db2", copy(hand.gradB2()), a[3], value);
    }

    @ParameterizedTest
    @CsvSource({"4, 3, 5", "3, 2, 1", "5, 4, 0", "6, 1, 8", "2, 5, 3"})
    void rnn(int hidden, int inputs, int steps) {
        DMatrixRMaj[] a = Workloads.rnnArguments(new Random(hidden * 17L + inputs * 5L + steps), hidden, inputs, steps);
        HandOptimalRnn hand = new HandOptimalRnn();
        Workloads.checkRnn(new BenchLosses_Rnn(), hand, a);
        // Again with the same instance: buffers reused, and nothing of the inputs modified.
        DMatrixRMaj[] before = {a[0].copy(), a[1].copy(), a[2].copy(), a[3].copy(), a[4].copy()};
        Workloads.checkRnn(new BenchLosses_Rnn(), hand, a);
        for (int i = 0; i < a.length; i++) {
            assertTrue(org.ejml.dense.row.MatrixFeatures_DDRM.isIdentical(before[i], a[i], 0), "input " + i + " modified");
        }

        hand.gradient(a[0], a[1], a[2], a[3], a[4]);
        ToDoubleFunction<DMatrixRMaj> value = ignored -> hand.value(a[0], a[1], a[2], a[3], a[4]);
        assertFiniteDifferences("dW", copy(hand.gradW()), a[0], value);
        assertFiniteDifferences("dU", copy(hand.gradU()), a[1], value);
        assertFiniteDifferences("db", copy(hand.gradB()), a[2], value);
        assertFiniteDifferences("dh0", copy(hand.gradH0()), a[3], value);
    }

    /** A longer sequence after a shorter one and back: the stored states grow and shrink with T. */
    @org.junit.jupiter.api.Test
    void rnnChangingLength() {
        HandOptimalRnn hand = new HandOptimalRnn();
        for (int steps : new int[] {3, 9, 2, 0, 6}) {
            Workloads.checkRnn(new BenchLosses_Rnn(), hand, Workloads.rnnArguments(new Random(steps), 4, 3, steps));
        }
    }

    /**
     * HandOptimalRnn allocates nothing per call once shapes repeat (a long sequence first, then a
     * shorter one: the stored states never shrink): the least over three rounds of 200 value +
     * gradient calls, after warm-up, must stay under 8 bytes per call.
     */
    @org.junit.jupiter.api.Test
    void rnnAllocatesNothingPerCall() {
        var bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean
                && ((com.sun.management.ThreadMXBean) bean).isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counter unavailable");
        var threads = (com.sun.management.ThreadMXBean) bean;
        long id = Thread.currentThread().getId();
        DMatrixRMaj[] a = Workloads.rnnArguments(new Random(3), 8, 5, 12);
        DMatrixRMaj shortX = Agreement.gaussian(new Random(4), 5, 7, 1.0);
        HandOptimalRnn hand = new HandOptimalRnn();
        Runnable call = () -> {
            hand.value(a[0], a[1], a[2], a[3], a[4]);
            hand.gradient(a[0], a[1], a[2], a[3], a[4]);
            hand.gradient(a[0], a[1], a[2], a[3], shortX);
        };
        for (int i = 0; i < 1000; i++) {
            call.run();
        }
        int calls = 200;
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long before = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < calls; i++) {
                call.run();
            }
            least = Math.min(least, threads.getThreadAllocatedBytes(id) - before);
        }
        assertTrue(least < 8L * calls, "HandOptimalRnn: at least " + least + " bytes allocated in each round of "
                + calls + " calls");
    }

    @ParameterizedTest
    @CsvSource({"7, 2, 4, 0.5, 2.0", "9, 3, 5, 1.3, 0.7", "6, 1, 3, 0.2, 5.0"})
    void gplvm(int n, int q, int d, double alpha, double beta) {
        DMatrixRMaj[] a = Workloads.gplvmArguments(new Random(n * 13L + q), n, q, d);
        DMatrixRMaj X = a[0];
        DMatrixRMaj Y = a[1];
        HandOptimalGplvm hand = new HandOptimalGplvm();
        HandWrittenDenseGplvm dense = new HandWrittenDenseGplvm(n);
        Workloads.checkGplvm(new BenchLosses_Gplvm(), hand, dense, X, alpha, beta, Y);
        Workloads.checkGplvm(new BenchLosses_GplvmSolve(), hand, dense, X, alpha, beta, Y);

        for (Object impl : new Object[] {hand, dense}) {
            GplvmLike f = impl instanceof HandOptimalGplvm h
                    ? new GplvmLike(h::value, h::gradient, h::gradX, h::gradAlpha, h::gradBeta)
                    : gplvmLike((HandWrittenDenseGplvm) impl);
            f.gradient.apply(X, alpha, beta, Y);
            String name = impl.getClass().getSimpleName();
            assertFiniteDifferences(name + " dX", copy(f.gradX.get()), X, x -> f.value.apply(X, alpha, beta, Y));
            assertScalarDerivative(name + " dalpha", f.gradAlpha.getAsDouble(), alpha,
                    s -> f.value.apply(X, s, beta, Y));
            assertScalarDerivative(name + " dbeta", f.gradBeta.getAsDouble(), beta,
                    s -> f.value.apply(X, alpha, s, Y));
        }
    }

    @ParameterizedTest
    @CsvSource({"3, 2", "8, 5"})
    void gplvmValueEqualsGradientReturn(int n, int d) {
        DMatrixRMaj[] a = Workloads.gplvmArguments(new Random(n), n, 2, d);
        HandOptimalGplvm hand = new HandOptimalGplvm();
        HandWrittenDenseGplvm dense = new HandWrittenDenseGplvm(n);
        double v = hand.value(a[0], 0.5, 2.0, a[1]);
        assertEquals(v, hand.gradient(a[0], 0.5, 2.0, a[1]), 1e-12 * Math.abs(v));
        assertEquals(v, dense.value(a[0], 0.5, 2.0, a[1]), 1e-10 * Math.abs(v));
        assertEquals(v, dense.gradient(a[0], 0.5, 2.0, a[1]), 1e-10 * Math.abs(v));
    }

    private interface GplvmFunction {
        double apply(DMatrixRMaj X, double alpha, double beta, DMatrixRMaj Y);
    }

    private record GplvmLike(GplvmFunction value, GplvmFunction gradient,
                             java.util.function.Supplier<DMatrixRMaj> gradX,
                             java.util.function.DoubleSupplier gradAlpha,
                             java.util.function.DoubleSupplier gradBeta) {}

    private static GplvmLike gplvmLike(HandWrittenDenseGplvm h) {
        return new GplvmLike(h::value, h::gradient, h::gradX, h::gradAlpha, h::gradBeta);
    }

    private static DMatrixRMaj copy(DMatrixRMaj m) {
        return m.copy();
    }

    /**
     * Central differences of {@code value} with respect to every entry of {@code param} (perturbed in
     * place and restored) against {@code gradient}, relative Frobenius error.
     */
    private static void assertFiniteDifferences(String what, DMatrixRMaj gradient, DMatrixRMaj param,
                                                ToDoubleFunction<DMatrixRMaj> value) {
        assertEquals(param.numRows, gradient.numRows, what + " rows");
        assertEquals(param.numCols, gradient.numCols, what + " columns");
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < param.getNumElements(); i++) {
            double saved = param.data[i];
            double h = 1e-5 * Math.max(1.0, Math.abs(saved));
            param.data[i] = saved + h;
            double plus = value.applyAsDouble(param);
            param.data[i] = saved - h;
            double minus = value.applyAsDouble(param);
            param.data[i] = saved;
            double fd = (plus - minus) / (2 * h);
            diff += (fd - gradient.data[i]) * (fd - gradient.data[i]);
            norm += gradient.data[i] * gradient.data[i];
        }
        double relative = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
        assertTrue(relative <= FD_TOLERANCE, what + ": finite differences disagree, relative error " + relative);
    }

    private static void assertScalarDerivative(String what, double derivative, double at,
                                               java.util.function.DoubleUnaryOperator value) {
        double h = 1e-5 * Math.max(1.0, Math.abs(at));
        double fd = (value.applyAsDouble(at + h) - value.applyAsDouble(at - h)) / (2 * h);
        double relative = Math.abs(fd - derivative) / Math.max(Math.abs(derivative), 1e-12);
        assertTrue(relative <= FD_TOLERANCE, what + ": finite difference " + fd + " vs " + derivative
                + ", relative error " + relative);
    }
}
