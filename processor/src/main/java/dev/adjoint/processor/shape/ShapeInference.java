package dev.adjoint.processor.shape;

import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.IntOps;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.ops.ShapeContext;
import dev.adjoint.processor.ops.ShapeContext.DimOp;
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
         * A dimension computed from two others ({@code left} and {@code right} are dimension
         * variables): rows of a block, of a concatenation, of a Kronecker product.
         */
        record Derived(ShapeContext.DimOp op, int left, int right) implements Anchor {}

        /**
         * The value of an {@code int} node inside a region (a loop's body, a branch), which may
         * change from one iteration to the next: never read by a check on the arguments.
         */
        record RegionInt(Object region, int node) implements Anchor {}
    }

    /**
     * An index range a form reads ({@code 0 ≤ low ≤ high ≤ limit}), checked at run time before
     * any work; the anchors give the values, {@code rows}/{@code cols} the indexed matrix's size.
     */
    public record Range(Anchor low, Anchor high, Anchor limit, Anchor rows, Anchor cols, Node node, String what,
            boolean checkLow, boolean checkOrder, boolean checkHigh, boolean single) {}

    /**
     * Two anchors that must be equal at run time, and why; {@code symbol} is the declared
     * {@code @Shape} symbol both stand for, or null.
     */
    public record Check(Anchor left, Anchor right, Node node, String what, Anchor.Symbol symbol) {}

    /** A compile-time shape error; {@code outOfRange} for an index or block the shapes prove out of range. */
    public record Problem(Node node, String message, boolean outOfRange) {
        public Problem(Node node, String message) {
            this(node, message, false);
        }
    }

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
    private final List<Check> callSiteChecks = new ArrayList<>();
    private final List<Problem> problems = new ArrayList<>();
    /** Unifications where a side had a derived dimension: compared once every dimension is known. */
    private final List<List<Anchor>[]> derivedMerges = new ArrayList<>();
    private final List<Node> derivedMergeNodes = new ArrayList<>();
    private final List<String> derivedMergeWhat = new ArrayList<>();
    /** The graph and shapes each derived merge's node belongs to (the method's, or a region's), for messages. */
    private final List<Context> derivedMergeContexts = new ArrayList<>();
    private record PendingRange(int low, int high, int limit, int matrix, Node node, String what, Context context) {}
    private final List<PendingRange> pendingRanges = new ArrayList<>();
    private final List<Range> ranges = new ArrayList<>();
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
            // A shape query reads its matrix, so one of a matrix a loop or branch computes is read after it ran.
            boolean readsInputs = !node.op().isLeaf() || node.op() instanceof IntOps.ShapeQuery;
            for (int in : node.inputs()) {
                dynamic |= inference.dynamic.get(in) && readsInputs;
            }
            if (dynamic) {
                inference.dynamic.set(node.id());
            }
        }
        Context ctx = inference.new Context(graph, null, inference.shapes);
        for (Node node : graph.nodes()) {
            inference.currentNode = node;
            node.op().shape(ctx, node);
        }
        int beforeCallSites = inference.checks.size();
        for (CallSite site : callSites) {
            Map<String, Integer> symbols = new HashMap<>();
            Node call = graph.node(site.call());
            for (int i = 0; i < site.arguments().size(); i++) {
                List<String> declared = site.shapes().get(i);
                int argument = site.arguments().get(i);
                if (declared.size() != 2 || !inference.shapes.containsKey(argument)) {
                    continue; // none declared, or malformed: ADJ208 is reported on the helper itself
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
        for (Check c : inference.checks.subList(beforeCallSites, inference.checks.size())) {
            if (argumentAnchor(c.left()) && argumentAnchor(c.right())) {
                inference.callSiteChecks.add(c);
            }
        }
        inference.settle();
        return inference;
    }

    /** An anchor that means the same in every program built from the method: an argument's size or a constant. */
    private static boolean argumentAnchor(Anchor a) {
        return a instanceof Anchor.ParameterDim || a instanceof Anchor.Constant;
    }

    /**
     * The run-time checks that helpers' declared {@code @Shape}s add at their call sites (e.g. a
     * helper's {@code @Shape({"n", "n"})} on an argument nothing else makes square), in terms of the
     * arguments' sizes. Shape inference of a program after the passes has no call sites, so
     * {@code PassContext} adds these to it ({@link #addChecks}) and the generated
     * {@code checkArguments} keeps them.
     */
    public List<Check> callSiteChecks() {
        return List.copyOf(callSiteChecks);
    }

    /** Adds checks found elsewhere ({@link #callSiteChecks}) that this program's own shapes do not imply. */
    public void addChecks(List<Check> extra) {
        for (Check c : extra) {
            boolean known = checks.stream().anyMatch(k -> k.left().equals(c.left()) && k.right().equals(c.right())
                    || k.left().equals(c.right()) && k.right().equals(c.left()));
            if (!known) {
                checks.add(c);
            }
        }
    }

    /** Index ranges the arguments must satisfy (checked at run time with the shape checks). */
    public List<Range> ranges() {
        return ranges;
    }

    /**
     * Once every shape rule ran: derived dimensions whose operands are known become constants
     * (a contradiction is a compile-time error), derived dimensions unified with others are
     * compared as polynomials in the shapes' symbols, and index ranges are checked where known.
     */
    private void settle() {
        // Fold to constants until nothing changes (a fold can make another derived dimension known).
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int v = 0; v < parent.size(); v++) {
                if (find(v) != v || constantOf(anchors.get(v)) != null) continue;
                for (Anchor a : List.copyOf(anchors.get(v))) {
                    if (a instanceof Anchor.Derived d) {
                        Long value = poly(var(d), new java.util.HashSet<>()).constant();
                        if (value == null && !d.op().polynomial()) {
                            Anchor.Constant l = constantOf(anchors.get(find(d.left())));
                            Anchor.Constant r = constantOf(anchors.get(find(d.right())));
                            if (l != null && r != null) value = (long) d.op().apply(l.value(), r.value());
                        }
                        if (value != null) {
                            Node node = derivedNode(v);
                            int before = problems.size();
                            settling = true;
                            unify(var(new Anchor.Constant(value.intValue())), v, node, "dimensions");
                            settling = false;
                            changed = problems.size() == before;
                            break;
                        }
                    }
                }
                if (changed) break;
            }
        }
        for (int i = 0; i < derivedMerges.size(); i++) {
            List<Anchor>[] sides = derivedMerges.get(i);
            Poly left = poly(sides[0], -1, new java.util.HashSet<>());
            Poly right = poly(sides[1], -1, new java.util.HashSet<>());
            Poly difference = left.minus(right);
            Long c = difference.constant();
            boolean provable = c != null ? c != 0 : left.rigid() && right.rigid() && !difference.isZero();
            if (provable) {
                Node node = derivedMergeNodes.get(i);
                Context in = derivedMergeContexts.get(i);
                problems.add(new Problem(node, derivedMergeWhat.get(i) + " differ: " + left + " vs " + right
                        + describeOperands(node, in.g, in.nodeShapes)));
            }
        }
        for (PendingRange r : pendingRanges) {
            Poly low = poly(r.low(), new java.util.HashSet<>());
            Poly high = poly(r.high(), new java.util.HashSet<>());
            Poly limit = poly(r.limit(), new java.util.HashSet<>());
            Poly span = high.minus(low);
            Poly room = limit.minus(high);
            if (low.negative() || span.negative() || room.negative()) {
                problems.add(new Problem(r.node(), r.what() + " " + low + ".." + high + " out of range 0.." + limit
                        + describeOperands(r.node(), r.context().g, r.context().nodeShapes), true));
                continue;
            }
            boolean checkLow = !low.nonNegative();
            boolean checkOrder = !span.nonNegative();
            boolean checkHigh = !room.nonNegative();
            if (!checkLow && !checkOrder && !checkHigh) {
                continue; // proved in range
            }
            int[] s = r.context().nodeShapes.get(r.matrix());
            if (r.context().region != null || !(isStatic(r.low(), 0) && isStatic(r.high(), 0) && isStatic(r.limit(), 0)
                    && isStatic(s[0], 0) && isStatic(s[1], 0))) {
                continue; // indices that change inside a loop or branch: the op checks them where it reads them
            }
            Range range = new Range(resolve(r.low()), resolve(r.high()), resolve(r.limit()), resolve(s[0]), resolve(s[1]), r.node(),
                    r.what(), checkLow, checkOrder, checkHigh, Long.valueOf(1).equals(span.constant()));
            if (ranges.stream().anyMatch(x -> x.low().equals(range.low()) && x.high().equals(range.high()) && x.limit().equals(range.limit()))) {
                continue; // the same indices into the same dimension (a tangent's copy of a block)
            }
            ranges.add(range);
        }
    }

    /** The node whose shape rule created a derived dimension's class, for messages. */
    private Node derivedNode(int root) {
        Node creator = derivedCreators.get(root);
        for (Map.Entry<Integer, Node> e : derivedCreators.entrySet()) {
            if (find(e.getKey()) == root) return e.getValue();
        }
        return creator != null ? creator : graph.nodes().get(graph.nodes().size() - 1);
    }

    private final Map<Integer, Node> derivedCreators = new HashMap<>();
    private Node currentNode;
    /** Folding derived dimensions to the constants they equal: no run-time check restates them. */
    private boolean settling;


    /**
     * The value of a dimension variable as a polynomial in atoms: a constant, a {@code @Shape}
     * symbol, or an otherwise unknown class (named by its root). Polynomial derived dimensions
     * expand; {@code visiting} breaks cycles (a class defined through itself stays an atom).
     */
    private Poly poly(int var, java.util.Set<Integer> visiting) {
        int root = find(var);
        return poly(anchors.get(root), root, visiting);
    }

    /** The polynomial of a class's anchors ({@code root} names it as an atom; -1 for a snapshot). */
    private Poly poly(List<Anchor> list, int root, java.util.Set<Integer> visiting) {
        Anchor.Constant c = constantOf(list);
        if (c != null) return Poly.constant(c.value());
        Anchor.Symbol s = symbolOf(list);
        if (s != null) return Poly.atom(s.name(), true, true);
        if (root < 0 || visiting.add(root)) {
            try {
                for (Anchor a : list) {
                    if (a instanceof Anchor.Derived d && d.op().polynomial()) {
                        Poly l = poly(d.left(), visiting);
                        Poly r = poly(d.right(), visiting);
                        return switch (d.op()) {
                            case ADD -> l.plus(r);
                            case SUB -> l.minus(r);
                            default -> l.times(r);
                        };
                    }
                }
            } finally {
                if (root >= 0) visiting.remove(root);
            }
        }
        if (root < 0) {
            for (Anchor a : list) {
                if (anchorVars.containsKey(a)) return flexibleAtom(find(anchorVars.get(a)), isSize(list));
            }
            return Poly.atom("?", false);
        }
        return flexibleAtom(root, isSize(list));
    }

    /** An unknown dimension: keyed by its class (two locals both named k are different atoms), shown by its name. */
    private Poly flexibleAtom(int root, boolean size) {
        String key = "#" + root;
        Poly p = Poly.atom(key, false, size);
        p.display.put(key, atomName(root));
        return p;
    }

    /** Whether a class is a size (≥ 0): it holds a matrix dimension or a diag dimension. */
    private static boolean isSize(List<Anchor> list) {
        for (Anchor a : list) {
            if (a instanceof Anchor.ParameterDim || a instanceof Anchor.Symbol
                    || (a instanceof Anchor.Derived d && (d.op() == DimOp.DIAG_ROWS || d.op() == DimOp.DIAG_COLS))) {
                return true;
            }
        }
        return false;
    }

    private String atomName(int root) {
        for (Anchor a : anchors.get(root)) {
            if (a instanceof Anchor.ParameterDim p) return (p.axis() == 0 ? "rows(" : "cols(") + p.parameter() + ")";
        }
        for (Anchor a : anchors.get(root)) {
            if (a instanceof Anchor.IntValue v) {
                Node node = graph.node(v.node());
                if (node.op() instanceof Leaves.Param p) return p.name();
                if (graph.names().containsKey(v.node())) return graph.names().get(v.node());
            }
        }
        for (Anchor a : anchors.get(root)) {
            if (a instanceof Anchor.IntValue v && !graph.node(v.node()).origin().text().isEmpty()) {
                return graph.node(v.node()).origin().text();
            }
        }
        return "d" + root;
    }

    /** A polynomial with integer coefficients in named atoms; rigid atoms are {@code @Shape} symbols. */
    private static final class Poly {
        final java.util.TreeMap<String, Long> terms = new java.util.TreeMap<>();
        final java.util.Set<String> flexible = new java.util.TreeSet<>();
        /** Atoms known to be sizes (≥ 0): matrix dimensions and @Shape symbols. */
        final java.util.Set<String> sizes = new java.util.TreeSet<>();
        /** How an atom's key reads in messages. */
        final Map<String, String> display = new HashMap<>();

        static Poly atom(String name, boolean rigid, boolean size) {
            Poly p = atom(name, rigid);
            if (size) p.sizes.add(name);
            return p;
        }

        /** Provably ≥ 0: a sum of sizes and their products with positive coefficients (or a constant ≥ 0). */
        boolean nonNegative() {
            for (var e : terms.entrySet()) {
                if (e.getValue() < 0) return false;
                for (String f : e.getKey().isEmpty() ? new String[0] : e.getKey().split("·")) {
                    if (!sizes.contains(f)) return false;
                }
            }
            return true;
        }

        /** Provably < 0: a negative constant, or minus a nonnegative polynomial with a nonzero constant. */
        boolean negative() {
            Long c = constant();
            if (c != null) return c < 0;
            Poly negated = times(constant(-1));
            Long offset = negated.terms.get("");
            return negated.nonNegative() && offset != null && offset > 0;
        }

        static Poly constant(long c) {
            Poly p = new Poly();
            if (c != 0) p.terms.put("", c);
            return p;
        }

        static Poly atom(String name, boolean rigid) {
            Poly p = new Poly();
            p.terms.put(name, 1L);
            if (!rigid) p.flexible.add(name);
            return p;
        }

        Poly plus(Poly o) {
            Poly p = new Poly();
            p.terms.putAll(terms);
            o.terms.forEach((m, c) -> p.terms.merge(m, c, Long::sum));
            p.terms.values().removeIf(c -> c == 0);
            p.flexible.addAll(flexible);
            p.flexible.addAll(o.flexible);
            p.sizes.addAll(sizes);
            p.sizes.addAll(o.sizes);
            p.display.putAll(display);
            p.display.putAll(o.display);
            return p;
        }

        Poly minus(Poly o) {
            return plus(o.times(constant(-1)));
        }

        Poly times(Poly o) {
            Poly p = new Poly();
            terms.forEach((m1, c1) -> o.terms.forEach((m2, c2) -> {
                List<String> factors = new ArrayList<>();
                if (!m1.isEmpty()) factors.addAll(List.of(m1.split("·")));
                if (!m2.isEmpty()) factors.addAll(List.of(m2.split("·")));
                java.util.Collections.sort(factors);
                p.terms.merge(String.join("·", factors), c1 * c2, Long::sum);
            }));
            p.terms.values().removeIf(c -> c == 0);
            p.flexible.addAll(flexible);
            p.flexible.addAll(o.flexible);
            p.sizes.addAll(sizes);
            p.sizes.addAll(o.sizes);
            p.display.putAll(display);
            p.display.putAll(o.display);
            return p;
        }

        boolean isZero() {
            return terms.isEmpty();
        }

        /** The value if this is a constant, else null. */
        Long constant() {
            if (terms.isEmpty()) return 0L;
            return terms.size() == 1 && terms.containsKey("") ? terms.get("") : null;
        }

        /** Only constants and @Shape symbols: two different rigid polynomials are different sizes. */
        boolean rigid() {
            for (String m : terms.keySet()) {
                for (String f : m.isEmpty() ? new String[0] : m.split("·")) {
                    if (flexible.contains(f)) return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            if (terms.isEmpty()) return "0";
            StringBuilder sb = new StringBuilder();
            for (var e : terms.descendingMap().entrySet()) {
                long c = e.getValue();
                String m = e.getKey();
                if (sb.length() > 0) sb.append(c < 0 ? " − " : " + ");
                else if (c < 0) sb.append("−");
                long abs = Math.abs(c);
                if (m.isEmpty()) sb.append(abs);
                else {
                    List<String> factors = new ArrayList<>();
                    for (String f : m.split("·")) factors.add(display.getOrDefault(f, f));
                    sb.append(abs == 1 ? "" : abs + "·").append(String.join("·", factors));
                }
            }
            return sb.toString();
        }
    }

    /**
     * The anchor generated code reads for a dimension variable: a parameter dimension, a
     * constant, an {@code int} local, else a derived dimension (evaluated from its operands).
     */
    public Anchor resolve(int var) {
        List<Anchor> list = anchors.get(find(var));
        Anchor best = checkable(list);
        if (best != null) return best;
        for (Anchor a : list) {
            if (a instanceof Anchor.Derived) return a;
        }
        for (Anchor a : list) {
            if (a instanceof Anchor.IntValue) return a; // a shape query: generated code defines it
        }
        throw new IllegalStateException("no value for dimension d" + var);
    }

    /**
     * The Java expression of an anchor, with {@code leaf} rendering parameter dimensions,
     * constants and int values; derived dimensions expand into their operands.
     */
    public String render(Anchor a, java.util.function.Function<Anchor, String> leaf) {
        return render(a, leaf, 0);
    }

    private String render(Anchor a, java.util.function.Function<Anchor, String> leaf, int depth) {
        if (!(a instanceof Anchor.Derived d)) {
            return leaf.apply(a);
        }
        if (depth > 64) {
            throw new IllegalStateException("a dimension defined through itself");
        }
        String l = render(resolve(d.left()), leaf, depth + 1);
        String r = render(resolve(d.right()), leaf, depth + 1);
        return switch (d.op()) {
            case ADD -> l.equals("0") ? r : r.equals("0") ? l : "(" + l + " + " + r + ")";
            case SUB -> r.equals("0") ? l : "(" + l + " - " + r + ")";
            case MUL -> l.equals("1") ? r : r.equals("1") ? l : "(" + l + " * " + r + ")";
            case DIV -> "(" + l + " / " + r + ")";
            case DIAG_ROWS, DIAG_COLS -> "dev.adjoint.runtime.Kernels." + d.op().symbol + "(" + l + ", " + r + ")";
        };
    }

    /** The {@code int} nodes an anchor's value reads (derived dimensions expanded). */
    public List<Integer> intNodes(Anchor a) {
        List<Integer> out = new ArrayList<>();
        render(a, leaf -> {
            if (leaf instanceof Anchor.IntValue v) out.add(v.node());
            return "";
        });
        return out;
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
            for (Anchor a : anchors.get(root)) {
                if (a instanceof Anchor.Derived) return a;
            }
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

    /** Whether the shapes prove dimension {@code axisA} of matrix node {@code a} equal to {@code axisB} of {@code b}. */
    public boolean sameDimension(int a, int axisA, int b, int axisB) {
        int[] sa = shapes.get(a);
        int[] sb = shapes.get(b);
        return sa != null && sb != null && find(sa[axisA]) == find(sb[axisB]);
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
        for (Anchor a : list) {
            if (a instanceof Anchor.Derived d && d.op().polynomial()) {
                String text = poly(var, new java.util.HashSet<>()).toString();
                return text.contains(" ") ? "(" + text + ")" : text;
            }
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
            if (a instanceof Anchor.IntValue v && (best == null || best instanceof Anchor.Derived) && !dynamic.get(v.node())
                    && !(graph.node(v.node()).op() instanceof IntOps.ShapeQuery)) {
                best = a;
            }
            if (a instanceof Anchor.Derived d && best == null && isStatic(d, 0)) {
                best = a;
            }
        }
        return best;
    }

    /**
     * Whether a dimension's value can be computed from the arguments before any work: not an int
     * that a loop or branch computes (or that changes inside one), nor derived from one.
     */
    private boolean isStatic(int var, int depth) {
        for (Anchor a : anchors.get(find(var))) {
            if (a instanceof Anchor.ParameterDim || a instanceof Anchor.Constant) return true;
            if (a instanceof Anchor.IntValue v && !dynamic.get(v.node())) return true;
        }
        for (Anchor a : anchors.get(find(var))) {
            if (a instanceof Anchor.Derived d && isStatic(d, depth)) return true;
        }
        return false;
    }

    private boolean isStatic(Anchor.Derived d, int depth) {
        return depth < 64 && isStatic(d.left(), depth + 1) && isStatic(d.right(), depth + 1);
    }

    /**
     * The anchor a run-time check reads for a class, or, for a dimension derived from ints that
     * change inside a loop whose value is nevertheless a constant ((t + 1) − t), that constant.
     */
    private Anchor checkAnchor(int root) {
        List<Anchor> list = anchors.get(root);
        Anchor best = checkable(list);
        if (best == null && list.stream().anyMatch(x -> x instanceof Anchor.Derived)) {
            Long c = poly(root, new java.util.HashSet<>()).constant();
            if (c != null) return new Anchor.Constant(c.intValue());
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
        if (la.stream().anyMatch(x -> x instanceof Anchor.Derived) || lb.stream().anyMatch(x -> x instanceof Anchor.Derived)) {
            // Dimension expressions that can never be equal (rows(A) vs rows(A) + 1, n + m vs p): the classes stay apart.
            Poly left = poly(ra, new java.util.HashSet<>());
            Poly right = poly(rb, new java.util.HashSet<>());
            Poly difference = left.minus(right);
            Long c = difference.constant();
            if (c != null ? c != 0 : left.rigid() && right.rigid() && !difference.isZero()) {
                problems.add(new Problem(node, what + " differ: " + left + " vs " + right + describeOperands(node, g, nodeShapes)));
                return;
            }
            @SuppressWarnings("unchecked")
            List<Anchor>[] sides = new List[] {List.copyOf(la), List.copyOf(lb)};
            derivedMerges.add(sides);
            derivedMergeNodes.add(node);
            derivedMergeWhat.add(what);
            derivedMergeContexts.add(new Context(g, null, nodeShapes));
        }
        // Declared @Shape symbols are rigid: "m" and "n" are different sizes, and "n" is not 3.
        Object fixedA = constantOf(la) != null ? constantOf(la) : symbolOf(la);
        Object fixedB = constantOf(lb) != null ? constantOf(lb) : symbolOf(lb);
        if (fixedA != null && fixedB != null && !fixedA.equals(fixedB)) {
            // Reported with the shapes as inferred so far; the classes stay apart.
            problems.add(new Problem(node, what + " differ: " + render(fixedA) + " vs " + render(fixedB) + describeOperands(node, g, nodeShapes)));
            return;
        } else if (!(fixedA instanceof Anchor.Constant && fixedB instanceof Anchor.Constant)) {
            Anchor left = checkAnchor(ra);
            Anchor right = checkAnchor(rb);
            if (left != null && right != null && !settling) {
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
        if (node.id() >= graph.size() || !graph.node(node.id()).equals(node)) {
            return ""; // a region's node, reported where its own graph is not at hand
        }
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
        public int derived(DimOp op, int a, int b) {
            int v = var(new Anchor.Derived(op, a, b));
            derivedCreators.putIfAbsent(v, currentNode);
            return v;
        }

        @Override
        public void define(int dim, int value, Node node) {
            boolean was = settling;
            settling = true;
            ShapeInference.this.unify(dim, value, node, "value", g, nodeShapes);
            settling = was;
        }

        @Override
        public void range(Node node, String what, int low, int high, int limit, int matrixNode) {
            pendingRanges.add(new PendingRange(low, high, limit, matrixNode, node, what, this));
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
            Node outer = currentNode;
            for (Node node : r.graph().nodes()) {
                if (node.op() instanceof dev.adjoint.processor.ops.Regions.Input in) {
                    int[] s = in.index() < inputs.size() ? inputs.get(in.index()) : null;
                    if (node.type() == ValueType.MATRIX) {
                        child.setShape(node, s != null ? s[0] : newVar(), s != null ? s[1] : newVar());
                    } else if (node.type() == ValueType.INT && s != null) {
                        unify(child.intValue(node.id()), s[0], node, "value");
                    }
                } else {
                    currentNode = node;
                    node.op().shape(child, node);
                }
            }
            currentNode = outer;
            List<int[]> out = new ArrayList<>();
            for (int o : r.outputs()) {
                out.add(r.graph().node(o).type() == ValueType.MATRIX ? child.nodeShapes.get(o) : null);
            }
            return out;
        }
    }
}
