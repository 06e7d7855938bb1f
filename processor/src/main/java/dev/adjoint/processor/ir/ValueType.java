package dev.adjoint.processor.ir;

/** The three kinds of value a DSL expression can have. */
public enum ValueType {
    /** An EJML dense matrix ({@code SimpleMatrix} in the DSL, {@code DMatrixRMaj} in generated code). */
    MATRIX,
    /** A {@code double}. */
    SCALAR,
    /** An {@code int}: shape queries and sizes; a constant for differentiation. */
    INT,
    /** A {@code boolean}: a comparison, a condition of a branch or a loop; a constant for differentiation. */
    BOOLEAN,
    /**
     * The several values of a control-flow op ({@code ops.Loop}, {@code ops.Cond}): never a
     * Java value of its own, read through {@code ops.Regions.Out} projections.
     */
    TUPLE;

    /** Whether values of this type have tangents and cotangents: doubles and matrices (ints and booleans are constants). */
    public boolean differentiable() {
        return this == SCALAR || this == MATRIX;
    }
}
