package dev.adjoint.processor.parse;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.IntOps;
import dev.adjoint.processor.ops.Leaves;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * What a caller needs to inline a {@code @Differentiable} method: its parsed body as IR, in terms
 * of its parameters (calls it makes are already inlined). A caller replays the nodes into its own
 * {@link Builder} with its argument nodes in place of the parameters, so simplification, common
 * subexpressions and every later pass see one program across the call.
 *
 * <p>Within one compilation the callee's source is parsed directly. For a callee in another module
 * (only its class file is on the class path) the processor that compiled it wrote this record as a
 * resource next to the class ({@link #resourceName}). The resource is the IR rather than the
 * method's source because the source alone could not be re-parsed: javac attributes a body only
 * within its own compilation unit (imports, the class's other members), which a downstream
 * compilation does not have; the IR has every name already resolved. It is written with Java
 * serialization of the IR's records (exact doubles, no hand-written format to keep in step with
 * the ops) under a format number, and read back through a filter that admits only the IR's own
 * classes.
 *
 * @param format {@link #FORMAT} of the processor that wrote it
 * @param method {@code p.C.m}, for messages
 * @param nodes the callee's graph
 * @param names the callee's local names
 * @param parameters for each parameter of the callee, its node
 * @param result the returned node
 * @param shapes for each parameter, its {@code @Shape} entries, or an empty list
 */
public record InlineIr(int format, String method, List<Node> nodes, Map<Integer, String> names, List<Integer> parameters,
        int result, List<List<String>> shapes) implements Serializable {

    /** Bumped whenever the IR's records change incompatibly; a mismatch asks for a recompilation. */
    public static final int FORMAT = 1;

    public InlineIr {
        nodes = List.copyOf(nodes);
        names = Map.copyOf(names);
        parameters = List.copyOf(parameters);
        shapes = shapes.stream().map(List::copyOf).toList();
    }

    public static InlineIr of(String method, Graph graph, List<Integer> parameters, int result, List<List<String>> shapes) {
        return new InlineIr(FORMAT, method, graph.nodes(), graph.names(), parameters, result, shapes);
    }

    /** The callee's result kind. */
    public ValueType type() {
        return nodes.get(result).type();
    }

    /**
     * {@code p/C$Inner.m.MMD.adj}, next to the class file: the class's binary name, the method, and one
     * letter per parameter kind (Matrix, Double, Int), which tells overloads apart. Not under
     * {@code META-INF}: javac's file manager skips jar directories that are not Java identifiers
     * when it looks a resource up on the class path.
     */
    public static String resourceName(String binaryClassName, String method, List<ValueType> parameterKinds) {
        StringBuilder kinds = new StringBuilder();
        for (ValueType t : parameterKinds) {
            kinds.append(switch (t) {
                case MATRIX -> 'M';
                case SCALAR -> 'D';
                case INT -> 'I';
                case BOOLEAN, TUPLE -> throw new IllegalArgumentException("a helper's parameter is never " + t);
            });
        }
        return binaryClassName.replace('.', '/') + "." + method + "." + kinds + ".adj";
    }

    /**
     * Replays the callee's nodes into {@code b} with {@code arguments} for its parameters; returns
     * the node of its result. {@code origin} says where each node now comes from (the helper's
     * expression, inlined at the call); {@code created} sees every node the replay returns (to give
     * it the call's position for errors).
     */
    public int replay(Builder b, List<Integer> arguments, java.util.function.UnaryOperator<dev.adjoint.processor.ir.Origin> origin,
            IntConsumer created) {
        Map<Integer, Integer> mapped = new HashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            mapped.put(parameters.get(i), arguments.get(i));
        }
        // Every input, a shape query's operand included (Graph.ancestors skips those).
        BitSet live = new BitSet(nodes.size());
        live.set(result);
        for (int id = result; id >= 0; id--) {
            if (live.get(id)) {
                nodes.get(id).inputs().forEach(live::set);
            }
        }
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = nodes.get(id);
            if (mapped.containsKey(id)) {
                continue;
            }
            if (node.op() instanceof Leaves.Param) {
                throw new IllegalStateException("unbound parameter in " + method);
            }
            List<Integer> inputs = new ArrayList<>(node.inputs().size());
            for (int in : node.inputs()) {
                inputs.add(mapped.get(in));
            }
            int replayed = b.apply(node.op(), origin.apply(node.origin()), inputs);
            mapped.put(id, replayed);
            created.accept(replayed);
            String name = names.get(id);
            if (name != null && (!b.node(replayed).op().isLeaf() || b.node(replayed).op() instanceof IntOps.ShapeQuery)) {
                b.name(replayed, name);
            }
        }
        return mapped.get(result);
    }

    public byte[] serialize() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeObject(this);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a resource written by {@link #serialize}.
     *
     * @throws IOException if it is damaged or was written by an incompatible version of Adjoint
     */
    public static InlineIr deserialize(byte[] data) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(data)) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                // The processor's own loader, whatever loader javac runs the processor in.
                try {
                    return Class.forName(desc.getName(), false, InlineIr.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    return super.resolveClass(desc);
                }
            }
        }) {
            in.setObjectInputFilter(InlineIr::admit);
            int format = in.readInt();
            if (format != FORMAT) {
                throw new InvalidClassException("written in format " + format + ", this Adjoint reads format " + FORMAT);
            }
            return (InlineIr) in.readObject();
        } catch (ClassNotFoundException | ClassCastException e) {
            throw new InvalidClassException(e.toString());
        }
    }

    private static ObjectInputFilter.Status admit(ObjectInputFilter.FilterInfo info) {
        Class<?> c = info.serialClass();
        if (c == null) {
            return ObjectInputFilter.Status.UNDECIDED;
        }
        while (c.isArray()) {
            c = c.getComponentType();
        }
        String name = c.getName();
        boolean ok = c.isPrimitive() || name.startsWith("dev.adjoint.processor.") || name.startsWith("java.util.")
                || name.equals("java.lang.String") || name.equals("java.lang.Integer") || name.equals("java.lang.Long")
                || name.equals("java.lang.Double") || name.equals("java.lang.Boolean") || name.equals("java.lang.Number")
                || name.equals("java.lang.Enum") || name.equals("java.lang.Object") || name.equals("java.lang.Record");
        return ok ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
    }
}
