package dev.adjoint.it;

import static dev.adjoint.it.layers.Layers.layer;
import static dev.adjoint.runtime.Ops.*;

import dev.adjoint.Differentiable;
import dev.adjoint.it.layers.Layers;
import org.ejml.simple.SimpleMatrix;

/** Issue 9: losses built from @Differentiable helpers and @Derivative user functions. */
final class Composition {
    private Composition() {
    }

    /**
     * A three-layer network: the layer(...) helper called three times, softmax cross-entropy; second
     * order (inlined helpers are DSL forms, so they have forward-mode rules too).
     */
    @Differentiable(wrt = {"W1", "b1", "W2", "b2", "W3", "b3"}, order = 2)
    static double mlp3(SimpleMatrix W1, SimpleMatrix b1, SimpleMatrix W2, SimpleMatrix b2, SimpleMatrix W3, SimpleMatrix b3,
                       SimpleMatrix X, SimpleMatrix Y) {
        SimpleMatrix h1 = layer(W1, b1, X);
        SimpleMatrix h2 = layer(W2, b2, h1);
        SimpleMatrix h3 = layer(W3, b3, h2);
        return softmaxCrossEntropy(h3, Y);
    }

    /** A helper in the same class, calling a helper of another package. */
    @Differentiable
    static SimpleMatrix residual(SimpleMatrix W, SimpleMatrix b, SimpleMatrix X) {
        return Layers.layer(W, b, X).plus(X);
    }

    /** Helpers of this class and another, a scalar helper, and the caller's wrt governing (b is not differentiated). */
    @Differentiable(wrt = {"W", "lambda"}, order = 2)
    static double residualNet(SimpleMatrix W, SimpleMatrix b, double lambda, SimpleMatrix X) {
        SimpleMatrix h = residual(W, b, residual(W, b, X));
        return sumSquares(h) + Layers.penalty(W, lambda);
    }

    /** A user function (a loop, with a @Derivative rule) between two DSL forms. */
    @Differentiable(wrt = {"W", "b"})
    static double softsignNet(SimpleMatrix W, SimpleMatrix b, SimpleMatrix X, SimpleMatrix Y) {
        SimpleMatrix h = Layers.softsign(addColumn(W.mult(X), b));
        return sumSquares(h.minus(Y));
    }

    /** A user function with a double result and a differentiated double parameter. */
    @Differentiable
    static double robust(SimpleMatrix W, double delta, SimpleMatrix X, SimpleMatrix Y) {
        return Layers.pseudoHuber(W.mult(X).minus(Y), delta);
    }

    /** The same layer helper twice on the same arguments: one computation (common subexpressions cross the call). */
    @Differentiable(wrt = "W")
    static double sameCallTwice(SimpleMatrix W, SimpleMatrix b, SimpleMatrix X) {
        return layer(W, b, X).elementSum() + sumSquares(layer(W, b, X));
    }
}
