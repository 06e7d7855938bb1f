package dev.adjoint.it;

import static dev.adjoint.runtime.Ops.logDet;

import dev.adjoint.Differentiable;
import org.ejml.simple.SimpleMatrix;

/**
 * Identity-plus-low-rank matrices (c·I + α·X·Xᵀ, X N×q): the generated methods run a low-rank
 * version (Woodbury, the matrix determinant lemma) when q &lt; N and the dense one otherwise. All are
 * declared {@code order = 2}, so the Hessian-vector product's low-rank version is checked as well.
 */
final class LowRank {
    private LowRank() {}

    /** SPEC's GP-LVM, as written there (K.invert()). */
    @Differentiable(wrt = {"X", "alpha", "beta"}, order = 2)
    static double gplvm(SimpleMatrix X, double alpha, double beta, SimpleMatrix Y) {
        int n = X.numRows();
        double d = Y.numCols();
        SimpleMatrix K = X.mult(X.transpose()).scale(alpha).plus(SimpleMatrix.identity(n).divide(beta));
        return -d / 2 * logDet(K) - 0.5 * K.invert().mult(Y).mult(Y.transpose()).trace();
    }

    /** The GP-LVM with K.solve(Y), as the benchmarks' second spelling. */
    @Differentiable(wrt = {"X", "alpha", "beta"}, order = 2)
    static double gplvmSolve(SimpleMatrix X, double alpha, double beta, SimpleMatrix Y) {
        int n = X.numRows();
        double d = Y.numCols();
        SimpleMatrix K = X.mult(X.transpose()).scale(alpha).plus(SimpleMatrix.identity(n).divide(beta));
        return -d / 2 * logDet(K) - 0.5 * K.solve(Y).mult(Y.transpose()).trace();
    }

    /**
     * The identity first, scaled and shifted, α = 1 implicit, a computed low-rank factor X = Z·W,
     * the trace of the inverse and a solve used twice (Y is wrt too).
     */
    @Differentiable(wrt = {"Z", "W", "s", "Y"}, order = 2)
    static double shiftedGram(SimpleMatrix Z, SimpleMatrix W, double s, SimpleMatrix Y) {
        SimpleMatrix X = Z.mult(W);
        SimpleMatrix K = SimpleMatrix.identity(X.numRows()).scale(s * s + 0.5).plus(X.mult(X.transpose()))
                .minus(SimpleMatrix.identity(X.numRows()).scale(0.25));
        SimpleMatrix A = K.solve(Y);
        return logDet(K) + K.invert().trace() + A.transpose().mult(A).trace() - 0.3 * A.elementSum();
    }
}
