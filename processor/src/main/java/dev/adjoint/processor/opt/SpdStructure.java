package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ops.Broadcasting;
import dev.adjoint.processor.ops.Entrywise;
import dev.adjoint.processor.ops.LinearAlgebra;
import dev.adjoint.processor.ops.MatrixAlgebra;
import java.util.BitSet;

/**
 * Structure pass: a matrix that the program passes to {@code logDet} must be symmetric
 * positive definite (or the call throws), so where it is also structurally symmetric its
 * {@code invert()} and {@code solve(B)} can use the Cholesky factor that log det computes
 * anyway, instead of a second, LU, factorization. In the GP-LVM loss this factors K once and
 * shares K⁻¹ between the forward pass and the adjoint of log det K.
 */
public final class SpdStructure {
    private SpdStructure() {}

    public static Program apply(Program program) {
        Graph graph = program.graph();
        BitSet live = program.gradientNodes();
        BitSet symmetric = symmetric(graph);
        BitSet spd = new BitSet();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            if (node.op() instanceof LinearAlgebra.LogDet && symmetric.get(node.input(0))) {
                spd.set(node.input(0));
            }
        }
        if (spd.isEmpty()) {
            return program;
        }
        return Rewriter.rewrite(program, (b, node, in) -> {
            if (node.op() instanceof LinearAlgebra.Inverse && spd.get(node.input(0))) {
                return b.apply(new LinearAlgebra.SpdInverse(), node.origin(), in);
            }
            if (node.op() instanceof LinearAlgebra.Solve && spd.get(node.input(0))) {
                return b.apply(new LinearAlgebra.SpdSolve(), node.origin(), in);
            }
            return -1;
        });
    }

    /** Nodes whose value is symmetric for every input, by construction. */
    static BitSet symmetric(Graph graph) {
        BitSet sym = new BitSet(graph.size());
        for (Node node : graph.nodes()) {
            var op = node.op();
            boolean s;
            if (op instanceof Broadcasting.Identity || op instanceof Broadcasting.ScaledIdentityLike
                    || op instanceof LinearAlgebra.SpdInverse) {
                s = true;
            } else if (op instanceof MatrixAlgebra.MatMul m) {
                s = node.input(0) == node.input(1) && m.transA() != m.transB(); // A·Aᵀ, Aᵀ·A
            } else if (op instanceof MatrixAlgebra.Add || op instanceof MatrixAlgebra.Subtract
                    || op instanceof Entrywise.ElementMult || op instanceof Entrywise.ElementDiv) {
                s = sym.get(node.input(0)) && sym.get(node.input(1));
            } else if (op instanceof MatrixAlgebra.Scale || op instanceof MatrixAlgebra.Divide
                    || op instanceof MatrixAlgebra.Negate || op instanceof MatrixAlgebra.AddScalar
                    || op instanceof MatrixAlgebra.Transpose || op instanceof LinearAlgebra.Inverse
                    || op instanceof Entrywise.Apply || op instanceof Entrywise.ElementPower) {
                s = sym.get(node.input(0));
            } else {
                s = false;
            }
            if (s) {
                sym.set(node.id());
            }
        }
        return sym;
    }
}
