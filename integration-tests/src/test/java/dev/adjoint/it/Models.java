package dev.adjoint.it;

import static dev.adjoint.runtime.Ops.*;

import dev.adjoint.Differentiable;
import org.ejml.simple.SimpleMatrix;

/**
 * Issue 9's models that need the non-smooth forms: a lasso (|w|), a soft-margin SVM (hinge loss,
 * max) and an exact Huber regression (|r| and min), written as a user would. Rows of X are
 * samples.
 */
final class Models {
    private Models() {}

    /** Lasso: ½‖Xw − y‖² + λ‖w‖₁. */
    @Differentiable(wrt = "w")
    static double lasso(SimpleMatrix X, SimpleMatrix w, SimpleMatrix y, double lambda) {
        return 0.5 * sumSquares(X.mult(w).minus(y)) + lambda * abs(w).elementSum();
    }

    /** Linear soft-margin SVM: Σᵢ max(0, 1 − yᵢ(xᵢᵀw + b)) + ½λ‖w‖², labels yᵢ ∈ {−1, 1}. */
    @Differentiable(wrt = {"w", "b"})
    static double hingeSvm(SimpleMatrix X, SimpleMatrix y, SimpleMatrix w, double b, double lambda) {
        SimpleMatrix margins = y.elementMult(X.mult(w).plus(b));
        return max(margins.scale(-1.0).plus(1.0), 0.0).elementSum() + 0.5 * lambda * sumSquares(w);
    }

    /**
     * Exact Huber regression: Σᵢ huber_δ(xᵢᵀw − yᵢ), huber_δ(r) = r²/2 for |r| ≤ δ, else δ(|r| − δ/2).
     * With a = |r| and h = min(a, δ), huber_δ(r) = h·(a − h/2) on both pieces.
     */
    @Differentiable(wrt = "w")
    static double huber(SimpleMatrix X, SimpleMatrix w, SimpleMatrix y, double delta) {
        SimpleMatrix a = abs(X.mult(w).minus(y));
        SimpleMatrix h = min(a, delta);
        return h.elementMult(a.minus(h.scale(0.5))).elementSum();
    }
}
