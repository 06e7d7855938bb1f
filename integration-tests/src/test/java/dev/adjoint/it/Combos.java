package dev.adjoint.it;

import static dev.adjoint.runtime.Ops.*;

import dev.adjoint.Differentiable;
import dev.adjoint.Precision;
import org.ejml.simple.SimpleMatrix;

/**
 * Combinations of forms that invite fused or special-cased code (transposes folded into
 * products, solves and factorizations; an operand appearing on both sides), Java's own int
 * semantics, and the naming rules of SPEC section 4.
 */
@SuppressWarnings({"deprecation", "cast"}) // numRows()/numCols() are the SPEC's spelling
final class Combos {
    private Combos() {
    }

    /** Aᵀ·Bᵀ: A is k×m, B is n×k. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double multBothTransposed(SimpleMatrix A, SimpleMatrix B) {
        return sumSquares(A.transpose().mult(B.transpose()));
    }

    /** (Aᵀ)ᵀ·B and (A·B)ᵀ·C: A is m×k, B is k×n, C is m×p. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double transposeOfTranspose(SimpleMatrix A, SimpleMatrix B, SimpleMatrix C) {
        return sumSquares(A.transpose().transpose().mult(B)) + sumSquares(A.mult(B).transpose().mult(C));
    }

    /** Factorizations of a transposed matrix. A is n×n well conditioned, B is n×k. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double transposedFactorizations(SimpleMatrix A, SimpleMatrix B) {
        return sumSquares(A.transpose().solve(B)) + A.transpose().invert().mult(B).elementSum()
                + A.transpose().determinant();
    }

    /** logDet of a transposed SPD expression. B is n×k. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double logDetOfTranspose(SimpleMatrix B, SimpleMatrix C) {
        SimpleMatrix K = B.mult(B.transpose()).plus(SimpleMatrix.identity(B.numRows())).plus(C.mult(C.transpose()));
        return logDet(K.transpose()) + logDet(K.scale(2));
    }

    /** The same matrix on both sides of a solve and of a Hadamard product. A is n×n. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double sameOperandTwice(SimpleMatrix A, SimpleMatrix B) {
        return sumSquares(A.solve(A.transpose())) + A.elementMult(A.transpose()).elementSum()
                + A.plus(-0.5, A.transpose()).mult(B).trace();
    }

    /**
     * Sums of scaled products, matrices and identities that the lowering fuses into one
     * accumulation: negative and named coefficients, a product subtracted, an identity inside and
     * a matrix with another use. A is n×k, B is k×n, C is n×n.
     */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double linearCombinations(SimpleMatrix A, SimpleMatrix B, SimpleMatrix C, double s) {
        int n = A.numRows();
        SimpleMatrix M = A.mult(B).scale(-1.25).minus(C.scale(s).mult(A).mult(B)).plus(SimpleMatrix.identity(n).divide(s))
                .minus(C.transpose().divide(2));
        SimpleMatrix P = B.transpose().mult(A.transpose()).scale(s).plus(C).negative();
        return sumSquares(M) + M.elementMult(P).elementSum() + sumSquares(C.minus(P.scale(0.5)));
    }

    /**
     * A gradient that is a forward intermediate (∂/∂D ⟨AᵀA, D⟩ = AᵀA) while later intermediates
     * share workspaces: the storage plan must keep it to the end. A is m×n, D is n×n.
     */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double gradientIsAForwardIntermediate(SimpleMatrix A, SimpleMatrix D, SimpleMatrix B) {
        return A.transpose().mult(A).elementMult(D).elementSum() + sumSquares(tanh(B.scale(2))) + sumSquares(sigmoid(B));
    }

    /** invert and solve of the same matrix, plus logDet of a product with it (shared factorizations). */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double sharedFactorization(SimpleMatrix A, SimpleMatrix B) {
        SimpleMatrix S = A.mult(A.transpose()).plus(SimpleMatrix.identity(A.numRows()));
        return S.invert().mult(B).elementSum() + sumSquares(S.solve(B)) + logDet(S) + S.determinant();
    }

    /**
     * logDet, invert and solve of the same matrix K that is not symmetric (its symmetric part is
     * positive definite, so logDet is defined). invert and solve must still be K⁻¹ and K⁻¹C.
     */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double logDetAndInverseOfNonSymmetric(SimpleMatrix K, SimpleMatrix C) {
        return logDet(K) + K.invert().elementMult(C).elementSum() + sumSquares(K.solve(C));
    }

    /** The same without logDet: plain LU. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double inverseOfNonSymmetric(SimpleMatrix K, SimpleMatrix C) {
        return K.invert().elementMult(C).elementSum() + sumSquares(K.solve(C));
    }

    /** Transposed operands for the broadcasting and reduction helpers. A is m×n, v is n×1, u is 1×m. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double helpersOnTranspose(SimpleMatrix A, SimpleMatrix v, SimpleMatrix u) {
        SimpleMatrix T = A.transpose();
        return sumSquares(rowSums(T)) + sumSquares(columnSums(T).minus(u)) + sumSquares(addColumn(T, v))
                + sumSquares(addRow(T, u)) + T.trace() + T.elementSum() + mean(T);
    }

    /** trace of a non-square matrix, as EJML defines it (sum of the min(m, n) diagonal entries). */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double traceNonSquare(SimpleMatrix A, SimpleMatrix B) {
        double t = A.trace();
        return t * t + A.mult(B).trace();
    }

    /** Entrywise chains and double negation. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double entrywiseChain(SimpleMatrix A, double s) {
        return sumSquares(A.scale(2).scale(s).divide(3).negative().negative().plus(s).minus(1))
                + softplus(sigmoid(tanh(A))).elementMult(swish(A)).elementSum();
    }

    /** softmaxCrossEntropy of a transposed matrix: Z is N×k, Y is k×N. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double softmaxOfTranspose(SimpleMatrix Z, SimpleMatrix Y) {
        return softmaxCrossEntropy(Z.transpose(), Y) + logSumExp(Z.transpose().scale(-1));
    }

    /** A row vector dotted with a column vector after a transpose: a is n×1, b is n×1. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double dotOfTransposes(SimpleMatrix a, SimpleMatrix b) {
        double d = a.transpose().dot(b.transpose());
        return d * a.dot(b) + a.transpose().dot(b);
    }

    /** Java int arithmetic: 1 / 2 is 0 and 3 / 2 is 1. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double intDivision(SimpleMatrix A, double s) {
        int rows = A.numRows();
        var half = rows / 2;
        double d = 1 / rows;
        d += A.numCols() / 2;
        double e = (double) rows / 2 + (double) (rows / 2) + -rows / 2 + (-A.numCols()) / 2;
        return (1 / 2) * s + (3 / 2) * sumSquares(A) + s / 2 + half * s + d * A.elementSum() + (double) (7 / 2) * s
                + e * s * s;
    }

    /** Literals of several spellings. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double literals(SimpleMatrix A, double s) {
        return 1e-1 * sumSquares(A) + 0x10 * s + 2_000.5e-3 * s * s + .5 * A.elementSum() + 3. * s;
    }

    /** Math functions of matrix reductions and of each other. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double nestedMath(SimpleMatrix A, double s) {
        return Math.log(Math.exp(s) + Math.sqrt(sumSquares(A) + 1)) + Math.pow(Math.tanh(s) + 2, Math.E)
                + Math.pow(A.normF() + 1, -1) + Math.pow(s * s + 1, 0.5) / Math.PI;
    }

    /** Only double parameters are wrt; matrices are data. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2, wrt = {"alpha", "beta"})
    static double onlyScalarsWrt(SimpleMatrix X, double alpha, double beta) {
        return sumSquares(X.scale(alpha).plus(beta)) + logSumExp(X.scale(beta));
    }

    /** Scalars computed from a matrix flow back into matrix operations. A is m×n, B is m×n. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double scalarFromMatrixBackIntoMatrix(SimpleMatrix A, SimpleMatrix B) {
        SimpleMatrix unit = A.divide(A.normF());
        SimpleMatrix shifted = A.plus(mean(B)).scale(A.elementSum());
        SimpleMatrix mixed = A.plus(sumSquares(B), B).minus(B.elementSum());
        return unit.elementMult(B).elementSum() + sumSquares(shifted) + mixed.elementMult(A).elementSum()
                + SimpleMatrix.filled(A.numRows(), 2, sumSquares(A)).elementSum();
    }

    /** A matrix local reassigned to values of different shapes. W is m×n. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double reshapingReassignment(SimpleMatrix W, SimpleMatrix C) {
        SimpleMatrix h = W;
        h = h.transpose();
        h = h.mult(W);
        h = rowSums(h);
        h = h.transpose().mult(W.transpose());
        h = addRow(C, h);
        return sumSquares(h);
    }

    /** int parameters as shapes of constant matrices. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double intShapes(SimpleMatrix A, int k, double v) {
        return sumSquares(A.mult(SimpleMatrix.filled(A.numCols(), k, v)).mult(SimpleMatrix.ones(k, 1)))
                + v * SimpleMatrix.identity(k).trace();
    }

    /** Compound assignments whose right-hand side reads the variable itself. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double compoundSelf(SimpleMatrix A, double s) {
        double t = sumSquares(A) * 0.1 + s;
        t *= t;
        t += t;
        t -= s * t;
        t /= 1 + t * t;
        return t;
    }

    /** A matrix local reassigned from a product with itself. W is n×n. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double selfProductReassignment(SimpleMatrix W, SimpleMatrix C) {
        SimpleMatrix h = W.plus(C);
        h = h.mult(h);
        h = h.elementMult(h).plus(h.transpose());
        return sumSquares(h);
    }

    /** SPEC section 4: name = "..." sets the simple name of the generated class. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2, name = "CustomNamedLoss")
    static double customNamed(SimpleMatrix A, double s) {
        return sumSquares(A.scale(s));
    }

    /** SPEC section 4: nested classes are joined by _. */
    static final class Inner {
        private Inner() {
        }

        @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
        static double nestedLoss(SimpleMatrix A, SimpleMatrix B) {
            return sumSquares(A.mult(B.transpose()));
        }
    }
}
