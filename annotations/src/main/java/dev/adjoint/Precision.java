package dev.adjoint;

/**
 * The floating-point precision of a generated class ({@link Differentiable#precision()}).
 */
public enum Precision {
    /** {@code double} and {@code DMatrixRMaj}: the class {@code C_M}. */
    DOUBLE,
    /**
     * {@code float} and {@code FMatrixRMaj}: the class {@code C_M_F32}, the same API and code on
     * single-precision matrices (half the memory and bandwidth); scalar intermediates and
     * reductions are computed in {@code double}.
     */
    FLOAT
}
