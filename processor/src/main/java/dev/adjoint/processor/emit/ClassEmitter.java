package dev.adjoint.processor.emit;

import static dev.adjoint.processor.ops.Ejml.MATRIX;
import static dev.adjoint.processor.ops.Ejml.SIMPLE_MATRIX;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.EmitContext;
import dev.adjoint.processor.ops.Ejml;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.shape.ShapeInference;
import dev.adjoint.processor.shape.ShapeInference.Anchor;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Modifier;

/**
 * Writes the generated class of SPEC section 4 for one differentiated {@link Program}: a
 * workspace field per matrix node (reshaped, never reallocated once shapes repeat), a
 * factorization field per factored matrix, {@code value} (forward nodes only) and
 * {@code gradient} (forward and backward), gradient accessors, {@code SimpleMatrix} overloads and
 * the {@code DifferentiableFunction} bridge. Knows nothing of javac trees.
 */
public final class ClassEmitter {
    private static final ClassName DIFFERENTIABLE_FUNCTION = ClassName.get("dev.adjoint.runtime", "DifferentiableFunction");
    private static final ClassName PARAMETER = ClassName.get("dev.adjoint.runtime", "Parameter");
    private static final ClassName ARGUMENTS = ClassName.get("dev.adjoint.runtime", "Arguments");
    private static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");

    /** What the emitter needs to know about the user's method. */
    public record Source(
            String packageName,
            String generatedName,
            String qualifiedMethodName,
            String methodSource,
            String processorName,
            boolean float32) {
        public Source(String packageName, String generatedName, String qualifiedMethodName, String methodSource,
                String processorName) {
            this(packageName, generatedName, qualifiedMethodName, methodSource, processorName, false);
        }

        /** The same method's single-precision class, {@code <generatedName>_F32}. */
        public Source float32Variant() {
            return new Source(packageName, generatedName + "_F32", qualifiedMethodName, methodSource, processorName, true);
        }
    }

    /** The differentiated program, which {@code gradient(...)} computes. */
    private final Program program;
    private final Graph graph;
    private final ShapeInference shapes;
    private final Source source;
    /** For statement comments: only the user's locals are named, so each comment stands alone. */
    private final FormulaPrinter formulas;
    /** {@code gradient(...)}'s body: the differentiated program. */
    private final Unit gradientUnit;
    /** {@code value(...)}'s body: the forward-only program, optimized on its own. */
    private final Unit valueUnit;
    /** {@code gradient(...)}'s low-rank version, run when its low-rank factors have fewer columns than rows; or null. */
    private final Unit gradientLowRankUnit;
    /** {@code value(...)}'s low-rank version; or null. */
    private final Unit valueLowRankUnit;
    /** The low-rank version of {@code hessianVectorProduct(...)}'s program, or null. */
    private final Unit secondOrderLowRankUnit;
    /** {@code hessianVectorProduct(...)}'s body for {@code order = 2}, else null. */
    private final Unit secondOrderUnit;
    /** The second-order program before lowering, whose H·d formulas the Javadoc shows (or null). */
    private final Program secondOrderDocumented;
    /** wrt parameter → the field its {@code hvp...()} accessor returns (matrices) or the double field. */
    private final Map<String, String> hvpFields = new LinkedHashMap<>();
    /** wrt parameter → its H·d accessor, {@code hvp} + the capitalized name. */
    private final Map<String, String> hvpAccessors = new LinkedHashMap<>();
    /** wrt parameter → the name of its direction argument ({@code dX}). */
    private final Map<String, String> directionNames = new LinkedHashMap<>();
    /** The program before lowering, whose formulas the Javadoc shows. */
    private final Program documented;
    /** Field name → its Javadoc, for workspaces of either program. */
    private final Map<String, String> fieldDocs = new LinkedHashMap<>();
    /** For the Javadoc: subexpressions shared between gradients are named and defined once. */
    private final FormulaPrinter gradientFormulas;
    private final Map<Integer, String> names;
    private final Set<String> taken = new HashSet<>();
    private final Map<String, String> factorFields = new LinkedHashMap<>();
    private final Map<String, ClassName> factorTypes = new LinkedHashMap<>();
    /** "node:role" → extra workspace for an intermediate inside one node's computation. */
    private final Map<String, String> scratchFields = new LinkedHashMap<>();
    /** Scratch field → its Javadoc. */
    private final Map<String, String> scratchDocs = new HashMap<>();
    /** wrt parameter → the field its accessor returns (matrices) or the double field (scalars). */
    private final Map<String, String> gradientFields = new LinkedHashMap<>();
    /**
     * wrt parameter → its accessor, {@code grad} + the capitalized name as SPEC section 4 fixes
     * (methods do not clash with parameters or fields, so only a and A need telling apart).
     */
    private final Map<String, String> accessors = new LinkedHashMap<>();
    private final List<Node> parameters = new ArrayList<>();

    /** One program lowered into one method body: its graph, its shapes and each node's Java name. */
    private static final class Unit {
        final Program program;
        final Graph graph;
        final ShapeInference shapes;
        final FormulaPrinter formulas;
        final Map<Integer, String> names = new HashMap<>();

        Unit(Program program, ShapeInference shapes) {
            this.program = program;
            this.graph = program.graph();
            this.shapes = shapes;
            this.formulas = new FormulaPrinter(graph);
        }
    }

    private ClassEmitter(Programs programs, Source source) {
        this.gradientUnit = new Unit(programs.gradient(), programs.gradientShapes());
        this.valueUnit = new Unit(programs.value(), programs.valueShapes());
        this.gradientLowRankUnit = programs.gradientLowRank() == null ? null
                : new Unit(programs.gradientLowRank(), programs.gradientLowRankShapes());
        this.valueLowRankUnit = programs.valueLowRank() == null ? null
                : new Unit(programs.valueLowRank(), programs.valueLowRankShapes());
        this.secondOrderLowRankUnit = programs.secondOrderLowRank() == null ? null
                : new Unit(programs.secondOrderLowRank(), programs.secondOrderLowRankShapes());
        this.secondOrderUnit = programs.secondOrder() == null ? null : new Unit(programs.secondOrder(), programs.secondOrderShapes());
        this.secondOrderDocumented = programs.secondOrderDocumented();
        this.program = programs.gradient();
        this.graph = program.graph();
        this.shapes = programs.gradientShapes();
        this.source = source;
        this.formulas = gradientUnit.formulas;
        this.names = gradientUnit.names;
        this.documented = programs.documented();
        Graph semantic = documented.graph();
        this.gradientFormulas = new FormulaPrinter(semantic,
                FormulaPrinter.sharedNames(semantic, documented.gradients().values(), documented.cotangentOf()));
        for (int p : program.parameters()) {
            parameters.add(graph.node(p));
        }
    }

    /**
     * What one generated class computes.
     *
     * @param documented the differentiated program before lowering: the Javadoc's formulas
     * @param gradient the lowered differentiated program, which {@code gradient(...)} runs
     * @param gradientShapes its shapes
     * @param value the lowered forward-only program, which {@code value(...)} runs
     * @param valueShapes its shapes
     * @param secondOrderDocumented for {@code order = 2}, the program that also computes
     *     Hessian-vector products, before lowering (the Javadoc's H·d formulas); else null
     * @param secondOrder that program lowered, which {@code hessianVectorProduct(...)} runs; or null
     * @param secondOrderShapes its shapes, or null
     * @param gradientLowRank the lowered low-rank version of {@code gradient} (the {@code woodbury} pass), or null
     * @param gradientLowRankShapes its shapes, or null
     * @param valueLowRank the lowered low-rank version of {@code value}, or null
     * @param valueLowRankShapes its shapes, or null
     */
    public record Programs(Program documented, Program gradient, ShapeInference gradientShapes, Program value,
            ShapeInference valueShapes, Program secondOrderDocumented, Program secondOrder, ShapeInference secondOrderShapes,
            Program gradientLowRank, ShapeInference gradientLowRankShapes, Program valueLowRank,
            ShapeInference valueLowRankShapes, Program secondOrderLowRank, ShapeInference secondOrderLowRankShapes) {
        /** A first-order class: value and gradient only. */
        public Programs(Program documented, Program gradient, ShapeInference gradientShapes, Program value,
                ShapeInference valueShapes) {
            this(documented, gradient, gradientShapes, value, valueShapes, null, null, null);
        }

        /** Without low-rank versions. */
        public Programs(Program documented, Program gradient, ShapeInference gradientShapes, Program value,
                ShapeInference valueShapes, Program secondOrderDocumented, Program secondOrder,
                ShapeInference secondOrderShapes) {
            this(documented, gradient, gradientShapes, value, valueShapes, secondOrderDocumented, secondOrder,
                    secondOrderShapes, null, null, null, null, null, null);
        }
    }

    /** The units this class emits a method body for: gradient, value, H·d and the low-rank versions. */
    private List<Unit> units() {
        List<Unit> units = new ArrayList<>(List.of(gradientUnit, valueUnit));
        if (secondOrderUnit != null) units.add(secondOrderUnit);
        if (gradientLowRankUnit != null) units.add(gradientLowRankUnit);
        if (valueLowRankUnit != null) units.add(valueLowRankUnit);
        if (secondOrderLowRankUnit != null) units.add(secondOrderLowRankUnit);
        return units;
    }

    public static JavaFile emit(Programs programs, Source source) {
        return new ClassEmitter(programs, source).emit();
    }

    private JavaFile emit() {
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

        MethodSpec value = computeMethod("value", valueUnit, valueLowRankUnit, false);
        MethodSpec gradient = computeMethod("gradient", gradientUnit, gradientLowRankUnit, true);
        MethodSpec hessianVectorProduct = secondOrderUnit == null ? null : hessianVectorProductMethod();

        TypeSpec.Builder type = TypeSpec.classBuilder(source.generatedName())
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addAnnotation(AnnotationSpec.builder(GENERATED).addMember("value", "$S", source.processorName()).build())
                .addJavadoc("$L", classJavadoc());

        if (!source.float32()) {
            type.addSuperinterface(DIFFERENTIABLE_FUNCTION);
            type.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class), PARAMETER), "PARAMETERS",
                        Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The parameters of {@code $L}: names, kinds and which are {@code wrt}.\n", source.qualifiedMethodName())
                .initializer(parameterList())
                .build());
        }
        for (Unit unit : units()) {
            BitSet live = unit.program.gradientNodes();
            for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
                Node node = unit.graph.node(id);
                if (node.type() == ValueType.MATRIX && node.op().inline(node) == null) {
                    fieldDocs.putIfAbsent(unit.names.get(id), fieldDoc(unit, node));
                }
            }
        }
        for (Map.Entry<String, List<String>> w : workspaceContents.entrySet()) {
            StringBuilder doc = new StringBuilder(WORKSPACE_DOC).append("\n<ul>\n");
            for (String item : w.getValue()) {
                doc.append("<li>").append(escape(item)).append("\n");
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
                    .addJavadoc("$L", escape(f.getValue()))
                    .initializer("new $T(1, 1)", MATRIX)
                    .build());
        }
        for (Map.Entry<String, String> f : scratchFields.entrySet()) {
            type.addField(FieldSpec.builder(MATRIX, f.getValue(), Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("$L", escape(scratchDocs.get(f.getValue())))
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
                    .addJavadoc("$L\n", escape(f.getValue()))
                    .initializer("new $T(1, 1)", MATRIX)
                    .build());
        }
        otherFields.values().forEach(type::addField);
        addGradientFields(type);

        // A parameter or local named like a class we call (Kernels, CommonOps_DDRM, ...) would
        // hide it: such classes are written fully qualified.
        type.alwaysQualify(units().stream().flatMap(u -> u.names.values().stream())
                .filter(SourceVersion::isIdentifier).distinct().toArray(String[]::new));
        type.addMethod(MethodSpec.constructorBuilder()
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("Creates an instance with its own workspace. Not thread-safe: use one instance per thread.\n")
                .build());
        type.addMethod(value);
        type.addMethod(gradient);
        if (hessianVectorProduct != null) {
            type.addMethod(hessianVectorProduct);
            type.addMethod(hessianMethod(type));
        }
        addSimpleMatrixOverloads(type);
        addAccessors(type);
        if (secondOrderUnit != null) {
            addSecondOrderAccessors(type);
        }
        if (!source.float32()) { // the bridge speaks DMatrixRMaj
            addBridge(type);
            if (secondOrderUnit != null) {
                addSecondOrderBridge(type);
            }
        }
        checksMethod().ifPresent(type::addMethod);

        return JavaFile.builder(source.packageName(), type.build())
                .skipJavaLangImports(true)
                .indent("    ")
                .build();
    }

    // ---- naming ------------------------------------------------------------------------------

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
    /** K's name → its capacitance matrix's field, shared by the low-rank versions of both methods. */
    private final Map<String, String> capacitanceNames = new HashMap<>();

    private void assignValueNames(Unit valueUnit, boolean gradient) {
        Graph valueGraph = valueUnit.graph;
        dev.adjoint.processor.ir.Builder counterparts = dev.adjoint.processor.ir.Builder.from(graph);
        Set<String> gradientOwned = new HashSet<>(gradientFields.values());
        int[] same = new int[valueGraph.size()];
        Set<String> userLocals = new HashSet<>(); // matrix locals whose field has the local's own name
        graph.names().forEach((id, local) -> {
            if (local.equals(names.get(id)) && graph.node(id).type() == ValueType.MATRIX) {
                userLocals.add(local);
            }
        });
        if (gradient) {
            // A low-rank version's gradient goes straight into its field when nothing else writes that node.
            BitSet forward = valueUnit.program.forwardNodes();
            Set<Integer> owned = new HashSet<>();
            for (String wrt : valueUnit.program.wrt()) {
                Integer node = valueUnit.program.gradients().get(wrt);
                if (node != null && parameterNamed(wrt).type() == ValueType.MATRIX
                        && valueGraph.node(node).op().inline(valueGraph.node(node)) == null
                        && !valueGraph.names().containsKey(node) && !forward.get(node) && owned.add(node)) {
                    valueUnit.names.put(node, gradientFields.get(wrt));
                }
            }
        }
        for (Node node : valueGraph.nodes()) {
            if (node.op() instanceof dev.adjoint.processor.ops.LinearAlgebra.Capacitance c && !valueUnit.names.containsKey(node.id())) {
                valueUnit.names.put(node.id(), capacitanceNames.computeIfAbsent(c.matrix(), k -> unique("capacitance" + capitalize(k))));
            }
        }
        for (Node node : valueGraph.nodes()) {
            int[] inputs = new int[node.inputs().size()];
            boolean mapped = true;
            for (int k = 0; k < inputs.length; k++) {
                inputs[k] = same[node.input(k)];
                mapped &= inputs[k] >= 0;
            }
            same[node.id()] = mapped ? counterparts.find(node.op(), inputs) : -1;
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
    private void assignSecondOrderNames(Unit unit) {
        Graph g = unit.graph;
        for (int d : unit.program.directions()) {
            unit.names.put(d, ((Leaves.Direction) g.node(d).op()).name());
        }
        for (Node node : g.nodes()) {
            if (node.op() instanceof dev.adjoint.processor.ops.LinearAlgebra.Capacitance c && !unit.names.containsKey(node.id())) {
                unit.names.put(node.id(), capacitanceNames.computeIfAbsent(c.matrix(), k -> unique("capacitance" + capitalize(k))));
            }
        }
        BitSet forward = unit.program.forwardNodes();
        Set<Integer> owned = new HashSet<>();
        for (Map.Entry<String, Map<String, Integer>> outputs : Map.of(
                "gradient", unit.program.gradients(), "hvp", unit.program.hessianVectorProducts()).entrySet()) {
            outputs.getValue().forEach((wrt, id) -> {
                Node node = g.node(id);
                boolean exclusive = parameterNamed(wrt).type() == ValueType.MATRIX && node.op().inline(node) == null
                        && !owned.contains(id) && !g.names().containsKey(id) && !forward.get(id);
                if (exclusive) {
                    owned.add(id);
                    unit.names.put(id, (outputs.getKey().equals("gradient") ? gradientFields : hvpFields).get(wrt));
                }
            });
        }
        dev.adjoint.processor.ir.Builder counterparts = dev.adjoint.processor.ir.Builder.from(graph);
        Set<String> reserved = new HashSet<>(gradientFields.values());
        reserved.addAll(hvpFields.values());
        int[] same = new int[g.size()];
        for (Node node : g.nodes()) {
            int[] inputs = new int[node.inputs().size()];
            boolean mapped = true;
            for (int k = 0; k < inputs.length; k++) {
                inputs[k] = same[node.input(k)];
                mapped &= inputs[k] >= 0;
            }
            same[node.id()] = mapped ? counterparts.find(node.op(), inputs) : -1;
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

    /** How a pooled workspace field's Javadoc starts; the derivation report reads the list after it. */
    public static final String WORKSPACE_DOC = "Workspace shared, in turn, by intermediates whose lifetimes do not overlap:";

    /** Pooled workspace fields, slot by slot, shared by both methods (never called at once). */
    private final List<String> workspaces = new ArrayList<>();

    /**
     * The storage plan: in each method, the generated temporaries (not the user's locals, not
     * cotangents, gradients or factored matrices, whose names say what they hold) share workspace
     * fields by liveness (see {@link StoragePlan}).
     */
    private void shareWorkspaces() {
        for (Unit unit : units()) {
            Graph g = unit.graph;
            BitSet live = unit.program.gradientNodes();
            BitSet factored = new BitSet();
            for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
                Node node = g.node(id);
                if (node.op() instanceof dev.adjoint.processor.ops.LinearAlgebra.FactorsFirstInput) {
                    factored.set(node.input(0)); // its factorization field is named after it
                }
            }
            Set<String> exclusive = new HashSet<>(gradientFields.values());
            exclusive.addAll(hvpFields.values());
            // A gradient (or H·d) is copied into its field at the end of the method: it must live to the end.
            Set<Integer> gradients = new HashSet<>(unit.program.gradients().values());
            gradients.addAll(unit.program.hessianVectorProducts().values());
            java.util.Map<Integer, Integer> slots = StoragePlan.plan(g, live, id -> {
                Node node = g.node(id);
                String name = unit.names.get(id);
                return node.type() == ValueType.MATRIX && node.op().inline(node) == null && !factored.get(id)
                        && !gradients.contains(id)
                        && name != null && name.matches("t\\d+") && !exclusive.contains(name);
            });
            new java.util.TreeMap<>(slots).forEach((id, slot) -> {
                while (workspaces.size() <= slot) {
                    workspaces.add(unique("ws" + (workspaces.size() + 1)));
                }
                String ws = workspaces.get(slot);
                unit.names.put(id, ws);
                List<String> held = workspaceContents.computeIfAbsent(ws, k -> new ArrayList<>());
                String doc = fieldDoc(unit, g.node(id));
                if (!held.contains(doc)) {
                    held.add(doc);
                }
            });
        }
    }

    /** Workspace field → what it holds in turn (the field Javadocs of those intermediates). */
    private final Map<String, List<String>> workspaceContents = new LinkedHashMap<>();

    private String unique(String base) {
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

    private static String capitalize(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }

    private Node parameterNamed(String name) {
        for (Node p : parameters) {
            if (((Leaves.Param) p.op()).name().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no parameter " + name);
    }

    private static String fieldDoc(Unit unit, Node node) {
        Integer primal = unit.program.cotangentOf().get(node.id());
        if (primal != null) {
            return "∂L/∂(" + describeNode(unit, unit.graph.node(primal)) + ")";
        }
        if (!node.origin().text().isEmpty()) {
            return node.origin().text();
        }
        return unit.formulas.print(node.id());
    }

    private static String describeNode(Unit unit, Node node) {
        String name = unit.graph.names().get(node.id());
        if (node.op() instanceof Leaves.Param param) {
            return param.name();
        }
        return name != null ? name : node.origin().text().isEmpty() ? unit.formulas.print(node.id()) : node.origin().text();
    }

    // ---- value and gradient ------------------------------------------------------------------

    /** How an overload reaches a {@code SimpleMatrix}'s data: {@code .getDDRM()}, or {@code .getFDRM()} for float32. */
    private String simpleMatrixData() {
        return source.float32() ? ".getFDRM()" : ".getDDRM()";
    }

    /** The API's scalar type: {@code double}, or {@code float} in a float32 class. */
    private TypeName scalarType() {
        return source.float32() ? TypeName.FLOAT : TypeName.DOUBLE;
    }

    /**
     * A scalar computed in {@code double} (a float32 class keeps scalar intermediates in double) as
     * the API's scalar type.
     */
    private String toApi(String expression) {
        return source.float32() && !expression.matches("-?\\d+(\\.\\d+)?|0\\.0") ? "(float) " + expression : expression;
    }

    private TypeName javaType(Node param) {
        return switch (param.type()) {
            case MATRIX -> MATRIX;
            case SCALAR -> scalarType();
            case INT -> TypeName.INT;
            case BOOLEAN -> TypeName.BOOLEAN;
            case TUPLE -> throw new IllegalStateException("a parameter is never a tuple");
        };
    }

    private MethodSpec.Builder signature(String name, boolean simpleMatrix) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC).returns(scalarType());
        for (Node p : parameters) {
            TypeName t = p.type() == ValueType.MATRIX && simpleMatrix ? SIMPLE_MATRIX : javaType(p);
            m.addParameter(t, ((Leaves.Param) p.op()).name());
        }
        return m;
    }

    private String argumentList() {
        return String.join(", ", parameters.stream().map(p -> ((Leaves.Param) p.op()).name()).toList());
    }

    private MethodSpec computeMethod(String name, Unit unit, Unit lowRank, boolean backward) {
        MethodSpec.Builder m = signature(name, false);
        m.addJavadoc(backward
                ? "Computes the loss and its gradient with respect to $L; read the gradient with the {@code grad...()} accessors.\n"
                        + "Arguments are never modified.\n\n"
                : "Computes the loss (forward pass only; wrt $L). Arguments are never modified.\n\n",
                String.join(", ", program.wrt()));
        String predicate = lowRank == null ? null : lowRankPredicate(lowRank);
        if (predicate != null) {
            m.addJavadoc("<p>When {@code $L}, an identity-plus-low-rank matrix c·I + α·X·Xᵀ (X N×q) is inverted, solved\n"
                    + "with and log-det'd through the q×q matrix c·I + α·XᵀX (Woodbury's identity and the matrix determinant\n"
                    + "lemma), never forming an N×N matrix; otherwise densely.\n\n", predicate);
        }
        documentParameters(m);
        m.addJavadoc(backward
                ? "@return the loss: {@link #value}'s result up to rounding (value() runs its own forward-only program)\n"
                : "@return the loss\n");
        CodeBlock.Builder code = CodeBlock.builder();
        if (!shapes.checks().isEmpty() || !shapes.ranges().isEmpty()) {
            code.addStatement("checkArguments($L)", argumentList());
        }
        if (predicate == null) {
            code.add(body(unit, backward));
        } else {
            code.add("// Low rank (q < N): Woodbury and the determinant lemma through the q×q capacitance matrix, no N×N matrix\n");
            code.beginControlFlow("if ($L)", predicate).add(body(lowRank, backward));
            code.nextControlFlow("else").add(body(unit, backward)).endControlFlow();
        }
        return m.addCode(code.build()).build();
    }

    /**
     * {@code q < N} for every capacitance matrix of a low-rank version, from argument shapes; null
     * when a size is not an argument's dimension or a constant (then the method stays dense).
     */
    private static String lowRankPredicate(Unit unit) {
        Set<String> tests = new java.util.LinkedHashSet<>();
        BitSet live = unit.program.gradientNodes();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = unit.graph.node(id);
            if (node.op() instanceof dev.adjoint.processor.ops.LinearAlgebra.Capacitance) {
                Anchor rows = unit.shapes.dimension(node.input(0), 0);
                Anchor cols = unit.shapes.dimension(node.input(0), 1);
                if (!(rows instanceof Anchor.ParameterDim || rows instanceof Anchor.Constant)
                        || !(cols instanceof Anchor.ParameterDim || cols instanceof Anchor.Constant)) {
                    return null;
                }
                tests.add(anchor(unit, cols) + " < " + anchor(unit, rows));
            }
        }
        return tests.isEmpty() ? null : String.join(" && ", tests);
    }

    /** One program's statements: sizes, then every live node, then the gradients' fields, then the return. */
    private CodeBlock body(Unit unit, boolean backward) {
        return body(unit, backward, false);
    }

    /**
     * As {@link #body(Unit, boolean)}; with {@code secondOrder}, the H·d fields are filled after the
     * gradients' (a second-order program is always backward).
     */
    private CodeBlock body(Unit unit, boolean backward, boolean secondOrder) {
        BitSet live = unit.program.gradientNodes();
        Body body = new Body(unit);
        // Sizes first: they depend only on argument shapes, and constant matrices need them.
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            if (unit.graph.node(id).type() == ValueType.INT && !unit.shapes.dynamic(id)) {
                body.emit(unit.graph.node(id));
            }
        }
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            if (unit.graph.node(id).type() != ValueType.INT || unit.shapes.dynamic(id)) {
                body.emit(unit.graph.node(id));
            }
        }
        if (backward) {
            body.code.add("\n");
            for (String wrt : program.wrt()) {
                finish(body.code, wrt, unit, unit.program.gradients().get(wrt), gradientFields.get(wrt), "∂L/∂" + wrt);
            }
        }
        if (secondOrder) {
            for (String wrt : program.wrt()) {
                finish(body.code, wrt, unit, unit.program.hessianVectorProducts().get(wrt), hvpFields.get(wrt), "H·d for " + wrt);
            }
        }
        body.code.addStatement("return $L", toApi(unit.names.get(unit.program.result())));
        return body.code.build();
    }

    /**
     * Puts a method's output for {@code wrt} (its gradient, or its H·d) into the accessor's field:
     * zero when the program has no node for it, a copy when the node's storage is shared.
     */
    private void finish(CodeBlock.Builder code, String wrt, Unit unit, Integer node, String field, String what) {
        Node param = parameterNamed(wrt);
        if (param.type() == ValueType.SCALAR) {
            code.addStatement("$L = $L", field, node == null ? "0" : toApi(unit.names.get(node)));
        } else if (node == null) {
            code.add("// $L is zero\n", what);
            code.addStatement("$L.reshape($L.numRows, $L.numCols)", field, wrt, wrt);
            code.addStatement("$L.zero()", field);
        } else if (!field.equals(unit.names.get(node))) {
            // A value other code also writes (an argument, a forward result): keep a copy.
            code.add("// $L = $L\n", what, unit.formulas.print(node).replace("\n", " "));
            code.addStatement("$T.copy($L, $L)", Ejml.KERNELS, unit.names.get(node), field);
        }
    }

    /** Emission of one method body (or of a region inside it); tracks which matrices it has factored. */
    private final class Body implements EmitContext {
        final Unit unit;
        /** The graph being emitted: the unit's, or a region's. */
        final Graph graph;
        final Map<Integer, String> names;
        final FormulaPrinter formulas;
        /** Null for a method body; the enclosing body for a region. */
        final Body parent;
        final CodeBlock.Builder code;
        final Set<String> factored;
        final BitSet live;
        final Map<Integer, List<String>> tupleOutputs = new HashMap<>();
        Node current;
        boolean commented;

        Body(Unit unit) {
            this.unit = unit;
            this.graph = unit.graph;
            this.names = unit.names;
            this.formulas = unit.formulas;
            this.parent = null;
            this.code = CodeBlock.builder();
            this.factored = new HashSet<>();
            this.live = unit.program.gradientNodes();
        }

        Body(Body parent, dev.adjoint.processor.ops.Regions.Region region) {
            this.unit = parent.unit;
            this.graph = region.graph();
            this.names = new HashMap<>();
            this.formulas = new FormulaPrinter(graph);
            this.parent = parent;
            this.code = parent.code;
            // A factorization done before a loop may be stale inside it: regions factor for themselves.
            this.factored = new HashSet<>();
            this.live = regionLive(region);
        }

        void emit(Node node) {
            current = node;
            commented = false;
            node.op().emit(this, node);
        }

        private void comment() {
            if (!commented) {
                commented = true;
                code.add("// $L\n", (parent == null ? commentFor(unit, current) : regionComment(current)).replace("\n", " "));
            }
        }

        private String regionComment(Node node) {
            return node.origin().text().isEmpty() ? formulas.print(node.id()) : node.origin().text();
        }

        @Override
        public String ref(int id) {
            return names.get(id);
        }

        @Override
        public void statement(String format, Object... args) {
            comment();
            code.addStatement(format, args);
        }

        @Override
        public void block(CodeBlock block) {
            comment();
            code.add(block);
        }

        @Override
        public String scratch(Node node, String role) {
            String owner = names.get(node.id());
            String field = scratchFields.computeIfAbsent(owner + ":" + role, key -> unique(owner + role));
            scratchDocs.putIfAbsent(field, "intermediate of " + (parent == null ? fieldDoc(unit, node) : regionComment(node)));
            return field;
        }

        @Override
        public CodeBlock product(String alpha, String a, boolean transA, String b, boolean transB, String c,
                boolean accumulate) {
            String method = (accumulate ? "multAdd" : "mult") + (transA && transB ? "TransAB" : transA ? "TransA" : transB ? "TransB" : "");
            List<String> args = new ArrayList<>();
            if (alpha != null) {
                args.add(alpha);
            }
            args.addAll(List.of(a, b, c));
            if (transB && !transA) {
                args.add(transposeOf(b));
            }
            return CodeBlock.of("$T.$L($L);\n", Ejml.PRODUCTS, method, String.join(", ", args));
        }

        @Override
        public CodeBlock productPair(String alpha1, String a1, String b1, String alpha2, String a2, String b2, String c) {
            return CodeBlock.of("$T.multTransBPair($L, $L, $L, $L, $L, $L, $L, $L, $L);\n", Ejml.PRODUCTS,
                    alpha1 == null ? "1.0" : alpha1, a1, b1, alpha2 == null ? "1.0" : alpha2, a2, b2, c, transposeOf(b1),
                    transposeOf(b2));
        }

        /** The workspace for bᵀ that products reading b transposed share. */
        private String transposeOf(String b) {
            String bT = scratchFields.computeIfAbsent("transpose:" + b, key -> unique(identifierFrom(b) + "T"));
            scratchDocs.putIfAbsent(bT, "the transpose of " + b + ", for products that read it transposed");
            return bT;
        }

        @Override
        public void define(Node node, String format, Object... args) {
            comment();
            String type = switch (node.type()) {
                case INT -> "int";
                case BOOLEAN -> "boolean";
                default -> "double";
            };
            code.addStatement("$L $L = " + format, prepend(type, names.get(node.id()), args));
        }

        @Override
        public String dimension(Node intNode) {
            // A parameter's own dimension, as the statement's comment names it: y.getNumRows() is
            // y.numRows even where shapes unify it with another argument's (X.numRows).
            if (intNode.op() instanceof dev.adjoint.processor.ops.IntOps.ShapeQuery q
                    && (parent != null || graph.node(intNode.input(0)).op() instanceof Leaves.Param
                            || unit.shapes.dynamic(intNode.input(0)))) {
                return ref(intNode.input(0)) + (q.axis() == 0 ? ".numRows" : ".numCols");
            }
            return anchor(unit, unit.shapes.valueOf(intNode));
        }

        @Override
        public String factor(int matrix, Factorization kind, Node owner) {
            String matrixName = names.get(matrix);
            String key = kind + ":" + matrixName;
            String field = factorFields.computeIfAbsent(key, k -> unique(
                    (kind == Factorization.CHOLESKY ? "chol" : "lu") + capitalize(identifierFrom(matrixName))));
            factorTypes.put(key, kind == Factorization.CHOLESKY ? Ejml.SPD_FACTORIZATION : Ejml.LU_FACTORIZATION);
            if (factored.add(key)) {
                comment();
                String what = unit.graph.node(matrix).op() instanceof dev.adjoint.processor.ops.LinearAlgebra.Capacitance c
                        ? c.expression() // K's factorization, which the capacitance matrix stands for
                        : describe(parent == null ? factorOwner(unit, matrix, kind, owner) : owner);
                code.addStatement("$L.factor($L, $S)", field, matrixName, what);
            }
            return field;
        }

        @Override
        public String describe(Node node) {
            return node.origin().text().isEmpty() ? formulas.print(node.id()) : node.origin().describe();
        }

        @Override
        public String fresh(String base, ValueType type, String doc) {
            String name = unique(identifierFrom(base));
            if (type == ValueType.MATRIX) {
                regionFields.put(name, doc == null ? name : doc);
            }
            return name;
        }

        @Override
        public String field(String base, TypeName type, String doc) {
            String name = unique(identifierFrom(base));
            otherFields.put(name, FieldSpec.builder(type, name, Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("$L\n", escape(doc))
                    .initializer("new $T()", type)
                    .build());
            return name;
        }

        @Override
        public List<String> region(dev.adjoint.processor.ops.Regions.Region region, List<String> inputs,
                Map<Integer, String> into) {
            Body child = new Body(this, region);
            Graph g = region.graph();
            for (Map.Entry<Integer, String> e : into.entrySet()) {
                child.names.put(region.outputs().get(e.getKey()), e.getValue());
            }
            for (int id = child.live.nextSetBit(0); id >= 0; id = child.live.nextSetBit(id + 1)) {
                Node node = g.node(id);
                if (node.op() instanceof dev.adjoint.processor.ops.Regions.Input in) {
                    child.names.put(id, inputs.get(in.index()));
                    continue;
                }
                if (child.names.containsKey(id)) {
                    continue;
                }
                String inline = node.op().inline(node);
                if (inline != null) {
                    child.names.put(id, inline);
                    continue;
                }
                String base = g.names().getOrDefault(id, "t");
                String name = unique(base);
                child.names.put(id, name);
                if (node.type() == ValueType.MATRIX) {
                    regionFields.put(name, child.regionComment(node) + " (in a loop or a branch)");
                }
            }
            for (int id = child.live.nextSetBit(0); id >= 0; id = child.live.nextSetBit(id + 1)) {
                Node node = g.node(id);
                if (!(node.op() instanceof dev.adjoint.processor.ops.Regions.Input)) {
                    child.emit(node);
                }
            }
            List<String> outputs = new ArrayList<>();
            for (int o : region.outputs()) {
                outputs.add(child.names.get(o));
            }
            return outputs;
        }

        @Override
        public void beginControlFlow(String format, Object... args) {
            comment();
            code.beginControlFlow(format, args);
        }

        @Override
        public void nextControlFlow(String format, Object... args) {
            code.nextControlFlow(format, args);
        }

        @Override
        public void endControlFlow() {
            code.endControlFlow();
        }

        @Override
        public void setOutputs(Node tuple, List<String> outputs) {
            tupleOutputs.put(tuple.id(), List.copyOf(outputs));
        }

        @Override
        public List<String> outputs(int id) {
            return tupleOutputs.get(id);
        }

        @Override
        public boolean dynamic(int id) {
            return parent != null || unit.shapes.dynamic(id);
        }

        @Override
        public <T extends dev.adjoint.processor.ops.Primitive> boolean readBy(Node node, Class<T> type,
                java.util.function.Predicate<? super T> which) {
            for (int id = live.nextSetBit(node.id() + 1); id >= 0; id = live.nextSetBit(id + 1)) {
                Node reader = graph.node(id);
                if (type.isInstance(reader.op()) && which.test(type.cast(reader.op())) && reader.inputs().contains(node.id())) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A region's live nodes: its outputs' ancestors, with what shape queries read (computed inside). */
    private static BitSet regionLive(dev.adjoint.processor.ops.Regions.Region region) {
        Graph g = region.graph();
        BitSet live = new BitSet(g.size());
        for (int o : region.outputs()) {
            live.set(o);
        }
        for (int id = g.size() - 1; id >= 0; id--) {
            if (live.get(id)) {
                Node node = g.node(id);
                if (!node.op().isLeaf() || node.op() instanceof dev.adjoint.processor.ops.IntOps.ShapeQuery) {
                    for (int in : node.inputs()) {
                        live.set(in);
                    }
                }
            }
        }
        return live;
    }

    /** A Java identifier made from a name or an expression ({@code tape.get(s)} → {@code tapeGetS}). */
    private static String identifierFrom(String text) {
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

    /** Matrix fields of loops and branches (carried values, values computed inside): name → Javadoc. */
    private final Map<String, String> regionFields = new LinkedHashMap<>();
    /** Other fields loops need (tapes). */
    private final Map<String, FieldSpec> otherFields = new LinkedHashMap<>();

    /**
     * The node a factorization failure is blamed on: for Cholesky, the user's {@code logDet} of
     * the matrix (its inverse and solves only share that factor), else the node that asked.
     */
    private static Node factorOwner(Unit unit, int matrix, EmitContext.Factorization kind, Node asking) {
        if (kind == EmitContext.Factorization.CHOLESKY) {
            for (Node node : unit.graph.nodes()) {
                if (node.op() instanceof dev.adjoint.processor.ops.LinearAlgebra.LogDet && node.input(0) == matrix
                        && !node.origin().text().isEmpty()) {
                    return node;
                }
            }
        }
        return asking;
    }

    private static Object[] prepend(Object a, Object b, Object[] rest) {
        Object[] all = new Object[rest.length + 2];
        all[0] = a;
        all[1] = b;
        System.arraycopy(rest, 0, all, 2, rest.length);
        return all;
    }

    private static String commentFor(Unit unit, Node node) {
        Integer primal = unit.program.cotangentOf().get(node.id());
        if (primal != null) {
            return "∂L/∂(" + describeNode(unit, unit.graph.node(primal)) + ") = " + unit.formulas.print(node.id());
        }
        if (!node.origin().text().isEmpty()) {
            return node.origin().text();
        }
        return unit.formulas.print(node.id());
    }

    // ---- argument checks ---------------------------------------------------------------------

    private static String anchor(Unit unit, Anchor a) {
        if (a instanceof Anchor.ParameterDim p) {
            return p.parameter() + (p.axis() == 0 ? ".numRows" : ".numCols");
        } else if (a instanceof Anchor.Constant c) {
            return Integer.toString(c.value());
        } else if (a instanceof Anchor.IntValue v) {
            return unit.names.get(v.node());
        } else if (a instanceof Anchor.Derived) {
            return unit.shapes.render(a, leaf -> anchor(unit, leaf));
        }
        throw new IllegalStateException("symbol " + ((Anchor.Symbol) a).name() + " has no value");
    }

    private String anchorLabel(Anchor a) {
        if (a instanceof Anchor.ParameterDim p) {
            return p.parameter() + (p.axis() == 0 ? ".numRows()" : ".numCols()");
        } else if (a instanceof Anchor.Constant c) {
            return Integer.toString(c.value());
        } else if (a instanceof Anchor.IntValue v) {
            return graph.names().getOrDefault(v.node(), graph.node(v.node()).origin().text());
        } else if (a instanceof Anchor.Derived) {
            return shapes.render(a, this::anchorLabel).replace("dev.adjoint.runtime.Kernels.", "");
        }
        return ((Anchor.Symbol) a).name();
    }

    private java.util.Optional<MethodSpec> checksMethod() {
        if (shapes.checks().isEmpty() && shapes.ranges().isEmpty()) {
            return java.util.Optional.empty();
        }
        MethodSpec.Builder m = MethodSpec.methodBuilder("checkArguments").addModifiers(Modifier.PRIVATE, Modifier.STATIC);
        m.addJavadoc("Checks that the arguments' shapes agree, naming the DSL expression that needs them to.\n\n");
        documentParameters(m);
        for (Node p : parameters) {
            m.addParameter(javaType(p), ((Leaves.Param) p.op()).name());
        }
        // Integer locals used by checks are recomputed here from the arguments.
        BitSet ints = new BitSet();
        for (ShapeInference.Check c : shapes.checks()) {
            for (Anchor a : List.of(c.left(), c.right())) {
                ints.or(graph.ancestors(shapes.intNodes(a)));
            }
        }
        for (ShapeInference.Range r : shapes.ranges()) {
            for (Anchor a : List.of(r.low(), r.high(), r.limit(), r.rows(), r.cols())) {
                ints.or(graph.ancestors(shapes.intNodes(a)));
            }
        }
        Body body = new Body(gradientUnit);
        for (int id = ints.nextSetBit(0); id >= 0; id = ints.nextSetBit(id + 1)) {
            if (graph.node(id).type() == ValueType.INT && !shapes.dynamic(id)) body.emit(graph.node(id));
        }
        CodeBlock.Builder code = body.code;
        // Index ranges first: a block out of range is reported as such, not as the shapes it would have.
        for (ShapeInference.Range r : shapes.ranges()) {
            String low = anchor(gradientUnit, r.low());
            String high = anchor(gradientUnit, r.high());
            String limit = anchor(gradientUnit, r.limit());
            List<String> failures = new ArrayList<>();
            if (r.checkLow()) failures.add(low + " < 0");
            if (r.checkOrder()) failures.add(low + " > " + high);
            if (r.checkHigh()) failures.add(high + " > " + limit);
            code.beginControlFlow("if ($L)", String.join(" || ", failures))
                    .addStatement(r.single()
                            ? "throw new $T($S + $L + $S + $L + $S + $L + $S)"
                            : "throw new $T($S + $L + $S + $L + $S + $L + $S + $L + $S)", r.single()
                            ? new Object[] {IndexOutOfBoundsException.class, r.node().origin().describe() + ": "
                                    + (r.what().endsWith("s") ? r.what().substring(0, r.what().length() - 1) : r.what()) + " ", low,
                                    " is out of range for the ", anchor(gradientUnit, r.rows()), "x", anchor(gradientUnit, r.cols()), " matrix"}
                            : new Object[] {IndexOutOfBoundsException.class, r.node().origin().describe() + ": " + r.what() + " ", low, "..",
                                    high, " is out of range for the ", anchor(gradientUnit, r.rows()), "x", anchor(gradientUnit, r.cols()),
                                    " matrix"})
                    .endControlFlow();
        }
        for (ShapeInference.Check c : shapes.checks()) {
            String left = anchor(gradientUnit, c.left());
            String right = anchor(gradientUnit, c.right());
            if (left.equals(right)) continue;
            CodeBlock.Builder message = CodeBlock.builder();
            String symbol = c.symbol() == null ? "" : " (" + c.symbol().name() + ")";
            String where = c.node().op() instanceof Leaves.Param
                    ? "argument " + c.node().origin().text() + ": " + c.what() + ": "
                    : c.node().origin().describe() + ": " + c.what() + " differ: ";
            if (c.left() instanceof Anchor.Constant || c.right() instanceof Anchor.Constant) {
                Anchor variable = c.left() instanceof Anchor.Constant ? c.right() : c.left();
                String expected = c.left() instanceof Anchor.Constant ? left : right;
                message.add("$S + $L", where.replace(" differ: ", ": ") + anchorLabel(variable) + " must be " + expected
                        + " but is ", anchor(gradientUnit, variable));
            } else {
                message.add("$S + $L + $S + $L", where + anchorLabel(c.left()) + symbol + " = ", left,
                        " but " + anchorLabel(c.right()) + symbol + " = ", right);
            }
            Set<String> mentioned = new java.util.LinkedHashSet<>();
            for (Anchor a : List.of(c.left(), c.right())) {
                if (a instanceof Anchor.ParameterDim p) mentioned.add(p.parameter());
            }
            boolean first = true;
            for (String p : mentioned) {
                message.add(" + $S + $T.shape($L)", (first ? " (" : ", ") + p + " is ", Ejml.KERNELS, p);
                first = false;
            }
            if (!first) message.add(" + $S", ")");
            code.beginControlFlow("if ($L != $L)", left, right)
                    .addStatement("throw new $T($L)", IllegalArgumentException.class, message.build())
                    .endControlFlow();
        }
        return java.util.Optional.of(m.addCode(code.build()).build());
    }

    // ---- public surface ----------------------------------------------------------------------

    private void addGradientFields(TypeSpec.Builder type) {
        for (String wrt : program.wrt()) {
            Node param = parameterNamed(wrt);
            String field = gradientFields.get(wrt);
            if (param.type() == ValueType.SCALAR) {
                type.addField(FieldSpec.builder(scalarType(), field, Modifier.PRIVATE).addJavadoc("∂L/∂$L\n", wrt).build());
                type.addField(FieldSpec.builder(MATRIX, field + "AsMatrix", Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("∂L/∂$L as a 1×1 matrix, for {@link #gradientOf}.\n", wrt)
                        .initializer("new $T(1, 1)", MATRIX).build());
            } else {
                if (!fieldDocs.containsKey(field)) {
                    type.addField(FieldSpec.builder(MATRIX, field, Modifier.PRIVATE, Modifier.FINAL)
                            .addJavadoc("∂L/∂$L\n", wrt)
                            .initializer("new $T(1, 1)", MATRIX).build());
                }
            }
        }
    }

    private void addSecondOrderFields(TypeSpec.Builder type) {
        for (String wrt : program.wrt()) {
            String field = hvpFields.get(wrt);
            if (parameterNamed(wrt).type() == ValueType.SCALAR) {
                type.addField(FieldSpec.builder(scalarType(), field, Modifier.PRIVATE).addJavadoc("H·d for $L\n", wrt).build());
                type.addField(FieldSpec.builder(MATRIX, field + "AsMatrix", Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("H·d for $L as a 1×1 matrix, for {@link #hessianVectorProductOf}.\n", wrt)
                        .initializer("new $T(1, 1)", MATRIX).build());
            } else {
                if (!fieldDocs.containsKey(field)) {
                    type.addField(FieldSpec.builder(MATRIX, field, Modifier.PRIVATE, Modifier.FINAL)
                            .addJavadoc("H·d for $L\n", wrt)
                            .initializer("new $T(1, 1)", MATRIX).build());
                }
                type.addField(FieldSpec.builder(MATRIX, hessianDirectionField(wrt), Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("The unit direction for $L with which {@link #hessian} takes one Hessian column at a time.\n", wrt)
                        .initializer("new $T(1, 1)", MATRIX).build());
            }
        }
        type.addField(FieldSpec.builder(MATRIX, hessianField, Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("The Hessian from the last {@link #hessian} call.\n")
                .initializer("new $T(1, 1)", MATRIX).build());
    }

    private String hessianField;
    private final Map<String, String> hessianDirectionFields = new LinkedHashMap<>();

    private String hessianDirectionField(String wrt) {
        return hessianDirectionFields.computeIfAbsent(wrt, k -> unique("unit" + capitalize(directionNames.get(k))));
    }

    /** {@code hessianVectorProduct(p1, ..., pk, d1, ..., dw)}: the second-order program's body. */
    private MethodSpec hessianVectorProductMethod() {
        MethodSpec.Builder m = signature("hessianVectorProduct", false);
        for (String wrt : program.wrt()) {
            m.addParameter(javaType(parameterNamed(wrt)), directionNames.get(wrt));
        }
        m.addJavadoc("Computes the loss, its gradient and the Hessian-vector product H·d, where H is the Hessian with respect to "
                + "$L and d stacks the directions; read H·d with the {@code hvp...()} accessors and the gradient with the "
                + "{@code grad...()} accessors. Arguments are never modified.\n\n", String.join(", ", program.wrt()));
        String predicate = secondOrderLowRankUnit == null ? null : lowRankPredicate(secondOrderLowRankUnit);
        if (predicate != null) {
            m.addJavadoc("<p>When {@code $L}, as in {@link #gradient}, through the q×q capacitance matrix (no N×N inverse).\n\n",
                    predicate);
        }
        documentParameters(m);
        documentDirections(m);
        m.addJavadoc("@return the loss, as {@link #gradient} would\n");
        CodeBlock.Builder code = CodeBlock.builder();
        if (!shapes.checks().isEmpty()) {
            code.addStatement("checkArguments($L)", argumentList());
        }
        for (String wrt : program.wrt()) {
            if (parameterNamed(wrt).type() == ValueType.MATRIX) {
                code.addStatement("$T.checkDirection($L, $L, $S, $S, $S)", Ejml.KERNELS, directionNames.get(wrt), wrt,
                        directionNames.get(wrt), wrt, source.qualifiedMethodName());
            }
        }
        if (predicate == null) {
            code.add(body(secondOrderUnit, true, true));
        } else {
            code.add("// Low rank (q < N): Woodbury and the determinant lemma through the q×q capacitance matrix\n");
            code.beginControlFlow("if ($L)", predicate).add(body(secondOrderLowRankUnit, true, true));
            code.nextControlFlow("else").add(body(secondOrderUnit, true, true)).endControlFlow();
        }
        return m.addCode(code.build()).build();
    }

    private void documentDirections(MethodSpec.Builder m) {
        for (String wrt : program.wrt()) {
            m.addJavadoc("@param $L the direction for {@code $L}$L\n", directionNames.get(wrt), wrt,
                    parameterNamed(wrt).type() == ValueType.MATRIX ? ", shaped like it" : "");
        }
    }

    /** {@code hessian(p1, ..., pk)}: one Hessian-vector product per unit direction, column by column. */
    private MethodSpec hessianMethod(TypeSpec.Builder type) {
        hessianField = unique("hessianMatrix");
        addSecondOrderFields(type);
        MethodSpec.Builder m = MethodSpec.methodBuilder("hessian").addModifiers(Modifier.PUBLIC).returns(MATRIX);
        for (Node p : parameters) {
            m.addParameter(javaType(p), ((Leaves.Param) p.op()).name());
        }
        m.addJavadoc("The Hessian with respect to $L, stacked in that order (a matrix parameter's entries row by row, a "
                + "{@code double} one entry): one {@link #hessianVectorProduct} per column, symmetrized. Also fills the "
                + "gradient accessors. Arguments are never modified.\n\n", String.join(", ", program.wrt()));
        documentParameters(m);
        m.addJavadoc("@return the n×n Hessian; owned by this instance and overwritten by the next call\n");
        CodeBlock.Builder code = CodeBlock.builder();
        // Locals named apart from the parameters and fields.
        String n = unique("size");
        String j = unique("column");
        Map<String, String> inside = new HashMap<>();
        for (String wrt : program.wrt()) {
            inside.put(wrt, unique("in" + capitalize(wrt)));
        }
        List<String> offsets = new ArrayList<>();
        String end = "0";
        for (String wrt : program.wrt()) {
            offsets.add(end);
            String size = parameterNamed(wrt).type() == ValueType.MATRIX ? wrt + ".getNumElements()" : "1";
            end = end.equals("0") ? size : end + " + " + size;
        }
        code.addStatement("int $L = $L", n, end);
        code.addStatement("$L.reshape($L, $L)", hessianField, n, n);
        for (String wrt : program.wrt()) {
            if (parameterNamed(wrt).type() == ValueType.MATRIX) {
                code.addStatement("$L.reshape($L.numRows, $L.numCols)", hessianDirectionField(wrt), wrt, wrt);
                code.addStatement("$L.zero()", hessianDirectionField(wrt));
            }
        }
        code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", j, j, n, j);
        List<String> directionArgs = new ArrayList<>();
        for (int k = 0; k < program.wrt().size(); k++) {
            String wrt = program.wrt().get(k);
            String next = k + 1 < program.wrt().size() ? offsets.get(k + 1) : n;
            if (parameterNamed(wrt).type() == ValueType.MATRIX) {
                String unitField = hessianDirectionField(wrt);
                code.addStatement("boolean $L = $L", inside.get(wrt), offsets.get(k).equals("0") ? j + " < " + next
                        : j + " >= " + offsets.get(k) + " && " + j + " < " + next);
                code.beginControlFlow("if ($L)", inside.get(wrt))
                        .addStatement("$L.data[$L] = 1", unitField, offsets.get(k).equals("0") ? j : j + " - (" + offsets.get(k) + ")")
                        .endControlFlow();
                directionArgs.add(unitField);
            } else {
                String local = unique("unit" + capitalize(directionNames.get(wrt)));
                code.addStatement("$T $L = $L == $L ? 1 : 0", scalarType(), local, j, offsets.get(k));
                directionArgs.add(local);
            }
        }
        code.addStatement("hessianVectorProduct($L, $L)", argumentList(), String.join(", ", directionArgs));
        for (int k = 0; k < program.wrt().size(); k++) {
            String wrt = program.wrt().get(k);
            if (parameterNamed(wrt).type() == ValueType.MATRIX) {
                code.beginControlFlow("if ($L)", inside.get(wrt))
                        .addStatement("$L.data[$L] = 0", hessianDirectionField(wrt), offsets.get(k).equals("0") ? j : j + " - (" + offsets.get(k) + ")")
                        .endControlFlow();
                code.addStatement("$T.setHessianColumn($L, $L, $L, $L)", Ejml.KERNELS, hessianField, j, offsets.get(k), hvpFields.get(wrt));
            } else {
                code.addStatement("$L.set($L, $L, $L)", hessianField, offsets.get(k), j, hvpFields.get(wrt));
            }
        }
        code.endControlFlow();
        code.addStatement("$T.symmetrize($L)", Ejml.KERNELS, hessianField);
        code.addStatement("return $L", hessianField);
        return m.addCode(code.build()).build();
    }

    /**
     * For each loop and branch the gradients go through, what its backward pass does: the body's
     * pullback (per iteration for a loop, last first; per branch taken for an if), one update per
     * carried cotangent (∂h ← …, Σ∂W ← Σ∂W + …), printed from the pullback regions, nested ones too.
     * A value the body recomputes under the name it had on entry is primed (h′).
     */
    private void documentLoopPullbacks(StringBuilder doc) {
        documentPullbacks(doc, documented.graph(), documented.gradientNodes());
    }

    private void documentPullbacks(StringBuilder doc, Graph graph, java.util.BitSet live) {
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            dev.adjoint.processor.ops.Primitive op = graph.node(id).op();
            if (op instanceof dev.adjoint.processor.ops.Loop.ReverseLoop loop) {
                String construct = constructOf(loop.labels().get(0), "the loop");
                documentPullback(doc, "Backward through {@code " + escape(construct) + "}: once per iteration, last first,"
                        + " the state updated as below (a name is its value on entry to the iteration, primed its new value):",
                        loop.pullback(), loop.labels());
            } else if (op instanceof dev.adjoint.processor.ops.Cond cond && cond.names().stream().allMatch(n -> n.contains(" through "))) {
                // The backward pass of a branch: a Cond over the two branches' pullbacks, labelled "∂x through if (…)".
                String construct = constructOf(cond.names().get(0), "the branch");
                documentPullback(doc, "Backward through {@code " + escape(construct) + "} when the condition held:", cond.then(),
                        cond.names());
                documentPullback(doc, "Backward through {@code " + escape(construct) + "} otherwise:", cond.otherwise(), cond.names());
            }
        }
    }

    private static String constructOf(String label, String otherwise) {
        int through = label.indexOf(" through ");
        return through < 0 ? otherwise : label.substring(through + " through ".length());
    }

    /** One pullback region: an update line per output, its where-list, then the constructs nested in it. */
    private void documentPullback(StringBuilder doc, String heading, dev.adjoint.processor.ops.Regions.Region pullback,
            List<String> labels) {
        Graph body = pullback.graph();
        Set<String> entry = new java.util.HashSet<>();
        for (Node n : body.nodes()) {
            if (n.op() instanceof dev.adjoint.processor.ops.Regions.Input && body.names().containsKey(n.id())) {
                entry.add(body.names().get(n.id()));
            }
        }
        Map<Integer, String> names = new java.util.HashMap<>(FormulaPrinter.sharedNames(body, pullback.outputs(), Map.of()));
        body.names().forEach((node, name) -> {
            if (!(body.node(node).op() instanceof dev.adjoint.processor.ops.Regions.Input) && entry.contains(name)) {
                names.put(node, name + "′");
            }
        });
        List<String> definitions = new ArrayList<>();
        List<String> updates = new FormulaPrinter(body, names).printAll(pullback.outputs(), definitions);
        doc.append("\n<p>").append(heading).append("\n<ul>\n");
        boolean any = false;
        for (int k = 0; k < updates.size(); k++) {
            // The state's own name in the region (Σ∂W for an accumulated gradient), else its label's.
            int stateInput = k < labels.size() && pullback.inputCount() - updates.size() + k >= 0
                    ? pullback.inputLeaves().get(pullback.inputCount() - updates.size() + k) : -1;
            String state = stateInput >= 0 && pullback.outputs().size() == labels.size() && isStateInput(body, stateInput, labels.get(k))
                    ? body.names().get(stateInput) : null;
            if (state == null) {
                state = labels.get(k);
                int cut = state.indexOf(" through ");
                state = cut < 0 ? state : state.substring(0, cut);
            }
            Node output = body.node(pullback.outputs().get(k));
            if (output.op() instanceof dev.adjoint.processor.ops.Regions.Input && state.equals(body.names().get(output.id()))) {
                continue; // passed through unchanged
            }
            doc.append("<li>").append(escape(state)).append(" ← ").append(escape(updates.get(k))).append("\n");
            any = true;
        }
        if (!any) {
            doc.append("<li>nothing changes\n");
        }
        // The region's inputs are the names themselves (h, W, ∂h): no definition to give.
        definitions.removeIf(d -> d.matches(".+ = in\\d+"));
        if (!definitions.isEmpty()) {
            doc.append("</ul>\n<p>where\n<ul>\n");
            for (String definition : definitions) {
                doc.append("<li>").append(escape(definition)).append("\n");
            }
        }
        doc.append("</ul>\n");
        java.util.BitSet all = new java.util.BitSet();
        all.set(0, body.size());
        documentPullbacks(doc, body, all);
    }

    /** Whether a region input is the state a label names: ∂h for "∂h through …", Σ∂W for "∂W through …". */
    private static boolean isStateInput(Graph body, int input, String label) {
        String name = body.names().get(input);
        int cut = label.indexOf(" through ");
        String state = cut < 0 ? label : label.substring(0, cut);
        return name != null && (name.equals(state) || name.equals("Σ" + state));
    }

    private void addSecondOrderAccessors(TypeSpec.Builder type) {
        Graph documentedGraph = secondOrderDocumented.graph();
        FormulaPrinter printer = new FormulaPrinter(documentedGraph, FormulaPrinter.sharedNames(documentedGraph,
                secondOrderDocumented.hessianVectorProducts().values(), secondOrderDocumented.cotangentOf(), true));
        for (String wrt : program.wrt()) {
            Integer node = secondOrderDocumented.hessianVectorProducts().get(wrt);
            type.addMethod(accessor(hvpAccessors.get(wrt), wrt, hvpFields.get(wrt), node, printer, "H·d for " + wrt,
                    "hessianVectorProduct", "zero (the gradient for " + wrt + " does not change along any direction)"));
        }
        if (parameters.stream().anyMatch(p -> p.type() == ValueType.MATRIX)) {
            String args = String.join(", ", parameters.stream()
                    .map(p -> ((Leaves.Param) p.op()).name() + (p.type() == ValueType.MATRIX ? simpleMatrixData() : "")).toList());
            String directions = String.join(", ", program.wrt().stream()
                    .map(w -> directionNames.get(w) + (parameterNamed(w).type() == ValueType.MATRIX ? simpleMatrixData() : "")).toList());
            MethodSpec.Builder hvp = signature("hessianVectorProduct", true)
                    .addJavadoc("{@link #hessianVectorProduct} on {@code SimpleMatrix} arguments.\n\n");
            for (String wrt : program.wrt()) {
                hvp.addParameter(parameterNamed(wrt).type() == ValueType.MATRIX ? SIMPLE_MATRIX : scalarType(),
                        directionNames.get(wrt));
            }
            documentParameters(hvp);
            documentDirections(hvp);
            type.addMethod(hvp.addJavadoc("@return the loss\n")
                    .addStatement("return hessianVectorProduct($L, $L)", args, directions).build());
            MethodSpec.Builder hessian = MethodSpec.methodBuilder("hessian").addModifiers(Modifier.PUBLIC).returns(MATRIX)
                    .addJavadoc("{@link #hessian} on {@code SimpleMatrix} arguments.\n\n");
            for (Node p : parameters) {
                hessian.addParameter(p.type() == ValueType.MATRIX ? SIMPLE_MATRIX : javaType(p), ((Leaves.Param) p.op()).name());
            }
            documentParameters(hessian);
            type.addMethod(hessian.addJavadoc("@return the Hessian, owned by this instance\n")
                    .addStatement("return hessian($L)", args).build());
        }
    }

    private void addSecondOrderBridge(TypeSpec.Builder type) {
        type.addMethod(MethodSpec.methodBuilder("order").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(TypeName.INT).addStatement("return 2").build());
        CodeBlock.Builder unpack = CodeBlock.builder();
        for (int i = 0; i < parameters.size(); i++) {
            unpack.add(i == 0 ? "" : ", ").add(unpackArgument("arguments", i, parameters.get(i)));
        }
        for (int k = 0; k < program.wrt().size(); k++) {
            String wrt = program.wrt().get(k);
            Node p = parameterNamed(wrt);
            unpack.add(", ").add("$T.$L(directions, $L, $S)", ARGUMENTS, p.type() == ValueType.MATRIX ? "matrix" : "scalar", k,
                    directionNames.get(wrt));
        }
        type.addMethod(MethodSpec.methodBuilder("hessianVectorProduct").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(TypeName.DOUBLE).addParameter(Object[].class, "arguments").addParameter(Object[].class, "directions")
                .addStatement("$T.count(arguments, $L, $S)", ARGUMENTS, parameters.size(), source.qualifiedMethodName())
                .addStatement("$T.count(directions, $L, $S)", ARGUMENTS, program.wrt().size(),
                        source.qualifiedMethodName() + " (directions, one per wrt parameter)")
                .addStatement("return hessianVectorProduct($L)", unpack.build())
                .build());
        CodeBlock.Builder args = CodeBlock.builder();
        for (int i = 0; i < parameters.size(); i++) {
            args.add(i == 0 ? "" : ", ").add(unpackArgument("arguments", i, parameters.get(i)));
        }
        type.addMethod(MethodSpec.methodBuilder("hessian").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(MATRIX).addParameter(Object[].class, "arguments").varargs()
                .addStatement("$T.count(arguments, $L, $S)", ARGUMENTS, parameters.size(), source.qualifiedMethodName())
                .addStatement("return hessian($L)", args.build())
                .build());
        MethodSpec.Builder of = MethodSpec.methodBuilder("hessianVectorProductOf").addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC).returns(MATRIX).addParameter(TypeName.INT, "parameterIndex");
        of.beginControlFlow("switch (parameterIndex)");
        for (int i = 0; i < parameters.size(); i++) {
            Leaves.Param p = (Leaves.Param) parameters.get(i).op();
            if (!program.wrt().contains(p.name())) continue;
            String field = hvpFields.get(p.name());
            if (p.type() == ValueType.SCALAR) {
                of.addCode("case $L:\n$>", i).addStatement("$LAsMatrix.set(0, 0, $L)", field, field)
                        .addStatement("return $LAsMatrix", field).addCode("$<");
            } else {
                of.addCode("case $L:\n$>", i).addStatement("return $L", field).addCode("$<");
            }
        }
        of.addCode("default:\n$>")
                .addStatement("throw new $T($S + parameterIndex)", IllegalArgumentException.class,
                        source.qualifiedMethodName() + " has no Hessian-vector product for parameter index ")
                .addCode("$<");
        of.endControlFlow();
        type.addMethod(of.build());
    }

    private CodeBlock unpackArgument(String array, int i, Node parameter) {
        Leaves.Param p = (Leaves.Param) parameter.op();
        String how = switch (p.type()) {
            case MATRIX -> "matrix";
            case SCALAR -> "scalar";
            case INT -> "integer";
            case BOOLEAN, TUPLE -> throw new IllegalStateException("not a parameter type: " + p.type());
        };
        return CodeBlock.of("$T.$L($L, $L, $S)", ARGUMENTS, how, array, i, p.name());
    }

    private void addSimpleMatrixOverloads(TypeSpec.Builder type) {
        if (parameters.stream().noneMatch(p -> p.type() == ValueType.MATRIX)) {
            return;
        }
        String args = String.join(", ", parameters.stream()
                .map(p -> ((Leaves.Param) p.op()).name() + (p.type() == ValueType.MATRIX ? simpleMatrixData() : ""))
                .toList());
        MethodSpec.Builder value = signature("value", true).addJavadoc("{@link #value} on {@code SimpleMatrix} arguments.\n\n");
        documentParameters(value);
        type.addMethod(value.addJavadoc("@return the loss\n").addStatement("return value($L)", args).build());
        MethodSpec.Builder gradient = signature("gradient", true).addJavadoc("{@link #gradient} on {@code SimpleMatrix} arguments.\n\n");
        documentParameters(gradient);
        type.addMethod(gradient.addJavadoc("@return the loss, as {@link #value} would\n")
                .addStatement("return gradient($L)", args).build());
    }

    /** One {@code @param} tag per parameter of the user's method, in order (doclint wants them all). */
    private void documentParameters(MethodSpec.Builder m) {
        for (Node p : parameters) {
            Leaves.Param param = (Leaves.Param) p.op();
            m.addJavadoc("@param $L argument {@code $L} of {@code $L}$L\n", param.name(), param.name(),
                    source.qualifiedMethodName(), program.wrt().contains(param.name()) ? " (differentiated)" : "");
        }
    }

    private void addAccessors(TypeSpec.Builder type) {
        for (String wrt : program.wrt()) {
            type.addMethod(accessor(accessors.get(wrt), wrt, gradientFields.get(wrt), documented.gradients().get(wrt),
                    gradientFormulas, "∂L/∂" + wrt, "gradient", "zero, " + wrt + " does not affect the loss"));
        }
    }

    /**
     * An accessor of one method's output for {@code wrt} (a gradient, an H·d): its formula, with the
     * definitions it uses, from the documented program, or why it is zero.
     */
    private MethodSpec accessor(String name, String wrt, String field, Integer node, FormulaPrinter printer, String what,
            String method, String whyZero) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC);
        if (node == null) {
            m.addJavadoc("$L from the last {@link #$L} call: $L.\n", what, method, whyZero);
        } else {
            List<String> lines = printer.printWithDefinitionList(node);
            m.addJavadoc("$L from the last {@link #$L} call: $L\n", what, method, escape(lines.get(0)));
            if (lines.size() > 1) {
                m.addJavadoc("where\n<ul>\n");
                for (String definition : lines.subList(1, lines.size())) {
                    m.addJavadoc("<li>$L\n", escape(definition));
                }
                m.addJavadoc("</ul>\n");
            }
        }
        if (parameterNamed(wrt).type() == ValueType.SCALAR) {
            return m.addJavadoc("\n@return $L\n", what).returns(scalarType()).addStatement("return $L", field).build();
        }
        return m.addJavadoc("\n<p>Shaped like {@code $L}; owned by this instance and overwritten by the next call.\n", wrt)
                .addJavadoc("\n@return $L, shaped like {@code $L}\n", what, wrt)
                .returns(MATRIX).addStatement("return $L", field).build();
    }

    private CodeBlock parameterList() {
        CodeBlock.Builder list = CodeBlock.builder().add("$T.of(", List.class);
        for (int i = 0; i < parameters.size(); i++) {
            Leaves.Param p = (Leaves.Param) parameters.get(i).op();
            String kind = switch (p.type()) {
                case MATRIX -> "MATRIX";
                case SCALAR -> "SCALAR";
                case INT -> "INTEGER";
                case BOOLEAN, TUPLE -> throw new IllegalStateException("not a parameter type: " + p.type());
            };
            list.add(i == 0 ? "\n" : ",\n").add("        new $T($S, $T.Kind.$L, $L)", PARAMETER, p.name(), PARAMETER, kind,
                    program.wrt().contains(p.name()));
        }
        return list.add(")").build();
    }

    private void addBridge(TypeSpec.Builder type) {
        type.addMethod(MethodSpec.methodBuilder("name").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(String.class).addStatement("return $S", source.qualifiedMethodName()).build());
        type.addMethod(MethodSpec.methodBuilder("parameters").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(ParameterizedTypeName.get(ClassName.get(List.class), PARAMETER)).addStatement("return PARAMETERS").build());
        for (String name : List.of("value", "gradient")) {
            CodeBlock.Builder unpack = CodeBlock.builder();
            for (int i = 0; i < parameters.size(); i++) {
                Leaves.Param p = (Leaves.Param) parameters.get(i).op();
                String how = switch (p.type()) {
                    case MATRIX -> "matrix";
                    case SCALAR -> "scalar";
                    case INT -> "integer";
                    case BOOLEAN, TUPLE -> throw new IllegalStateException("not a parameter type: " + p.type());
                };
                unpack.add(i == 0 ? "" : ", ").add("$T.$L(arguments, $L, $S)", ARGUMENTS, how, i, p.name());
            }
            type.addMethod(MethodSpec.methodBuilder(name).addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                    .returns(TypeName.DOUBLE).addParameter(Object[].class, "arguments").varargs()
                    .addStatement("$T.count(arguments, $L, $S)", ARGUMENTS, parameters.size(), source.qualifiedMethodName())
                    .addStatement("return $L($L)", name, unpack.build())
                    .build());
        }
        MethodSpec.Builder gradientOf = MethodSpec.methodBuilder("gradientOf").addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC).returns(MATRIX).addParameter(TypeName.INT, "parameterIndex");
        gradientOf.beginControlFlow("switch (parameterIndex)");
        for (int i = 0; i < parameters.size(); i++) {
            Leaves.Param p = (Leaves.Param) parameters.get(i).op();
            if (!program.wrt().contains(p.name())) continue;
            String field = gradientFields.get(p.name());
            if (p.type() == ValueType.SCALAR) {
                gradientOf.addCode("case $L:\n$>", i)
                        .addStatement("$LAsMatrix.set(0, 0, $L)", field, field)
                        .addStatement("return $LAsMatrix", field).addCode("$<");
            } else {
                gradientOf.addCode("case $L:\n$>", i).addStatement("return $L", field).addCode("$<");
            }
        }
        gradientOf.addCode("default:\n$>")
                .addStatement("throw new $T($S + parameterIndex)", IllegalArgumentException.class,
                        source.qualifiedMethodName() + " has no gradient for parameter index ")
                .addCode("$<");
        gradientOf.endControlFlow();
        type.addMethod(gradientOf.build());
    }

    private String classJavadoc() {
        StringBuilder doc = new StringBuilder();
        doc.append(secondOrderDocumented == null ? "Loss and exact gradient of {@code "
                        : "Loss, exact gradient and Hessian-vector products of {@code ").append(source.qualifiedMethodName())
                .append("}, generated by Adjoint from:\n\n<pre>\n")
                .append(escape(source.methodSource().strip()))
                .append("\n</pre>\n\n<p>Gradients:\n<ul>\n");
        List<Integer> roots = new ArrayList<>(documented.gradients().values());
        List<String> definitions = new ArrayList<>();
        List<String> printed = gradientFormulas.printAll(roots, definitions);
        for (String wrt : program.wrt()) {
            Integer node = documented.gradients().get(wrt);
            doc.append("<li>∂L/∂").append(wrt).append(" = ")
                    .append(node == null ? "0 (" + wrt + " does not affect the loss)" : escape(printed.get(roots.indexOf(node))))
                    .append("\n");
        }
        if (!definitions.isEmpty()) {
            doc.append("</ul>\n<p>where\n<ul>\n");
            for (String definition : definitions) {
                doc.append("<li>").append(escape(definition)).append("\n");
            }
        }
        doc.append("</ul>\n");
        documentLoopPullbacks(doc);
        if (secondOrderDocumented != null) {
            doc.append("\n<p>Hessian-vector products (H the Hessian with respect to ").append(String.join(", ", program.wrt()))
                    .append(", d = (").append(String.join(", ", program.wrt().stream().map(directionNames::get).toList()))
                    .append(") the directions):\n<ul>\n");
            Graph g = secondOrderDocumented.graph();
            List<Integer> hvpRoots = new ArrayList<>(secondOrderDocumented.hessianVectorProducts().values());
            FormulaPrinter printer = new FormulaPrinter(g, FormulaPrinter.sharedNames(g, hvpRoots, secondOrderDocumented.cotangentOf(), true));
            List<String> hvpDefinitions = new ArrayList<>();
            List<String> hvpPrinted = printer.printAll(hvpRoots, hvpDefinitions);
            for (String wrt : program.wrt()) {
                Integer node = secondOrderDocumented.hessianVectorProducts().get(wrt);
                doc.append("<li>(H·d)_").append(wrt).append(" = ")
                        .append(node == null ? "0" : escape(hvpPrinted.get(hvpRoots.indexOf(node)))).append("\n");
            }
            if (!hvpDefinitions.isEmpty()) {
                doc.append("</ul>\n<p>where\n<ul>\n");
                for (String definition : hvpDefinitions) {
                    doc.append("<li>").append(escape(definition)).append("\n");
                }
            }
            doc.append("</ul>\n");
        }
        if (source.float32()) {
            doc.append("\n<p>Single precision (float32): the same code as the double class on {@code FMatrixRMaj} and "
                    + "{@code float}, with scalar intermediates and reductions (sums, inner products, log det) computed in "
                    + "{@code double}. It does not implement {@code DifferentiableFunction}, whose methods speak "
                    + "{@code DMatrixRMaj}.\n");
        }
        doc.append("\n<p>Not thread-safe: use one instance per thread.\n");
        return doc.toString();
    }

    /** Makes text safe inside Javadoc. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("*/", "*&#47;").replace("@", "&#64;").replace("\\u", "\\\\u");
    }
}
