package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Broadcasting;
import dev.adjoint.processor.ops.Entrywise;
import dev.adjoint.processor.ops.LinearAlgebra;
import dev.adjoint.processor.ops.MatrixAlgebra;
import dev.adjoint.processor.ops.Reductions;
import dev.adjoint.processor.ops.ScalarOps;
import dev.adjoint.processor.shape.ShapeInference;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * In a low-rank version, no N×N matrix is formed (N the rows of the low-rank factor X, N×q) and
 * no sum of products is formed where it is only multiplied, traced or paired. Every such use, and
 * every gradient or H·d that is a sum, is expanded into monomials {@code ±c·F1·…·Fk} over formed
 * matrices (identities dropped), then evaluated where their small dimensions meet:
 * <ul>
 *   <li>a trace (and an inner product, {@code ⟨A, B⟩ = tr(Aᵀ·B)}) is cut into blocks where the
 *       inner dimension is small; each block {@code op(Fi)·op(Fj)} with N inside is a q×q or q×D
 *       product ({@code Xᵀ·Y}, {@code dXᵀ·X}), formed once in one orientation however many
 *       monomials read it (hash-consing), and the trace of the blocks is a pairing of small matrices;
 *       {@code tr I = N};</li>
 *   <li>a thin result collects its monomials by outer factor, {@code Σ F·Mᵢ = F·(Σ Mᵢ)}: the
 *       GP-LVM's ∂L/∂X and H·d each multiply Y (N×D) once.</li>
 * </ul>
 * After {@link Woodbury}, K⁻¹ = (1/c)·I − (α/c)·X·A⁻¹·Xᵀ and K⁻¹·Y = Y/c − (α/c)·X·(A⁻¹·Xᵀ·Y), and
 * in the Hessian-vector product the tangent K̇ = dα·X·Xᵀ + α·(dX·Xᵀ + X·dXᵀ) − (dβ/β²)·I: every
 * N-sized product left is Xᵀ·Y, dXᵀ·Y, ‖Y‖², q×N·N×D and one N×D·D×q per output. An expansion
 * above {@link Algebra#MAX_MONOMIALS} monomials is applied as an operator instead
 * ({@code (A + B)·Z = A·Z + B·Z}, {@code (A·B)·Z = A·(B·Z)}, right to left on the thin Z). An N×N
 * matrix used any other way (entrywise, as a result) is formed.
 */
public final class MatrixFree implements Pass {
    @Override
    public String name() {
        return "matrix-free";
    }

    @Override
    public String description() {
        return "low-rank version: N×N sums, products and identities are applied to the thin matrices they multiply "
                + "and traced through their thin factors, never formed";
    }

    /** A matrix expression over new ids; transposes are pushed to the leaves. */
    private sealed interface Op {}

    /**
     * A matrix that is formed: {@code op(id)}, {@code rowsN}/{@code colsN} whether its rows and
     * columns are N (both: an N×N matrix that had to be formed).
     */
    private record Leaf(int id, boolean trans, boolean rowsN, boolean colsN) implements Op {}

    /** The N×N identity; {@code n} its size, an int node. */
    private record Ident(int n) implements Op {}

    /** {@code Σ ±coefficientᵢ·termᵢ}; a coefficient -1 means 1. */
    private record Sum(List<Term> terms) implements Op {}

    private record Term(Op op, int coefficient, boolean negated) {}

    /** A product of at least two factors. */
    private record Prod(List<Op> factors) implements Op {}

    @Override
    public Program apply(Program program, PassContext context) {
        Graph graph = program.graph();
        BitSet live = program.gradientNodes();
        ShapeInference shapes = context.shapes(program);
        List<Integer> factors = new ArrayList<>();
        for (Node node : graph.nodes()) {
            if (live.get(node.id()) && node.op() instanceof LinearAlgebra.Capacitance) {
                factors.add(node.input(0));
            }
        }
        if (factors.isEmpty()) {
            return program;
        }
        boolean[] rowsN = new boolean[graph.size()];
        boolean[] colsN = new boolean[graph.size()];
        boolean[] provablySquare = new boolean[graph.size()];
        for (Node node : graph.nodes()) {
            if (node.type() == ValueType.MATRIX) {
                provablySquare[node.id()] = shapes.provablySquare(node.id());
                for (int x : factors) {
                    rowsN[node.id()] |= shapes.sameDimension(node.id(), 0, x, 0);
                    colsN[node.id()] |= shapes.sameDimension(node.id(), 1, x, 0);
                }
            }
        }
        BitSet outputs = new BitSet();
        program.gradients().values().forEach(outputs::set);
        program.hessianVectorProducts().values().forEach(outputs::set);
        boolean any = false;
        for (int id = live.nextSetBit(0); id >= 0 && !any; id = live.nextSetBit(id + 1)) {
            any = rowsN[id] && colsN[id];
        }
        if (!any) {
            return program;
        }
        return Rewriter.rewrite(program, new Rewriter.Rule() {
            private Algebra algebra;

            @Override
            public int rewrite(Builder b, Node node, List<Integer> in, int[] map) {
                if (!live.get(node.id()) || (rowsN[node.id()] && colsN[node.id()])) {
                    return -1;
                }
                if (algebra == null) {
                    algebra = new Algebra(b, graph, map, rowsN, colsN, provablySquare);
                }
                if (outputs.get(node.id()) && node.type() == ValueType.MATRIX) {
                    return algebra.output(node);
                }
                return algebra.use(node);
            }
        });
    }

    /** The rewriting of one program: N×N nodes as {@link Op}s and their uses evaluated. */
    private static final class Algebra {
        private final Builder b;
        private final Graph graph;
        private final int[] map;
        private final boolean[] rowsN;
        private final boolean[] colsN;
        private final boolean[] provablySquare;
        private final Map<Integer, Op> ops = new HashMap<>();
        private final Map<List<Object>, Integer> applied = new HashMap<>();

        Algebra(Builder b, Graph graph, int[] map, boolean[] rowsN, boolean[] colsN, boolean[] provablySquare) {
            this.b = b;
            this.provablySquare = provablySquare;
            this.graph = graph;
            this.map = map;
            this.rowsN = rowsN;
            this.colsN = colsN;
        }

        private boolean square(int old) {
            return rowsN[old] && colsN[old];
        }

        /**
         * A thin result (a gradient, H·d) that is a sum of expandable terms, expanded as a whole so
         * that all its terms with the same outer factor share one product; or -1.
         */
        int output(Node node) {
            if (!expandable(node.id()) || !(node.op() instanceof MatrixAlgebra.MatMul) && !linear(node)) {
                return use(node);
            }
            List<Mono> expanded = expand(op(node.id()));
            int formed = expanded == null ? -1 : withinBudget(() -> form(expanded, rowsN[node.id()], colsN[node.id()]));
            return formed >= 0 ? formed : use(node);
        }

        private static boolean linear(Node node) {
            return node.op() instanceof MatrixAlgebra.Add || node.op() instanceof MatrixAlgebra.Subtract
                    || node.op() instanceof MatrixAlgebra.Negate || node.op() instanceof MatrixAlgebra.Scale
                    || node.op() instanceof MatrixAlgebra.Divide;
        }

        /** A use of N×N matrices by a node that is not one, evaluated; or -1 to keep the node. */
        int use(Node node) {
            if (node.op() instanceof MatrixAlgebra.MatMul m) {
                int a = node.input(0);
                int c = node.input(1);
                if (!expandable(a) && !expandable(c)) {
                    return -1;
                }
                Op product = new Prod(List.of(orient(op(a), m.transA()), orient(op(c), m.transB())));
                List<Mono> expanded = expand(product);
                int formed = expanded == null ? -1 : withinBudget(() -> form(expanded, rowsN[node.id()], colsN[node.id()]));
                if (formed >= 0 || square(a) == square(c)) {
                    return formed;
                }
                return withinBudget(() -> square(a) ? right(orient(op(a), m.transA()), map[c], m.transB())
                        : left(map[a], m.transA(), orient(op(c), m.transB())));
            }
            Op traced;
            if (node.op() instanceof Reductions.Trace && expandable(node.input(0)) && provablySquare[node.input(0)]) {
                // (the trace of a non-square matrix is not invariant under rotation)
                traced = op(node.input(0));
            } else if (node.op() instanceof Reductions.Dot d && d.sameShape()
                    && (expandable(node.input(0)) || expandable(node.input(1)))) {
                traced = new Prod(List.of(transpose(op(node.input(0))), op(node.input(1))));
            } else {
                return -1;
            }
            List<Mono> expanded = expand(traced);
            int total = expanded == null ? -1 : withinBudget(() -> {
                int sum = -1;
                for (Mono mono : expanded) {
                    sum = accumulate(sum, mono, traceOf(mono.factors()));
                }
                return sum;
            });
            if (total < 0 && square(node.input(0))) {
                total = withinBudget(() -> trace(traced));
            }
            return total;
        }

        // The expanded form: a sum of monomials ±c·F1·…·Fk over formed matrices. A trace or a thin
        // product of it only ever multiplies small blocks Fᵢᵀ·Fⱼ (q×q, q×D), which hash-consing
        // computes once however many monomials share them; thin results are collected per leading
        // factor, Σ F·Mᵢ = F·(Σ Mᵢ).

        /** Above this many monomials an expression is applied as an operator instead. */
        private static final int MAX_MONOMIALS = 512;
        /**
         * Nodes this pass may add to one program: a use whose expansion would pass it is applied
         * as an operator or kept (what the expansion built stays dead), so that a long chain of
         * nested low-rank sums cannot generate a method beyond the JVM's 64 KB. The GP-LVM's
         * Hessian-vector product adds about 600.
         */
        private static final int NODE_BUDGET = 1200;
        private int nodesSpent;

        /** Evaluates one use's expansion; -1 if it would exceed the budget. */
        private int withinBudget(java.util.function.IntSupplier evaluation) {
            int before = b.size();
            int result = evaluation.getAsInt();
            int added = b.size() - before;
            if (nodesSpent + added > NODE_BUDGET) {
                return -1;
            }
            nodesSpent += added;
            return result;
        }

        /** ±coefficient·F1·…·Fk; coefficient -1 means 1; no factors is the identity. */
        private record Mono(int coefficient, boolean negated, List<Leaf> factors) {}

        private final Map<Op, List<Mono>> expansions = new HashMap<>();
        /** N, an int node, once an identity has been expanded: the trace of the empty monomial. */
        private int identitySize = -1;

        /** {@code w} expanded, or null when it has too many monomials. */
        private List<Mono> expand(Op w) {
            if (expansions.containsKey(w)) {
                return expansions.get(w);
            }
            List<Mono> result;
            if (w instanceof Leaf l) {
                result = List.of(new Mono(-1, false, List.of(l)));
            } else if (w instanceof Ident i) {
                identitySize = i.n();
                result = List.of(new Mono(-1, false, List.of()));
            } else if (w instanceof Sum s) {
                result = new ArrayList<>();
                for (Term t : s.terms()) {
                    List<Mono> inner = expand(t.op());
                    if (inner == null || result.size() + inner.size() > MAX_MONOMIALS) {
                        result = null;
                        break;
                    }
                    for (Mono m : inner) {
                        result.add(new Mono(times(m.coefficient(), t.coefficient()), m.negated() != t.negated(), m.factors()));
                    }
                }
            } else {
                result = List.of(new Mono(-1, false, List.of()));
                for (Op factor : ((Prod) w).factors()) {
                    List<Mono> inner = expand(factor);
                    if (inner == null || (long) result.size() * inner.size() > MAX_MONOMIALS) {
                        result = null;
                        break;
                    }
                    List<Mono> product = new ArrayList<>();
                    for (Mono m : result) {
                        for (Mono n : inner) {
                            List<Leaf> factors = new ArrayList<>(m.factors());
                            factors.addAll(n.factors());
                            product.add(new Mono(times(m.coefficient(), n.coefficient()), m.negated() != n.negated(),
                                    List.copyOf(factors)));
                        }
                    }
                    result = product;
                }
            }
            expansions.put(w, result);
            return result;
        }

        private int times(int c1, int c2) {
            return c1 < 0 ? c2 : c2 < 0 ? c1 : b.mul(Math.min(c1, c2), Math.max(c1, c2));
        }

        /** {@code total ± c·value} (total -1: none yet), matrices or scalars alike. */
        private int accumulate(int total, Mono mono, int value) {
            if (mono.coefficient() >= 0) {
                value = b.scale(value, mono.coefficient());
            }
            return total < 0 ? (mono.negated() ? b.negate(value) : value)
                    : mono.negated() ? b.subtract(total, value) : b.add(total, value);
        }

        /**
         * A thin matrix given as monomials (each starts with an N-row factor when the result has N
         * rows, ends with an N-column one when it has N columns): collected per outer factor.
         */
        private int form(List<Mono> monos, boolean rows, boolean cols) {
            if (!rows && !cols) {
                int total = -1;
                for (Mono mono : monos) {
                    total = accumulate(total, mono, formed(small(mono.factors())));
                }
                return total;
            }
            Map<Leaf, List<Mono>> groups = new java.util.LinkedHashMap<>();
            for (Mono mono : monos) {
                Leaf outer = rows ? mono.factors().get(0) : mono.factors().get(mono.factors().size() - 1);
                List<Leaf> rest = rows ? mono.factors().subList(1, mono.factors().size())
                        : mono.factors().subList(0, mono.factors().size() - 1);
                groups.computeIfAbsent(outer, k -> new ArrayList<>()).add(new Mono(mono.coefficient(), mono.negated(), rest));
            }
            int total = -1;
            for (Map.Entry<Leaf, List<Mono>> group : groups.entrySet()) {
                Leaf outer = group.getKey();
                int alone = -1;
                List<Mono> rests = new ArrayList<>();
                for (Mono rest : group.getValue()) {
                    if (rest.factors().isEmpty()) {
                        alone = accumulate(alone, rest, formed(outer.id(), outer.trans()));
                    } else {
                        rests.add(rest);
                    }
                }
                // Σ cᵢ·Mᵢ; when every Mᵢ is a small product computed transposed, the sum of the
                // transposes, read transposed by the outer product (no transpose formed).
                int inner = -1;
                boolean innerTransposed = false;
                List<Small> smalls = new ArrayList<>();
                for (Mono rest : rests) {
                    boolean innerRows = rows ? outer.colsN() : rest.factors().get(0).rowsN();
                    boolean innerCols = rows ? rest.factors().get(rest.factors().size() - 1).colsN() : outer.rowsN();
                    smalls.add(innerRows || innerCols ? null : small(rest.factors()));
                }
                if (!smalls.isEmpty() && smalls.stream().allMatch(x -> x != null && x.trans())) {
                    innerTransposed = true;
                    for (int i = 0; i < rests.size(); i++) {
                        inner = accumulate(inner, rests.get(i), smalls.get(i).id());
                    }
                } else {
                    for (int i = 0; i < rests.size(); i++) {
                        Mono rest = rests.get(i);
                        int value = smalls.get(i) != null ? formed(smalls.get(i))
                                : form(List.of(new Mono(-1, false, rest.factors())), rows ? outer.colsN() : rest.factors().get(0).rowsN(),
                                        rows ? rest.factors().get(rest.factors().size() - 1).colsN() : outer.rowsN());
                        inner = accumulate(inner, rest, value);
                    }
                }
                int value = alone;
                if (inner >= 0) {
                    int product = rows ? b.matmul(outer.id(), inner, outer.trans(), innerTransposed)
                            : b.matmul(inner, outer.id(), innerTransposed, outer.trans());
                    value = value < 0 ? product : b.add(value, product);
                }
                total = total < 0 ? value : b.add(total, value);
            }
            return total;
        }

        /** A formed small matrix read as {@code op(id)}. */
        private record Small(int id, boolean trans) {}

        /**
         * A product whose rows and columns are small, as blocks split where the inner dimension
         * is small; each block {@code op(A)·…·op(B)} (N inner) is formed once, in a canonical
         * orientation so that {@code Yᵀ·X} and {@code Xᵀ·Y} are one product.
         */
        private Small small(List<Leaf> factors) {
            Small product = null;
            int start = 0;
            for (int i = 0; i < factors.size(); i++) {
                if (!factors.get(i).colsN()) {
                    Small block = block(factors.subList(start, i + 1));
                    product = product == null ? block
                            : new Small(b.matmul(product.id(), block.id(), product.trans(), block.trans()), false);
                    start = i + 1;
                }
            }
            if (start != factors.size()) {
                throw new IllegalStateException("a small product ends in an N-column factor");
            }
            return product;
        }

        private Small block(List<Leaf> leaves) {
            Leaf first = leaves.get(0);
            if (leaves.size() == 1) {
                return new Small(first.id(), first.trans());
            }
            if (leaves.size() == 2) {
                // op(A)·op(B) = (op(B)ᵀ·op(A)ᵀ)ᵀ: never both operands transposed, else one order for both
                Leaf second = leaves.get(1);
                boolean flip = first.trans() && second.trans()
                        || (first.trans() != second.trans() && first.id() > second.id());
                if (flip) {
                    return new Small(b.matmul(second.id(), first.id(), !second.trans(), !first.trans()), true);
                }
                return new Small(b.matmul(first.id(), second.id(), first.trans(), second.trans()), false);
            }
            Leaf last = leaves.get(leaves.size() - 1);
            int applied = formed(last.id(), last.trans());
            for (int i = leaves.size() - 2; i >= 0; i--) {
                applied = b.matmul(leaves.get(i).id(), applied, leaves.get(i).trans(), false);
            }
            return new Small(applied, false);
        }

        /** tr(F1·…·Fk), cut into small blocks where the inner dimension is small. */
        private int traceOf(List<Leaf> factors) {
            if (factors.isEmpty()) {
                return b.apply(new ScalarOps.FromInt(), identitySize);
            }
            int cut = -1;
            for (int i = 0; i < factors.size() && cut < 0; i++) {
                if (!factors.get(i).colsN()) {
                    cut = i;
                }
            }
            if (cut < 0) { // only formed N×N matrices
                return trace(new Prod(List.copyOf(factors)));
            }
            List<Leaf> g = new ArrayList<>(factors.subList(cut + 1, factors.size()));
            g.addAll(factors.subList(0, cut + 1));
            // blocks B1..Bm; tr(B1·…·Bm) = ⟨(B1·…·Bm-1)ᵀ, Bm⟩, a lone block tr(op(A)·…·op(B)) = ⟨op(A)ᵀ, …·op(B)⟩
            int lastStart = g.size() - 1;
            while (lastStart > 0 && g.get(lastStart - 1).colsN()) {
                lastStart--;
            }
            if (lastStart == 0) {
                if (g.size() == 1) {
                    return b.apply(new Reductions.Trace(), g.get(0).id());
                }
                Leaf first = g.get(0);
                if (g.size() == 2) {
                    return pairing(first, g.get(1));
                }
                Small rest = block(g.subList(1, g.size()));
                return pairing(first, new Leaf(rest.id(), rest.trans(), false, false));
            }
            Small head = small(g.subList(0, lastStart));
            Small tail = block(g.subList(lastStart, g.size()));
            return pairing(new Leaf(head.id(), head.trans(), false, false), new Leaf(tail.id(), tail.trans(), false, false));
        }

        /**
         * Whether the old node is N×N or a sum, scaling, transpose or product: such matrices
         * (K⁻¹·Y = Y/c − (α/c)·X·(A⁻¹·Xᵀ·Y) after Woodbury) are expanded where they are used.
         */
        private boolean expandable(int old) {
            Node node = graph.node(old);
            return square(old) || (node.type() == ValueType.MATRIX && structural(node));
        }

        private static boolean structural(Node node) {
            return node.op() instanceof MatrixAlgebra.Add || node.op() instanceof MatrixAlgebra.Subtract
                    || node.op() instanceof MatrixAlgebra.Negate || node.op() instanceof MatrixAlgebra.Scale
                    || node.op() instanceof MatrixAlgebra.Divide || node.op() instanceof MatrixAlgebra.Transpose
                    || node.op() instanceof MatrixAlgebra.MatMul || node.op() instanceof Entrywise.SymmetricSum;
        }

        /** The old node as an expression: N×N nodes structurally, others as formed leaves. */
        private Op op(int old) {
            Op known = ops.get(old);
            if (known != null) {
                return known;
            }
            Node node = graph.node(old);
            Op result;
            if (!expandable(old)) {
                result = new Leaf(map[old], false, rowsN[old], colsN[old]);
            } else if (node.op() instanceof MatrixAlgebra.Add) {
                result = new Sum(List.of(new Term(op(node.input(0)), -1, false), new Term(op(node.input(1)), -1, false)));
            } else if (node.op() instanceof MatrixAlgebra.Subtract) {
                result = new Sum(List.of(new Term(op(node.input(0)), -1, false), new Term(op(node.input(1)), -1, true)));
            } else if (node.op() instanceof MatrixAlgebra.Negate) {
                result = new Sum(List.of(new Term(op(node.input(0)), -1, true)));
            } else if (node.op() instanceof MatrixAlgebra.Scale) {
                result = new Sum(List.of(new Term(op(node.input(0)), map[node.input(1)], false)));
            } else if (node.op() instanceof MatrixAlgebra.Divide) {
                result = new Sum(List.of(new Term(op(node.input(0)), b.div(b.constant(1.0), map[node.input(1)]), false)));
            } else if (node.op() instanceof Broadcasting.Identity) {
                result = new Ident(map[node.input(0)]);
            } else if (node.op() instanceof MatrixAlgebra.Transpose) {
                result = transpose(op(node.input(0)));
            } else if (node.op() instanceof Entrywise.SymmetricSum) {
                Op inner = op(node.input(0));
                result = new Sum(List.of(new Term(inner, -1, false), new Term(transpose(inner), -1, false)));
            } else if (node.op() instanceof MatrixAlgebra.MatMul m) {
                result = new Prod(List.of(orient(op(node.input(0)), m.transA()), orient(op(node.input(1)), m.transB())));
            } else {
                result = new Leaf(map[old], false, rowsN[old], colsN[old]); // formed
            }
            ops.put(old, result);
            return result;
        }

        private Op orient(Op op, boolean trans) {
            return trans ? transpose(op) : op;
        }

        private Op transpose(Op op) {
            if (op instanceof Leaf l) {
                return new Leaf(l.id(), !l.trans(), l.colsN(), l.rowsN());
            }
            if (op instanceof Ident) {
                return op;
            }
            if (op instanceof Sum s) {
                return new Sum(s.terms().stream().map(t -> new Term(transpose(t.op()), t.coefficient(), t.negated())).toList());
            }
            List<Op> reversed = new ArrayList<>(((Prod) op).factors());
            java.util.Collections.reverse(reversed);
            return new Prod(reversed.stream().map(this::transpose).toList());
        }

        /** {@code w·op(z)} for a thin z (new id). */
        private int right(Op w, int z, boolean zTrans) {
            List<Object> key = List.of("right", w, z, zTrans);
            Integer known = applied.get(key);
            if (known != null) {
                return known;
            }
            int result;
            if (w instanceof Leaf l) {
                result = b.matmul(l.id(), z, l.trans(), zTrans);
            } else if (w instanceof Ident) {
                result = formed(z, zTrans);
            } else if (w instanceof Sum s) {
                result = combine(s, t -> right(t, z, zTrans));
            } else {
                List<Op> f = ((Prod) w).factors();
                result = right(f.get(f.size() - 1), z, zTrans);
                for (int i = f.size() - 2; i >= 0; i--) {
                    result = right(f.get(i), result, false);
                }
            }
            applied.put(key, result);
            return result;
        }

        /** {@code op(z)·w} for a thin z (new id): {@code (wᵀ·op(z)ᵀ)ᵀ}. */
        private int left(int z, boolean zTrans, Op w) {
            return b.transpose(right(transpose(w), z, !zTrans));
        }

        /** {@code Σ ±cᵢ·each(termᵢ)}, matrices or scalars alike. */
        private int combine(Sum s, java.util.function.ToIntFunction<Op> each) {
            int total = -1;
            for (Term t : s.terms()) {
                int value = each.applyAsInt(t.op());
                if (t.coefficient() >= 0) {
                    value = b.scale(value, t.coefficient());
                }
                total = total < 0 ? (t.negated() ? b.negate(value) : value)
                        : t.negated() ? b.subtract(total, value) : b.add(total, value);
            }
            return total;
        }

        private int trace(Op w) {
            List<Object> key = List.of("trace", w);
            Integer known = applied.get(key);
            if (known != null) {
                return known;
            }
            int result = traceOf(w);
            applied.put(key, result);
            return result;
        }

        private int traceOf(Op w) {
            if (w instanceof Leaf l) {
                return b.apply(new Reductions.Trace(), l.id());
            }
            if (w instanceof Ident i) {
                return b.apply(new ScalarOps.FromInt(), i.n());
            }
            if (w instanceof Sum s) {
                return combine(s, this::trace);
            }
            List<Op> f = new ArrayList<>();
            flatten(w, f);
            f.removeIf(x -> x instanceof Ident);
            if (f.isEmpty()) {
                throw new IllegalStateException("a product of identities is its own factor");
            }
            if (f.size() == 1) {
                return trace(f.get(0));
            }
            // A boundary F_i|F_i+1 of small inner dimension (only thin matrices have one): rotated to
            // start there, tr(F_i+1·…·F_i) = ⟨F_i+1ᵀ, (F_i+2·…·F_i-1)·F_i⟩, applied right to left.
            for (int i = 0; i < f.size(); i++) {
                if (f.get(i) instanceof Leaf last && !last.colsN() && f.get((i + 1) % f.size()) instanceof Leaf first) {
                    List<Op> g = new ArrayList<>(f.subList(i + 1, f.size()));
                    g.addAll(f.subList(0, i + 1));
                    if (g.size() == 2) {
                        return pairing(first, last);
                    }
                    Op middle = g.size() == 3 ? g.get(1) : new Prod(List.copyOf(g.subList(1, g.size() - 1)));
                    int applied = right(middle, last.id(), last.trans());
                    return pairing(first, new Leaf(applied, false, first.colsN(), last.colsN()));
                }
            }
            // No thin factor: a sum among the factors is traced term by term.
            for (int i = 0; i < f.size(); i++) {
                if (f.get(i) instanceof Sum s) {
                    List<Op> rest = new ArrayList<>(f.subList(i + 1, f.size()));
                    rest.addAll(f.subList(0, i));
                    return combine(s, t -> {
                        List<Op> rotated = new ArrayList<>();
                        rotated.add(t);
                        rotated.addAll(rest);
                        return trace(new Prod(rotated));
                    });
                }
            }
            // Only formed N×N matrices: form their product.
            Leaf head = (Leaf) f.get(0);
            int product = formed(head.id(), head.trans());
            for (int i = 1; i < f.size() - 1; i++) {
                Leaf l = (Leaf) f.get(i);
                product = b.matmul(product, l.id(), false, l.trans());
            }
            return pairing(new Leaf(product, false, true, true), (Leaf) f.get(f.size() - 1));
        }

        /** tr(op(a)·op(c)) as an inner product. */
        private int pairing(Leaf a, Leaf c) {
            if (a.trans() != c.trans()) {
                return dot(a.id(), c.id()); // tr(A·Cᵀ) = tr(Aᵀ·C) = ⟨A, C⟩
            }
            // tr(A·C) = ⟨Aᵀ, C⟩ = ⟨Cᵀ, A⟩ (and tr(Aᵀ·Cᵀ) likewise): transpose one, a transpose already formed if any
            int first = Math.min(a.id(), c.id());
            int second = Math.max(a.id(), c.id());
            if (b.find(new MatrixAlgebra.Transpose(), first) < 0 && b.find(new MatrixAlgebra.Transpose(), second) >= 0) {
                return dot(b.transpose(second), first);
            }
            return dot(b.transpose(first), second);
        }

        /** ⟨x, y⟩, operands in one order (the inner product is symmetric: one node for both). */
        private int dot(int x, int y) {
            return b.apply(new Reductions.Dot(true), Math.min(x, y), Math.max(x, y));
        }

        /** {@code op(id)} as a node: the matrix, or its transpose formed. */
        private int formed(int id, boolean trans) {
            return trans ? b.transpose(id) : id;
        }

        private int formed(Small small) {
            return formed(small.id(), small.trans());
        }

        private void flatten(Op w, List<Op> into) {
            if (w instanceof Prod p) {
                for (Op f : p.factors()) {
                    flatten(f, into);
                }
            } else {
                into.add(w);
            }
        }
    }
}
