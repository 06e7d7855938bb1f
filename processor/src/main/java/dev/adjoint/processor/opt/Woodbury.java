package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Origin;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ops.Broadcasting;
import dev.adjoint.processor.ops.IntOps;
import dev.adjoint.processor.ops.LinearAlgebra;
import dev.adjoint.processor.ops.MatrixAlgebra;
import dev.adjoint.processor.ops.Reductions;
import dev.adjoint.processor.ops.ScalarOps;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.SourceVersion;

/**
 * Identity plus low rank. A symmetric positive definite matrix built as {@code K = c·I + α·X·Xᵀ}
 * (scalars c and α, any sum, difference and scaling of identities and one Gram matrix
 * {@code X·Xᵀ}, X N×q) is inverted, solved with and log-det'd through the q×q capacitance
 * matrix {@code A = c·I + α·XᵀX} ({@link LinearAlgebra.Capacitance}, its own Cholesky factor):
 * <ul>
 *   <li>{@code log det K = (N − q)·log c + log det A} (the matrix determinant lemma);</li>
 *   <li>{@code K⁻¹ = (1/c)·I − (α/c)·(X·A⁻¹)·Xᵀ} (Woodbury), a sum that {@link MatrixFree}
 *       then expands into its uses, so {@code K⁻¹·Y = Y/c − (α/c)·(X·A⁻¹)·(Xᵀ·Y)} and
 *       {@code tr K⁻¹ = N/c − (α/c)·⟨X·A⁻¹, X⟩};</li>
 *   <li>{@code K⁻¹·B = B/c − (α/c)·X·(A⁻¹·(Xᵀ·B))}, for a solve and for a product with K⁻¹ alike;</li>
 *   <li>{@code ⟨K⁻¹B, B⟩ = (‖B‖² − α·⟨A⁻¹·XᵀB, XᵀB⟩)/c}.</li>
 * </ul>
 * No N×N matrix is formed. This pays only when q &lt; N, which is known at run time only, so it
 * is not part of the ordinary pipelines: the processor lowers a second, low-rank version of each
 * program in which it applies, and the generated method runs it behind {@code if (q < N)}
 * (the emitter derives that test from the capacitance nodes). The capacitance matrix's emission
 * throws, as the Cholesky factorization of K would, when {@code c ≤ 0}.
 */
public final class Woodbury implements Pass {
    @Override
    public String name() {
        return "woodbury";
    }

    @Override
    public String description() {
        return "low-rank version: c·I + α·X·Xᵀ inverted, solved and log-det'd through the q×q matrix c·I + α·XᵀX "
                + "(Woodbury, determinant lemma), run when q < N";
    }

    /** One factor of a coefficient: a scalar node (old id), multiplied or divided. */
    private record Factor(int scalar, boolean divide) {}

    /** A term of K's linear tree: an identity or a Gram matrix, with its coefficient. */
    private record Term(Node value, List<Factor> factors, boolean negated) {}

    /** K = c·I + α·X·Xᵀ, in old ids. */
    private record LowRank(int x, List<Term> identities, List<Term> grams) {}

    /** K's new-id pieces, built once per K. */
    private record Pieces(int x, int c, int alpha, int capacitance) {}

    /** Whether some matrix of {@code program} has the structure this pass uses (so it would change it). */
    public static boolean applies(Program program) {
        return !find(program, new HashMap<>(), new HashMap<>()).isEmpty();
    }

    @Override
    public Program apply(Program program, PassContext context) {
        Graph graph = program.graph();
        BitSet live = program.gradientNodes();
        Map<Integer, Origin> blamed = new HashMap<>(); // K → the DSL expression a failed factorization names
        Map<Integer, LowRank> structured = find(program, new HashMap<>(), blamed);
        if (structured.isEmpty()) {
            return program;
        }
        Map<Integer, Pieces> built = new HashMap<>();
        return Rewriter.rewrite(program, (b, node, in, map) -> {
            if (!live.get(node.id())) {
                return -1;
            }
            int k;
            boolean inverseTimes = false;
            if (node.op() instanceof MatrixAlgebra.MatMul m && !m.transB() && node.input(0) != node.input(1)
                    && graph.node(node.input(0)).op() instanceof LinearAlgebra.SpdInverse
                    && structured.containsKey(graph.node(node.input(0)).input(0))) {
                k = graph.node(node.input(0)).input(0); // K⁻¹·B: a solve, not the Woodbury sum times B
                inverseTimes = true;
            } else if (rewritten(node) && structured.containsKey(node.input(0))) {
                k = node.input(0);
            } else {
                return -1;
            }
            Pieces p = built.computeIfAbsent(k, key -> pieces(b, graph, map, key, structured.get(key),
                    blamed.getOrDefault(key, Origin.NONE)));
            int n = b.apply(new IntOps.ShapeQuery(0), p.x());
            int invC = b.div(b.constant(1), p.c());
            int alphaOverC = b.div(p.alpha(), p.c());
            if (node.op() instanceof LinearAlgebra.LogDet) {
                // log det K = (N − q)·log c + log det A
                int q = b.apply(new IntOps.ShapeQuery(1), p.x());
                int rest = b.apply(new ScalarOps.FromInt(), b.apply(new IntOps.Arith(IntOps.Op.SUB), n, q));
                int logC = b.apply(new ScalarOps.Apply(ScalarOps.Function.LOG), p.c());
                return b.apply(new ScalarOps.Arith(ScalarOps.Op.ADD), node.origin(),
                        b.mul(rest, logC), b.apply(new LinearAlgebra.LogDet(), p.capacitance()));
            }
            if (node.op() instanceof LinearAlgebra.SpdInverse) {
                // K⁻¹ = (1/c)·I − (α/c)·(X·A⁻¹)·Xᵀ
                int xa = b.matmul(p.x(), b.apply(new LinearAlgebra.SpdInverse(), p.capacitance()), false, false);
                int low = b.scale(b.matmul(xa, p.x(), false, true), alphaOverC);
                return b.apply(new MatrixAlgebra.Subtract(), node.origin(),
                        b.scale(b.apply(new Broadcasting.Identity(), n), invC), low);
            }
            int rhs = in.get(1);
            int xtb = b.matmul(p.x(), rhs, true, false);
            if (node.op() instanceof LinearAlgebra.SpdSolve || inverseTimes) {
                // K⁻¹·B = B/c − (α/c)·X·(A⁻¹·(Xᵀ·B))
                int low = b.scale(b.matmul(p.x(), b.apply(new LinearAlgebra.SpdSolve(), p.capacitance(), xtb), false, false),
                        alphaOverC);
                return b.apply(new MatrixAlgebra.Subtract(), node.origin(), b.scale(rhs, invC), low);
            }
            // ⟨K⁻¹B, B⟩ = (‖B‖² − α·⟨A⁻¹·XᵀB, XᵀB⟩)/c
            int squares = b.apply(new Reductions.SumSquares(), rhs);
            int low = b.mul(p.alpha(), b.apply(new LinearAlgebra.SpdQuadraticForm(), p.capacitance(), xtb));
            return b.apply(new ScalarOps.Arith(ScalarOps.Op.DIV), node.origin(), b.subtract(squares, low), p.c());
        });
    }

    /** The matrices with identity-plus-low-rank structure that {@link #rewritten} ops use: K → its form. */
    private static Map<Integer, LowRank> find(Program program, Map<Integer, LowRank> structured, Map<Integer, Origin> blamed) {
        Graph graph = program.graph();
        BitSet live = program.gradientNodes();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            if (rewritten(node)) {
                int k = node.input(0);
                if (!structured.containsKey(k)) {
                    LowRank form = match(graph, k);
                    if (form == null) {
                        continue;
                    }
                    structured.put(k, form);
                }
                if (!node.origin().text().isEmpty()
                        && (node.op() instanceof LinearAlgebra.LogDet || !blamed.containsKey(k))) {
                    blamed.put(k, node.origin());
                }
            }
        }
        return structured;
    }

    /** Whether {@code program} computes a capacitance matrix: this pass changed it. */
    public static boolean applied(Program program) {
        BitSet live = program.gradientNodes();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            if (program.graph().node(id).op() instanceof LinearAlgebra.Capacitance) {
                return true;
            }
        }
        return false;
    }

    /** The ops on K this pass replaces (all formed on a K proven symmetric positive definite). */
    private static boolean rewritten(Node node) {
        return node.op() instanceof LinearAlgebra.LogDet || node.op() instanceof LinearAlgebra.SpdInverse
                || node.op() instanceof LinearAlgebra.SpdSolve || node.op() instanceof LinearAlgebra.SpdQuadraticForm;
    }

    private static Pieces pieces(Builder b, Graph graph, int[] map, int k, LowRank form, Origin blame) {
        int x = map[form.x()];
        int c = coefficient(b, map, form.identities());
        int alpha = coefficient(b, map, form.grams());
        String name = graph.names().getOrDefault(k, "");
        if (!SourceVersion.isIdentifier(name)) {
            name = "";
        }
        String expression = blame.text().isEmpty() ? "logDet(K)" : blame.describe();
        int capacitance = b.apply(new LinearAlgebra.Capacitance(name, expression), x, c, alpha);
        return new Pieces(x, c, alpha, capacitance);
    }

    /** Σ ±Π factors over the terms, in new ids. */
    private static int coefficient(Builder b, int[] map, List<Term> terms) {
        int total = -1;
        for (Term term : terms) {
            int value = b.constant(1);
            for (Factor f : term.factors()) {
                value = f.divide() ? b.div(value, map[f.scalar()]) : b.mul(value, map[f.scalar()]);
            }
            if (total < 0) {
                total = term.negated() ? b.negate(value) : value;
            } else {
                total = term.negated() ? b.subtract(total, value) : b.add(total, value);
            }
        }
        return total;
    }

    /** K as c·I + α·X·Xᵀ with one X and at least one identity, or null. */
    static LowRank match(Graph graph, int k) {
        List<Term> terms = new ArrayList<>();
        if (!expand(graph, graph.node(k), List.of(), false, terms)) {
            return null;
        }
        List<Term> identities = new ArrayList<>();
        List<Term> grams = new ArrayList<>();
        int x = -1;
        for (Term t : terms) {
            if (t.value().op() instanceof Broadcasting.Identity) {
                identities.add(t);
            } else {
                if (x >= 0 && t.value().input(0) != x) {
                    return null; // two different low-rank factors
                }
                x = t.value().input(0);
                grams.add(t);
            }
        }
        return identities.isEmpty() || grams.isEmpty() ? null : new LowRank(x, identities, grams);
    }

    private static boolean expand(Graph graph, Node node, List<Factor> factors, boolean negated, List<Term> terms) {
        var op = node.op();
        if (op instanceof MatrixAlgebra.Add) {
            return expand(graph, graph.node(node.input(0)), factors, negated, terms)
                    && expand(graph, graph.node(node.input(1)), factors, negated, terms);
        }
        if (op instanceof MatrixAlgebra.Subtract) {
            return expand(graph, graph.node(node.input(0)), factors, negated, terms)
                    && expand(graph, graph.node(node.input(1)), factors, !negated, terms);
        }
        if (op instanceof MatrixAlgebra.Negate) {
            return expand(graph, graph.node(node.input(0)), factors, !negated, terms);
        }
        if (op instanceof MatrixAlgebra.Scale || op instanceof MatrixAlgebra.Divide) {
            List<Factor> more = new ArrayList<>(factors);
            more.add(new Factor(node.input(1), op instanceof MatrixAlgebra.Divide));
            return expand(graph, graph.node(node.input(0)), more, negated, terms);
        }
        if (op instanceof Broadcasting.Identity
                || op instanceof MatrixAlgebra.MatMul m && !m.transA() && m.transB() && node.input(0) == node.input(1)) {
            terms.add(new Term(node, factors, negated));
            return true;
        }
        return false;
    }
}
