package dev.adjoint.processor.ir;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A differentiated function: one graph holding the forward pass and the backward pass, the node
 * of the result, and for each {@code wrt} parameter the node of its gradient (absent when the
 * parameter does not affect the result, so its gradient is zero).
 *
 * @param graph forward nodes first (ids as parsed), then the nodes the backward pass added
 * @param parameters the method's parameter nodes, in declaration order
 * @param wrt names of the parameters differentiated with respect to, in declaration order
 * @param result the loss value
 * @param gradients parameter name → gradient node, for wrt parameters with a nonzero gradient
 * @param cotangentOf backward node → the forward node whose cotangent it is (for naming)
 * @param directions for a second-order program, the direction leaf of each wrt parameter, in
 *     wrt order ({@code Leaves.Direction}); empty otherwise
 * @param hessianVectorProducts wrt parameter → the node of H·d for it (the tangent of its
 *     gradient along the directions), absent when it is zero
 */
public record Program(
        Graph graph,
        List<Integer> parameters,
        List<String> wrt,
        int result,
        Map<String, Integer> gradients,
        Map<Integer, Integer> cotangentOf,
        List<Integer> directions,
        Map<String, Integer> hessianVectorProducts) {
    public Program {
        parameters = List.copyOf(parameters);
        wrt = List.copyOf(wrt);
        gradients = new LinkedHashMap<>(gradients);
        cotangentOf = Map.copyOf(cotangentOf);
        directions = List.copyOf(directions);
        hessianVectorProducts = new LinkedHashMap<>(hessianVectorProducts);
    }

    /** A first-order program: no directions, no Hessian-vector products. */
    public Program(Graph graph, List<Integer> parameters, List<String> wrt, int result, Map<String, Integer> gradients,
            Map<Integer, Integer> cotangentOf) {
        this(graph, parameters, wrt, result, gradients, cotangentOf, List.of(), Map.of());
    }

    /** Whether this program also computes Hessian-vector products. */
    public boolean secondOrder() {
        return !directions.isEmpty();
    }

    /** The nodes the forward pass needs. */
    public java.util.BitSet forwardNodes() {
        return graph.ancestors(List.of(result));
    }

    /**
     * The nodes {@code gradient(...)} needs: the result and every gradient (and, in a
     * second-order program, every Hessian-vector product).
     */
    public java.util.BitSet gradientNodes() {
        List<Integer> roots = new ArrayList<>(gradients.values());
        roots.addAll(hessianVectorProducts.values());
        roots.add(result);
        return graph.ancestors(roots);
    }

    /** How many live nodes read each node (a node read twice by one node counts twice). */
    public int[] liveUses() {
        java.util.BitSet live = gradientNodes();
        int[] uses = new int[graph.size()];
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            for (int in : graph.node(id).inputs()) {
                uses[in]++;
            }
        }
        return uses;
    }

    /**
     * Nodes that fusions keep as values of their own: the result, the gradients and the user's
     * named locals (whose workspaces and comments keep the user's names).
     */
    public java.util.Set<Integer> keptWhole() {
        java.util.Set<Integer> kept = new java.util.HashSet<>(gradients.values());
        kept.addAll(hessianVectorProducts.values());
        kept.add(result);
        kept.addAll(graph.names().keySet());
        return kept;
    }
}
