package dev.adjoint.it;

import static dev.adjoint.runtime.Ops.sumSquares;

import dev.adjoint.Differentiable;
import org.ejml.simple.SimpleMatrix;

/**
 * Products of three factors whose inner product has no other use: the processor fuses them into
 * one chain associated at run time from the actual sizes (forward: A·B·C; backward: G·Cᵀ·Bᵀ).
 */
final class ChainOrder {
    private ChainOrder() {}

    @Differentiable(order = 2, wrt = "A")
    static double chain(SimpleMatrix A, SimpleMatrix B, SimpleMatrix C) {
        return sumSquares(A.mult(B).mult(C));
    }

    /** A Gram matrix: its two adjoint paths through A are summed as A·(G + Gᵀ). */
    @Differentiable(order = 2)
    static double gram(SimpleMatrix A, SimpleMatrix x) {
        return sumSquares(A.transpose().mult(A).mult(x).minus(x));
    }

    /** The other Gram form, A·Aᵀ. */
    @Differentiable(order = 2)
    static double gramOuter(SimpleMatrix A, SimpleMatrix y) {
        return A.mult(A.transpose()).elementMult(y).elementSum();
    }
}
