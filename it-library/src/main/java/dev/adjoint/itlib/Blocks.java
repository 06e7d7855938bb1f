package dev.adjoint.itlib;

import static dev.adjoint.runtime.Ops.*;

import dev.adjoint.Derivative;
import dev.adjoint.Differentiable;
import dev.adjoint.Shape;
import org.ejml.simple.SimpleMatrix;

/**
 * Building blocks for losses in other modules: two helpers (one calling the other) and a user
 * function with a rule. Callers in another module see only this class file and the resources
 * Adjoint writes next to it.
 */
public final class Blocks {
    private Blocks() {
    }

    /** A dense layer with swish units: swish(W·X + b·1ᵀ). */
    @Differentiable
    public static SimpleMatrix dense(SimpleMatrix W, @Shape({"h", "1"}) SimpleMatrix b, SimpleMatrix X) {
        SimpleMatrix z = addColumn(W.mult(X), b);
        return swish(z);
    }

    /** Two dense layers, the second one softsign'ed: a helper calling a helper and a user function. */
    @Differentiable
    public static SimpleMatrix block(SimpleMatrix W1, SimpleMatrix b1, SimpleMatrix W2, SimpleMatrix X) {
        return softsign(W2.mult(dense(W1, b1, X)));
    }

    /** softsign(a) = a / (1 + |a|) entrywise, written with a loop (not a DSL form). */
    public static SimpleMatrix softsign(SimpleMatrix A) {
        SimpleMatrix out = new SimpleMatrix(A.getNumRows(), A.getNumCols());
        for (int i = 0; i < A.getNumElements(); i++) {
            out.set(i, A.get(i) / (1 + Math.abs(A.get(i))));
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
}
