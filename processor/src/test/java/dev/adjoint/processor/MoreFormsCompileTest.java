package dev.adjoint.processor;

import static dev.adjoint.processor.CompileErrorsTest.assertCode;
import static dev.adjoint.processor.CompileErrorsTest.assertNoInternalError;
import static dev.adjoint.processor.CompileErrorsTest.numbered;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Compile-time shape errors of the forms of issue 9 item 4: dimension expressions (a block's
 * r1 − r0, a concatenation's sum, a Kronecker product's product) compared with declared
 * {@code @Shape}s, and indices the shapes prove out of range, each on the exact expression.
 */
class MoreFormsCompileTest {

    static final String MARK = "// <<";

    record Case(String name, String code, String body, List<String> fragments) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        return List.of(
                new Case("concatRows vs @Shape", "ADJ401", """
                        @Differentiable
                        static double f(@Shape({"n", "k"}) SimpleMatrix A, @Shape({"m", "k"}) SimpleMatrix B,
                                        @Shape({"p", "k"}) SimpleMatrix C) {
                            return A.concatRows(B).elementMult(C).elementSum(); // <<
                        }
                        """, List.of("A.concatRows(B).elementMult(C)", "n + m vs p")),
                new Case("concatColumns of literal sizes", "ADJ401", """
                        @Differentiable
                        static double f(@Shape({"2", "3"}) SimpleMatrix A, @Shape({"2", "1"}) SimpleMatrix B,
                                        @Shape({"2", "5"}) SimpleMatrix C) {
                            return A.concatColumns(B).minus(C).elementSum(); // <<
                        }
                        """, List.of("4 vs 5")),
                new Case("concatColumns rows", "ADJ401", """
                        @Differentiable
                        static double f(@Shape({"n", "3"}) SimpleMatrix A, @Shape({"m", "1"}) SimpleMatrix B) {
                            return A.concatColumns(B).elementSum(); // <<
                        }
                        """, List.of("rows of the concatenated matrices", "n vs m")),
                new Case("kron vs @Shape", "ADJ401", """
                        @Differentiable
                        static double f(@Shape({"m", "n"}) SimpleMatrix A, @Shape({"p", "q"}) SimpleMatrix B,
                                        @Shape({"m", "q"}) SimpleMatrix C) {
                            return A.kron(B).plus(C).elementSum(); // <<
                        }
                        """, List.of("m·p vs m")),
                new Case("kron of literal sizes", "ADJ401", """
                        @Differentiable
                        static double f(@Shape({"2", "3"}) SimpleMatrix A, @Shape({"2", "2"}) SimpleMatrix B,
                                        @Shape({"4", "5"}) SimpleMatrix C) {
                            return A.kron(B).elementMult(C).elementSum(); // <<
                        }
                        """, List.of("6 vs 5")),
                new Case("block size vs @Shape", "ADJ401", """
                        @Differentiable
                        static double f(@Shape({"n", "k"}) SimpleMatrix A, @Shape({"2", "k"}) SimpleMatrix B) {
                            return A.rows(1, 4).minus(B).elementSum(); // <<
                        }
                        """, List.of("3 vs 2")),
                new Case("a size that can never match", "ADJ401", """
                        @Differentiable
                        static double f(SimpleMatrix A) {
                            int k = A.getNumRows() + 1;
                            return A.plus(SimpleMatrix.identity(k)).elementSum(); // <<
                        }
                        """, List.of("rows(A) vs rows(A) + 1")),
                new Case("get past the rows", "ADJ420", """
                        @Differentiable
                        static double f(@Shape({"3", "n"}) SimpleMatrix A) {
                            return A.get(3, 0); // <<
                        }
                        """, List.of("index out of range in A.get(3, 0)", "row index 3..4 out of range 0..3")),
                new Case("negative index", "ADJ420", """
                        @Differentiable
                        static double f(SimpleMatrix A) {
                            return A.get(-1); // <<
                        }
                        """, List.of("index −1..0 out of range", "A.get(-1)")),
                new Case("block past the columns", "ADJ420", """
                        @Differentiable
                        static double f(@Shape({"m", "4"}) SimpleMatrix A) {
                            return A.extractMatrix(0, 1, 2, 5).elementSum(); // <<
                        }
                        """, List.of("columns 2..5 out of range 0..4")),
                new Case("reversed rows", "ADJ420", """
                        @Differentiable
                        static double f(SimpleMatrix A) {
                            return A.rows(3, 1).elementSum(); // <<
                        }
                        """, List.of("rows 3..1")),
                new Case("getColumn past a declared size", "ADJ420", """
                        @Differentiable
                        static double f(@Shape({"n", "2"}) SimpleMatrix A) {
                            return A.getColumn(2).elementSum(); // <<
                        }
                        """, List.of("columns 2..3 out of range 0..2")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void errorOnTheExpression(Case c) {
        String source = ShapeDiagnosticsTest.snippet(c.body());
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertEquals(1, r.errors().size(), () -> numbered(source) + r.describe());
        Diagnostic<? extends JavaFileObject> d = r.errors().get(0);
        assertCode(c.code(), d);
        assertEquals(Compilation.lineOf(source, MARK), d.getLineNumber(), () -> numbered(source) + r.describe());
        String message = d.getMessage(Locale.ROOT);
        for (String fragment : c.fragments()) {
            assertTrue(message.contains(fragment), () -> "message should contain '" + fragment + "': " + message);
        }
    }

    /** Control: the same forms with consistent shapes and indices compile, and indices proved in range are not checked at run time. */
    @Test
    void consistentShapesCompileWithoutChecks() {
        String source = ShapeDiagnosticsTest.snippet("""
                @Differentiable
                static double f(@Shape({"n", "k"}) SimpleMatrix A, @Shape({"m", "k"}) SimpleMatrix B,
                                @Shape({"2", "3"}) SimpleMatrix P, @Shape({"4", "6"}) SimpleMatrix Q) {
                    SimpleMatrix both = A.concatRows(B);
                    SimpleMatrix first = both.rows(0, both.getNumRows() - B.getNumRows());
                    double x = first.minus(A).elementSum() + P.kron(SimpleMatrix.ones(2, 2)).elementMult(Q).elementSum();
                    return x + P.get(1, 2) + P.getRow(1).elementSum() + P.extractMatrix(0, 2, 1, 3).elementSum();
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertTrue(r.success, () -> numbered(source) + r.describe());
        String generated = r.generatedSource("p/Snippet_F.java");
        assertTrue(generated != null && !generated.contains("out of range"), () -> "indices the shapes prove in range are not checked again:\n"
                + generated);
    }

    /** Two values that share a name (a reassigned local) are different sizes: nothing is proved from the name. */
    @Test
    void aReassignedLocalIsNotConfusedWithItsEarlierValue() {
        String source = ShapeDiagnosticsTest.snippet("""
                @Differentiable
                static double f(SimpleMatrix A, int n, int m) {
                    int k = n / 2;
                    SimpleMatrix P = SimpleMatrix.identity(k + 1);
                    k = m / 2;
                    return P.plus(SimpleMatrix.identity(k)).plus(A).elementSum();
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertTrue(r.success, () -> numbered(source) + r.describe());
    }
}
