package dev.adjoint.processor.ops;

import dev.adjoint.processor.ir.ValueType;

/** An op producing a matrix. */
interface MatrixOp extends Primitive {
    @Override
    default ValueType type() {
        return ValueType.MATRIX;
    }
}
