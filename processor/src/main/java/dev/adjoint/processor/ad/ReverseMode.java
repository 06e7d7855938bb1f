package dev.adjoint.processor.ad;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ops.AdjointContext;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Cond;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.ops.Loop;
import dev.adjoint.processor.ops.Primitive;
import dev.adjoint.processor.ops.Regions;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode differentiation over the IR. Walks the forward graph from the result back to the
 * parameters; every node's cotangent is the sum of the contributions of all its consumers, so a
 * value used on several paths (a tied weight, a reused local, {@code W} and {@code Wᵀ} in one
 * product) gets every path. The backward pass is appended to the same graph as ordinary nodes,
 * so later passes and the emitter treat both passes alike.
 */
public final class ReverseMode {
    private ReverseMode() {}

    /**
     * @param forward the parsed forward graph
     * @param parameters parameter node ids in declaration order
     * @param wrt the names of the parameters to differentiate with respect to
     * @param result the scalar result node
     */
    public static Program differentiate(Graph forward, List<Integer> parameters, List<String> wrt, int result) {
        Builder b = Builder.from(forward);
        BitSet active = activeNodes(forward, parameters, wrt);

        Map<Integer, List<Integer>> contributions = new HashMap<>();
        Map<Integer, Integer> cotangentOf = new HashMap<>();
        Map<Integer, Integer> cotangents = new HashMap<>();
        if (active.get(result)) {
            contributions.computeIfAbsent(result, k -> new ArrayList<>()).add(b.constant(1));
        }
        walk(b, forward, active, contributions, cotangentOf, cotangents, result);

        Map<String, Integer> gradients = new LinkedHashMap<>();
        for (int p : parameters) {
            Leaves.Param param = (Leaves.Param) forward.node(p).op();
            if (wrt.contains(param.name()) && cotangents.containsKey(p)) {
                gradients.put(param.name(), cotangents.get(p));
            }
        }
        return new Program(b.build(), parameters, wrt, result, gradients, cotangentOf);
    }

    /**
     * The backward walk from node {@code from} down to 0: each active node's cotangent is the sum
     * of its contributions, and its op's adjoint rule contributes to its inputs. A projection of a
     * tuple (a loop's or a branch's result) hands its cotangent to the tuple, whose rule receives
     * the cotangents of all its results at once.
     */
    private static void walk(Builder b, Graph forward, BitSet active, Map<Integer, List<Integer>> contributions,
            Map<Integer, Integer> cotangentOf, Map<Integer, Integer> cotangents, int from) {
        Map<Integer, Integer[]> tupleCotangents = new HashMap<>();
        for (int id = from; id >= 0; id--) {
            Node node = forward.node(id);
            if (node.op() instanceof Regions.TupleOp tuple) {
                Integer[] cts = tupleCotangents.get(id);
                if (cts != null && active.get(id)) {
                    List<Integer> list = new ArrayList<>();
                    for (Integer ct : cts) {
                        list.add(ct == null ? -1 : ct);
                    }
                    tuple.adjoint(new Context(b, node, active, contributions), node, list);
                }
                continue;
            }
            List<Integer> parts = contributions.get(id);
            if (!active.get(id) || parts == null) {
                continue;
            }
            int ct = parts.get(0);
            for (int k = 1; k < parts.size(); k++) {
                ct = b.add(ct, parts.get(k));
            }
            cotangents.put(id, ct);
            if (ct >= forward.size()) {
                // A new node; a cotangent that simplified to a forward value keeps its own name.
                cotangentOf.putIfAbsent(ct, id);
            }
            if (node.op() instanceof Regions.Out out) {
                int tuple = node.input(0);
                Regions.TupleOp op = (Regions.TupleOp) forward.node(tuple).op();
                Integer[] cts = tupleCotangents.computeIfAbsent(tuple, k -> new Integer[outputCount(forward, tuple)]);
                cts[out.index()] = cts[out.index()] == null ? ct : b.add(cts[out.index()], ct);
                continue;
            }
            node.op().adjoint(new Context(b, node, active, contributions), node, ct);
        }
    }

    private static int outputCount(Graph graph, int tuple) {
        Primitive op = graph.node(tuple).op();
        if (op instanceof Loop loop) return loop.carried();
        if (op instanceof Cond cond) return cond.then().outputs().size();
        if (op instanceof Loop.ReverseLoop reverse) return reverse.stateTypes().size();
        throw new IllegalStateException("unknown tuple op " + op);
    }

    /**
     * The pullback of a region (reverse mode of a sub-program, used by the adjoint rules of loops
     * and branches): a region that recomputes {@code region} and returns the cotangents of some of
     * its inputs given cotangents of some of its outputs.
     *
     * <p>Its inputs are {@code region}'s inputs, then one cotangent per entry of {@code seeds}
     * (output indices), then one accumulator per entry of {@code wrt} that {@code accumulated}
     * holds; its outputs are, for each entry of {@code wrt} (input indices, double or matrix), the
     * cotangent of that input (zero where it has none), plus its accumulator where accumulated.
     */
    public static Regions.Region pullback(Regions.Region region, List<Integer> seeds, List<Integer> wrt,
            java.util.Set<Integer> accumulated) {
        Graph graph = region.graph();
        Builder b = Builder.from(graph);
        List<ValueType> types = new ArrayList<>(region.inputTypes());
        List<Integer> leaves = new ArrayList<>(region.inputLeaves());
        for (int j : wrt) {
            if (leaves.get(j) < 0) {
                leaves.set(j, b.apply(new Regions.Input(j, types.get(j))));
            }
        }
        List<Integer> ctLeaves = new ArrayList<>();
        for (int o : seeds) {
            ValueType t = region.outputType(o);
            int leaf = b.apply(new Regions.Input(types.size(), t));
            String name = graph.names().get(region.outputs().get(o));
            if (name != null) {
                b.name(leaf, "∂" + name);
            }
            types.add(t);
            leaves.add(leaf);
            ctLeaves.add(leaf);
        }
        Map<Integer, Integer> accLeaves = new HashMap<>();
        for (int j : wrt) {
            if (accumulated.contains(j)) {
                int leaf = b.apply(new Regions.Input(types.size(), types.get(j)));
                String name = graph.names().get(leaves.get(j));
                if (name != null) {
                    b.name(leaf, "Σ∂" + name);
                }
                types.add(types.get(j));
                leaves.add(leaf);
                accLeaves.put(j, leaf);
            }
        }
        BitSet active = new BitSet(graph.size());
        for (int j : wrt) {
            if (leaves.get(j) < graph.size()) {
                active.set(leaves.get(j));
            }
        }
        for (Node node : graph.nodes()) {
            for (int in : node.inputs()) {
                if (active.get(in) && !node.op().isLeaf()) {
                    active.set(node.id());
                }
            }
        }
        Map<Integer, List<Integer>> contributions = new HashMap<>();
        for (int i = 0; i < seeds.size(); i++) {
            int out = region.outputs().get(seeds.get(i));
            if (active.get(out)) {
                contributions.computeIfAbsent(out, k -> new ArrayList<>()).add(ctLeaves.get(i));
            }
        }
        Map<Integer, Integer> cotangents = new HashMap<>();
        walk(b, graph, active, contributions, new HashMap<>(), cotangents, graph.size() - 1);
        List<Integer> outputs = new ArrayList<>();
        for (int j : wrt) {
            int leaf = leaves.get(j);
            Integer ct = cotangents.get(leaf);
            Integer acc = accLeaves.get(j);
            if (ct == null) {
                outputs.add(acc != null ? acc : zero(b, leaf));
            } else {
                outputs.add(acc != null ? b.add(acc, ct) : ct);
            }
        }
        return new Regions.Region(b.build(), types, leaves, outputs);
    }

    /** A zero of {@code like}'s type and shape. */
    public static int zero(Builder b, int like) {
        return b.type(like) == ValueType.MATRIX
                ? b.apply(new dev.adjoint.processor.ops.Broadcasting.FillLike(), like, b.constant(0))
                : b.constant(0);
    }

    /**
     * Uses the reverse pass cannot differentiate: an {@code elementPower} whose exponent depends
     * on a wrt parameter (its adjoint rule differentiates the base only).
     */
    public static List<Node> nonDifferentiableUses(Graph graph, List<Integer> parameters, List<String> wrt) {
        List<Node> uses = new ArrayList<>();
        nonDifferentiableUses(graph, activeNodes(graph, parameters, wrt), uses);
        return uses;
    }

    /** The same inside loops and branches: a region input is active where its operand is (or, carried, may become). */
    private static void nonDifferentiableUses(Graph graph, BitSet active, List<Node> uses) {
        for (Node node : graph.nodes()) {
            if (node.op() instanceof dev.adjoint.processor.ops.Entrywise.ElementPower && active.get(node.input(1))) {
                uses.add(node);
            }
            if (!active.get(node.id())) {
                continue;
            }
            if (node.op() instanceof Loop loop) {
                BitSet in = new BitSet();
                for (int k = 0; k < node.inputs().size(); k++) {
                    ValueType t = loop.body().inputTypes().get(k);
                    // A carried value may pick up a dependence on a wrt value in any iteration.
                    if (active.get(node.input(k)) || (k < loop.carried() && t.differentiable())) {
                        in.set(k);
                    }
                }
                regionUses(loop.cond(), in, uses);
                regionUses(loop.body(), in, uses);
            } else if (node.op() instanceof Cond cond) {
                BitSet in = new BitSet();
                for (int k = 1; k < node.inputs().size(); k++) {
                    if (active.get(node.input(k))) {
                        in.set(k - 1);
                    }
                }
                regionUses(cond.then(), in, uses);
                regionUses(cond.otherwise(), in, uses);
            }
        }
    }

    private static void regionUses(Regions.Region region, BitSet activeInputs, List<Node> uses) {
        Graph g = region.graph();
        BitSet active = new BitSet(g.size());
        for (int k = 0; k < region.inputLeaves().size(); k++) {
            if (activeInputs.get(k) && region.inputLeaves().get(k) >= 0) {
                active.set(region.inputLeaves().get(k));
            }
        }
        for (Node node : g.nodes()) {
            for (int in : node.inputs()) {
                if (active.get(in) && !node.op().isLeaf()) {
                    active.set(node.id());
                }
            }
        }
        nonDifferentiableUses(g, active, uses);
    }

    /** Nodes whose value depends on a wrt parameter: the only ones that need a cotangent. */
    public static BitSet activeNodes(Graph graph, List<Integer> parameters, List<String> wrt) {
        BitSet active = new BitSet(graph.size());
        for (int p : parameters) {
            if (wrt.contains(((Leaves.Param) graph.node(p).op()).name())) {
                active.set(p);
            }
        }
        for (Node node : graph.nodes()) {
            for (int in : node.inputs()) {
                if (active.get(in) && !node.op().isLeaf()) {
                    active.set(node.id());
                }
            }
        }
        return active;
    }

    private record Context(Builder builder, Node node, BitSet active, Map<Integer, List<Integer>> contributions)
            implements AdjointContext {
        @Override
        public boolean needs(int position) {
            return active.get(node.input(position));
        }

        @Override
        public void accumulate(int position, int contribution) {
            if (needs(position)) {
                contributions.computeIfAbsent(node.input(position), k -> new ArrayList<>()).add(contribution);
            }
        }
    }
}
