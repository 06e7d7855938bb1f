package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Broadcasting;
import dev.adjoint.processor.ops.LinearCombination;
import dev.adjoint.processor.ops.LinearCombination.Kind;
import dev.adjoint.processor.ops.LinearCombination.Term;
import dev.adjoint.processor.ops.MatrixAlgebra;
import dev.adjoint.processor.ops.Primitive;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

/**
 * Lowering: a tree of {@code plus}, {@code minus}, {@code scale}, {@code divide} and
 * {@code negative} over products, identities and other matrices becomes one
 * {@link LinearCombination}, when its inner nodes have no other use. Scalars then fold into
 * EJML's alpha, sums accumulate into one buffer ({@code multAdd}, {@code addEquals}) and
 * {@code I/β} is a diagonal update: the GP-LVM's {@code K = α·X·Xᵀ + I/β} is one product and one
 * pass over the diagonal, and {@code ∂K = ½·P·Pᵀ − (d/2)·K⁻¹} one product and one accumulation.
 * Nodes the user named, gradients and the result stay whole.
 */
public final class LinearCombinationFusion implements Pass {
    @Override
    public boolean insideRegions() {
        return true;
    }

    @Override
    public String name() {
        return "linear-combination";
    }

    @Override
    public String description() {
        return "sums, differences and scalings of products become one accumulation into a single buffer, scalars as alpha";
    }

    @Override
    public Program apply(Program program, PassContext context) {
        Graph graph = program.graph();
        BitSet live = program.gradientNodes();
        int[] uses = program.liveUses();
        Set<Integer> kept = program.keptWhole();

        return Rewriter.rewrite(program, (b, node, in, map) -> {
            if (!live.get(node.id()) || node.type() != ValueType.MATRIX || !isLinear(node.op())) {
                return -1;
            }
            Collector collector = new Collector(graph, uses, kept, b, map);
            collector.expand(node, -1, false, true);
            if (collector.absorbed == 0 || collector.terms.get(0).kind() == Kind.IDENTITY) {
                return -1;
            }
            return b.apply(new LinearCombination(collector.terms), node.origin(), collector.inputs);
        });
    }

    /** A sum, difference, scaling, division by a scalar or negation of matrices. */
    static boolean isLinear(Primitive op) {
        return op instanceof MatrixAlgebra.Add || op instanceof MatrixAlgebra.Subtract || op instanceof MatrixAlgebra.Scale
                || op instanceof MatrixAlgebra.Divide || op instanceof MatrixAlgebra.Negate;
    }

    /** Walks one tree in the old graph, building the terms with new ids. */
    private static final class Collector {
        final Graph graph;
        final int[] uses;
        final Set<Integer> kept;
        final Builder b;
        final int[] map;
        final List<Term> terms = new ArrayList<>();
        final List<Integer> inputs = new ArrayList<>();
        /** Products and identities first: a product writes the result with its alpha. */
        final List<Object[]> pending = new ArrayList<>();
        int absorbed;

        Collector(Graph graph, int[] uses, Set<Integer> kept, Builder b, int[] map) {
            this.graph = graph;
            this.uses = uses;
            this.kept = kept;
            this.b = b;
            this.map = map;
        }

        /** Whether a child node may be folded into its parent's combination. */
        private boolean absorbable(int id) {
            return uses[id] == 1 && !kept.contains(id);
        }

        /**
         * @param coefficient new id of the scalar coefficient so far, or -1 for 1
         * @param root whether {@code node} is the combination's own node (always expanded)
         */
        void expand(Node node, int coefficient, boolean negated, boolean root) {
            if (!root && !absorbable(node.id())) {
                add(Kind.MATRIX, false, false, coefficient, negated, map[node.id()]);
                return;
            }
            Primitive op = node.op();
            if (!root && (isLinear(op) || op instanceof MatrixAlgebra.MatMul || op instanceof Broadcasting.Identity)) {
                absorbed++;
            }
            if (op instanceof MatrixAlgebra.Add) {
                expand(graph.node(node.input(0)), coefficient, negated, false);
                expand(graph.node(node.input(1)), coefficient, negated, false);
            } else if (op instanceof MatrixAlgebra.Subtract) {
                expand(graph.node(node.input(0)), coefficient, negated, false);
                expand(graph.node(node.input(1)), coefficient, !negated, false);
            } else if (op instanceof MatrixAlgebra.Negate) {
                expand(graph.node(node.input(0)), coefficient, !negated, false);
            } else if (op instanceof MatrixAlgebra.Scale) {
                int s = map[node.input(1)];
                expand(graph.node(node.input(0)), coefficient < 0 ? s : b.mul(coefficient, s), negated, false);
            } else if (op instanceof MatrixAlgebra.Divide) {
                int s = map[node.input(1)];
                expand(graph.node(node.input(0)), b.div(coefficient < 0 ? b.constant(1) : coefficient, s), negated, false);
            } else if (op instanceof MatrixAlgebra.MatMul m && !root) {
                add(Kind.PRODUCT, m.transA(), m.transB(), coefficient, negated, map[node.input(0)], map[node.input(1)]);
            } else if (op instanceof Broadcasting.Identity && !root) {
                add(Kind.IDENTITY, false, false, coefficient, negated, map[node.input(0)]);
            } else {
                add(Kind.MATRIX, false, false, coefficient, negated, map[node.id()]);
            }
            if (root) {
                pending.sort(java.util.Comparator.comparingInt(t -> ((Term) t[0]).kind() == Kind.PRODUCT ? 0
                        : ((Term) t[0]).kind() == Kind.MATRIX ? 1 : 2));
                for (Object[] t : pending) {
                    terms.add((Term) t[0]);
                    for (int i = 1; i < t.length; i++) {
                        inputs.add((Integer) t[i]);
                    }
                }
            }
        }

        private void add(Kind kind, boolean transA, boolean transB, int coefficient, boolean negated, int... operands) {
            // A constant coefficient of -1 is a sign; of 1, nothing.
            if (coefficient >= 0 && b.isConstant(coefficient, 1)) {
                coefficient = -1;
            } else if (coefficient >= 0 && b.isConstant(coefficient, -1)) {
                coefficient = -1;
                negated = !negated;
            }
            Object[] entry = new Object[1 + (coefficient >= 0 ? 1 : 0) + operands.length];
            entry[0] = new Term(kind, transA, transB, coefficient >= 0, negated);
            int at = 1;
            if (coefficient >= 0) {
                entry[at++] = coefficient;
            }
            for (int operand : operands) {
                entry[at++] = operand;
            }
            pending.add(entry);
        }
    }
}
