package dev.adjoint.it;

import static dev.adjoint.it.TestSupport.awayFromZero;
import static dev.adjoint.it.TestSupport.dim;
import static dev.adjoint.it.TestSupport.scalar;
import static dev.adjoint.it.TestSupport.sm;
import static dev.adjoint.it.TestSupport.sw;
import static dev.adjoint.it.TestSupport.uniform;
import static dev.adjoint.it.TestSupport.verify;

import dev.adjoint.it.TestSupport.Seeds;
import dev.adjoint.runtime.Kernels;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;

/**
 * Every form of {@link MoreForms}, compiled by the real processor, on random shapes, values and
 * indices: gradients against central finite differences, values against the method run eagerly
 * on EJML, arguments untouched.
 */
class MoreFormsGradientTest {

    @Seeds
    void getEntry(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r), i = r.nextInt(m), j = r.nextInt(n);
        DMatrixRMaj A = uniform(r, m, n);
        var f = new MoreForms_GetEntry();
        verify(f, () -> MoreForms.getEntry(sm(A), i, j), () -> f.value(A, i, j), () -> f.gradient(sw(A), i, j), A, i, j);
    }

    @Seeds
    void getFlat(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r), k = r.nextInt(m * n);
        DMatrixRMaj A = uniform(r, m, n);
        var f = new MoreForms_GetFlat();
        verify(f, () -> MoreForms.getFlat(sm(A), k), () -> f.value(A, k), () -> f.gradient(sw(A), k), A, k);
    }

    @Seeds
    void extractMatrix(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        int r0 = r.nextInt(m), r1 = r0 + 1 + r.nextInt(m - r0), c0 = r.nextInt(n), c1 = c0 + 1 + r.nextInt(n - c0);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, r1 - r0, c1 - c0);
        var f = new MoreForms_ExtractMatrix();
        verify(f, () -> MoreForms.extractMatrix(sm(A), sm(C), r0, r1, c0, c1), () -> f.value(A, C, r0, r1, c0, c1),
                () -> f.gradient(sw(A), sw(C), r0, r1, c0, c1), A, C, r0, r1, c0, c1);
    }

    @Seeds
    void rowsBlock(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r), r0 = r.nextInt(m), r1 = r0 + 1 + r.nextInt(m - r0);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, r1 - r0, n);
        var f = new MoreForms_RowsBlock();
        verify(f, () -> MoreForms.rowsBlock(sm(A), sm(C), r0, r1), () -> f.value(A, C, r0, r1),
                () -> f.gradient(sw(A), sw(C), r0, r1), A, C, r0, r1);
    }

    @Seeds
    void colsBlock(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r), c0 = r.nextInt(n), c1 = c0 + 1 + r.nextInt(n - c0);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, c1 - c0);
        var f = new MoreForms_ColsBlock();
        verify(f, () -> MoreForms.colsBlock(sm(A), sm(C), c0, c1), () -> f.value(A, C, c0, c1),
                () -> f.gradient(sw(A), sw(C), c0, c1), A, C, c0, c1);
    }

    @Seeds
    void getRow(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r), i = r.nextInt(m);
        DMatrixRMaj A = uniform(r, m, n), u = uniform(r, 1, n);
        var f = new MoreForms_GetRow();
        verify(f, () -> MoreForms.getRow(sm(A), sm(u), i), () -> f.value(A, u, i), () -> f.gradient(sw(A), sw(u), i), A, u, i);
    }

    @Seeds
    void getColumn(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r), j = r.nextInt(n);
        DMatrixRMaj A = uniform(r, m, n), v = uniform(r, m, 1);
        var f = new MoreForms_GetColumn();
        verify(f, () -> MoreForms.getColumn(sm(A), sm(v), j), () -> f.value(A, v, j), () -> f.gradient(sw(A), sw(v), j), A, v, j);
    }

    @Seeds
    void extractVector(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r), i = r.nextInt(m), j = r.nextInt(n);
        DMatrixRMaj A = uniform(r, m, n), u = uniform(r, 1, n), v = uniform(r, m, 1);
        var f = new MoreForms_ExtractVector();
        verify(f, () -> MoreForms.extractVector(sm(A), sm(u), sm(v), i, j), () -> f.value(A, u, v, i, j),
                () -> f.gradient(sw(A), sw(u), sw(v), i, j), A, u, v, i, j);
    }

    @Seeds
    void concatColumns(long seed) {
        Random r = new Random(seed);
        int m = dim(r), a = dim(r), b = dim(r), d = dim(r);
        DMatrixRMaj A = uniform(r, m, a), B = uniform(r, m, b), D = uniform(r, m, d), C = uniform(r, m, a + b + d);
        var f = new MoreForms_ConcatColumns();
        verify(f, () -> MoreForms.concatColumns(sm(A), sm(B), sm(D), sm(C)), () -> f.value(A, B, D, C),
                () -> f.gradient(sw(A), sw(B), sw(D), sw(C)), A, B, D, C);
    }

    @Seeds
    void concatRows(long seed) {
        Random r = new Random(seed);
        int n = dim(r), a = dim(r), b = dim(r);
        DMatrixRMaj A = uniform(r, a, n), B = uniform(r, b, n), C = uniform(r, a + b, n);
        var f = new MoreForms_ConcatRows();
        verify(f, () -> MoreForms.concatRows(sm(A), sm(B), sm(C)), () -> f.value(A, B, C), () -> f.gradient(sw(A), sw(B), sw(C)),
                A, B, C);
    }

    /** Both EJML meanings on random shapes: a vector's diagonal matrix, a matrix's diagonal column. */
    @Seeds
    void diag(long seed) {
        Random r = new Random(seed);
        for (int trial = 0; trial < 4; trial++) {
            int m = trial == 0 ? 1 : dim(r), n = trial == 1 ? 1 : dim(r);
            DMatrixRMaj A = uniform(r, m, n), C = uniform(r, Kernels.diagRows(m, n), Kernels.diagCols(m, n));
            var f = new MoreForms_Diag();
            verify(f, () -> MoreForms.diag(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
        }
    }

    @Seeds
    void kron(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r), p = dim(r), q = dim(r);
        DMatrixRMaj A = uniform(r, m, n), B = uniform(r, p, q), C = uniform(r, m * p, n * q);
        var f = new MoreForms_Kron();
        verify(f, () -> MoreForms.kron(sm(A), sm(B), sm(C)), () -> f.value(A, B, C), () -> f.gradient(sw(A), sw(B), sw(C)), A, B, C);
    }

    @Seeds
    void elementPowerMatrix(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n, 0.5, 2), B = uniform(r, m, n, -2, 2), C = uniform(r, m, n);
        var f = new MoreForms_ElementPowerMatrix();
        verify(f, () -> MoreForms.elementPowerMatrix(sm(A), sm(B), sm(C)), () -> f.value(A, B, C),
                () -> f.gradient(sw(A), sw(B), sw(C)), A, B, C);
    }

    @Seeds
    void copy(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, n);
        var f = new MoreForms_Copy();
        verify(f, () -> MoreForms.copy(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void elementMax(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, n);
        var f = new MoreForms_ElementMax();
        verify(f, () -> MoreForms.elementMax(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void elementMin(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n);
        double s = scalar(r, -2, 2);
        var f = new MoreForms_ElementMin();
        verify(f, () -> MoreForms.elementMin(sm(A), s), () -> f.value(A, s), () -> f.gradient(sw(A), s), A, s);
    }

    @Seeds
    void elementMaxAbs(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = awayFromZero(r, m, n, 0.1, 1);
        var f = new MoreForms_ElementMaxAbs();
        verify(f, () -> MoreForms.elementMaxAbs(sm(A)), () -> f.value(A), () -> f.gradient(sw(A)), A);
    }

    @Seeds
    void elementMinAbs(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = awayFromZero(r, m, n, 0.1, 1);
        var f = new MoreForms_ElementMinAbs();
        verify(f, () -> MoreForms.elementMinAbs(sm(A)), () -> f.value(A), () -> f.gradient(sw(A)), A);
    }

    @Seeds
    void opsAbs(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = awayFromZero(r, m, n, 0.1, 1), C = uniform(r, m, n);
        var f = new MoreForms_OpsAbs();
        verify(f, () -> MoreForms.opsAbs(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void opsSqrt(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n, 0.2, 2), C = uniform(r, m, n);
        var f = new MoreForms_OpsSqrt();
        verify(f, () -> MoreForms.opsSqrt(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void opsSin(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n, -3, 3), C = uniform(r, m, n);
        var f = new MoreForms_OpsSin();
        verify(f, () -> MoreForms.opsSin(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void opsCos(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n, -3, 3), C = uniform(r, m, n);
        var f = new MoreForms_OpsCos();
        verify(f, () -> MoreForms.opsCos(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void opsMax(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), B = uniform(r, m, n), C = uniform(r, m, n);
        var f = new MoreForms_OpsMax();
        verify(f, () -> MoreForms.opsMax(sm(A), sm(B), sm(C)), () -> f.value(A, B, C), () -> f.gradient(sw(A), sw(B), sw(C)), A, B, C);
    }

    @Seeds
    void opsMin(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), B = uniform(r, m, n), C = uniform(r, m, n);
        var f = new MoreForms_OpsMin();
        verify(f, () -> MoreForms.opsMin(sm(A), sm(B), sm(C)), () -> f.value(A, B, C), () -> f.gradient(sw(A), sw(B), sw(C)), A, B, C);
    }

    @Seeds
    void opsMaxScalar(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, n);
        double s = scalar(r, -0.5, 0.5);
        var f = new MoreForms_OpsMaxScalar();
        verify(f, () -> MoreForms.opsMaxScalar(sm(A), s, sm(C)), () -> f.value(A, s, C), () -> f.gradient(sw(A), s, sw(C)), A, s, C);
    }

    @Seeds
    void opsMinScalar(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, n);
        double s = scalar(r, -0.5, 0.5);
        var f = new MoreForms_OpsMinScalar();
        verify(f, () -> MoreForms.opsMinScalar(sm(A), s, sm(C)), () -> f.value(A, s, C), () -> f.gradient(sw(A), s, sw(C)), A, s, C);
    }

    @Seeds
    void mathFunctions(long seed) {
        Random r = new Random(seed);
        double x = awayFromZero(r, 0.2, 1.5), y = awayFromZero(r, 0.2, 1.5);
        var f = new MoreForms_MathFunctions();
        verify(f, () -> MoreForms.mathFunctions(x, y), () -> f.value(x, y), () -> f.gradient(x, y), x, y);
    }

    @Seeds
    void blocksTogether(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = 1 + dim(r), p = dim(r), q = dim(r), k = 1 + r.nextInt(m);
        DMatrixRMaj A = uniform(r, m, n), B = uniform(r, p, q);
        var f = new MoreForms_BlocksTogether();
        verify(f, () -> MoreForms.blocksTogether(sm(A), sm(B), k), () -> f.value(A, B, k), () -> f.gradient(sw(A), sw(B), k), A, B, k);
    }
}
