package dev.adjoint.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;

/** Seeded random matrices and small assertions shared by the tests. */
final class TestMatrices {

    private TestMatrices() {
    }

    /** rows×cols with entries uniform in [lo, hi). */
    static DMatrixRMaj uniform(Random rnd, int rows, int cols, double lo, double hi) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = lo + (hi - lo) * rnd.nextDouble();
        }
        return m;
    }

    /** A 10×10 matrix full of NaN: an output workspace that is too big and dirty. */
    static DMatrixRMaj dirty() {
        DMatrixRMaj m = new DMatrixRMaj(10, 10);
        java.util.Arrays.fill(m.data, Double.NaN);
        return m;
    }

    /** Random symmetric positive definite n×n: B·Bᵀ + n·I. */
    static DMatrixRMaj spd(Random rnd, int n) {
        DMatrixRMaj b = uniform(rnd, n, n, -1, 1);
        DMatrixRMaj a = new DMatrixRMaj(n, n);
        org.ejml.dense.row.CommonOps_DDRM.multTransB(b, b, a);
        for (int i = 0; i < n; i++) {
            a.add(i, i, n);
        }
        return a;
    }

    /** Same shape and entries within tol·max(1, |expected|). */
    static void assertClose(DMatrixRMaj expected, DMatrixRMaj actual, double tol) {
        assertEquals(Kernels.shape(expected), Kernels.shape(actual), "shape");
        for (int i = 0; i < expected.getNumElements(); i++) {
            double e = expected.data[i];
            assertEquals(e, actual.data[i], tol * Math.max(1, Math.abs(e)), "entry " + i);
        }
    }

    /** Same shape and bit-identical entries (used for "input unchanged" and "Ops equals Kernels"). */
    static void assertSame(DMatrixRMaj expected, DMatrixRMaj actual) {
        assertEquals(Kernels.shape(expected), Kernels.shape(actual), "shape");
        for (int i = 0; i < expected.getNumElements(); i++) {
            assertEquals(Double.doubleToLongBits(expected.data[i]), Double.doubleToLongBits(actual.data[i]),
                    "entry " + i + ": " + expected.data[i] + " vs " + actual.data[i]);
        }
    }
}
