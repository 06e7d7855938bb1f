package dev.adjoint.processor.emit;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.EmitContext;
import dev.adjoint.processor.ops.Ejml;
import dev.adjoint.processor.ops.IntOps;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.ops.LinearAlgebra;
import dev.adjoint.processor.ops.Primitive;
import dev.adjoint.processor.ops.Regions;
import dev.adjoint.processor.shape.ShapeInference;
import dev.adjoint.processor.shape.ShapeInference.Anchor;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import javax.lang.model.element.Modifier;

/**
 * Writes method bodies: each live node's statements through its op's {@code emit}, with this
 * class's {@code Body} as the op's {@link EmitContext} (names, scratch and factorization fields,
 * products, loop and branch regions), then the outputs copied into the accessors' fields. Serves
 * {@code value}, {@code gradient}, {@code hessianVectorProduct} and their low-rank versions.
 */
final class MethodBodies {
    private final FieldLayout layout;
    private final PublicApi api;
    private final ClassEmitter.Source source;
    /** The differentiated program: which parameters are wrt. */
    private final Program program;
    /** The gradient program's shapes, whose checks and ranges {@code checkArguments} makes. */
    private final ShapeInference shapes;

    MethodBodies(FieldLayout layout, PublicApi api, ClassEmitter.Source source) {
        this.layout = layout;
        this.api = api;
        this.source = source;
        this.program = layout.program;
        this.shapes = layout.gradientUnit.shapes;
    }

    /**
     * A scalar computed in {@code double} (a float32 class keeps scalar intermediates in double) as
     * the API's scalar type.
     */
    private String toApi(String expression) {
        return source.float32() && !expression.matches("-?\\d+(\\.\\d+)?|0\\.0") ? "(float) " + expression : expression;
    }

    /**
     * {@code value(...)} or {@code gradient(...)}: its Javadoc, the argument checks, then the body
     * (behind the {@code q < N} test when the method has a low-rank version).
     */
    MethodSpec computeMethod(String name, MethodUnit unit, MethodUnit lowRank, boolean backward) {
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
        if (ArgumentChecks.needed(shapes)) {
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
    static String lowRankPredicate(MethodUnit unit) {
        Set<String> tests = new LinkedHashSet<>();
        BitSet live = unit.program.gradientNodes();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = unit.graph.node(id);
            if (node.op() instanceof LinearAlgebra.Capacitance) {
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
    CodeBlock body(MethodUnit unit, boolean backward, boolean secondOrder) {
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
                finish(body.code, wrt, unit, unit.program.gradients().get(wrt), layout.gradientFields.get(wrt), "∂L/∂" + wrt);
            }
        }
        if (secondOrder) {
            for (String wrt : program.wrt()) {
                finish(body.code, wrt, unit, unit.program.hessianVectorProducts().get(wrt), layout.hvpFields.get(wrt),
                        "H·d for " + wrt);
            }
        }
        body.code.addStatement("return $L", toApi(unit.names.get(unit.program.result())));
        return body.code.build();
    }

    /**
     * A new method body holding just the static sizes among {@code ids}, to go on writing in:
     * {@code checkArguments} recomputes from the arguments the integer locals its checks read.
     */
    CodeBlock.Builder sizes(MethodUnit unit, BitSet ids) {
        Body body = new Body(unit);
        for (int id = ids.nextSetBit(0); id >= 0; id = ids.nextSetBit(id + 1)) {
            if (unit.graph.node(id).type() == ValueType.INT && !unit.shapes.dynamic(id)) body.emit(unit.graph.node(id));
        }
        return body.code;
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

        Body(Body parent, Regions.Region region) {
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
            if (intNode.op() instanceof IntOps.ShapeQuery q
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
                String what = unit.graph.node(matrix).op() instanceof LinearAlgebra.Capacitance c
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
        public List<String> region(Regions.Region region, List<String> inputs,
                Map<Integer, String> into) {
            Body child = new Body(this, region);
            Graph g = region.graph();
            for (Map.Entry<Integer, String> e : into.entrySet()) {
                child.names.put(region.outputs().get(e.getKey()), e.getValue());
            }
            for (int id = child.live.nextSetBit(0); id >= 0; id = child.live.nextSetBit(id + 1)) {
                Node node = g.node(id);
                if (node.op() instanceof Regions.Input in) {
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
                if (!(node.op() instanceof Regions.Input)) {
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
        public <T extends Primitive> boolean readBy(Node node, Class<T> type,
                Predicate<? super T> which) {
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
    private static BitSet regionLive(Regions.Region region) {
        Graph g = region.graph();
        BitSet live = new BitSet(g.size());
        for (int o : region.outputs()) {
            live.set(o);
        }
        for (int id = g.size() - 1; id >= 0; id--) {
            if (live.get(id)) {
                Node node = g.node(id);
                if (!node.op().isLeaf() || node.op() instanceof IntOps.ShapeQuery) {
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
                if (node.op() instanceof LinearAlgebra.LogDet && node.input(0) == matrix
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
}
