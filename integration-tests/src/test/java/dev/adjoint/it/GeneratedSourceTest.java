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

    @ParameterizedTest(name = "{0}")
    @MethodSource("generatedClasses")
    void generatedClassFollowsSpec(String simpleName) throws Exception {
        String source = Files.readString(GENERATED.resolve(simpleName + ".java"), StandardCharsets.UTF_8);
        Class<?> type = Class.forName("dev.adjoint.it." + simpleName);
        assertTrue(Modifier.isPublic(type.getModifiers()) && Modifier.isFinal(type.getModifiers()),
                simpleName + " is public final");
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
