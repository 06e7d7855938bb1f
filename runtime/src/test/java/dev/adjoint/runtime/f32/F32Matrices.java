package dev.adjoint.runtime.f32;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;

/**
 * Pairs of matrices for comparing a float32 kernel with its double counterpart: random float entries,
 * and the same entries exactly in double, so any difference comes from the kernel, not the inputs.
 */
final class F32Matrices {

    private F32Matrices() {
    }

    /** rows×cols float matrix with entries uniform in [lo, hi). */
    static FMatrixRMaj uniform(Random rnd, int rows, int cols, double lo, double hi) {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return m;
    }

    /** The same entries in double (exact). */
    static DMatrixRMaj toDouble(FMatrixRMaj f) {
        DMatrixRMaj d = new DMatrixRMaj(f.numRows, f.numCols);
        for (int i = 0; i < f.getNumElements(); i++) {
            d.data[i] = f.data[i];
        }
        return d;
    }

    /** Random symmetric positive definite n×n in float: B·Bᵀ + n·I. */
    static FMatrixRMaj spd(Random rnd, int n) {
        FMatrixRMaj b = uniform(rnd, n, n, -1, 1);
        FMatrixRMaj a = new FMatrixRMaj(n, n);
        org.ejml.dense.row.CommonOps_FDRM.multTransB(b, b, a);
        for (int i = 0; i < n; i++) {
            a.add(i, i, n);
        }
        return a;
    }

    /** A 10×10 float matrix full of NaN: an output workspace that is too big and dirty. */
    static FMatrixRMaj dirty() {
        FMatrixRMaj m = new FMatrixRMaj(10, 10);
        java.util.Arrays.fill(m.data, Float.NaN);
        return m;
    }

    /** Same shape, and every float entry is the double one rounded to float (bit for bit). */
    static void assertRounded(DMatrixRMaj expected, FMatrixRMaj actual) {
        assertEquals(expected.numRows + "x" + expected.numCols, KernelsF32.shape(actual), "shape");
        for (int i = 0; i < expected.getNumElements(); i++) {
            float e = (float) expected.data[i];
            assertEquals(Float.floatToIntBits(e), Float.floatToIntBits(actual.data[i]),
                    "entry " + i + ": " + expected.data[i] + " rounds to " + e + " but got " + actual.data[i]);
        }
    }

    /** Same shape and entries within tol·max(1, |expected|). */
    static void assertClose(DMatrixRMaj expected, FMatrixRMaj actual, double tol) {
        assertEquals(expected.numRows + "x" + expected.numCols, KernelsF32.shape(actual), "shape");
        for (int i = 0; i < expected.getNumElements(); i++) {
            double e = expected.data[i];
            assertEquals(e, actual.data[i], tol * Math.max(1, Math.abs(e)), "entry " + i);
        }
    }

    /** Scalars within tol·max(1, |expected|). */
    static void assertClose(double expected, double actual, double tol) {
        assertEquals(expected, actual, tol * Math.max(1, Math.abs(expected)));
    }

    /** Bit-identical float entries and shape (for "input unchanged"). */
    static void assertUnchanged(FMatrixRMaj before, FMatrixRMaj after) {
        assertEquals(KernelsF32.shape(before), KernelsF32.shape(after), "shape");
        for (int i = 0; i < before.getNumElements(); i++) {
            assertEquals(Float.floatToIntBits(before.data[i]), Float.floatToIntBits(after.data[i]), "entry " + i);
        }
    }
}
