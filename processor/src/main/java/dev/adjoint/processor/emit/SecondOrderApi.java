package dev.adjoint.processor.emit;

import static dev.adjoint.processor.ops.Ejml.MATRIX;
import static dev.adjoint.processor.ops.Ejml.SIMPLE_MATRIX;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Ejml;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.shape.ShapeInference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The second-order surface of an {@code order = 2} class: {@code hessianVectorProduct(...)} (the
 * second-order program's body), {@code hessian(...)} (one H·d per unit direction), the
 * {@code hvp...()} accessors and their fields, the {@code SimpleMatrix} overloads and the
 * bridge's second-order methods.
 */
final class SecondOrderApi {
    private final FieldLayout layout;
    private final PublicApi api;
    private final MethodBodies bodies;
    private final ClassEmitter.Source source;
    /** The differentiated program: its wrt parameters, which the directions follow. */
    private final Program program;
    private final List<Node> parameters;
    /** The gradient program's shapes: whether {@code checkArguments} exists. */
    private final ShapeInference shapes;
    /** The second-order program before lowering, whose H·d formulas the accessors show. */
    private final Program secondOrderDocumented;
    /** The Hessian's field, named when {@link #hessianMethod} runs. */
    private String hessianField;
    /** wrt parameter → the field of its unit direction. */
    private final Map<String, String> hessianDirectionFields = new LinkedHashMap<>();

    SecondOrderApi(FieldLayout layout, PublicApi api, MethodBodies bodies, ClassEmitter.Source source,
            Program secondOrderDocumented) {
        this.layout = layout;
        this.api = api;
        this.bodies = bodies;
        this.source = source;
        this.program = layout.program;
        this.parameters = layout.parameters;
        this.shapes = layout.gradientUnit.shapes;
        this.secondOrderDocumented = secondOrderDocumented;
    }

    /** The H·d fields the accessors return, the unit directions {@code hessian} steps through, and the Hessian's field. */
    private void addFields(TypeSpec.Builder type) {
        for (String wrt : program.wrt()) {
            String field = layout.hvpFields.get(wrt);
            if (layout.parameterNamed(wrt).type() == ValueType.SCALAR) {
                type.addField(FieldSpec.builder(api.scalarType(), field, Modifier.PRIVATE).addJavadoc("H·d for $L\n", wrt).build());
                type.addField(FieldSpec.builder(MATRIX, field + "AsMatrix", Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("H·d for $L as a 1×1 matrix, for {@link #hessianVectorProductOf}.\n", wrt)
                        .initializer("new $T(1, 1)", MATRIX).build());
            } else {
                if (!layout.fieldDocs.containsKey(field)) {
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

    /** The field of the unit direction for {@code wrt}, named on first use. */
    private String hessianDirectionField(String wrt) {
        return hessianDirectionFields.computeIfAbsent(wrt,
                k -> layout.unique("unit" + FieldLayout.capitalize(layout.directionNames.get(k))));
    }

    /** {@code hessianVectorProduct(p1, ..., pk, d1, ..., dw)}: the second-order program's body. */
    MethodSpec hessianVectorProductMethod() {
        MethodSpec.Builder m = api.signature("hessianVectorProduct", false);
        for (String wrt : program.wrt()) {
            m.addParameter(api.javaType(layout.parameterNamed(wrt)), layout.directionNames.get(wrt));
        }
        m.addJavadoc("Computes the loss, its gradient and the Hessian-vector product H·d, where H is the Hessian with respect to "
                + "$L and d stacks the directions; read H·d with the {@code hvp...()} accessors and the gradient with the "
                + "{@code grad...()} accessors. Arguments are never modified.\n\n", String.join(", ", program.wrt()));
        String predicate = layout.secondOrderLowRankUnit == null ? null : MethodBodies.lowRankPredicate(layout.secondOrderLowRankUnit);
        if (predicate != null) {
            m.addJavadoc("<p>When {@code $L}, as in {@link #gradient}, through the q×q capacitance matrix (no N×N inverse).\n\n",
                    predicate);
        }
        api.documentParameters(m);
        documentDirections(m);
        m.addJavadoc("@return the loss, as {@link #gradient} would\n");
        CodeBlock.Builder code = CodeBlock.builder();
        if (ArgumentChecks.needed(shapes)) { // index ranges too, as value() and gradient() check them
            code.addStatement("checkArguments($L)", api.argumentList());
        }
        for (String wrt : program.wrt()) {
            if (layout.parameterNamed(wrt).type() == ValueType.MATRIX) {
                code.addStatement("$T.checkDirection($L, $L, $S, $S, $S)", Ejml.KERNELS, layout.directionNames.get(wrt), wrt,
                        layout.directionNames.get(wrt), wrt, source.qualifiedMethodName());
            }
        }
        if (predicate == null) {
            code.add(bodies.body(layout.secondOrderUnit, true, true));
        } else {
            code.add("// Low rank (q < N): Woodbury and the determinant lemma through the q×q capacitance matrix\n");
            code.beginControlFlow("if ($L)", predicate).add(bodies.body(layout.secondOrderLowRankUnit, true, true));
            code.nextControlFlow("else").add(bodies.body(layout.secondOrderUnit, true, true)).endControlFlow();
        }
        return m.addCode(code.build()).build();
    }

    /** One {@code @param} tag per direction argument. */
    private void documentDirections(MethodSpec.Builder m) {
        for (String wrt : program.wrt()) {
            m.addJavadoc("@param $L the direction for {@code $L}$L\n", layout.directionNames.get(wrt), wrt,
                    layout.parameterNamed(wrt).type() == ValueType.MATRIX ? ", shaped like it" : "");
        }
    }

    /** {@code hessian(p1, ..., pk)}: one Hessian-vector product per unit direction, column by column. */
    MethodSpec hessianMethod(TypeSpec.Builder type) {
        hessianField = layout.unique("hessianMatrix");
        addFields(type);
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
                String local = layout.unique("unit" + FieldLayout.capitalize(layout.directionNames.get(wrt)));
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
                code.addStatement("$T.setHessianColumn($L, $L, $L, $L)", Ejml.KERNELS, hessianField, j, offsets.get(k),
                        layout.hvpFields.get(wrt));
            } else {
                code.addStatement("$L.set($L, $L, $L)", hessianField, offsets.get(k), j, layout.hvpFields.get(wrt));
            }
        }
        code.endControlFlow();
        code.addStatement("$T.symmetrize($L)", Ejml.KERNELS, hessianField);
        code.addStatement("return $L", hessianField);
        return m.addCode(code.build()).build();
    }

    /** The {@code hvp...()} accessors and the {@code SimpleMatrix} overloads of the second-order methods. */
    void addAccessors(TypeSpec.Builder type) {
        Graph documentedGraph = secondOrderDocumented.graph();
        FormulaPrinter printer = new FormulaPrinter(documentedGraph, FormulaPrinter.sharedNames(documentedGraph,
                secondOrderDocumented.hessianVectorProducts().values(), secondOrderDocumented.cotangentOf(), true));
        for (String wrt : program.wrt()) {
            Integer node = secondOrderDocumented.hessianVectorProducts().get(wrt);
            type.addMethod(api.accessor(layout.hvpAccessors.get(wrt), wrt, layout.hvpFields.get(wrt), node, printer, "H·d for " + wrt,
                    "hessianVectorProduct", "zero (the gradient for " + wrt + " does not change along any direction)"));
        }
        if (parameters.stream().anyMatch(p -> p.type() == ValueType.MATRIX)) {
            String args = String.join(", ", parameters.stream()
                    .map(p -> ((Leaves.Param) p.op()).name() + (p.type() == ValueType.MATRIX ? api.simpleMatrixData() : "")).toList());
            String directions = String.join(", ", program.wrt().stream()
                    .map(w -> layout.directionNames.get(w)
                            + (layout.parameterNamed(w).type() == ValueType.MATRIX ? api.simpleMatrixData() : "")).toList());
            MethodSpec.Builder hvp = api.signature("hessianVectorProduct", true)
                    .addJavadoc("{@link #hessianVectorProduct} on {@code SimpleMatrix} arguments.\n\n");
            for (String wrt : program.wrt()) {
                hvp.addParameter(layout.parameterNamed(wrt).type() == ValueType.MATRIX ? SIMPLE_MATRIX : api.scalarType(),
                        layout.directionNames.get(wrt));
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

    /** {@code DifferentiableFunction}'s second-order methods: order, hessianVectorProduct, hessian, hessianVectorProductOf. */
    void addBridge(TypeSpec.Builder type) {
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
                    layout.directionNames.get(wrt));
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
        type.addMethod(api.byParameterIndex("hessianVectorProductOf", layout.hvpFields, "Hessian-vector product"));
    }
}
