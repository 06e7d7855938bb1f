package dev.adjoint.processor.ad;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ops.AdjointContext;
import dev.adjoint.processor.ops.Leaves;
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
        for (int id = result; id >= 0; id--) {
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
            Node node = forward.node(id);
            node.op().adjoint(new Context(b, node, active, contributions), node, ct);
        }

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
     * Uses the reverse pass cannot differentiate: an {@code elementPower} whose exponent depends
     * on a wrt parameter (its adjoint rule differentiates the base only).
     */
    public static List<Node> nonDifferentiableUses(Graph graph, List<Integer> parameters, List<String> wrt) {
        BitSet active = activeNodes(graph, parameters, wrt);
        List<Node> uses = new ArrayList<>();
        for (Node node : graph.nodes()) {
            if (node.op() instanceof dev.adjoint.processor.ops.Entrywise.ElementPower && active.get(node.input(1))) {
                uses.add(node);
            }
        }
        return uses;
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
