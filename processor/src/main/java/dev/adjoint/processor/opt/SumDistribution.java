package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Broadcasting;
import dev.adjoint.processor.ops.MatrixAlgebra;
import dev.adjoint.processor.ops.Primitive;
import dev.adjoint.processor.ops.Reductions;
import dev.adjoint.processor.ops.ScalarOps;
import dev.adjoint.processor.shape.ShapeInference;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

/**
 * A sum of scaled terms that contains a product and is only multiplied, traced or paired in
 * inner products with a product is never formed: each use distributes over the terms.
 * {@code G·B = Σ cᵢ·Tᵢ·B} with a product term {@code P·Qᵀ} applied as {@code P·(Qᵀ·B)} (which
 * chain fusion later associates at run time), {@code tr G = Σ cᵢ·tr Tᵢ} with
 * {@code tr(P·Qᵀ) = ⟨P, Q⟩}, and {@code ⟨G, U·Vᵀ⟩ = ⟨G·V, U⟩}. In the GP-LVM gradient,
 * ∂K = ½·A·Aᵀ − (d/2)·K⁻¹ (A = K⁻¹Y, N×D) is then never formed: ∂K·X = ½·A·(Aᵀ·X) − (d/2)·K⁻¹·X,
 * ⟨∂K, X·Xᵀ⟩ = ⟨∂K·X, X⟩ and tr ∂K = ½·⟨A, A⟩ − (d/2)·tr K⁻¹, saving the N·N·D product A·Aᵀ.
 */
public final class SumDistribution implements Pass {
    @Override
    public String name() {
        return "sum-distribution";
    }

    @Override
    public String description() {
        return "a sum containing a product that is only multiplied, traced or paired with a product is distributed, never formed";
    }

    /** A term cᵢ·Tᵢ of a sum, in old ids; {@code coefficient} −1 means 1. */
    private record Term(Node value, int coefficient, boolean negated) {}

    @Override
    public Program apply(Program program, PassContext context) {
        Graph graph = program.graph();
        BitSet live = program.gradientNodes();
        ShapeInference shapes = context.shapes(program);
        Set<Integer> kept = program.keptWhole();
        List<List<Integer>> consumers = new ArrayList<>();
        for (int id = 0; id < graph.size(); id++) {
            consumers.add(new ArrayList<>());
        }
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            for (int in : graph.node(id).inputs()) {
                consumers.get(in).add(id);
            }
        }
        // Sums to distribute: old id → terms.
        java.util.Map<Integer, List<Term>> sums = new java.util.HashMap<>();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            if (node.type() != ValueType.MATRIX || kept.contains(id) || !LinearCombinationFusion.isLinear(node.op())) {
                continue;
            }
            List<Term> terms = new ArrayList<>();
            expand(graph, consumers, node, -1, false, true, terms);
            boolean hasProduct = terms.stream().anyMatch(t -> t.value().op() instanceof MatrixAlgebra.MatMul);
            boolean allDistributable = !consumers.get(id).isEmpty();
            for (int c : consumers.get(id)) {
                allDistributable &= distributable(graph, shapes, id, graph.node(c));
            }
            if (hasProduct && allDistributable) {
                sums.put(id, terms);
            }
        }
        if (sums.isEmpty()) {
            return program;
        }
        return Rewriter.rewrite(program, (b, node, in, map) -> {
            if (!live.get(node.id())) {
                return -1; // only the uses checked above are distributed
            }
            int before = b.size();
            int distributed = distribute(b, graph, sums, node, in, map);
            if (distributed >= before) {
                b.origin(distributed, node.origin()); // still the user's expression, for comments
            }
            return distributed;
        });
    }

    /** The use {@code node} of a distributed sum, distributed; or -1. */
    private static int distribute(Builder b, Graph graph, java.util.Map<Integer, List<Term>> sums, Node node, List<Integer> in,
            int[] map) {
        if (node.op() instanceof MatrixAlgebra.MatMul m) {
            if (sums.containsKey(node.input(0)) && node.input(1) != node.input(0)) {
                return times(b, graph, map, sums.get(node.input(0)), in.get(1), m.transB(), true);
            }
            if (sums.containsKey(node.input(1))) {
                return times(b, graph, map, sums.get(node.input(1)), in.get(0), m.transA(), false);
            }
        } else if (node.op() instanceof Reductions.Trace && sums.containsKey(node.input(0))) {
            int total = -1;
            for (Term term : sums.get(node.input(0))) {
                total = accumulate(b, map, total, term, trace(b, graph, map, term.value()));
            }
            return total;
        } else if (node.op() instanceof Reductions.Dot d && d.sameShape()) {
            for (int k = 0; k < 2; k++) {
                if (sums.containsKey(node.input(k))) {
                    Node product = graph.node(node.input(1 - k)); // U·op(V)
                    MatrixAlgebra.MatMul uv = (MatrixAlgebra.MatMul) product.op();
                    // ⟨G, U·op(V)⟩ = ⟨G·op(V)ᵀ, U⟩
                    int gv = times(b, graph, map, sums.get(node.input(k)), map[product.input(1)], !uv.transB(), true);
                    return b.apply(new Reductions.Dot(true), node.origin(), gv, map[product.input(0)]);
                }
            }
        }
        return -1;
    }

    /** Expands a linear tree through nodes used only by it; other nodes are terms. */
    private static void expand(Graph graph, List<List<Integer>> consumers, Node node, int coefficient, boolean negated,
            boolean root, List<Term> terms) {
        boolean inner = root || (consumers.get(node.id()).size() == 1 && !graph.names().containsKey(node.id()));
        Primitive op = node.op();
        if (!inner || !LinearCombinationFusion.isLinear(op)) {
            terms.add(new Term(node, coefficient, negated));
        } else if (op instanceof MatrixAlgebra.Add) {
            expand(graph, consumers, graph.node(node.input(0)), coefficient, negated, false, terms);
            expand(graph, consumers, graph.node(node.input(1)), coefficient, negated, false, terms);
        } else if (op instanceof MatrixAlgebra.Subtract) {
            expand(graph, consumers, graph.node(node.input(0)), coefficient, negated, false, terms);
            expand(graph, consumers, graph.node(node.input(1)), coefficient, !negated, false, terms);
        } else if (op instanceof MatrixAlgebra.Negate) {
            expand(graph, consumers, graph.node(node.input(0)), coefficient, !negated, false, terms);
        } else if (op instanceof MatrixAlgebra.Scale && coefficient < 0) {
            expand(graph, consumers, graph.node(node.input(0)), node.input(1), negated, false, terms);
        } else {
            terms.add(new Term(node, coefficient, negated)); // nested scalings and divisions stay whole
        }
    }

    /** Whether {@code consumer}'s use of the sum {@code sum} can be distributed. */
    private static boolean distributable(Graph graph, ShapeInference shapes, int sum, Node consumer) {
        Primitive op = consumer.op();
        if (op instanceof MatrixAlgebra.MatMul m) {
            // The sum itself read transposed would need every term transposed: not handled.
            return consumer.input(0) != consumer.input(1)
                    && (consumer.input(0) == sum ? !m.transA() : !m.transB());
        }
        if (op instanceof Reductions.Trace) {
            return shapes.provablySquare(sum);
        }
        if (op instanceof Reductions.Dot d && d.sameShape()) {
            Node other = graph.node(consumer.input(0) == sum ? consumer.input(1) : consumer.input(0));
            return consumer.input(0) != consumer.input(1) && other.op() instanceof MatrixAlgebra.MatMul uv && !uv.transA();
        }
        return false;
    }

    /** Σ cᵢ·Tᵢ·op(B) ({@code sumOnLeft}) or Σ cᵢ·op(B)·Tᵢ, in new ids. */
    private static int times(Builder b, Graph graph, int[] map, List<Term> terms, int other, boolean transOther,
            boolean sumOnLeft) {
        int total = -1;
        for (Term term : terms) {
            total = accumulate(b, map, total, term,
                    timesTerm(b, graph, map, term.value(), other, transOther, sumOnLeft));
        }
        return total;
    }

    /**
     * Whether {@code t} is a scaling (or negation) of an identity or a product, possibly nested: a
     * term kept whole because a term has one coefficient, but applied to B as s·(T·B) all the same
     * (the Woodbury sum (1/c)·I − (α/c)·P·Xᵀ inside a scaled sum).
     */
    private static boolean scaledStructure(Graph graph, Node t) {
        while (isScaling(t)) {
            t = graph.node(t.input(0));
        }
        return t.op() instanceof MatrixAlgebra.MatMul || t.op() instanceof Broadcasting.Identity;
    }

    private static boolean isScaling(Node t) {
        return t.op() instanceof MatrixAlgebra.Scale || t.op() instanceof MatrixAlgebra.Divide
                || t.op() instanceof MatrixAlgebra.Negate;
    }

    /** Tᵢ·op(B) ({@code sumOnLeft}) or op(B)·Tᵢ, in new ids. */
    private static int timesTerm(Builder b, Graph graph, int[] map, Node t, int other, boolean transOther, boolean sumOnLeft) {
        if (isScaling(t) && scaledStructure(graph, t)) {
            int inner = timesTerm(b, graph, map, graph.node(t.input(0)), other, transOther, sumOnLeft);
            if (t.op() instanceof MatrixAlgebra.Negate) {
                return b.negate(inner);
            }
            return t.op() instanceof MatrixAlgebra.Scale ? b.scale(inner, map[t.input(1)])
                    : b.apply(new MatrixAlgebra.Divide(), inner, map[t.input(1)]);
        }
        {
            int product;
            if (t.op() instanceof MatrixAlgebra.MatMul m) {
                int p = map[t.input(0)];
                int q = map[t.input(1)];
                boolean transP = m.transA();
                boolean transQ = m.transB();
                product = sumOnLeft
                        ? b.matmul(p, b.matmul(q, other, transQ, transOther), transP, false)  // P·(Q·B)
                        : b.matmul(b.matmul(other, p, transOther, transP), q, false, transQ); // (B·P)·Q
            } else if (t.op() instanceof Broadcasting.Identity) {
                product = transOther ? b.transpose(other) : other;
            } else {
                product = sumOnLeft ? b.matmul(map[t.id()], other, false, transOther) : b.matmul(other, map[t.id()], transOther, false);
            }
            return product;
        }
    }

    /** tr Tᵢ, in new ids. */
    private static int trace(Builder b, Graph graph, int[] map, Node t) {
        if (isScaling(t) && scaledStructure(graph, t)) {
            int inner = trace(b, graph, map, graph.node(t.input(0)));
            if (t.op() instanceof MatrixAlgebra.Negate) {
                return b.negate(inner);
            }
            return t.op() instanceof MatrixAlgebra.Scale ? b.mul(inner, map[t.input(1)]) : b.div(inner, map[t.input(1)]);
        }
        if (t.op() instanceof MatrixAlgebra.MatMul m && m.transA() != m.transB()) {
            return b.apply(new Reductions.Dot(true), map[t.input(0)], map[t.input(1)]); // tr(P·Qᵀ) = tr(Pᵀ·Q) = ⟨P, Q⟩
        }
        if (t.op() instanceof Broadcasting.Identity) {
            return b.apply(new ScalarOps.FromInt(), map[t.input(0)]);
        }
        return b.apply(new Reductions.Trace(), map[t.id()]);
    }

    /** total + (±c)·value, for matrices or scalars; total −1 starts the sum. */
    private static int accumulate(Builder b, int[] map, int total, Term term, int value) {
        int scaled = term.coefficient() < 0 ? value : b.scale(value, map[term.coefficient()]);
        if (total < 0) {
            return term.negated() ? b.negate(scaled) : scaled;
        }
        return term.negated() ? b.subtract(total, scaled) : b.add(total, scaled);
    }
}
