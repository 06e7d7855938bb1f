package dev.adjoint.runtime.f32;

import static dev.adjoint.runtime.f32.F32Matrices.assertClose;
import static dev.adjoint.runtime.f32.F32Matrices.assertUnchanged;
import static dev.adjoint.runtime.f32.F32Matrices.dirty;
import static dev.adjoint.runtime.f32.F32Matrices.toDouble;
import static dev.adjoint.runtime.f32.F32Matrices.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.adjoint.runtime.Products;
import java.util.Random;
import org.ejml.MatrixDimensionException;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every ProductsF32 entry point against the double product of the same entries, pure Java and system BLAS. */
class ProductsF32Test {
    private final long defaultThreshold = Products.nativeThreshold();

    @AfterEach
    void restoreThreshold() {
        Products.setNativeThreshold(defaultThreshold);
    }

    private static void checkAll(long seed, int maxSize) {
        Random r = new Random(seed);
        for (int trial = 0; trial < 6; trial++) {
            int m = 1 + r.nextInt(maxSize);
            int k = trial == 0 ? 1 : 1 + r.nextInt(maxSize);
            int n = 1 + r.nextInt(maxSize);
            for (int flags = 0; flags < 4; flags++) {
                boolean transA = (flags & 1) != 0;
                boolean transB = (flags & 2) != 0;
                FMatrixRMaj a = transA ? uniform(r, k, m, -1, 1) : uniform(r, m, k, -1, 1);
                FMatrixRMaj b = transB ? uniform(r, n, k, -1, 1) : uniform(r, k, n, -1, 1);
                FMatrixRMaj aBefore = a.copy();
                FMatrixRMaj bBefore = b.copy();
                DMatrixRMaj opA = transA ? CommonOps_DDRM.transpose(toDouble(a), null) : toDouble(a);
                DMatrixRMaj opB = transB ? CommonOps_DDRM.transpose(toDouble(b), null) : toDouble(b);
                DMatrixRMaj expected = CommonOps_DDRM.mult(opA, opB, null);
                double alpha = -1.5 + 3 * r.nextDouble();
                DMatrixRMaj scaled = expected.copy();
                CommonOps_DDRM.scale((float) alpha, scaled); // alpha is rounded to float once
                FMatrixRMaj start = uniform(r, m, n, -1, 1);
                DMatrixRMaj accumulated = toDouble(start);
                CommonOps_DDRM.addEquals(accumulated, expected);
                DMatrixRMaj accumulatedScaled = toDouble(start);
                CommonOps_DDRM.addEquals(accumulatedScaled, scaled);
                FMatrixRMaj bT = dirty();
                // float products: relative error about k·2⁻²⁴ for entries in [−1, 1]
                double tol = 1e-6 * (k + 2);

                FMatrixRMaj c = dirty();
                call(false, false, 1.0, a, transA, b, transB, c, bT);
                assertClose(expected, c, tol);
                c = dirty();
                call(false, true, alpha, a, transA, b, transB, c, bT);
                assertClose(scaled, c, tol);
                c = start.copy();
                call(true, false, 1.0, a, transA, b, transB, c, bT);
                assertClose(accumulated, c, tol);
                c = start.copy();
                call(true, true, alpha, a, transA, b, transB, c, bT);
                assertClose(accumulatedScaled, c, tol);
                assertUnchanged(aBefore, a);
                assertUnchanged(bBefore, b);
            }
        }
    }

    private static void call(boolean add, boolean withAlpha, double alpha, FMatrixRMaj a, boolean transA, FMatrixRMaj b,
            boolean transB, FMatrixRMaj c, FMatrixRMaj bT) {
        if (!add) {
            if (transA && transB) {
                if (withAlpha) ProductsF32.multTransAB(alpha, a, b, c); else ProductsF32.multTransAB(a, b, c);
            } else if (transA) {
                if (withAlpha) ProductsF32.multTransA(alpha, a, b, c); else ProductsF32.multTransA(a, b, c);
            } else if (transB) {
                if (withAlpha) ProductsF32.multTransB(alpha, a, b, c, bT); else ProductsF32.multTransB(a, b, c, bT);
            } else {
                if (withAlpha) ProductsF32.mult(alpha, a, b, c); else ProductsF32.mult(a, b, c);
            }
        } else if (transA && transB) {
            if (withAlpha) ProductsF32.multAddTransAB(alpha, a, b, c); else ProductsF32.multAddTransAB(a, b, c);
        } else if (transA) {
            if (withAlpha) ProductsF32.multAddTransA(alpha, a, b, c); else ProductsF32.multAddTransA(a, b, c);
        } else if (transB) {
            if (withAlpha) ProductsF32.multAddTransB(alpha, a, b, c, bT); else ProductsF32.multAddTransB(a, b, c, bT);
        } else {
            if (withAlpha) ProductsF32.multAdd(alpha, a, b, c); else ProductsF32.multAdd(a, b, c);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void pureJavaPathMatchesDouble(long seed) {
        ProductsF32.setNativeThreshold(Long.MAX_VALUE);
        checkAll(seed, 9);
        checkAll(seed, 70); // EJML's blocked paths for larger products
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void systemBlasPathMatchesDouble(long seed) {
        assumeTrue(ProductsF32.nativeAvailable(), "no system BLAS (libblas.so.3) on this machine");
        ProductsF32.setNativeThreshold(0);
        checkAll(seed, 9);
        checkAll(seed, 70);
    }

    /** The fused pair against the double computation, both paths. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void transBPairMatchesDouble(long seed) {
        for (long threshold : new long[] {Long.MAX_VALUE, 0}) {
            if (threshold == 0 && !Products.nativeAvailable()) {
                continue;
            }
            Products.setNativeThreshold(threshold);
            Random r = new Random(seed);
            for (int trial = 0; trial < 6; trial++) {
                int m = 1 + r.nextInt(20), n = 1 + r.nextInt(20);
                int k1 = 1 + r.nextInt(trial < 4 ? 4 : 8), k2 = 1 + r.nextInt(trial < 4 ? 4 : 8);
                FMatrixRMaj a1 = uniform(r, m, k1, -1, 1), b1 = uniform(r, n, k1, -1, 1);
                FMatrixRMaj a2 = uniform(r, m, k2, -1, 1), b2 = uniform(r, n, k2, -1, 1);
                FMatrixRMaj a1Before = a1.copy(), b2Before = b2.copy();
                double alpha1 = -1.5 + 3 * r.nextDouble(), alpha2 = -1.5 + 3 * r.nextDouble();
                DMatrixRMaj expected = new DMatrixRMaj(m, n);
                CommonOps_DDRM.multTransB(alpha1, toDouble(a1), toDouble(b1), expected);
                CommonOps_DDRM.multAddTransB(alpha2, toDouble(a2), toDouble(b2), expected);
                FMatrixRMaj c = dirty();
                ProductsF32.multTransBPair(alpha1, a1, b1, alpha2, a2, b2, c, dirty(), dirty());
                assertClose(expected, c, 1e-5 * (k1 + k2 + 2));
                assertUnchanged(a1Before, a1);
                assertUnchanged(b2Before, b2);
            }
        }
    }

    @Test
    void settingsAreProductsSettings() {
        assertEquals(Products.nativeAvailable(), ProductsF32.nativeAvailable());
        ProductsF32.setNativeThreshold(12345);
        assertEquals(12345, Products.nativeThreshold());
        assertEquals(12345, ProductsF32.nativeThreshold());
        assertThrows(IllegalArgumentException.class, () -> ProductsF32.setNativeThreshold(-1));
    }

    @Test
    void pureJavaPathRejectsWrongShapes() {
        ProductsF32.setNativeThreshold(Long.MAX_VALUE);
        FMatrixRMaj a = new FMatrixRMaj(3, 4);
        assertThrows(MatrixDimensionException.class, () -> ProductsF32.mult(a, new FMatrixRMaj(5, 2), new FMatrixRMaj(1, 1)));
        assertThrows(MatrixDimensionException.class, () -> ProductsF32.multAdd(a, new FMatrixRMaj(4, 2), new FMatrixRMaj(3, 3)));
    }

    @Test
    void systemBlasPathRejectsWrongShapesLikeDouble() {
        assumeTrue(ProductsF32.nativeAvailable(), "no system BLAS (libblas.so.3) on this machine");
        ProductsF32.setNativeThreshold(0);
        FMatrixRMaj a = new FMatrixRMaj(3, 4);
        MatrixDimensionException inner = assertThrows(MatrixDimensionException.class,
                () -> ProductsF32.mult(a, new FMatrixRMaj(5, 2), new FMatrixRMaj(1, 1)));
        MatrixDimensionException innerDouble = assertThrows(MatrixDimensionException.class,
                () -> Products.mult(new DMatrixRMaj(3, 4), new DMatrixRMaj(5, 2), new DMatrixRMaj(1, 1)));
        assertEquals(innerDouble.getMessage(), inner.getMessage());
        assertThrows(MatrixDimensionException.class, () -> ProductsF32.multAdd(a, new FMatrixRMaj(4, 2), new FMatrixRMaj(3, 3)));
        FMatrixRMaj square = new FMatrixRMaj(4, 4);
        assertThrows(IllegalArgumentException.class, () -> ProductsF32.mult(square, new FMatrixRMaj(4, 4), square));
    }
}
