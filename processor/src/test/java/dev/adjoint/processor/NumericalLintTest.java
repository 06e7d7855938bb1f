package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The numerical lint (ADJ502–ADJ507): each fragile spelling is a warning on exactly its
 * sub-expression, saying why and what to write instead; {@code @SuppressWarnings("adjoint")} on the
 * method silences it; either way the class is generated and compiles.
 */
class NumericalLintTest {

    /** One lint: the method body's statements, the flagged sub-expression (verbatim in them), the code, key words. */
    record Lint(String name, String code, String parameters, String body, String flagged, List<String> keywords) {
        @Override
        public String toString() {
            return code + " " + name;
        }
    }

    static Stream<Lint> lints() {
        return Stream.of(
                new Lint("log of a determinant", "ADJ502", "SimpleMatrix X",
                        "SimpleMatrix K = X.mult(X.transpose()).plus(SimpleMatrix.identity(X.getNumRows()));\n"
                                + "return 0.5 * Math.log(K.determinant()) + X.elementSum();",
                        "Math.log(K.determinant())", List.of("overflow", "n ≈ 400", "Ops.logDet(K)", "positive definite")),
                new Lint("product with an inverse", "ADJ503", "SimpleMatrix A, SimpleMatrix B",
                        "return A.invert().mult(B).trace();",
                        "A.invert().mult(B)", List.of("A.solve(B)", "n³", "rounding", "κ(A)")),
                new Lint("log of one plus exp", "ADJ504", "SimpleMatrix A, double s",
                        "double t = s * A.elementSum();\nreturn Math.log(1 + Math.exp(t));",
                        "Math.log(1 + Math.exp(t))", List.of("709", "Infinity", "rounds to 1", "softplus", "Ops.softplus")),
                new Lint("log of one plus exp, reversed", "ADJ504", "SimpleMatrix A",
                        "return Math.log((Math.exp(A.trace()) + 1.0));",
                        "Math.log((Math.exp(A.trace()) + 1.0))", List.of("softplus")),
                new Lint("log of a sum of exponentials", "ADJ505", "SimpleMatrix A",
                        "return Math.log(A.scale(2).elementExp().elementSum());",
                        "Math.log(A.scale(2).elementExp().elementSum())", List.of("709", "overflow", "Ops.logSumExp(A.scale(2))")),
                new Lint("square root of a sum of squares", "ADJ506", "SimpleMatrix A, SimpleMatrix B",
                        "return Math.sqrt(sumSquares(A.minus(B)));",
                        "Math.sqrt(sumSquares(A.minus(B)))", List.of("not differentiable", "= 0", "NaN", "A.minus(B).normF()")),
                new Lint("squared norm as a product", "ADJ507", "SimpleMatrix w, double lambda",
                        "return 0.5 * lambda * w.normF() * w.normF();",
                        "0.5 * lambda * w.normF() * w.normF()", List.of("0/0", "not differentiable", "Ops.sumSquares(w)")),
                new Lint("a cubed norm has one square", "ADJ507", "SimpleMatrix A",
                        "return A.trace() + A.normF() * A.normF() * A.normF();",
                        "A.normF() * A.normF()", List.of("Ops.sumSquares(A)")),
                new Lint("squared norm as a power", "ADJ507", "SimpleMatrix w",
                        "return Math.pow(w.normF(), 2) + w.elementSum();",
                        "Math.pow(w.normF(), 2)", List.of("Ops.sumSquares(w)")));
    }

    static String source(Lint lint, boolean suppressed) {
        return CompileErrorsTest.snippet((suppressed ? "@SuppressWarnings(\"adjoint\")\n" : "")
                + "@Differentiable\nstatic double f(" + lint.parameters() + ") {\n" + lint.body().indent(4) + "}\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lints")
    void warnsOnTheExactSubExpression(Lint lint) {
        String source = source(lint, false);
        Compilation.Result r = Compilation.processOnly(source);
        CompileErrorsTest.assertNoInternalError(r);
        assertTrue(r.success && r.errors().isEmpty(), r::describe);
        List<Diagnostic<? extends JavaFileObject>> warnings = r.warnings();
        assertEquals(1, warnings.size(), r::describe);
        Diagnostic<? extends JavaFileObject> d = warnings.get(0);
        assertEquals(Diagnostic.Kind.WARNING, d.getKind());
        CompileErrorsTest.assertCode(lint.code(), d);
        CompileErrorsTest.assertKeywords(d, lint.keywords());
        long start = source.indexOf(lint.flagged());
        assertTrue(start >= 0, lint.flagged());
        assertEquals(start, d.getStartPosition(), () -> "warning not at the start of " + lint.flagged() + "\n" + r.describe());
        assertEquals(start + lint.flagged().length(), d.getEndPosition(), () -> "warning does not end with " + lint.flagged());
        assertNotNull(r.generatedSource("p/Snippet_F.java"), r::describe);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lints")
    void suppressWarningsAdjointSilencesItAndTheClassStillCompiles(Lint lint) {
        Compilation.Result r = Compilation.compile(source(lint, true));
        CompileErrorsTest.assertNoInternalError(r);
        assertTrue(r.success, r::describe);
        assertEquals(List.of(), r.diagnostics.stream().filter(d -> d.getKind() != Diagnostic.Kind.NOTE)
                .map(d -> d.getMessage(Locale.ROOT)).toList(), r::describe);
        assertNotNull(r.generatedSource("p/Snippet_F.java"), r::describe);
    }
}
