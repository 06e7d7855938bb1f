package dev.adjoint.processor.ir;

import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * An immutable, topologically ordered list of nodes plus a name for some of them (the user's
 * local variable names, used for readable generated code and formulas).
 */
public record Graph(List<Node> nodes, Map<Integer, String> names) implements java.io.Serializable {
    public Graph {
        nodes = List.copyOf(nodes);
        names = Map.copyOf(names);
    }

    public Node node(int id) {
        return nodes.get(id);
    }

    public int size() {
        return nodes.size();
    }

    /**
     * The set of nodes whose values {@code roots} depend on, themselves included. A shape query
     * reads only its operand's shape, which is known from the arguments, so it does not keep the
     * operand alive.
     */
    public BitSet ancestors(Iterable<Integer> roots) {
        BitSet live = new BitSet(size());
        for (int root : roots) {
            live.set(root);
        }
        for (int id = size() - 1; id >= 0; id--) {
            if (live.get(id) && !node(id).op().isLeaf()) {
                for (int in : node(id).inputs()) {
                    live.set(in);
                }
            }
        }
        return live;
    }
}
