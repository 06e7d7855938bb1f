package dev.adjoint.it;

import static dev.adjoint.it.TestSupport.dim;
import static dev.adjoint.it.TestSupport.scalar;
import static dev.adjoint.it.TestSupport.sm;
import static dev.adjoint.it.TestSupport.sw;
import static dev.adjoint.it.TestSupport.uniform;
import static dev.adjoint.it.TestSupport.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.it.TestSupport.Seeds;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Loops and branches compiled by the real processor: value against the method run eagerly,
 * gradient against central finite differences, on random shapes, with trip counts 0, 1 and many,
 * both branches taken and conditions that depend on wrt values.
 */
class ControlFlowTest {

    @ParameterizedTest(name = "T = {0}")
    @ValueSource(ints = {0, 1, 2, 7, 30})
    void rnnOverColumns(int steps) {
        for (long seed = 1; seed <= 3; seed++) {
            Random r = new Random(seed * 31 + steps);
            int h = dim(r), d = dim(r);
            DMatrixRMaj W = uniform(r, h, h, -0.6, 0.6), U = uniform(r, h, d), b = uniform(r, h, 1),
                    h0 = uniform(r, h, 1), X = uniform(r, d, steps);
            var f = new ControlFlow_Rnn();
            verify(f, () -> ControlFlow.rnn(sm(W), sm(U), sm(b), sm(h0), sm(X)), () -> f.value(W, U, b, h0, X),
                    () -> f.gradient(sw(W), sw(U), sw(b), sw(h0), sw(X)), W, U, b, h0, X);
        }
    }

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {0, 1, 2, 5, 12})
    void hornerTripCounts(int n) {
        Random r = new Random(n);
        double x = scalar(r, -0.9, 0.9);
        var f = new ControlFlow_Horner();
        verify(f, () -> ControlFlow.horner(x, n), () -> f.value(x, n), () -> f.gradient(x, n), x, n);
        if (n == 0) {
            assertEquals(0.0, f.gradX(), 0.0, "a loop that never runs leaves s = 1: zero gradient");
        }
    }

    @Seeds
    void powerDown(long seed) {
        Random r = new Random(seed);
        int m = dim(r), k = dim(r);
        DMatrixRMaj A = uniform(r, m, k), B = uniform(r, k, k, -0.5, 0.5);
        for (int n : new int[] {0, 1, 2, 5, 8}) {
            var f = new ControlFlow_PowerDown();
            verify(f, () -> ControlFlow.powerDown(sm(A), sm(B), n), () -> f.value(A, B, n),
                    () -> f.gradient(sw(A), sw(B), n), A, B, n);
        }
    }

    @Seeds
    void swapRecurrence(long seed) {
        Random r = new Random(seed);
        int m = dim(r), k = dim(r);
        DMatrixRMaj A = uniform(r, m, k), B = uniform(r, m, k);
        for (int T : new int[] {0, 1, 2, 5}) {
            var f = new ControlFlow_SwapRecurrence();
            verify(f, () -> ControlFlow.swapRecurrence(sm(A), sm(B), T), () -> f.value(A, B, T),
                    () -> f.gradient(sw(A), sw(B), T), A, B, T);
        }
    }

    @Seeds
    void residualRecurrence(long seed) {
        Random r = new Random(seed);
        int n = dim(r), k = dim(r);
        DMatrixRMaj W = uniform(r, n, n, -0.5, 0.5), V = uniform(r, n, n, -0.5, 0.5), h0 = uniform(r, n, k);
        for (int T : new int[] {0, 1, 3}) {
            var f = new ControlFlow_Residual();
            verify(f, () -> ControlFlow.residual(sm(W), sm(V), sm(h0), T), () -> f.value(W, V, h0, T),
                    () -> f.gradient(sw(W), sw(V), sw(h0), T), W, V, h0, T);
        }
    }

    @Seeds
    void nestedMatrixLoops(long seed) {
        Random r = new Random(seed);
        int n = dim(r), k = dim(r);
        DMatrixRMaj W = uniform(r, n, n, -0.8, 0.8), h0 = uniform(r, n, k);
        for (int[] nm : new int[][] {{0, 2}, {2, 0}, {1, 1}, {3, 2}}) {
            var f = new ControlFlow_NestedMatrix();
            verify(f, () -> ControlFlow.nestedMatrix(sm(W), sm(h0), nm[0], nm[1]), () -> f.value(W, h0, nm[0], nm[1]),
                    () -> f.gradient(sw(W), sw(h0), nm[0], nm[1]), W, h0, nm[0], nm[1]);
        }
    }

    @Seeds
    void rnnSecondOrder(long seed) {
        Random r = new Random(seed);
        int n = dim(r), d = dim(r);
        DMatrixRMaj W = uniform(r, n, n, -0.5, 0.5), U = uniform(r, n, d), b = uniform(r, n, 1), h0 = uniform(r, n, 1);
        for (int T : new int[] {0, 1, 4}) {
            DMatrixRMaj X = uniform(r, d, T);
            var f = new ControlFlow_RnnSecondOrder();
            verify(f, () -> ControlFlow.rnnSecondOrder(sm(W), sm(U), sm(b), sm(h0), sm(X)), () -> f.value(W, U, b, h0, X),
                    () -> f.gradient(sw(W), sw(U), sw(b), sw(h0), sw(X)), W, U, b, h0, X);
        }
    }

    @Seeds
    void loopsSecondOrder(long seed) {
        Random r = new Random(seed);
        int n = dim(r), k = dim(r);
        DMatrixRMaj W = uniform(r, n, n, -0.6, 0.6), h0 = uniform(r, n, k);
        double x = scalar(r, 0.2, 1);
        for (int[] nm : new int[][] {{0, 2}, {2, 0}, {1, 1}, {3, 2}}) {
            var f = new ControlFlow_LoopsSecondOrder();
            verify(f, () -> ControlFlow.loopsSecondOrder(sm(W), x, sm(h0), nm[0], nm[1]), () -> f.value(W, x, h0, nm[0], nm[1]),
                    () -> f.gradient(sw(W), x, sw(h0), nm[0], nm[1]), W, x, h0, nm[0], nm[1]);
        }
    }

    @Seeds
    void anIndexOutOfRangeIsCheckedBySecondOrderMethodsToo(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, 3, 4), dA = uniform(r, 3, 4);
        var f = new ControlFlow_EntrySecondOrder();
        verify(f, () -> ControlFlow.entrySecondOrder(sm(A), 2, 1), () -> f.value(A, 2, 1), () -> f.gradient(sw(A), 2, 1), A, 2, 1);
        IndexOutOfBoundsException e = org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
                () -> f.hessianVectorProduct(A, 3, 0, dA));
        assertTrue(e.getMessage().contains("A.get(i, j)") && e.getMessage().contains("3x4"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class, () -> f.hessian(A, 0, 4));
        assertTrue(e.getMessage().contains("A.get(i, j)"), e.getMessage());
    }

    @Seeds
    void nestedLoops(long seed) {
        Random r = new Random(seed);
        double x = scalar(r, -1, 1);
        for (int[] nm : new int[][] {{0, 3}, {3, 0}, {1, 1}, {4, 3}}) {
            var f = new ControlFlow_Nested();
            verify(f, () -> ControlFlow.nested(x, nm[0], nm[1]), () -> f.value(x, nm[0], nm[1]),
                    () -> f.gradient(x, nm[0], nm[1]), x, nm[0], nm[1]);
        }
    }

    @Seeds
    void ifElseOnAWrtCondition(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n);
        boolean[] taken = new boolean[2];
        for (double c : new double[] {-1.5, -0.3, 0.4, 2.0}) {
            var f = new ControlFlow_Branch();
            double s = 0;
            for (int i = 0; i < A.getNumElements(); i++) s += A.data[i];
            taken[s * c > 0 ? 0 : 1] = true;
            verify(f, () -> ControlFlow.branch(sm(A), c), () -> f.value(A, c), () -> f.gradient(sw(A), c), A, c);
        }
        assertTrue(taken[0] && taken[1], "both branches are exercised");
    }

    @Seeds
    void conditionalExpressions(long seed) {
        Random r = new Random(seed);
        for (double[] xy : new double[][] {{scalar(r, 0.1, 2), scalar(r, 0.1, 2)}, {scalar(r, -2, -0.1), scalar(r, 0.1, 2)},
                {0.7, 0.7}, {-0.5, -1.25}, {2, 3}}) {
            var f = new ControlFlow_Ternary();
            verify(f, () -> ControlFlow.ternary(xy[0], xy[1]), () -> f.value(xy[0], xy[1]), () -> f.gradient(xy[0], xy[1]),
                    xy[0], xy[1]);
        }
    }

    @ParameterizedTest(name = "limit = {0}")
    @ValueSource(ints = {0, 1, 3, 5, 100})
    void whileBreakContinue(int limit) {
        for (double x : new double[] {0.3, -2.5, 7}) {
            var f = new ControlFlow_WhileBreak();
            verify(f, () -> ControlFlow.whileBreak(x, limit), () -> f.value(x, limit), () -> f.gradient(x, limit), x, limit);
        }
    }

    @Seeds
    void carriedMatrixOfConstantShape(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj A = uniform(r, n, n), x = uniform(r, n, 1);
        for (int T : new int[] {0, 1, 4}) {
            var f = new ControlFlow_CarriedShape();
            verify(f, () -> ControlFlow.carriedShape(sm(A), sm(x), T), () -> f.value(A, x, T), () -> f.gradient(sw(A), sw(x), T),
                    A, x, T);
        }
    }

    @org.junit.jupiter.api.Test
    void aCarriedMatrixThatWouldChangeShapeIsAnErrorNamingTheLoopAndTheLocal() {
        DMatrixRMaj A = new DMatrixRMaj(3, 2), x = new DMatrixRMaj(2, 1);
        var f = new ControlFlow_CarriedShape();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> f.gradient(A, x, 2));
        assertTrue(e.getMessage().contains("for (int t = 0; t < T; t++)") && e.getMessage().contains("rows of h"), e.getMessage());
    }

    /** getRow(t), get(t, 0), getColumn(t) with t the loop variable: checked where they are read, per iteration. */
    @Seeds
    void blocksIndexedByTheLoopVariable(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj A = uniform(r, n, n);
        for (int T = 0; T <= n; T++) {
            int count = T;
            var f = new ControlFlow_BlocksInLoop();
            verify(f, () -> ControlFlow.blocksInLoop(sm(A), count), () -> f.value(A, count), () -> f.gradient(sw(A), count), A, count);
        }
        var f = new ControlFlow_BlocksInLoop();
        IndexOutOfBoundsException e = org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
                () -> f.gradient(A, n + 1));
        assertTrue(e.getMessage().contains("A.getRow(t)") && e.getMessage().contains("rows " + n + ".." + (n + 1)), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class, () -> f.value(A, n + 1));
        assertTrue(e.getMessage().contains("A.getRow(t)"), e.getMessage());
    }

    @Seeds
    void columnByIndex(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj X = uniform(r, dim(r), 3);
        for (int j = 0; j < 3; j++) {
            int col = j;
            var f = new ControlFlow_ColumnAt();
            verify(f, () -> ControlFlow.columnAt(sm(X), col), () -> f.value(X, col), () -> f.gradient(sw(X), col), X, col);
        }
        var f = new ControlFlow_ColumnAt();
        IndexOutOfBoundsException e = org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
                () -> f.gradient(X, 3));
        assertTrue(e.getMessage().contains("X.getColumn(j)") && e.getMessage().contains("column 3"), e.getMessage());
    }

    @Seeds
    void elseIfChainEveryBranch(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj A = uniform(r, n, n);
        for (double s : new double[] {-2.5, -0.7, 0.3, 0.9, 1.8}) {
            var f = new ControlFlow_Piecewise();
            verify(f, () -> ControlFlow.piecewise(sm(A), s), () -> f.value(A, s), () -> f.gradient(sw(A), s), A, s);
        }
    }

    /** The float32 class runs the same loop (its tape holds float32 matrices) and agrees with the double class to float rounding. */
    @Seeds
    void rnnInFloat32(long seed) {
        Random r = new Random(seed);
        int h = dim(r), d = dim(r), steps = 1 + r.nextInt(8);
        DMatrixRMaj W = uniform(r, h, h, -0.6, 0.6), U = uniform(r, h, d), b = uniform(r, h, 1), h0 = uniform(r, h, 1),
                X = uniform(r, d, steps);
        var f = new ControlFlow_RnnBoth();
        var g = new ControlFlow_RnnBoth_F32();
        double expected = f.gradient(W, U, b, h0, X);
        double actual = g.gradient(f32(W), f32(U), f32(b), f32(h0), f32(X));
        assertEquals(expected, actual, 1e-4 * Math.max(1, Math.abs(expected)), "value");
        org.ejml.data.FMatrixRMaj gw = g.gradW();
        DMatrixRMaj fw = f.gradW();
        for (int i = 0; i < fw.getNumElements(); i++) {
            assertEquals(fw.data[i], gw.data[i], 1e-3 * Math.max(1, Math.abs(fw.data[i])), "∂L/∂W entry " + i);
        }
    }

    private static org.ejml.data.FMatrixRMaj f32(DMatrixRMaj m) {
        org.ejml.data.FMatrixRMaj out = new org.ejml.data.FMatrixRMaj(m.numRows, m.numCols);
        for (int i = 0; i < m.getNumElements(); i++) {
            out.data[i] = (float) m.data[i];
        }
        return out;
    }

    /** An index error thrown before any work: by checkArguments, naming the expression, the indices and the size. */
    private static void assertCheckedBeforeAnyWork(Runnable call, String... fragments) {
        IndexOutOfBoundsException e = org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class, call::run);
        assertEquals("checkArguments", e.getStackTrace()[0].getMethodName(), e::toString);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "'" + fragment + "' missing from: " + e.getMessage());
        }
    }

    /**
     * Blocks and entries after a loop, at int-parameter indices and a local computed before the loop:
     * values and gradients as without the loop, out-of-range indices named before any work.
     */
    @Seeds
    void blocksAfterALoop(long seed) {
        Random r = new Random(seed);
        int m = 2 + r.nextInt(4), n = 2 + r.nextInt(4);
        DMatrixRMaj A = uniform(r, m, n, -0.9, 0.9);
        for (int trips : new int[] {0, 1, 3}) {
            int r0 = r.nextInt(m), r1 = r0 + 1 + r.nextInt(m - r0), c0 = r.nextInt(n), c1 = c0 + 1 + r.nextInt(n - c0);
            int i = r.nextInt(m), j = r.nextInt(n);
            var f = new ControlFlow_BlocksAfterLoop();
            verify(f, () -> ControlFlow.blocksAfterLoop(sm(A), trips, r0, r1, c0, c1, i, j),
                    () -> f.value(A, trips, r0, r1, c0, c1, i, j), () -> f.gradient(sw(A), trips, r0, r1, c0, c1, i, j),
                    A, trips, r0, r1, c0, c1, i, j);
        }
        var f = new ControlFlow_BlocksAfterLoop();
        String size = m + "x" + n;
        assertCheckedBeforeAnyWork(() -> f.value(A, 2, 0, m + 1, 0, 1, 0, 0), "B.extractMatrix(r0, r1, c0, c1)", "rows 0.." + (m + 1), size);
        assertCheckedBeforeAnyWork(() -> f.gradient(A, 2, 0, 1, 1, 0, 0, 0), "B.extractMatrix(r0, r1, c0, c1)", "columns 1..0", size);
        assertCheckedBeforeAnyWork(() -> f.gradient(A, 2, 0, 1, 0, 1, m, 0), "B.get(i, j)", "row index " + m, size);
        assertCheckedBeforeAnyWork(() -> f.value(A, 2, 0, 1, 0, 1, 0, -1), "B.get(i, j)", "column index -1", size);
    }

    /** Sizes of a loop-carried matrix read after the loop: read once it ran, and checked from the arguments' shapes. */
    @Seeds
    void sizesReadAfterALoop(long seed) {
        Random r = new Random(seed);
        int m = 2 + r.nextInt(4), n = 2 + r.nextInt(4);
        DMatrixRMaj A = uniform(r, m, n, -0.9, 0.9);
        for (int trips : new int[] {0, 1, 3}) {
            int i = 1 + r.nextInt(Math.min(m, n));
            var f = new ControlFlow_SizesAfterLoop(); // a fresh instance: its first call must not read a size before the loop
            verify(f, () -> ControlFlow.sizesAfterLoop(sm(A), trips, i), () -> f.value(A, trips, i),
                    () -> f.gradient(sw(A), trips, i), A, trips, i);
        }
        var f = new ControlFlow_SizesAfterLoop();
        assertCheckedBeforeAnyWork(() -> f.value(A, 2, m + 1), "B.rows(rows - i, rows)", "rows -1.." + m, m + "x" + n);
    }

    /** A block whose size a loop computes, indexed after the loop: checked where it is read, with its size then. */
    @Seeds
    void blockSizedByALoop(long seed) {
        Random r = new Random(seed);
        int m = 4 + r.nextInt(3), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n, -0.9, 0.9);
        for (int trips : new int[] {0, 1, 3}) {
            int i = r.nextInt(trips + 1);
            var f = new ControlFlow_BlockOfLoopSize();
            verify(f, () -> ControlFlow.blockOfLoopSize(sm(A), trips, i), () -> f.value(A, trips, i),
                    () -> f.gradient(sw(A), trips, i), A, trips, i);
        }
        var f = new ControlFlow_BlockOfLoopSize();
        IndexOutOfBoundsException e = org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
                () -> f.gradient(A, 1, 2));
        assertTrue(e.getMessage().contains("top.getRow(i)") && e.getMessage().contains("rows 2..3")
                && e.getMessage().contains("2x" + n), e.getMessage());
    }

    /** Blocks after a branch: the same as after a loop. */
    @Seeds
    void blocksAfterABranch(long seed) {
        Random r = new Random(seed);
        int m = 2 + r.nextInt(4), n = 2 + r.nextInt(4);
        DMatrixRMaj A = uniform(r, m, n, -0.9, 0.9);
        for (double s : new double[] {-0.7, 0.6}) {
            int i = r.nextInt(m);
            var f = new ControlFlow_BlocksAfterBranch();
            verify(f, () -> ControlFlow.blocksAfterBranch(sm(A), s, i), () -> f.value(A, s, i), () -> f.gradient(sw(A), s, i), A, s, i);
        }
        var f = new ControlFlow_BlocksAfterBranch();
        assertCheckedBeforeAnyWork(() -> f.value(A, 0.5, m), "B.getRow(i)", "row " + m, m + "x" + n);
    }
}
