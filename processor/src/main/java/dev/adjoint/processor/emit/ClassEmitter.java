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
    private static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");

    /** How a pooled workspace field's Javadoc starts; the derivation report reads the list after it. */
    public static final String WORKSPACE_DOC = "Workspace shared, in turn, by intermediates whose lifetimes do not overlap:";

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
    /** Names and fields of the class, which every method below reads. */
    private final FieldLayout layout;
    /** The public methods' shared pieces and the first-order surface. */
    private final PublicApi api;
    private final MethodUnit gradientUnit;
    private final MethodUnit valueUnit;
    private final MethodUnit gradientLowRankUnit;
    private final MethodUnit valueLowRankUnit;
    private final MethodUnit secondOrderLowRankUnit;
    private final MethodUnit secondOrderUnit;
    /** The second-order program before lowering, whose H·d formulas the Javadoc shows (or null). */
    private final Program secondOrderDocumented;
    private final Map<String, String> hvpFields;
    private final Map<String, String> hvpAccessors;
    private final Map<String, String> directionNames;
    /** The program before lowering, whose formulas the Javadoc shows. */
    private final Program documented;
    private final Map<String, String> fieldDocs;
    /** The class Javadoc, whose gradient formulas the accessors' Javadoc shares. */
    private final ClassJavadoc javadoc;
    private final Map<String, String> gradientFields;
    private final Map<String, String> accessors;
    private final List<Node> parameters;

    private ClassEmitter(Programs programs, Source source) {
        this.layout = new FieldLayout(programs);
        this.api = new PublicApi(layout, source);
        this.gradientUnit = layout.gradientUnit;
        this.valueUnit = layout.valueUnit;
        this.gradientLowRankUnit = layout.gradientLowRankUnit;
        this.valueLowRankUnit = layout.valueLowRankUnit;
        this.secondOrderLowRankUnit = layout.secondOrderLowRankUnit;
        this.secondOrderUnit = layout.secondOrderUnit;
        this.secondOrderDocumented = programs.secondOrderDocumented();
        this.program = programs.gradient();
        this.graph = program.graph();
        this.shapes = programs.gradientShapes();
        this.source = source;
        this.documented = programs.documented();
        this.hvpFields = layout.hvpFields;
        this.hvpAccessors = layout.hvpAccessors;
        this.directionNames = layout.directionNames;
        this.fieldDocs = layout.fieldDocs;
        this.gradientFields = layout.gradientFields;
        this.accessors = layout.accessors;
        this.parameters = layout.parameters;
        this.javadoc = new ClassJavadoc(source, documented, secondOrderDocumented, program.wrt(), directionNames);
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

    public static JavaFile emit(Programs programs, Source source) {
        return new ClassEmitter(programs, source).emit();
    }

    private JavaFile emit() {
        layout.assignNodeNames();

        MethodSpec value = computeMethod("value", valueUnit, valueLowRankUnit, false);
        MethodSpec gradient = computeMethod("gradient", gradientUnit, gradientLowRankUnit, true);
        MethodSpec hessianVectorProduct = secondOrderUnit == null ? null : hessianVectorProductMethod();

        TypeSpec.Builder type = TypeSpec.classBuilder(source.generatedName())
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addAnnotation(AnnotationSpec.builder(GENERATED).addMember("value", "$S", source.processorName()).build())
                .addJavadoc("$L", javadoc.text());

        if (!source.float32()) {
            type.addSuperinterface(DIFFERENTIABLE_FUNCTION);
            type.addField(api.parametersField());
        }
        layout.declareFields(type);
        api.addGradientFields(type);

        // A parameter or local named like a class we call (Kernels, CommonOps_DDRM, ...) would
        // hide it: such classes are written fully qualified.
        type.alwaysQualify(layout.units().stream().flatMap(u -> u.names.values().stream())
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
        api.addSimpleMatrixOverloads(type);
        api.addAccessors(type, documented, javadoc.gradientFormulas);
        if (secondOrderUnit != null) {
            addSecondOrderAccessors(type);
        }
        if (!source.float32()) { // the bridge speaks DMatrixRMaj
            api.addBridge(type);
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

    // ---- value and gradient ------------------------------------------------------------------

    /**
     * A scalar computed in {@code double} (a float32 class keeps scalar intermediates in double) as
     * the API's scalar type.
     */
    private String toApi(String expression) {
        return source.float32() && !expression.matches("-?\\d+(\\.\\d+)?|0\\.0") ? "(float) " + expression : expression;
    }

    private MethodSpec computeMethod(String name, MethodUnit unit, MethodUnit lowRank, boolean backward) {
        MethodSpec.Builder m = api.signature(name, false);
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
        api.documentParameters(m);
        m.addJavadoc(backward
                ? "@return the loss: {@link #value}'s result up to rounding (value() runs its own forward-only program)\n"
                : "@return the loss\n");
        CodeBlock.Builder code = CodeBlock.builder();
        if (!shapes.checks().isEmpty() || !shapes.ranges().isEmpty()) {
            code.addStatement("checkArguments($L)", api.argumentList());
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
    private static String lowRankPredicate(MethodUnit unit) {
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
                tests.add(unit.anchor(cols) + " < " + unit.anchor(rows));
            }
        }
        return tests.isEmpty() ? null : String.join(" && ", tests);
    }

    /** One program's statements: sizes, then every live node, then the gradients' fields, then the return. */
    private CodeBlock body(MethodUnit unit, boolean backward) {
        return body(unit, backward, false);
    }

    /**
     * As {@link #body(MethodUnit, boolean)}; with {@code secondOrder}, the H·d fields are filled after the
     * gradients' (a second-order program is always backward).
     */
    private CodeBlock body(MethodUnit unit, boolean backward, boolean secondOrder) {
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
    private void finish(CodeBlock.Builder code, String wrt, MethodUnit unit, Integer node, String field, String what) {
        Node param = layout.parameterNamed(wrt);
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
        final MethodUnit unit;
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

        Body(MethodUnit unit) {
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
                code.add("// $L\n", (parent == null ? unit.commentFor(current) : regionComment(current)).replace("\n", " "));
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
            return layout.scratchField(owner + ":" + role, owner + role,
                    "intermediate of " + (parent == null ? unit.fieldDoc(node) : regionComment(node)));
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
            return layout.scratchField("transpose:" + b, FieldLayout.identifierFrom(b) + "T",
                    "the transpose of " + b + ", for products that read it transposed");
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
            return unit.anchor(unit.shapes.valueOf(intNode));
        }

        @Override
        public String factor(int matrix, Factorization kind, Node owner) {
            String matrixName = names.get(matrix);
            String key = kind + ":" + matrixName;
            String field = layout.factorizationField(key,
                    (kind == Factorization.CHOLESKY ? "chol" : "lu") + FieldLayout.capitalize(FieldLayout.identifierFrom(matrixName)),
                    kind == Factorization.CHOLESKY ? Ejml.SPD_FACTORIZATION : Ejml.LU_FACTORIZATION);
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
            String name = layout.unique(FieldLayout.identifierFrom(base));
            if (type == ValueType.MATRIX) {
                layout.regionField(name, doc == null ? name : doc);
            }
            return name;
        }

        @Override
        public String field(String base, TypeName type, String doc) {
            String name = layout.unique(FieldLayout.identifierFrom(base));
            layout.otherField(name, FieldSpec.builder(type, name, Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("$L\n", ClassJavadoc.escape(doc))
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
                String name = layout.unique(base);
                child.names.put(id, name);
                if (node.type() == ValueType.MATRIX) {
                    layout.regionField(name, child.regionComment(node) + " (in a loop or a branch)");
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

    /**
     * The node a factorization failure is blamed on: for Cholesky, the user's {@code logDet} of
     * the matrix (its inverse and solves only share that factor), else the node that asked.
     */
    private static Node factorOwner(MethodUnit unit, int matrix, EmitContext.Factorization kind, Node asking) {
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

    // ---- argument checks ---------------------------------------------------------------------

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
        api.documentParameters(m);
        for (Node p : parameters) {
            m.addParameter(api.javaType(p), ((Leaves.Param) p.op()).name());
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
            String low = gradientUnit.anchor(r.low());
            String high = gradientUnit.anchor(r.high());
            String limit = gradientUnit.anchor(r.limit());
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
                                    " is out of range for the ", gradientUnit.anchor(r.rows()), "x", gradientUnit.anchor(r.cols()), " matrix"}
                            : new Object[] {IndexOutOfBoundsException.class, r.node().origin().describe() + ": " + r.what() + " ", low, "..",
                                    high, " is out of range for the ", gradientUnit.anchor(r.rows()), "x", gradientUnit.anchor(r.cols()),
                                    " matrix"})
                    .endControlFlow();
        }
        for (ShapeInference.Check c : shapes.checks()) {
            String left = gradientUnit.anchor(c.left());
            String right = gradientUnit.anchor(c.right());
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
                        + " but is ", gradientUnit.anchor(variable));
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

    private void addSecondOrderFields(TypeSpec.Builder type) {
        for (String wrt : program.wrt()) {
            String field = hvpFields.get(wrt);
            if (layout.parameterNamed(wrt).type() == ValueType.SCALAR) {
                type.addField(FieldSpec.builder(api.scalarType(), field, Modifier.PRIVATE).addJavadoc("H·d for $L\n", wrt).build());
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
        return hessianDirectionFields.computeIfAbsent(wrt, k -> layout.unique("unit" + FieldLayout.capitalize(directionNames.get(k))));
    }

    /** {@code hessianVectorProduct(p1, ..., pk, d1, ..., dw)}: the second-order program's body. */
    private MethodSpec hessianVectorProductMethod() {
        MethodSpec.Builder m = api.signature("hessianVectorProduct", false);
        for (String wrt : program.wrt()) {
            m.addParameter(api.javaType(layout.parameterNamed(wrt)), directionNames.get(wrt));
        }
        m.addJavadoc("Computes the loss, its gradient and the Hessian-vector product H·d, where H is the Hessian with respect to "
                + "$L and d stacks the directions; read H·d with the {@code hvp...()} accessors and the gradient with the "
                + "{@code grad...()} accessors. Arguments are never modified.\n\n", String.join(", ", program.wrt()));
        String predicate = secondOrderLowRankUnit == null ? null : lowRankPredicate(secondOrderLowRankUnit);
        if (predicate != null) {
            m.addJavadoc("<p>When {@code $L}, as in {@link #gradient}, through the q×q capacitance matrix (no N×N inverse).\n\n",
                    predicate);
        }
        api.documentParameters(m);
        documentDirections(m);
        m.addJavadoc("@return the loss, as {@link #gradient} would\n");
        CodeBlock.Builder code = CodeBlock.builder();
        if (!shapes.checks().isEmpty()) {
            code.addStatement("checkArguments($L)", api.argumentList());
        }
        for (String wrt : program.wrt()) {
            if (layout.parameterNamed(wrt).type() == ValueType.MATRIX) {
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
                    layout.parameterNamed(wrt).type() == ValueType.MATRIX ? ", shaped like it" : "");
        }
    }

    /** {@code hessian(p1, ..., pk)}: one Hessian-vector product per unit direction, column by column. */
    private MethodSpec hessianMethod(TypeSpec.Builder type) {
        hessianField = layout.unique("hessianMatrix");
        addSecondOrderFields(type);
        MethodSpec.Builder m = MethodSpec.methodBuilder("hessian").addModifiers(Modifier.PUBLIC).returns(MATRIX);
        for (Node p : parameters) {
            m.addParameter(api.javaType(p), ((Leaves.Param) p.op()).name());
        }
        m.addJavadoc("The Hessian with respect to $L, stacked in that order (a matrix parameter's entries row by row, a "
                + "{@code double} one entry): one {@link #hessianVectorProduct} per column, symmetrized. Also fills the "
                + "gradient accessors. Arguments are never modified.\n\n", String.join(", ", program.wrt()));
        api.documentParameters(m);
        m.addJavadoc("@return the n×n Hessian; owned by this instance and overwritten by the next call\n");
        CodeBlock.Builder code = CodeBlock.builder();
        // Locals named apart from the parameters and fields.
        String n = layout.unique("size");
        String j = layout.unique("column");
        Map<String, String> inside = new HashMap<>();
        for (String wrt : program.wrt()) {
            inside.put(wrt, layout.unique("in" + FieldLayout.capitalize(wrt)));
        }
        List<String> offsets = new ArrayList<>();
        String end = "0";
        for (String wrt : program.wrt()) {
            offsets.add(end);
            String size = layout.parameterNamed(wrt).type() == ValueType.MATRIX ? wrt + ".getNumElements()" : "1";
            end = end.equals("0") ? size : end + " + " + size;
        }
        code.addStatement("int $L = $L", n, end);
        code.addStatement("$L.reshape($L, $L)", hessianField, n, n);
        for (String wrt : program.wrt()) {
            if (layout.parameterNamed(wrt).type() == ValueType.MATRIX) {
                code.addStatement("$L.reshape($L.numRows, $L.numCols)", hessianDirectionField(wrt), wrt, wrt);
                code.addStatement("$L.zero()", hessianDirectionField(wrt));
            }
        }
        code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", j, j, n, j);
        List<String> directionArgs = new ArrayList<>();
        for (int k = 0; k < program.wrt().size(); k++) {
            String wrt = program.wrt().get(k);
            String next = k + 1 < program.wrt().size() ? offsets.get(k + 1) : n;
            if (layout.parameterNamed(wrt).type() == ValueType.MATRIX) {
                String unitField = hessianDirectionField(wrt);
                code.addStatement("boolean $L = $L", inside.get(wrt), offsets.get(k).equals("0") ? j + " < " + next
                        : j + " >= " + offsets.get(k) + " && " + j + " < " + next);
                code.beginControlFlow("if ($L)", inside.get(wrt))
                        .addStatement("$L.data[$L] = 1", unitField, offsets.get(k).equals("0") ? j : j + " - (" + offsets.get(k) + ")")
                        .endControlFlow();
                directionArgs.add(unitField);
            } else {
                String local = layout.unique("unit" + FieldLayout.capitalize(directionNames.get(wrt)));
                code.addStatement("$T $L = $L == $L ? 1 : 0", api.scalarType(), local, j, offsets.get(k));
                directionArgs.add(local);
            }
        }
        code.addStatement("hessianVectorProduct($L, $L)", api.argumentList(), String.join(", ", directionArgs));
        for (int k = 0; k < program.wrt().size(); k++) {
            String wrt = program.wrt().get(k);
            if (layout.parameterNamed(wrt).type() == ValueType.MATRIX) {
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

    private void addSecondOrderAccessors(TypeSpec.Builder type) {
        Graph documentedGraph = secondOrderDocumented.graph();
        FormulaPrinter printer = new FormulaPrinter(documentedGraph, FormulaPrinter.sharedNames(documentedGraph,
                secondOrderDocumented.hessianVectorProducts().values(), secondOrderDocumented.cotangentOf(), true));
        for (String wrt : program.wrt()) {
            Integer node = secondOrderDocumented.hessianVectorProducts().get(wrt);
            type.addMethod(api.accessor(hvpAccessors.get(wrt), wrt, hvpFields.get(wrt), node, printer, "H·d for " + wrt,
                    "hessianVectorProduct", "zero (the gradient for " + wrt + " does not change along any direction)"));
        }
        if (parameters.stream().anyMatch(p -> p.type() == ValueType.MATRIX)) {
            String args = String.join(", ", parameters.stream()
                    .map(p -> ((Leaves.Param) p.op()).name() + (p.type() == ValueType.MATRIX ? api.simpleMatrixData() : "")).toList());
            String directions = String.join(", ", program.wrt().stream()
                    .map(w -> directionNames.get(w) + (layout.parameterNamed(w).type() == ValueType.MATRIX ? api.simpleMatrixData() : "")).toList());
            MethodSpec.Builder hvp = api.signature("hessianVectorProduct", true)
                    .addJavadoc("{@link #hessianVectorProduct} on {@code SimpleMatrix} arguments.\n\n");
            for (String wrt : program.wrt()) {
                hvp.addParameter(layout.parameterNamed(wrt).type() == ValueType.MATRIX ? SIMPLE_MATRIX : api.scalarType(),
                        directionNames.get(wrt));
            }
            api.documentParameters(hvp);
            documentDirections(hvp);
            type.addMethod(hvp.addJavadoc("@return the loss\n")
                    .addStatement("return hessianVectorProduct($L, $L)", args, directions).build());
            MethodSpec.Builder hessian = MethodSpec.methodBuilder("hessian").addModifiers(Modifier.PUBLIC).returns(MATRIX)
                    .addJavadoc("{@link #hessian} on {@code SimpleMatrix} arguments.\n\n");
            for (Node p : parameters) {
                hessian.addParameter(p.type() == ValueType.MATRIX ? SIMPLE_MATRIX : api.javaType(p), ((Leaves.Param) p.op()).name());
            }
            api.documentParameters(hessian);
            type.addMethod(hessian.addJavadoc("@return the Hessian, owned by this instance\n")
                    .addStatement("return hessian($L)", args).build());
        }
    }

    private void addSecondOrderBridge(TypeSpec.Builder type) {
        type.addMethod(MethodSpec.methodBuilder("order").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(TypeName.INT).addStatement("return 2").build());
        CodeBlock.Builder unpack = CodeBlock.builder();
        for (int i = 0; i < parameters.size(); i++) {
            unpack.add(i == 0 ? "" : ", ").add(api.unpackArgument("arguments", i, parameters.get(i)));
        }
        for (int k = 0; k < program.wrt().size(); k++) {
            String wrt = program.wrt().get(k);
            Node p = layout.parameterNamed(wrt);
            unpack.add(", ").add("$T.$L(directions, $L, $S)", PublicApi.ARGUMENTS, p.type() == ValueType.MATRIX ? "matrix" : "scalar", k,
                    directionNames.get(wrt));
        }
        type.addMethod(MethodSpec.methodBuilder("hessianVectorProduct").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(TypeName.DOUBLE).addParameter(Object[].class, "arguments").addParameter(Object[].class, "directions")
                .addStatement("$T.count(arguments, $L, $S)", PublicApi.ARGUMENTS, parameters.size(), source.qualifiedMethodName())
                .addStatement("$T.count(directions, $L, $S)", PublicApi.ARGUMENTS, program.wrt().size(),
                        source.qualifiedMethodName() + " (directions, one per wrt parameter)")
                .addStatement("return hessianVectorProduct($L)", unpack.build())
                .build());
        CodeBlock.Builder args = CodeBlock.builder();
        for (int i = 0; i < parameters.size(); i++) {
            args.add(i == 0 ? "" : ", ").add(api.unpackArgument("arguments", i, parameters.get(i)));
        }
        type.addMethod(MethodSpec.methodBuilder("hessian").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(MATRIX).addParameter(Object[].class, "arguments").varargs()
                .addStatement("$T.count(arguments, $L, $S)", PublicApi.ARGUMENTS, parameters.size(), source.qualifiedMethodName())
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

}
