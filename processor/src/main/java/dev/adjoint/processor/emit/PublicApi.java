package dev.adjoint.processor.emit;

import static dev.adjoint.processor.ops.Ejml.MATRIX;
import static dev.adjoint.processor.ops.Ejml.SIMPLE_MATRIX;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Leaves;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The generated class's first-order public surface besides {@code value} and {@code gradient}
 * themselves: their {@code SimpleMatrix} overloads, the {@code grad...()} accessors and their
 * fields, and the {@code DifferentiableFunction} bridge; and the pieces every public method shares
 * (its signature, its {@code @param} tags, the API's scalar type, float or double).
 */
final class PublicApi {
    static final ClassName PARAMETER = ClassName.get("dev.adjoint.runtime", "Parameter");
    static final ClassName ARGUMENTS = ClassName.get("dev.adjoint.runtime", "Arguments");

    private final FieldLayout layout;
    private final ClassEmitter.Source source;
    /** The differentiated program: its parameters and which are wrt. */
    private final Program program;
    private final List<Node> parameters;

    PublicApi(FieldLayout layout, ClassEmitter.Source source) {
        this.layout = layout;
        this.source = source;
        this.program = layout.program;
        this.parameters = layout.parameters;
    }

    /** {@code PARAMETERS}, which the bridge's {@code parameters()} returns. */
    FieldSpec parametersField() {
        return FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class), PARAMETER), "PARAMETERS",
                        Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The parameters of {@code $L}: names, kinds and which are {@code wrt}.\n", source.qualifiedMethodName())
                .initializer(parameterList())
                .build();
    }

    /** How an overload reaches a {@code SimpleMatrix}'s data: {@code .getDDRM()}, or {@code .getFDRM()} for float32. */
    String simpleMatrixData() {
        return source.float32() ? ".getFDRM()" : ".getDDRM()";
    }

    /** The API's scalar type: {@code double}, or {@code float} in a float32 class. */
    TypeName scalarType() {
        return source.float32() ? TypeName.FLOAT : TypeName.DOUBLE;
    }

    /** A parameter's Java type in the API. */
    TypeName javaType(Node param) {
        return switch (param.type()) {
            case MATRIX -> MATRIX;
            case SCALAR -> scalarType();
            case INT -> TypeName.INT;
            case BOOLEAN -> TypeName.BOOLEAN;
            case TUPLE -> throw new IllegalStateException("a parameter is never a tuple");
        };
    }

    /** A public method over the user's parameters returning the scalar type; matrices as {@code SimpleMatrix} if asked. */
    MethodSpec.Builder signature(String name, boolean simpleMatrix) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC).returns(scalarType());
        for (Node p : parameters) {
            TypeName t = p.type() == ValueType.MATRIX && simpleMatrix ? SIMPLE_MATRIX : javaType(p);
            m.addParameter(t, ((Leaves.Param) p.op()).name());
        }
        return m;
    }

    /** The parameters' names, comma-separated: a call passing the arguments on. */
    String argumentList() {
        return String.join(", ", parameters.stream().map(p -> ((Leaves.Param) p.op()).name()).toList());
    }

    /** The fields the {@code grad...()} accessors return, unless a node's own field already is one. */
    void addGradientFields(TypeSpec.Builder type) {
        for (String wrt : program.wrt()) {
            Node param = layout.parameterNamed(wrt);
            String field = layout.gradientFields.get(wrt);
            if (param.type() == ValueType.SCALAR) {
                type.addField(FieldSpec.builder(scalarType(), field, Modifier.PRIVATE).addJavadoc("∂L/∂$L\n", wrt).build());
                type.addField(FieldSpec.builder(MATRIX, field + "AsMatrix", Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("∂L/∂$L as a 1×1 matrix, for {@link #gradientOf}.\n", wrt)
                        .initializer("new $T(1, 1)", MATRIX).build());
            } else {
                if (!layout.fieldDocs.containsKey(field)) {
                    type.addField(FieldSpec.builder(MATRIX, field, Modifier.PRIVATE, Modifier.FINAL)
                            .addJavadoc("∂L/∂$L\n", wrt)
                            .initializer("new $T(1, 1)", MATRIX).build());
                }
            }
        }
    }

    /** {@code Arguments.matrix(array, i, "name")} (or scalar, integer): the bridge's checked read of one argument. */
    CodeBlock unpackArgument(String array, int i, Node parameter) {
        Leaves.Param p = (Leaves.Param) parameter.op();
        String how = switch (p.type()) {
            case MATRIX -> "matrix";
            case SCALAR -> "scalar";
            case INT -> "integer";
            case BOOLEAN, TUPLE -> throw new IllegalStateException("not a parameter type: " + p.type());
        };
        return CodeBlock.of("$T.$L($L, $L, $S)", ARGUMENTS, how, array, i, p.name());
    }

    /** {@code value} and {@code gradient} on {@code SimpleMatrix} arguments, when a parameter is a matrix. */
    void addSimpleMatrixOverloads(TypeSpec.Builder type) {
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
    void documentParameters(MethodSpec.Builder m) {
        for (Node p : parameters) {
            Leaves.Param param = (Leaves.Param) p.op();
            m.addJavadoc("@param $L argument {@code $L} of {@code $L}$L\n", param.name(), param.name(),
                    source.qualifiedMethodName(), program.wrt().contains(param.name()) ? " (differentiated)" : "");
        }
    }

    /** The {@code grad...()} accessors, documented with the gradients' formulas before lowering. */
    void addAccessors(TypeSpec.Builder type, Program documented, FormulaPrinter formulas) {
        for (String wrt : program.wrt()) {
            type.addMethod(accessor(layout.accessors.get(wrt), wrt, layout.gradientFields.get(wrt), documented.gradients().get(wrt),
                    formulas, "∂L/∂" + wrt, "gradient", "zero, " + wrt + " does not affect the loss"));
        }
    }

    /**
     * An accessor of one method's output for {@code wrt} (a gradient, an H·d): its formula, with the
     * definitions it uses, from the documented program, or why it is zero.
     */
    MethodSpec accessor(String name, String wrt, String field, Integer node, FormulaPrinter printer, String what,
            String method, String whyZero) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC);
        if (node == null) {
            m.addJavadoc("$L from the last {@link #$L} call: $L.\n", what, method, whyZero);
        } else {
            List<String> lines = printer.printWithDefinitionList(node);
            m.addJavadoc("$L from the last {@link #$L} call: $L\n", what, method, ClassJavadoc.escape(lines.get(0)));
            if (lines.size() > 1) {
                m.addJavadoc("where\n<ul>\n");
                for (String definition : lines.subList(1, lines.size())) {
                    m.addJavadoc("<li>$L\n", ClassJavadoc.escape(definition));
                }
                m.addJavadoc("</ul>\n");
            }
        }
        if (layout.parameterNamed(wrt).type() == ValueType.SCALAR) {
            return m.addJavadoc("\n@return $L\n", what).returns(scalarType()).addStatement("return $L", field).build();
        }
        return m.addJavadoc("\n<p>Shaped like {@code $L}; owned by this instance and overwritten by the next call.\n", wrt)
                .addJavadoc("\n@return $L, shaped like {@code $L}\n", what, wrt)
                .returns(MATRIX).addStatement("return $L", field).build();
    }

    /** The initializer of {@code PARAMETERS}: each parameter's name, kind and whether it is differentiated. */
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

    /** The {@code DifferentiableFunction} methods: name, parameters, value and gradient on {@code Object...}, gradientOf. */
    void addBridge(TypeSpec.Builder type) {
        type.addMethod(MethodSpec.methodBuilder("name").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(String.class).addStatement("return $S", source.qualifiedMethodName()).build());
        type.addMethod(MethodSpec.methodBuilder("parameters").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(ParameterizedTypeName.get(ClassName.get(List.class), PARAMETER)).addStatement("return PARAMETERS").build());
        for (String name : List.of("value", "gradient")) {
            CodeBlock.Builder unpack = CodeBlock.builder();
            for (int i = 0; i < parameters.size(); i++) {
                unpack.add(i == 0 ? "" : ", ").add(unpackArgument("arguments", i, parameters.get(i)));
            }
            type.addMethod(MethodSpec.methodBuilder(name).addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                    .returns(TypeName.DOUBLE).addParameter(Object[].class, "arguments").varargs()
                    .addStatement("$T.count(arguments, $L, $S)", ARGUMENTS, parameters.size(), source.qualifiedMethodName())
                    .addStatement("return $L($L)", name, unpack.build())
                    .build());
        }
        type.addMethod(byParameterIndex("gradientOf", layout.gradientFields, "gradient"));
    }

    /**
     * A bridge method that returns, by parameter index, the matrix in which the last call left a
     * result for that wrt parameter ({@code fields}: wrt → field; a scalar's result is copied into
     * its 1×1 {@code AsMatrix} field): {@code gradientOf}, {@code hessianVectorProductOf}.
     */
    MethodSpec byParameterIndex(String methodName, Map<String, String> fields, String what) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(methodName).addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC).returns(MATRIX).addParameter(TypeName.INT, "parameterIndex");
        method.beginControlFlow("switch (parameterIndex)");
        for (int i = 0; i < parameters.size(); i++) {
            Leaves.Param p = (Leaves.Param) parameters.get(i).op();
            if (!program.wrt().contains(p.name())) continue;
            String field = fields.get(p.name());
            method.addCode("case $L:\n$>", i);
            if (p.type() == ValueType.SCALAR) {
                method.addStatement("$LAsMatrix.set(0, 0, $L)", field, field).addStatement("return $LAsMatrix", field);
            } else {
                method.addStatement("return $L", field);
            }
            method.addCode("$<");
        }
        method.addCode("default:\n$>")
                .addStatement("throw new $T($S + parameterIndex)", IllegalArgumentException.class,
                        source.qualifiedMethodName() + " has no " + what + " for parameter index ")
                .addCode("$<");
        return method.endControlFlow().build();
    }
}
