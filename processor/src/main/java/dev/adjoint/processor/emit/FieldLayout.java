package dev.adjoint.processor.emit;

import static dev.adjoint.processor.ops.Ejml.MATRIX;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.TypeSpec;
import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.ops.LinearAlgebra;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Modifier;

/**
 * The generated class's names and fields: the method units, the Java name of every node in them
 * (a parameter, the user's local, a gradient's field, a pooled workspace, ...), and every field
 * the methods write, with its Javadoc. One place hands out names, so nothing the class declares
 * clashes; the method emitters read the maps here and ask it for the fields they add.
 */
final class FieldLayout {
    /** The differentiated program, which {@code gradient(...)} computes. */
    final Program program;
    final Graph graph;
    /** The user's method's parameters, in order. */
    final List<Node> parameters = new ArrayList<>();
    /** {@code gradient(...)}'s body: the differentiated program. */
    final MethodUnit gradientUnit;
    /** {@code value(...)}'s body: the forward-only program, optimized on its own. */
    final MethodUnit valueUnit;
    /** {@code gradient(...)}'s low-rank version, run when its low-rank factors have fewer columns than rows; or null. */
    final MethodUnit gradientLowRankUnit;
    /** {@code value(...)}'s low-rank version; or null. */
    final MethodUnit valueLowRankUnit;
    /** {@code hessianVectorProduct(...)}'s body for {@code order = 2}, else null. */
    final MethodUnit secondOrderUnit;
    /** The low-rank version of {@code hessianVectorProduct(...)}'s program, or null. */
    final MethodUnit secondOrderLowRankUnit;
    /** The gradient unit's node names. */
    private final Map<Integer, String> names;

    /** Every name handed out: parameters, fields, the class's methods and generated locals. */
    private final Set<String> taken = new HashSet<>();
    /** wrt parameter → the field its accessor returns (matrices) or the double field (scalars). */
    final Map<String, String> gradientFields = new LinkedHashMap<>();
    /**
     * wrt parameter → its accessor, {@code grad} + the capitalized name as SPEC section 4 fixes
     * (methods do not clash with parameters or fields, so only a and A need telling apart).
     */
    final Map<String, String> accessors = new LinkedHashMap<>();
    /** wrt parameter → the field its {@code hvp...()} accessor returns (matrices) or the double field. */
    final Map<String, String> hvpFields = new LinkedHashMap<>();
    /** wrt parameter → its H·d accessor, {@code hvp} + the capitalized name. */
    final Map<String, String> hvpAccessors = new LinkedHashMap<>();
    /** wrt parameter → the name of its direction argument ({@code dX}). */
    final Map<String, String> directionNames = new LinkedHashMap<>();
    /** K's name → its capacitance matrix's field, shared by the low-rank versions of both methods. */
    private final Map<String, String> capacitanceNames = new HashMap<>();
    /** Pooled workspace fields, slot by slot, shared by both methods (never called at once). */
    private final List<String> workspaces = new ArrayList<>();
    /** Workspace field → what it holds in turn (the field Javadocs of those intermediates). */
    private final Map<String, List<String>> workspaceContents = new LinkedHashMap<>();
    /** Field name → its Javadoc, for workspaces of either program. */
    final Map<String, String> fieldDocs = new LinkedHashMap<>();
    /** "kind:matrix" → the field of that matrix's factorization. */
    private final Map<String, String> factorFields = new LinkedHashMap<>();
    /** "kind:matrix" → the factorization's runtime class. */
    private final Map<String, ClassName> factorTypes = new LinkedHashMap<>();
    /** "node:role" → extra workspace for an intermediate inside one node's computation. */
    private final Map<String, String> scratchFields = new LinkedHashMap<>();
    /** Scratch field → its Javadoc. */
    private final Map<String, String> scratchDocs = new HashMap<>();
    /** Matrix fields of loops and branches (carried values, values computed inside): name → Javadoc. */
    private final Map<String, String> regionFields = new LinkedHashMap<>();
    /** Other fields loops need (tapes). */
    private final Map<String, FieldSpec> otherFields = new LinkedHashMap<>();

    FieldLayout(ClassEmitter.Programs programs) {
        this.gradientUnit = new MethodUnit(programs.gradient(), programs.gradientShapes());
        this.valueUnit = new MethodUnit(programs.value(), programs.valueShapes());
        this.gradientLowRankUnit = MethodUnit.ofOptional(programs.gradientLowRank(), programs.gradientLowRankShapes());
        this.valueLowRankUnit = MethodUnit.ofOptional(programs.valueLowRank(), programs.valueLowRankShapes());
        this.secondOrderLowRankUnit = MethodUnit.ofOptional(programs.secondOrderLowRank(), programs.secondOrderLowRankShapes());
        this.secondOrderUnit = MethodUnit.ofOptional(programs.secondOrder(), programs.secondOrderShapes());
        this.program = programs.gradient();
        this.graph = program.graph();
        this.names = gradientUnit.names;
        for (int p : program.parameters()) {
            parameters.add(graph.node(p));
        }
    }

    /** The units this class emits a method body for: gradient, value, H·d and the low-rank versions. */
    List<MethodUnit> units() {
        List<MethodUnit> units = new ArrayList<>(List.of(gradientUnit, valueUnit));
        if (secondOrderUnit != null) units.add(secondOrderUnit);
        if (gradientLowRankUnit != null) units.add(gradientLowRankUnit);
        if (valueLowRankUnit != null) units.add(valueLowRankUnit);
        if (secondOrderLowRankUnit != null) units.add(secondOrderLowRankUnit);
        return units;
    }

    /**
     * Names every node of every unit, then pools the generated temporaries into workspaces. Runs
     * before any method is emitted: the gradient program names first, so its gradients and the
     * user's locals get the plain names, and the other units share its fields where they compute
     * the same thing.
     */
    void assignNodeNames() {
        assignNames();
        assignValueNames(valueUnit, false);
        if (gradientLowRankUnit != null) {
            assignValueNames(gradientLowRankUnit, true);
        }
        if (valueLowRankUnit != null) {
            assignValueNames(valueLowRankUnit, false);
        }
        if (secondOrderUnit != null) {
            assignSecondOrderNames(secondOrderUnit);
            if (secondOrderLowRankUnit != null) {
                assignSecondOrderNames(secondOrderLowRankUnit);
            }
        }
        shareWorkspaces();
    }

    /**
     * Names the gradient program's nodes, after the names the class reserves: parameters, the API's
     * methods, direction arguments, then the accessors' fields (gradients, H·d), so those read plainly.
     */
    private void assignNames() {
        BitSet forward = program.forwardNodes();
        for (Node p : parameters) {
            names.put(p.id(), ((Leaves.Param) p.op()).name());
            taken.add(((Leaves.Param) p.op()).name());
        }
        taken.addAll(List.of("PARAMETERS", "value", "gradient", "name", "parameters", "gradientOf", "checkArguments"));
        if (secondOrderUnit != null) {
            taken.addAll(List.of("hessianVectorProduct", "hessianVectorProductOf", "hessian", "order"));
            // Direction arguments keep the names the formulas use (dX): no field or local may take one.
            for (int d : secondOrderUnit.program.directions()) {
                Leaves.Direction direction = (Leaves.Direction) secondOrderUnit.graph.node(d).op();
                directionNames.put(direction.parameter(), direction.name());
                taken.add(direction.name());
                secondOrderUnit.names.put(d, direction.name());
            }
        }
        // Gradient fields first so they get the plain names gradW, gradAlpha.
        Map<Integer, String> gradientOwner = new HashMap<>();
        for (String wrt : program.wrt()) {
            Integer node = program.gradients().get(wrt);
            String field = unique("grad" + capitalize(wrt));
            gradientFields.put(wrt, field);
            String accessor = "grad" + capitalize(wrt);
            for (int k = 2; accessors.containsValue(accessor); k++) {
                accessor = "grad" + capitalize(wrt) + k;
            }
            accessors.put(wrt, accessor);
            Node param = parameterNamed(wrt);
            // The gradient can live in its node's own workspace only if nothing else writes it:
            // not a parameter or literal, not another gradient, and not a forward value, which
            // value() recomputes (gradX() must keep the last gradient() result).
            boolean exclusive = node != null && param.type() == ValueType.MATRIX
                    && graph.node(node).op().inline(graph.node(node)) == null
                    && !gradientOwner.containsKey(node)
                    && !graph.names().containsKey(node)
                    && !forward.get(node);
            if (exclusive) {
                names.put(node, field);
                gradientOwner.put(node, wrt);
            }
        }
        if (secondOrderUnit != null) {
            for (String wrt : program.wrt()) {
                hvpFields.put(wrt, unique("hvp" + capitalize(wrt)));
                String accessor = "hvp" + capitalize(wrt);
                for (int k = 2; hvpAccessors.containsValue(accessor); k++) {
                    accessor = "hvp" + capitalize(wrt) + k;
                }
                hvpAccessors.put(wrt, accessor);
            }
        }
        for (Node node : graph.nodes()) {
            if (names.containsKey(node.id())) {
                continue;
            }
            String inline = node.op().inline(node);
            if (inline != null) {
                names.put(node.id(), inline);
                continue;
            }
            String userName = graph.names().get(node.id());
            Integer primal = program.cotangentOf().get(node.id());
            String base;
            if (userName != null) {
                base = userName;
            } else if (primal != null && graph.names().containsKey(primal)) {
                base = "d" + capitalize(graph.names().get(primal));
            } else if (primal != null && graph.node(primal).op() instanceof Leaves.Param param) {
                base = "d" + capitalize(param.name());
            } else {
                base = "t";
            }
            names.put(node.id(), unique(base));
        }
    }

    /**
     * Names the value program's nodes. A node that computes the same thing as a node of the
     * gradient program (same op on the same inputs) shares its name, and so its workspace field;
     * a gradient's own field is never reused, so {@code value()} leaves {@code gradX()} alone.
     */
    private void assignValueNames(MethodUnit valueUnit, boolean gradient) {
        Graph valueGraph = valueUnit.graph;
        Set<String> gradientOwned = new HashSet<>(gradientFields.values());
        int[] same = counterparts(valueGraph);
        Set<String> userLocals = new HashSet<>(); // matrix locals whose field has the local's own name
        graph.names().forEach((id, local) -> {
            if (local.equals(names.get(id)) && graph.node(id).type() == ValueType.MATRIX) {
                userLocals.add(local);
            }
        });
        if (gradient) {
            // A low-rank version's gradient goes straight into its field when nothing else writes that node.
            claimOutputFields(valueUnit, valueUnit.program.gradients(), gradientFields, new HashSet<>());
        }
        nameCapacitances(valueUnit);
        for (Node node : valueGraph.nodes()) {
            if (valueUnit.names.containsKey(node.id())) {
                continue; // a gradient of a low-rank version, in its field
            }
            String shared = same[node.id()] >= 0 ? names.get(same[node.id()]) : null;
            if (shared != null && !gradientOwned.contains(shared)) {
                valueUnit.names.put(node.id(), shared);
                userLocals.remove(shared);
                continue;
            }
            String inline = node.op().inline(node);
            String userName = valueGraph.names().get(node.id());
            // The user's local computed another way (the gradient program lowered it differently):
            // still the same DSL value, so it keeps its field and its name.
            String local = userName != null && userLocals.remove(userName) ? userName : null; // one node per field
            valueUnit.names.put(node.id(), inline != null ? inline
                    : local != null && !gradientOwned.contains(local) && node.type() == ValueType.MATRIX ? local
                    : unique(userName != null ? userName : "t"));
        }
    }

    /**
     * Names the second-order program's nodes: each gradient and each H·d that only this method
     * writes lives in its accessor's field; the rest share names with the gradient program's
     * counterparts (same op on the same inputs) as {@link #assignValueNames} does, or get their own.
     */
    private void assignSecondOrderNames(MethodUnit unit) {
        Graph g = unit.graph;
        for (int d : unit.program.directions()) {
            unit.names.put(d, ((Leaves.Direction) g.node(d).op()).name());
        }
        nameCapacitances(unit);
        Set<Integer> owned = new HashSet<>();
        claimOutputFields(unit, unit.program.gradients(), gradientFields, owned);
        claimOutputFields(unit, unit.program.hessianVectorProducts(), hvpFields, owned);
        Set<String> reserved = new HashSet<>(gradientFields.values());
        reserved.addAll(hvpFields.values());
        int[] same = counterparts(g);
        for (Node node : g.nodes()) {
            if (unit.names.containsKey(node.id())) {
                continue;
            }
            String inline = node.op().inline(node);
            if (inline != null) {
                unit.names.put(node.id(), inline);
                continue;
            }
            String shared = same[node.id()] >= 0 ? names.get(same[node.id()]) : null;
            if (shared != null && !reserved.contains(shared)) {
                unit.names.put(node.id(), shared);
                continue;
            }
            String userName = g.names().get(node.id());
            unit.names.put(node.id(), unique(userName != null ? userName : "t"));
        }
    }

    /**
     * Names each output of {@code unit} (a gradient or an H·d, {@code outputs}: wrt → node) that only
     * that output writes after its accessor's field ({@code fields}), so it is computed in place:
     * a matrix parameter's, not an inline value, a user's local or a forward value, and not a node
     * another output already claimed ({@code owned}).
     */
    private void claimOutputFields(MethodUnit unit, Map<String, Integer> outputs, Map<String, String> fields,
            Set<Integer> owned) {
        Graph g = unit.graph;
        BitSet forward = unit.program.forwardNodes();
        for (String wrt : unit.program.wrt()) {
            Integer id = outputs.get(wrt);
            if (id != null && parameterNamed(wrt).type() == ValueType.MATRIX && g.node(id).op().inline(g.node(id)) == null
                    && !g.names().containsKey(id) && !forward.get(id) && owned.add(id)) {
                unit.names.put(id, fields.get(wrt));
            }
        }
    }

    /** Each capacitance matrix of {@code unit} lives in one field per K, shared by every method. */
    private void nameCapacitances(MethodUnit unit) {
        for (Node node : unit.graph.nodes()) {
            if (node.op() instanceof LinearAlgebra.Capacitance c && !unit.names.containsKey(node.id())) {
                unit.names.put(node.id(), capacitanceNames.computeIfAbsent(c.matrix(), k -> unique("capacitance" + capitalize(k))));
            }
        }
    }

    /**
     * For each node of {@code g}, the gradient program's node that computes the same thing (the
     * same op on counterparts of the same inputs), or -1.
     */
    private int[] counterparts(Graph g) {
        Builder gradientProgram = Builder.from(graph);
        int[] same = new int[g.size()];
        for (Node node : g.nodes()) {
            int[] inputs = new int[node.inputs().size()];
            boolean mapped = true;
            for (int k = 0; k < inputs.length; k++) {
                inputs[k] = same[node.input(k)];
                mapped &= inputs[k] >= 0;
            }
            same[node.id()] = mapped ? gradientProgram.find(node.op(), inputs) : -1;
        }
        return same;
    }

    /**
     * The storage plan: in each method, the generated temporaries (not the user's locals, not
     * cotangents, gradients or factored matrices, whose names say what they hold) share workspace
     * fields by liveness (see {@link StoragePlan}).
     */
    private void shareWorkspaces() {
        for (MethodUnit unit : units()) {
            Graph g = unit.graph;
            BitSet live = unit.program.gradientNodes();
            BitSet factored = new BitSet();
            for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
                Node node = g.node(id);
                if (node.op() instanceof LinearAlgebra.FactorsFirstInput) {
                    factored.set(node.input(0)); // its factorization field is named after it
                }
            }
            Set<String> exclusive = new HashSet<>(gradientFields.values());
            exclusive.addAll(hvpFields.values());
            // A gradient (or H·d) is copied into its field at the end of the method: it must live to the end.
            Set<Integer> gradients = new HashSet<>(unit.program.gradients().values());
            gradients.addAll(unit.program.hessianVectorProducts().values());
            Map<Integer, Integer> slots = StoragePlan.plan(g, live, id -> {
                Node node = g.node(id);
                String name = unit.names.get(id);
                return node.type() == ValueType.MATRIX && node.op().inline(node) == null && !factored.get(id)
                        && !gradients.contains(id)
                        && name != null && name.matches("t\\d+") && !exclusive.contains(name);
            });
            new TreeMap<>(slots).forEach((id, slot) -> {
                while (workspaces.size() <= slot) {
                    workspaces.add(unique("ws" + (workspaces.size() + 1)));
                }
                String ws = workspaces.get(slot);
                unit.names.put(id, ws);
                List<String> held = workspaceContents.computeIfAbsent(ws, k -> new ArrayList<>());
                String doc = unit.fieldDoc(g.node(id));
                if (!held.contains(doc)) {
                    held.add(doc);
                }
            });
        }
    }

    /**
     * A name no field, local or method of the class has yet: {@code base}, else base2, base3, ...
     * ({@code t1}, {@code t2}, ... for temporaries and keywords).
     */
    String unique(String base) {
        String candidate = base;
        if (base.equals("t") || SourceVersion.isKeyword(base)) {
            int k = 1;
            candidate = base + k;
            while (taken.contains(candidate)) {
                candidate = base + ++k;
            }
        } else {
            int k = 2;
            while (taken.contains(candidate)) {
                candidate = base + k++;
            }
        }
        taken.add(candidate);
        return candidate;
    }

    /** {@code w} → {@code W}, for accessor and field names ({@code gradW}). */
    static String capitalize(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }

    /** The user's parameter of that name. */
    Node parameterNamed(String name) {
        for (Node p : parameters) {
            if (((Leaves.Param) p.op()).name().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no parameter " + name);
    }

    /** A Java identifier made from a name or an expression ({@code tape.get(s)} → {@code tapeGetS}). */
    static String identifierFrom(String text) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char ch : text.toCharArray()) {
            if (Character.isJavaIdentifierPart(ch) && ch != '$') {
                out.append(upper && out.length() > 0 ? Character.toUpperCase(ch) : ch);
                upper = false;
            } else {
                upper = true;
            }
        }
        if (out.length() == 0 || !Character.isJavaIdentifierStart(out.charAt(0))) {
            out.insert(0, 't');
        }
        return out.toString();
    }

    // ---- fields the method emitters add --------------------------------------------------------

    /**
     * An extra workspace for an intermediate (a node's scratch, a transpose products share), one
     * per key: the first call names it and records its Javadoc.
     */
    String scratchField(String key, String base, String doc) {
        String field = scratchFields.computeIfAbsent(key, k -> unique(base));
        scratchDocs.putIfAbsent(field, doc);
        return field;
    }

    /** The field of one matrix's factorization ({@code key} is "kind:matrix"), reused by every solve with it. */
    String factorizationField(String key, String base, ClassName type) {
        String field = factorFields.computeIfAbsent(key, k -> unique(base));
        factorTypes.put(key, type);
        return field;
    }

    /** Declares a matrix field for a value inside a loop or a branch, named already. */
    void regionField(String name, String doc) {
        regionFields.put(name, doc);
    }

    /** Declares another field a loop needs (a tape), named already. */
    void otherField(String name, FieldSpec field) {
        otherFields.put(name, field);
    }

    /**
     * Declares the fields of every node that has storage and of what the method bodies asked for:
     * pooled workspaces (listing what each holds in turn), then the nodes' own fields, scratch,
     * factorizations, loop and branch values, and the rest. Runs after the methods are emitted.
     */
    void declareFields(TypeSpec.Builder type) {
        for (MethodUnit unit : units()) {
            BitSet live = unit.program.gradientNodes();
            for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
                Node node = unit.graph.node(id);
                if (node.type() == ValueType.MATRIX && node.op().inline(node) == null) {
                    fieldDocs.putIfAbsent(unit.names.get(id), unit.fieldDoc(node));
                }
            }
        }
        for (Map.Entry<String, List<String>> w : workspaceContents.entrySet()) {
            StringBuilder doc = new StringBuilder(ClassEmitter.WORKSPACE_DOC).append("\n<ul>\n");
            for (String item : w.getValue()) {
                doc.append("<li>").append(ClassJavadoc.escape(item)).append("\n");
            }
            type.addField(FieldSpec.builder(MATRIX, w.getKey(), Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("$L", doc.append("</ul>\n"))
                    .initializer("new $T(1, 1)", MATRIX)
                    .build());
        }
        for (Map.Entry<String, String> f : fieldDocs.entrySet()) {
            if (workspaceContents.containsKey(f.getKey())) {
                continue;
            }
            type.addField(FieldSpec.builder(MATRIX, f.getKey(), Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("$L", ClassJavadoc.escape(f.getValue()))
                    .initializer("new $T(1, 1)", MATRIX)
                    .build());
        }
        for (Map.Entry<String, String> f : scratchFields.entrySet()) {
            type.addField(FieldSpec.builder(MATRIX, f.getValue(), Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("$L", ClassJavadoc.escape(scratchDocs.get(f.getValue())))
                    .initializer("new $T(1, 1)", MATRIX)
                    .build());
        }
        for (Map.Entry<String, String> f : factorFields.entrySet()) {
            type.addField(FieldSpec.builder(factorTypes.get(f.getKey()), f.getValue(), Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("Factorization of {@code $L}, reused across calls.\n",
                            f.getKey().substring(f.getKey().indexOf(':') + 1))
                    .initializer("new $T()", factorTypes.get(f.getKey()))
                    .build());
        }
        for (Map.Entry<String, String> f : regionFields.entrySet()) {
            type.addField(FieldSpec.builder(MATRIX, f.getKey(), Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("$L\n", ClassJavadoc.escape(f.getValue()))
                    .initializer("new $T(1, 1)", MATRIX)
                    .build());
        }
        otherFields.values().forEach(type::addField);
    }
}
