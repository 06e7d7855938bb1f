package dev.adjoint.processor.emit;

import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.shape.ShapeInference;
import dev.adjoint.processor.shape.ShapeInference.Anchor;
import java.util.HashMap;
import java.util.Map;

/**
 * One program lowered into one method body ({@code value}, {@code gradient},
 * {@code hessianVectorProduct} or a low-rank version of one): its graph, its shapes, each node's
 * Java name (filled by {@link FieldLayout}), and how its nodes read in comments and Javadoc.
 */
final class MethodUnit {
    final Program program;
    final Graph graph;
    final ShapeInference shapes;
    final FormulaPrinter formulas;
    final Map<Integer, String> names = new HashMap<>();

    MethodUnit(Program program, ShapeInference shapes) {
        this.program = program;
        this.graph = program.graph();
        this.shapes = shapes;
        this.formulas = new FormulaPrinter(graph);
    }

    /** The unit of an optional program (a low-rank or second-order version), or null without one. */
    static MethodUnit ofOptional(Program program, ShapeInference shapes) {
        return program == null ? null : new MethodUnit(program, shapes);
    }

    /** What a node's workspace field holds, for its Javadoc. */
    String fieldDoc(Node node) {
        Integer primal = program.cotangentOf().get(node.id());
        if (primal != null) {
            return "∂L/∂(" + describeNode(graph.node(primal)) + ")";
        }
        if (!node.origin().text().isEmpty()) {
            return node.origin().text();
        }
        return formulas.print(node.id());
    }

    /** The comment above the statements that compute a node: a cotangent also shows its formula. */
    String commentFor(Node node) {
        Integer primal = program.cotangentOf().get(node.id());
        if (primal != null) {
            return "∂L/∂(" + describeNode(graph.node(primal)) + ") = " + formulas.print(node.id());
        }
        if (!node.origin().text().isEmpty()) {
            return node.origin().text();
        }
        return formulas.print(node.id());
    }

    private String describeNode(Node node) {
        String name = graph.names().get(node.id());
        if (node.op() instanceof Leaves.Param param) {
            return param.name();
        }
        return name != null ? name : node.origin().text().isEmpty() ? formulas.print(node.id()) : node.origin().text();
    }

    /** A size as a Java expression of this method: an argument's dimension, a constant or an integer local. */
    String anchor(Anchor a) {
        if (a instanceof Anchor.ParameterDim p) {
            return p.parameter() + (p.axis() == 0 ? ".numRows" : ".numCols");
        } else if (a instanceof Anchor.Constant c) {
            return Integer.toString(c.value());
        } else if (a instanceof Anchor.IntValue v) {
            return names.get(v.node());
        } else if (a instanceof Anchor.Derived) {
            return shapes.render(a, this::anchor);
        }
        throw new IllegalStateException("symbol " + ((Anchor.Symbol) a).name() + " has no value");
    }
}
