package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * SPEC section 5: every problem is a javac error (or a warning where stated) on the offending line,
 * with a message that says what is wrong. Each source marks the offending line with {@code // <<}.
 * Every source below is valid Java, so every diagnostic comes from Adjoint.
 */
class CompileErrorsTest {

    static final String MARK = "// <<";

    /** A source file {@code p/Snippet.java} with the given class body. */
    static String snippet(String classBody) {
        return """
                package p;

                import static dev.adjoint.runtime.Ops.*;

                import dev.adjoint.Differentiable;
                import dev.adjoint.runtime.Ops;
                import org.ejml.simple.SimpleMatrix;

                public class Snippet {
                """ + classBody.indent(4) + """
                }

                class Consts {
                    static final double FIELD = 2.0;
                }
                """;
    }

    /** One case: a source, the expected diagnostic kind, and key words its message must contain (case-insensitive). */
    record Case(String name, String code, String source, Diagnostic.Kind kind, List<String> keywords) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case error(String name, String code, String classBody, String... keywords) {
        return new Case(name, code, snippet(classBody), Diagnostic.Kind.ERROR, List.of(keywords));
    }

    static Stream<Case> errorCases() {
        return Stream.of(
                error("non-static method", "ADJ101", """
                        @Differentiable
                        double f(SimpleMatrix A) { // <<
                            return A.elementSum();
                        }
                        """, "static"),
                error("return type neither double nor SimpleMatrix", "ADJ102", """
                        @Differentiable
                        static int f(SimpleMatrix A) { // <<
                            return A.getNumRows();
                        }
                        """, "return", "double", "SimpleMatrix", "int"),
                error("parameter of another type", "ADJ103", """
                        @Differentiable
                        static double f(SimpleMatrix A,
                                        float[] w) { // <<
                            return A.elementSum();
                        }
                        """, "w", "float[]", "SimpleMatrix", "double", "int"),
                error("wrt names an unknown parameter", "ADJ201", """
                        @Differentiable(wrt = "Q") // <<
                        static double f(SimpleMatrix A) {
                            return A.elementSum();
                        }
                        """, "wrt", "Q", "not a parameter"),
                error("wrt names an int parameter", "ADJ202", """
                        @Differentiable(wrt = {"A", "n"}) // <<
                        static double f(SimpleMatrix A, int n) {
                            return A.scale(n).elementSum();
                        }
                        """, "wrt", "int", "\"n\""),
                error("order neither 1 nor 2", "ADJ210", """
                        @Differentiable(order = 3) // <<
                        static double f(SimpleMatrix A) {
                            return A.elementSum();
                        }
                        """, "order = 3", "order = 2"),
                error("precision empty", "ADJ220", """
                        @Differentiable(precision = {}) // <<
                        static double f(SimpleMatrix A) {
                            return A.elementSum();
                        }
                        """, "precision", "Precision.FLOAT"),
                error("unsupported call", "ADJ301", """
                        @Differentiable
                        static double f(SimpleMatrix W) {
                            double m = W.conditionP2(); // <<
                            return m * W.elementSum();
                        }
                        """, "conditionP2"),
                error("do-while loop", "ADJ303", """
                        @Differentiable
                        static double f(SimpleMatrix A) {
                            double s = A.elementSum();
                            do { // <<
                                s = s / 2.0;
                            } while (s > 1.0);
                            return s;
                        }
                        """, "do", "while (condition)"),
                error("switch", "ADJ304", """
                        @Differentiable
                        static double f(SimpleMatrix A, int k) {
                            double s = A.elementSum();
                            switch (k) { // <<
                                case 1: s = -s;
                            }
                            return s;
                        }
                        """, "switch", "if"),
                error("for loop without an int variable", "ADJ340", """
                        @Differentiable
                        static double f(SimpleMatrix A) {
                            double s = A.elementSum();
                            for (double x = 0; x < 3; x += 1) { // <<
                                s = s * 2.0;
                            }
                            return s;
                        }
                        """, "int", "for (int i = start; i < end; i++)"),
                error("loop variable assigned in the body", "ADJ340", """
                        @Differentiable
                        static double f(SimpleMatrix A) {
                            double s = A.elementSum();
                            for (int i = 0; i < 3; i++) {
                                i = i + 1; // <<
                                s = s * 2.0;
                            }
                            return s;
                        }
                        """, "loop variable i", "update"),
                error("return inside a branch", "ADJ342", """
                        @Differentiable
                        static double f(SimpleMatrix A) {
                            double s = A.elementSum();
                            if (s > 0) {
                                return s; // <<
                            }
                            return -s;
                        }
                        """, "return", "each branch"),
                error("condition on a matrix", "ADJ343", """
                        @Differentiable
                        static double f(SimpleMatrix A, SimpleMatrix B) {
                            double s = A.elementSum();
                            if (A == B) { // <<
                                s = -s;
                            }
                            return s;
                        }
                        """, "comparisons apply to int and double", "reduce"),
                error("labeled break", "ADJ344", """
                        @Differentiable
                        static double f(SimpleMatrix A, int n) {
                            double s = A.elementSum();
                            outer: // <<
                            for (int i = 0; i < n; i++) {
                                for (int j = 0; j < n; j++) {
                                    s = s * 0.5;
                                    if (s < 1) break outer;
                                }
                            }
                            return s;
                        }
                        """, "labels", "boolean local"),
                error("try", "ADJ305", """
                        @Differentiable
                        static double f(SimpleMatrix A) {
                            double s = A.elementSum();
                            try { // <<
                                s = s * 2.0;
                            } finally {
                                s = s + 1.0;
                            }
                            return s;
                        }
                        """, "try"),
                error("lambda", "ADJ306", """
                        @Differentiable
                        static double f(SimpleMatrix A) {
                            java.util.function.DoubleUnaryOperator square = v -> v * v; // <<
                            return square.applyAsDouble(A.elementSum());
                        }
                        """, "lambda"),
                error("field access", "ADJ307", """
                        @Differentiable
                        static double f(SimpleMatrix A) {
                            return A.elementSum() * Consts.FIELD; // <<
                        }
                        """, "field", "Consts.FIELD", "parameter"),
                error("assignment to a parameter", "ADJ308", """
                        @Differentiable
                        static double f(SimpleMatrix A) {
                            A = A.scale(2.0); // <<
                            return A.elementSum();
                        }
                        """, "assign", "parameter", "A", "local"),
                error("call to another user method", "ADJ302", """
                        static double helper(SimpleMatrix A) {
                            return A.elementSum();
                        }

                        @Differentiable
                        static double f(SimpleMatrix A) {
                            return 2.0 * helper(A); // <<
                        }
                        """, "helper", "@Differentiable", "@Derivative"),
                error("elementPower exponent depends on a wrt parameter", "ADJ315", """
                        @Differentiable
                        static double f(SimpleMatrix A, double p) {
                            return A.elementPower(p).elementSum(); // <<
                        }
                        """, "elementPower", "exponent", "wrt"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errorCases")
    void reportsOneErrorOnTheOffendingLine(Case c) {
        Compilation.Result r = Compilation.processOnly(c.source());
        assertNoInternalError(r);
        assertFalse(r.success, r::describe);
        long line = Compilation.lineOf(c.source(), MARK);
        List<Diagnostic<? extends JavaFileObject>> errors = r.errors();
        assertFalse(errors.isEmpty(), () -> "no error at all\n" + r.describe());
        // The offending construct is reported, as an ERROR, with a message naming it...
        Diagnostic<? extends JavaFileObject> first = errors.get(0);
        assertEquals(c.kind(), first.getKind(), r::describe);
        assertKeywords(first, c.keywords());
        // ...that starts with its stable code...
        assertCode(c.code(), first);
        // ...on the offending line...
        assertEquals(line, first.getLineNumber(), () -> "error on the wrong line\n" + numbered(c.source()) + r.describe());
        // ...and nothing else is reported.
        assertEquals(1, errors.size(), () -> "expected exactly one error\n" + numbered(c.source()) + r.describe());
        assertTrue(r.warnings().isEmpty(), r::describe);
    }

    /**
     * A local that was rejected is not reported again where it is used (the parser's own rule: a
     * use of a failed local gives "no second error"), also when the use is the receiver of a call.
     */
    @Test
    void usesOfARejectedLocalAreNotReportedAgain() {
        String source = snippet("""
                @Differentiable
                static double f(SimpleMatrix A) {
                    java.util.List<SimpleMatrix> parts = java.util.List.of(A); // <<
                    return parts.get(0).elementSum();
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertFalse(r.errors().isEmpty(), r::describe);
        assertEquals(Compilation.lineOf(source, MARK), r.errors().get(0).getLineNumber(), () -> numbered(source) + r.describe());
        assertEquals(1, r.errors().size(), () -> numbered(source) + r.describe());
    }

    /** Control for the test above: a rejected double local used in arithmetic gives one error only. */
    @Test
    void usesOfARejectedLocalInArithmeticAreNotReportedAgain() {
        String source = snippet("""
                @Differentiable
                static double f(SimpleMatrix A) {
                    double m = A.conditionP2(); // <<
                    double t = m * 2.0;
                    return t * A.elementSum();
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertEquals(1, r.errors().size(), () -> numbered(source) + r.describe());
        assertEquals(Compilation.lineOf(source, MARK), r.errors().get(0).getLineNumber(), r::describe);
    }

    /** SPEC: "a shape mismatch that declared @Shapes prove (name both shapes)". */
    @Test
    void declaredShapeMismatchNamesBothShapes() {
        String source = snippet("""
                @Differentiable
                static double f(@dev.adjoint.Shape({"m", "n"}) SimpleMatrix W,
                                @dev.adjoint.Shape({"m", "1"}) SimpleMatrix x) {
                    SimpleMatrix y = W.mult(x); // <<
                    return sumSquares(y);
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertEquals(1, r.errors().size(), r::describe);
        Diagnostic<? extends JavaFileObject> d = r.errors().get(0);
        assertEquals(Compilation.lineOf(source, MARK), d.getLineNumber(), () -> numbered(source) + r.describe());
        assertCode("ADJ401", d);
        String message = d.getMessage(Locale.ROOT);
        assertTrue(message.contains("W.mult(x)"), message);
        // The declared shapes, as declared: W is m×n, x is m×1.
        assertTrue(java.util.regex.Pattern.compile("\\bm\\s*[×x,]\\s*n\\b").matcher(message).find(),
                () -> "message does not name W's declared shape m×n: " + message);
        assertTrue(java.util.regex.Pattern.compile("\\bm\\s*[×x,]\\s*1\\b").matcher(message).find(),
                () -> "message does not name x's declared shape m×1: " + message);
        assertFalse(message.contains("n×n"), () -> "W is declared m×n, not n×n: " + message);
    }

    /**
     * Two overloads of one method map to the same class name (SPEC section 4). That must be one
     * clear error that tells the user to set name, not a Filer failure.
     */
    @Test
    void overloadsWithTheSameGeneratedNameGetAClearError() {
        String source = snippet("""
                @Differentiable
                static double f(SimpleMatrix A) {
                    return A.elementSum();
                }

                @Differentiable
                static double f(SimpleMatrix A, SimpleMatrix B) { // <<
                    return A.elementMult(B).elementSum();
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertEquals(1, r.errors().size(), r::describe);
        Diagnostic<? extends JavaFileObject> d = r.errors().get(0);
        assertEquals(Compilation.lineOf(source, MARK), d.getLineNumber(), () -> numbered(source) + r.describe());
        assertKeywords(d, List.of("Snippet_F", "name"));
        assertCode("ADJ205", d);
    }

    /** The unsupported-call message names the call and suggests supported DSL forms. */
    @Test
    void unsupportedCallSuggestsSupportedForms() {
        Compilation.Result r = Compilation.processOnly(snippet("""
                @Differentiable
                static double f(SimpleMatrix W) {
                    double m = W.conditionP2(); // <<
                    return m * W.elementSum();
                }
                """));
        assertNoInternalError(r);
        assertEquals(1, r.errors().size(), r::describe);
        assertCode("ADJ301", r.errors().get(0));
        String message = r.errors().get(0).getMessage(Locale.ROOT);
        assertTrue(message.contains("conditionP2"), message);
        // SPEC section 3 spells forms as A.name(...), Ops.name(...), SimpleMatrix.name(...), Math.name(...).
        List<String> suggested = new ArrayList<>();
        for (String form : SPEC_FORMS) {
            if (message.contains(form)) {
                suggested.add(form);
            }
        }
        assertTrue(suggested.size() >= 2, () -> "expected at least two supported forms suggested, found " + suggested
                + " in: " + message);
    }

    /**
     * Math.max on doubles is a form (ties to the first operand, issue 9); its int overload, like a
     * size, is not, and the message says what to write instead.
     */
    @Test
    void mathMaxOfIntsSaysWhatToWrite() {
        String source = snippet("""
                @Differentiable
                static double f(SimpleMatrix W, int n) {
                    double s = W.elementSum();
                    return Math.max(0.0, s) + Math.max(1, n); // <<
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertEquals(1, r.errors().size(), r::describe);
        Diagnostic<? extends JavaFileObject> d = r.errors().get(0);
        assertCode("ADJ301", d);
        assertEquals(Compilation.lineOf(source, MARK), d.getLineNumber(), r::describe);
        String message = d.getMessage(Locale.ROOT);
        assertTrue(message.contains("int overload of Math.max") && message.contains("Math.max(x, y) on double values")
                && message.contains("Ops.max(A, s)"), message);
        assertFalse(message.contains("pow"), message);
    }

    /**
     * Issue 11: a helper call suggests no unrelated op (it used to say Ops.logDet); issue 9: it says to
     * annotate the helper @Differentiable or give it @Derivative rules.
     */
    @Test
    void helperCallSaysInlineAndSuggestsNoOp() {
        String source = snippet("""
                static double logLikelihood(SimpleMatrix A) {
                    return A.elementSum();
                }

                @Differentiable
                static double f(SimpleMatrix A) {
                    return 2.0 * logLikelihood(A); // <<
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertEquals(1, r.errors().size(), r::describe);
        Diagnostic<? extends JavaFileObject> d = r.errors().get(0);
        assertCode("ADJ302", d);
        String message = d.getMessage(Locale.ROOT);
        assertTrue(message.contains("Snippet.logLikelihood") && message.contains("annotate it @Differentiable")
                && message.contains("@Derivative"), message);
        assertFalse(message.contains("did you mean"), message);
        for (String form : SPEC_FORMS) {
            assertFalse(message.contains(form), () -> "suggests " + form + ": " + message);
        }
    }

    /** Issue 11: every independent error in one expression is reported, each once, on its own sub-expression. */
    @Test
    void everyIndependentErrorInOneExpressionIsReportedOnce() {
        String source = snippet("""
                @Differentiable
                static double f(SimpleMatrix A, SimpleMatrix B) {
                    return A.conditionP2()
                            * B.conditionP2()
                            + Math.atan2(Consts.FIELD,
                                         A.elementSum());
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        List<String> found = r.errors().stream().map(d -> d.getLineNumber() + " " + d.getMessage(Locale.ROOT).substring(0, 8)).sorted().toList();
        long first = Compilation.lineOf(source, "return A.conditionP2()");
        assertEquals(List.of(first + " [ADJ301]", (first + 1) + " [ADJ301]", (first + 2) + " [ADJ301]", (first + 2) + " [ADJ307]"),
                found, () -> numbered(source) + r.describe());
    }

    /** Both arguments of an unsupported call are examined too; a local's failure is still reported once. */
    @Test
    void argumentsOfAnUnsupportedCallAreCheckedWithoutDuplicates() {
        String source = snippet("""
                @Differentiable
                static double f(SimpleMatrix A) {
                    double m = A.conditionP2();
                    double t = Math.atan2(A.pseudoInverse().elementSum(), m);
                    return t + m;
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        List<String> messages = r.errors().stream().map(d -> d.getMessage(Locale.ROOT)).toList();
        assertEquals(3, messages.size(), r::describe);
        assertTrue(messages.stream().anyMatch(m -> m.contains("conditionP2")), r::describe);
        assertTrue(messages.stream().anyMatch(m -> m.contains("Math.atan2")), r::describe);
        assertTrue(messages.stream().anyMatch(m -> m.contains("pseudoInverse")), r::describe);
        assertEquals(messages.size(), messages.stream().distinct().count(), r::describe);
    }

    /** Names of SPEC section 3 forms (and of the issues that extend it) as they appear in a suggestion. */
    static final List<String> SPEC_FORMS = List.of("transpose()", "mult(", "plus(", "minus(", "scale(", "divide(",
            "negative()", "elementMult(", "elementDiv(", "elementPower(", "elementExp()", "elementLog()", "elementSum()",
            "trace()", "normF()", "dot(", "determinant()", "invert()", "solve(", "numRows()", "numCols()", "identity(",
            "ones(", "filled(", "sigmoid(", "tanh(", "relu(", "swish(", "softplus(", "sumSquares(", "mean(", "logDet(",
            "rowSums(", "columnSums(", "addColumn(", "addRow(", "softmaxCrossEntropy(", "logSumExp(",
            // issue 9, item 4 (names fixed by the issue)
            "get(", "extractMatrix(", "rows(", "cols(", "getRow(", "getColumn(", "extractVector(", "concatColumns(",
            "concatRows(", "diag()", "kron(", "copy()", "elementMax()", "elementMin()", "elementMaxAbs()", "elementMinAbs()",
            "abs(", "sqrt(", "sin(", "cos(", "max(", "min(", "log1p(", "expm1(", "hypot(");

    /** ADJ501, like every ADJ5xx warning, is silenced by @SuppressWarnings("adjoint") on the method; the class is generated. */
    @Test
    void unusedWrtWarningIsSuppressible() {
        Compilation.Result r = Compilation.compile(snippet("""
                @SuppressWarnings("adjoint")
                @Differentiable
                static double f(SimpleMatrix A, SimpleMatrix B) {
                    return A.elementSum();
                }
                """));
        assertNoInternalError(r);
        assertTrue(r.success, r::describe);
        assertTrue(r.warnings().isEmpty(), r::describe);
        assertNotNull(r.generatedSource("p/Snippet_F.java"), r::describe);
    }

    /** SPEC: "a wrt parameter that does not affect the result (warning)"; the class is still generated. */
    @Test
    void wrtParameterThatDoesNotAffectTheResultIsAWarning() {
        String source = snippet("""
                @Differentiable
                static double f(SimpleMatrix A,
                                SimpleMatrix B) { // <<
                    return A.elementSum();
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertTrue(r.errors().isEmpty(), r::describe);
        assertTrue(r.success, r::describe);
        List<Diagnostic<? extends JavaFileObject>> warnings = r.warnings();
        assertEquals(1, warnings.size(), r::describe);
        Diagnostic<? extends JavaFileObject> d = warnings.get(0);
        assertEquals(Diagnostic.Kind.WARNING, d.getKind(), r::describe);
        assertKeywords(d, List.of("B", "does not affect"));
        assertCode("ADJ501", d);
        assertEquals(Compilation.lineOf(source, MARK), d.getLineNumber(), () -> numbered(source) + r.describe());
        assertNotNull(r.generatedSource("p/Snippet_F.java"), r::describe);

        // ...and the generated class compiles, with gradB() all zeros by construction.
        Compilation.Result full = Compilation.compile(source);
        assertTrue(full.success, full::describe);
        assertTrue(full.errors().isEmpty(), full::describe);
    }

    /** The same method with p not in wrt is fine: the elementPower error is about wrt, not elementPower itself. */
    @Test
    void elementPowerWithConstantExponentCompiles() {
        Compilation.Result r = Compilation.compile(snippet("""
                @Differentiable(wrt = "A")
                static double f(SimpleMatrix A, double p) {
                    return A.elementPower(p).elementSum();
                }
                """));
        assertNoInternalError(r);
        assertTrue(r.success && r.errors().isEmpty(), r::describe);
        assertNotNull(r.generatedSource("p/Snippet_F.java"), r::describe);
    }

    @Test
    void twoSeparateErrorsInOneMethodAreBothReported() {
        String source = snippet("""
                @Differentiable
                static double f(SimpleMatrix A) {
                    double s = A.elementSum();
                    do { // <<
                        s = s * 2.0;
                    } while (s < 3);
                    double t = s * Consts.FIELD; // <<
                    return t;
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        List<Long> lines = r.errors().stream().map(Diagnostic::getLineNumber).sorted().toList();
        assertEquals(Compilation.linesOf(source, MARK), lines, () -> numbered(source) + r.describe());
        assertTrue(r.errors().get(0).getMessage(Locale.ROOT).toLowerCase(Locale.ROOT).contains("loop")
                || r.errors().get(1).getMessage(Locale.ROOT).toLowerCase(Locale.ROOT).contains("loop"), r::describe);
        assertTrue(r.errors().stream().anyMatch(d -> d.getMessage(Locale.ROOT).contains("field")), r::describe);
    }

    @Test
    void twoSignatureErrorsAreBothReported() {
        String source = snippet("""
                @Differentiable
                int f(SimpleMatrix A) { // <<
                    return A.getNumRows();
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertEquals(2, r.errors().size(), r::describe);
        assertTrue(r.errors().stream().anyMatch(d -> d.getMessage(Locale.ROOT).contains("static")), r::describe);
        assertTrue(r.errors().stream().anyMatch(d -> d.getMessage(Locale.ROOT).contains("double")), r::describe);
    }

    @Test
    void badMethodDoesNotPreventGoodMethodInTheSameClass() {
        String source = snippet("""
                @Differentiable
                static double bad(SimpleMatrix A) {
                    double s = A.elementSum();
                    switch (1) { // <<
                        default: s = -s;
                    }
                    return s;
                }

                @Differentiable
                static double good(SimpleMatrix A) {
                    return 0.5 * sumSquares(A);
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertEquals(1, r.errors().size(), r::describe);
        assertEquals(Compilation.lineOf(source, MARK), r.errors().get(0).getLineNumber(), r::describe);
        assertNotNull(r.generatedSource("p/Snippet_Good.java"), r::describe);
        assertNull(r.generatedSource("p/Snippet_Bad.java"), r::describe);
    }

    /** The good method placed before the bad one is generated too, and a bad method in another class does not matter. */
    @Test
    void goodMethodBeforeBadMethodAndInOtherClassIsGenerated() {
        String source = snippet("""
                @Differentiable
                static double good(SimpleMatrix A) {
                    return A.elementSum();
                }

                @Differentiable
                static double bad(SimpleMatrix A) {
                    return A.elementSum() * Consts.FIELD; // <<
                }
                """);
        String other = """
                package q;

                import dev.adjoint.Differentiable;
                import org.ejml.simple.SimpleMatrix;

                public class Other {
                    @Differentiable
                    static double g(SimpleMatrix A) {
                        return A.trace();
                    }
                }
                """;
        Compilation.Result r = Compilation.processOnly(source, other);
        assertNoInternalError(r);
        assertEquals(1, r.errors().size(), r::describe);
        assertNotNull(r.generatedSource("p/Snippet_Good.java"), r::describe);
        assertNotNull(r.generatedSource("q/Other_G.java"), r::describe);
    }

    /** All cases in one compilation unit: every bad method gets its error, none is lost, nothing crashes. */
    @Test
    void allErrorCasesTogetherInOneCompilation() {
        List<Case> cases = errorCases().toList();
        StringBuilder body = new StringBuilder("static double helper(SimpleMatrix A) {\n    return A.elementSum();\n}\n\n");
        int i = 0;
        for (Case c : cases) {
            String src = c.source();
            String classBody = src.substring(src.indexOf("public class Snippet {") + "public class Snippet {".length(),
                    src.indexOf("\n}\n\nclass Consts"));
            classBody = classBody.replace("static double helper(SimpleMatrix A) {\n        return A.elementSum();\n    }\n", "");
            // Rename each f so the methods can live in one class; mark where each method starts.
            body.append(methodMark(i)).append('\n');
            body.append(classBody.replace(" f(", " f" + i + "(").stripIndent()).append('\n');
            i++;
        }
        String source = snippet(body.toString());
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertFalse(r.success, r::describe);
        long end = Compilation.lineOf(source, "class Consts");
        for (int k = 0; k < cases.size(); k++) {
            long from = Compilation.lineOf(source, methodMark(k));
            long to = k + 1 < cases.size() ? Compilation.lineOf(source, methodMark(k + 1)) : end;
            Case c = cases.get(k);
            List<Diagnostic<? extends JavaFileObject>> inMethod = r.errors().stream()
                    .filter(d -> d.getLineNumber() > from && d.getLineNumber() < to).toList();
            assertFalse(inMethod.isEmpty(), () -> "no error for case '" + c.name() + "'\n" + numbered(source) + r.describe());
        }
        assertTrue(r.generated.isEmpty(), r::describe);
    }

    private static String methodMark(int i) {
        return String.format(Locale.ROOT, "// method %02d:", i);
    }

    static void assertKeywords(Diagnostic<? extends JavaFileObject> d, List<String> keywords) {
        String message = d.getMessage(Locale.ROOT);
        String lower = message.toLowerCase(Locale.ROOT);
        for (String k : keywords) {
            assertTrue(lower.contains(k.toLowerCase(Locale.ROOT)), () -> "message lacks '" + k + "': " + message);
        }
    }

    /** The message starts with {@code [ADJnnn] }, the code docs/errors.md explains. */
    static void assertCode(String code, Diagnostic<? extends JavaFileObject> d) {
        String message = d.getMessage(Locale.ROOT);
        assertTrue(message.startsWith("[" + code + "] "), () -> "message does not start with [" + code + "]: " + message);
    }

    static void assertNoInternalError(Compilation.Result r) {
        String all = Compilation.allMessages(r).toLowerCase(Locale.ROOT);
        assertFalse(all.contains("internal error"), r::describe);
        assertFalse(all.contains("threw"), r::describe);
    }

    static String numbered(String source) {
        StringBuilder sb = new StringBuilder();
        String[] lines = source.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            sb.append(String.format(Locale.ROOT, "%3d  %s%n", i + 1, lines[i]));
        }
        return sb.toString();
    }
}
