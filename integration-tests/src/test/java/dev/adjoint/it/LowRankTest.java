package dev.adjoint.it;

import static dev.adjoint.it.TestSupport.assertMatrixClose;
import static dev.adjoint.it.TestSupport.assertRelativelyClose;
import static dev.adjoint.it.TestSupport.scalar;
import static dev.adjoint.it.TestSupport.sm;
import static dev.adjoint.it.TestSupport.sw;
import static dev.adjoint.it.TestSupport.uniform;
import static dev.adjoint.it.TestSupport.verify;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.NotPositiveDefiniteException;
import java.lang.reflect.Field;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The low-rank versions (issue 7's identity-plus-low-rank structure) against finite differences,
 * the eagerly run method and the SPEC's dense closed forms, in both regimes: q &lt; N runs
 * Woodbury and the determinant lemma, q ≥ N the dense Cholesky path.
 */
class LowRankTest {
    /** value() and the gradients against the dense closed forms (K formed and inverted by EJML). */
    private static final double DENSE_TOLERANCE = 1e-10;

    /** Random N and q; {@code lowRank} picks q &lt; N (q ≤ 4, N up to 12) or q ≥ N. */
    private static int[] sizes(Random r, boolean lowRank) {
        if (lowRank) {
            int q = 1 + r.nextInt(4);
            return new int[] {q + 1 + r.nextInt(8), q};
        }
        int n = 1 + r.nextInt(5);
        return new int[] {n, n + r.nextInt(3)};
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void gplvmBothRegimes(long seed) {
        for (boolean lowRank : new boolean[] {true, false}) {
            Random r = new Random(seed * 31 + (lowRank ? 1 : 0));
            int[] s = sizes(r, lowRank);
            int n = s[0], q = s[1], dims = 1 + r.nextInt(6);
            DMatrixRMaj X = uniform(r, n, q), Y = uniform(r, n, dims);
            double alpha = scalar(r, 0.3, 2), beta = scalar(r, 0.3, 3);
            var f = new LowRank_Gplvm();
            verify(f, () -> LowRank.gplvm(sm(X), alpha, beta, sm(Y)), () -> f.value(X, alpha, beta, Y),
                    () -> f.gradient(sw(X), alpha, beta, sw(Y)), X, alpha, beta, Y);
            assertDenseGplvm(X, alpha, beta, Y, f.value(X, alpha, beta, Y), f.gradient(X, alpha, beta, Y),
                    f.gradX(), f.gradAlpha(), f.gradBeta(), "gplvm " + n + "x" + q);
            var g = new LowRank_GplvmSolve();
            verify(g, () -> LowRank.gplvmSolve(sm(X), alpha, beta, sm(Y)), () -> g.value(X, alpha, beta, Y),
                    () -> g.gradient(sw(X), alpha, beta, sw(Y)), X, alpha, beta, Y);
            assertDenseGplvm(X, alpha, beta, Y, g.value(X, alpha, beta, Y), g.gradient(X, alpha, beta, Y),
                    g.gradX(), g.gradAlpha(), g.gradBeta(), "gplvmSolve " + n + "x" + q);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void shiftedGramBothRegimes(long seed) {
        for (boolean lowRank : new boolean[] {true, false}) {
            Random r = new Random(seed * 17 + (lowRank ? 1 : 0));
            int[] s = sizes(r, lowRank);
            int n = s[0], q = s[1], p = 1 + r.nextInt(4), dims = 1 + r.nextInt(4);
            DMatrixRMaj Z = uniform(r, n, p), W = uniform(r, p, q), Y = uniform(r, n, dims);
            double sc = scalar(r, -1.5, 1.5);
            var f = new LowRank_ShiftedGram();
            verify(f, () -> LowRank.shiftedGram(sm(Z), sm(W), sc, sm(Y)), () -> f.value(Z, W, sc, Y),
                    () -> f.gradient(sw(Z), sw(W), sc, sw(Y)), Z, W, sc, Y);
        }
    }

    /** The SPEC's reference gradients, with K formed, to {@link #DENSE_TOLERANCE}. */
    private static void assertDenseGplvm(DMatrixRMaj X, double alpha, double beta, DMatrixRMaj Y, double value,
            double gradientValue, DMatrixRMaj gradX, double gradAlpha, double gradBeta, String what) {
        int n = X.numRows;
        int dims = Y.numCols;
        SimpleMatrix x = sm(X);
        SimpleMatrix y = sm(Y);
        SimpleMatrix k = x.mult(x.transpose()).scale(alpha).plus(SimpleMatrix.identity(n).divide(beta));
        SimpleMatrix ki = k.invert();
        double expected = -dims / 2.0 * Math.log(k.determinant()) - 0.5 * ki.mult(y).mult(y.transpose()).trace();
        SimpleMatrix g = ki.mult(y).mult(y.transpose()).mult(ki).minus(ki.scale(dims)).scale(0.5);
        assertRelativelyClose(expected, value, DENSE_TOLERANCE, what + ": value() vs dense");
        assertRelativelyClose(expected, gradientValue, DENSE_TOLERANCE, what + ": gradient() vs dense");
        assertMatrixClose(g.mult(x).scale(2 * alpha).getDDRM(), gradX, DENSE_TOLERANCE, what + ": ∂X vs dense");
        assertRelativelyClose(g.mult(x).mult(x.transpose()).trace(), gradAlpha, DENSE_TOLERANCE, what + ": ∂alpha vs dense");
        assertRelativelyClose(-g.trace() / (beta * beta), gradBeta, DENSE_TOLERANCE, what + ": ∂beta vs dense");
    }

    /**
     * With q &lt; N, no method forms an N×N matrix: every workspace stays smaller than N², the
     * Hessian-vector product's included (its tangent of K and its K⁻¹·K̇·K⁻¹ are never formed).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gplvm", "gplvmSolve"})
    void lowRankFormsNoNByNMatrix(String which) throws Exception {
        Random r = new Random(7);
        int n = 60, q = 2, dims = 5;
        DMatrixRMaj X = uniform(r, n, q), Y = uniform(r, n, dims);
        Object f = which.equals("gplvm") ? new LowRank_Gplvm() : new LowRank_GplvmSolve();
        var df = (dev.adjoint.runtime.DifferentiableFunction) f;
        df.value(X, 0.7, 1.3, Y);
        df.gradient(X, 0.7, 1.3, Y);
        df.hessianVectorProduct(new Object[] {X, 0.7, 1.3, Y}, new Object[] {uniform(r, n, q), 0.4, -0.3});
        for (Field field : f.getClass().getDeclaredFields()) {
            if (field.getType() == DMatrixRMaj.class) {
                field.setAccessible(true);
                DMatrixRMaj m = (DMatrixRMaj) field.get(f);
                assertTrue(m.numRows < n || m.numCols < n, which + ": workspace " + field.getName() + " is "
                        + m.numRows + "x" + m.numCols);
            }
        }
        // The dense regime does form K.
        DMatrixRMaj Xwide = uniform(r, 4, 5), Ywide = uniform(r, 4, 3);
        assertTrue(Double.isFinite(df.gradient(Xwide, 0.7, 1.3, Ywide)));
    }

    /** c ≤ 0 makes K indefinite when q &lt; N: the low-rank path throws what Cholesky of K throws. */
    @ParameterizedTest(name = "beta {0}")
    @ValueSource(doubles = {-2.0, Double.NaN})
    void nonPositiveIdentityPartThrowsLikeTheDensePath(double beta) {
        Random r = new Random(3);
        DMatrixRMaj X = uniform(r, 6, 2), Y = uniform(r, 6, 3);
        var f = new LowRank_Gplvm();
        for (Runnable call : new Runnable[] {() -> f.value(X, 0.7, beta, Y), () -> f.gradient(X, 0.7, beta, Y)}) {
            var e = assertThrows(NotPositiveDefiniteException.class, call::run);
            assertTrue(e.getMessage().startsWith("logDet(K) at LowRank.java:"), e.getMessage());
        }
        // α < 0 large enough that the capacitance matrix (and K) is indefinite: its Cholesky throws, naming logDet(K).
        var e = assertThrows(NotPositiveDefiniteException.class, () -> f.gradient(X, -50, 1.0, Y));
        assertTrue(e.getMessage().startsWith("logDet(K) at LowRank.java:"), e.getMessage());
    }
}
