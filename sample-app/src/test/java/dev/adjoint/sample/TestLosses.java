package dev.adjoint.sample;

import dev.adjoint.Differentiable;
import org.ejml.simple.SimpleMatrix;

/** A convex quadratic with a known minimum, differentiated by Adjoint like any user loss. */
final class TestLosses {
    private TestLosses() {}

    /** ½·xᵀAx − bᵀx + (s − c)²: for symmetric positive definite A, minimal at x = A⁻¹b, s = c. */
    @Differentiable(wrt = {"x", "s"})
    static double quadratic(SimpleMatrix x, double s, SimpleMatrix A, SimpleMatrix b, double c) {
        return 0.5 * x.transpose().mult(A).mult(x).trace() - b.dot(x) + (s - c) * (s - c);
    }
}
