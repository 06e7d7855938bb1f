package dev.adjoint.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.api.Test;

/**
 * The forms of {@link MoreForms} at their kinks and ties (exact gradients: abs′(0) = 0, ties to the
 * first operand or the first entry in row-major order), their values against EJML's own methods,
 * out-of-range indices, and allocation once shapes repeat.
 */
class MoreFormsRuntimeTest {

    private static DMatrixRMaj of(int rows, int cols, double... data) {
        return new DMatrixRMaj(rows, cols, true, data);
    }

    private static void assertGradient(double[] expected, DMatrixRMaj actual, String what) {
        assertArrayEquals(expected, Arrays.copyOf(actual.data, actual.getNumElements()), 0.0, what);
    }

    // ------------------------------------------------------------------ kinks and ties

    @Test
    void absHasZeroDerivativeAtZero() {
        DMatrixRMaj A = of(1, 4, -2, 0, 3, 0), C = of(1, 4, 1, 2, 3, 4);
        var f = new MoreForms_AbsSum();
        assertEquals(2 + 9, f.gradient(A, C), 0.0);
        assertGradient(new double[] {-1, 0, 3, 0}, f.gradA(), "∂/∂A: sign(A) ∘ C with sign(0) = 0");
        assertGradient(new double[] {2, 0, 3, 0}, f.gradC(), "∂/∂C: |A|");
    }

    @Test
    void entrywiseMaxAndMinTiesGoToTheFirstOperand() {
        DMatrixRMaj A = of(1, 3, 1, 5, 2), B = of(1, 3, 1, 4, 3), C = of(1, 3, 10, 20, 30);
        var max = new MoreForms_MaxSum();
        assertEquals(10 + 100 + 90, max.gradient(A, B, C), 0.0);
        assertGradient(new double[] {10, 20, 0}, max.gradA(), "max: the tie (entry 0) goes to A");
        assertGradient(new double[] {0, 0, 30}, max.gradB(), "max: B only where it is strictly larger");
        var min = new MoreForms_MinSum();
        assertEquals(10 + 80 + 60, min.gradient(A, B, C), 0.0);
        assertGradient(new double[] {10, 0, 30}, min.gradA(), "min: the tie (entry 0) goes to A");
        assertGradient(new double[] {0, 20, 0}, min.gradB(), "min: B only where it is strictly smaller");
    }

    @Test
    void maxWithAScalarTiesGoToTheMatrix() {
        DMatrixRMaj A = of(1, 3, 0.5, -1, 2), C = of(1, 3, 1, 2, 3);
        var f = new MoreForms_MaxScalarSum();
        assertEquals(0.5 + 1 + 6, f.gradient(A, 0.5, C), 0.0);
        assertGradient(new double[] {1, 0, 3}, f.gradA(), "∂/∂A: where a ≥ s (the tie included)");
        assertEquals(2, f.gradS(), 0.0, "∂/∂s: where s > a strictly");
    }

    @Test
    void scalarKinks() {
        var f = new MoreForms_ScalarKinks();
        // |0|′ = 0; max(1, 1) and min(1, 1) give their derivative to the first operand
        f.gradient(0.0, 0.0);
        assertEquals(5, f.gradX(), 0.0, "Math.abs′(0) = 0, Math.max tie to x");
        assertEquals(7, f.gradY(), 0.0, "Math.min(y, x) tie to y");
        f.gradient(1.0, 1.0);
        assertEquals(3 + 5, f.gradX(), 0.0);
        assertEquals(7, f.gradY(), 0.0);
        f.gradient(-1.0, 2.0);
        assertEquals(-3 + 7, f.gradX(), 0.0);
        assertEquals(5, f.gradY(), 0.0);
    }

    @Test
    void extremalEntriesTieToTheFirstInRowMajorOrder() {
        // max 3 at (0, 1) and (1, 0); min −3 at (0, 2) only; max|·| 3 first at (0, 1); min|·| 0 at (1, 2)
        DMatrixRMaj A = of(2, 3, 1, 3, -3, 3, 2, 0);
        var f = new MoreForms_Extremes();
        SimpleMatrix sm = SimpleMatrix.wrap(A.copy());
        assertEquals(sm.elementMax() + 10 * sm.elementMin() + 100 * sm.elementMaxAbs() + 1000 * sm.elementMinAbs(),
                f.gradient(A), 0.0, "values as EJML");
        assertGradient(new double[] {0, 1 + 100, 10, 0, 0, 0}, f.gradA(), "ties to the first entry; |a|′(0) = 0");
        // max|·| where the first largest magnitude is negative: its sign flips the derivative
        DMatrixRMaj B = of(1, 3, -4, 4, 1);
        f.gradient(B);
        assertGradient(new double[] {10 - 100, 1, 1000}, f.gradA(), "max|·| at −4 (first) gives −1");
    }

    // ------------------------------------------------------------------ values as EJML computes them

    @Test
    void valuesAgreeWithEjml() {
        Random r = new Random(7);
        for (int trial = 0; trial < 20; trial++) {
            int m = 1 + r.nextInt(4), n = 1 + r.nextInt(4);
            DMatrixRMaj A = TestSupport.uniform(r, m, n), C = TestSupport.uniform(r, Math.max(m, n) == m * n ? m * n : Math.min(m, n),
                    m == 1 || n == 1 ? m * n : 1);
            SimpleMatrix a = SimpleMatrix.wrap(A.copy());
            SimpleMatrix expected = a.diag();
            assertEquals(expected.getNumRows() + "x" + expected.getNumCols(), C.numRows + "x" + C.numCols, "diag shape of " + m + "x" + n);
            var f = new MoreForms_Diag();
            assertEquals(expected.elementMult(SimpleMatrix.wrap(C)).elementPower(2).elementSum(), f.value(A, C), 1e-12);
        }
    }

    // ------------------------------------------------------------------ out of range

    private static String assertOutOfRange(Runnable call, String... fragments) {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, call::run);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message should contain '" + fragment + "' but is: " + e.getMessage());
        }
        return e.getMessage();
    }

    @Test
    void indicesOutOfRangeNameTheExpressionAndTheSizes() {
        DMatrixRMaj A = of(2, 3, 1, 2, 3, 4, 5, 6);
        var f = new MoreForms_Indexed();
        assertEquals(6 + 1 + 3, f.value(A, 1, 2, 0), 0.0, "in range: A.get(1, 2) + A.get(0) + A[0:1, 2:3]");
        assertOutOfRange(() -> f.value(A, 2, 0, 0), "A.get(i, j) at MoreForms.java", "row index 2", "2x3");
        assertOutOfRange(() -> f.gradient(A, 1, 3, 0), "A.get(i, j)", "column index 3", "2x3");
        assertOutOfRange(() -> f.value(A, 1, -1, 0), "A.get(i, j)", "column index -1", "2x3");
        assertOutOfRange(() -> f.gradient(A, 1, 1, 6), "A.get(k)", "index 6", "2x3");
        var block = new MoreForms_ExtractMatrix();
        DMatrixRMaj C = of(1, 1, 1);
        assertOutOfRange(() -> block.value(A, C, 1, 3, 0, 1), "A.extractMatrix(r0, r1, c0, c1)", "rows 1..3", "2x3");
        assertOutOfRange(() -> block.gradient(A, C, 1, 0, 0, 1), "A.extractMatrix(r0, r1, c0, c1)", "rows 1..0", "2x3");
        var row = new MoreForms_GetRow();
        assertOutOfRange(() -> row.gradient(A, of(1, 3, 1, 1, 1), 2), "A.getRow(i)", "2x3");
    }

    @Test
    void concatenationAndKronShapesAreCheckedBeforeAnyWork() {
        var concat = new MoreForms_ConcatRows();
        DMatrixRMaj A = of(1, 2, 1, 2), B = of(2, 2, 1, 2, 3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> concat.value(A, of(1, 3, 1, 2, 3), of(2, 2, 0, 0, 0, 0)));
        assertTrue(e.getMessage().contains("A.concatRows(B)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> concat.gradient(A, B, of(2, 2, 0, 0, 0, 0)));
        assertTrue(e.getMessage().contains("(A.numRows() + B.numRows()) = 3") || e.getMessage().contains("= 3"), e.getMessage());
        var kron = new MoreForms_Kron();
        e = assertThrows(IllegalArgumentException.class, () -> kron.gradient(A, B, of(2, 2, 0, 0, 0, 0)));
        assertTrue(e.getMessage().contains("A.kron(B).elementMult(C)"), e.getMessage());
    }

    // ------------------------------------------------------------------ allocation

    @Test
    void noAllocationOnceShapesRepeat() {
        Random r = new Random(3);
        DMatrixRMaj A = TestSupport.uniform(r, 3, 4), B = TestSupport.uniform(r, 2, 2), C = TestSupport.uniform(r, 6, 8),
                P = TestSupport.uniform(r, 3, 4, 0.5, 2), Q = TestSupport.uniform(r, 3, 4), D = TestSupport.uniform(r, 3, 4);
        var blocks = new MoreForms_BlocksTogether();
        var kron = new MoreForms_Kron();
        var power = new MoreForms_ElementPowerMatrix();
        var extremes = new MoreForms_Extremes();
        var max = new MoreForms_OpsMax();
        var concat = new MoreForms_ConcatColumns();
        var indexed = new MoreForms_Indexed();
        var math = new MoreForms_MathFunctions();
        DMatrixRMaj C3 = TestSupport.uniform(r, 3, 12);
        var test = new AllocationTest();
        test.noAllocationOnceShapesRepeat("blocks, kron, concat, diag", () -> { blocks.value(A, B, 2); blocks.gradient(A, B, 2); });
        test.noAllocationOnceShapesRepeat("kron", () -> { kron.value(A, B, C); kron.gradient(A, B, C); });
        test.noAllocationOnceShapesRepeat("elementPower(B)", () -> { power.value(P, Q, D); power.gradient(P, Q, D); });
        test.noAllocationOnceShapesRepeat("extremes", () -> { extremes.value(A); extremes.gradient(A); });
        test.noAllocationOnceShapesRepeat("Ops.max", () -> { max.value(A, Q, D); max.gradient(A, Q, D); });
        test.noAllocationOnceShapesRepeat("concatColumns", () -> { concat.value(A, Q, D, C3); concat.gradient(A, Q, D, C3); });
        test.noAllocationOnceShapesRepeat("get, extractMatrix", () -> { indexed.value(A, 1, 2, 5); indexed.gradient(A, 1, 2, 5); });
        test.noAllocationOnceShapesRepeat("Math functions", () -> { math.value(0.3, -0.7); math.gradient(0.3, -0.7); });
        DMatrixRMaj dA = TestSupport.uniform(r, 3, 4), dB = TestSupport.uniform(r, 2, 2), dC = TestSupport.uniform(r, 6, 8);
        test.noAllocationOnceShapesRepeat("hessianVectorProduct: blocks, kron, concat, diag",
                () -> blocks.hessianVectorProduct(A, B, 2, dA, dB));
        test.noAllocationOnceShapesRepeat("hessianVectorProduct: kron", () -> kron.hessianVectorProduct(A, B, C, dA, dB, dC));
        test.noAllocationOnceShapesRepeat("hessianVectorProduct: Ops.max", () -> max.hessianVectorProduct(A, Q, D, dA, dA, dA));
    }
}
