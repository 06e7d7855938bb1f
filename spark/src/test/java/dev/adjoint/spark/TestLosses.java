package dev.adjoint.spark;

import static dev.adjoint.runtime.Ops.*;

import dev.adjoint.Differentiable;
import org.ejml.simple.SimpleMatrix;

/** Losses over samples in columns, compiled by the Adjoint processor for the Spark tests. */
final class TestLosses {
    private TestLosses() {}

    /** The SPEC's tied autoencoder: a sum over the columns of X. */
    @Differentiable(wrt = "W")
    static double tiedAutoencoder(SimpleMatrix W, SimpleMatrix X) {
        SimpleMatrix r = W.transpose().mult(W).mult(X).minus(X);
        return 0.5 * sumSquares(r);
    }

    /** The SPEC's MLP: softmax cross-entropy, a mean over the columns of X and Y. */
    @Differentiable(wrt = {"W1", "b1", "W2", "b2"})
    static double mlp(SimpleMatrix W1, SimpleMatrix b1, SimpleMatrix W2, SimpleMatrix b2,
                      SimpleMatrix X, SimpleMatrix Y) {
        SimpleMatrix h = swish(addColumn(W1.mult(X), b1));
        return softmaxCrossEntropy(addColumn(W2.mult(h), b2), Y);
    }

    /** Scaled squared error of an affine model: a scalar wrt parameter b, a fixed double and an int. */
    @Differentiable(wrt = {"w", "b"})
    static double affine(SimpleMatrix w, double b, double scale, int unused, SimpleMatrix X, SimpleMatrix y) {
        SimpleMatrix r = w.transpose().mult(X).plus(b).minus(y);
        return scale * sumSquares(r);
    }

    /** Every matrix is wrt by default, including the data X: not usable as data. */
    @Differentiable
    static double allWrt(SimpleMatrix w, SimpleMatrix X) {
        return sumSquares(w.transpose().mult(X));
    }
}
