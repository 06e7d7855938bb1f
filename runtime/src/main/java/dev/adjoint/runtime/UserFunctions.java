package dev.adjoint.runtime;

import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;

/**
 * What generated code calls around a user function (a static method with {@code @Derivative}
 * rules): its result and its rules' results are copied into the generated class's own workspace,
 * so a user method may return one of its arguments or a matrix it keeps, and a rule's result is
 * checked against its parameter's shape.
 */
public final class UserFunctions {
    private UserFunctions() {}

    /**
     * Copies the result of user function {@code function} into {@code into}.
     *
     * @throws IllegalStateException if it returned null
     */
    public static void result(SimpleMatrix value, DMatrixRMaj into, String function) {
        if (value == null) {
            throw new IllegalStateException(function + " returned null");
        }
        into.setTo(value.getDDRM());
    }

    /**
     * Copies the result of a {@code @Derivative} rule into {@code into}, which must be shaped like
     * the parameter it differentiates ({@code like}).
     *
     * @throws IllegalStateException if it returned null or a matrix of another shape
     */
    public static void gradient(SimpleMatrix value, DMatrixRMaj into, DMatrixRMaj like, String rule) {
        if (value == null) {
            throw new IllegalStateException(rule + " returned null");
        }
        DMatrixRMaj g = value.getDDRM();
        if (g.numRows != like.numRows || g.numCols != like.numCols) {
            throw new IllegalStateException(rule + " returned a " + g.numRows + "×" + g.numCols + " matrix for a "
                    + like.numRows + "×" + like.numCols + " parameter: a rule's result is shaped like its parameter");
        }
        into.setTo(g);
    }
}
