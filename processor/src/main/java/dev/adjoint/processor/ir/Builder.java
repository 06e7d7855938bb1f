package dev.adjoint.processor.ir;

import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.ops.MatrixAlgebra;
import dev.adjoint.processor.ops.Primitive;
import dev.adjoint.processor.ops.ScalarOps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Builds a {@link Graph}. Every node goes through its primitive's {@link Primitive#simplify}
 * and is hash-consed, so the same op on the same inputs is one node (common-subexpression
 * elimination happens as the graph is built, for the forward and the backward pass alike).
 */
public final class Builder {
    private record Key(Primitive op, List<Integer> inputs) {}

    private final List<Node> nodes = new ArrayList<>();
    private final Map<Key, Integer> interned = new HashMap<>();
    private final Map<Integer, String> names = new HashMap<>();

    public Builder() {}

    /** A builder that continues {@code graph}: same ids, same names, same hash-consing. */
    public static Builder from(Graph graph) {
        Builder b = new Builder();
        for (Node node : graph.nodes()) {
            b.nodes.add(node);
            b.interned.putIfAbsent(new Key(node.op(), node.inputs()), node.id());
        }
        b.names.putAll(graph.names());
        return b;
    }

    public int apply(Primitive op, Origin origin, List<Integer> inputs) {
        int before = nodes.size();
        int simplified = op.simplify(this, inputs);
        if (simplified >= 0) {
            Node result = nodes.get(simplified);
            if (simplified >= before && result.origin() == Origin.NONE && origin != Origin.NONE) {
                // A rewrite of the user's expression (W.transpose().mult(x) → multTransA) still computes it.
                nodes.set(simplified, new Node(result.id(), result.op(), result.inputs(), result.type(), origin));
            }
            return simplified;
        }
        Key key = new Key(op, List.copyOf(inputs));
        Integer existing = interned.get(key);
        if (existing != null) {
            return existing;
        }
        int id = nodes.size();
        nodes.add(new Node(id, op, inputs, op.type(), origin));
        interned.put(key, id);
        return id;
    }

    public int apply(Primitive op, Origin origin, int... inputs) {
        return apply(op, origin, Arrays.stream(inputs).boxed().toList());
    }

    /** A node introduced by a pass rather than written by the user. */
    public int apply(Primitive op, int... inputs) {
        return apply(op, Origin.NONE, inputs);
    }

    /** The node computing {@code op} on exactly these inputs, if one was built; else -1. */
    public int find(Primitive op, int... inputs) {
        Integer id = interned.get(new Key(op, Arrays.stream(inputs).boxed().toList()));
        return id == null ? -1 : id;
    }

    public Node node(int id) {
        return nodes.get(id);
    }

    public ValueType type(int id) {
        return nodes.get(id).type();
    }

    public int size() {
        return nodes.size();
    }

    /** Gives a node that has none the DSL expression it computes (a pass's rewrite of that expression). */
    public void origin(int id, Origin origin) {
        Node node = nodes.get(id);
        if (node.origin() == Origin.NONE && origin != Origin.NONE) {
            nodes.set(id, new Node(id, node.op(), node.inputs(), node.type(), origin));
        }
    }

    /** Gives node {@code id} a user-facing name (a DSL local), unless it has one already. */
    public void name(int id, String name) {
        names.putIfAbsent(id, name);
    }

    public Graph build() {
        return new Graph(nodes, names);
    }

    /** The node's value if it is a {@code double} literal. */
    public OptionalDouble constantValue(int id) {
        return nodes.get(id).op() instanceof Leaves.ScalarConst c
                ? OptionalDouble.of(c.value())
                : OptionalDouble.empty();
    }

    public boolean isConstant(int id, double value) {
        OptionalDouble c = constantValue(id);
        return c.isPresent() && c.getAsDouble() == value;
    }

    // Convenience constructors for adjoint rules and the parser; each is one primitive.

    public int constant(double value) {
        return apply(new Leaves.ScalarConst(value));
    }

    /** a + b for two scalars or two same-shaped matrices. */
    public int add(int a, int b) {
        return type(a) == ValueType.MATRIX
                ? apply(new MatrixAlgebra.Add(), a, b)
                : apply(new ScalarOps.Arith(ScalarOps.Op.ADD), a, b);
    }

    /** a − b for two scalars or two same-shaped matrices. */
    public int subtract(int a, int b) {
        return type(a) == ValueType.MATRIX
                ? apply(new MatrixAlgebra.Subtract(), a, b)
                : apply(new ScalarOps.Arith(ScalarOps.Op.SUB), a, b);
    }

    /** −a for a scalar or a matrix. */
    public int negate(int a) {
        return type(a) == ValueType.MATRIX
                ? apply(new MatrixAlgebra.Negate(), a)
                : apply(new ScalarOps.Negate(), a);
    }

    public int mul(int a, int b) {
        return apply(new ScalarOps.Arith(ScalarOps.Op.MUL), a, b);
    }

    public int div(int a, int b) {
        return apply(new ScalarOps.Arith(ScalarOps.Op.DIV), a, b);
    }

    /** s·A for a matrix A, or s·a for a scalar a. */
    public int scale(int a, int s) {
        return type(a) == ValueType.MATRIX ? apply(new MatrixAlgebra.Scale(), a, s) : mul(s, a);
    }

    public int matmul(int a, int b, boolean transA, boolean transB) {
        return apply(new MatrixAlgebra.MatMul(transA, transB), a, b);
    }

    public int transpose(int a) {
        return apply(new MatrixAlgebra.Transpose(), a);
    }
}
