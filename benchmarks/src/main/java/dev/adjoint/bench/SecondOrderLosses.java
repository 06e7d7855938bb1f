package dev.adjoint.bench;

import static dev.adjoint.runtime.Ops.*;

import dev.adjoint.Differentiable;
import org.ejml.simple.SimpleMatrix;

/**
 * The three SPEC losses again, declared {@code order = 2}: the processor generates
 * {@link SecondOrderLosses_TiedAutoencoder}, {@link SecondOrderLosses_Mlp} and
 * {@link SecondOrderLosses_Gplvm}, whose {@code gradient(...)} is the first-order classes' and
 * whose {@code hessianVectorProduct(...)} issue 8's benchmark times against it.
 */
@SuppressWarnings("deprecation")
public final class SecondOrderLosses {
    private SecondOrderLosses() {}

    @Differentiable(wrt = "W", order = 2)
    static double tiedAutoencoder(SimpleMatrix W, SimpleMatrix x) {
        SimpleMatrix r = W.transpose().mult(W).mult(x).minus(x);
        return 0.5 * sumSquares(r);
    }

    @Differentiable(wrt = {"W1", "b1", "W2", "b2"}, order = 2)
    static double mlp(SimpleMatrix W1, SimpleMatrix b1, SimpleMatrix W2, SimpleMatrix b2,
                      SimpleMatrix X, SimpleMatrix Y) {
        SimpleMatrix h = swish(addColumn(W1.mult(X), b1));
        return softmaxCrossEntropy(addColumn(W2.mult(h), b2), Y);
    }

    @Differentiable(wrt = {"X", "alpha", "beta"}, order = 2)
    static double gplvm(SimpleMatrix X, double alpha, double beta, SimpleMatrix Y) {
        int n = X.numRows();
        double d = Y.numCols();
        SimpleMatrix K = X.mult(X.transpose()).scale(alpha).plus(SimpleMatrix.identity(n).divide(beta));
        return -d / 2 * logDet(K) - 0.5 * K.invert().mult(Y).mult(Y.transpose()).trace();
    }
}
