package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ops.Broadcasting;
import dev.adjoint.processor.ops.Entrywise;
import dev.adjoint.processor.ops.MatrixAlgebra;
import java.util.BitSet;
import java.util.Set;

/**
 * Lowering of a layer's forward pass to what hand-written code does: {@code addColumn(W·X, b)}
 * whose product has no other use becomes one {@link Broadcasting.Affine} (the bias broadcast into
 * the result, the product accumulated onto it: one pass over the result, not two), and
 * {@code swish(A)} whose σ(A) nothing else reads (value(): no backward pass needs it) computes
 * A∘σ(A) in one loop instead of forming σ(A) first. The MLP's layers are both.
 */
public final class AffineFusion implements Pass {
    @Override
    public boolean insideRegions() {
        return true;
    }

    @Override
    public String name() {
        return "affine-fusion";
    }

    @Override
    public String description() {
        return "addColumn(W·X, b) accumulates the product onto the broadcast bias; swish(A) without other readers of σ(A) "
                + "is one loop";
    }

    @Override
    public Program apply(Program program, PassContext context) {
        Graph graph = program.graph();
        BitSet live = program.gradientNodes();
        int[] uses = program.liveUses();
        Set<Integer> kept = program.keptWhole();
        return Rewriter.rewrite(program, (b, node, in, map) -> {
            if (!live.get(node.id())) {
                return -1;
            }
            if (node.op() instanceof Broadcasting.AddColumn) {
                Node product = graph.node(node.input(0));
                if (product.op() instanceof MatrixAlgebra.MatMul m && uses[product.id()] == 1 && !kept.contains(product.id())) {
                    return b.apply(new Broadcasting.Affine(m.transA(), m.transB()), node.origin(),
                            map[product.input(0)], map[product.input(1)], in.get(1));
                }
            } else if (node.op() instanceof Entrywise.Swish && node.inputs().size() == 2) {
                int sigmoid = node.input(1);
                if (uses[sigmoid] == 1 && !kept.contains(sigmoid)) {
                    return b.apply(new Entrywise.Swish(), node.origin(), in.get(0));
                }
            }
            return -1;
        });
    }
}
