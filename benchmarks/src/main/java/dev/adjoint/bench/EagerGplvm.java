package dev.adjoint.bench;

import org.ejml.simple.SimpleMatrix;

/**
 * The GP-LVM's gradient as a user without Adjoint writes it with {@link SimpleMatrix}: the SPEC's
 * closed form G = ½(K⁻¹YYᵀK⁻¹ − D·K⁻¹), ∂X = 2αGX, ∂α = tr(G·XXᵀ), ∂β = −tr(G)/β², typed
 * out directly, with log det K as {@code Math.log(K.determinant())} and K⁻¹ from
 * {@code K.invert()}. Every operation returns a new matrix.
 */
public final class EagerGplvm {
    private EagerGplvm() {}

    /** Loss and gradients, freshly allocated. */
    public record Result(double loss, SimpleMatrix gradX, double gradAlpha, double gradBeta) {}

    public static Result gradient(SimpleMatrix X, double alpha, double beta, SimpleMatrix Y) {
        int n = X.getNumRows();
        double d = Y.getNumCols();
        SimpleMatrix xxT = X.mult(X.transpose());
        SimpleMatrix K = xxT.scale(alpha).plus(SimpleMatrix.identity(n).divide(beta));
        SimpleMatrix kInv = K.invert();
        SimpleMatrix kInvYYT = kInv.mult(Y).mult(Y.transpose());
        double loss = -d / 2 * Math.log(K.determinant()) - 0.5 * kInvYYT.trace();

        SimpleMatrix G = kInvYYT.mult(kInv).minus(kInv.scale(d)).scale(0.5);
        SimpleMatrix gradX = G.mult(X).scale(2 * alpha);
        double gradAlpha = G.mult(xxT).trace();
        double gradBeta = -G.trace() / (beta * beta);
        return new Result(loss, gradX, gradAlpha, gradBeta);
    }
}
