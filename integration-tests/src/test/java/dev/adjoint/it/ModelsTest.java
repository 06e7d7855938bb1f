package dev.adjoint.it;

import static dev.adjoint.it.TestSupport.assertMatrixClose;
import static dev.adjoint.it.TestSupport.dim;
import static dev.adjoint.it.TestSupport.sm;
import static dev.adjoint.it.TestSupport.sw;
import static dev.adjoint.it.TestSupport.uniform;
import static dev.adjoint.it.TestSupport.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.it.TestSupport.Seeds;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Lasso, hinge-loss SVM and exact Huber regression: gradients against finite differences and
 * the method run eagerly (TestSupport.verify), and against their closed forms (subgradients with
 * sign(0) = 0 and the hinge's derivative 0 at the kink, as the DSL's rules say).
 */
class ModelsTest {

    @Seeds
    void lasso(long seed) {
        Random r = new Random(seed);
        int n = dim(r) + 3, p = dim(r);
        DMatrixRMaj X = uniform(r, n, p), w = uniform(r, p, 1), y = uniform(r, n, 1);
        double lambda = 0.3;
        var f = new Models_Lasso();
        verify(f, () -> Models.lasso(sm(X), sm(w), sm(y), lambda), () -> f.value(X, w, y, lambda),
                () -> f.gradient(sw(X), sw(w), sw(y), lambda), X, w, y, lambda);
        // ∇ = Xᵀ(Xw − y) + λ·sign(w)
        DMatrixRMaj residual = new DMatrixRMaj(n, 1);
        CommonOps_DDRM.mult(X, w, residual);
        CommonOps_DDRM.subtractEquals(residual, y);
        DMatrixRMaj expected = new DMatrixRMaj(p, 1);
        CommonOps_DDRM.multTransA(X, residual, expected);
        for (int i = 0; i < p; i++) {
            expected.add(i, 0, lambda * Math.signum(w.get(i)));
        }
        f.gradient(X, w, y, lambda);
        assertMatrixClose(expected, f.gradW(), 1e-12, "lasso gradient vs Xᵀ(Xw − y) + λ·sign(w)");
    }

    @Seeds
    void hingeSvm(long seed) {
        Random r = new Random(seed);
        int n = dim(r) + 4, p = dim(r);
        DMatrixRMaj X = uniform(r, n, p), w = uniform(r, p, 1), y = new DMatrixRMaj(n, 1);
        for (int i = 0; i < n; i++) {
            y.set(i, 0, r.nextBoolean() ? 1 : -1);
        }
        double b = 0.1, lambda = 0.5;
        var f = new Models_HingeSvm();
        verify(f, () -> Models.hingeSvm(sm(X), sm(y), sm(w), b, lambda), () -> f.value(X, y, w, b, lambda),
                () -> f.gradient(sw(X), sw(y), sw(w), b, lambda), X, y, w, b, lambda);
        // Active samples (margin < 1) contribute −yᵢxᵢ to ∇w and −yᵢ to ∇b.
        DMatrixRMaj expected = w.copy();
        CommonOps_DDRM.scale(lambda, expected);
        double expectedB = 0;
        for (int i = 0; i < n; i++) {
            double score = b;
            for (int j = 0; j < p; j++) {
                score += X.get(i, j) * w.get(j);
            }
            if (y.get(i) * score < 1) {
                for (int j = 0; j < p; j++) {
                    expected.add(j, 0, -y.get(i) * X.get(i, j));
                }
                expectedB -= y.get(i);
            }
        }
        f.gradient(X, y, w, b, lambda);
        assertMatrixClose(expected, f.gradW(), 1e-12, "hinge SVM ∇w");
        assertEquals(expectedB, f.gradB(), 1e-12, "hinge SVM ∇b");
    }

    @Seeds
    void huber(long seed) {
        Random r = new Random(seed);
        int n = dim(r) + 4, p = dim(r);
        DMatrixRMaj X = uniform(r, n, p), w = uniform(r, p, 1), y = uniform(r, n, 1);
        double delta = 0.4; // residuals fall on both pieces
        var f = new Models_Huber();
        verify(f, () -> Models.huber(sm(X), sm(w), sm(y), delta), () -> f.value(X, w, y, delta),
                () -> f.gradient(sw(X), sw(w), sw(y), delta), X, w, y, delta);
        // ∇ = Xᵀ·clip(Xw − y, −δ, δ); value Σ r²/2 or δ(|r| − δ/2)
        DMatrixRMaj residual = new DMatrixRMaj(n, 1);
        CommonOps_DDRM.mult(X, w, residual);
        CommonOps_DDRM.subtractEquals(residual, y);
        double value = 0;
        DMatrixRMaj clipped = new DMatrixRMaj(n, 1);
        for (int i = 0; i < n; i++) {
            double ri = residual.get(i);
            value += Math.abs(ri) <= delta ? 0.5 * ri * ri : delta * (Math.abs(ri) - 0.5 * delta);
            clipped.set(i, 0, Math.max(-delta, Math.min(delta, ri)));
        }
        DMatrixRMaj expected = new DMatrixRMaj(p, 1);
        CommonOps_DDRM.multTransA(X, clipped, expected);
        assertEquals(value, f.gradient(X, w, y, delta), 1e-12 * Math.max(1, Math.abs(value)), "Huber value");
        assertMatrixClose(expected, f.gradW(), 1e-12, "Huber gradient vs Xᵀ·clip(r, −δ, δ)");
    }
}
