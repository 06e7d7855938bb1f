package dev.adjoint.runtime;

/**
 * Thrown when a matrix given to {@code invert} or {@code solve} is singular to working
 * precision. The message names the DSL expression and the matrix shape.
 */
public class SingularMatrixException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    public SingularMatrixException(String message) {
        super(message);
    }
}
