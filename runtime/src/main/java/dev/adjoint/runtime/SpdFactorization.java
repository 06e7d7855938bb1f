package dev.adjoint.runtime;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.decomposition.chol.CholeskyDecompositionInner_DDRM;
import org.ejml.dense.row.linsol.chol.LinearSolverChol_DDRM;

/**
 * Cholesky factorization A = L·Lᵀ of a symmetric positive definite matrix, for log det A,
 * A⁻¹ and A⁻¹B. One instance is reused across calls: after the first call at a given size
 * nothing is allocated (EJML's {@code invert}/{@code det} would allocate every time).
 *
 * <p>{@link #factor} factors the symmetrized matrix (A + Aᵀ)/2. This is deliberate: it makes
 * logDet a function of every entry of A (not only of its lower triangle), whose gradient is
 * exactly A⁻¹ (for symmetric A), so it matches finite differences entry by entry.
 *
 * <p>Not thread-safe.
 */
public final class SpdFactorization {

    /** Symmetrized copy of the input; the Cholesky decomposition overwrites it with L. */
    private final DMatrixRMaj work = new DMatrixRMaj(1, 1);
    /** Lower-triangular, in-place decomposition: L ends up in {@link #work}. */
    private final CholeskyDecompositionInner_DDRM decomposition = new CholeskyDecompositionInner_DDRM(true);
    private final LinearSolverChol_DDRM solver = new LinearSolverChol_DDRM(decomposition);
    /** L⁻¹·B for {@link #quadraticForm}. */
    private final DMatrixRMaj forward = new DMatrixRMaj(1, 1);
    private boolean factored;

    /**
     * Factors (a + aᵀ)/2.
     *
     * @param a          a square matrix; not modified
     * @param expression the DSL expression, used in error messages, e.g. {@code "logDet(K)"}
     * @throws IllegalArgumentException     if a is not square
     * @throws NotPositiveDefiniteException if the Cholesky factorization fails
     */
    public void factor(DMatrixRMaj a, String expression) {
        factored = false;
        int n = a.numRows;
        if (a.numCols != n) {
            throw new IllegalArgumentException(
                    expression + ": matrix must be square but is " + Kernels.shape(a));
        }
        work.reshape(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                work.data[i * n + j] = 0.5 * (a.data[i * n + j] + a.data[j * n + i]);
            }
        }
        // The decomposition rejects a non-positive pivot, but NaN compares false and slips through,
        // so also require every diagonal entry of L to be finite and positive.
        boolean ok = solver.setA(work);
        for (int i = 0; ok && i < n; i++) {
            double lii = work.data[i * n + i];
            ok = lii > 0 && Double.isFinite(lii);
        }
        if (!ok) {
            throw new NotPositiveDefiniteException(expression
                    + ": matrix is not symmetric positive definite (Cholesky failed); " + Kernels.shape(a));
        }
        factored = true;
    }

    /** log det A = 2·Σ log L_ii; stays finite where det itself would overflow. */
    public double logDet() {
        checkFactored();
        int n = work.numRows;
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += Math.log(work.data[i * n + i]);
        }
        return 2 * total;
    }

    /** out = A⁻¹ (symmetric), reshaped to n×n. */
    public void invert(DMatrixRMaj out) {
        checkFactored();
        out.reshape(work.numRows, work.numRows);
        solver.invert(out);
    }

    /** out = A⁻¹·b, reshaped to n×b.numCols; b must have n rows. */
    public void solve(DMatrixRMaj b, DMatrixRMaj out) {
        checkFactored();
        if (b.numRows != work.numRows) {
            throw new IllegalArgumentException("solve: the right-hand side must have " + work.numRows
                    + " rows but is " + Kernels.shape(b));
        }
        out.reshape(work.numRows, b.numCols);
        solver.solve(b, out);
    }

    /**
     * tr(bᵀ·A⁻¹·b) = ‖L⁻¹b‖²_F, by one forward substitution with the Cholesky factor (half the
     * work of a solve, and no inverse); b must have n rows.
     */
    public double quadraticForm(DMatrixRMaj b) {
        checkFactored();
        int n = work.numRows;
        if (b.numRows != n) {
            throw new IllegalArgumentException("quadratic form: the matrix must have " + n + " rows but is " + Kernels.shape(b));
        }
        int k = b.numCols;
        forward.reshape(n, k);
        double[] l = work.data;
        double[] z = forward.data;
        System.arraycopy(b.data, 0, z, 0, n * k);
        double total = 0;
        // Row i of Z = L⁻¹B: (B_i − Σ_{j<i} L_ij·Z_j) / L_ii, row by row so every inner loop is contiguous.
        for (int i = 0; i < n; i++) {
            int rowI = i * k;
            for (int j = 0; j < i; j++) {
                double lij = l[i * n + j];
                if (lij != 0) {
                    int rowJ = j * k;
                    for (int c = 0; c < k; c++) {
                        z[rowI + c] -= lij * z[rowJ + c];
                    }
                }
            }
            double inverseDiagonal = 1.0 / l[i * n + i];
            for (int c = 0; c < k; c++) {
                double v = z[rowI + c] * inverseDiagonal;
                z[rowI + c] = v;
                total += v * v;
            }
        }
        return total;
    }

    private void checkFactored() {
        if (!factored) {
            throw new IllegalStateException("factor() has not succeeded yet");
        }
    }
}
