package dev.adjoint.it;

import static dev.adjoint.runtime.Ops.*;

import dev.adjoint.Differentiable;
import org.ejml.simple.SimpleMatrix;

/**
 * One {@code @Differentiable} method per form of issue 9 item 4 (entries, blocks, concatenation,
 * diag, kron, elementPower(B), copy, extremal entries, Ops.abs/sqrt/sin/cos/max/min and the
 * new Math functions), each reduced through a non-uniform adjoint so the form's own rule matters.
 * Methods are named so they never shadow a statically imported Ops helper. All are {@code order = 2}, so
 * their Hessian-vector products are checked too (TestSupport.verify).
 */
final class MoreForms {
    private MoreForms() {
    }

    @Differentiable(wrt = "A", order = 2)
    static double getEntry(SimpleMatrix A, int i, int j) {
        double v = A.get(i, j);
        return v * v * v + 2 * A.get(0, 0);
    }

    @Differentiable(wrt = "A", order = 2)
    static double getFlat(SimpleMatrix A, int k) {
        return Math.exp(A.get(k)) * A.get(A.getNumRows() * A.getNumCols() - 1 - k);
    }

    @Differentiable(wrt = {"A", "C"}, order = 2)
    static double extractMatrix(SimpleMatrix A, SimpleMatrix C, int r0, int r1, int c0, int c1) {
        return sumSquares(A.extractMatrix(r0, r1, c0, c1).elementMult(C));
    }

    @Differentiable(wrt = {"A", "C"}, order = 2)
    static double rowsBlock(SimpleMatrix A, SimpleMatrix C, int r0, int r1) {
        return sumSquares(A.rows(r0, r1).elementMult(C));
    }

    @Differentiable(wrt = {"A", "C"}, order = 2)
    static double colsBlock(SimpleMatrix A, SimpleMatrix C, int c0, int c1) {
        return sumSquares(A.cols(c0, c1).elementMult(C));
    }

    @Differentiable(wrt = {"A", "u"}, order = 2)
    static double getRow(SimpleMatrix A, SimpleMatrix u, int i) {
        return sumSquares(A.getRow(i).elementMult(u));
    }

    @Differentiable(wrt = {"A", "v"}, order = 2)
    static double getColumn(SimpleMatrix A, SimpleMatrix v, int j) {
        return sumSquares(A.getColumn(j).elementMult(v));
    }

    @Differentiable(wrt = {"A", "u", "v"}, order = 2)
    static double extractVector(SimpleMatrix A, SimpleMatrix u, SimpleMatrix v, int i, int j) {
        return sumSquares(A.extractVector(true, i).elementMult(u)) + sumSquares(A.extractVector(false, j).elementMult(v));
    }

    @Differentiable(order = 2)
    static double concatColumns(SimpleMatrix A, SimpleMatrix B, SimpleMatrix D, SimpleMatrix C) {
        return sumSquares(A.concatColumns(B, D).elementMult(C));
    }

    @Differentiable(order = 2)
    static double concatRows(SimpleMatrix A, SimpleMatrix B, SimpleMatrix C) {
        return sumSquares(A.concatRows(B).elementMult(C));
    }

    @Differentiable(order = 2)
    static double diag(SimpleMatrix A, SimpleMatrix C) {
        return sumSquares(A.diag().elementMult(C));
    }

    @Differentiable(order = 2)
    static double kron(SimpleMatrix A, SimpleMatrix B, SimpleMatrix C) {
        return sumSquares(A.kron(B).elementMult(C));
    }

    /** A positive. */
    @Differentiable(order = 2)
    static double elementPowerMatrix(SimpleMatrix A, SimpleMatrix B, SimpleMatrix C) {
        return sumSquares(A.elementPower(B).elementMult(C));
    }

    @Differentiable(order = 2)
    static double copy(SimpleMatrix A, SimpleMatrix C) {
        return sumSquares(A.copy().elementMult(C));
    }

    @Differentiable(order = 2)
    static double elementMax(SimpleMatrix A, SimpleMatrix C) {
        return A.elementMax() * sumSquares(C) + Math.sin(A.elementMax());
    }

    @Differentiable(order = 2)
    static double elementMin(SimpleMatrix A, double s) {
        return A.elementMin() * A.elementMin() * s;
    }

    @Differentiable(order = 2)
    static double elementMaxAbs(SimpleMatrix A) {
        return Math.exp(A.elementMaxAbs()) + A.elementSum();
    }

    @Differentiable(order = 2)
    static double elementMinAbs(SimpleMatrix A) {
        return A.elementMinAbs() * A.elementMinAbs() + A.elementSum();
    }

    @Differentiable(order = 2)
    static double opsAbs(SimpleMatrix A, SimpleMatrix C) {
        return sumSquares(abs(A).elementMult(C));
    }

    /** A positive. */
    @Differentiable(order = 2)
    static double opsSqrt(SimpleMatrix A, SimpleMatrix C) {
        return sumSquares(sqrt(A).elementMult(C));
    }

    @Differentiable(order = 2)
    static double opsSin(SimpleMatrix A, SimpleMatrix C) {
        return sumSquares(sin(A).elementMult(C));
    }

    @Differentiable(order = 2)
    static double opsCos(SimpleMatrix A, SimpleMatrix C) {
        return sumSquares(cos(A).elementMult(C));
    }

    @Differentiable(order = 2)
    static double opsMax(SimpleMatrix A, SimpleMatrix B, SimpleMatrix C) {
        return sumSquares(max(A, B).elementMult(C));
    }

    @Differentiable(order = 2)
    static double opsMin(SimpleMatrix A, SimpleMatrix B, SimpleMatrix C) {
        return sumSquares(min(A, B).elementMult(C));
    }

    @Differentiable(order = 2)
    static double opsMaxScalar(SimpleMatrix A, double s, SimpleMatrix C) {
        return sumSquares(max(A, s).elementMult(C));
    }

    @Differentiable(order = 2)
    static double opsMinScalar(SimpleMatrix A, double s, SimpleMatrix C) {
        return sumSquares(min(A, s).elementMult(C));
    }

    @Differentiable(order = 2)
    static double mathFunctions(double x, double y) {
        return Math.abs(x) * Math.sin(y) + Math.cos(x * y) + Math.log1p(x * x) + Math.expm1(y) + Math.hypot(x, y)
                + Math.max(x, y) * Math.min(x, 2 * y);
    }

    /** Blocks, concatenation and kron together: the shapes are dimension expressions all the way. */
    @Differentiable(wrt = {"A", "B"}, order = 2)
    static double blocksTogether(SimpleMatrix A, SimpleMatrix B, int k) {
        SimpleMatrix top = A.rows(0, k).kron(B);
        SimpleMatrix both = top.concatRows(top.scale(2));
        return sumSquares(both.cols(1, both.getNumCols()).plus(1)) + both.diag().elementSum();
    }

    // ------------------------------------------------------------------ kinks and ties (exact gradients)

    @Differentiable
    static double absSum(SimpleMatrix A, SimpleMatrix C) {
        return abs(A).elementMult(C).elementSum();
    }

    @Differentiable
    static double maxSum(SimpleMatrix A, SimpleMatrix B, SimpleMatrix C) {
        return max(A, B).elementMult(C).elementSum();
    }

    @Differentiable
    static double minSum(SimpleMatrix A, SimpleMatrix B, SimpleMatrix C) {
        return min(A, B).elementMult(C).elementSum();
    }

    @Differentiable
    static double maxScalarSum(SimpleMatrix A, double s, SimpleMatrix C) {
        return max(A, s).elementMult(C).elementSum();
    }

    @Differentiable
    static double scalarKinks(double x, double y) {
        return 3 * Math.abs(x) + 5 * Math.max(x, y) + 7 * Math.min(y, x);
    }

    @Differentiable
    static double extremes(SimpleMatrix A) {
        return A.elementMax() + 10 * A.elementMin() + 100 * A.elementMaxAbs() + 1000 * A.elementMinAbs();
    }

    /** Out-of-range indices at run time. */
    @Differentiable(wrt = "A")
    static double indexed(SimpleMatrix A, int i, int j, int k) {
        return A.get(i, j) + A.get(k) + A.extractMatrix(0, i, j, A.getNumCols()).elementSum();
    }
}
