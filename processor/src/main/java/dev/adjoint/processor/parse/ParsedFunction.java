package dev.adjoint.processor.parse;

import com.sun.source.tree.Tree;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.shape.ShapeInference;
import java.util.List;
import java.util.Map;

/**
 * A {@code @Differentiable} method lowered to IR.
 *
 * @param graph the forward graph
 * @param parameters parameter node ids in declaration order
 * @param result the returned scalar
 * @param trees for each node, the first expression that produced it (for error positions)
 * @param errors every construct outside the DSL, each on its own sub-expression
 * @param callSites the calls of helpers with {@code @Shape} declarations, which constrain their arguments
 * @param regionTrees for each node of a region (a loop body, a branch), the expression that produced it
 */
public record ParsedFunction(Graph graph, List<Integer> parameters, int result, Map<Integer, Tree> trees, List<DslError> errors,
        List<ShapeInference.CallSite> callSites, Map<dev.adjoint.processor.ir.Node, Tree> regionTrees) {
    public ParsedFunction(Graph graph, List<Integer> parameters, int result, Map<Integer, Tree> trees, List<DslError> errors) {
        this(graph, parameters, result, trees, errors, List.of(), Map.of());
    }

    /** The expression that produced a node of the method's graph or of one of its regions (loop bodies, branches). */
    public Tree treeOf(dev.adjoint.processor.ir.Node node) {
        if (node.id() < graph.size() && graph.node(node.id()).equals(node)) {
            return trees.get(node.id());
        }
        return regionTrees.get(node);
    }
}
