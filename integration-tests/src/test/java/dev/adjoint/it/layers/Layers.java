package dev.adjoint.it.layers;

import static dev.adjoint.runtime.Ops.*;

import dev.adjoint.Derivative;
import dev.adjoint.Differentiable;
import org.ejml.simple.SimpleMatrix;

/** Helpers and user functions in another package than their callers (issue 9). */
public final class Layers {
    private Layers() {
    }

    /** A dense layer: tanh(W·X + b·1ᵀ). */
    @Differentiable
    public static SimpleMatrix layer(SimpleMatrix W, SimpleMatrix b, SimpleMatrix X) {
        SimpleMatrix z = addColumn(W.mult(X), b);
        return tanh(z);
    }

    /** A scalar helper: ½‖A‖² scaled by lambda. */
    @Differentiable
    public static double penalty(SimpleMatrix A, double lambda) {
        return 0.5 * lambda * sumSquares(A);
    }

    /** softsign(a) = a / (1 + |a|) entrywise, written with a loop (not a DSL form). */
    public static SimpleMatrix softsign(SimpleMatrix A) {
        SimpleMatrix out = new SimpleMatrix(A.getNumRows(), A.getNumCols());
        for (int i = 0; i < A.getNumElements(); i++) {
            double a = A.get(i);
            out.set(i, a / (1 + Math.abs(a)));
        }
        return out;
    }

    /** ∂⟨ct, softsign(A)⟩/∂A = ct ∘ 1/(1 + |A|)². */
    @Derivative(of = "softsign", wrt = "A")
    public static SimpleMatrix softsignGrad(SimpleMatrix A, SimpleMatrix ct) {
        SimpleMatrix out = new SimpleMatrix(A.getNumRows(), A.getNumCols());
        for (int i = 0; i < A.getNumElements(); i++) {
            double d = 1 + Math.abs(A.get(i));
            out.set(i, ct.get(i) / (d * d));
        }
        return out;
    }

    /**
     * Pseudo-Huber loss Σ δ²(√(1 + (a/δ)²) − 1) of the entries of A, with rules for A and for δ:
     * a double result and a double parameter.
     */
    public static double pseudoHuber(SimpleMatrix A, double delta) {
        double sum = 0;
        for (int i = 0; i < A.getNumElements(); i++) {
            double t = A.get(i) / delta;
            sum += delta * delta * (Math.sqrt(1 + t * t) - 1);
        }
        return sum;
    }

    /** ∂/∂a = a / √(1 + (a/δ)²), times the cotangent. */
    @Derivative(of = "pseudoHuber", wrt = "A")
    public static SimpleMatrix pseudoHuberA(SimpleMatrix A, double delta, double ct) {
        SimpleMatrix out = new SimpleMatrix(A.getNumRows(), A.getNumCols());
        for (int i = 0; i < A.getNumElements(); i++) {
            double t = A.get(i) / delta;
            out.set(i, ct * A.get(i) / Math.sqrt(1 + t * t));
        }
        return out;
    }

    /** ∂/∂δ = Σ 2δ(√(1 + t²) − 1) − δ·t²/√(1 + t²), t = a/δ, times the cotangent. */
    @Derivative(of = "pseudoHuber", wrt = "delta")
    public static double pseudoHuberDelta(SimpleMatrix A, double delta, double ct) {
        double sum = 0;
        for (int i = 0; i < A.getNumElements(); i++) {
            double t = A.get(i) / delta;
            double s = Math.sqrt(1 + t * t);
            sum += 2 * delta * (s - 1) - delta * t * t / s;
        }
        return ct * sum;
    }
}
