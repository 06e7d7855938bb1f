package dev.adjoint.runtime;

import static dev.adjoint.runtime.TestMatrices.assertClose;
import static dev.adjoint.runtime.TestMatrices.assertSame;
import static dev.adjoint.runtime.TestMatrices.dirty;
import static dev.adjoint.runtime.TestMatrices.spd;
import static dev.adjoint.runtime.TestMatrices.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FactorizationTest {

    // ------------------------------------------------------------------ Cholesky

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 8, 13})
    void spdLogDetInvertSolve(int n) {
        Random rnd = new Random(100 + n);
        DMatrixRMaj a = spd(rnd, n);
        DMatrixRMaj aBefore = a.copy();
        SpdFactorization chol = new SpdFactorization();
        chol.factor(a, "logDet(K)");
        assertSame(aBefore, a);

        assertEquals(Math.log(CommonOps_DDRM.det(a)), chol.logDet(), 1e-10);

        DMatrixRMaj expectedInverse = new DMatrixRMaj(n, n);
        CommonOps_DDRM.invert(a, expectedInverse);
        DMatrixRMaj inverse = dirty();
        chol.invert(inverse);
        assertClose(expectedInverse, inverse, 1e-10);

        DMatrixRMaj b = uniform(rnd, n, 3, -1, 1);
        DMatrixRMaj expectedSolution = new DMatrixRMaj(n, 3);
        CommonOps_DDRM.solve(a, b, expectedSolution);
        DMatrixRMaj solution = dirty();
        chol.solve(b, solution);
        assertClose(expectedSolution, solution, 1e-10);
        assertThrows(IllegalArgumentException.class, () -> chol.solve(new DMatrixRMaj(n + 1, 1), solution));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 8, 13})
    void spdQuadraticFormIsTraceOfBtAinvB(int n) {
        Random rnd = new Random(300 + n);
        DMatrixRMaj a = spd(rnd, n);
        SpdFactorization chol = new SpdFactorization();
        chol.factor(a, "logDet(K)");
        for (int k : new int[] {1, 4}) {
            DMatrixRMaj b = uniform(rnd, n, k, -1, 1);
            DMatrixRMaj bBefore = b.copy();
            DMatrixRMaj solution = new DMatrixRMaj(n, k);
            CommonOps_DDRM.solve(a, b, solution);
            double expected = 0;
            for (int i = 0; i < n * k; i++) {
                expected += solution.data[i] * b.data[i];
            }
            assertEquals(expected, chol.quadraticForm(b), 1e-10 * Math.max(1, Math.abs(expected)));
            assertSame(bBefore, b);
        }
        assertThrows(IllegalArgumentException.class, () -> chol.quadraticForm(new DMatrixRMaj(n + 1, 2)));
    }

    @Test
    void spdLogDetGradientIsInverseEntryByEntry() {
        // Symmetrizing inside factor() makes every entry count, so d logDet / dA_ij = (A⁻¹)_ij
        // even when only A_ij (and not A_ji) is perturbed.
        Random rnd = new Random(7);
        int n = 4;
        DMatrixRMaj a = spd(rnd, n);
        SpdFactorization chol = new SpdFactorization();
        chol.factor(a, "logDet(K)");
        DMatrixRMaj inverse = new DMatrixRMaj(1, 1);
        chol.invert(inverse);

        DMatrixRMaj perturbed = a.copy();
        double h = 1e-6;
        for (int e = 0; e < n * n; e++) {
            double orig = perturbed.data[e];
            perturbed.data[e] = orig + h;
            chol.factor(perturbed, "logDet(K)");
            double plus = chol.logDet();
            perturbed.data[e] = orig - h;
            chol.factor(perturbed, "logDet(K)");
            double minus = chol.logDet();
            perturbed.data[e] = orig;
            assertEquals(inverse.data[e], (plus - minus) / (2 * h), 1e-7, "entry " + e);
        }
    }

    @Test
    void spdFactorizationIsReusableAcrossSizes() {
        Random rnd = new Random(9);
        SpdFactorization chol = new SpdFactorization();
        for (int n : new int[] {3, 6, 2, 6}) {
            DMatrixRMaj a = spd(rnd, n);
            chol.factor(a, "logDet(K)");
            assertEquals(Math.log(CommonOps_DDRM.det(a)), chol.logDet(), 1e-10);
        }
    }

    @Test
    void spdLogDetStaysFiniteWhereDetOverflows() {
        int n = 400;
        DMatrixRMaj a = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            a.set(i, i, 10);
        }
        SpdFactorization chol = new SpdFactorization();
        chol.factor(a, "logDet(K)");
        assertEquals(n * Math.log(10), chol.logDet(), 1e-9);
    }

    @Test
    void notPositiveDefiniteMessage() {
        DMatrixRMaj a = new DMatrixRMaj(5, 5);
        for (int i = 0; i < 5; i++) {
            a.set(i, i, i == 3 ? -1 : 2);
        }
        SpdFactorization chol = new SpdFactorization();
        NotPositiveDefiniteException e = assertThrows(NotPositiveDefiniteException.class,
                () -> chol.factor(a, "logDet(K)"));
        assertEquals("logDet(K): matrix is not symmetric positive definite (Cholesky failed); 5x5", e.getMessage());
        assertThrows(IllegalStateException.class, chol::logDet);

        DMatrixRMaj nan = new DMatrixRMaj(new double[][] {{Double.NaN, 0}, {0, 1}});
        assertThrows(NotPositiveDefiniteException.class, () -> chol.factor(nan, "logDet(K)"));

        IllegalArgumentException notSquare = assertThrows(IllegalArgumentException.class,
                () -> chol.factor(new DMatrixRMaj(2, 3), "logDet(K)"));
        assertTrue(notSquare.getMessage().contains("logDet(K)") && notSquare.getMessage().contains("2x3"),
                notSquare.getMessage());
    }

    // ------------------------------------------------------------------ LU

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 6, 7, 9, 12})
    void luMatchesEjml(int n) {
        Random rnd = new Random(200 + n);
        DMatrixRMaj a = uniform(rnd, n, n, -1, 1);
        DMatrixRMaj aBefore = a.copy();
        LuFactorization lu = new LuFactorization();
        lu.factor(a, "K.invert()");
        assertSame(aBefore, a);

        // Bit for bit what SimpleMatrix.determinant() returns.
        assertEquals(CommonOps_DDRM.det(a.copy()), lu.determinant(), 0.0);

        DMatrixRMaj expectedInverse = new DMatrixRMaj(n, n);
        CommonOps_DDRM.invert(a, expectedInverse);
        DMatrixRMaj inverse = dirty();
        lu.invert(inverse);
        assertClose(expectedInverse, inverse, 1e-9);

        DMatrixRMaj b = uniform(rnd, n, 2, -1, 1);
        DMatrixRMaj expected = new DMatrixRMaj(n, 2);
        CommonOps_DDRM.solve(a, b, expected);
        DMatrixRMaj solution = dirty();
        lu.solve(b, solution);
        assertClose(expected, solution, 1e-9);

        DMatrixRMaj aT = new DMatrixRMaj(n, n);
        CommonOps_DDRM.transpose(a, aT);
        CommonOps_DDRM.solve(aT, b, expected);
        lu.solveTranspose(b, solution);
        assertClose(expected, solution, 1e-9);
        // Second call reuses the lazily factored transpose.
        DMatrixRMaj b2 = uniform(rnd, n, 1, -1, 1);
        DMatrixRMaj expected2 = new DMatrixRMaj(n, 1);
        CommonOps_DDRM.solve(aT, b2, expected2);
        lu.solveTranspose(b2, solution);
        assertClose(expected2, solution, 1e-9);

        // Refactoring a different matrix invalidates the transposed factorization.
        DMatrixRMaj a2 = uniform(rnd, n, n, -1, 1);
        lu.factor(a2, "K.invert()");
        CommonOps_DDRM.transpose(a2, aT);
        CommonOps_DDRM.solve(aT, b2, expected2);
        lu.solveTranspose(b2, solution);
        assertClose(expected2, solution, 1e-9);

        assertSame(aBefore, a);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> lu.solve(new DMatrixRMaj(n + 1, 1), new DMatrixRMaj(1, 1)));
        assertTrue(e.getMessage().contains("K.invert()"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> lu.solveTranspose(new DMatrixRMaj(n + 1, 1), new DMatrixRMaj(1, 1)));
    }

    @Test
    void singularMatrices() {
        LuFactorization lu = new LuFactorization();

        DMatrixRMaj exact = new DMatrixRMaj(new double[][] {{1, 2}, {2, 4}});
        lu.factor(exact, "invert(K) at Foo.java:3");
        assertEquals(0.0, lu.determinant(), 0.0);
        SingularMatrixException e = assertThrows(SingularMatrixException.class, () -> lu.invert(new DMatrixRMaj(1, 1)));
        assertEquals("invert(K) at Foo.java:3: matrix is singular to working precision; 2x2", e.getMessage());

        DMatrixRMaj numerically = new DMatrixRMaj(new double[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}});
        lu.factor(numerically, "K.solve(B)");
        assertEquals(0.0, lu.determinant(), 1e-12);
        e = assertThrows(SingularMatrixException.class,
                () -> lu.solve(new DMatrixRMaj(3, 1), new DMatrixRMaj(1, 1)));
        assertEquals("K.solve(B): matrix is singular to working precision; 3x3", e.getMessage());
        assertThrows(SingularMatrixException.class,
                () -> lu.solveTranspose(new DMatrixRMaj(3, 1), new DMatrixRMaj(1, 1)));

        // Rank-deficient beyond the unrolled sizes: a repeated row.
        Random rnd = new Random(3);
        DMatrixRMaj big = uniform(rnd, 8, 8, -1, 1);
        for (int j = 0; j < 8; j++) {
            big.set(5, j, big.get(2, j));
        }
        lu.factor(big, "K.invert()");
        assertEquals(0.0, lu.determinant(), 1e-12);
        assertThrows(SingularMatrixException.class, () -> lu.invert(new DMatrixRMaj(1, 1)));

        DMatrixRMaj nan = new DMatrixRMaj(new double[][] {{Double.NaN, 0}, {0, 1}});
        lu.factor(nan, "K.invert()");
        assertEquals(0.0, lu.determinant(), 0.0); // like SimpleMatrix.determinant(): never NaN, never throws
        assertThrows(SingularMatrixException.class, () -> lu.invert(new DMatrixRMaj(1, 1)));

        IllegalArgumentException notSquare = assertThrows(IllegalArgumentException.class,
                () -> lu.factor(new DMatrixRMaj(3, 2), "K.invert()"));
        assertTrue(notSquare.getMessage().contains("K.invert()") && notSquare.getMessage().contains("3x2"),
                notSquare.getMessage());
        assertThrows(IllegalStateException.class, lu::determinant);
    }

    @Test
    void exceptionsAreArithmeticExceptions() {
        assertTrue(new SingularMatrixException("x") instanceof ArithmeticException);
        assertTrue(new NotPositiveDefiniteException("x") instanceof ArithmeticException);
    }
}
