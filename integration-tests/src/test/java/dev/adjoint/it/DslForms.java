package dev.adjoint.it;

import static dev.adjoint.runtime.Ops.*;

import dev.adjoint.Differentiable;
import dev.adjoint.Precision;
import dev.adjoint.runtime.Ops;
import org.ejml.simple.SimpleMatrix;

/**
 * One {@code @Differentiable} method per form of SPEC section 3. Every method reduces to a scalar
 * through a non-trivial (non-uniform) adjoint so that the form's own backward rule matters.
 *
 * <p>Methods are named so they never shadow a statically imported {@link Ops} helper.
 */
@SuppressWarnings({"deprecation", "cast"}) // numRows()/numCols() are the SPEC's spelling; casts are a tested form
final class DslForms {
    private DslForms() {
    }

    // ------------------------------------------------------------------ transpose, mult

    /** A is m×n, B is n×m. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double transposeMinus(SimpleMatrix A, SimpleMatrix B) {
        return sumSquares(A.transpose().minus(B));
    }

    /** A is m×n, C is m×k. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double transposeMult(SimpleMatrix A, SimpleMatrix C) {
        return sumSquares(A.transpose().mult(C));
    }

    /** A is m×k, B is k×n. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double mult(SimpleMatrix A, SimpleMatrix B) {
        return sumSquares(A.mult(B));
    }

    /** A is m×k, B is k×n, C is n×p. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double multChain(SimpleMatrix A, SimpleMatrix B, SimpleMatrix C) {
        return sumSquares(A.mult(B).mult(C));
    }

    // ------------------------------------------------------------------ plus / minus

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double plus(SimpleMatrix A, SimpleMatrix B, SimpleMatrix C) {
        return sumSquares(A.plus(B).elementMult(C));
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double minus(SimpleMatrix A, SimpleMatrix B, SimpleMatrix C) {
        return sumSquares(A.minus(B).elementMult(C));
    }

    /** A + s·B with wrt s. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double plusScaled(SimpleMatrix A, double s, SimpleMatrix B) {
        return sumSquares(A.plus(s, B));
    }

    /** A + s·B with a literal s. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double plusScaledLiteral(SimpleMatrix A, SimpleMatrix B, SimpleMatrix C) {
        return sumSquares(A.plus(-2.5, B).minus(C));
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double plusScalar(SimpleMatrix A, double s, SimpleMatrix C) {
        return sumSquares(A.plus(s).elementMult(C));
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double minusScalar(SimpleMatrix A, double s, SimpleMatrix C) {
        return sumSquares(A.minus(s).elementMult(C));
    }

    /** Literal (int and double) scalars added / subtracted. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double plusMinusLiteral(SimpleMatrix A, SimpleMatrix C) {
        return sumSquares(A.plus(1.5).minus(2).elementMult(C));
    }

    // ------------------------------------------------------------------ scale, divide, negative

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double scale(SimpleMatrix A, double s, SimpleMatrix C) {
        return sumSquares(A.scale(s).minus(C));
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double divide(SimpleMatrix A, double s, SimpleMatrix C) {
        return sumSquares(A.divide(s).minus(C));
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double negative(SimpleMatrix A, SimpleMatrix C) {
        return sumSquares(A.negative().minus(C));
    }

    // ------------------------------------------------------------------ Hadamard

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double elementMult(SimpleMatrix A, SimpleMatrix B, SimpleMatrix C) {
        return sumSquares(A.elementMult(B).minus(C));
    }

    /** B has no entry near zero. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double elementDiv(SimpleMatrix A, SimpleMatrix B, SimpleMatrix C) {
        return sumSquares(A.elementDiv(B).minus(C));
    }

    // ------------------------------------------------------------------ elementPower

    /** Constant integer exponent, any sign of A. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double elementPowerConstant(SimpleMatrix A, SimpleMatrix C) {
        return A.elementPower(3).elementMult(C).elementSum();
    }

    /** Constant fractional exponent on a positive base. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double elementPowerFractional(SimpleMatrix A, SimpleMatrix C) {
        return A.elementMult(A).plus(1).elementPower(0.75).elementMult(C).elementSum();
    }

    /** Exponent computed from a non-wrt double parameter and a shape query. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2, wrt = {"A", "C"})
    static double elementPowerComputed(SimpleMatrix A, double q, SimpleMatrix C) {
        double p = 0.5 * q + 1.0 / A.numCols();
        return A.elementMult(A).plus(1).elementPower(p).elementMult(C).elementSum();
    }

    /** Exponent from an int parameter. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double elementPowerIntParameter(SimpleMatrix A, int k, SimpleMatrix C) {
        return A.elementPower(k).elementMult(C).elementSum();
    }

    /** A wrt double s only on the base side. s &gt; 0. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double elementPowerScalarInBase(SimpleMatrix A, double s, SimpleMatrix C) {
        return A.elementMult(A).plus(s).elementPower(1.5).elementMult(C).elementSum();
    }

    // ------------------------------------------------------------------ exp, log

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double elementExp(SimpleMatrix A, SimpleMatrix C) {
        return A.elementExp().elementMult(C).elementSum();
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double elementLog(SimpleMatrix A, SimpleMatrix C) {
        return A.elementMult(A).plus(1).elementLog().elementMult(C).elementSum();
    }

    /** P has positive entries. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double elementLogPositive(SimpleMatrix P, SimpleMatrix C) {
        return sumSquares(P.elementLog().minus(C));
    }

    // ------------------------------------------------------------------ reductions

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double elementSum(SimpleMatrix A, SimpleMatrix C) {
        double t = A.elementMult(C).elementSum();
        return t * t + A.elementSum();
    }

    /** A, B are n×n. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double trace(SimpleMatrix A, SimpleMatrix B) {
        return A.mult(B).trace() + A.trace() * A.trace();
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double normF(SimpleMatrix A, SimpleMatrix C) {
        return A.minus(C).normF() + A.normF() * A.normF() * A.normF();
    }

    /** A is m×n, x is n×1, y is m×1. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double dotColumns(SimpleMatrix A, SimpleMatrix x, SimpleMatrix y) {
        double d = A.mult(x).dot(y);
        return d * d + x.dot(x);
    }

    /** u, v are 1×n. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double dotRows(SimpleMatrix u, SimpleMatrix v) {
        double d = u.dot(v);
        return d * d + u.dot(u) * v.dot(u);
    }

    /** u is 1×n, v is n×1: EJML's dot accepts any two vectors of equal length. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double dotRowColumn(SimpleMatrix u, SimpleMatrix v) {
        double d = u.dot(v);
        return d * d + d;
    }

    // ------------------------------------------------------------------ det, invert, solve

    /** A is n×n, well conditioned. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double determinant(SimpleMatrix A) {
        return A.determinant();
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double determinantOfProduct(SimpleMatrix A, SimpleMatrix B) {
        double d = A.mult(B).determinant();
        return d * d + A.determinant();
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double invert(SimpleMatrix A, SimpleMatrix C) {
        return sumSquares(A.invert().minus(C));
    }

    /** A, B are n×n. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double invertTrace(SimpleMatrix A, SimpleMatrix B) {
        return A.invert().mult(B).trace();
    }

    /** A is n×n, B is n×k, C is n×k. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double solve(SimpleMatrix A, SimpleMatrix B, SimpleMatrix C) {
        return sumSquares(A.solve(B).minus(C));
    }

    // ------------------------------------------------------------------ shapes and constants

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double shapeQueries(SimpleMatrix A, double s) {
        int r = A.numRows();
        return sumSquares(A) / (r * A.numCols()) + s * A.numRows() - A.numCols() * A.elementSum() / (r + 1);
    }

    /** A is n×n, B is n×k. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double identity(SimpleMatrix A, SimpleMatrix B) {
        return sumSquares(A.minus(SimpleMatrix.identity(A.numRows()).scale(2)).mult(B));
    }

    /** A is n×n; n is passed as an int parameter. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double identityIntParameter(SimpleMatrix A, int n, SimpleMatrix C) {
        return sumSquares(A.plus(SimpleMatrix.identity(n)).elementMult(C));
    }

    /** A is m×n, C is m×2. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double ones(SimpleMatrix A, SimpleMatrix C) {
        return sumSquares(A.mult(SimpleMatrix.ones(A.numCols(), 2)).minus(C))
                + SimpleMatrix.ones(1, A.numRows()).mult(A).elementMult(SimpleMatrix.ones(1, A.numCols())).elementSum();
    }

    /** filled(r, c, v) with v wrt. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double filled(SimpleMatrix A, double v, SimpleMatrix C) {
        int r = A.numRows();
        int c = A.numCols();
        return sumSquares(A.elementMult(SimpleMatrix.filled(r, c, v)).minus(C).plus(SimpleMatrix.filled(r, c, 0.25)));
    }

    // ------------------------------------------------------------------ Ops entrywise

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double opsSigmoid(SimpleMatrix A, SimpleMatrix C) {
        return sumSquares(sigmoid(A).minus(C));
    }

    /** Qualified Ops call. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double opsTanh(SimpleMatrix A, SimpleMatrix C) {
        return Ops.sumSquares(Ops.tanh(A).minus(C));
    }

    /** A has no entry near 0. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double opsRelu(SimpleMatrix A, SimpleMatrix C) {
        return sumSquares(relu(A).minus(C));
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double opsSwish(SimpleMatrix A, SimpleMatrix C) {
        return sumSquares(swish(A).minus(C));
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double opsSoftplus(SimpleMatrix A, SimpleMatrix C) {
        return sumSquares(softplus(A).minus(C));
    }

    // ------------------------------------------------------------------ Ops reductions

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double opsSumSquares(SimpleMatrix A) {
        return sumSquares(A);
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double opsMean(SimpleMatrix A, SimpleMatrix C) {
        double m = mean(A);
        return m * m * m + mean(A.elementMult(C));
    }

    /** B is n×k; B·Bᵀ + c·I is SPD for c &gt; 0. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double opsLogDet(SimpleMatrix B, double c) {
        return logDet(B.mult(B.transpose()).plus(SimpleMatrix.identity(B.numRows()).scale(c)));
    }

    /** B is n×k, wrt B only (SPEC wording). */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2, wrt = "B")
    static double opsLogDetWrtB(SimpleMatrix B, double c) {
        return Ops.logDet(B.mult(B.transpose()).plus(SimpleMatrix.identity(B.numRows()).scale(c)));
    }

    /** S is symmetric positive definite. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double opsLogDetDirect(SimpleMatrix S) {
        return logDet(S);
    }

    /** A is m×n, v is m×1. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double opsRowSums(SimpleMatrix A, SimpleMatrix v) {
        return sumSquares(rowSums(A).minus(v));
    }

    /** A is m×n, u is 1×n. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double opsColumnSums(SimpleMatrix A, SimpleMatrix u) {
        return sumSquares(columnSums(A).minus(u));
    }

    /** A is m×n, v is m×1, C is m×n. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double opsAddColumn(SimpleMatrix A, SimpleMatrix v, SimpleMatrix C) {
        return sumSquares(addColumn(A, v).elementMult(C));
    }

    /** A is m×n, u is 1×n, C is m×n. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double opsAddRow(SimpleMatrix A, SimpleMatrix u, SimpleMatrix C) {
        return sumSquares(addRow(A, u).elementMult(C));
    }

    /** Z, Y are k×N; Y is not one-hot. wrt Z and Y. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double opsSoftmaxCrossEntropy(SimpleMatrix Z, SimpleMatrix Y) {
        return softmaxCrossEntropy(Z, Y);
    }

    /** W is k×d, X is d×N, Y is k×N. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2, wrt = {"W", "Y"})
    static double opsSoftmaxCrossEntropyComposed(SimpleMatrix W, SimpleMatrix X, SimpleMatrix Y) {
        return softmaxCrossEntropy(W.mult(X), Y.elementMult(Y));
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double opsLogSumExp(SimpleMatrix A, SimpleMatrix C) {
        return logSumExp(A.elementMult(C)) + Ops.logSumExp(A);
    }

    // ------------------------------------------------------------------ scalar arithmetic

    /** b has no value near 0. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double scalarArithmetic(double a, double b, double c) {
        return (a + b) * c - a / b + -c * (a - 2) / (1 + b * b) - -a + 3 * (c - (a - b));
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double scalarOnMatrix(SimpleMatrix A, double s) {
        return -sumSquares(A) * s + (A.elementSum() - s) / (1 + s * s) - -(A.trace() * 2);
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double casts(SimpleMatrix A, double s) {
        double d = A.numCols();
        return (double) A.numRows() * s + sumSquares(A) / (double) (A.numRows() * A.numCols())
                + (double) s * s / d + (double) (A.numRows() / 2) * s;
    }

    // ------------------------------------------------------------------ Math functions and constants

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double mathLog(SimpleMatrix A, double t) {
        return Math.log(sumSquares(A) + t * t) + Math.log(t * t + 1);
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double mathExp(SimpleMatrix A, double t) {
        return Math.exp(mean(A) * t) + Math.exp(t);
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double mathSqrt(SimpleMatrix A, double t) {
        return Math.sqrt(sumSquares(A) + t * t) * Math.sqrt(t * t + 2);
    }

    /** Math.pow with a constant exponent. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double mathPowConstant(SimpleMatrix A, double t) {
        return Math.pow(sumSquares(A), 1.5) + Math.pow(t, 3) - Math.pow(A.elementSum(), 2);
    }

    /** Math.pow with a wrt exponent on a positive base (scalars may depend on wrt on both sides). */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double mathPowVariable(SimpleMatrix A, double t, double u) {
        return Math.pow(t, u) + Math.pow(sumSquares(A) + 1, u);
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double mathTanh(SimpleMatrix A, double t) {
        return Math.tanh(A.elementSum() * t) + Math.tanh(t);
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double mathConstants(SimpleMatrix A, double t) {
        return Math.PI * sumSquares(A) + Math.E * t - Math.PI / Math.E * t * t;
    }

    // ------------------------------------------------------------------ locals

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double compoundAssignments(SimpleMatrix A, double s) {
        double t = sumSquares(A);
        t += s * A.elementSum();
        t -= mean(A);
        t *= s;
        t /= 1 + s * s;
        return t;
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double varLocals(SimpleMatrix A, double s) {
        var B = A.mult(A.transpose());
        var t = B.trace();
        var u = s * t;
        return u + sumSquares(B);
    }

    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double intLocals(SimpleMatrix A, double s) {
        int n = A.numRows();
        int m = n * 2 + 1;
        int k = m - A.numCols();
        int h = m / 2;
        return sumSquares(A) * m + s * k + s / m + h * A.elementSum();
    }
}
