package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ops.MatrixAlgebra.MatMul;
import dev.adjoint.processor.ops.Reductions;
import dev.adjoint.processor.shape.ShapeInference;

/**
 * {@code tr(A·Bᵀ) = tr(Aᵀ·B) = ⟨A, B⟩}: an entrywise sum instead of a matrix product, forward
 * and backward. Runs on the forward program before differentiation, with its shapes: the identity
 * holds only when the product is square, which the shapes must prove (for a non-square product
 * EJML's trace sums the min(m, n) diagonal entries, and the rewrite would be wrong). In the GP-LVM
 * loss, tr(K⁻¹·Y·Yᵀ) becomes ⟨K⁻¹·Y, Y⟩.
 */
public final class TraceOfProduct implements Pass {
    @Override
    public String name() {
        return "trace-of-product";
    }

    @Override
    public String description() {
        return "tr(A·Bᵀ) of a provably square product becomes the inner product ⟨A, B⟩";
    }

    @Override
    public Program apply(Program forward, PassContext context) {
        ShapeInference shapes = context.shapes(forward);
        return Rewriter.rewrite(forward, (b, node, in, map) -> {
            if (node.op() instanceof Reductions.Trace) {
                Node product = forward.graph().node(node.input(0));
                if (product.op() instanceof MatMul m && m.transA() != m.transB() && shapes.provablySquare(product.id())) {
                    return b.apply(new Reductions.Dot(true), node.origin(), map[product.input(0)], map[product.input(1)]);
                }
            }
            return -1;
        });
    }
}
