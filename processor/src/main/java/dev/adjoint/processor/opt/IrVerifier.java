package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.shape.ShapeInference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks the invariants every pass must keep, so that a pass bug surfaces as an internal error
 * naming the pass instead of as wrong generated code: nodes numbered in order with earlier
 * inputs only, each node's type its op's type, parameters as leaves, a scalar result, one
 * gradient per differentiable parameter of that parameter's type, and shapes that re-infer
 * without contradiction, each gradient shaped like its parameter.
 */
public final class IrVerifier {
    private IrVerifier() {}

    /** The problems found, empty when the program is well formed. */
    public static List<String> problems(Program program, PassContext context) {
        List<String> problems = new ArrayList<>();
        Graph graph = program.graph();
        for (int id = 0; id < graph.size(); id++) {
            Node node = graph.node(id);
            if (node.id() != id) {
                problems.add("node at position " + id + " has id %" + node.id());
            }
            for (int in : node.inputs()) {
                if (in < 0 || in >= id) {
                    problems.add("%" + id + " reads %" + in + ", which is not an earlier node");
                }
            }
            if (node.type() != node.op().type()) {
                problems.add("%" + id + " has type " + node.type() + " but " + node.op() + " produces " + node.op().type());
            }
        }
        if (!problems.isEmpty()) {
            return problems; // the checks below index the graph
        }
        Set<String> parameterNames = new HashSet<>();
        for (int p : program.parameters()) {
            if (graph.node(p).op() instanceof Leaves.Param param) {
                parameterNames.add(param.name());
            } else {
                problems.add("parameter %" + p + " is " + graph.node(p).op() + ", not a parameter");
            }
        }
        if (graph.node(program.result()).type() != ValueType.SCALAR) {
            problems.add("the result %" + program.result() + " is not a double");
        }
        for (String wrt : program.wrt()) {
            if (!parameterNames.contains(wrt)) {
                problems.add("wrt names " + wrt + ", which is not a parameter");
            }
        }
        ShapeInference shapes = context.shapes(program);
        for (ShapeInference.Problem problem : shapes.problems()) {
            problems.add("shapes contradict at %" + problem.node().id() + " (" + problem.node().op() + "): " + problem.message());
        }
        checkShapedLikeParameters(program, shapes, program.gradients(), "gradient for ", "∂L/∂", problems);
        checkShapedLikeParameters(program, shapes, program.hessianVectorProducts(), "Hessian-vector product for ", "H·d for ",
                problems);
        for (int d : program.directions()) {
            if (!(graph.node(d).op() instanceof Leaves.Direction)) {
                problems.add("direction %" + d + " is " + graph.node(d).op() + ", not a direction");
            }
        }
        return problems;
    }

    /**
     * Each output (a gradient, an H·d) belongs to a wrt parameter and has its type and shape;
     * {@code kind} and {@code label} name it in messages ("gradient for X", "∂L/∂X").
     */
    private static void checkShapedLikeParameters(Program program, ShapeInference shapes, java.util.Map<String, Integer> outputs,
            String kind, String label, List<String> problems) {
        Graph graph = program.graph();
        outputs.forEach((name, id) -> {
            Node param = null;
            for (int p : program.parameters()) {
                if (graph.node(p).op() instanceof Leaves.Param lp && lp.name().equals(name)) {
                    param = graph.node(p);
                }
            }
            if (param == null || !program.wrt().contains(name)) {
                problems.add(kind + name + ", which is not a wrt parameter");
            } else if (graph.node(id).type() != param.type()) {
                problems.add(label + name + " (%" + id + ") is a " + graph.node(id).type() + " but " + name + " is a " + param.type());
            } else if (param.type() == ValueType.MATRIX && !shapes.sameShape(id, param.id())) {
                problems.add(label + name + " (%" + id + ") is " + shapes.describeShape(id) + " but " + name + " is "
                        + shapes.describeShape(param.id()));
            }
        });
    }

    /** Throws naming {@code after} if the program is not well formed. */
    public static void verify(Program program, PassContext context, String after) {
        List<String> problems = problems(program, context);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the IR is malformed after " + after + ": " + String.join("; ", problems));
        }
    }
}
