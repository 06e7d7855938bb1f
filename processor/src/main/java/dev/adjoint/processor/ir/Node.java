package dev.adjoint.processor.ir;

import dev.adjoint.processor.ops.Primitive;
import java.util.List;

/**
 * One SSA value of the IR: a primitive applied to earlier nodes. Nodes are numbered in
 * topological order, so every input id is smaller than the node's own id.
 *
 * @param id position in {@link Graph#nodes()}
 * @param op the primitive, with its static attributes (a literal, transpose flags, ...)
 * @param inputs ids of the operand nodes
 * @param type the value's kind
 * @param origin the DSL expression this node computes; {@link Origin#NONE} for nodes the
 *     differentiation pass introduced
 */
public record Node(int id, Primitive op, List<Integer> inputs, ValueType type, Origin origin) implements java.io.Serializable {
    public Node {
        inputs = List.copyOf(inputs);
    }

    public int input(int i) {
        return inputs.get(i);
    }
}
