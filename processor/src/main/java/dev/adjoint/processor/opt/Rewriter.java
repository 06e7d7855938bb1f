package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds a {@link Program} node by node through a fresh {@link Builder}, letting a rule
 * replace any node, and remaps everything that refers to node ids. Replaying re-runs every
 * primitive's simplification and the builder's hash-consing, so a rewrite that makes two nodes
 * equal merges them.
 */
public final class Rewriter {
    private Rewriter() {}

    /**
     * Replaces one node: return its new id, or -1 to keep the node (with remapped inputs).
     * {@code map} gives the new id of every earlier node (old id → new id).
     */
    @FunctionalInterface
    public interface Rule {
        int rewrite(Builder b, Node node, List<Integer> newInputs, int[] map);
    }

    public static Program rewrite(Program program, Rule rule) {
        Graph graph = program.graph();
        Builder b = new Builder();
        int[] map = new int[graph.size()];
        for (Node node : graph.nodes()) {
            List<Integer> inputs = new ArrayList<>(node.inputs().size());
            for (int in : node.inputs()) {
                inputs.add(map[in]);
            }
            int replaced = rule.rewrite(b, node, inputs, map);
            map[node.id()] = replaced >= 0 ? replaced : b.apply(node.op(), node.origin(), inputs);
            String name = graph.names().get(node.id());
            if (name != null) {
                b.name(map[node.id()], name);
            }
        }
        Map<String, Integer> gradients = new LinkedHashMap<>();
        program.gradients().forEach((k, v) -> gradients.put(k, map[v]));
        Map<Integer, Integer> cotangentOf = new HashMap<>();
        program.cotangentOf().forEach((k, v) -> cotangentOf.putIfAbsent(map[k], map[v]));
        List<Integer> parameters = program.parameters().stream().map(p -> map[p]).toList();
        List<Integer> directions = program.directions().stream().map(d -> map[d]).toList();
        Map<String, Integer> products = new LinkedHashMap<>();
        program.hessianVectorProducts().forEach((k, v) -> products.put(k, map[v]));
        return new Program(b.build(), parameters, program.wrt(), map[program.result()], gradients, cotangentOf, directions,
                products);
    }
}
