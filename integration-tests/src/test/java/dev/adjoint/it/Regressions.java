package dev.adjoint.it;

import static dev.adjoint.runtime.Ops.sumSquares;

import dev.adjoint.Differentiable;
import org.ejml.simple.SimpleMatrix;

/** Minimal programs for bugs found by the random-program test, kept as regressions. */
final class Regressions {
    private Regressions() {}

    /** Aᵀ·B is 3×1 when B is a column: not square, so tr(Aᵀ·B) is not ⟨A, B⟩ (EJML sums min(m, n) diagonal entries). */
    @Differentiable
    static double traceOfNonSquareTransposedProduct(SimpleMatrix A, SimpleMatrix B) {
        return A.transpose().mult(B).trace() + A.mult(B.transpose().transpose()).transpose().trace();
    }

    /** Parameters named like generated fields: the accessors are still gradW() and gradGradW(). */
    @Differentiable
    static double namesLikeGeneratedFields(SimpleMatrix gradW, SimpleMatrix W, SimpleMatrix value) {
        return sumSquares(W.mult(gradW)) + value.elementSum() * W.elementSum();
    }
}
