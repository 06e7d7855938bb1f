package dev.adjoint.runtime;

import static dev.adjoint.runtime.TestMatrices.assertClose;
import static dev.adjoint.runtime.TestMatrices.assertSame;
import static dev.adjoint.runtime.TestMatrices.dirty;
import static dev.adjoint.runtime.TestMatrices.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KernelsTest {

    interface Forward {
        void apply(DMatrixRMaj x, DMatrixRMaj out);
    }

    interface Backward {
        void apply(DMatrixRMaj x, DMatrixRMaj dy, DMatrixRMaj dx);
    }

    private static final double H = 1e-6;
    private static final double TOL = 1e-6;

    /** Numeric gradient of a scalar function of x by central differences (on a private copy). */
    private static DMatrixRMaj numericGradient(ToDoubleFunction<DMatrixRMaj> f, DMatrixRMaj x) {
        DMatrixRMaj xc = x.copy();
        DMatrixRMaj g = new DMatrixRMaj(x.numRows, x.numCols);
        for (int e = 0; e < xc.getNumElements(); e++) {
            double orig = xc.data[e];
            double h = H * Math.max(1, Math.abs(orig));
            xc.data[e] = orig + h;
            double fp = f.applyAsDouble(xc);
            xc.data[e] = orig - h;
            double fm = f.applyAsDouble(xc);
            xc.data[e] = orig;
            g.data[e] = (fp - fm) / (2 * h);
        }
        return g;
    }

    /**
     * Checks backward(x, w) against d/dx Σ w ∘ forward(x), and that neither x nor dy is modified
     * and the outputs are reshaped from a dirty oversized workspace.
     */
    private static void checkEntrywise(Forward forward, Backward backward, DMatrixRMaj x, Random rnd) {
        DMatrixRMaj w = uniform(rnd, x.numRows, x.numCols, -1, 1);
        DMatrixRMaj xBefore = x.copy();
        DMatrixRMaj wBefore = w.copy();
        DMatrixRMaj dx = dirty();
        backward.apply(x, w, dx);
        assertSame(xBefore, x);
        assertSame(wBefore, w);

        DMatrixRMaj out = dirty();
        DMatrixRMaj numeric = numericGradient(xx -> {
            forward.apply(xx, out);
            return Kernels.dot(w, out);
        }, x);
        assertClose(numeric, dx, TOL);
        assertSame(xBefore, x);
    }

    private static int dim(Random rnd) {
        return 1 + rnd.nextInt(6);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void entrywiseBackwardMatchesFiniteDifferences(int seed) {
        Random rnd = new Random(seed);
        int r = dim(rnd);
        int c = dim(rnd);
        DMatrixRMaj x = uniform(rnd, r, c, -3, 3);
        checkEntrywise(Kernels::sigmoid, Kernels::sigmoidBackward, x, rnd);
        checkEntrywise(Kernels::tanh, Kernels::tanhBackward, x, rnd);
        checkEntrywise(Kernels::swish, Kernels::swishBackward, x, rnd);
        checkEntrywise(Kernels::softplus, Kernels::softplusBackward, x, rnd);
        checkEntrywise(Kernels::exp, Kernels::expBackward, x, rnd);

        DMatrixRMaj positive = uniform(rnd, r, c, 0.2, 3);
        checkEntrywise(Kernels::log, Kernels::logBackward, positive, rnd);
        for (double p : new double[] {2, 3, 0.5, -1.5, 1}) {
            checkEntrywise((a, o) -> Kernels.elementPower(a, p, o),
                    (a, dy, dx) -> Kernels.elementPowerBackward(a, p, dy, dx), positive, rnd);
        }
        // Integer powers are defined on negative entries too.
        checkEntrywise((a, o) -> Kernels.elementPower(a, 3, o),
                (a, dy, dx) -> Kernels.elementPowerBackward(a, 3, dy, dx), x, rnd);

        // relu: keep entries away from the kink at 0.
        DMatrixRMaj awayFromZero = x.copy();
        for (int i = 0; i < awayFromZero.getNumElements(); i++) {
            if (Math.abs(awayFromZero.data[i]) < 0.1) {
                awayFromZero.data[i] = 0.5;
            }
        }
        checkEntrywise(Kernels::relu, Kernels::reluBackward, awayFromZero, rnd);
    }

    @Test
    void entrywiseForwardValues() {
        DMatrixRMaj x = new DMatrixRMaj(new double[][] {{-2, 0, 1.5}});
        DMatrixRMaj out = dirty();
        Kernels.relu(x, out);
        assertSame(new DMatrixRMaj(new double[][] {{0, 0, 1.5}}), out);
        Kernels.sigmoid(x, out);
        assertEquals(1 / (1 + Math.exp(2)), out.get(0, 0), 1e-15);
        assertEquals(0.5, out.get(0, 1), 0);
        Kernels.swish(x, out);
        assertEquals(1.5 / (1 + Math.exp(-1.5)), out.get(0, 2), 1e-15);
        Kernels.softplus(x, out);
        assertEquals(Math.log(1 + Math.exp(1.5)), out.get(0, 2), 1e-15);
        assertEquals(Math.log(2), out.get(0, 1), 1e-15);
        Kernels.elementPower(x, 2, out);
        assertSame(new DMatrixRMaj(new double[][] {{4, 0, 2.25}}), out);
    }

    @Test
    void reluBackwardIsZeroAtZeroAndPowerZeroBackwardIsZero() {
        DMatrixRMaj x = new DMatrixRMaj(new double[][] {{0, -1, 2}});
        DMatrixRMaj dy = new DMatrixRMaj(new double[][] {{5, 5, 5}});
        DMatrixRMaj dx = dirty();
        Kernels.reluBackward(x, dy, dx);
        assertSame(new DMatrixRMaj(new double[][] {{0, 0, 5}}), dx);
        Kernels.elementPowerBackward(x, 0, dy, dx);
        assertSame(new DMatrixRMaj(new double[][] {{0, 0, 0}}), dx);
    }

    @Test
    void backwardRejectsMismatchedUpstreamGradient() {
        assertThrows(IllegalArgumentException.class,
                () -> Kernels.tanhBackward(new DMatrixRMaj(2, 3), new DMatrixRMaj(3, 2), new DMatrixRMaj(1, 1)));
    }

    @Test
    void stableAtPlusMinusThousand() {
        DMatrixRMaj x = new DMatrixRMaj(new double[][] {{1000, -1000}});
        DMatrixRMaj out = dirty();
        DMatrixRMaj ones = new DMatrixRMaj(new double[][] {{1, 1}});

        Kernels.sigmoid(x, out);
        assertEquals(1.0, out.get(0, 0), 0);
        assertEquals(0.0, out.get(0, 1), 0);
        Kernels.sigmoidBackward(x, ones, out);
        assertEquals(0.0, out.get(0, 0), 0);
        assertEquals(0.0, out.get(0, 1), 0);

        Kernels.softplus(x, out);
        assertEquals(1000.0, out.get(0, 0), 0);
        assertEquals(0.0, out.get(0, 1), 0);
        Kernels.softplusBackward(x, ones, out);
        assertEquals(1.0, out.get(0, 0), 0);
        assertEquals(0.0, out.get(0, 1), 0);

        Kernels.swish(x, out);
        assertEquals(1000.0, out.get(0, 0), 0);
        assertEquals(0.0, out.get(0, 1), 0);
        Kernels.swishBackward(x, ones, out);
        assertEquals(1.0, out.get(0, 0), 0);
        assertEquals(0.0, out.get(0, 1), 0);

        assertEquals(1000 + Math.log(2), Kernels.logSumExp(new DMatrixRMaj(new double[][] {{1000, 1000}})), 1e-12);
        assertEquals(-1000 + Math.log(2), Kernels.logSumExp(new DMatrixRMaj(new double[][] {{-1000, -1000}})), 1e-12);
        assertEquals(1000.0, Kernels.logSumExp(x), 0);
        Kernels.logSumExpBackward(x, 2.0, out);
        assertSame(new DMatrixRMaj(new double[][] {{2, 0}}), out);

        DMatrixRMaj z = new DMatrixRMaj(new double[][] {{1000, -1000}, {-1000, 1000}});
        DMatrixRMaj y = new DMatrixRMaj(new double[][] {{1, 1}, {0, 0}});
        // Column 0 is predicted correctly (loss 0), column 1 is off by 2000: mean 1000.
        assertEquals(1000.0, Kernels.softmaxCrossEntropy(z, y), 0);
        Kernels.softmaxCrossEntropyBackwardZ(z, y, 1.0, out);
        assertSame(new DMatrixRMaj(new double[][] {{0, -0.5}, {0, 0.5}}), out);
        Kernels.softmaxCrossEntropyBackwardY(z, y, 1.0, out);
        assertSame(new DMatrixRMaj(new double[][] {{0, 1000}, {1000, 0}}), out);
    }

    /** The textbook formula, fine for moderate z. */
    private static double naiveSoftmaxCrossEntropy(DMatrixRMaj z, DMatrixRMaj y) {
        double total = 0;
        for (int j = 0; j < z.numCols; j++) {
            double denominator = 0;
            for (int i = 0; i < z.numRows; i++) {
                denominator += Math.exp(z.get(i, j));
            }
            for (int i = 0; i < z.numRows; i++) {
                total -= y.get(i, j) * Math.log(Math.exp(z.get(i, j)) / denominator);
            }
        }
        return total / z.numCols;
    }

    @ParameterizedTest
    @ValueSource(ints = {11, 12, 13, 14, 15})
    void softmaxCrossEntropyMatchesNaiveFormulaAndFiniteDifferences(int seed) {
        Random rnd = new Random(seed);
        int r = dim(rnd);
        int c = dim(rnd);
        DMatrixRMaj z = uniform(rnd, r, c, -4, 4);
        DMatrixRMaj oneHot = new DMatrixRMaj(r, c);
        for (int j = 0; j < c; j++) {
            oneHot.set(rnd.nextInt(r), j, 1);
        }
        DMatrixRMaj soft = uniform(rnd, r, c, 0, 2); // not one-hot, columns not summing to 1

        for (DMatrixRMaj y : new DMatrixRMaj[] {oneHot, soft}) {
            DMatrixRMaj zBefore = z.copy();
            DMatrixRMaj yBefore = y.copy();
            assertEquals(naiveSoftmaxCrossEntropy(z, y), Kernels.softmaxCrossEntropy(z, y), 1e-12);

            double dl = 0.7;
            DMatrixRMaj dz = dirty();
            Kernels.softmaxCrossEntropyBackwardZ(z, y, dl, dz);
            assertClose(numericGradient(zz -> dl * Kernels.softmaxCrossEntropy(zz, y), z), dz, TOL);
            DMatrixRMaj dy = dirty();
            Kernels.softmaxCrossEntropyBackwardY(z, y, dl, dy);
            assertClose(numericGradient(yy -> dl * Kernels.softmaxCrossEntropy(z, yy), y), dy, TOL);

            assertSame(zBefore, z);
            assertSame(yBefore, y);
        }
    }

    @Test
    void softmaxCrossEntropyRejectsShapeMismatch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Kernels.softmaxCrossEntropy(new DMatrixRMaj(3, 2), new DMatrixRMaj(2, 3)));
        assertTrue(e.getMessage().contains("3x2") && e.getMessage().contains("2x3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Kernels.softmaxCrossEntropyBackwardZ(
                new DMatrixRMaj(3, 2), new DMatrixRMaj(3, 1), 1, new DMatrixRMaj(1, 1)));
        assertThrows(IllegalArgumentException.class, () -> Kernels.softmaxCrossEntropyBackwardY(
                new DMatrixRMaj(3, 2), new DMatrixRMaj(3, 1), 1, new DMatrixRMaj(1, 1)));
    }

    @ParameterizedTest
    @ValueSource(ints = {21, 22, 23, 24})
    void reductions(int seed) {
        Random rnd = new Random(seed);
        int r = dim(rnd);
        int c = dim(rnd);
        DMatrixRMaj x = uniform(rnd, r, c, -3, 3);
        DMatrixRMaj b = uniform(rnd, r, c, -3, 3);
        DMatrixRMaj xBefore = x.copy();

        double sumSq = 0;
        double sum = 0;
        double dot = 0;
        double expSum = 0;
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                sumSq += x.get(i, j) * x.get(i, j);
                sum += x.get(i, j);
                dot += x.get(i, j) * b.get(i, j);
                expSum += Math.exp(x.get(i, j));
            }
        }
        assertEquals(sumSq, Kernels.sumSquares(x), 1e-12);
        assertEquals(sum / (r * c), Kernels.mean(x), 1e-12);
        assertEquals(dot, Kernels.dot(x, b), 1e-12);
        assertEquals(Math.log(expSum), Kernels.logSumExp(x), 1e-12);

        DMatrixRMaj dx = dirty();
        Kernels.logSumExpBackward(x, 1.3, dx);
        assertClose(numericGradient(xx -> 1.3 * Kernels.logSumExp(xx), x), dx, TOL);
        assertSame(xBefore, x);

        // dot works across shapes with equal element counts, and rejects different counts.
        DMatrixRMaj flat = new DMatrixRMaj(1, r * c);
        System.arraycopy(b.data, 0, flat.data, 0, r * c);
        assertEquals(dot, Kernels.dot(x, flat), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Kernels.dot(x, new DMatrixRMaj(r * c + 1, 1)));
    }

    @ParameterizedTest
    @ValueSource(ints = {31, 32, 33, 34})
    void broadcasting(int seed) {
        Random rnd = new Random(seed);
        int r = dim(rnd);
        int c = dim(rnd);
        DMatrixRMaj a = uniform(rnd, r, c, -3, 3);
        DMatrixRMaj v = uniform(rnd, r, 1, -3, 3);
        DMatrixRMaj u = uniform(rnd, 1, c, -3, 3);
        DMatrixRMaj aBefore = a.copy();
        DMatrixRMaj vBefore = v.copy();
        DMatrixRMaj uBefore = u.copy();

        DMatrixRMaj out = dirty();
        Kernels.rowSums(a, out);
        DMatrixRMaj expected = new DMatrixRMaj(r, 1);
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                expected.add(i, 0, a.get(i, j));
            }
        }
        assertClose(expected, out, 1e-14);

        Kernels.columnSums(a, out);
        expected = new DMatrixRMaj(1, c);
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                expected.add(0, j, a.get(i, j));
            }
        }
        assertClose(expected, out, 1e-14);

        Kernels.addColumn(a, v, out);
        expected = new DMatrixRMaj(r, c);
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                expected.set(i, j, a.get(i, j) + v.get(i, 0));
            }
        }
        assertSame(expected, out);

        Kernels.addRow(a, u, out);
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                expected.set(i, j, a.get(i, j) + u.get(0, j));
            }
        }
        assertSame(expected, out);

        Kernels.broadcastColumn(v, a, out);
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                expected.set(i, j, v.get(i, 0));
            }
        }
        assertSame(expected, out);
        DMatrixRMaj byCount = dirty();
        Kernels.broadcastColumn(v, c, byCount); // the affine layer's form: columns given as a count
        assertSame(expected, byCount);

        Kernels.broadcastRow(u, a, out);
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                expected.set(i, j, u.get(0, j));
            }
        }
        assertSame(expected, out);

        assertSame(aBefore, a);
        assertSame(vBefore, v);
        assertSame(uBefore, u);

        // Broadcasting is the adjoint of summing: <addColumn(0, v), W> = <v, rowSums(W)>.
        DMatrixRMaj w = uniform(rnd, r, c, -1, 1);
        DMatrixRMaj sums = new DMatrixRMaj(1, 1);
        Kernels.rowSums(w, sums);
        Kernels.broadcastColumn(v, a, out);
        assertEquals(Kernels.dot(v, sums), Kernels.dot(out, w), 1e-12);
    }

    @Test
    void broadcastingRejectsWrongShapes() {
        DMatrixRMaj a = new DMatrixRMaj(3, 4);
        DMatrixRMaj out = new DMatrixRMaj(1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Kernels.addColumn(a, new DMatrixRMaj(4, 1), out));
        assertTrue(e.getMessage().contains("3x1") && e.getMessage().contains("4x1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Kernels.addColumn(a, new DMatrixRMaj(1, 3), out));
        assertThrows(IllegalArgumentException.class, () -> Kernels.addRow(a, new DMatrixRMaj(1, 3), out));
        assertThrows(IllegalArgumentException.class, () -> Kernels.addRow(a, new DMatrixRMaj(4, 1), out));
        assertThrows(IllegalArgumentException.class, () -> Kernels.broadcastColumn(new DMatrixRMaj(4, 1), a, out));
        assertThrows(IllegalArgumentException.class, () -> Kernels.broadcastColumn(new DMatrixRMaj(3, 2), 4, out));
        assertThrows(IllegalArgumentException.class, () -> Kernels.broadcastRow(new DMatrixRMaj(1, 3), a, out));
    }

    @Test
    void constantsAndHelpers() {
        DMatrixRMaj like = new DMatrixRMaj(2, 3);
        DMatrixRMaj out = dirty();

        Kernels.fill(like, 2.5, out);
        assertSame(new DMatrixRMaj(new double[][] {{2.5, 2.5, 2.5}, {2.5, 2.5, 2.5}}), out);

        Kernels.scaledIdentity(like, 3, out);
        assertSame(new DMatrixRMaj(new double[][] {{3, 0, 0}, {0, 3, 0}}), out);

        out = dirty();
        Kernels.identity(3, out);
        assertSame(new DMatrixRMaj(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}), out);

        Kernels.filled(1, 2, -1, out);
        assertSame(new DMatrixRMaj(new double[][] {{-1, -1}}), out);

        DMatrixRMaj row = new DMatrixRMaj(new double[][] {{1, 2, 3}});
        DMatrixRMaj column = new DMatrixRMaj(3, 1);
        out = dirty();
        Kernels.scaleReshaped(2, row, column, out);
        assertSame(new DMatrixRMaj(new double[][] {{2}, {4}, {6}}), out);
        assertThrows(IllegalArgumentException.class,
                () -> Kernels.scaleReshaped(2, row, new DMatrixRMaj(2, 2), new DMatrixRMaj(1, 1)));

        DMatrixRMaj src = new DMatrixRMaj(new double[][] {{1, 2}, {3, 4}});
        out = dirty();
        Kernels.copy(src, out);
        assertSame(src, out);

        assertEquals("4x3", Kernels.shape(new DMatrixRMaj(4, 3)));
    }

    @Test
    void outputsShrinkAndGrowAcrossCalls() {
        DMatrixRMaj out = new DMatrixRMaj(1, 1);
        Kernels.exp(new DMatrixRMaj(5, 5), out);
        assertEquals("5x5", Kernels.shape(out));
        DMatrixRMaj small = new DMatrixRMaj(new double[][] {{0, 1}});
        Kernels.exp(small, out);
        assertSame(new DMatrixRMaj(new double[][] {{1, Math.E}}), out);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 40})
    void multTransBMatchesEjmlForEveryInnerDimension(int k) {
        Random rnd = new Random(500 + k);
        DMatrixRMaj a = uniform(rnd, 5, k, -1, 1);
        DMatrixRMaj b = uniform(rnd, 17, k, -1, 1);
        DMatrixRMaj aBefore = a.copy();
        DMatrixRMaj bBefore = b.copy();
        DMatrixRMaj expected = new DMatrixRMaj(5, 17);
        org.ejml.dense.row.CommonOps_DDRM.multTransB(a, b, expected);
        DMatrixRMaj bT = dirty();

        DMatrixRMaj c = dirty();
        Kernels.multTransB(a, b, c, bT);
        assertClose(expected, c, 1e-12);
        Kernels.multTransB(-2.5, a, b, c, bT);
        DMatrixRMaj scaled = expected.copy();
        org.ejml.dense.row.CommonOps_DDRM.scale(-2.5, scaled);
        assertClose(scaled, c, 1e-12);

        // accumulate: c = expected, then += expected and += 0.5·expected
        c = expected.copy();
        Kernels.multAddTransB(a, b, c, bT);
        Kernels.multAddTransB(0.5, a, b, c, bT);
        DMatrixRMaj tripleHalf = expected.copy();
        org.ejml.dense.row.CommonOps_DDRM.scale(2.5, tripleHalf);
        assertClose(tripleHalf, c, 1e-12);
        assertSame(aBefore, a);
        assertSame(bBefore, b);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5})
    void softmaxCrossEntropyFromASharedSoftmaxMatchesTheSeparateKernels(int cols) {
        Random rnd = new Random(700 + cols);
        DMatrixRMaj z = uniform(rnd, 4, cols, -30, 30);
        DMatrixRMaj y = uniform(rnd, 4, cols, 0, 1); // not one-hot: the definition holds for any Y
        DMatrixRMaj p = dirty();
        Kernels.columnSoftmax(z, p);
        for (int j = 0; j < cols; j++) {
            double sum = 0;
            for (int i = 0; i < 4; i++) {
                sum += p.get(i, j);
            }
            assertEquals(1.0, sum, 1e-14);
        }
        double expected = Kernels.softmaxCrossEntropy(z, y);
        assertEquals(expected, Kernels.softmaxCrossEntropyFromSoftmax(z, y, p), 1e-13 * Math.abs(expected));
        DMatrixRMaj expectedGradient = dirty();
        Kernels.softmaxCrossEntropyBackwardZ(z, y, 0.7, expectedGradient);
        DMatrixRMaj gradient = dirty();
        Kernels.softmaxCrossEntropyBackwardZFromSoftmax(p, y, 0.7, gradient);
        assertClose(expectedGradient, gradient, 1e-13);
        // and the gradient is right: central differences of the loss
        DMatrixRMaj numeric = numericGradient(zz -> {
            DMatrixRMaj pp = new DMatrixRMaj(1, 1);
            Kernels.columnSoftmax(zz, pp);
            return 0.7 * Kernels.softmaxCrossEntropyFromSoftmax(zz, y, pp);
        }, z);
        assertClose(numeric, gradient, TOL);
    }
}
