package dev.adjoint.processor.emit;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.shape.ShapeInference;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Modifier;

/**
 * Writes the generated class of SPEC section 4 for one differentiated {@link Program}: a
 * workspace field per matrix node (reshaped, never reallocated once shapes repeat), a
 * factorization field per factored matrix, {@code value} (forward nodes only) and
 * {@code gradient} (forward and backward), gradient accessors, {@code SimpleMatrix} overloads and
 * the {@code DifferentiableFunction} bridge. Knows nothing of javac trees.
 *
 * <p>This class assembles the type; the work is split by job: {@link FieldLayout} names nodes
 * and fields, {@link MethodBodies} writes method bodies, {@link ArgumentChecks} the shape checks,
 * {@link PublicApi} and {@link SecondOrderApi} the public surface, {@link ClassJavadoc} the class
 * Javadoc. Names are handed out in the order the methods are emitted, so that order is fixed here.
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

    private final Source source;
    /** The program before lowering, whose formulas the Javadoc and the gradient accessors show. */
    private final Program documented;
    /** Names and fields of the class, which every part below reads. */
    private final FieldLayout layout;
    /** The public methods' shared pieces and the first-order surface. */
    private final PublicApi api;
    private final MethodBodies bodies;
    private final ArgumentChecks checks;
    /** The second-order methods, or null for a first-order class. */
    private final SecondOrderApi secondOrder;
    private final ClassJavadoc javadoc;

    private ClassEmitter(Programs programs, Source source) {
        this.source = source;
        this.documented = programs.documented();
        this.layout = new FieldLayout(programs);
        this.api = new PublicApi(layout, source);
        this.bodies = new MethodBodies(layout, api, source);
        this.checks = new ArgumentChecks(layout, api, bodies);
        this.secondOrder = layout.secondOrderUnit == null ? null
                : new SecondOrderApi(layout, api, bodies, source, programs.secondOrderDocumented());
        this.javadoc = new ClassJavadoc(source, documented, programs.secondOrderDocumented(), layout.program.wrt(),
                layout.directionNames);
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

        // Names are handed out as methods are emitted (scratch, factorizations, loop fields): keep this order.
        MethodSpec value = bodies.computeMethod("value", layout.valueUnit, layout.valueLowRankUnit, false);
        MethodSpec gradient = bodies.computeMethod("gradient", layout.gradientUnit, layout.gradientLowRankUnit, true);
        MethodSpec hessianVectorProduct = secondOrder == null ? null : secondOrder.hessianVectorProductMethod();

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
            type.addMethod(secondOrder.hessianMethod(type));
        }
        api.addSimpleMatrixOverloads(type);
        api.addAccessors(type, documented, javadoc.gradientFormulas);
        if (secondOrder != null) {
            secondOrder.addAccessors(type);
        }
        if (!source.float32()) { // the bridge speaks DMatrixRMaj
            api.addBridge(type);
            if (secondOrder != null) {
                secondOrder.addBridge(type);
            }
        }
        checks.method().ifPresent(type::addMethod);

        return JavaFile.builder(source.packageName(), type.build())
                .skipJavaLangImports(true)
                .indent("    ")
                .build();
    }
}
