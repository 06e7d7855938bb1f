package dev.adjoint.runtime;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import org.ejml.MatrixDimensionException;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.mult.MatrixMatrixMult_DDRM;

/**
 * The matrix products generated code calls, named like EJML's ({@code mult}, {@code multTransA},
 * {@code multAdd}, ...; an optional leading {@code alpha}). Each picks its implementation at run
 * time from the size of the product:
 * <ul>
 *   <li>with a system BLAS installed ({@code libblas.so.3}, e.g. Debian's
 *       {@code libopenblas0-pthread}), a product of at least {@link #nativeThreshold()}
 *       multiply-adds is one {@code dgemm} through {@code dev.ludovic.netlib} (what Apache Spark
 *       uses). Row-major EJML data is the column-major transpose, so C = A·B runs as
 *       Cᵀ = Bᵀ·Aᵀ on the same arrays: no copies, nothing allocated;</li>
 *   <li>otherwise EJML, in pure Java. A product that reads its right operand transposed
 *       transposes it into a workspace and multiplies row by row (see
 *       {@link Kernels#multTransB(double, DMatrixRMaj, DMatrixRMaj, DMatrixRMaj, DMatrixRMaj)}).</li>
 * </ul>
 * System property {@code adjoint.blas}: {@code auto} (default: native when it loads),
 * {@code java} (never native) or {@code native} (fail at first use if it does not load);
 * {@code adjoint.blas.threshold}: the multiply-add count from which native runs (default 32768).
 * OpenBLAS starts one thread per core; {@code OPENBLAS_NUM_THREADS=1} keeps it to the caller's.
 */
public final class Products {
    private static final long DEFAULT_THRESHOLD = 32L * 32 * 32;
    private static final BLAS NATIVE = loadNative(System.getProperty("adjoint.blas", "auto"));
    private static volatile long threshold = Long.getLong("adjoint.blas.threshold", DEFAULT_THRESHOLD);

    private Products() {}

    private static BLAS loadNative(String mode) {
        if (mode.equals("java")) {
            return null;
        }
        java.util.logging.Logger netlib = java.util.logging.Logger.getLogger("dev.ludovic.netlib.blas.InstanceBuilder");
        java.util.logging.Level level = netlib.getLevel();
        if (mode.equals("auto")) {
            netlib.setLevel(java.util.logging.Level.OFF); // no system BLAS is the normal pure-Java case, not a warning
        }
        try {
            return NativeBLAS.getInstance();
        } catch (RuntimeException | LinkageError e) {
            if (mode.equals("native")) {
                throw new IllegalStateException("-Dadjoint.blas=native but no native BLAS loads (install libblas.so.3, "
                        + "e.g. Debian's libopenblas0-pthread): " + e, e);
            }
            return null;
        } finally {
            netlib.setLevel(level);
        }
    }

    /** Whether products of at least {@link #nativeThreshold()} multiply-adds run on the system BLAS. */
    public static boolean nativeAvailable() {
        return NATIVE != null;
    }

    /** The multiply-add count from which a product runs on the system BLAS, when one is loaded. */
    public static long nativeThreshold() {
        return threshold;
    }

    /** Changes {@link #nativeThreshold()} (0: every product native, for tests and tuning). */
    public static void setNativeThreshold(long multiplyAdds) {
        if (multiplyAdds < 0) {
            throw new IllegalArgumentException("threshold must be non-negative: " + multiplyAdds);
        }
        threshold = multiplyAdds;
    }

    // ---- c = alpha·op(a)·op(b) ---------------------------------------------------------------

    public static void mult(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        gemm(1.0, a, false, b, false, false, c, null);
    }

    public static void mult(double alpha, DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        gemm(alpha, a, false, b, false, false, c, null);
    }

    public static void multTransA(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        gemm(1.0, a, true, b, false, false, c, null);
    }

    public static void multTransA(double alpha, DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        gemm(alpha, a, true, b, false, false, c, null);
    }

    /** c = a·bᵀ; {@code bT} is a workspace for bᵀ on the pure-Java path. */
    public static void multTransB(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c, DMatrixRMaj bT) {
        gemm(1.0, a, false, b, true, false, c, bT);
    }

    public static void multTransB(double alpha, DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c, DMatrixRMaj bT) {
        gemm(alpha, a, false, b, true, false, c, bT);
    }

    public static void multTransAB(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        gemm(1.0, a, true, b, true, false, c, null);
    }

    public static void multTransAB(double alpha, DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        gemm(alpha, a, true, b, true, false, c, null);
    }

    // ---- c += alpha·op(a)·op(b); c must already have the product's shape ---------------------

    public static void multAdd(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        gemm(1.0, a, false, b, false, true, c, null);
    }

    public static void multAdd(double alpha, DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        gemm(alpha, a, false, b, false, true, c, null);
    }

    public static void multAddTransA(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        gemm(1.0, a, true, b, false, true, c, null);
    }

    public static void multAddTransA(double alpha, DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        gemm(alpha, a, true, b, false, true, c, null);
    }

    public static void multAddTransB(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c, DMatrixRMaj bT) {
        gemm(1.0, a, false, b, true, true, c, bT);
    }

    public static void multAddTransB(double alpha, DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c, DMatrixRMaj bT) {
        gemm(alpha, a, false, b, true, true, c, bT);
    }

    public static void multAddTransAB(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        gemm(1.0, a, true, b, true, true, c, null);
    }

    public static void multAddTransAB(double alpha, DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        gemm(alpha, a, true, b, true, true, c, null);
    }

    /** c = alpha·op(a)·op(b) + (accumulate ? c : 0). */
    /**
     * The checks EJML makes, for the paths that bypass it (the system BLAS, the narrow kernels):
     * inner dimensions, no aliasing of the output (checked before anything is reshaped, so an
     * operand is never changed), then the output shaped m×n, or required to be when accumulating.
     */
    private static void prepareOutput(DMatrixRMaj a, boolean transA, DMatrixRMaj b, boolean transB, boolean accumulate,
            DMatrixRMaj c, int m, int n, int k, int kb) {
        if (k != kb) {
            throw new MatrixDimensionException("inner dimensions of the product differ: " + Kernels.shape(a)
                    + (transA ? "ᵀ" : "") + " times " + Kernels.shape(b) + (transB ? "ᵀ" : ""));
        }
        if (c == a || c == b) {
            throw new IllegalArgumentException("the output of a product must not be one of its operands");
        }
        if (accumulate) {
            if (c.numRows != m || c.numCols != n) {
                throw new MatrixDimensionException("the product is " + m + "x" + n + " but the output is " + Kernels.shape(c));
            }
        } else {
            c.reshape(m, n);
        }
    }

    private static void gemm(double alpha, DMatrixRMaj a, boolean transA, DMatrixRMaj b, boolean transB,
            boolean accumulate, DMatrixRMaj c, DMatrixRMaj bT) {
        int m = transA ? a.numCols : a.numRows;
        int k = transA ? a.numRows : a.numCols;
        int kb = transB ? b.numCols : b.numRows;
        int n = transB ? b.numRows : b.numCols;
        if (NATIVE != null && (long) m * n * k >= threshold && k > 0 && m > 0 && n > 0) {
            prepareOutput(a, transA, b, transB, accumulate, c, m, n, k, kb);
            // Row-major X is column-major Xᵀ: C = op(A)·op(B) runs as Cᵀ = op(B)ᵀ·op(A)ᵀ.
            NATIVE.dgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b.data, 0, b.numCols, a.data, 0,
                    a.numCols, accumulate ? 1.0 : 0.0, c.data, 0, n);
            return;
        }
        if (narrow(transA, transB, m, n, k)) {
            prepareOutput(a, transA, b, transB, accumulate, c, m, n, k, kb);
            if (transA) {
                narrowTransA(alpha, a, b, accumulate, c, m, n, k);
            } else {
                narrowDots(alpha, a, b, transB, accumulate, c, m, n, k);
            }
            return;
        }
        if (transA && transB && b.numRows != 1) {
            // CommonOps_DDRM.multTransAB allocates a column buffer on every call once a has
            // EjmlParameters.MULT_TRANAB_COLUMN_SWITCH (40) columns; the unbuffered kernel does not.
            if (accumulate) {
                MatrixMatrixMult_DDRM.multAddTransAB(alpha, a, b, c);
            } else {
                MatrixMatrixMult_DDRM.multTransAB(alpha, a, b, c);
            }
        } else if (transB && !transA) {
            if (accumulate) {
                Kernels.multAddTransB(alpha, a, b, c, bT);
            } else {
                Kernels.multTransB(alpha, a, b, c, bT);
            }
        } else if (alpha != 1.0) {
            if (transA && transB) {
                if (accumulate) CommonOps_DDRM.multAddTransAB(alpha, a, b, c); else CommonOps_DDRM.multTransAB(alpha, a, b, c);
            } else if (transA) {
                if (accumulate) CommonOps_DDRM.multAddTransA(alpha, a, b, c); else CommonOps_DDRM.multTransA(alpha, a, b, c);
            } else {
                if (accumulate) CommonOps_DDRM.multAdd(alpha, a, b, c); else CommonOps_DDRM.mult(alpha, a, b, c);
            }
        } else if (transA && transB) { // without alpha EJML has its fast matrix-vector paths
            if (accumulate) CommonOps_DDRM.multAddTransAB(a, b, c); else CommonOps_DDRM.multTransAB(a, b, c);
        } else if (transA) {
            if (accumulate) CommonOps_DDRM.multAddTransA(a, b, c); else CommonOps_DDRM.multTransA(a, b, c);
        } else {
            if (accumulate) CommonOps_DDRM.multAdd(a, b, c); else CommonOps_DDRM.mult(a, b, c);
        }
    }

    // ---- c = alpha1·a1·b1ᵀ + alpha2·a2·b2ᵀ ------------------------------------------------------

    /**
     * {@code c = alpha1·a1·b1ᵀ + alpha2·a2·b2ᵀ}: a gradient that is a sum of two outer-product-shaped
     * terms (the tied autoencoder's W·r·xᵀ + W·x·rᵀ). When both inner dimensions are small (a single
     * sample) the pure-Java path writes each row of c once, from the transposes of b1 and b2
     * ({@code b1T}, {@code b2T}: workspaces); otherwise it is two products, the second accumulated.
     */
    public static void multTransBPair(double alpha1, DMatrixRMaj a1, DMatrixRMaj b1, double alpha2, DMatrixRMaj a2,
            DMatrixRMaj b2, DMatrixRMaj c, DMatrixRMaj b1T, DMatrixRMaj b2T) {
        int m = a1.numRows;
        int n = b1.numRows;
        int k1 = a1.numCols;
        int k2 = a2.numCols;
        boolean fused = (NATIVE == null || (long) m * n * (k1 + k2) < threshold) && k1 <= PAIR_INNER && k2 <= PAIR_INNER
                && k1 > 0 && k2 > 0;
        if (!fused) {
            gemm(alpha1, a1, false, b1, true, false, c, b1T);
            gemm(alpha2, a2, false, b2, true, true, c, b2T);
            return;
        }
        if (b1.numCols != k1 || b2.numCols != k2) {
            throw new MatrixDimensionException("inner dimensions of the product differ: " + Kernels.shape(a1) + " times "
                    + Kernels.shape(b1) + "ᵀ, or " + Kernels.shape(a2) + " times " + Kernels.shape(b2) + "ᵀ");
        }
        if (a2.numRows != m || b2.numRows != n) {
            throw new MatrixDimensionException("the two products differ in shape: " + m + "x" + n + " and " + a2.numRows
                    + "x" + b2.numRows);
        }
        if (c == a1 || c == b1 || c == a2 || c == b2) {
            throw new IllegalArgumentException("the output of a product must not be one of its operands");
        }
        // A column b (one sample) is its own transpose: no copy.
        double[] p = k1 == 1 ? b1.data : transposed(b1, b1T);
        double[] q = k2 == 1 ? b2.data : transposed(b2, b2T);
        c.reshape(m, n);
        double[] cd = c.data;
        for (int i = 0; i < m; i++) {
            int row = i * n;
            double s = alpha1 * a1.data[i * k1];
            double t = alpha2 * a2.data[i * k2];
            for (int j = 0; j < n; j++) {
                cd[row + j] = s * p[j] + t * q[j];
            }
            for (int k = 1; k < k1; k++) {
                double u = alpha1 * a1.data[i * k1 + k];
                int from = k * n;
                for (int j = 0; j < n; j++) {
                    cd[row + j] += u * p[from + j];
                }
            }
            for (int k = 1; k < k2; k++) {
                double u = alpha2 * a2.data[i * k2 + k];
                int from = k * n;
                for (int j = 0; j < n; j++) {
                    cd[row + j] += u * q[from + j];
                }
            }
        }
    }

    private static double[] transposed(DMatrixRMaj b, DMatrixRMaj bT) {
        CommonOps_DDRM.transpose(b, bT);
        return bT.data;
    }

    /** Inner dimensions up to which {@link #multTransBPair} fuses its two products row by row. */
    private static final int PAIR_INNER = 4;

    // ---- narrow outputs: a few columns, a long inner dimension ---------------------------------
    // EJML's kernels run their innermost loop over the output's columns (or a strided column of
    // b), which for an N×D times D×2 product, or Dᵀ·(N×2), is a loop of length 2: 3-6x slower
    // than these, which keep the long dimension innermost and contiguous.

    private static final int NARROW_COLUMNS = 4;
    private static final ThreadLocal<double[][]> NARROW_SCRATCH = ThreadLocal.withInitial(() -> new double[][] {new double[0]});

    /** Whether c = op(a)·op(b) (m×n, inner k) has 2 to 4 columns and a long inner dimension. */
    private static boolean narrow(boolean transA, boolean transB, int m, int n, int k) {
        return !(transA && transB) && n >= 2 && n <= NARROW_COLUMNS && k >= 16 && m >= 8;
    }

    /** c (+)= alpha·a·op(b), b k×n or (transB) n×k: one dot product per entry, four partial sums each. */
    private static void narrowDots(double alpha, DMatrixRMaj a, DMatrixRMaj b, boolean transB, boolean accumulate,
            DMatrixRMaj c, int m, int n, int k) {
        double[] ad = a.data;
        double[] bd = b.data;
        double[] cd = c.data;
        if (n == 2) { // both columns in one pass over a's row, eight independent partial sums
            int step = transB ? 1 : 2;
            int col1 = transB ? k : 1;
            for (int i = 0; i < m; i++) {
                int rowA = i * k;
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
                int kk = 0;
                for (; kk + 3 < k; kk += 4) {
                    int at = kk * step;
                    double a0 = ad[rowA + kk];
                    double a1 = ad[rowA + kk + 1];
                    double a2 = ad[rowA + kk + 2];
                    double a3 = ad[rowA + kk + 3];
                    s0 += a0 * bd[at];
                    t0 += a0 * bd[col1 + at];
                    s1 += a1 * bd[at + step];
                    t1 += a1 * bd[col1 + at + step];
                    s2 += a2 * bd[at + 2 * step];
                    t2 += a2 * bd[col1 + at + 2 * step];
                    s3 += a3 * bd[at + 3 * step];
                    t3 += a3 * bd[col1 + at + 3 * step];
                }
                for (; kk < k; kk++) {
                    s0 += ad[rowA + kk] * bd[kk * step];
                    t0 += ad[rowA + kk] * bd[col1 + kk * step];
                }
                double v0 = alpha * ((s0 + s1) + (s2 + s3));
                double v1 = alpha * ((t0 + t1) + (t2 + t3));
                cd[2 * i] = accumulate ? cd[2 * i] + v0 : v0;
                cd[2 * i + 1] = accumulate ? cd[2 * i + 1] + v1 : v1;
            }
            return;
        }
        int strideB = transB ? 1 : n; // step between consecutive inner entries of b's column j
        for (int i = 0; i < m; i++) {
            int rowA = i * k;
            for (int j = 0; j < n; j++) {
                int colB = transB ? j * k : j;
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int kk = 0;
                for (; kk + 3 < k; kk += 4) {
                    s0 += ad[rowA + kk] * bd[colB + kk * strideB];
                    s1 += ad[rowA + kk + 1] * bd[colB + (kk + 1) * strideB];
                    s2 += ad[rowA + kk + 2] * bd[colB + (kk + 2) * strideB];
                    s3 += ad[rowA + kk + 3] * bd[colB + (kk + 3) * strideB];
                }
                for (; kk < k; kk++) {
                    s0 += ad[rowA + kk] * bd[colB + kk * strideB];
                }
                double value = alpha * ((s0 + s1) + (s2 + s3));
                cd[i * n + j] = accumulate ? cd[i * n + j] + value : value;
            }
        }
    }

    /** c (+)= alpha·aᵀ·b, a k×m, b k×n: accumulated as cᵀ in a per-thread buffer, rows of a innermost. */
    private static void narrowTransA(double alpha, DMatrixRMaj a, DMatrixRMaj b, boolean accumulate, DMatrixRMaj c,
            int m, int n, int k) {
        double[][] holder = NARROW_SCRATCH.get();
        if (holder[0].length < m * n) {
            holder[0] = new double[m * n]; // grows to the largest product seen, then never again
        }
        double[] ct = holder[0];
        java.util.Arrays.fill(ct, 0, m * n, 0.0);
        double[] ad = a.data;
        double[] bd = b.data;
        for (int kk = 0; kk < k; kk++) {
            int rowA = kk * m;
            int rowB = kk * n;
            for (int j = 0; j < n; j++) {
                double bv = bd[rowB + j];
                int base = j * m;
                for (int i = 0; i < m; i++) {
                    ct[base + i] += ad[rowA + i] * bv;
                }
            }
        }
        double[] cd = c.data;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double value = alpha * ct[j * m + i];
                cd[i * n + j] = accumulate ? cd[i * n + j] + value : value;
            }
        }
    }
}
