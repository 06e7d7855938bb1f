package dev.adjoint.processor.ops;

import dev.adjoint.processor.ad.ForwardMode;
import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.ValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Structured control flow in the IR. A loop or a branch is ONE node of the enclosing graph (an
 * op of type {@link ValueType#TUPLE}), holding its body as a nested, immutable sub-program, a
 * {@link Region}; outer passes treat it as an opaque node, and its several results are read
 * through {@link Out} projections. Regions nest: a region's graph may itself hold loops and
 * branches.
 */
public final class Regions {
    private Regions() {}

    /**
     * A sub-program: a graph whose inputs are {@link Input} leaves numbered from 0, and the nodes
     * it yields.
     *
     * @param graph the region's nodes
     * @param inputTypes the type of each input, by index (the op's operands, in its own order)
     * @param inputLeaves for each input index, the {@link Input} leaf of {@code graph}, or -1 when
     *     the region does not read that input
     * @param outputs the nodes the region yields, in order
     */
    public record Region(Graph graph, List<ValueType> inputTypes, List<Integer> inputLeaves, List<Integer> outputs)
            implements java.io.Serializable {
        public Region {
            inputTypes = List.copyOf(inputTypes);
            inputLeaves = List.copyOf(inputLeaves);
            outputs = List.copyOf(outputs);
        }

        public ValueType outputType(int k) {
            return graph.node(outputs.get(k)).type();
        }

        public int inputCount() {
            return inputTypes.size();
        }

        /** This region with different outputs (nodes of its graph). */
        public Region withOutputs(List<Integer> outputs) {
            return new Region(graph, inputTypes, inputLeaves, outputs);
        }

        /**
         * This region with its inputs renumbered: input {@code i} becomes input {@code newIndex[i]}
         * (an op that reorders its operands, such as a loop whose tangents join its carried values,
         * renumbers its regions to match); {@code types} gives every input's type, and inputs no old
         * one maps to are unread.
         */
        public Region renumberInputs(int[] newIndex, List<ValueType> types) {
            Map<Integer, Integer> inputOf = new HashMap<>();
            for (Node node : graph.nodes()) {
                if (node.op() instanceof Input input) {
                    inputOf.put(node.id(), newIndex[input.index()]);
                }
            }
            return withInputs(inputOf, types, "");
        }

        /**
         * This region with the nodes of {@code inputOf} (node id → input index) turned into inputs of
         * the given {@code types}, every other node replayed on them; a node that was not an input
         * before keeps its name with {@code suffix} appended. Inputs no node maps to are unread.
         */
        public Region withInputs(Map<Integer, Integer> inputOf, List<ValueType> types, String suffix) {
            Builder b = new Builder();
            int[] map = new int[graph.size()];
            Integer[] leaves = new Integer[types.size()];
            Arrays.fill(leaves, -1);
            for (Node node : graph.nodes()) {
                Integer index = inputOf.get(node.id());
                if (index != null) {
                    map[node.id()] = b.apply(new Input(index, node.type()), node.origin(), List.of());
                    leaves[index] = map[node.id()];
                } else {
                    List<Integer> in = new ArrayList<>();
                    for (int id : node.inputs()) {
                        in.add(map[id]);
                    }
                    map[node.id()] = b.apply(node.op(), node.origin(), in);
                }
                String name = graph.names().get(node.id());
                if (name != null) {
                    b.name(map[node.id()], index != null && !(node.op() instanceof Input) ? name + suffix : name);
                }
            }
            return new Region(b.build(), types, Arrays.asList(leaves), outputs.stream().map(o -> map[o]).toList());
        }
    }

    /** An op with several results (a loop, a branch), read through {@link Out} projections. */
    public interface TupleOp extends Primitive {
        @Override
        default ValueType type() {
            return ValueType.TUPLE;
        }

        /** The type of result {@code k}. */
        ValueType outputType(int k);

        /** Where the tangent of result {@code k} is among the results of this op's tangent (its jvp). */
        default int tangentIndex(int k) {
            return k;
        }

        /** The regions this op holds, in a fixed order (what {@link #withRegions} takes back). */
        List<Region> regions();

        /**
         * This op with its regions replaced, in {@link #regions()}' order: each with the same
         * inputs and outputs, rewritten (by an optimization pass) into an equivalent sub-program.
         */
        TupleOp withRegions(List<Region> regions);

        /**
         * The reverse-mode rule of an op with several results: {@code cts.get(k)} is the cotangent
         * of result {@code k}, or -1 where no consumer contributed one.
         */
        void adjoint(AdjointContext ctx, Node node, List<Integer> cts);

        @Override
        default void adjoint(AdjointContext ctx, Node node, int ct) {
            throw new IllegalStateException("a tuple's cotangents come from its projections");
        }

        @Override
        default int jvp(JvpContext ctx, Node node) {
            return ctx.noRule(node);
        }
    }

    /** Input {@code index} of a {@link Region}: bound to the enclosing op's operand when the region runs. */
    public record Input(int index, ValueType type) implements Primitive {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            // Set by the enclosing op's shape rule (ShapeContext#region).
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            // Bound to a Java expression by the enclosing op's emission.
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {}

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("in" + index + (transposed ? "ᵀ" : ""));
        }

        @Override
        public boolean isLeaf() {
            return true;
        }
    }

    /** Result {@code index} of a {@link TupleOp} (input: the tuple node). */
    public record Out(int index, ValueType type, String label) implements Primitive {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            if (type == ValueType.MATRIX) {
                int[] s = ctx.tupleShape(node.input(0), index);
                ctx.setShape(node, s[0], s[1]);
            }
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            String value = ctx.outputs(node.input(0)).get(index);
            if (type == ValueType.MATRIX) {
                ctx.statement("$T.copy($L, $L)", Ejml.KERNELS, value, ctx.ref(node.id()));
            } else {
                ctx.define(node, "$L", value);
            }
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            throw new IllegalStateException("a projection's cotangent goes to its tuple");
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // A tuple's tangent is a tuple of its results' tangents (a branch's: Cond#jvp); an op
            // without one has reported itself.
            if (!ctx.has(0) || !type.differentiable()) {
                return -1;
            }
            int at = ctx.builder().node(node.input(0)).op() instanceof TupleOp tuple ? tuple.tangentIndex(index) : index;
            return ctx.builder().apply(new Out(at, type, ForwardMode.directionName(label)),
                    ctx.tangent(0));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom(label + (transposed ? "ᵀ" : ""));
        }
    }
}
