package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.DifferentiableFunction;
import dev.adjoint.runtime.GradientChecker;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.api.Test;

/**
 * Issue 9: @Differentiable helpers (inlined at each call, within one compilation or from another
 * module's class files) and user-defined @Derivative rules.
 */
class CompositionTest {

    static final String LAYERS = """
            package lib;

            import static dev.adjoint.runtime.Ops.*;

            import dev.adjoint.Derivative;
            import dev.adjoint.Differentiable;
            import org.ejml.simple.SimpleMatrix;

            public final class Layers {
                private Layers() {}

                /** One dense layer with tanh units. */
                @Differentiable
                public static SimpleMatrix layer(SimpleMatrix W, SimpleMatrix b, SimpleMatrix X) {
                    SimpleMatrix z = addColumn(W.mult(X), b);
                    return tanh(z);
                }

                /** softsign(a) = a / (1 + |a|), entrywise: any Java body. */
                public static SimpleMatrix softsign(SimpleMatrix A) {
                    SimpleMatrix out = new SimpleMatrix(A.getNumRows(), A.getNumCols());
                    for (int i = 0; i < A.getNumElements(); i++) {
                        double a = A.get(i);
                        out.set(i, a / (1 + Math.abs(a)));
                    }
                    return out;
                }

                @Derivative(of = "softsign", wrt = "A")
                public static SimpleMatrix softsignGrad(SimpleMatrix A, SimpleMatrix ct) {
                    SimpleMatrix out = new SimpleMatrix(A.getNumRows(), A.getNumCols());
                    for (int i = 0; i < A.getNumElements(); i++) {
                        double d = 1 + Math.abs(A.get(i));
                        out.set(i, ct.get(i) / (d * d));
                    }
                    return out;
                }
            }
            """;

    static final String NET = """
            package app;

            import static dev.adjoint.runtime.Ops.*;

            import dev.adjoint.Differentiable;
            import lib.Layers;
            import org.ejml.simple.SimpleMatrix;

            public final class Net {
                @Differentiable(wrt = {"W1", "b1", "W2", "b2"})
                static double loss(SimpleMatrix W1, SimpleMatrix b1, SimpleMatrix W2, SimpleMatrix b2, SimpleMatrix X, SimpleMatrix Y) {
                    SimpleMatrix h = Layers.layer(W1, b1, X);
                    SimpleMatrix s = Layers.softsign(W2.mult(h));
                    return softmaxCrossEntropy(addColumn(s, b2), Y);
                }
            }
            """;

    @Test
    void helperAndUserRuleInOneCompilation() throws Exception {
        Compilation.Result result = Compilation.compile(LAYERS, NET);
        assertTrue(result.success, result::describe);
        assertTrue(result.errors().isEmpty(), result::describe);
        assertNull(result.generatedSource("lib/Layers_Layer.java"), "a helper gets no class of its own");
        String generated = result.generatedSource("app/Net_Loss.java");
        assertNotNull(generated, result::describe);
        assertFalse(code(generated).contains("Layers.layer("), "the helper is inlined, not called:\n" + generated);
        assertTrue(code(generated).contains("Layers.softsign("), generated);
        assertTrue(code(generated).contains("Layers.softsignGrad("), generated);
        assertTrue(Files.exists(result.root.resolve("classes/lib/Layers.layer.MMM.adj")));
        assertTrue(Files.exists(result.root.resolve("classes/lib/Layers.adjoint-rules")));
        checkNet(result.loadClass("app.Net_Loss"));
        GradientChecker.checkRule(result.loadClass("lib.Layers"), "softsign", "A", random(3, 4, new Random(1)))
                .assertBelow(1e-6);
    }

    @Test
    void helperAndUserRuleFromAnotherModulesClassFiles() throws Exception {
        Compilation.Result library = Compilation.compile(LAYERS);
        assertTrue(library.success, library::describe);
        Path classes = library.root.resolve("classes");
        // As a directory, then as a jar: the consumer has no source of lib.Layers.
        for (Path onClassPath : List.of(classes, jar(classes))) {
            Compilation.Result consumer = Compilation.compileAgainst(List.of(onClassPath), NET);
            assertTrue(consumer.success, () -> onClassPath + ": " + consumer.describe());
            String generated = consumer.generatedSource("app/Net_Loss.java");
            assertFalse(code(generated).contains("Layers.layer("), generated);
            try (URLClassLoader loader = new URLClassLoader(new URL[] {consumer.root.resolve("classes").toUri().toURL(),
                    onClassPath.toUri().toURL()}, getClass().getClassLoader())) {
                checkNet(Class.forName("app.Net_Loss", true, loader));
            }
        }
    }

    @Test
    void theDerivationReportShowsUserFunctionsAndInlinedHelpers() throws Exception {
        Path report = Files.createTempDirectory("adjoint-report").resolve("report.html");
        Compilation.Result result = Compilation.run(true, List.of("-Aadjoint.report=" + report), LAYERS, NET);
        assertTrue(result.errors().isEmpty(), result::describe);
        String html = Files.readString(report);
        assertTrue(html.contains("softsignGrad"), "the rule appears in the gradient formulas");
        assertTrue(html.contains("tanh"), "the inlined layer appears in the formulas");
    }

    @Test
    void aLibraryCompiledWithoutAdjointIsAClearError() throws Exception {
        Compilation.Result library = Compilation.compileWithoutProcessor(LAYERS);
        assertTrue(library.success, library::describe);
        Compilation.Result consumer = Compilation.compileAgainst(List.of(library.root.resolve("classes")), NET);
        assertFalse(consumer.success);
        Diagnostic<? extends JavaFileObject> d = only(consumer, "ADJ333");
        assertTrue(d.getMessage(null).contains("compile the library"), d.getMessage(null));
        assertEquals(Compilation.lineOf(NET, "Layers.layer(W1"), d.getLineNumber());
    }

    /** The generated source without its comments and string literals (which quote the user's source). */
    static String code(String generated) {
        return generated.lines().filter(l -> !l.strip().startsWith("*") && !l.strip().startsWith("/*") && !l.strip().startsWith("//"))
                .map(l -> l.replaceAll("\"([^\"\\\\]|\\\\.)*\"", "\"\""))
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    static void checkNet(Class<?> generated) throws Exception {
        DifferentiableFunction f = (DifferentiableFunction) generated.getDeclaredConstructor().newInstance();
        Random random = new Random(7);
        int n = 5;
        int h = 4;
        int k = 3;
        int samples = 6;
        SimpleMatrix Y = new SimpleMatrix(k, samples);
        for (int j = 0; j < samples; j++) {
            Y.set(random.nextInt(k), j, 1);
        }
        Object[] args = {random(h, n, random), random(h, 1, random), random(k, h, random), random(k, 1, random),
                random(n, samples, random), Y};
        GradientChecker.check(f, args).assertBelow(1e-6);
    }

    static SimpleMatrix random(int rows, int cols, Random random) {
        SimpleMatrix m = new SimpleMatrix(rows, cols);
        for (int i = 0; i < rows * cols; i++) {
            m.set(i, random.nextGaussian());
        }
        return m;
    }

    static Path jar(Path classes) throws Exception {
        Path jar = classes.resolveSibling("library.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> walk = Files.walk(classes)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace(java.io.File.separatorChar, '/')));
                out.write(Files.readAllBytes(p));
                out.closeEntry();
            }
        }
        return jar;
    }

    static Diagnostic<? extends JavaFileObject> only(Compilation.Result result, String code) {
        List<Diagnostic<? extends JavaFileObject>> matching = result.errors().stream()
                .filter(d -> d.getMessage(null).startsWith("[" + code + "]")).toList();
        assertEquals(1, matching.size(), result::describe);
        return matching.get(0);
    }

    // ---- errors ---------------------------------------------------------------------------------

    static String snippet(String body) {
        return """
                package p;

                import static dev.adjoint.runtime.Ops.*;

                import dev.adjoint.Derivative;
                import dev.adjoint.Differentiable;
                import dev.adjoint.Shape;
                import org.ejml.simple.SimpleMatrix;

                public class Snippet {
                """ + body.indent(4) + "}\n";
    }

    static Diagnostic<? extends JavaFileObject> expectError(String code, String body, String marker, String... words) {
        String source = snippet(body);
        Compilation.Result result = Compilation.processOnly(source);
        Diagnostic<? extends JavaFileObject> d = only(result, code);
        String message = d.getMessage(null);
        for (String w : words) {
            assertTrue(message.contains(w), () -> "'" + w + "' not in " + message);
        }
        if (marker != null) {
            assertEquals(Compilation.lineOf(source, marker), d.getLineNumber(), message);
        }
        return d;
    }

    @Test
    void aHelpersShapesConstrainEachCall() {
        expectError("ADJ401", """
                @Differentiable
                static SimpleMatrix half(@Shape({"n", "n"}) SimpleMatrix K) {
                    return K.scale(0.5);
                }

                @Differentiable
                static double loss(@Shape({"3", "3"}) SimpleMatrix S, @Shape({"3", "4"}) SimpleMatrix A) {
                    return sumSquares(half(S)) + sumSquares(half(A)); // <<
                }
                """, "// <<", "argument K of p.Snippet.half", "3 vs 4");
    }

    /**
     * A helper's {@code @Shape} that nothing in its body implies (a square argument it only squares
     * entrywise) is checked at run time by every caller's generated class, before any work, naming
     * the helper's declaration; the gradient of a conforming call is exact.
     */
    @Test
    void aHelpersShapesAreCheckedAtRunTimeWhereTheCallerCannotProveThem() throws Exception {
        String source = snippet("""
                @Differentiable
                static double penalty(@Shape({"n", "n"}) SimpleMatrix K) {
                    return sumSquares(K);
                }

                @Differentiable
                static double loss(SimpleMatrix W) {
                    return penalty(W);
                }
                """);
        Compilation.Result result = Compilation.compile(source);
        assertTrue(result.errors().isEmpty(), result::describe);
        DifferentiableFunction f = (DifferentiableFunction) result.loadClass("p.Snippet_Loss").getConstructor().newInstance();
        org.ejml.data.DMatrixRMaj wide = new org.ejml.data.DMatrixRMaj(3, 4);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> f.gradient(wide));
        assertTrue(e.getMessage().contains("argument K of p.Snippet.penalty") && e.getMessage().contains("W is 3x4"),
                e.getMessage());
        org.ejml.data.DMatrixRMaj square = org.ejml.dense.row.RandomMatrices_DDRM.rectangle(3, 3, -1, 1, new Random(3));
        GradientChecker.check(f, new Object[] {square}).assertBelow(1e-6);
    }

    /** A malformed {@code @Shape} on a helper is its own error (ADJ208), not an internal error of its callers. */
    @Test
    void aMalformedShapeOnAHelperIsReportedOnceOnTheHelper() {
        Compilation.Result result = Compilation.processOnly(snippet("""
                @Differentiable
                static double penalty(@Shape("n,n") SimpleMatrix K) {
                    return sumSquares(K);
                }

                @Differentiable
                static double loss(SimpleMatrix W) {
                    return penalty(W);
                }
                """));
        assertTrue(result.errors().stream().anyMatch(d -> d.getMessage(null).contains("ADJ208")), result::describe);
        assertTrue(result.errors().stream().noneMatch(d -> d.getMessage(null).contains("ADJ999")), result::describe);
    }

    @Test
    void userFunctionsWithIntParametersAndShapeQueriesOfTheirResults() throws Exception {
        String source = snippet("""
                /** The first k columns of A, tiled: any Java, an int parameter, a result of a new shape. */
                public static SimpleMatrix head(SimpleMatrix A, int k) {
                    return A.extractMatrix(0, A.getNumRows(), 0, k).copy();
                }

                @Derivative(of = "head", wrt = "A")
                public static SimpleMatrix headA(SimpleMatrix A, int k, SimpleMatrix ct) {
                    SimpleMatrix g = new SimpleMatrix(A.getNumRows(), A.getNumCols());
                    g.insertIntoThis(0, 0, ct);
                    return g;
                }

                @Differentiable
                static double loss(SimpleMatrix A, int k) {
                    SimpleMatrix H = head(A.scale(2), k + 1);
                    int c = k + 1;
                    return sumSquares(H) / c + H.elementSum();
                }

                @Differentiable
                static double sizeOfAResult(SimpleMatrix A, int k) {
                    SimpleMatrix H = head(A, k);
                    int c = H.getNumCols(); // <<
                    return sumSquares(H) / c;
                }
                """);
        Compilation.Result result = Compilation.compile(source);
        Diagnostic<? extends JavaFileObject> d = only(result, "ADJ335");
        assertEquals(Compilation.lineOf(source, "// <<"), d.getLineNumber());
        assertEquals(1, result.errors().size(), result::describe);
        result = Compilation.compile(source.replace("int c = H.getNumCols(); // <<", "int c = k;"));
        assertTrue(result.success, result::describe);
        DifferentiableFunction f = (DifferentiableFunction) result.loadClass("p.Snippet_Loss").getDeclaredConstructor().newInstance();
        GradientChecker.check(f, new Object[] {random(3, 5, new Random(3)), 2}).assertBelow(1e-6);
    }

    @Test
    void directRecursionIsAnErrorAtTheCall() {
        expectError("ADJ330", """
                @Differentiable
                static SimpleMatrix f(SimpleMatrix A) {
                    return f(A.scale(0.5)); // <<
                }
                """, "// <<", "recursion", "Snippet.f → Snippet.f");
    }

    @Test
    void mutualRecursionIsAnErrorAtEachCall() {
        String source = snippet("""
                @Differentiable
                static SimpleMatrix f(SimpleMatrix A) {
                    return g(A); // <<f
                }

                @Differentiable
                static SimpleMatrix g(SimpleMatrix A) {
                    return f(A).scale(2); // <<g
                }

                @Differentiable
                static double loss(SimpleMatrix A) {
                    return sumSquares(f(A)); // <<loss
                }
                """);
        Compilation.Result result = Compilation.processOnly(source);
        List<Long> lines = result.errors().stream().filter(d -> d.getMessage(null).startsWith("[ADJ330]"))
                .map(Diagnostic::getLineNumber).sorted().toList();
        assertEquals(List.of(Compilation.lineOf(source, "<<f"), Compilation.lineOf(source, "<<g"),
                Compilation.lineOf(source, "<<loss")), lines, result::describe);
    }

    @Test
    void aCallOfAPlainMethodSaysWhatToAnnotate() {
        expectError("ADJ302", """
                static SimpleMatrix twice(SimpleMatrix A) {
                    return A.scale(2);
                }

                @Differentiable
                static double loss(SimpleMatrix A) {
                    return sumSquares(twice(A)); // <<
                }
                """, "// <<", "@Differentiable", "@Derivative");
    }

    @Test
    void aWrtDependentArgumentWithoutARuleNamesTheMissingRule() {
        expectError("ADJ331", """
                static SimpleMatrix mix(SimpleMatrix A, SimpleMatrix B) {
                    return A.mult(B);
                }

                @Derivative(of = "mix", wrt = "A")
                static SimpleMatrix mixA(SimpleMatrix A, SimpleMatrix B, SimpleMatrix ct) {
                    return ct.mult(B.transpose());
                }

                @Differentiable(wrt = {"X", "Y"})
                static double loss(SimpleMatrix X, SimpleMatrix Y) {
                    return sumSquares(mix(X, Y)); // <<
                }
                """, "// <<", "no @Derivative rule for B", "@Derivative(of = \"mix\", wrt = \"B\")");
    }

    @Test
    void anArgumentWithoutARuleIsFineWhenItDoesNotDependOnWrt() {
        Compilation.Result result = Compilation.processOnly(snippet("""
                static SimpleMatrix mix(SimpleMatrix A, SimpleMatrix B) {
                    return A.mult(B);
                }

                @Derivative(of = "mix", wrt = "A")
                static SimpleMatrix mixA(SimpleMatrix A, SimpleMatrix B, SimpleMatrix ct) {
                    return ct.mult(B.transpose());
                }

                @Differentiable(wrt = "X")
                static double loss(SimpleMatrix X, SimpleMatrix Y) {
                    return sumSquares(mix(X, Y));
                }
                """));
        assertTrue(result.errors().isEmpty(), result::describe);
    }

    @Test
    void secondOrderMethodsCannotCallUserFunctions() {
        expectError("ADJ319", """
                static double cube(double x) {
                    return x * x * x;
                }

                @Derivative(of = "cube", wrt = "x")
                static double cubeX(double x, double ct) {
                    return 3 * x * x * ct;
                }

                @Differentiable(order = 2)
                static double loss(double x) {
                    return cube(x) + x * x; // <<
                }
                """, "// <<", "Snippet.cube", "first derivatives only");
    }

    @Test
    void helpersAreInlinedInFloat32ClassesToo() {
        Compilation.Result result = Compilation.compile(snippet("""
                @Differentiable
                static SimpleMatrix layer(SimpleMatrix W, SimpleMatrix X) {
                    return tanh(W.mult(X));
                }

                @Differentiable(precision = {dev.adjoint.Precision.DOUBLE, dev.adjoint.Precision.FLOAT})
                static double loss(SimpleMatrix W1, SimpleMatrix W2, SimpleMatrix X) {
                    return sumSquares(layer(W2, layer(W1, X)));
                }
                """));
        assertTrue(result.success, result::describe);
        assertNotNull(result.generatedSource("p/Snippet_Loss_F32.java"), result::describe);
    }

    @Test
    void float32MethodsCannotCallUserFunctions() {
        expectError("ADJ336", """
                static double cube(double x) {
                    return x * x * x;
                }

                @Derivative(of = "cube", wrt = "x")
                static double cubeX(double x, double ct) {
                    return 3 * x * x * ct;
                }

                @Differentiable(precision = {dev.adjoint.Precision.DOUBLE, dev.adjoint.Precision.FLOAT})
                static double loss(SimpleMatrix A) {
                    return cube(A.elementSum()); // <<
                }
                """, "// <<", "Snippet.cube", "float32");
    }

    @Test
    void ofNamingNoMethod() {
        expectError("ADJ211", """
                @Derivative(of = "nothing", wrt = "A") // <<
                static SimpleMatrix rule(SimpleMatrix A, SimpleMatrix ct) {
                    return ct;
                }
                """, "// <<", "names no method");
    }

    @Test
    void wrtNamingANonParameterOrAnInt() {
        String f = """
                static SimpleMatrix f(SimpleMatrix A, int n) {
                    return A.scale(n);
                }
                """;
        expectError("ADJ212", f + """
                @Derivative(of = "f", wrt = "B") // <<
                static SimpleMatrix rule(SimpleMatrix A, int n, SimpleMatrix ct) {
                    return ct.scale(n);
                }
                """, "// <<", "names no parameter", "[A, n]");
        expectError("ADJ212", f + """
                @Derivative(of = "f", wrt = "n") // <<
                static SimpleMatrix rule(SimpleMatrix A, int n, SimpleMatrix ct) {
                    return ct.scale(n);
                }
                """, "// <<", "int parameter");
    }

    @Test
    void wrongParameters() {
        String f = """
                static SimpleMatrix f(SimpleMatrix A, double s) {
                    return A.scale(s);
                }
                """;
        expectError("ADJ213", f + """
                @Derivative(of = "f", wrt = "A")
                static SimpleMatrix rule(double s, SimpleMatrix A, SimpleMatrix ct) { // <<
                    return ct.scale(s);
                }
                """, "// <<", "(SimpleMatrix A, double s, SimpleMatrix ct)");
        expectError("ADJ213", f + """
                @Derivative(of = "f", wrt = "A")
                static SimpleMatrix rule(SimpleMatrix A, double s, double ct) { // <<
                    return A.scale(ct * s);
                }
                """, "// <<", "cotangent");
    }

    @Test
    void wrongReturnType() {
        expectError("ADJ214", """
                static SimpleMatrix f(SimpleMatrix A, double s) {
                    return A.scale(s);
                }

                @Derivative(of = "f", wrt = "s")
                static SimpleMatrix rule(SimpleMatrix A, double s, SimpleMatrix ct) { // <<
                    return ct;
                }
                """, "// <<", "return type is double");
    }

    @Test
    void duplicateRules() {
        expectError("ADJ215", """
                static SimpleMatrix f(SimpleMatrix A) {
                    return A.scale(2);
                }

                @Derivative(of = "f", wrt = "A")
                static SimpleMatrix rule(SimpleMatrix A, SimpleMatrix ct) {
                    return ct.scale(2);
                }

                @Derivative(of = "f", wrt = "A") // <<
                static SimpleMatrix again(SimpleMatrix A, SimpleMatrix ct) {
                    return ct.scale(2);
                }
                """, "// <<", "second @Derivative rule");
    }

    @Test
    void functionOfAnUnsupportedType() {
        expectError("ADJ216", """
                static SimpleMatrix f(SimpleMatrix A, float s) {
                    return A.scale(s);
                }

                @Derivative(of = "f", wrt = "A") // <<
                static SimpleMatrix rule(SimpleMatrix A, float s, SimpleMatrix ct) {
                    return ct.scale(s);
                }
                """, "// <<", "float");
    }

    @Test
    void aHelperWithErrorsIsReportedOnItAndAtTheCall() {
        String source = snippet("""
                @Differentiable
                static SimpleMatrix h(SimpleMatrix A) {
                    return A.pseudoInverse(); // <<h
                }

                @Differentiable
                static double loss(SimpleMatrix A) {
                    return sumSquares(h(A)); // <<loss
                }
                """);
        Compilation.Result result = Compilation.processOnly(source);
        assertEquals(1, result.errors().stream().filter(d -> d.getMessage(null).startsWith("[ADJ301]")
                && d.getLineNumber() == Compilation.lineOf(source, "<<h")).count(), result::describe);
        assertEquals(1, result.errors().stream().filter(d -> d.getMessage(null).startsWith("[ADJ332]")
                && d.getLineNumber() == Compilation.lineOf(source, "<<loss")).count(), result::describe);
    }
}
