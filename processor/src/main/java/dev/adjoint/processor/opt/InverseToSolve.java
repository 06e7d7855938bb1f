package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ops.LinearAlgebra;
import dev.adjoint.processor.ops.MatrixAlgebra.MatMul;
import dev.adjoint.processor.ops.Reductions;
import java.util.BitSet;

/**
 * For {@code value()}: an inverse whose only uses are as the left factor of products is never
 * formed; each product {@code A⁻¹·B} becomes a solve with A's factorization (2n²k multiply-adds
 * instead of n³ + n²k). The gradient program keeps its inverses: the adjoint of log det and of
 * an inverse need A⁻¹ itself. Then, for A symmetric positive definite, {@code ⟨A⁻¹B, B⟩ =
 * ‖L⁻¹B‖²} needs one triangular solve with the Cholesky factor L, not two. The GP-LVM's
 * {@code tr(K⁻¹·Y·Yᵀ)} costs one Cholesky and one triangular solve.
 */
public final class InverseToSolve implements Pass {
    @Override
    public String name() {
        return "inverse-to-solve";
    }

    @Override
    public String description() {
        return "value(): A⁻¹·B becomes a solve when A⁻¹ has no other use; ⟨A⁻¹B, B⟩ of SPD A becomes ‖L⁻¹B‖²";
    }

    @Override
    public Program apply(Program program, PassContext context) {
        Graph graph = program.graph();
        BitSet live = program.gradientNodes();
        BitSet solvable = new BitSet();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            if (node.op() instanceof LinearAlgebra.Inverse || node.op() instanceof LinearAlgebra.SpdInverse) {
                solvable.set(id);
            }
        }
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            for (int k = 0; k < node.inputs().size(); k++) {
                int in = node.input(k);
                if (solvable.get(in) && !(k == 0 && node.op() instanceof MatMul m && !m.transB() && node.input(1) != in)) {
                    solvable.clear(in);
                }
            }
        }
        if (solvable.get(program.result())) {
            solvable.clear(program.result());
        }
        return Rewriter.rewrite(program, (b, node, in, map) -> {
            if (node.op() instanceof MatMul m && solvable.get(node.input(0))) {
                Node inverse = graph.node(node.input(0));
                int a = map[inverse.input(0)];
                if (inverse.op() instanceof LinearAlgebra.SpdInverse) {
                    return b.apply(new LinearAlgebra.SpdSolve(), node.origin(), a, in.get(1));
                }
                return m.transA()
                        ? b.apply(new LinearAlgebra.SolveTranspose(), node.origin(), a, in.get(1))
                        : b.apply(new LinearAlgebra.Solve(), node.origin(), a, in.get(1));
            }
            if (node.op() instanceof Reductions.Dot d && d.sameShape()) {
                for (int k = 0; k < 2; k++) {
                    Node solve = b.node(in.get(k));
                    if (solve.op() instanceof LinearAlgebra.SpdSolve && solve.input(1) == in.get(1 - k)) {
                        return b.apply(new LinearAlgebra.SpdQuadraticForm(), node.origin(), solve.input(0), solve.input(1));
                    }
                }
            }
            return -1;
        });
    }
}
