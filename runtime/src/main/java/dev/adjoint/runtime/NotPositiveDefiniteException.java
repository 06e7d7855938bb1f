package dev.adjoint.runtime;

/**
 * Thrown when a matrix given to {@code logDet} is not symmetric positive definite, so its
 * Cholesky factorization fails. The message names the DSL expression and the matrix shape.
 */
public class NotPositiveDefiniteException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    public NotPositiveDefiniteException(String message) {
        super(message);
    }
}
