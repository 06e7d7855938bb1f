package dev.adjoint.it;

import static dev.adjoint.runtime.Ops.*;

import dev.adjoint.Differentiable;
import dev.adjoint.Shape;
import org.ejml.simple.SimpleMatrix;

/**
 * Methods for run-time error tests. Parameter names are distinctive words so that a message
 * naming them can be recognised by substring.
 */
@SuppressWarnings("deprecation") // numRows() is the SPEC's spelling
final class ErrorForms {
    private ErrorForms() {
    }

    @Differentiable
    static double product(SimpleMatrix weights, SimpleMatrix input) {
        return sumSquares(weights.mult(input));
    }

    @Differentiable
    static double sum(SimpleMatrix left, SimpleMatrix right) {
        return sumSquares(left.plus(right));
    }

    @Differentiable
    static double hadamard(SimpleMatrix first, SimpleMatrix second) {
        return first.elementMult(second).elementSum();
    }

    @Differentiable
    static double broadcastColumn(SimpleMatrix grid, SimpleMatrix offset) {
        return sumSquares(addColumn(grid, offset));
    }

    @Differentiable
    static double inner(SimpleMatrix alpha, SimpleMatrix omega) {
        return alpha.dot(omega);
    }

    @Differentiable
    static double transposedProduct(SimpleMatrix lhs, SimpleMatrix rhs) {
        return sumSquares(lhs.transpose().mult(rhs));
    }

    @Differentiable
    static double solveSystem(SimpleMatrix system, SimpleMatrix target) {
        return sumSquares(system.solve(target));
    }

    @Differentiable
    static double det(SimpleMatrix square) {
        return square.determinant();
    }

    @Differentiable
    static double identityOfSize(SimpleMatrix grid, int size) {
        return sumSquares(grid.plus(SimpleMatrix.identity(size)));
    }

    /** Declared shapes: weights m×n, vec n×1. */
    @Differentiable
    static double declared(@Shape({"m", "n"}) SimpleMatrix weights, @Shape({"n", "1"}) SimpleMatrix vec) {
        return sumSquares(weights.mult(vec));
    }

    /** A declared shape the body alone would not enforce. */
    @Differentiable
    static double declaredColumn(@Shape({"n", "1"}) SimpleMatrix vec) {
        return sumSquares(vec);
    }

    /** The expected shape of bias comes from two other parameters, through a local. */
    @Differentiable
    static double derivedShape(SimpleMatrix weights, SimpleMatrix input, SimpleMatrix bias) {
        SimpleMatrix hidden = weights.mult(input);
        return sumSquares(hidden.plus(bias));
    }

    @Differentiable
    static double logDetOf(SimpleMatrix spd) {
        return logDet(spd);
    }

    @Differentiable
    static double logDetComposed(SimpleMatrix factor, double shift) {
        return logDet(factor.mult(factor.transpose()).minus(SimpleMatrix.identity(factor.numRows()).scale(shift)));
    }

    /** invert() written before logDet() of the same (structurally symmetric) matrix. */
    @Differentiable
    static double inverseThenLogDet(SimpleMatrix factor, double shift) {
        SimpleMatrix gram = factor.mult(factor.transpose()).minus(SimpleMatrix.identity(factor.numRows()).scale(shift));
        return gram.invert().trace() + logDet(gram);
    }

    @Differentiable
    static double inverse(SimpleMatrix square) {
        return sumSquares(square.invert());
    }

    @Differentiable
    static double inverseOfProduct(SimpleMatrix tall) {
        return tall.mult(tall.transpose()).invert().trace();
    }
}
