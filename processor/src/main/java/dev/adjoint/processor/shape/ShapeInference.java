package dev.adjoint.processor.shape;

import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.IntOps;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.ops.ShapeContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Symbolic shape inference by unification. Every matrix dimension is a variable; each op's
 * shape rule equates variables. A class of equal variables holds <em>anchors</em>: a parameter's
 * rows or columns, an integer constant, a {@code @Shape} symbol, or an {@code int} value of the
 * program. Two different constants in one class are a compile-time error; every other merge of
 * two anchored classes becomes a run-time check on the arguments, written before any work.
 */
public final class ShapeInference {

    /** What a dimension variable is bound to. */
    public sealed interface Anchor {
        /** {@code W.numCols} */
        record ParameterDim(String parameter, int axis) implements Anchor {}

        record Constant(int value) implements Anchor {}

        /** A {@code @Shape} symbol such as {@code "n"}. */
        record Symbol(String name) implements Anchor {}

        /** The value of an {@code int} node: an int parameter, a local, an expression. */
        record IntValue(int node) implements Anchor {}

        /**
         * The value of an {@code int} node inside a region (a loop's body, a branch), which may
         * change from one iteration to the next: never read by a check on the arguments.
         */
        record RegionInt(Object region, int node) implements Anchor {}
    }

    /**
     * Two anchors that must be equal at run time, and why; {@code symbol} is the declared
     * {@code @Shape} symbol both stand for, or null.
     */
    public record Check(Anchor left, Anchor right, Node node, String what, Anchor.Symbol symbol) {}

    /** A compile-time shape error. */
    public record Problem(Node node, String message) {}

    /**
     * A call of a helper whose parameters declare {@code @Shape}s: the arguments must agree with them,
     * the helper's symbols binding afresh at each call (its {@code "n"} is not the caller's).
     *
     * @param call the node the call produced (errors are reported on the call)
     * @param arguments the argument node for each parameter of the helper
     * @param parameters the helper's parameter names
     * @param shapes for each parameter, its declared entries, or an empty list
     * @param helper {@code p.C.m}, for messages
     */
    public record CallSite(int call, List<Integer> arguments, List<String> parameters, List<List<String>> shapes, String helper) {}

    /** Declared shapes: parameter name → two entries, each a symbol or an integer literal. */
    public record Declarations(Map<String, List<String>> shapes) {}

    private final Graph graph;
    private final Declarations declarations;
    private final List<Integer> parent = new ArrayList<>();
    private final List<List<Anchor>> anchors = new ArrayList<>();
    private final Map<Anchor, Integer> anchorVars = new HashMap<>();
    private final Map<Integer, int[]> shapes = new HashMap<>();
    private final List<Check> checks = new ArrayList<>();
    private final List<Problem> problems = new ArrayList<>();
    /** Nodes computed by or after a loop or a branch: their int values are not known before the work starts. */
    private final java.util.BitSet dynamic = new java.util.BitSet();
    private final Map<Integer, List<int[]>> tupleShapes = new HashMap<>();

    /** Whether an int node's value is only known once a loop or a branch has run. */
    public boolean dynamic(int node) {
        return dynamic.get(node);
    }

    private ShapeInference(Graph graph, Declarations declarations) {
        this.graph = graph;
        this.declarations = declarations;
    }

    public static ShapeInference run(Graph graph, Declarations declarations) {
        return run(graph, declarations, List.of());
    }

    /** Shapes of the graph, with the {@code @Shape}s of the helpers called at {@code callSites} as constraints. */
    public static ShapeInference run(Graph graph, Declarations declarations, List<CallSite> callSites) {
        ShapeInference inference = new ShapeInference(graph, declarations);
        for (Node node : graph.nodes()) {
            boolean dynamic = node.op() instanceof dev.adjoint.processor.ops.Regions.Out;
            for (int in : node.inputs()) {
                dynamic |= inference.dynamic.get(in) && !node.op().isLeaf();
            }
            if (dynamic) {
                inference.dynamic.set(node.id());
            }
        }
        Context ctx = inference.new Context(graph, null, inference.shapes);
        for (Node node : graph.nodes()) {
            node.op().shape(ctx, node);
        }
        for (CallSite site : callSites) {
            Map<String, Integer> symbols = new HashMap<>();
            Node call = graph.node(site.call());
            for (int i = 0; i < site.arguments().size(); i++) {
                List<String> declared = site.shapes().get(i);
                int argument = site.arguments().get(i);
                if (declared.isEmpty() || !inference.shapes.containsKey(argument)) {
                    continue;
                }
                for (int axis = 0; axis < 2; axis++) {
                    String entry = declared.get(axis);
                    String what = "argument " + site.parameters().get(i) + " of " + site.helper() + " and its declared @Shape "
                            + declared + " (" + (axis == 0 ? "rows" : "columns") + ")";
                    int dim = ctx.dim(argument, axis);
                    Integer bound = entry.matches("\\d+") ? Integer.valueOf(ctx.constant(Integer.parseInt(entry))) : symbols.get(entry);
                    if (bound == null) {
                        symbols.put(entry, dim);
                    } else {
                        inference.unify(bound, dim, call, what);
                    }
                }
            }
        }
        return inference;
    }

    public List<Check> checks() {
        return checks;
    }

    public List<Problem> problems() {
        return problems;
    }

    /**
     * An anchor that gives the value of an {@code int} node without reading that node: a
     * parameter dimension or constant if its class has one, else another int node's value.
     */
    public Anchor valueOf(Node intNode) {
        int root = find(var(new Anchor.IntValue(intNode.id())));
        Anchor fallback = null;
        for (Anchor a : anchors.get(root)) {
            if (a instanceof Anchor.ParameterDim || a instanceof Anchor.Constant) {
                return a;
            }
            if (a instanceof Anchor.IntValue v && v.node() != intNode.id() && !dynamic.get(v.node())
                    && !(graph.node(v.node()).op() instanceof IntOps.ShapeQuery) && fallback == null) {
                fallback = a;
            }
        }
        if (fallback == null) {
            throw new IllegalStateException("no value for " + intNode.origin().text());
        }
        return fallback;
    }

    /**
     * The anchor that gives a matrix node's dimension ({@code axis} 0 rows, 1 columns) at run time:
     * a parameter dimension, else a constant, else an int value; null if none.
     */
    public Anchor dimension(int matrixNode, int axis) {
        int[] s = shapes.get(matrixNode);
        return s == null ? null : checkable(anchors.get(find(s[axis])));
    }

    /** Whether the shapes prove a matrix node square (its rows and columns are one dimension). */
    public boolean provablySquare(int matrixNode) {
        int[] s = shapes.get(matrixNode);
        return s != null && find(s[0]) == find(s[1]);
    }

    /** Whether the shapes prove two matrix nodes the same shape. */
    public boolean sameShape(int a, int b) {
        int[] sa = shapes.get(a);
        int[] sb = shapes.get(b);
        return sa != null && sb != null && find(sa[0]) == find(sb[0]) && find(sa[1]) == find(sb[1]);
    }

    /** A readable symbolic rendering of a matrix node's shape, e.g. {@code m×n}. */
    public String describeShape(int matrixNode) {
        int[] s = shapes.get(matrixNode);
        return s == null ? "?" : describeDim(s[0]) + "×" + describeDim(s[1]);
    }

    /**
     * The name of an {@code int} parameter or named {@code int} local whose value a dimension of a
     * matrix node is ({@code axis} 0 rows, 1 columns), or null: for dimensions no parameter
     * dimension or {@code @Shape} symbol names.
     */
    public String intName(int matrixNode, int axis) {
        int[] s = shapes.get(matrixNode);
        if (s == null) {
            return null;
        }
        for (Anchor a : anchors.get(find(s[axis]))) {
            if (a instanceof Anchor.IntValue v) {
                Node node = graph.node(v.node());
                if (node.op() instanceof Leaves.Param p) {
                    return p.name();
                }
                if (graph.names().containsKey(v.node())) {
                    return graph.names().get(v.node());
                }
            }
        }
        return null;
    }

    private String describeDim(int var) {
        List<Anchor> list = anchors.get(find(var));
        for (Anchor a : list) {
            if (a instanceof Anchor.Constant c) return Integer.toString(c.value());
        }
        for (Anchor a : list) {
            if (a instanceof Anchor.Symbol s) return s.name();
        }
        for (Anchor a : list) {
            if (a instanceof Anchor.ParameterDim p) return (p.axis() == 0 ? "rows(" : "cols(") + p.parameter() + ")";
        }
        return "?";
    }

    private int newVar() {
        parent.add(parent.size());
        anchors.add(new ArrayList<>(1));
        return parent.size() - 1;
    }

    private int var(Anchor anchor) {
        return anchorVars.computeIfAbsent(anchor, a -> {
            int v = newVar();
            anchors.get(v).add(a);
            return v;
        });
    }

    private int find(int v) {
        while (parent.get(v) != v) {
            parent.set(v, parent.get(parent.get(v)));
            v = parent.get(v);
        }
        return v;
    }

    private static Anchor.Constant constantOf(List<Anchor> list) {
        for (Anchor a : list) {
            if (a instanceof Anchor.Constant c) return c;
        }
        return null;
    }

    /**
     * The anchor a run-time check reads: a parameter dimension, else a constant, else an int value.
     * A shape query's value is defined by the dimension it reads, so it never needs checking.
     */
    private Anchor checkable(List<Anchor> list) {
        Anchor best = null;
        for (Anchor a : list) {
            if (a instanceof Anchor.ParameterDim) return a;
            if (a instanceof Anchor.Constant && !(best instanceof Anchor.Constant)) best = a;
            if (a instanceof Anchor.IntValue v && best == null && !dynamic.get(v.node())
                    && !(graph.node(v.node()).op() instanceof IntOps.ShapeQuery)) {
                best = a;
            }
        }
        return best;
    }

    private static Anchor.Symbol symbolOf(List<Anchor> list) {
        for (Anchor a : list) {
            if (a instanceof Anchor.Symbol s) return s;
        }
        return null;
    }

    private void unify(int a, int b, Node node, String what) {
        unify(a, b, node, what, graph, shapes);
    }

    private void unify(int a, int b, Node node, String what, Graph g, Map<Integer, int[]> nodeShapes) {
        int ra = find(a);
        int rb = find(b);
        if (ra == rb) {
            return;
        }
        List<Anchor> la = anchors.get(ra);
        List<Anchor> lb = anchors.get(rb);
        // Declared @Shape symbols are rigid: "m" and "n" are different sizes, and "n" is not 3.
        Object fixedA = constantOf(la) != null ? constantOf(la) : symbolOf(la);
        Object fixedB = constantOf(lb) != null ? constantOf(lb) : symbolOf(lb);
        if (fixedA != null && fixedB != null && !fixedA.equals(fixedB)) {
            // Reported with the shapes as inferred so far; the classes stay apart.
            problems.add(new Problem(node, what + " differ: " + render(fixedA) + " vs " + render(fixedB) + describeOperands(node, g, nodeShapes)));
            return;
        } else if (!(fixedA instanceof Anchor.Constant && fixedB instanceof Anchor.Constant)) {
            Anchor left = checkable(la);
            Anchor right = checkable(lb);
            if (left != null && right != null) {
                checks.add(new Check(left, right, node, what, symbolOf(la) != null ? symbolOf(la) : symbolOf(lb)));
            }
        }
        parent.set(rb, ra);
        la.addAll(lb);
        lb.clear();
    }

    /** {@code  (W is m×n, x is m×1)}: the node's matrix operands and their shapes. */
    private String describeOperands(Node node, Graph graph, Map<Integer, int[]> shapes) {
        List<String> parts = new ArrayList<>();
        for (int in : node.inputs()) {
            Node operand = graph.node(in);
            if (operand.type() == ValueType.MATRIX && shapes.containsKey(in)) {
                String name = operand.op() instanceof Leaves.Param p ? p.name()
                        : graph.names().getOrDefault(in, operand.origin().text());
                int[] sh = shapes.get(in);
                parts.add(name + " is " + describeDim(sh[0]) + "×" + describeDim(sh[1]));
            }
        }
        return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
    }

    private static String render(Object fixed) {
        return fixed instanceof Anchor.Constant c ? Integer.toString(c.value()) : ((Anchor.Symbol) fixed).name();
    }

    private final class Context implements ShapeContext {
        private final Graph g;
        /** Null for the method's own graph; else the identity of the region being inferred. */
        private final Object region;
        private final Map<Integer, int[]> nodeShapes;
        private final Map<Integer, List<int[]>> tuples;

        Context(Graph g, Object region, Map<Integer, int[]> nodeShapes) {
            this.g = g;
            this.region = region;
            this.nodeShapes = nodeShapes;
            this.tuples = region == null ? tupleShapes : new HashMap<>();
        }

        @Override
        public int dim(int matrixNode, int axis) {
            int[] s = nodeShapes.get(matrixNode);
            if (s == null) {
                throw new IllegalStateException("no shape for node " + matrixNode);
            }
            return s[axis];
        }

        @Override
        public int parameterDim(Node param, int axis) {
            String name = ((Leaves.Param) param.op()).name();
            int v = var(new Anchor.ParameterDim(name, axis));
            List<String> declared = declarations.shapes().get(name);
            if (declared != null) {
                String entry = declared.get(axis);
                Anchor bound = entry.matches("-?\\d+")
                        ? new Anchor.Constant(Integer.parseInt(entry))
                        : new Anchor.Symbol(entry);
                unify(var(bound), v, param, "declared @Shape of " + name + " (" + (axis == 0 ? "rows" : "columns") + ")");
            }
            return v;
        }

        @Override
        public int intValue(int intNode) {
            if (g.node(intNode).type() != ValueType.INT) {
                throw new IllegalStateException("not an int node: " + intNode);
            }
            return var(region == null ? new Anchor.IntValue(intNode) : new Anchor.RegionInt(region, intNode));
        }

        @Override
        public int constant(int value) {
            return var(new Anchor.Constant(value));
        }

        @Override
        public void unify(int dimA, int dimB, Node node, String what) {
            ShapeInference.this.unify(dimA, dimB, node, what, g, nodeShapes);
        }

        @Override
        public int unknown() {
            return newVar();
        }

        @Override
        public void setShape(Node node, int rows, int cols) {
            nodeShapes.put(node.id(), new int[] {rows, cols});
        }

        @Override
        public ValueType typeOf(int node) {
            return g.node(node).type();
        }

        @Override
        public int[] tupleShape(int tupleNode, int k) {
            return tuples.get(tupleNode).get(k);
        }

        @Override
        public void setTupleShapes(Node node, List<int[]> shapes) {
            tuples.put(node.id(), new ArrayList<>(shapes));
        }

        @Override
        public List<int[]> region(dev.adjoint.processor.ops.Regions.Region r, List<int[]> inputs) {
            Context child = new Context(r.graph(), new Object(), new HashMap<>());
            for (Node node : r.graph().nodes()) {
                if (node.op() instanceof dev.adjoint.processor.ops.Regions.Input in) {
                    int[] s = in.index() < inputs.size() ? inputs.get(in.index()) : null;
                    if (node.type() == ValueType.MATRIX) {
                        child.setShape(node, s != null ? s[0] : newVar(), s != null ? s[1] : newVar());
                    } else if (node.type() == ValueType.INT && s != null) {
                        unify(child.intValue(node.id()), s[0], node, "value");
                    }
                } else {
                    node.op().shape(child, node);
                }
            }
            List<int[]> out = new ArrayList<>();
            for (int o : r.outputs()) {
                out.add(r.graph().node(o).type() == ValueType.MATRIX ? child.nodeShapes.get(o) : null);
            }
            return out;
        }
    }
}
