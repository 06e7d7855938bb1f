package dev.adjoint.processor.ops;

import dev.adjoint.processor.ir.Node;

/** A matrix op whose result has the shape of its first input (entrywise ops, scalings, fills). */
interface ShapedLikeFirstInput extends MatrixOp {
    @Override
    default void shape(ShapeContext ctx, Node node) {
        ctx.shapeLike(node, node.input(0));
    }
}
