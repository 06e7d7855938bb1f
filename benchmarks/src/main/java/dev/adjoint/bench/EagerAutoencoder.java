package dev.adjoint.bench;

import org.ejml.simple.SimpleMatrix;

/**
 * The tied autoencoder's gradient as a user without Adjoint writes it: the SPEC's closed form
 * ∂L/∂W = W·r·Xᵀ + W·X·rᵀ, r = WᵀWX − X, typed out directly with {@link SimpleMatrix}, every
 * operation returning a new matrix.
 */
public final class EagerAutoencoder {
    private EagerAutoencoder() {}

    /** Loss and gradient, freshly allocated. */
    public record Result(double loss, SimpleMatrix gradW) {}

    public static Result gradient(SimpleMatrix W, SimpleMatrix X) {
        SimpleMatrix r = W.transpose().mult(W).mult(X).minus(X);
        double loss = 0.5 * r.elementMult(r).elementSum();
        SimpleMatrix gradW = W.mult(r).mult(X.transpose()).plus(W.mult(X).mult(r.transpose()));
        return new Result(loss, gradW);
    }
}
