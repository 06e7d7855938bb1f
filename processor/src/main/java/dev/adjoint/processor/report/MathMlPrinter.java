package dev.adjoint.processor.report;

import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ops.Entrywise;
import dev.adjoint.processor.ops.Formula;
import dev.adjoint.processor.ops.FormulaContext;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.ops.LinearAlgebra;
import dev.adjoint.processor.ops.MatrixAlgebra;
import dev.adjoint.processor.ops.ScalarOps;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders IR nodes as MathML, the typeset counterpart of {@code emit.FormulaPrinter}: the same
 * names (the user's locals and the shared subexpressions of {@code FormulaPrinter.sharedNames}),
 * defined once in a "where" list. Fractions, inverses, transposes and powers are built as
 * {@code mfrac} and {@code msup}; every other op is rendered from its own {@code formula()}
 * template, with each operand substituted as MathML (so every op of the IR renders, and the
 * operator precedences and parentheses are the ops' own).
 */
final class MathMlPrinter {
    /** An operand whose expansion would be longer than this prints as (…), like the Javadoc. */
    private static final long LONGEST_OPERAND = 160;
    private static final char OPEN = '\uE000';
    private static final char CLOSE = '\uE001';

    private final Graph graph;
    private final Map<Integer, String> names;
    private final Map<Integer, Long> lengths = new HashMap<>();

    /** A rendered node and the precedence of its outermost operator ({@link Formula}'s scale). */
    record Rendered(MathMl math, int precedence) {}

    MathMlPrinter(Graph graph, Map<Integer, String> sharedNames) {
        this.graph = graph;
        this.names = new HashMap<>(graph.names());
        this.names.putAll(sharedNames);
    }

    /** The formula of {@code id}, with named operands (not {@code id} itself) printed by name. */
    MathMl print(int id, Set<Integer> mentioned) {
        return new Context(id, mentioned).render(id, false).math();
    }

    /** {@code name = formula} for each mentioned name and, transitively, the names those mention. */
    List<MathMl> definitions(Set<Integer> mentioned) {
        List<MathMl> where = new ArrayList<>();
        Set<Integer> done = new LinkedHashSet<>();
        Set<Integer> pending = new LinkedHashSet<>(mentioned);
        while (!pending.isEmpty()) {
            int next = pending.iterator().next();
            pending.remove(next);
            if (done.add(next)) {
                Set<Integer> more = new LinkedHashSet<>();
                MathMl formula = print(next, more);
                where.add(MathMl.row(MathMl.identifier(names.get(next)), MathMl.mo("="), formula));
                more.removeAll(done);
                pending.addAll(more);
            }
        }
        return where;
    }

    private long expandedLength(int id) {
        Long known = lengths.get(id);
        if (known != null) {
            return known;
        }
        long length = 8;
        for (int in : graph.node(id).inputs()) {
            String name = names.get(in);
            length += name != null ? name.length() + 2 : expandedLength(in);
            length = Math.min(length, Long.MAX_VALUE / 4);
        }
        lengths.put(id, length);
        return length;
    }

    private final class Context implements FormulaContext {
        private final int root;
        private final Set<Integer> mentioned;
        /** Operands substituted into the current template, by placeholder index. */
        private List<MathMl> operands = new ArrayList<>();

        Context(int root, Set<Integer> mentioned) {
            this.root = root;
            this.mentioned = mentioned;
        }

        Rendered render(int id, boolean transposed) {
            Node node = graph.node(id);
            String name = names.get(id);
            if (node.op() instanceof Leaves.Param param) {
                MathMl m = MathMl.identifier(param.name());
                return new Rendered(transposed ? MathMl.transposed(m) : m, Formula.ATOM);
            }
            if (name != null && id != root) {
                mentioned.add(id);
                MathMl m = MathMl.identifier(name);
                return new Rendered(transposed ? MathMl.transposed(m) : m, Formula.ATOM);
            }
            if (id != root && expandedLength(id) > LONGEST_OPERAND) {
                MathMl m = MathMl.row(MathMl.mo("("), MathMl.mi("…"), MathMl.mo(")"));
                return new Rendered(transposed ? MathMl.transposed(m) : m, Formula.ATOM);
            }
            return structured(node, transposed);
        }

        private Rendered structured(Node node, boolean transposed) {
            Object op = node.op();
            if (op instanceof MatrixAlgebra.Divide) {
                return new Rendered(MathMl.frac(render(node.input(0), transposed).math(), render(node.input(1), false).math()),
                        Formula.PRODUCT);
            }
            if (op instanceof ScalarOps.Arith arith && arith.op() == ScalarOps.Op.DIV) {
                return new Rendered(MathMl.frac(render(node.input(0), false).math(), render(node.input(1), false).math()),
                        Formula.PRODUCT);
            }
            if (op instanceof LinearAlgebra.Inverse || op instanceof LinearAlgebra.SpdInverse) {
                MathMl base = atom(render(node.input(0), false));
                MathMl exponent = transposed && op instanceof LinearAlgebra.Inverse
                        ? MathMl.row(MathMl.mo("−"), MathMl.upright("T")) : MathMl.row(MathMl.mo("−"), MathMl.mn("1"));
                return new Rendered(MathMl.sup(base, exponent), Formula.ATOM);
            }
            if (op instanceof Entrywise.ElementPower) {
                MathMl base = atom(render(node.input(0), transposed));
                return new Rendered(MathMl.sup(base, MathMl.row(MathMl.mo("∘"), render(node.input(1), false).math())), Formula.ATOM);
            }
            if (op instanceof ScalarOps.Pow) {
                return new Rendered(MathMl.sup(atom(render(node.input(0), false)), render(node.input(1), false).math()),
                        Formula.ATOM);
            }
            return templated(node, transposed);
        }

        private MathMl atom(Rendered r) {
            return r.precedence() >= Formula.ATOM ? r.math() : MathMl.parens(r.math());
        }

        /** The op's own formula, its operands substituted as MathML. */
        private Rendered templated(Node node, boolean transposed) {
            List<MathMl> saved = operands;
            operands = new ArrayList<>();
            try {
                Formula f = node.op().formula(this, node, transposed);
                return new Rendered(Tokens.toMathMl(f.text(), operands, OPEN, CLOSE), f.precedence());
            } finally {
                operands = saved;
            }
        }

        /** A placeholder for an operand; a leading minus stays visible to the op's template (a + −b reads a − b). */
        private Formula placeholder(Rendered r) {
            MathMl m = r.math();
            if (m.tag.equals("mrow") && m.first().isOperator("−") && r.precedence() == Formula.UNARY) {
                operands.add(m.rest());
                return new Formula("−" + OPEN + (operands.size() - 1) + CLOSE, r.precedence());
            }
            operands.add(m);
            return new Formula(OPEN + "" + (operands.size() - 1) + CLOSE, r.precedence());
        }

        private Formula operand(int id, boolean transposed) {
            Node node = graph.node(id);
            if ((node.op() instanceof Leaves.ScalarConst || node.op() instanceof Leaves.IntConst) && !names.containsKey(id)) {
                return node.op().formula(this, node, false); // literals as text: templates compare them ("1")
            }
            return placeholder(render(id, transposed));
        }

        @Override
        public Formula print(int id) {
            return operand(id, false);
        }

        @Override
        public Formula printTransposed(int id) {
            return operand(id, true);
        }

        @Override
        public Node node(int id) {
            return graph.node(id);
        }

        @Override
        public boolean isNamed(int id) {
            return names.containsKey(id) && id != root;
        }
    }
}
