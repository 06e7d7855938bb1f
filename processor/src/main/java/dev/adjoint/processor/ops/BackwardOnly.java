package dev.adjoint.processor.ops;

import dev.adjoint.processor.ir.Node;

/**
 * An op that only adjoint rules create (a fused backward kernel, a broadcast of a cotangent). It is
 * differentiable in forward mode (its {@link Primitive#jvp} rule, built from ordinary primitives,
 * is what second order needs: forward over reverse), but has no reverse-mode rule of its own:
 * Adjoint never runs reverse mode over a backward pass.
 */
interface BackwardOnly extends Primitive {
    @Override
    default void adjoint(AdjointContext ctx, Node node, int ct) {
        throw new IllegalStateException(node.op() + " is part of a backward pass: reverse mode never differentiates one "
                + "(second order is forward over reverse)");
    }
}
