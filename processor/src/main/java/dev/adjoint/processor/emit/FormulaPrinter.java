package dev.adjoint.processor.emit;

import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ops.Formula;
import dev.adjoint.processor.ops.FormulaContext;
import dev.adjoint.processor.ops.Leaves;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Prints IR nodes as matrix formulas for the generated Javadoc and statement comments. Nodes the
 * user named (locals) print as their names, and their definitions are listed once in a
 * {@code where} clause, so a gradient reads like {@code W·x·rᵀ + W·r·xᵀ, r = Wᵀ·W·x − x}.
 */
public final class FormulaPrinter {
    private final Graph graph;

    public FormulaPrinter(Graph graph) {
        this.graph = graph;
    }

    /** One node's formula, with user-named operands printed by name. */
    public String print(int id) {
        return new Context(id, new LinkedHashSet<>()).print(id).text();
    }

    /** {@code formula} followed by the definitions of every named local it mentions. */
    public String printWithDefinitions(int id) {
        Set<Integer> mentioned = new LinkedHashSet<>();
        String text = new Context(id, mentioned).print(id).text();
        List<String> where = new ArrayList<>();
        Set<Integer> done = new LinkedHashSet<>();
        while (!mentioned.isEmpty()) {
            int next = mentioned.iterator().next();
            mentioned.remove(next);
            if (done.add(next)) {
                Set<Integer> more = new LinkedHashSet<>();
                where.add(graph.names().get(next) + " = " + new Context(next, more).print(next).text());
                more.removeAll(done);
                mentioned.addAll(more);
            }
        }
        return where.isEmpty() ? text : text + ", where " + String.join(", ", where);
    }

    private final class Context implements FormulaContext {
        private final int root;
        private final Set<Integer> mentioned;

        Context(int root, Set<Integer> mentioned) {
            this.root = root;
            this.mentioned = mentioned;
        }

        @Override
        public Formula print(int id) {
            return render(id, false);
        }

        @Override
        public Formula printTransposed(int id) {
            return render(id, true);
        }

        private Formula render(int id, boolean transposed) {
            Node node = graph.node(id);
            String name = graph.names().get(id);
            if (name != null && id != root && !(node.op() instanceof Leaves.Param)) {
                mentioned.add(id);
                return Formula.atom(transposed ? name + "ᵀ" : name);
            }
            return node.op().formula(this, node, transposed);
        }
    }
}
