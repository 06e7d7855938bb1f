package dev.adjoint.it;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.DifferentiableFunction;
import dev.adjoint.runtime.NotPositiveDefiniteException;
import dev.adjoint.runtime.SingularMatrixException;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Run-time errors: wrong shapes, non-positive-definite logDet arguments, singular matrices. */
class RuntimeErrorsTest {

    private static DMatrixRMaj m(int rows, int cols) {
        DMatrixRMaj a = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < a.getNumElements(); i++) {
            a.data[i] = 0.1 * (i + 1);
        }
        return a;
    }

    private static DMatrixRMaj of(int rows, int cols, double... data) {
        return new DMatrixRMaj(rows, cols, true, data);
    }

    /** Asserts the executable throws type with a message containing every fragment; returns the message. */
    private static <T extends Throwable> String assertMessage(Class<T> type, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        String message = e.getMessage();
        assertNotNull(message, "exception without message");
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "message should contain '" + fragment + "' but is: " + message);
        }
        return message;
    }

    /** Runs the same check on value and gradient, through the Object... overloads and the typed ones. */
    private static <T extends Throwable> void assertAllEntryPoints(Class<T> type, DifferentiableFunction f,
            Executable typedValue, Executable typedGradient, Object[] args, String... fragments) {
        Object[] snapshot = TestSupport.deepCopy(args);
        assertMessage(type, typedValue, fragments);
        assertMessage(type, typedGradient, fragments);
        assertMessage(type, () -> f.value(args), fragments);
        assertMessage(type, () -> f.gradient(args), fragments);
        TestSupport.assertUnchanged(snapshot, args, "a failing call");
    }

    private static void assertNamesParameter(String message, String name) {
        assertTrue(Pattern.compile("\\b" + Pattern.quote(name) + "\\b").matcher(message).find(),
                "message should name parameter " + name + ": " + message);
    }

    // ------------------------------------------------------------------ wrong shapes

    @Test
    void productInnerDimensions() {
        DMatrixRMaj weights = m(4, 3), input = m(5, 1);
        var f = new ErrorForms_Product();
        assertAllEntryPoints(IllegalArgumentException.class, f, () -> f.value(weights, input),
                () -> f.gradient(weights, input), new Object[] {weights, input}, "weights", "input", "4x3", "5x1");
    }

    @Test
    void productInnerDimensionsSingleLetterNames() {
        DMatrixRMaj A = m(4, 3), B = m(5, 1);
        var f = new DslForms_Mult();
        String message = assertMessage(IllegalArgumentException.class, () -> f.value(A, B), "4x3", "5x1");
        assertNamesParameter(message, "A");
        assertNamesParameter(message, "B");
        message = assertMessage(IllegalArgumentException.class, () -> f.gradient(A, B), "4x3", "5x1");
        assertNamesParameter(message, "A");
        assertNamesParameter(message, "B");
    }

    @Test
    void sumShapes() {
        DMatrixRMaj left = m(2, 3), right = m(3, 2);
        var f = new ErrorForms_Sum();
        assertAllEntryPoints(IllegalArgumentException.class, f, () -> f.value(left, right),
                () -> f.gradient(left, right), new Object[] {left, right}, "left", "right", "2x3", "3x2");
    }

    @Test
    void sumShapesColumnsOnly() {
        DMatrixRMaj left = m(2, 3), right = m(2, 4);
        var f = new ErrorForms_Sum();
        assertAllEntryPoints(IllegalArgumentException.class, f, () -> f.value(left, right),
                () -> f.gradient(left, right), new Object[] {left, right}, "left", "right", "2x3", "2x4");
    }

    @Test
    void hadamardShapes() {
        DMatrixRMaj first = m(2, 3), second = m(2, 4);
        var f = new ErrorForms_Hadamard();
        assertAllEntryPoints(IllegalArgumentException.class, f, () -> f.value(first, second),
                () -> f.gradient(first, second), new Object[] {first, second}, "first", "second", "2x3", "2x4");
    }

    @Test
    void addColumnWrongRows() {
        DMatrixRMaj grid = m(3, 4), offset = m(2, 1);
        var f = new ErrorForms_BroadcastColumn();
        assertAllEntryPoints(IllegalArgumentException.class, f, () -> f.value(grid, offset),
                () -> f.gradient(grid, offset), new Object[] {grid, offset}, "grid", "offset", "3x4", "2x1");
    }

    @Test
    void addColumnNotAColumn() {
        DMatrixRMaj grid = m(3, 4), offset = m(3, 2);
        var f = new ErrorForms_BroadcastColumn();
        assertAllEntryPoints(IllegalArgumentException.class, f, () -> f.value(grid, offset),
                () -> f.gradient(grid, offset), new Object[] {grid, offset}, "offset", "3x2");
    }

    @Test
    void dotLengths() {
        DMatrixRMaj alpha = m(3, 1), omega = m(4, 1);
        var f = new ErrorForms_Inner();
        assertAllEntryPoints(IllegalArgumentException.class, f, () -> f.value(alpha, omega),
                () -> f.gradient(alpha, omega), new Object[] {alpha, omega}, "alpha", "omega", "3x1", "4x1");
    }

    @Test
    void dotOfNonVector() {
        DMatrixRMaj alpha = m(2, 2), omega = m(4, 1);
        var f = new ErrorForms_Inner();
        assertAllEntryPoints(IllegalArgumentException.class, f, () -> f.value(alpha, omega),
                () -> f.gradient(alpha, omega), new Object[] {alpha, omega}, "alpha", "2x2");
    }

    @Test
    void transposedProductInnerDimensions() {
        DMatrixRMaj lhs = m(3, 2), rhs = m(4, 5);
        var f = new ErrorForms_TransposedProduct();
        assertAllEntryPoints(IllegalArgumentException.class, f, () -> f.value(lhs, rhs),
                () -> f.gradient(lhs, rhs), new Object[] {lhs, rhs}, "lhs", "rhs", "3x2", "4x5");
    }

    @Test
    void solveRightHandSideRows() {
        DMatrixRMaj system = of(3, 3, 2, 0, 0, 0, 2, 0, 0, 0, 2), target = m(4, 2);
        var f = new ErrorForms_SolveSystem();
        assertAllEntryPoints(IllegalArgumentException.class, f, () -> f.value(system, target),
                () -> f.gradient(system, target), new Object[] {system, target}, "system", "target", "3x3", "4x2");
    }

    @Test
    void solveNonSquare() {
        DMatrixRMaj system = m(2, 3), target = m(2, 1);
        var f = new ErrorForms_SolveSystem();
        assertAllEntryPoints(IllegalArgumentException.class, f, () -> f.value(system, target),
                () -> f.gradient(system, target), new Object[] {system, target}, "system", "2x3");
    }

    @Test
    void determinantNonSquare() {
        DMatrixRMaj square = m(2, 3);
        var f = new ErrorForms_Det();
        assertAllEntryPoints(IllegalArgumentException.class, f, () -> f.value(square), () -> f.gradient(square),
                new Object[] {square}, "square", "2x3");
    }

    @Test
    void invertNonSquare() {
        DMatrixRMaj square = m(3, 2);
        var f = new ErrorForms_Inverse();
        assertAllEntryPoints(IllegalArgumentException.class, f, () -> f.value(square), () -> f.gradient(square),
                new Object[] {square}, "square", "3x2");
    }

    @Test
    void logDetNonSquare() {
        DMatrixRMaj spd = m(2, 3);
        var f = new ErrorForms_LogDetOf();
        assertAllEntryPoints(IllegalArgumentException.class, f, () -> f.value(spd), () -> f.gradient(spd),
                new Object[] {spd}, "spd", "2x3");
    }

    @Test
    void identitySizeFromIntParameter() {
        DMatrixRMaj grid = m(3, 3);
        var f = new ErrorForms_IdentityOfSize();
        String message = assertMessage(IllegalArgumentException.class, () -> f.value(grid, 2), "grid", "3x3");
        assertTrue(message.contains("2x2") || message.contains("size"),
                "message should give the identity's size (2x2 or the parameter size): " + message);
        assertMessage(IllegalArgumentException.class, () -> f.gradient(grid, 2), "grid", "3x3");
        assertMessage(IllegalArgumentException.class, () -> f.value(new Object[] {grid, 2}), "grid", "3x3");
    }

    @Test
    void declaredShapeSymbolsBindConsistently() {
        DMatrixRMaj weights = m(3, 5), vec = m(4, 1);
        var f = new ErrorForms_Declared();
        assertAllEntryPoints(IllegalArgumentException.class, f, () -> f.value(weights, vec),
                () -> f.gradient(weights, vec), new Object[] {weights, vec}, "weights", "vec", "3x5", "4x1");
    }

    @Test
    void declaredShapeLiteral() {
        DMatrixRMaj vec = m(3, 2);
        var f = new ErrorForms_DeclaredColumn();
        assertAllEntryPoints(IllegalArgumentException.class, f, () -> f.value(vec), () -> f.gradient(vec),
                new Object[] {vec}, "vec", "3x2");
    }

    @Test
    void shapeDerivedThroughLocal() {
        DMatrixRMaj weights = m(2, 3), input = m(3, 4), bias = m(2, 5);
        var f = new ErrorForms_DerivedShape();
        String message = assertMessage(IllegalArgumentException.class, () -> f.value(weights, input, bias), "bias",
                "2x5");
        assertTrue(message.contains("input") && message.contains("3x4") || message.contains("2x4"),
                "message should give the shape bias must have (2x4), or the parameter it comes from (input, 3x4): "
                        + message);
        assertMessage(IllegalArgumentException.class, () -> f.gradient(weights, input, bias), "bias", "2x5");
    }

    /**
     * Beyond the SPEC's letter (which asks for parameter names and shapes), but the generated
     * checkArguments promises "naming the DSL expression that needs them to", and does for
     * plain products: the same must hold when an operand of the product is transposed.
     */
    @Test
    void shapeMessagesStartWithTheDslExpression() {
        var product = new ErrorForms_Product();
        assertTrue(assertMessage(IllegalArgumentException.class, () -> product.value(m(4, 3), m(5, 1)))
                .startsWith("weights.mult(input)"));
        var sum = new ErrorForms_Sum();
        assertTrue(assertMessage(IllegalArgumentException.class, () -> sum.value(m(2, 3), m(3, 2)))
                .startsWith("left.plus(right)"));
        var transposed = new ErrorForms_TransposedProduct();
        String message = assertMessage(IllegalArgumentException.class, () -> transposed.value(m(3, 2), m(4, 5)));
        assertTrue(message.startsWith("lhs.transpose().mult(rhs)"),
                "message should start with the DSL expression lhs.transpose().mult(rhs): " + message);
    }

    // ------------------------------------------------------------------ not positive definite

    @Test
    void logDetOfNegativeDefinite() {
        DMatrixRMaj spd = of(3, 3, -1, 0, 0, 0, -1, 0, 0, 0, -1);
        var f = new ErrorForms_LogDetOf();
        assertAllEntryPoints(NotPositiveDefiniteException.class, f, () -> f.value(spd), () -> f.gradient(spd),
                new Object[] {spd}, "logDet(spd)");
    }

    @Test
    void logDetOfIndefinite() {
        DMatrixRMaj spd = of(2, 2, 1, 2, 2, 1);
        var f = new ErrorForms_LogDetOf();
        assertAllEntryPoints(NotPositiveDefiniteException.class, f, () -> f.value(spd), () -> f.gradient(spd),
                new Object[] {spd}, "logDet(");
    }

    @Test
    void logDetOfPositiveSemidefinite() {
        DMatrixRMaj spd = of(2, 2, 1, 1, 1, 1);
        var f = new ErrorForms_LogDetOf();
        assertAllEntryPoints(NotPositiveDefiniteException.class, f, () -> f.value(spd), () -> f.gradient(spd),
                new Object[] {spd}, "logDet(");
    }

    @Test
    void logDetOfComposedExpression() {
        DMatrixRMaj factor = m(3, 2);
        for (int i = 0; i < factor.getNumElements(); i++) {
            factor.data[i] *= 0.1;
        }
        var f = new ErrorForms_LogDetComposed();
        assertAllEntryPoints(NotPositiveDefiniteException.class, f, () -> f.value(factor, 5.0),
                () -> f.gradient(factor, 5.0), new Object[] {factor, 5.0}, "logDet(");
    }

    @Test
    void logDetSpdFormWithNegativeShift() {
        DMatrixRMaj B = m(3, 2);
        var f = new DslForms_OpsLogDet();
        assertAllEntryPoints(NotPositiveDefiniteException.class, f, () -> f.value(B, -100.0),
                () -> f.gradient(B, -100.0), new Object[] {B, -100.0}, "logDet(");
    }

    @Test
    void logDetOfNaN() {
        DMatrixRMaj spd = of(2, 2, 1, 0, 0, Double.NaN);
        var f = new ErrorForms_LogDetOf();
        assertAllEntryPoints(NotPositiveDefiniteException.class, f, () -> f.value(spd), () -> f.gradient(spd),
                new Object[] {spd}, "logDet(spd)");
    }

    /**
     * The matrix is invertible but indefinite: only logDet fails, so the exception must name the
     * logDet expression, even though invert() comes first in the source.
     */
    @Test
    void logDetFailureNamesLogDetEvenWhenInvertComesFirst() {
        DMatrixRMaj factor = m(3, 2);
        for (int i = 0; i < factor.getNumElements(); i++) {
            factor.data[i] *= 0.1;
        }
        var f = new ErrorForms_InverseThenLogDet();
        assertAllEntryPoints(NotPositiveDefiniteException.class, f, () -> f.value(factor, 5.0),
                () -> f.gradient(factor, 5.0), new Object[] {factor, 5.0}, "logDet(gram)");
    }

    // ------------------------------------------------------------------ singular matrices

    @Test
    void invertSingular() {
        DMatrixRMaj square = of(2, 2, 1, 2, 2, 4);
        var f = new ErrorForms_Inverse();
        assertAllEntryPoints(SingularMatrixException.class, f, () -> f.value(square), () -> f.gradient(square),
                new Object[] {square}, ".invert()", "square.invert()");
    }

    @Test
    void invertZeroMatrix() {
        DMatrixRMaj A = new DMatrixRMaj(3, 3), C = new DMatrixRMaj(3, 3);
        var f = new DslForms_Invert();
        assertAllEntryPoints(SingularMatrixException.class, f, () -> f.value(A, C), () -> f.gradient(A, C),
                new Object[] {A, C}, ".invert()");
    }

    @Test
    void invertSingularProduct() {
        // Rows 0 and 1 of tall are equal, so tall·tallᵀ has two equal rows: exactly singular.
        DMatrixRMaj tall = of(3, 2, 1, 2, 1, 2, 3, 1);
        var f = new ErrorForms_InverseOfProduct();
        assertAllEntryPoints(SingularMatrixException.class, f, () -> f.value(tall), () -> f.gradient(tall),
                new Object[] {tall}, ".invert()");
    }

    @Test
    void solveSingular() {
        DMatrixRMaj system = of(2, 2, 1, 2, 2, 4), target = m(2, 1);
        var f = new ErrorForms_SolveSystem();
        assertAllEntryPoints(SingularMatrixException.class, f, () -> f.value(system, target),
                () -> f.gradient(system, target), new Object[] {system, target}, ".solve(", "system.solve(target)");
    }

    @Test
    void solveSingularDslForm() {
        DMatrixRMaj A = of(3, 3, 1, 2, 3, 4, 5, 6, 0, 0, 0), B = m(3, 2), C = m(3, 2);
        var f = new DslForms_Solve();
        assertAllEntryPoints(SingularMatrixException.class, f, () -> f.value(A, B, C), () -> f.gradient(A, B, C),
                new Object[] {A, B, C}, ".solve(");
    }

    @Test
    void invertOfNaN() {
        DMatrixRMaj square = of(2, 2, 1, 0, 0, Double.NaN);
        var f = new ErrorForms_Inverse();
        assertAllEntryPoints(SingularMatrixException.class, f, () -> f.value(square), () -> f.gradient(square),
                new Object[] {square}, "square.invert()");
    }

    /** After an error the instance still works: the next call with good arguments is correct. */
    @Test
    void instanceUsableAfterError() {
        var f = new ErrorForms_Inverse();
        assertThrows(SingularMatrixException.class, () -> f.gradient(of(2, 2, 1, 2, 2, 4)));
        DMatrixRMaj good = of(2, 2, 2, 1, 1, 3);
        double value = f.gradient(good);
        // inverse of [[2,1],[1,3]] is [[3,-1],[-1,2]]/5: sum of squares = 15/25
        assertTrue(Math.abs(value - 15.0 / 25.0) < 1e-14, "value after an error: " + value);
        assertTrue(Arrays.stream(Arrays.copyOf(f.gradSquare().data, 4)).allMatch(Double::isFinite));
    }
}
