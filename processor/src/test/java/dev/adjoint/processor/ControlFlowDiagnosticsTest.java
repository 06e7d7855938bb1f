package dev.adjoint.processor;

import static dev.adjoint.processor.CompileErrorsTest.assertNoInternalError;
import static dev.adjoint.processor.CompileErrorsTest.numbered;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import org.junit.jupiter.api.Test;

/** Compile-time checks reach inside loops and branches, with positioned messages. */
class ControlFlowDiagnosticsTest {
    private static final String MARK = "// <<";

    private static String snippet(String body) {
        return """
                package p;

                import static dev.adjoint.runtime.Ops.*;

                import dev.adjoint.Derivative;
                import dev.adjoint.Differentiable;
                import dev.adjoint.Shape;
                import org.ejml.simple.SimpleMatrix;

                public class Snippet {
                """ + body.indent(4) + """
                }
                """;
    }

    private static Diagnostic<?> oneErrorOnTheMarkedLine(String source, String code) {
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertEquals(1, r.errors().size(), () -> numbered(source) + r.describe());
        Diagnostic<?> d = r.errors().get(0);
        assertEquals(Compilation.lineOf(source, MARK), d.getLineNumber(), () -> numbered(source) + r.describe());
        assertTrue(d.getMessage(Locale.ROOT).startsWith("[" + code + "]"), d::toString);
        return d;
    }

    @Test
    void aShapeMismatchInsideALoopBodyIsReportedOnItsExpression() {
        String source = snippet("""
                @Differentiable
                static double f(@Shape({"m", "n"}) SimpleMatrix A, @Shape({"n", "1"}) SimpleMatrix x, int T) {
                    double s = 0;
                    for (int t = 0; t < T; t++) {
                        s += A.mult(A).elementSum(); // <<
                    }
                    return s + x.elementSum();
                }
                """);
        String message = oneErrorOnTheMarkedLine(source, "ADJ401").getMessage(Locale.ROOT);
        assertTrue(message.contains("inner dimensions") && message.contains("n vs m") || message.contains("m vs n"), message);
    }

    @Test
    void aLoopCarriedMatrixThatChangesShapeIsReportedOnTheLoop() {
        String source = snippet("""
                @Differentiable
                static double f(@Shape({"m", "n"}) SimpleMatrix A, @Shape({"n", "1"}) SimpleMatrix x, int T) {
                    SimpleMatrix h = x;
                    for (int t = 0; t < T; t++) { // <<
                        h = A.mult(h);
                    }
                    return sumSquares(h);
                }
                """);
        String message = oneErrorOnTheMarkedLine(source, "ADJ401").getMessage(Locale.ROOT);
        assertTrue(message.contains("rows of h before and after an iteration"), message);
    }

    @Test
    void branchesThatLeaveALocalWithDifferentShapesAreReportedOnTheIf() {
        String source = snippet("""
                @Differentiable
                static double f(@Shape({"m", "n"}) SimpleMatrix A, double c) {
                    SimpleMatrix B;
                    if (c > 0) { // <<
                        B = A;
                    } else {
                        B = A.transpose();
                    }
                    return sumSquares(B);
                }
                """);
        String message = oneErrorOnTheMarkedLine(source, "ADJ401").getMessage(Locale.ROOT);
        assertTrue(message.contains("of B in the two branches"), message);
    }

    @Test
    void aWrtExponentInsideALoopIsReportedOnTheElementPower() {
        String source = snippet("""
                @Differentiable
                static double f(SimpleMatrix A, double p, int T) {
                    double s = 0;
                    for (int t = 0; t < T; t++) {
                        s += A.elementPower(p).elementSum(); // <<
                    }
                    return s;
                }
                """);
        oneErrorOnTheMarkedLine(source, "ADJ315");
    }

    @Test
    void aWrtExponentCarriedByALoopIsReported() {
        String source = snippet("""
                @Differentiable(wrt = "A")
                static double f(SimpleMatrix A, int T) {
                    double p = 1;
                    double s = 0;
                    for (int t = 0; t < T; t++) {
                        s += A.elementPower(p).elementSum(); // <<
                        p = p + A.elementSum();
                    }
                    return s;
                }
                """);
        oneErrorOnTheMarkedLine(source, "ADJ315");
    }

    /** Loops and branches have second-order rules (a loop carrying tangents, a branch between tangents). */
    @Test
    void secondOrderThroughLoopsAndBranchesCompiles() {
        Compilation.Result result = Compilation.processOnly(snippet("""
                @Differentiable(order = 2)
                static double f(double x, SimpleMatrix A, int n) {
                    double y = x;
                    SimpleMatrix h = A;
                    for (int i = 0; i < n; i++) {
                        y = y > 0 ? y * x : -y;
                        h = tanh(h.scale(y));
                    }
                    return sumSquares(h) + y;
                }
                """));
        assertTrue(result.errors().isEmpty(), result::describe);
    }

    /** What still has no second-order rule inside a loop (a user function) is ADJ319 at its call. */
    @Test
    void aUserFunctionInALoopOfASecondOrderMethodIsADJ319AtTheCall() {
        String source = snippet("""
                static double cube(double x) {
                    return x * x * x;
                }

                @Derivative(of = "cube", wrt = "x")
                static double cubeX(double x, double ct) {
                    return 3 * x * x * ct;
                }

                @Differentiable(order = 2)
                static double f(double x, int n) {
                    double y = x;
                    for (int i = 0; i < n; i++) {
                        y = cube(y) * 0.5; // <<
                    }
                    return y;
                }
                """);
        String message = oneErrorOnTheMarkedLine(source, "ADJ319").getMessage(Locale.ROOT);
        assertTrue(message.contains("cube") && message.contains("first derivatives only"), message);
    }

    @Test
    void everyErrorInsideALoopIsReportedOnce() {
        String source = snippet("""
                @Differentiable
                static double f(SimpleMatrix A, int T) {
                    double s = 0;
                    for (int t = 0; t < T; t++) {
                        s += A.conditionP2(); // <<
                        s += Consts2.FIELD; // <<
                    }
                    return s;
                }
                }

                class Consts2 {
                    static final double FIELD = 2.0;
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        List<Long> lines = r.errors().stream().map(Diagnostic::getLineNumber).sorted().toList();
        assertEquals(Compilation.linesOf(source, MARK), lines, () -> numbered(source) + r.describe());
    }

    /** The derivation report and the IR dump handle loops and branches (opaque nodes with their regions). */
    @Test
    void derivationReportAndIrDumpOfARecurrence() throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("adjoint-control");
        java.nio.file.Path report = dir.resolve("report.html");
        String source = snippet("""
                @Differentiable(wrt = {"W", "h0"})
                static double f(SimpleMatrix W, SimpleMatrix h0, int T, double c) {
                    SimpleMatrix h = h0;
                    for (int t = 0; t < T; t++) {
                        h = c > 0 ? tanh(W.mult(h)) : W.mult(h);
                    }
                    return sumSquares(h);
                }
                """);
        Compilation.Result r = Compilation.run(true, List.of("-Aadjoint.report=" + report, "-Aadjoint.dumpIr=" + dir), source);
        assertNoInternalError(r);
        assertTrue(r.errors().isEmpty(), r::describe);
        String html = java.nio.file.Files.readString(report);
        assertTrue(html.contains("Snippet.f"), html.substring(0, Math.min(500, html.length())));
        String ir = java.nio.file.Files.readString(dir.resolve("Snippet_F.ir.txt"));
        assertTrue(ir.contains("Loop[") && ir.contains("ReverseLoop["), ir.substring(0, Math.min(2000, ir.length())));
    }
}
