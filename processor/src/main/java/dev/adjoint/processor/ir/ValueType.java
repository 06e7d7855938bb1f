package dev.adjoint.processor.ir;

/** The three kinds of value a DSL expression can have. */
public enum ValueType {
    /** An EJML dense matrix ({@code SimpleMatrix} in the DSL, {@code DMatrixRMaj} in generated code). */
    MATRIX,
    /** A {@code double}. */
    SCALAR,
    /** An {@code int}: shape queries and sizes; a constant for differentiation. */
    INT
}
