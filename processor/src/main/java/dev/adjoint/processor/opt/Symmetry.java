package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Broadcasting;
import dev.adjoint.processor.ops.Entrywise;
import dev.adjoint.processor.ops.LinearAlgebra;
import dev.adjoint.processor.ops.MatrixAlgebra;
import dev.adjoint.processor.ops.Primitive;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Structure pass for symmetric matrices. A matrix is symmetric by construction when it is built
 * as {@code A·Aᵀ}, {@code A·S·Aᵀ}, an identity, an inverse or a sum of symmetric matrices, and
 * so on. Then:
 * <ul>
 *   <li>a transpose of it is the matrix itself, so products read it untransposed and two
 *       adjoint terms {@code G·X} and {@code Gᵀ·X} become one node, {@code 2·G·X};</li>
 *   <li>if the program also takes its {@code logDet}, it must be positive definite (or log det
 *       throws), so its {@code invert()} and {@code solve(B)} use the Cholesky factor that log
 *       det computes anyway instead of a second, LU, factorization.</li>
 * </ul>
 * In the GP-LVM loss this factors K once, shares K⁻¹ between the forward pass and the adjoint
 * of log det K, and yields ∂L/∂X = 2α·G·X.
 */
public final class Symmetry implements Pass {
    @Override
    public String name() {
        return "symmetry";
    }

    @Override
    public String description() {
        return "drops transposes of matrices symmetric by construction; a matrix passed to logDet is inverted and solved with its Cholesky factor";
    }

    @Override
    public Program apply(Program program, PassContext context) {
        Graph graph = program.graph();
        BitSet live = program.gradientNodes();
        Analysis before = new Analysis(graph::node);
        BitSet spd = new BitSet();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            if (node.op() instanceof LinearAlgebra.LogDet && before.symmetric(node.input(0))) {
                spd.set(node.input(0));
            }
        }
        Analysis[] after = new Analysis[1];
        return Rewriter.rewrite(program, (b, node, in, map) -> {
            if (after[0] == null) {
                after[0] = new Analysis(b::node);
            }
            Analysis sym = after[0];
            Primitive op = node.op();
            if (op instanceof LinearAlgebra.Inverse && spd.get(node.input(0))) {
                return b.apply(new LinearAlgebra.SpdInverse(), node.origin(), in);
            }
            if ((op instanceof LinearAlgebra.Solve || op instanceof LinearAlgebra.SolveTranspose) && spd.get(node.input(0))) {
                // A⁻ᵀB = A⁻¹B for symmetric A: the adjoint of a solve reuses the Cholesky factor too.
                return b.apply(new LinearAlgebra.SpdSolve(), node.origin(), in);
            }
            if (op instanceof MatrixAlgebra.Transpose && sym.symmetric(in.get(0))) {
                return in.get(0);
            }
            if (op instanceof Entrywise.SymmetricSum && sym.symmetric(in.get(0))) {
                return b.scale(in.get(0), b.constant(2)); // G + Gᵀ = 2G
            }
            if (op instanceof MatrixAlgebra.MatMul m) {
                boolean transA = m.transA() && !sym.symmetric(in.get(0));
                boolean transB = m.transB() && !sym.symmetric(in.get(1));
                if (transA != m.transA() || transB != m.transB()) {
                    return b.apply(new MatrixAlgebra.MatMul(transA, transB), node.origin(), in);
                }
            }
            return -1;
        });
    }

    /** Memoized "is this node symmetric by construction". */
    static final class Analysis {
        private final java.util.function.IntFunction<Node> nodes;
        private final Map<Integer, Boolean> memo = new HashMap<>();

        Analysis(java.util.function.IntFunction<Node> nodes) {
            this.nodes = nodes;
        }

        boolean symmetric(int id) {
            Boolean known = memo.get(id);
            if (known == null) {
                known = compute(nodes.apply(id));
                memo.put(id, known);
            }
            return known;
        }

        private boolean compute(Node node) {
            if (node.type() != ValueType.MATRIX) {
                return false;
            }
            Primitive op = node.op();
            List<Integer> in = node.inputs();
            // Not ScaledIdentityLike: the adjoint of a trace is shaped like a possibly non-square matrix.
            if (op instanceof Broadcasting.Identity || op instanceof LinearAlgebra.SpdInverse
                    || op instanceof Entrywise.SymmetricSum || op instanceof LinearAlgebra.Capacitance) {
                return true;
            }
            if (op instanceof MatrixAlgebra.MatMul m) {
                return isGram(in.get(0), in.get(1), m) || isSandwich(in.get(0), in.get(1), m);
            }
            if (op instanceof MatrixAlgebra.Add && isProductPlusItsTranspose(in.get(0), in.get(1))) {
                return true; // P + Pᵀ, the tangent of a Gram matrix: dX·Xᵀ + X·dXᵀ
            }
            if (op instanceof MatrixAlgebra.Add || op instanceof MatrixAlgebra.Subtract
                    || op instanceof Entrywise.ElementMult || op instanceof Entrywise.ElementDiv) {
                return symmetric(in.get(0)) && symmetric(in.get(1));
            }
            if (op instanceof MatrixAlgebra.Scale || op instanceof MatrixAlgebra.Divide
                    || op instanceof MatrixAlgebra.Negate || op instanceof MatrixAlgebra.AddScalar
                    || op instanceof MatrixAlgebra.Transpose || op instanceof LinearAlgebra.Inverse
                    || op instanceof Entrywise.Apply || op instanceof Entrywise.ElementPower) {
                return symmetric(in.get(0));
            }
            return false;
        }

        /** {@code op(A)·op(B) + op(B)ᵀ·op(A)ᵀ}: a product plus its own transpose. */
        private boolean isProductPlusItsTranspose(int first, int second) {
            if (!(nodes.apply(first).op() instanceof MatrixAlgebra.MatMul p)
                    || !(nodes.apply(second).op() instanceof MatrixAlgebra.MatMul q)) {
                return false;
            }
            Node l = nodes.apply(first);
            Node r = nodes.apply(second);
            return r.input(0) == l.input(1) && r.input(1) == l.input(0) && q.transA() != p.transB() && q.transB() != p.transA();
        }

        /** {@code A·Aᵀ} or {@code Aᵀ·A}. */
        private static boolean isGram(int a, int b, MatrixAlgebra.MatMul m) {
            return a == b && m.transA() != m.transB();
        }

        /** {@code op(A)·S·op(A)ᵀ} with S symmetric, in either association. */
        private boolean isSandwich(int left, int right, MatrixAlgebra.MatMul m) {
            Node l = nodes.apply(left);
            if (!m.transA() && l.op() instanceof MatrixAlgebra.MatMul inner && !inner.transB()
                    && symmetric(l.input(1)) && l.input(0) == right
                    && (m.transB() != inner.transA() || symmetric(right))) {
                return true;
            }
            Node r = nodes.apply(right);
            return !m.transB() && r.op() instanceof MatrixAlgebra.MatMul inner && !inner.transA()
                    && symmetric(r.input(0)) && r.input(1) == left
                    && (m.transA() != inner.transB() || symmetric(left));
        }
    }
}
