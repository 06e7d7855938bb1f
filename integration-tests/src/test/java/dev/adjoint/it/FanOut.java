package dev.adjoint.it;

import static dev.adjoint.runtime.Ops.*;

import dev.adjoint.Differentiable;
import dev.adjoint.Precision;
import org.ejml.simple.SimpleMatrix;

/** Parameters, locals and scalars used more than once: every path must be accumulated. */
@SuppressWarnings("deprecation") // numRows()/numCols() are the SPEC's spelling
final class FanOut {
    private FanOut() {
    }

    /** W (n×n) used twice. ∂/∂W = 2(M·Wᵀ + Wᵀ·M), M = W². */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double usedTwice(SimpleMatrix W) {
        return sumSquares(W.mult(W));
    }

    /** W (n×n) used three times. ∂/∂W = 3(W²)ᵀ. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double usedThrice(SimpleMatrix W) {
        return W.mult(W).mult(W).trace();
    }

    /** W used three times entrywise. ∂/∂W = 2(W∘W + W)∘(2W + 1). */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double usedThriceEntrywise(SimpleMatrix W) {
        return sumSquares(W.elementMult(W).plus(W));
    }

    /** W (n×n) used four times. ∂/∂W = 4(W³)ᵀ. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double usedFourTimes(SimpleMatrix W) {
        return W.mult(W).mult(W).mult(W).trace();
    }

    /** W (n×n) used four times in different kinds of expression. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double usedFourTimesMixed(SimpleMatrix W) {
        return W.mult(W).elementMult(W).elementSum() + sumSquares(W.transpose());
    }

    /** A local used in three later expressions. W is k×m, x is m×N. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double localReused(SimpleMatrix W, SimpleMatrix x) {
        SimpleMatrix h = tanh(W.mult(x));
        SimpleMatrix a = h.transpose().mult(h);
        SimpleMatrix b = h.elementMult(h);
        return a.trace() + sumSquares(b) + mean(h);
    }

    /** A matrix local and a double local each used in two expressions. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double localReusedTwoExpressions(SimpleMatrix W, SimpleMatrix x, SimpleMatrix C) {
        SimpleMatrix z = W.mult(x);
        double p = sumSquares(z);
        double q = z.elementMult(C).elementSum();
        return p * q + p;
    }

    /** A matrix local reassigned from its own previous value several times. b is k×1. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double reassignedLocal(SimpleMatrix W, SimpleMatrix x, SimpleMatrix b) {
        SimpleMatrix h = W.mult(x);
        h = tanh(h);
        h = addColumn(h, b);
        h = h.elementMult(h).plus(h);
        return sumSquares(h);
    }

    /** A double local reassigned from its own previous value. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double reassignedDouble(SimpleMatrix W, double s) {
        double t = W.elementSum();
        t = t * t + s;
        t = Math.sqrt(t * t + 1);
        return t * s;
    }

    /** Locals aliasing a parameter, then reassigned from each other. W is n×n. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double reassignedFromEachOther(SimpleMatrix W) {
        SimpleMatrix a = W;
        SimpleMatrix b = W.transpose();
        a = a.mult(b);
        b = a.plus(b.transpose());
        return sumSquares(b);
    }

    /** W and Wᵀ in one product. ∂/∂W = 4·W·Wᵀ·W. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double withTranspose(SimpleMatrix W) {
        return sumSquares(W.mult(W.transpose()));
    }

    /** tr(WᵀAW). ∂/∂W = (A + Aᵀ)W, ∂/∂A = W·Wᵀ. W is n×k, A is n×n. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double quadraticForm(SimpleMatrix W, SimpleMatrix A) {
        return W.transpose().mult(A).mult(W).trace();
    }

    /** The same double in several terms. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double scalarInSeveralTerms(SimpleMatrix W, double s) {
        return s * s * sumSquares(W) + s * W.elementSum() + Math.exp(s) + W.scale(s).plus(s).elementSum()
                - s / (1 + s * s);
    }

    /** The same double as a matrix coefficient and as a scalar factor. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2)
    static double scalarAsCoefficientAndFactor(SimpleMatrix A, SimpleMatrix W, double s) {
        return A.plus(s, W.scale(s)).elementMult(W).elementSum() * s + sumSquares(A.divide(s).minus(s));
    }

    /** SPEC example: tied-weight linear autoencoder. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2, wrt = "W")
    static double tiedAutoencoder(SimpleMatrix W, SimpleMatrix x) {
        SimpleMatrix r = W.transpose().mult(W).mult(x).minus(x);
        return 0.5 * sumSquares(r);
    }

    /** SPEC example: two-layer network, Swish hidden units, softmax cross-entropy. */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2, wrt = {"W1", "b1", "W2", "b2"})
    static double mlp(SimpleMatrix W1, SimpleMatrix b1, SimpleMatrix W2, SimpleMatrix b2,
                      SimpleMatrix X, SimpleMatrix Y) {
        SimpleMatrix h = swish(addColumn(W1.mult(X), b1));
        return softmaxCrossEntropy(addColumn(W2.mult(h), b2), Y);
    }

    /** SPEC example: linear-kernel GP-LVM (K used by logDet and by invert). */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT}, order = 2, wrt = {"X", "alpha", "beta"})
    static double gplvm(SimpleMatrix X, double alpha, double beta, SimpleMatrix Y) {
        int n = X.numRows();
        double d = Y.numCols();
        SimpleMatrix K = X.mult(X.transpose()).scale(alpha).plus(SimpleMatrix.identity(n).divide(beta));
        return -d / 2 * logDet(K) - 0.5 * K.invert().mult(Y).mult(Y.transpose()).trace();
    }
}
