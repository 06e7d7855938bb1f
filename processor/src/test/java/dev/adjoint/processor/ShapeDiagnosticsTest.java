package dev.adjoint.processor;

import static dev.adjoint.processor.CompileErrorsTest.assertNoInternalError;
import static dev.adjoint.processor.CompileErrorsTest.numbered;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.DifferentiableFunction;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * SPEC sections 2, 4 and 5 on shapes. At compile time, a mismatch that declared {@code @Shape}s prove
 * is an error on the exact sub-expression naming both shapes, inferred through the whole body. At
 * run time, generated code checks that {@code @Shape} symbols bind consistently on the actual
 * arguments (the {@link IllegalArgumentException} names the parameter, the symbol and both sizes)
 * and, without {@code @Shape}, names the DSL expression and the source line that needs the shapes
 * to agree.
 */
class ShapeDiagnosticsTest {

    static final String MARK = "// <<";

    /** {@code p/Snippet.java} with the given class body; {@code Shape} is imported. */
    static String snippet(String classBody) {
        return """
                package p;

                import static dev.adjoint.runtime.Ops.*;

                import dev.adjoint.Differentiable;
                import dev.adjoint.Shape;
                import dev.adjoint.runtime.Ops;
                import org.ejml.simple.SimpleMatrix;

                public class Snippet {
                """ + classBody.indent(4) + """
                }
                """;
    }

    // ---- compile time -------------------------------------------------------------------------

    /** A shape "a×b" written with ×, x or a comma, as a regex. */
    static Pattern shape(String rows, String cols) {
        return Pattern.compile("(?<![\\w(])" + Pattern.quote(rows) + "\\s*[×x,]\\s*" + Pattern.quote(cols) + "(?![\\w(])");
    }

    static void assertNamesShape(String message, String rows, String cols) {
        assertTrue(shape(rows, cols).matcher(message).find(),
                () -> "message does not name the shape " + rows + "×" + cols + ": " + message);
    }

    /** Runs processing and returns the only error, which must be on the marked line. */
    static Diagnostic<? extends JavaFileObject> onlyErrorOnMarkedLine(String source) {
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertFalse(r.success, r::describe);
        assertEquals(1, r.errors().size(), () -> numbered(source) + r.describe());
        Diagnostic<? extends JavaFileObject> d = r.errors().get(0);
        assertEquals(Compilation.lineOf(source, MARK), d.getLineNumber(), () -> numbered(source) + r.describe());
        assertNamesItsExpressions(d);
        assertTrue(r.generated.isEmpty(), () -> "a method with a shape error must not be generated\n" + r.describe());
        return d;
    }

    /**
     * Runs processing and returns the errors, which must be at least one and all on the marked line
     * (one mismatch may legitimately also make a later use of its result mismatch on that line).
     */
    static List<Diagnostic<? extends JavaFileObject>> errorsOnMarkedLine(String source) {
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertFalse(r.success, r::describe);
        assertFalse(r.errors().isEmpty(), () -> numbered(source) + r.describe());
        long line = Compilation.lineOf(source, MARK);
        for (Diagnostic<? extends JavaFileObject> d : r.errors()) {
            assertEquals(line, d.getLineNumber(), () -> numbered(source) + r.describe());
            assertNamesItsExpressions(d);
        }
        assertTrue(r.generated.isEmpty(), () -> "a method with a shape error must not be generated\n" + r.describe());
        return r.errors();
    }

    /** No blank where an expression should be named: {@code "shape mismatch in : ..."} or {@code "( is 1×n"}. */
    static void assertNamesItsExpressions(Diagnostic<? extends JavaFileObject> d) {
        String message = d.getMessage(Locale.ROOT);
        assertTrue(message.startsWith("[ADJ401] shape mismatch in "), () -> "not a coded shape error: " + message);
        assertFalse(Pattern.compile("\\bin\\s*:").matcher(message).find(),
                () -> "the message does not name the mismatched expression: " + message);
        assertFalse(Pattern.compile("(^|[(,])\\s*is\\s").matcher(message).find(),
                () -> "the message does not name an operand: " + message);
    }

    /** The diagnostic's source range is exactly {@code expression} (the offending sub-expression). */
    static void assertCovers(String source, Diagnostic<? extends JavaFileObject> d, String expression) {
        long start = d.getStartPosition();
        long end = d.getEndPosition();
        assertTrue(start >= 0 && end > start, () -> "diagnostic has no source range: " + Compilation.format(d));
        String covered = source.substring((int) start, (int) end);
        assertEquals(expression, covered, () -> "error is not on the exact sub-expression: " + Compilation.format(d));
    }

    /** The example: {@code W.mult(x): W is m×n, x is m×1}. */
    @Test
    void productOfDeclaredShapesThatCannotMultiplyNamesBothShapes() {
        String source = snippet("""
                @Differentiable
                static double f(@Shape({"m", "n"}) SimpleMatrix W, @Shape({"m", "1"}) SimpleMatrix x,
                                @Shape({"m", "1"}) SimpleMatrix y) {
                    return 0.5 * sumSquares(W.mult(x).minus(y)); // <<
                }
                """);
        Diagnostic<? extends JavaFileObject> d = onlyErrorOnMarkedLine(source);
        String message = d.getMessage(Locale.ROOT);
        assertTrue(message.contains("W.mult(x)"), message);
        assertNamesShape(message, "m", "n");
        assertNamesShape(message, "m", "1");
        // On W.mult(x) itself, not on the enclosing minus(...) or the return statement.
        assertCovers(source, d, "W.mult(x)");
    }

    /** A declared integer literal contradicts a declared symbol: 1 is not n. */
    @Test
    void literalContradictingASymbolIsAnError() {
        String source = snippet("""
                @Differentiable
                static double f(@Shape({"n", "n"}) SimpleMatrix A, @Shape({"n", "1"}) SimpleMatrix x) {
                    SimpleMatrix y = A.plus(x); // <<
                    return sumSquares(y);
                }
                """);
        Diagnostic<? extends JavaFileObject> d = onlyErrorOnMarkedLine(source);
        String message = d.getMessage(Locale.ROOT);
        assertTrue(message.contains("A.plus(x)"), message);
        assertNamesShape(message, "n", "n");
        assertNamesShape(message, "n", "1");
        assertCovers(source, d, "A.plus(x)");
    }

    /** Two integer literals: a 3×2 matrix times a 3×2 matrix. */
    @Test
    void contradictingLiteralsAreAnError() {
        String source = snippet("""
                @Differentiable
                static double f(@Shape({"3", "2"}) SimpleMatrix A, @Shape({"3", "2"}) SimpleMatrix B) {
                    SimpleMatrix C = A.mult(B); // <<
                    return C.elementSum();
                }
                """);
        Diagnostic<? extends JavaFileObject> d = onlyErrorOnMarkedLine(source);
        String message = d.getMessage(Locale.ROOT);
        assertTrue(message.contains("A.mult(B)"), message);
        assertNamesShape(message, "3", "2");
    }

    /**
     * A symbol declared for one parameter contradicts a literal declared for another: xᵀ is 1×3 and A
     * is n×n. (xᵀA is 1×n, so its product with x may also be reported, on the same line.)
     */
    @Test
    void symbolContradictingALiteralOfAnotherParameterIsAnError() {
        String source = snippet("""
                @Differentiable
                static double f(@Shape({"n", "n"}) SimpleMatrix A, @Shape({"3", "1"}) SimpleMatrix x) {
                    double q = x.transpose().mult(A).mult(x).trace(); // <<
                    return q;
                }
                """);
        Diagnostic<? extends JavaFileObject> d = errorsOnMarkedLine(source).get(0);
        String message = d.getMessage(Locale.ROOT);
        assertCovers(source, d, "x.transpose().mult(A)");
        assertTrue(message.contains("x.transpose().mult(A)"), () -> "message does not name the expression: " + message);
        assertNamesShape(message, "n", "n");
        assertTrue(shape("1", "3").matcher(message).find() || shape("3", "1").matcher(message).find(),
                () -> "message does not name the shape of x or xᵀ: " + message);
    }

    /**
     * Inferred through locals, a transpose, a product and {@code identity(k)} with {@code k} from
     * {@code numRows()}: WᵀW is n×n, identity(W.numRows()) is m×m.
     */
    @Test
    void mismatchProvedThroughLocalsTransposeAndIdentityOfNumRows() {
        String source = snippet("""
                @Differentiable
                static double f(@Shape({"m", "n"}) SimpleMatrix W, @Shape({"n", "1"}) SimpleMatrix x) {
                    int k = W.numRows();
                    SimpleMatrix G = W.transpose().mult(W);
                    SimpleMatrix I = SimpleMatrix.identity(k);
                    SimpleMatrix H = G.plus(I); // <<
                    return sumSquares(H.mult(x));
                }
                """);
        Diagnostic<? extends JavaFileObject> d = errorsOnMarkedLine(source).get(0);
        String message = d.getMessage(Locale.ROOT);
        assertTrue(message.contains("G.plus(I)"), message);
        assertNamesShape(message, "n", "n");
        assertNamesShape(message, "m", "m");
        assertCovers(source, d, "G.plus(I)");
    }

    /**
     * n×n plus m×m is one mismatch of one expression: one error naming both shapes, not one error for
     * the rows and a second, identical-position one for the columns.
     */
    @Test
    void sumMismatchedInBothDimensionsIsOneError() {
        String source = snippet("""
                @Differentiable
                static double f(@Shape({"m", "m"}) SimpleMatrix A, @Shape({"n", "n"}) SimpleMatrix B) {
                    SimpleMatrix C = A.plus(B); // <<
                    return C.elementSum();
                }
                """);
        Diagnostic<? extends JavaFileObject> d = onlyErrorOnMarkedLine(source);
        String message = d.getMessage(Locale.ROOT);
        assertTrue(message.contains("A.plus(B)"), message);
        assertNamesShape(message, "m", "m");
        assertNamesShape(message, "n", "n");
    }

    /** Control for {@link #mismatchProvedThroughLocalsTransposeAndIdentityOfNumRows}: identity of W.numCols() is fine. */
    @Test
    void consistentShapesThroughTheSameBodyCompile() {
        String source = snippet("""
                @Differentiable
                static double f(@Shape({"m", "n"}) SimpleMatrix W, @Shape({"n", "1"}) SimpleMatrix x) {
                    int k = W.numCols();
                    SimpleMatrix G = W.transpose().mult(W);
                    SimpleMatrix I = SimpleMatrix.identity(k);
                    SimpleMatrix H = G.plus(I);
                    return sumSquares(H.mult(x)) + sumSquares(rowSums(W)) + sumSquares(columnSums(W).transpose().minus(x));
                }
                """);
        Compilation.Result r = Compilation.compile(source);
        assertNoInternalError(r);
        assertTrue(r.success && r.errors().isEmpty(), () -> numbered(source) + r.describe());
        assertNotNull(r.generatedSource("p/Snippet_F.java"), r::describe);
    }

    /** Row sums of an m×n matrix are m×1: subtracting an n×1 vector is a proved mismatch. */
    @Test
    void mismatchProvedThroughRowSums() {
        String source = snippet("""
                @Differentiable
                static double f(@Shape({"m", "n"}) SimpleMatrix W, @Shape({"n", "1"}) SimpleMatrix x) {
                    SimpleMatrix s = rowSums(W);
                    SimpleMatrix t = s.minus(x); // <<
                    return sumSquares(t);
                }
                """);
        Diagnostic<? extends JavaFileObject> d = onlyErrorOnMarkedLine(source);
        String message = d.getMessage(Locale.ROOT);
        assertTrue(message.contains("s.minus(x)"), message);
        assertNamesShape(message, "m", "1");
        assertNamesShape(message, "n", "1");
        assertCovers(source, d, "s.minus(x)");
    }

    /** A local reassigned to its transpose carries the transposed shape: (W·x)ᵀ is 1×m. */
    @Test
    void mismatchProvedThroughAReassignedLocal() {
        String source = snippet("""
                @Differentiable
                static double f(@Shape({"m", "n"}) SimpleMatrix W, @Shape({"n", "1"}) SimpleMatrix x) {
                    SimpleMatrix y = W.mult(x);
                    y = y.transpose();
                    SimpleMatrix z = y.plus(x); // <<
                    return sumSquares(z);
                }
                """);
        Diagnostic<? extends JavaFileObject> d = errorsOnMarkedLine(source).get(0);
        String message = d.getMessage(Locale.ROOT);
        assertTrue(message.contains("y.plus(x)"), message);
        assertNamesShape(message, "1", "m");
        assertNamesShape(message, "n", "1");
    }

    /** Shape errors do not stop at the first: two independent mismatches give two errors, one per line. */
    @Test
    void everyShapeMismatchOfAMethodIsReported() {
        String source = snippet("""
                @Differentiable
                static double f(@Shape({"m", "n"}) SimpleMatrix W, @Shape({"m", "1"}) SimpleMatrix x,
                                @Shape({"n", "n"}) SimpleMatrix A) {
                    SimpleMatrix y = W.mult(x); // <<
                    SimpleMatrix B = A.plus(W); // <<
                    return sumSquares(y) + sumSquares(B);
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        List<Long> lines = r.errors().stream().map(Diagnostic::getLineNumber).sorted().toList();
        assertEquals(Compilation.linesOf(source, MARK), lines, () -> numbered(source) + r.describe());
    }

    /** A method with a shape error does not stop another method of the same class from being generated. */
    @Test
    void shapeErrorInOneMethodDoesNotStopTheOthers() {
        String source = snippet("""
                @Differentiable
                static double bad(@Shape({"m", "n"}) SimpleMatrix W, @Shape({"m", "1"}) SimpleMatrix x) {
                    return sumSquares(W.mult(x)); // <<
                }

                @Differentiable
                static double good(@Shape({"m", "n"}) SimpleMatrix W, @Shape({"n", "1"}) SimpleMatrix x) {
                    return sumSquares(W.mult(x));
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertEquals(1, r.errors().size(), r::describe);
        assertEquals(Compilation.lineOf(source, MARK), r.errors().get(0).getLineNumber(), r::describe);
        assertEquals(List.of("p/Snippet_Good.java"), List.copyOf(r.generated.keySet()), r::describe);
    }

    // ---- run time -------------------------------------------------------------------------------

    /** Compiles the snippet with the processor and returns a fresh instance of {@code p.<generated>}. */
    static Object instance(String source, String generatedSimpleName) throws Exception {
        Compilation.Result r = Compilation.compile(source);
        assertNoInternalError(r);
        assertTrue(r.success && r.errors().isEmpty(), () -> numbered(source) + r.describe());
        Class<?> type = r.loadClass("p." + generatedSimpleName);
        return type.getConstructor().newInstance();
    }

    static DMatrixRMaj matrix(int rows, int cols) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = 0.1 * (i + 1) - 0.35 * (i % 3);
        }
        return m;
    }

    /** Calls a public method of the generated class reflectively, rethrowing what it throws. */
    static Object call(Object target, String name, Class<?>[] types, Object... args) throws Throwable {
        Method m = target.getClass().getMethod(name, types);
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The message of the {@link IllegalArgumentException} that {@code call} throws. */
    static String illegalArgument(Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertNotNull(e.getMessage());
        return e.getMessage();
    }

    static void assertMentions(String message, String what, String regex) {
        assertTrue(Pattern.compile(regex).matcher(message).find(), () -> "message does not name " + what + ": " + message);
    }

    static final Class<?>[] TWO_MATRICES = {DMatrixRMaj.class, DMatrixRMaj.class};
    static final Class<?>[] TWO_SIMPLE_MATRICES = {SimpleMatrix.class, SimpleMatrix.class};

    static final String DECLARED = snippet("""
            @Differentiable
            static double f(@Shape({"m", "n"}) SimpleMatrix W, @Shape({"n", "1"}) SimpleMatrix x) {
                return 0.5 * sumSquares(W.mult(x));
            }
            """);

    /** W is m×n and x is n×1, called with W 4×3 and x 5×1: n is bound to 3 by W and to 5 by x. */
    @Test
    void inconsistentSymbolBindingNamesParameterSymbolAndBothSizes() throws Throwable {
        Object f = instance(DECLARED, "Snippet_F");
        DMatrixRMaj W = matrix(4, 3);
        DMatrixRMaj x = matrix(5, 1);
        for (String entry : List.of("value", "gradient")) {
            String message = illegalArgument(() -> call(f, entry, TWO_MATRICES, W, x));
            assertMentions(message, "the parameter x", "\\bx\\b");
            assertMentions(message, "the symbol n", "\\bn\\b");
            assertMentions(message, "W's size 3", "\\b3\\b");
            assertMentions(message, "x's size 5", "\\b5\\b");
        }
        // The SimpleMatrix overload and the runtime interface check the same way.
        String viaSimple = illegalArgument(() -> call(f, "value", TWO_SIMPLE_MATRICES,
                SimpleMatrix.wrap(W), SimpleMatrix.wrap(x)));
        assertMentions(viaSimple, "the symbol n", "\\bn\\b");
        DifferentiableFunction fn = (DifferentiableFunction) f;
        String viaInterface = illegalArgument(() -> fn.gradient(W, x));
        assertMentions(viaInterface, "the parameter x", "\\bx\\b");
        assertMentions(viaInterface, "the symbol n", "\\bn\\b");
        assertMentions(viaInterface, "both sizes", "\\b3\\b[\\s\\S]*\\b5\\b|\\b5\\b[\\s\\S]*\\b3\\b");
    }

    /** Control: consistent arguments bind m = 4, n = 3 and compute the value. */
    @Test
    void consistentSymbolBindingComputesTheValue() throws Throwable {
        Object f = instance(DECLARED, "Snippet_F");
        DMatrixRMaj W = matrix(4, 3);
        DMatrixRMaj x = matrix(3, 1);
        double expected = 0.5 * dev.adjoint.runtime.Ops.sumSquares(SimpleMatrix.wrap(W).mult(SimpleMatrix.wrap(x)));
        double actual = (Double) call(f, "value", TWO_MATRICES, W, x);
        assertEquals(expected, actual, 1e-12);
    }

    /** x is declared n×1 and called with a 3×2 matrix: the message names x, the declared 1 and the actual 2. */
    @Test
    void violatedLiteralDimensionNamesParameterAndBothSizes() throws Throwable {
        Object f = instance(DECLARED, "Snippet_F");
        DMatrixRMaj W = matrix(4, 3);
        DMatrixRMaj x = matrix(3, 2);
        for (String entry : List.of("value", "gradient")) {
            String message = illegalArgument(() -> call(f, entry, TWO_MATRICES, W, x));
            assertMentions(message, "the parameter x", "\\bx\\b");
            assertMentions(message, "the declared size 1", "\\b1\\b");
            assertMentions(message, "the actual size 2", "\\b2\\b");
        }
    }

    /** One parameter, one symbol in both places: A is n×n, called with 3×4. */
    @Test
    void symbolRepeatedInOneDeclarationMustBindConsistently() throws Throwable {
        Object f = instance(snippet("""
                @Differentiable
                static double f(@Shape({"n", "n"}) SimpleMatrix A) {
                    return A.elementSum();
                }
                """), "Snippet_F");
        String message = illegalArgument(() -> call(f, "value", new Class<?>[] {DMatrixRMaj.class}, matrix(3, 4)));
        assertMentions(message, "the parameter A", "\\bA\\b");
        assertMentions(message, "the symbol n", "\\bn\\b");
        assertMentions(message, "the size 3", "\\b3\\b");
        assertMentions(message, "the size 4", "\\b4\\b");
    }

    static final String UNDECLARED = snippet("""
            @Differentiable
            static double f(SimpleMatrix W, SimpleMatrix x, SimpleMatrix b) {
                SimpleMatrix h = W.mult(x); // product
                SimpleMatrix y = h.plus(b); // sum
                return 0.5 * sumSquares(y);
            }
            """);

    /** Without @Shape: the message names the DSL expression, "at Snippet.java:LINE", and both shapes. */
    @Test
    void withoutShapeAProductMismatchNamesExpressionLineAndBothShapes() throws Throwable {
        Object f = instance(UNDECLARED, "Snippet_F");
        long line = Compilation.lineOf(UNDECLARED, "// product");
        Class<?>[] types = {DMatrixRMaj.class, DMatrixRMaj.class, DMatrixRMaj.class};
        for (String entry : List.of("value", "gradient")) {
            String message = illegalArgument(() -> call(f, entry, types, matrix(4, 3), matrix(5, 1), matrix(4, 1)));
            assertTrue(message.contains("W.mult(x) at Snippet.java:" + line), message);
            assertNamesShape(message, "4", "3");
            assertNamesShape(message, "5", "1");
        }
    }

    /** Without @Shape, a mismatch between an intermediate (h = W·x, 4×1) and a parameter (b, 5×1). */
    @Test
    void withoutShapeAMismatchOfAnIntermediateNamesItsExpressionAndLine() throws Throwable {
        Object f = instance(UNDECLARED, "Snippet_F");
        long line = Compilation.lineOf(UNDECLARED, "// sum");
        Class<?>[] types = {DMatrixRMaj.class, DMatrixRMaj.class, DMatrixRMaj.class};
        String message = illegalArgument(() -> call(f, "value", types, matrix(4, 3), matrix(3, 1), matrix(5, 1)));
        assertTrue(message.contains("h.plus(b) at Snippet.java:" + line), message);
        assertMentions(message, "h's 4 rows", "\\b4\\b");
        assertMentions(message, "b's 5 rows", "\\b5\\b");
        // Control: matching shapes run.
        double v = (Double) call(f, "value", types, matrix(4, 3), matrix(3, 1), matrix(4, 1));
        assertTrue(Double.isFinite(v));
    }

    /** Without @Shape, a size given by an int parameter: ones(k, 1) added to a 4×1 vector with k = 6. */
    @Test
    void withoutShapeASizeFromAnIntParameterNamesExpressionAndLine() throws Throwable {
        String source = snippet("""
                @Differentiable(wrt = "v")
                static double f(SimpleMatrix v, int k) {
                    SimpleMatrix w = v.plus(SimpleMatrix.ones(k, 1)); // <<
                    return sumSquares(w);
                }
                """);
        Object f = instance(source, "Snippet_F");
        long line = Compilation.lineOf(source, MARK);
        DifferentiableFunction fn = (DifferentiableFunction) f;
        String message = illegalArgument(() -> fn.value(matrix(4, 1), 6));
        assertTrue(message.contains(" at Snippet.java:" + line), message);
        assertTrue(message.contains("v.plus(SimpleMatrix.ones(k, 1))"), message);
        assertMentions(message, "the size 4", "\\b4\\b");
        assertMentions(message, "the size 6", "\\b6\\b");
        // Control: k = 4 matches, and the value is Σ (v_i + 1)².
        DMatrixRMaj v = matrix(4, 1);
        double expected = 0;
        for (int i = 0; i < 4; i++) {
            expected += (v.data[i] + 1) * (v.data[i] + 1);
        }
        assertEquals(expected, fn.value(v, 4), 1e-12);
    }

    /** Without @Shape, a size computed by int arithmetic (k = rows(A) + 1) is checked before any work, and named. */
    @Test
    void withoutShapeASizeFromIntArithmeticNamesExpressionAndLine() throws Throwable {
        String source = snippet("""
                @Differentiable
                static double f(SimpleMatrix A, int n) {
                    int k = n + 1;
                    SimpleMatrix I = SimpleMatrix.identity(k);
                    SimpleMatrix B = A.plus(I); // <<
                    return sumSquares(B);
                }
                """);
        // (With k = A.numRows() + 1 the mismatch is certain, and a compile-time error: MoreFormsCompileTest.)
        Object f = instance(source, "Snippet_F");
        long line = Compilation.lineOf(source, MARK);
        String message = illegalArgument(() -> call(f, "value", new Class<?>[] {DMatrixRMaj.class, int.class}, matrix(3, 3), 3));
        assertTrue(message.contains("A.plus(I) at Snippet.java:" + line), message);
        assertMentions(message, "the size 3", "\\b3\\b");
        assertMentions(message, "the size 4", "\\b4\\b");
    }

    /** Without @Shape, logDet of a non-square argument is reported with its expression and line. */
    @Test
    void withoutShapeANonSquareLogDetNamesExpressionAndLine() throws Throwable {
        String source = snippet("""
                @Differentiable
                static double f(SimpleMatrix K) {
                    return logDet(K); // <<
                }
                """);
        Object f = instance(source, "Snippet_F");
        long line = Compilation.lineOf(source, MARK);
        String message = illegalArgument(() -> call(f, "value", new Class<?>[] {DMatrixRMaj.class}, matrix(4, 3)));
        assertTrue(message.contains("logDet(K) at Snippet.java:" + line), message);
        assertMentions(message, "the size 4", "\\b4\\b");
        assertMentions(message, "the size 3", "\\b3\\b");
    }

    // ---- malformed declarations -----------------------------------------------------------------

    /** An entry too large for an int is a clear error on the parameter, never an internal error. */
    @Test
    void shapeEntryTooLargeForAnIntIsAClearError() {
        String source = snippet("""
                @Differentiable
                static double f(@Shape({"n", "99999999999"}) SimpleMatrix A) { // <<
                    return A.elementSum();
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        assertFalse(Compilation.allMessages(r).contains("Exception"), r::describe);
        assertEquals(1, r.errors().size(), r::describe);
        assertEquals(Compilation.lineOf(source, MARK), r.errors().get(0).getLineNumber(), r::describe);
        assertTrue(r.errors().get(0).getMessage(Locale.ROOT).contains("99999999999"), r::describe);
    }

    /** The same entry must not be silently accepted when the body has an error of its own. */
    @Test
    void shapeEntryTooLargeForAnIntIsReportedAlongsideBodyErrors() {
        String source = snippet("""
                @Differentiable
                static double f(@Shape({"n", "99999999999"}) SimpleMatrix A) { // <<
                    double s = A.elementSum();
                    return Math.cbrt(s); // <<
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        List<Long> lines = r.errors().stream().map(Diagnostic::getLineNumber).sorted().toList();
        assertEquals(Compilation.linesOf(source, MARK), lines, () -> numbered(source) + r.describe());
    }

    /** All errors of a method in one compilation (issue #3): a malformed @Shape does not hide the body's errors. */
    @Test
    void malformedShapeAndBodyErrorsAreBothReported() {
        String source = snippet("""
                @Differentiable
                static double f(@Shape({"n"}) SimpleMatrix A) { // <<
                    double s = A.elementSum();
                    do { // <<
                        s = s * 2.0;
                    } while (s < 3);
                    return s;
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        assertNoInternalError(r);
        List<Long> lines = r.errors().stream().map(Diagnostic::getLineNumber).sorted().toList();
        assertEquals(Compilation.linesOf(source, MARK), lines, () -> numbered(source) + r.describe());
    }
}
