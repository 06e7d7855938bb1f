package dev.adjoint.runtime.f32;

import static dev.adjoint.runtime.f32.F32Matrices.assertClose;
import static dev.adjoint.runtime.f32.F32Matrices.assertUnchanged;
import static dev.adjoint.runtime.f32.F32Matrices.dirty;
import static dev.adjoint.runtime.f32.F32Matrices.spd;
import static dev.adjoint.runtime.f32.F32Matrices.toDouble;
import static dev.adjoint.runtime.f32.F32Matrices.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.adjoint.runtime.LuFactorization;
import dev.adjoint.runtime.NotPositiveDefiniteException;
import dev.adjoint.runtime.SingularMatrixException;
import dev.adjoint.runtime.SpdFactorization;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SpdFactorizationF32 and LuFactorizationF32 against SpdFactorization and LuFactorization on the same
 * entries. The factorizations run in float (results within float accuracy of the well-conditioned test
 * matrices); log det, quadratic forms and determinants come back in double, and the same failures
 * raise the same exceptions with the same messages.
 */
class FactorizationF32Test {

    // ------------------------------------------------------------------ Cholesky

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 8, 13, 40})
    void spdMatchesDouble(int n) {
        Random rnd = new Random(100 + n);
        FMatrixRMaj a = spd(rnd, n);
        FMatrixRMaj aBefore = a.copy();
        SpdFactorizationF32 chol = new SpdFactorizationF32();
        SpdFactorization reference = new SpdFactorization();
        chol.factor(a, "logDet(K)");
        reference.factor(toDouble(a), "logDet(K)");
        assertUnchanged(aBefore, a);

        assertClose(reference.logDet(), chol.logDet(), 1e-6);

        DMatrixRMaj expectedInverse = new DMatrixRMaj(1, 1);
        reference.invert(expectedInverse);
        FMatrixRMaj inverse = dirty();
        chol.invert(inverse);
        assertClose(expectedInverse, inverse, 1e-5);

        for (int k : new int[] {1, 4}) {
            FMatrixRMaj b = uniform(rnd, n, k, -1, 1);
            FMatrixRMaj bBefore = b.copy();
            DMatrixRMaj expected = new DMatrixRMaj(1, 1);
            reference.solve(toDouble(b), expected);
            FMatrixRMaj solution = dirty();
            chol.solve(b, solution);
            assertClose(expected, solution, 1e-5);
            assertClose(reference.quadraticForm(toDouble(b)), chol.quadraticForm(b), 1e-5);
            assertUnchanged(bBefore, b);
        }
        assertEquals(message(() -> reference.solve(new DMatrixRMaj(n + 1, 1), new DMatrixRMaj(1, 1))),
                message(() -> chol.solve(new FMatrixRMaj(n + 1, 1), new FMatrixRMaj(1, 1))));
        assertEquals(message(() -> reference.quadraticForm(new DMatrixRMaj(n + 1, 2))),
                message(() -> chol.quadraticForm(new FMatrixRMaj(n + 1, 2))));
    }

    @Test
    void spdIsReusableAcrossSizes() {
        Random rnd = new Random(9);
        SpdFactorizationF32 chol = new SpdFactorizationF32();
        SpdFactorization reference = new SpdFactorization();
        for (int n : new int[] {3, 6, 2, 6}) {
            FMatrixRMaj a = spd(rnd, n);
            chol.factor(a, "logDet(K)");
            reference.factor(toDouble(a), "logDet(K)");
            assertClose(reference.logDet(), chol.logDet(), 1e-6);
        }
    }

    /** 10⁴⁰⁰ overflows double and 10⁴⁰ overflows float; log det is summed in double from L's diagonal. */
    @Test
    void spdLogDetStaysFiniteWhereDetOverflows() {
        int n = 400;
        FMatrixRMaj a = new FMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            a.set(i, i, 10);
        }
        SpdFactorizationF32 chol = new SpdFactorizationF32();
        chol.factor(a, "logDet(K)");
        assertEquals(n * Math.log(10), chol.logDet(), 1e-4);
    }

    @Test
    void notPositiveDefiniteLikeDouble() {
        FMatrixRMaj a = new FMatrixRMaj(5, 5);
        for (int i = 0; i < 5; i++) {
            a.set(i, i, i == 3 ? -1 : 2);
        }
        SpdFactorizationF32 chol = new SpdFactorizationF32();
        NotPositiveDefiniteException e = assertThrows(NotPositiveDefiniteException.class, () -> chol.factor(a, "logDet(K)"));
        assertEquals("logDet(K): matrix is not symmetric positive definite (Cholesky failed); 5x5", e.getMessage());
        assertThrows(IllegalStateException.class, chol::logDet);
        assertThrows(IllegalStateException.class, () -> chol.invert(new FMatrixRMaj(1, 1)));

        FMatrixRMaj nan = new FMatrixRMaj(new float[][] {{Float.NaN, 0}, {0, 1}});
        assertThrows(NotPositiveDefiniteException.class, () -> chol.factor(nan, "logDet(K)"));

        assertEquals(message(() -> new SpdFactorization().factor(new DMatrixRMaj(2, 3), "logDet(K)")),
                message(() -> chol.factor(new FMatrixRMaj(2, 3), "logDet(K)")));
    }

    // ------------------------------------------------------------------ LU

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 6, 7, 9, 12})
    void luMatchesDouble(int n) {
        Random rnd = new Random(200 + n);
        FMatrixRMaj a = uniform(rnd, n, n, -1, 1);
        for (int i = 0; i < n; i++) {
            a.add(i, i, 2); // diagonally dominant: well conditioned, so float results are float-accurate
        }
        FMatrixRMaj aBefore = a.copy();
        LuFactorizationF32 lu = new LuFactorizationF32();
        LuFactorization reference = new LuFactorization();
        lu.factor(a, "K.invert()");
        reference.factor(toDouble(a), "K.invert()");
        assertUnchanged(aBefore, a);

        if (n <= 6) {
            // The minor expansion runs in double on the same entries: bit for bit the double result.
            assertEquals(reference.determinant(), lu.determinant(), 0.0);
        } else {
            assertEquals(reference.determinant(), lu.determinant(), 1e-5 * Math.abs(reference.determinant()));
        }

        DMatrixRMaj expectedInverse = new DMatrixRMaj(1, 1);
        reference.invert(expectedInverse);
        FMatrixRMaj inverse = dirty();
        lu.invert(inverse);
        assertClose(expectedInverse, inverse, 1e-5);

        FMatrixRMaj b = uniform(rnd, n, 2, -1, 1);
        DMatrixRMaj expected = new DMatrixRMaj(1, 1);
        FMatrixRMaj solution = dirty();
        reference.solve(toDouble(b), expected);
        lu.solve(b, solution);
        assertClose(expected, solution, 1e-5);
        reference.solveTranspose(toDouble(b), expected);
        lu.solveTranspose(b, solution);
        assertClose(expected, solution, 1e-5);
        FMatrixRMaj b2 = uniform(rnd, n, 1, -1, 1);
        reference.solveTranspose(toDouble(b2), expected);
        lu.solveTranspose(b2, solution); // reuses the lazily factored transpose
        assertClose(expected, solution, 1e-5);

        // Refactoring a different matrix invalidates the transposed factorization.
        FMatrixRMaj a2 = uniform(rnd, n, n, -1, 1);
        for (int i = 0; i < n; i++) {
            a2.add(i, i, -2);
        }
        lu.factor(a2, "K.invert()");
        reference.factor(toDouble(a2), "K.invert()");
        reference.solveTranspose(toDouble(b2), expected);
        lu.solveTranspose(b2, solution);
        assertClose(expected, solution, 1e-5);

        assertEquals(message(() -> reference.solve(new DMatrixRMaj(n + 1, 1), new DMatrixRMaj(1, 1))),
                message(() -> lu.solve(new FMatrixRMaj(n + 1, 1), new FMatrixRMaj(1, 1))));
        assertEquals(message(() -> reference.solveTranspose(new DMatrixRMaj(n + 1, 1), new DMatrixRMaj(1, 1))),
                message(() -> lu.solveTranspose(new FMatrixRMaj(n + 1, 1), new FMatrixRMaj(1, 1))));
    }

    /** det 10⁴⁰ overflows float: the pivot product is taken in double. */
    @Test
    void luDeterminantBeyondFloatRange() {
        int n = 40;
        FMatrixRMaj a = new FMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            a.set(i, i, i % 2 == 0 ? 10 : -10);
        }
        a.set(0, 1, 3); // not diagonal, and a row swap
        a.set(1, 0, 20);
        LuFactorizationF32 lu = new LuFactorizationF32();
        LuFactorization reference = new LuFactorization();
        lu.factor(a, "det(K)");
        reference.factor(toDouble(a), "det(K)");
        double expected = reference.determinant();
        assertEquals(expected, lu.determinant(), 1e-6 * Math.abs(expected));
        assertEquals(Math.signum(expected), Math.signum(lu.determinant()));
    }

    @Test
    void singularMatricesLikeDouble() {
        LuFactorizationF32 lu = new LuFactorizationF32();

        FMatrixRMaj exact = new FMatrixRMaj(new float[][] {{1, 2}, {2, 4}});
        lu.factor(exact, "invert(K) at Foo.java:3");
        assertEquals(0.0, lu.determinant(), 0.0);
        SingularMatrixException e = assertThrows(SingularMatrixException.class, () -> lu.invert(new FMatrixRMaj(1, 1)));
        assertEquals("invert(K) at Foo.java:3: matrix is singular to working precision; 2x2", e.getMessage());

        FMatrixRMaj numerically = new FMatrixRMaj(new float[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}});
        lu.factor(numerically, "K.solve(B)");
        assertEquals(0.0, lu.determinant(), 1e-12);
        e = assertThrows(SingularMatrixException.class, () -> lu.solve(new FMatrixRMaj(3, 1), new FMatrixRMaj(1, 1)));
        assertEquals("K.solve(B): matrix is singular to working precision; 3x3", e.getMessage());
        assertThrows(SingularMatrixException.class, () -> lu.solveTranspose(new FMatrixRMaj(3, 1), new FMatrixRMaj(1, 1)));

        // Rank-deficient beyond the unrolled sizes: a repeated row.
        Random rnd = new Random(3);
        FMatrixRMaj big = uniform(rnd, 8, 8, -1, 1);
        for (int j = 0; j < 8; j++) {
            big.set(5, j, big.get(2, j));
        }
        lu.factor(big, "K.invert()");
        assertEquals(0.0, lu.determinant(), 1e-6);
        assertThrows(SingularMatrixException.class, () -> lu.invert(new FMatrixRMaj(1, 1)));

        // Singular to float precision though not to double: the float threshold applies.
        FMatrixRMaj nearly = new FMatrixRMaj(new float[][] {{1, 1}, {1, 1 + Math.ulp(1f)}});
        lu.factor(nearly, "K.invert()");
        assertThrows(SingularMatrixException.class, () -> lu.invert(new FMatrixRMaj(1, 1)));

        FMatrixRMaj nan = new FMatrixRMaj(new float[][] {{Float.NaN, 0}, {0, 1}});
        lu.factor(nan, "K.invert()");
        assertEquals(0.0, lu.determinant(), 0.0); // never NaN, never throws
        assertThrows(SingularMatrixException.class, () -> lu.invert(new FMatrixRMaj(1, 1)));

        assertEquals(message(() -> new LuFactorization().factor(new DMatrixRMaj(3, 2), "K.invert()")),
                message(() -> lu.factor(new FMatrixRMaj(3, 2), "K.invert()")));
        assertThrows(IllegalStateException.class, lu::determinant);
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }
}
