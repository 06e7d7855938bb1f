package demo;

import static dev.adjoint.runtime.Ops.*;

import dev.adjoint.Differentiable;
import org.ejml.simple.SimpleMatrix;

/** The three losses of the Adjoint SPEC, written once as plain Java. */
public final class Losses {
    private Losses() {}

    /** Tied-weight linear autoencoder: W is m x n, x is n x 1 (or n x N, one sample per column). */
    @Differentiable(order = 2, wrt = "W")
    static double tiedAutoencoder(SimpleMatrix W, SimpleMatrix x) {
        SimpleMatrix r = W.transpose().mult(W).mult(x).minus(x);
        return 0.5 * sumSquares(r);
    }

    /** Two-layer network, Swish hidden units, softmax cross-entropy. Columns of X, Y are samples. */
    @Differentiable(wrt = {"W1", "b1", "W2", "b2"})
    static double mlp(SimpleMatrix W1, SimpleMatrix b1, SimpleMatrix W2, SimpleMatrix b2,
                      SimpleMatrix X, SimpleMatrix Y) {
        SimpleMatrix h = swish(addColumn(W1.mult(X), b1));
        return softmaxCrossEntropy(addColumn(W2.mult(h), b2), Y);
    }

    /** Linear-kernel GP-LVM log-likelihood without its constant. Rows of X (N x q) and Y (N x D) are points. */
    @Differentiable(order = 2, wrt = {"X", "alpha", "beta"})
    static double gplvm(SimpleMatrix X, double alpha, double beta, SimpleMatrix Y) {
        int n = X.numRows();
        double d = Y.numCols();
        SimpleMatrix K = X.mult(X.transpose()).scale(alpha).plus(SimpleMatrix.identity(n).divide(beta));
        return -d / 2 * logDet(K) - 0.5 * K.invert().mult(Y).mult(Y.transpose()).trace();
    }
}
