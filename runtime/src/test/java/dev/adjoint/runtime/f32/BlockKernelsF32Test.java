package dev.adjoint.runtime.f32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.adjoint.runtime.Kernels;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The float32 kernels of entries, blocks, concatenation, diag, kron, extremal entries, entrywise
 * max/min and abs/sqrt/sin/cos: the double kernel's result on the same (float) entries, rounded
 * to float (sums to float precision), and the same shape errors.
 */
class BlockKernelsF32Test {

    private static FMatrixRMaj uniform(Random r, int rows, int cols, double lo, double hi) {
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return m;
    }

    private static DMatrixRMaj d(FMatrixRMaj m) {
        DMatrixRMaj out = new DMatrixRMaj(m.numRows, m.numCols);
        for (int i = 0; i < m.getNumElements(); i++) {
            out.data[i] = m.data[i];
        }
        return out;
    }

    private static FMatrixRMaj dirty() {
        FMatrixRMaj m = new FMatrixRMaj(9, 9);
        java.util.Arrays.fill(m.data, Float.NaN);
        return m;
    }

    private static void assertRounded(DMatrixRMaj expected, FMatrixRMaj actual) {
        assertEquals(expected.numRows + "x" + expected.numCols, actual.numRows + "x" + actual.numCols, "shape");
        for (int i = 0; i < expected.getNumElements(); i++) {
            double e = expected.data[i];
            assertEquals(e, actual.data[i], 1e-6 * Math.max(1, Math.abs(e)), "entry " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void theDoubleResultRounded(long seed) {
        Random r = new Random(seed);
        int m = 1 + r.nextInt(5), n = 1 + r.nextInt(5), p = 1 + r.nextInt(3), q = 1 + r.nextInt(3);
        FMatrixRMaj a = uniform(r, m, n, -2, 2), b = uniform(r, p, q, -2, 2), same = uniform(r, m, n, -2, 2),
                g = uniform(r, m, n, -1, 1), positive = uniform(r, m, n, 0.1, 2);
        DMatrixRMaj expected = new DMatrixRMaj(1, 1);
        FMatrixRMaj out = dirty();

        Kernels.abs(d(a), expected); KernelsF32.abs(a, out); assertRounded(expected, out);
        Kernels.sqrt(d(positive), expected); KernelsF32.sqrt(positive, out); assertRounded(expected, out);
        Kernels.sin(d(a), expected); KernelsF32.sin(a, out); assertRounded(expected, out);
        Kernels.cos(d(a), expected); KernelsF32.cos(a, out); assertRounded(expected, out);
        Kernels.absBackward(d(a), d(g), expected); KernelsF32.absBackward(a, g, out); assertRounded(expected, out);
        Kernels.sqrtBackwardFromOutput(d(positive), d(g), expected); KernelsF32.sqrtBackwardFromOutput(positive, g, out);
        assertRounded(expected, out);
        Kernels.sinBackward(d(a), d(g), expected); KernelsF32.sinBackward(a, g, out); assertRounded(expected, out);
        Kernels.cosBackward(d(a), d(g), expected); KernelsF32.cosBackward(a, g, out); assertRounded(expected, out);
        Kernels.elementPower(d(positive), d(same), expected); KernelsF32.elementPower(positive, same, out); assertRounded(expected, out);
        Kernels.max(d(a), d(same), expected); KernelsF32.max(a, same, out); assertRounded(expected, out);
        Kernels.min(d(a), 0.25, expected); KernelsF32.min(a, 0.25, out); assertRounded(expected, out);
        Kernels.selectFirst(d(a), d(same), true, d(g), expected); KernelsF32.selectFirst(a, same, true, g, out);
        assertRounded(expected, out);
        Kernels.selectFirst(d(a), 0.1, false, d(g), expected); KernelsF32.selectFirst(a, 0.1, false, g, out);
        assertRounded(expected, out);

        Kernels.extract(d(a), 0, m, n - 1, n, expected); KernelsF32.extract(a, 0, m, n - 1, n, out); assertRounded(expected, out);
        Kernels.insertInZeros(d(b), d(uniform(r, m + p, n + q, 0, 1)), m, n, expected);
        KernelsF32.insertInZeros(b, uniform(r, m + p, n + q, 0, 1), m, n, out); assertRounded(expected, out);
        Kernels.diag(d(a), expected); KernelsF32.diag(a, out); assertRounded(expected, out);
        FMatrixRMaj gd = uniform(r, Kernels.diagRows(m, n), Kernels.diagCols(m, n), -1, 1);
        Kernels.diagBackward(d(gd), d(a), expected); KernelsF32.diagBackward(gd, a, out); assertRounded(expected, out);
        Kernels.kron(d(a), d(b), expected); KernelsF32.kron(a, b, out); assertRounded(expected, out);
        FMatrixRMaj gk = uniform(r, m * p, n * q, -1, 1);
        Kernels.kronBackwardLeft(d(gk), d(b), d(a), expected); KernelsF32.kronBackwardLeft(gk, b, a, out); assertRounded(expected, out);
        Kernels.kronBackwardRight(d(gk), d(a), d(b), expected); KernelsF32.kronBackwardRight(gk, a, b, out); assertRounded(expected, out);
        FMatrixRMaj other = uniform(r, m, q, -1, 1);
        Kernels.concatColumns(d(a), d(other), expected, "e"); KernelsF32.concatColumns(a, other, out, "e"); assertRounded(expected, out);
        FMatrixRMaj below = uniform(r, p, n, -1, 1);
        Kernels.concatRows(d(a), d(below), expected, "e"); KernelsF32.concatRows(a, below, out, "e"); assertRounded(expected, out);
        FMatrixRMaj gc = uniform(r, m, n + q, -1, 1);
        Kernels.blockLike(d(gc), 0, n, d(other), expected); KernelsF32.blockLike(gc, 0, n, other, out); assertRounded(expected, out);
        Kernels.entryInZeros(d(a), m * n - 1, 2.5, expected); KernelsF32.entryInZeros(a, m * n - 1, 2.5, out); assertRounded(expected, out);
        for (int kind = Kernels.MAX; kind <= Kernels.MIN_ABS; kind++) {
            assertEquals(Kernels.extremum(d(a), kind), KernelsF32.extremum(a, kind), 0.0);
            assertEquals(Kernels.extremumIndex(d(a), kind), KernelsF32.extremumIndex(a, kind));
            assertEquals(Kernels.extremumTangent(d(a), kind, d(g)), KernelsF32.extremumTangent(a, kind, g), 0.0);
            Kernels.extremumBackward(d(a), kind, 1.5, expected); KernelsF32.extremumBackward(a, kind, 1.5, out); assertRounded(expected, out);
        }

        IllegalArgumentException fl = assertThrows(IllegalArgumentException.class,
                () -> KernelsF32.max(a, new FMatrixRMaj(m + 1, n), dirty()));
        IllegalArgumentException db = assertThrows(IllegalArgumentException.class,
                () -> Kernels.max(d(a), new DMatrixRMaj(m + 1, n), new DMatrixRMaj(1, 1)));
        assertEquals(db.getMessage(), fl.getMessage());
        fl = assertThrows(IllegalArgumentException.class, () -> KernelsF32.sinBackward(a, new FMatrixRMaj(m, n + 1), dirty()));
        db = assertThrows(IllegalArgumentException.class,
                () -> Kernels.sinBackward(d(a), new DMatrixRMaj(m, n + 1), new DMatrixRMaj(1, 1)));
        assertEquals(db.getMessage(), fl.getMessage());
        fl = assertThrows(IllegalArgumentException.class, () -> KernelsF32.concatRows(a, new FMatrixRMaj(1, n + 1), dirty(), "x"));
        db = assertThrows(IllegalArgumentException.class,
                () -> Kernels.concatRows(d(a), new DMatrixRMaj(1, n + 1), new DMatrixRMaj(1, 1), "x"));
        assertEquals(db.getMessage(), fl.getMessage());
    }
}
