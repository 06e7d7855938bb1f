package dev.adjoint.runtime;

import static dev.adjoint.runtime.TestMatrices.assertClose;
import static dev.adjoint.runtime.TestMatrices.assertSame;
import static dev.adjoint.runtime.TestMatrices.dirty;
import static dev.adjoint.runtime.TestMatrices.uniform;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.ejml.MatrixDimensionException;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every product entry point against a plain EJML reference, on the pure-Java path and on the system BLAS. */
class ProductsTest {
    private final long defaultThreshold = Products.nativeThreshold();

    @AfterEach
    void restoreThreshold() {
        Products.setNativeThreshold(defaultThreshold);
    }

    /** Runs every entry point on random shapes (inner dimension 1 included) and compares. */
    private static void checkAll(long seed) {
        checkAll(seed, false);
    }

    /**
     * {@code narrow}: outputs of 2 to 4 columns with a long inner dimension (the pure-Java path's
     * own kernels, e.g. N×D·D×q and Dᵀ·(N×q)); otherwise small shapes of every kind.
     */
    private static void checkAll(long seed, boolean narrow) {
        Random r = new Random(seed);
        for (int trial = 0; trial < 6; trial++) {
            int m = narrow ? 8 + r.nextInt(40) : 1 + r.nextInt(9);
            int k = narrow ? 16 + r.nextInt(70) : trial == 0 ? 1 : 1 + r.nextInt(9);
            int n = narrow ? 2 + trial % 3 : 1 + r.nextInt(9);
            for (int flags = 0; flags < 4; flags++) {
                boolean transA = (flags & 1) != 0;
                boolean transB = (flags & 2) != 0;
                DMatrixRMaj a = transA ? uniform(r, k, m, -1, 1) : uniform(r, m, k, -1, 1);
                DMatrixRMaj b = transB ? uniform(r, n, k, -1, 1) : uniform(r, k, n, -1, 1);
                DMatrixRMaj aBefore = a.copy();
                DMatrixRMaj bBefore = b.copy();
                DMatrixRMaj opA = transA ? CommonOps_DDRM.transpose(a, null) : a;
                DMatrixRMaj opB = transB ? CommonOps_DDRM.transpose(b, null) : b;
                DMatrixRMaj expected = CommonOps_DDRM.mult(opA, opB, null);
                double alpha = -1.5 + 3 * r.nextDouble();
                DMatrixRMaj scaled = expected.copy();
                CommonOps_DDRM.scale(alpha, scaled);
                DMatrixRMaj start = uniform(r, m, n, -1, 1);
                DMatrixRMaj accumulated = start.copy();
                CommonOps_DDRM.addEquals(accumulated, expected);
                DMatrixRMaj accumulatedScaled = start.copy();
                CommonOps_DDRM.addEquals(accumulatedScaled, scaled);
                DMatrixRMaj bT = dirty();

                DMatrixRMaj c = dirty();
                call(false, false, 1.0, a, transA, b, transB, c, bT);
                assertClose(expected, c, 1e-12);
                c = dirty();
                call(false, true, alpha, a, transA, b, transB, c, bT);
                assertClose(scaled, c, 1e-12);
                c = start.copy();
                call(true, false, 1.0, a, transA, b, transB, c, bT);
                assertClose(accumulated, c, 1e-12);
                c = start.copy();
                call(true, true, alpha, a, transA, b, transB, c, bT);
                assertClose(accumulatedScaled, c, 1e-12);
                assertSame(aBefore, a);
                assertSame(bBefore, b);
            }
        }
    }

    private static void call(boolean add, boolean withAlpha, double alpha, DMatrixRMaj a, boolean transA, DMatrixRMaj b,
            boolean transB, DMatrixRMaj c, DMatrixRMaj bT) {
        if (!add) {
            if (transA && transB) {
                if (withAlpha) Products.multTransAB(alpha, a, b, c); else Products.multTransAB(a, b, c);
            } else if (transA) {
                if (withAlpha) Products.multTransA(alpha, a, b, c); else Products.multTransA(a, b, c);
            } else if (transB) {
                if (withAlpha) Products.multTransB(alpha, a, b, c, bT); else Products.multTransB(a, b, c, bT);
            } else {
                if (withAlpha) Products.mult(alpha, a, b, c); else Products.mult(a, b, c);
            }
        } else if (transA && transB) {
            if (withAlpha) Products.multAddTransAB(alpha, a, b, c); else Products.multAddTransAB(a, b, c);
        } else if (transA) {
            if (withAlpha) Products.multAddTransA(alpha, a, b, c); else Products.multAddTransA(a, b, c);
        } else if (transB) {
            if (withAlpha) Products.multAddTransB(alpha, a, b, c, bT); else Products.multAddTransB(a, b, c, bT);
        } else {
            if (withAlpha) Products.multAdd(alpha, a, b, c); else Products.multAdd(a, b, c);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void pureJavaPathMatchesEjml(long seed) {
        Products.setNativeThreshold(Long.MAX_VALUE);
        checkAll(seed);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void pureJavaNarrowOutputKernelsMatchEjml(long seed) {
        Products.setNativeThreshold(Long.MAX_VALUE);
        checkAll(seed, true);
    }

    /** c = α₁·a₁·b₁ᵀ + α₂·a₂·b₂ᵀ against two EJML products: fused (inner ≤ 4) and not, both paths. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void transBPairMatchesTwoProducts(long seed) {
        for (long threshold : new long[] {Long.MAX_VALUE, 0}) {
            if (threshold == 0 && !Products.nativeAvailable()) {
                continue;
            }
            Products.setNativeThreshold(threshold);
            Random r = new Random(seed);
            for (int trial = 0; trial < 8; trial++) {
                int m = 1 + r.nextInt(30);
                int n = 1 + r.nextInt(30);
                int k1 = 1 + r.nextInt(trial < 5 ? 4 : 9);
                int k2 = 1 + r.nextInt(trial < 5 ? 4 : 9);
                DMatrixRMaj a1 = uniform(r, m, k1, -1, 1), b1 = uniform(r, n, k1, -1, 1);
                DMatrixRMaj a2 = uniform(r, m, k2, -1, 1), b2 = uniform(r, n, k2, -1, 1);
                DMatrixRMaj[] before = {a1.copy(), b1.copy(), a2.copy(), b2.copy()};
                double alpha1 = -1.5 + 3 * r.nextDouble(), alpha2 = -1.5 + 3 * r.nextDouble();
                DMatrixRMaj expected = new DMatrixRMaj(m, n);
                CommonOps_DDRM.multTransB(alpha1, a1, b1, expected);
                CommonOps_DDRM.multAddTransB(alpha2, a2, b2, expected);
                DMatrixRMaj c = dirty();
                Products.multTransBPair(alpha1, a1, b1, alpha2, a2, b2, c, dirty(), dirty());
                assertClose(expected, c, 1e-12);
                assertSame(before[0], a1);
                assertSame(before[1], b1);
                assertSame(before[2], a2);
                assertSame(before[3], b2);
            }
        }
        Products.setNativeThreshold(Long.MAX_VALUE);
        DMatrixRMaj a = new DMatrixRMaj(5, 1), b = new DMatrixRMaj(7, 1);
        assertThrows(MatrixDimensionException.class,
                () -> Products.multTransBPair(1, a, b, 1, a, new DMatrixRMaj(6, 1), new DMatrixRMaj(1, 1), dirty(), dirty()));
        assertThrows(MatrixDimensionException.class,
                () -> Products.multTransBPair(1, a, new DMatrixRMaj(7, 2), 1, a, b, new DMatrixRMaj(1, 1), dirty(), dirty()));
        assertThrows(IllegalArgumentException.class, () -> Products.multTransBPair(1, a, b, 1, a, b, b, dirty(), dirty()));
    }

    @Test
    void pureJavaNarrowOutputKernelsRejectWrongShapesAndAliasing() {
        Products.setNativeThreshold(Long.MAX_VALUE);
        DMatrixRMaj a = new DMatrixRMaj(20, 30);
        assertThrows(MatrixDimensionException.class, () -> Products.mult(a, new DMatrixRMaj(31, 2), new DMatrixRMaj(1, 1)));
        assertThrows(MatrixDimensionException.class, () -> Products.multAdd(a, new DMatrixRMaj(30, 2), new DMatrixRMaj(20, 3)));
        assertThrows(MatrixDimensionException.class, () -> Products.multTransA(a, new DMatrixRMaj(21, 3), new DMatrixRMaj(1, 1)));
        DMatrixRMaj square = new DMatrixRMaj(30, 30);
        DMatrixRMaj tall = new DMatrixRMaj(30, 2);
        assertThrows(IllegalArgumentException.class, () -> Products.multTransA(square, tall, tall));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void systemBlasPathMatchesEjml(long seed) {
        assumeTrue(Products.nativeAvailable(), "no system BLAS (libblas.so.3) on this machine");
        Products.setNativeThreshold(0);
        checkAll(seed);
    }

    @Test
    void systemBlasPathRejectsWrongShapesLikeEjml() {
        assumeTrue(Products.nativeAvailable(), "no system BLAS (libblas.so.3) on this machine");
        Products.setNativeThreshold(0);
        DMatrixRMaj a = new DMatrixRMaj(3, 4);
        assertThrows(MatrixDimensionException.class, () -> Products.mult(a, new DMatrixRMaj(5, 2), new DMatrixRMaj(1, 1)));
        assertThrows(MatrixDimensionException.class, () -> Products.multAdd(a, new DMatrixRMaj(4, 2), new DMatrixRMaj(3, 3)));
        assertThrows(IllegalArgumentException.class, () -> Products.setNativeThreshold(-1));
    }
}
