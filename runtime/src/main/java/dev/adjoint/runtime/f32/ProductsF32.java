package dev.adjoint.runtime.f32;

import dev.adjoint.runtime.Products;
import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import org.ejml.MatrixDimensionException;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.mult.MatrixMatrixMult_FDRM;

/**
 * {@link Products} for generated float32 classes: the same methods, names and parameter order, on
 * {@link FMatrixRMaj}, {@code alpha} still a {@code double} (rounded to float once). A product of at
 * least {@link #nativeThreshold()} multiply-adds is one {@code sgemm} on the system BLAS when one is
 * loaded, otherwise EJML's {@code CommonOps_FDRM} in pure Java (a right operand read transposed goes
 * through a {@code bT} workspace, see {@link KernelsF32#multTransB(double, FMatrixRMaj, FMatrixRMaj,
 * FMatrixRMaj, FMatrixRMaj)}). Products accumulate in float, as {@code sgemm} does.
 *
 * <p>The settings are {@link Products}'s, shared: system properties {@code adjoint.blas} and
 * {@code adjoint.blas.threshold}, and {@link #setNativeThreshold} changes both classes' threshold.
 */
public final class ProductsF32 {
    /** Products' class initialization decides (and logs) whether native BLAS loads; reuse its answer. */
    private static final BLAS NATIVE = Products.nativeAvailable() ? NativeBLAS.getInstance() : null;

    private ProductsF32() {}

    /** Whether products of at least {@link #nativeThreshold()} multiply-adds run on the system BLAS. */
    public static boolean nativeAvailable() {
        return NATIVE != null;
    }

    /** The multiply-add count from which a product runs on the system BLAS: {@link Products#nativeThreshold()}. */
    public static long nativeThreshold() {
        return Products.nativeThreshold();
    }

    /** Changes {@link #nativeThreshold()}, shared with {@link Products} (0: every product native). */
    public static void setNativeThreshold(long multiplyAdds) {
        Products.setNativeThreshold(multiplyAdds);
    }

    // ---- c = alpha·op(a)·op(b) ---------------------------------------------------------------

    public static void mult(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        gemm(1.0, a, false, b, false, false, c, null);
    }

    public static void mult(double alpha, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        gemm(alpha, a, false, b, false, false, c, null);
    }

    public static void multTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        gemm(1.0, a, true, b, false, false, c, null);
    }

    public static void multTransA(double alpha, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        gemm(alpha, a, true, b, false, false, c, null);
    }

    /** c = a·bᵀ; {@code bT} is a workspace for bᵀ on the pure-Java path. */
    public static void multTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c, FMatrixRMaj bT) {
        gemm(1.0, a, false, b, true, false, c, bT);
    }

    public static void multTransB(double alpha, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c, FMatrixRMaj bT) {
        gemm(alpha, a, false, b, true, false, c, bT);
    }

    public static void multTransAB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        gemm(1.0, a, true, b, true, false, c, null);
    }

    public static void multTransAB(double alpha, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        gemm(alpha, a, true, b, true, false, c, null);
    }

    // ---- c += alpha·op(a)·op(b); c must already have the product's shape ---------------------

    public static void multAdd(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        gemm(1.0, a, false, b, false, true, c, null);
    }

    public static void multAdd(double alpha, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        gemm(alpha, a, false, b, false, true, c, null);
    }

    public static void multAddTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        gemm(1.0, a, true, b, false, true, c, null);
    }

    public static void multAddTransA(double alpha, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        gemm(alpha, a, true, b, false, true, c, null);
    }

    public static void multAddTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c, FMatrixRMaj bT) {
        gemm(1.0, a, false, b, true, true, c, bT);
    }

    public static void multAddTransB(double alpha, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c, FMatrixRMaj bT) {
        gemm(alpha, a, false, b, true, true, c, bT);
    }

    public static void multAddTransAB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        gemm(1.0, a, true, b, true, true, c, null);
    }

    public static void multAddTransAB(double alpha, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        gemm(alpha, a, true, b, true, true, c, null);
    }

    /**
     * {@code c = alpha1·a1·b1ᵀ + alpha2·a2·b2ᵀ}, as {@code Products.multTransBPair}: with small inner
     * dimensions each row of c is written once, from the transposes {@code b1T}, {@code b2T}.
     */
    public static void multTransBPair(double alpha1, FMatrixRMaj a1, FMatrixRMaj b1, double alpha2, FMatrixRMaj a2,
            FMatrixRMaj b2, FMatrixRMaj c, FMatrixRMaj b1T, FMatrixRMaj b2T) {
        int m = a1.numRows;
        int n = b1.numRows;
        int k1 = a1.numCols;
        int k2 = a2.numCols;
        boolean fused = (NATIVE == null || (long) m * n * (k1 + k2) < Products.nativeThreshold()) && k1 <= 4 && k2 <= 4
                && k1 > 0 && k2 > 0;
        if (!fused) {
            gemm(alpha1, a1, false, b1, true, false, c, b1T);
            gemm(alpha2, a2, false, b2, true, true, c, b2T);
            return;
        }
        if (b1.numCols != k1 || b2.numCols != k2) {
            throw new MatrixDimensionException("inner dimensions of the product differ: " + KernelsF32.shape(a1) + " times "
                    + KernelsF32.shape(b1) + "ᵀ, or " + KernelsF32.shape(a2) + " times " + KernelsF32.shape(b2) + "ᵀ");
        }
        if (a2.numRows != m || b2.numRows != n) {
            throw new MatrixDimensionException("the two products differ in shape: " + m + "x" + n + " and " + a2.numRows
                    + "x" + b2.numRows);
        }
        if (c == a1 || c == b1 || c == a2 || c == b2) {
            throw new IllegalArgumentException("the output of a product must not be one of its operands");
        }
        // A column b (one sample) is its own transpose: no copy.
        float[] p = k1 == 1 ? b1.data : transposed(b1, b1T);
        float[] q = k2 == 1 ? b2.data : transposed(b2, b2T);
        c.reshape(m, n);
        float[] cd = c.data;
        for (int i = 0; i < m; i++) {
            int row = i * n;
            float s = (float) (alpha1 * a1.data[i * k1]);
            float t = (float) (alpha2 * a2.data[i * k2]);
            for (int j = 0; j < n; j++) {
                cd[row + j] = s * p[j] + t * q[j];
            }
            for (int k = 1; k < k1; k++) {
                float u = (float) (alpha1 * a1.data[i * k1 + k]);
                int from = k * n;
                for (int j = 0; j < n; j++) {
                    cd[row + j] += u * p[from + j];
                }
            }
            for (int k = 1; k < k2; k++) {
                float u = (float) (alpha2 * a2.data[i * k2 + k]);
                int from = k * n;
                for (int j = 0; j < n; j++) {
                    cd[row + j] += u * q[from + j];
                }
            }
        }
    }

    private static float[] transposed(FMatrixRMaj b, FMatrixRMaj bT) {
        CommonOps_FDRM.transpose(b, bT);
        return bT.data;
    }

    /** c = alpha·op(a)·op(b) + (accumulate ? c : 0). */
    private static void gemm(double alpha, FMatrixRMaj a, boolean transA, FMatrixRMaj b, boolean transB,
            boolean accumulate, FMatrixRMaj c, FMatrixRMaj bT) {
        int m = transA ? a.numCols : a.numRows;
        int k = transA ? a.numRows : a.numCols;
        int kb = transB ? b.numCols : b.numRows;
        int n = transB ? b.numRows : b.numCols;
        float alphaF = (float) alpha;
        if (NATIVE != null && (long) m * n * k >= Products.nativeThreshold() && k > 0 && m > 0 && n > 0) {
            if (k != kb) {
                throw new MatrixDimensionException("inner dimensions of the product differ: " + KernelsF32.shape(a)
                        + (transA ? "ᵀ" : "") + " times " + KernelsF32.shape(b) + (transB ? "ᵀ" : ""));
            }
            if (c == a || c == b) { // before any reshape, so an operand is never changed
                throw new IllegalArgumentException("the output of a product must not be one of its operands");
            }
            if (accumulate) {
                if (c.numRows != m || c.numCols != n) {
                    throw new MatrixDimensionException("the product is " + m + "x" + n + " but the output is " + KernelsF32.shape(c));
                }
            } else {
                c.reshape(m, n);
            }
            // Row-major X is column-major Xᵀ: C = op(A)·op(B) runs as Cᵀ = op(B)ᵀ·op(A)ᵀ.
            NATIVE.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alphaF, b.data, 0, b.numCols, a.data, 0,
                    a.numCols, accumulate ? 1.0f : 0.0f, c.data, 0, n);
            return;
        }
        if (transA && transB && b.numRows != 1) {
            // CommonOps_FDRM.multTransAB allocates a column buffer on every call once a has
            // EjmlParameters.MULT_TRANAB_COLUMN_SWITCH (40) columns; the unbuffered kernel does not.
            if (accumulate) {
                MatrixMatrixMult_FDRM.multAddTransAB(alphaF, a, b, c);
            } else {
                MatrixMatrixMult_FDRM.multTransAB(alphaF, a, b, c);
            }
        } else if (transB && !transA) {
            if (accumulate) {
                KernelsF32.multAddTransB(alpha, a, b, c, bT);
            } else {
                KernelsF32.multTransB(alpha, a, b, c, bT);
            }
        } else if (alpha != 1.0) {
            if (transA && transB) {
                if (accumulate) CommonOps_FDRM.multAddTransAB(alphaF, a, b, c); else CommonOps_FDRM.multTransAB(alphaF, a, b, c);
            } else if (transA) {
                if (accumulate) CommonOps_FDRM.multAddTransA(alphaF, a, b, c); else CommonOps_FDRM.multTransA(alphaF, a, b, c);
            } else {
                if (accumulate) CommonOps_FDRM.multAdd(alphaF, a, b, c); else CommonOps_FDRM.mult(alphaF, a, b, c);
            }
        } else if (transA && transB) { // without alpha EJML has its fast matrix-vector paths
            if (accumulate) CommonOps_FDRM.multAddTransAB(a, b, c); else CommonOps_FDRM.multTransAB(a, b, c);
        } else if (transA) {
            if (accumulate) CommonOps_FDRM.multAddTransA(a, b, c); else CommonOps_FDRM.multTransA(a, b, c);
        } else {
            if (accumulate) CommonOps_FDRM.multAdd(a, b, c); else CommonOps_FDRM.mult(a, b, c);
        }
    }
}
