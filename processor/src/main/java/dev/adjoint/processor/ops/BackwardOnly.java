package dev.adjoint.processor.ops;

import dev.adjoint.processor.ir.Node;

/**
 * An op that only adjoint rules create (a fused backward kernel, a broadcast of a cotangent). It
 * is never differentiated itself: Adjoint computes first derivatives.
 */
interface BackwardOnly extends Primitive {
    @Override
    default void adjoint(AdjointContext ctx, Node node, int ct) {
        throw new IllegalStateException(node.op() + " is part of a backward pass: second derivatives are not supported");
    }
}
