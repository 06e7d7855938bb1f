package dev.adjoint.processor.ad;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.JvpContext;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.ops.Regions;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Second derivatives by forward over reverse: the differentiated program (forward and backward
 * pass) is itself differentiated in forward mode along one direction per wrt parameter. The
 * tangent of the gradient of parameter {@code X} is then the Hessian-vector product H·d for
 * {@code X}, where d stacks the directions. Each node's tangent comes from its op's
 * {@link dev.adjoint.processor.ops.Primitive#jvp} rule and is built from ordinary primitives,
 * appended to the same graph, so the result is one program that the passes and the emitter treat
 * like any other.
 */
public final class ForwardMode {
    private ForwardMode() {}

    /**
     * The second-order program, and the nodes whose op has no forward-mode rule (the program is
     * then incomplete and must not be emitted).
     */
    public record Result(Program program, List<Node> unsupported) {}

    /** The name of the direction argument for wrt parameter {@code parameter}: {@code dX}. */
    public static String directionName(String parameter) {
        return "d" + parameter.substring(0, 1).toUpperCase(Locale.ROOT) + parameter.substring(1);
    }

    /**
     * @param program a differentiated program (from {@link ReverseMode})
     * @param taken names the direction arguments must not clash with (the parameters)
     */
    public static Result hessianVectorProducts(Program program, java.util.Set<String> taken) {
        Graph graph = program.graph();
        Builder b = Builder.from(graph);
        Map<Integer, Integer> tangents = new java.util.HashMap<>();
        List<Integer> directions = new ArrayList<>();
        java.util.Set<String> used = new java.util.HashSet<>(taken);
        for (int p : program.parameters()) {
            Leaves.Param param = (Leaves.Param) graph.node(p).op();
            if (!program.wrt().contains(param.name())) {
                continue;
            }
            String name = directionName(param.name());
            while (!used.add(name)) {
                name = name + "_";
            }
            int direction = b.apply(new Leaves.Direction(name, param.name(), param.type()), p);
            directions.add(direction);
            tangents.put(p, direction);
        }

        List<Node> unsupported = new ArrayList<>();
        propagate(graph, program.gradientNodes(), b, tangents, unsupported);

        Map<String, Integer> products = new LinkedHashMap<>();
        program.gradients().forEach((name, gradient) -> {
            Integer tangent = tangents.get(gradient);
            if (tangent != null) {
                products.put(name, tangent);
            }
        });
        Program second = new Program(b.build(), program.parameters(), program.wrt(), program.result(), program.gradients(),
                program.cotangentOf(), directions, products);
        return new Result(second, unsupported);
    }

    /**
     * The tangent of a region (forward mode of a sub-program, for the forward-mode rule of a
     * branch): a region over {@code region}'s inputs, then one tangent input per input {@code j}
     * with {@code withTangent.get(j)} (in order), that recomputes {@code region} and yields the
     * tangent of each of its outputs: zero where an output does not depend on the tangents, the
     * output itself where it is not differentiable (an int or boolean, whose tangent no one reads).
     * Nodes without a forward-mode rule are reported through {@code outer}.
     */
    public static Regions.Region tangentRegion(Regions.Region region, List<Boolean> withTangent, JvpContext outer) {
        Graph graph = region.graph();
        Builder b = Builder.from(graph);
        List<ValueType> types = new ArrayList<>(region.inputTypes());
        List<Integer> leaves = new ArrayList<>(region.inputLeaves());
        Map<Integer, Integer> tangents = new java.util.HashMap<>();
        for (int j = 0; j < withTangent.size(); j++) {
            if (!withTangent.get(j)) {
                continue;
            }
            int leaf = b.apply(new Regions.Input(types.size(), region.inputTypes().get(j)));
            int primal = region.inputLeaves().get(j);
            if (primal >= 0) {
                tangents.put(primal, leaf);
                String name = graph.names().get(primal);
                if (name != null) {
                    b.name(leaf, directionName(name));
                }
            }
            types.add(region.inputTypes().get(j));
            leaves.add(leaf);
        }
        List<Node> unsupported = new ArrayList<>();
        propagate(graph, graph.ancestors(region.outputs()), b, tangents, unsupported);
        unsupported.forEach(outer::noRule);
        List<Integer> outputs = new ArrayList<>();
        for (int out : region.outputs()) {
            ValueType t = graph.node(out).type();
            outputs.add(!t.differentiable() ? out
                    : tangents.containsKey(out) ? tangents.get(out) : ReverseMode.zero(b, out));
        }
        return new Regions.Region(b.build(), types, leaves, outputs);
    }

    /**
     * Applies each live node's forward-mode rule, in order, to the nodes with a tangent input;
     * {@code tangents} (node → its tangent) grows, and nodes without a rule go to {@code unsupported}.
     */
    private static void propagate(Graph graph, BitSet live, Builder b, Map<Integer, Integer> tangents, List<Node> unsupported) {
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            if (tangents.containsKey(id) || node.op().isLeaf() || node.type() == ValueType.INT
                    || node.inputs().stream().noneMatch(tangents::containsKey)) {
                continue;
            }
            int tangent = node.op().jvp(new Context(b, node, tangents, unsupported), node);
            if (tangent >= 0) {
                tangents.put(id, tangent);
            }
        }
    }

    private record Context(Builder builder, Node node, Map<Integer, Integer> tangents, List<Node> unsupported)
            implements JvpContext {
        @Override
        public int tangent(int position) {
            return tangents.getOrDefault(node.input(position), -1);
        }

        @Override
        public int noRule(Node node) {
            unsupported.add(node);
            return -1;
        }
    }
}
