package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ops.MatrixAlgebra.MatMul;
import dev.adjoint.processor.ops.MatrixAlgebra.MatMulChain;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

/**
 * Matrix-chain order. Sizes are only known at run time, so a product of three factors whose
 * inner product has no other use becomes one {@link MatMulChain} node, which the generated code
 * associates whichever way is cheaper for the actual arguments: the SPEC autoencoder's
 * {@code (WᵀW)·x} runs as {@code Wᵀ·(W·x)} when the batch is wide. An inner product that other
 * nodes read is kept (computing it once is what sharing buys), as are products the user named,
 * so their workspaces keep the user's names.
 */
public final class ChainFusion implements Pass {
    @Override
    public boolean insideRegions() {
        return true;
    }

    @Override
    public String name() {
        return "chain-fusion";
    }

    @Override
    public String description() {
        return "associates a three-factor product at run time, whichever order the actual sizes make cheaper";
    }

    @Override
    public Program apply(Program program, PassContext context) {
        Graph graph = program.graph();
        BitSet live = program.gradientNodes();
        int[] uses = program.liveUses();
        Set<Integer> kept = program.keptWhole();

        return Rewriter.rewrite(program, (b, node, in, map) -> {
            if (!(node.op() instanceof MatMul m) || !live.get(node.id())) {
                return -1;
            }
            Node right = graph.node(node.input(1));
            if (right.op() instanceof MatMul inner && fusable(right, uses, kept)) {
                List<Integer> bc = List.of(map[right.input(0)], map[right.input(1)]);
                // op(A)·op(R) with R = op(B)·op(C); read transposed, op(R) = op(C)ᵀ·op(B)ᵀ
                return m.transB()
                        ? b.apply(new MatMulChain(m.transA(), !inner.transB(), !inner.transA()), node.origin(), in.get(0), bc.get(1), bc.get(0))
                        : b.apply(new MatMulChain(m.transA(), inner.transA(), inner.transB()), node.origin(), in.get(0), bc.get(0), bc.get(1));
            }
            Node left = graph.node(node.input(0));
            if (left.op() instanceof MatMul inner && fusable(left, uses, kept)) {
                List<Integer> ab = List.of(map[left.input(0)], map[left.input(1)]);
                return m.transA()
                        ? b.apply(new MatMulChain(!inner.transB(), !inner.transA(), m.transB()), node.origin(), ab.get(1), ab.get(0), in.get(1))
                        : b.apply(new MatMulChain(inner.transA(), inner.transB(), m.transB()), node.origin(), ab.get(0), ab.get(1), in.get(1));
            }
            return -1;
        });
    }

    private static boolean fusable(Node inner, int[] uses, Set<Integer> kept) {
        return uses[inner.id()] == 1 && !kept.contains(inner.id());
    }
}
