package dev.adjoint.itapp;

import static dev.adjoint.runtime.Ops.*;

import dev.adjoint.Differentiable;
import dev.adjoint.itlib.Blocks;
import org.ejml.simple.SimpleMatrix;

/** Losses over the library module's helpers and user rule (only its jar is on the class path). */
public final class Model {
    private Model() {
    }

    /** The library's block, then a dense layer of the library, softmax cross-entropy. */
    @Differentiable(wrt = {"W1", "b1", "W2", "W3", "b3"})
    public static double loss(SimpleMatrix W1, SimpleMatrix b1, SimpleMatrix W2, SimpleMatrix W3, SimpleMatrix b3,
                              SimpleMatrix X, SimpleMatrix Y) {
        SimpleMatrix h = Blocks.block(W1, b1, W2, X);
        return softmaxCrossEntropy(Blocks.dense(W3, b3, h), Y);
    }

    /** The library's user function called directly. */
    @Differentiable
    public static double direct(SimpleMatrix A) {
        return sumSquares(Blocks.softsign(A.scale(2)));
    }
}
