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
            String processorName) {}

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
     */
    public record Programs(Program documented, Program gradient, ShapeInference gradientShapes, Program value,
            ShapeInference valueShapes) {}

    public static JavaFile emit(Programs programs, Source source) {
        return new ClassEmitter(programs, source).emit();
    }

    private JavaFile emit() {
        assignNames();
        assignValueNames();
        shareWorkspaces();
        BitSet all = program.gradientNodes();

        MethodSpec value = computeMethod("value", valueUnit, false);
        MethodSpec gradient = computeMethod("gradient", gradientUnit, true);

        TypeSpec.Builder type = TypeSpec.classBuilder(source.generatedName())
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(DIFFERENTIABLE_FUNCTION)
                .addAnnotation(AnnotationSpec.builder(GENERATED).addMember("value", "$S", source.processorName()).build())
                .addJavadoc("$L", classJavadoc());

        type.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class), PARAMETER), "PARAMETERS",
                        Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The parameters of {@code $L}: names, kinds and which are {@code wrt}.\n", source.qualifiedMethodName())
                .initializer(parameterList())
                .build());
        for (Unit unit : List.of(gradientUnit, valueUnit)) {
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
        addGradientFields(type);

        // A parameter or local named like a class we call (Kernels, CommonOps_DDRM, ...) would
        // hide it: such classes are written fully qualified.
        type.alwaysQualify(java.util.stream.Stream.concat(names.values().stream(), valueUnit.names.values().stream())
                .filter(SourceVersion::isIdentifier).distinct().toArray(String[]::new));
        type.addMethod(MethodSpec.constructorBuilder()
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("Creates an instance with its own workspace. Not thread-safe: use one instance per thread.\n")
                .build());
        type.addMethod(value);
        type.addMethod(gradient);
        addSimpleMatrixOverloads(type);
        addAccessors(type);
        addBridge(type);
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
    private void assignValueNames() {
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
        for (Node node : valueGraph.nodes()) {
            int[] inputs = new int[node.inputs().size()];
            boolean mapped = true;
            for (int k = 0; k < inputs.length; k++) {
                inputs[k] = same[node.input(k)];
                mapped &= inputs[k] >= 0;
            }
            same[node.id()] = mapped ? counterparts.find(node.op(), inputs) : -1;
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
        for (Unit unit : List.of(gradientUnit, valueUnit)) {
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
            // A gradient is copied into its field at the end of the method: it must live to the end.
            Set<Integer> gradients = new HashSet<>(unit.program.gradients().values());
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

    private TypeName javaType(Node param) {
        return switch (param.type()) {
            case MATRIX -> MATRIX;
            case SCALAR -> TypeName.DOUBLE;
            case INT -> TypeName.INT;
        };
    }

    private MethodSpec.Builder signature(String name, boolean simpleMatrix) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC).returns(TypeName.DOUBLE);
        for (Node p : parameters) {
            TypeName t = p.type() == ValueType.MATRIX && simpleMatrix ? SIMPLE_MATRIX : javaType(p);
            m.addParameter(t, ((Leaves.Param) p.op()).name());
        }
        return m;
    }

    private String argumentList() {
        return String.join(", ", parameters.stream().map(p -> ((Leaves.Param) p.op()).name()).toList());
    }

    private MethodSpec computeMethod(String name, Unit unit, boolean backward) {
        BitSet live = unit.program.gradientNodes();
        MethodSpec.Builder m = signature(name, false);
        m.addJavadoc(backward
                ? "Computes the loss and its gradient with respect to $L; read the gradient with the {@code grad...()} accessors.\n"
                        + "Arguments are never modified.\n\n"
                : "Computes the loss (forward pass only; wrt $L). Arguments are never modified.\n\n",
                String.join(", ", program.wrt()));
        documentParameters(m);
        m.addJavadoc(backward
                ? "@return the loss: {@link #value}'s result up to rounding (value() runs its own forward-only program)\n"
                : "@return the loss\n");
        Body body = new Body(unit);
        if (!shapes.checks().isEmpty() || !shapes.ranges().isEmpty()) {
            body.code.addStatement("checkArguments($L)", argumentList());
        }
        // Sizes first: they depend only on argument shapes, and constant matrices need them.
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            if (unit.graph.node(id).type() == ValueType.INT) {
                body.emit(unit.graph.node(id));
            }
        }
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            if (unit.graph.node(id).type() != ValueType.INT) {
                body.emit(unit.graph.node(id));
            }
        }
        if (backward) {
            body.code.add("\n");
            for (String wrt : program.wrt()) {
                finishGradient(body.code, wrt);
            }
        }
        body.code.addStatement("return $L", unit.names.get(unit.program.result()));
        return m.addCode(body.code.build()).build();
    }

    private void finishGradient(CodeBlock.Builder code, String wrt) {
        Integer node = program.gradients().get(wrt);
        Node param = parameterNamed(wrt);
        String field = gradientFields.get(wrt);
        if (param.type() == ValueType.SCALAR) {
            code.addStatement("$L = $L", field, node == null ? "0.0" : names.get(node));
        } else if (node == null) {
            code.add("// $L does not affect the loss: its gradient is zero\n", wrt);
            code.addStatement("$L.reshape($L.numRows, $L.numCols)", field, wrt, wrt);
            code.addStatement("$L.zero()", field);
        } else if (!field.equals(names.get(node))) {
            // A value other code also writes (an argument, a forward result): keep a copy.
            code.add("// ∂L/∂$L = $L\n", wrt, formulas.print(node).replace("\n", " "));
            code.addStatement("$T.copy($L, $L)", Ejml.KERNELS, names.get(node), field);
        }
    }

    /** Emission of one method body; tracks which matrices it has factored. */
    private final class Body implements EmitContext {
        final Unit unit;
        final CodeBlock.Builder code = CodeBlock.builder();
        final Set<String> factored = new HashSet<>();
        Node current;
        boolean commented;

        Body(Unit unit) {
            this.unit = unit;
        }

        void emit(Node node) {
            current = node;
            commented = false;
            node.op().emit(this, node);
        }

        private void comment() {
            if (!commented) {
                commented = true;
                code.add("// $L\n", commentFor(unit, current).replace("\n", " "));
            }
        }

        @Override
        public String ref(int id) {
            return unit.names.get(id);
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
            String owner = unit.names.get(node.id());
            String field = scratchFields.computeIfAbsent(owner + ":" + role, key -> unique(owner + role));
            scratchDocs.putIfAbsent(field, "intermediate of " + fieldDoc(unit, node));
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
                String bT = scratchFields.computeIfAbsent("transpose:" + b, key -> unique(b + "T"));
                scratchDocs.putIfAbsent(bT, "the transpose of " + b + ", for products that read it transposed");
                args.add(bT);
            }
            return CodeBlock.of("$T.$L($L);\n", Ejml.PRODUCTS, method, String.join(", ", args));
        }

        @Override
        public void define(Node node, String format, Object... args) {
            comment();
            code.addStatement("$L $L = " + format, prepend(node.type() == ValueType.INT ? "int" : "double", unit.names.get(node.id()), args));
        }

        @Override
        public String dimension(Node intNode) {
            // A parameter's own dimension, as the statement's comment names it: y.getNumRows() is
            // y.numRows even where shapes unify it with another argument's (X.numRows).
            if (intNode.op() instanceof dev.adjoint.processor.ops.IntOps.ShapeQuery q
                    && unit.graph.node(intNode.input(0)).op() instanceof Leaves.Param) {
                return ref(intNode.input(0)) + (q.axis() == 0 ? ".numRows" : ".numCols");
            }
            return anchor(unit, unit.shapes.valueOf(intNode));
        }

        @Override
        public String factor(int matrix, Factorization kind, Node owner) {
            String matrixName = unit.names.get(matrix);
            String key = kind + ":" + matrixName;
            String field = factorFields.computeIfAbsent(key, k -> unique(
                    (kind == Factorization.CHOLESKY ? "chol" : "lu") + capitalize(matrixName)));
            factorTypes.put(key, kind == Factorization.CHOLESKY ? Ejml.SPD_FACTORIZATION : Ejml.LU_FACTORIZATION);
            if (factored.add(key)) {
                comment();
                code.addStatement("$L.factor($L, $S)", field, matrixName, describe(factorOwner(unit, matrix, kind, owner)));
            }
            return field;
        }

        @Override
        public String describe(Node node) {
            return node.origin().text().isEmpty() ? unit.formulas.print(node.id()) : node.origin().describe();
        }
    }

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
            if (graph.node(id).type() == ValueType.INT) body.emit(graph.node(id));
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
                            ? new Object[] {IllegalArgumentException.class, r.node().origin().describe() + ": " + r.what() + " ", low,
                                    " is out of range for the ", anchor(gradientUnit, r.rows()), "x", anchor(gradientUnit, r.cols()), " matrix"}
                            : new Object[] {IllegalArgumentException.class, r.node().origin().describe() + ": " + r.what() + " ", low, "..",
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
                type.addField(FieldSpec.builder(TypeName.DOUBLE, field, Modifier.PRIVATE).addJavadoc("∂L/∂$L\n", wrt).build());
                type.addField(FieldSpec.builder(MATRIX, field + "AsMatrix", Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("∂L/∂$L as a 1×1 matrix, for {@link #gradientOf}.\n", wrt)
                        .initializer("new $T(1, 1)", MATRIX).build());
            } else {
                Integer node = program.gradients().get(wrt);
                if (node == null || !field.equals(names.get(node))) {
                    type.addField(FieldSpec.builder(MATRIX, field, Modifier.PRIVATE, Modifier.FINAL)
                            .addJavadoc("∂L/∂$L\n", wrt)
                            .initializer("new $T(1, 1)", MATRIX).build());
                }
            }
        }
    }

    private void addSimpleMatrixOverloads(TypeSpec.Builder type) {
        if (parameters.stream().noneMatch(p -> p.type() == ValueType.MATRIX)) {
            return;
        }
        String args = String.join(", ", parameters.stream()
                .map(p -> ((Leaves.Param) p.op()).name() + (p.type() == ValueType.MATRIX ? ".getDDRM()" : ""))
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
            Node param = parameterNamed(wrt);
            String field = gradientFields.get(wrt);
            Integer node = documented.gradients().get(wrt);
            MethodSpec.Builder m = MethodSpec.methodBuilder(accessors.get(wrt)).addModifiers(Modifier.PUBLIC);
            if (node == null) {
                m.addJavadoc("∂L/∂$L from the last {@link #gradient} call: zero, $L does not affect the loss.\n", wrt, wrt);
            } else {
                List<String> lines = gradientFormulas.printWithDefinitionList(node);
                m.addJavadoc("∂L/∂$L from the last {@link #gradient} call: $L\n", wrt, escape(lines.get(0)));
                if (lines.size() > 1) {
                    m.addJavadoc("where\n<ul>\n");
                    for (String definition : lines.subList(1, lines.size())) {
                        m.addJavadoc("<li>$L\n", escape(definition));
                    }
                    m.addJavadoc("</ul>\n");
                }
            }
            if (param.type() == ValueType.SCALAR) {
                m.addJavadoc("\n@return ∂L/∂$L\n", wrt).returns(TypeName.DOUBLE).addStatement("return $L", field);
            } else {
                m.addJavadoc("\n<p>Shaped like {@code $L}; owned by this instance and overwritten by the next call.\n", wrt)
                        .addJavadoc("\n@return ∂L/∂$L, shaped like {@code $L}\n", wrt, wrt)
                        .returns(MATRIX).addStatement("return $L", field);
            }
            type.addMethod(m.build());
        }
    }

    private CodeBlock parameterList() {
        CodeBlock.Builder list = CodeBlock.builder().add("$T.of(", List.class);
        for (int i = 0; i < parameters.size(); i++) {
            Leaves.Param p = (Leaves.Param) parameters.get(i).op();
            String kind = switch (p.type()) {
                case MATRIX -> "MATRIX";
                case SCALAR -> "SCALAR";
                case INT -> "INTEGER";
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
        doc.append("Loss and exact gradient of {@code ").append(source.qualifiedMethodName())
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
        doc.append("</ul>\n\n<p>Not thread-safe: use one instance per thread.\n");
        return doc.toString();
    }

    /** Makes text safe inside Javadoc. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("*/", "*&#47;").replace("@", "&#64;").replace("\\u", "\\\\u");
    }
}
