package dev.adjoint.processor.emit;

import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ops.Formula;
import dev.adjoint.processor.ops.FormulaContext;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.ops.MatrixAlgebra;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prints IR nodes as matrix formulas for the generated Javadoc and statement comments. Nodes with
 * a name print as that name and are defined once in a {@code where} clause: the user's locals,
 * and subexpressions that several gradients share (the cotangent of a local {@code h} is
 * {@code ∂h}, others {@code G1}, {@code G2}, ...). So a gradient reads like
 * {@code W·x·rᵀ + W·r·xᵀ} where {@code r = Wᵀ·W·x − x}.
 */
public final class FormulaPrinter {
    /** Shared subexpressions this short (in characters) are repeated rather than named. */
    private static final int SHORT = 12;

    /**
     * An operand whose expansion would be longer than this prints as {@code (…)}: expansions
     * grow exponentially in repeated squarings (A·A, then (A·A)·(A·A), ...), and comments must not.
     */
    private static final long LONGEST_OPERAND = 160;

    private final Map<Integer, Long> lengths = new HashMap<>();

    private final Graph graph;
    private final Map<Integer, String> names;

    public FormulaPrinter(Graph graph) {
        this(graph, Map.of());
    }

    /** @param sharedNames names for subexpressions besides the user's locals (see {@link #sharedNames}) */
    public FormulaPrinter(Graph graph, Map<Integer, String> sharedNames) {
        this.graph = graph;
        this.names = new HashMap<>(graph.names());
        this.names.putAll(sharedNames);
    }

    /**
     * Names for the nodes that the formulas of {@code roots} would otherwise print more than once.
     *
     * @param cotangentOf backward node → the forward node whose cotangent it is
     */
    public static Map<Integer, String> sharedNames(Graph graph, Collection<Integer> roots, Map<Integer, Integer> cotangentOf) {
        return sharedNames(graph, roots, cotangentOf, false);
    }

    /**
     * As {@link #sharedNames(Graph, Collection, Map)}; with {@code nameLong}, also names every
     * subexpression whose expansion would be elided as {@code (…)} (second-order formulas nest
     * deeply), so the where-list defines it instead.
     */
    public static Map<Integer, String> sharedNames(Graph graph, Collection<Integer> roots, Map<Integer, Integer> cotangentOf,
            boolean nameLong) {
        Map<Integer, Integer> uses = new HashMap<>();
        Set<Integer> expanded = new LinkedHashSet<>();
        List<Integer> stack = new ArrayList<>(roots);
        while (!stack.isEmpty()) {
            int id = stack.remove(stack.size() - 1);
            Node node = graph.node(id);
            if (!expanded.add(id) || graph.names().containsKey(id) || node.op().isLeaf()) {
                continue;
            }
            for (int in : node.inputs()) {
                uses.merge(in, 1, Integer::sum);
                stack.add(in);
            }
        }
        for (int root : roots) {
            uses.merge(root, 1, Integer::sum);
        }
        Map<Integer, String> shared = new HashMap<>();
        Set<String> taken = new LinkedHashSet<>(graph.names().values());
        FormulaPrinter plain = new FormulaPrinter(graph);
        int counter = 0;
        for (int id = 0; id < graph.size(); id++) {
            Node node = graph.node(id);
            // Ids ascend, so a node's length is taken with its operands' names already in place.
            boolean tooLong = nameLong && uses.containsKey(id) && plain.expandedLength(id) > LONGEST_OPERAND / 2;
            if ((uses.getOrDefault(id, 0) < 2 && !tooLong) || graph.names().containsKey(id) || node.op().isLeaf()
                    || node.op() instanceof MatrixAlgebra.Transpose || node.inputs().isEmpty()
                    || plain.expandedLength(id) <= SHORT || plain.print(id).length() <= SHORT) {
                continue; // short enough to read inline: W·r·xᵀ beats W·G1
            }
            Integer primal = cotangentOf.get(id);
            String name = null;
            if (primal != null) {
                Node p = graph.node(primal);
                String base = p.op() instanceof Leaves.Param param ? param.name() : graph.names().get(primal);
                if (base != null && taken.add("∂" + base)) {
                    name = "∂" + base;
                }
            }
            while (name == null) {
                String candidate = "G" + ++counter;
                if (taken.add(candidate)) {
                    name = candidate;
                }
            }
            shared.put(id, name);
            plain.names.put(id, name);
        }
        return shared;
    }

    /**
     * An upper estimate of the length of a node's expansion, with named nodes counted by their
     * names: computed over the DAG in linear time, never by printing.
     */
    long expandedLength(int id) {
        Long known = lengths.get(id);
        if (known != null) {
            return known;
        }
        Node node = graph.node(id);
        long length = 8;
        for (int in : node.inputs()) {
            String name = names.get(in);
            length += name != null ? name.length() + 2 : expandedLength(in);
            length = Math.min(length, Long.MAX_VALUE / 4);
        }
        lengths.put(id, length);
        return length;
    }

    /** One node's formula, with named operands printed by name. */
    public String print(int id) {
        return new Context(id, new LinkedHashSet<>(), null).print(id).text();
    }

    /** The formula, then the definition of each name it mentions . */
    public List<String> printWithDefinitionList(int id) {
        Set<Integer> mentioned = new LinkedHashSet<>();
        Map<String, String> symbols = new java.util.LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        lines.add(new Context(id, mentioned, symbols).print(id).text());
        lines.addAll(definitions(mentioned, symbols));
        return lines;
    }

    /** Several formulas that share one list of definitions: the formulas, then the definitions. */
    public List<String> printAll(List<Integer> ids, List<String> definitions) {
        Set<Integer> mentioned = new LinkedHashSet<>();
        Map<String, String> symbols = new java.util.LinkedHashMap<>();
        List<String> formulas = new ArrayList<>();
        for (int id : ids) {
            formulas.add(new Context(id, mentioned, symbols).print(id).text());
        }
        definitions.addAll(definitions(mentioned, symbols));
        return formulas;
    }

    /**
     * {@code name = formula} for each mentioned name and, transitively, the names those mention;
     * then the symbols the formulas use ({@code N = cols(Y)}, {@code ones}).
     */
    private List<String> definitions(Set<Integer> mentioned, Map<String, String> symbols) {
        List<String> where = new ArrayList<>();
        Set<Integer> done = new LinkedHashSet<>();
        Set<Integer> pending = new LinkedHashSet<>(mentioned);
        while (!pending.isEmpty()) {
            int next = pending.iterator().next();
            pending.remove(next);
            if (done.add(next)) {
                Set<Integer> more = new LinkedHashSet<>();
                where.add(names.get(next) + " = " + new Context(next, more, symbols).print(next).text());
                more.removeAll(done);
                pending.addAll(more);
            }
        }
        where.addAll(symbols.values());
        return where;
    }

    private final class Context implements FormulaContext {
        private final int root;
        private final Set<Integer> mentioned;
        /** Symbol → its where-list line; null where there is no where-list (a statement comment). */
        private final Map<String, String> symbols;

        Context(int root, Set<Integer> mentioned, Map<String, String> symbols) {
            this.root = root;
            this.mentioned = mentioned;
            this.symbols = symbols;
        }

        @Override
        public String symbol(String name, String value, String definition) {
            if (symbols == null || names.containsValue(name)) {
                return value; // no where-list, or the name is one of the user's: write it out
            }
            String defined = symbols.putIfAbsent(name, definition);
            return defined == null || defined.equals(definition) ? name : value;
        }

        @Override
        public Formula print(int id) {
            return render(id, false);
        }

        @Override
        public Node node(int id) {
            return graph.node(id);
        }

        @Override
        public boolean isNamed(int id) {
            return names.containsKey(id) && id != root;
        }

        @Override
        public Formula printTransposed(int id) {
            return render(id, true);
        }

        private Formula render(int id, boolean transposed) {
            Node node = graph.node(id);
            String name = names.get(id);
            if (name != null && id != root && !(node.op() instanceof Leaves.Param)) {
                mentioned.add(id);
                return Formula.atom(transposed ? name + "ᵀ" : name);
            }
            if (id != root && expandedLength(id) > LONGEST_OPERAND) {
                return Formula.atom(transposed ? "(…)ᵀ" : "(…)");
            }
            return node.op().formula(this, node, transposed);
        }
    }
}
