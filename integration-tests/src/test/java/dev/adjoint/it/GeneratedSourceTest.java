package dev.adjoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.adjoint.runtime.DifferentiableFunction;
import dev.adjoint.runtime.Parameter;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC section 4 on the generated source of every class in this module: public final, carries
 * {@code @Generated}, implements the runtime interface, and its class Javadoc shows the DSL source
 * and a gradient formula for every {@code wrt} parameter.
 */
class GeneratedSourceTest {

    private static final Path GENERATED = Path.of(System.getProperty("basedir", "."))
            .resolve("target/generated-test-sources/test-annotations/dev/adjoint/it");

    static Stream<String> generatedClasses() throws IOException {
        assumeTrue(Files.isDirectory(GENERATED), "no generated sources at " + GENERATED.toAbsolutePath());
        try (Stream<Path> files = Files.list(GENERATED)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".java"))
                    .map(n -> n.substring(0, n.length() - ".java".length()))
                    .sorted()
                    .toList();
            return names.stream();
        }
    }

    /** The bridge speaks DMatrixRMaj, so float32 classes have the typed API only. */
    private static final java.util.Set<String> BRIDGE = java.util.Set.of("name", "parameters", "gradientOf", "order",
            "hessianVectorProductOf");

    /**
     * A float32 class ({@code precision = Precision.FLOAT}) has every typed method of its double
     * class, with {@code DMatrixRMaj} as {@code FMatrixRMaj} and {@code double} as {@code float}
     * (SimpleMatrix overloads unchanged), and says in its Javadoc that it is single precision.
     */
    private static void float32ClassMirrorsItsDoubleClass(String simpleName, Class<?> type, String source) throws Exception {
        assertTrue(source.contains("@Generated("), simpleName + " carries @Generated");
        assertTrue(source.contains("Single precision"), simpleName + ": class Javadoc says it is float32");
        Class<?> twin = Class.forName("dev.adjoint.it." + simpleName.substring(0, simpleName.length() - 4));
        for (java.lang.reflect.Method m : twin.getDeclaredMethods()) {
            if (!Modifier.isPublic(m.getModifiers()) || BRIDGE.contains(m.getName())
                    || java.util.Arrays.asList(m.getParameterTypes()).contains(Object[].class)) {
                continue;
            }
            Class<?>[] params = java.util.Arrays.stream(m.getParameterTypes()).map(GeneratedSourceTest::toFloat32)
                    .toArray(Class<?>[]::new);
            var mirrored = type.getMethod(m.getName(), params);
            assertEquals(toFloat32(m.getReturnType()), mirrored.getReturnType(), simpleName + "." + m.getName() + " return type");
        }
    }

    private static Class<?> toFloat32(Class<?> c) {
        return c == org.ejml.data.DMatrixRMaj.class ? org.ejml.data.FMatrixRMaj.class : c == double.class ? float.class : c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("generatedClasses")
    void generatedClassFollowsSpec(String simpleName) throws Exception {
        String source = Files.readString(GENERATED.resolve(simpleName + ".java"), StandardCharsets.UTF_8);
        Class<?> type = Class.forName("dev.adjoint.it." + simpleName);
        assertTrue(Modifier.isPublic(type.getModifiers()) && Modifier.isFinal(type.getModifiers()),
                simpleName + " is public final");
        if (simpleName.endsWith("_F32")) {
            float32ClassMirrorsItsDoubleClass(simpleName, type, source);
            return;
        }
        assertTrue(DifferentiableFunction.class.isAssignableFrom(type), simpleName + " implements DifferentiableFunction");
        assertTrue(source.contains("@Generated("), simpleName + " carries @Generated");

        DifferentiableFunction f = (DifferentiableFunction) type.getConstructor().newInstance();
        String method = f.name().substring(f.name().lastIndexOf('.') + 1);

        int classStart = source.indexOf("public final class " + simpleName);
        int javadocStart = source.lastIndexOf("/**", classStart);
        assertTrue(classStart > 0 && javadocStart >= 0, simpleName + " has a class Javadoc");
        String javadoc = source.substring(javadocStart, classStart);
        assertTrue(javadoc.contains("static double " + method + "("),
                simpleName + ": class Javadoc shows the DSL source of " + method + ":\n" + javadoc);
        assertTrue(javadoc.contains("return "), simpleName + ": class Javadoc shows the DSL body:\n" + javadoc);
        for (Parameter p : f.parameters()) {
            if (p.wrt()) {
                assertTrue(javadoc.contains("∂L/∂" + p.name() + " ="),
                        simpleName + ": class Javadoc gives a formula for ∂L/∂" + p.name() + ":\n" + javadoc);
                String accessor = "grad" + Character.toUpperCase(p.name().charAt(0)) + p.name().substring(1);
                var returnType = type.getMethod(accessor).getReturnType();
                assertEquals(p.kind() == Parameter.Kind.MATRIX ? org.ejml.data.DMatrixRMaj.class : double.class,
                        returnType, simpleName + "." + accessor + "() return type");
            }
        }
    }
}
