package dev.adjoint.runtime.f32;

import dev.adjoint.runtime.NotPositiveDefiniteException;
import dev.adjoint.runtime.SpdFactorization;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.decomposition.chol.CholeskyDecompositionInner_FDRM;
import org.ejml.dense.row.linsol.chol.LinearSolverChol_FDRM;

/**
 * {@link SpdFactorization} for generated float32 classes: the same API on {@link FMatrixRMaj}.
 * Cholesky factorization A = L·Lᵀ of the symmetrized matrix (A + Aᵀ)/2 in float (EJML's FDRM
 * decomposition); {@link #logDet} and {@link #quadraticForm} return doubles accumulated in double.
 * One instance is reused across calls: after the first call at a given size nothing is allocated.
 * Same exceptions and messages as {@link SpdFactorization}.
 *
 * <p>Not thread-safe.
 */
public final class SpdFactorizationF32 {

    /** Symmetrized copy of the input; the Cholesky decomposition overwrites it with L. */
    private final FMatrixRMaj work = new FMatrixRMaj(1, 1);
    /** Lower-triangular, in-place decomposition: L ends up in {@link #work}. */
    private final CholeskyDecompositionInner_FDRM decomposition = new CholeskyDecompositionInner_FDRM(true);
    private final LinearSolverChol_FDRM solver = new LinearSolverChol_FDRM(decomposition);
    /** L⁻¹·B for {@link #quadraticForm}. */
    private final FMatrixRMaj forward = new FMatrixRMaj(1, 1);
    private boolean factored;

    /**
     * Factors (a + aᵀ)/2.
     *
     * @param a          a square matrix; not modified
     * @param expression the DSL expression, used in error messages, e.g. {@code "logDet(K)"}
     * @throws IllegalArgumentException     if a is not square
     * @throws NotPositiveDefiniteException if the Cholesky factorization fails
     */
    public void factor(FMatrixRMaj a, String expression) {
        factored = false;
        int n = a.numRows;
        if (a.numCols != n) {
            throw new IllegalArgumentException(
                    expression + ": matrix must be square but is " + KernelsF32.shape(a));
        }
        work.reshape(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                work.data[i * n + j] = (float) (0.5 * ((double) a.data[i * n + j] + a.data[j * n + i]));
            }
        }
        // The decomposition rejects a non-positive pivot, but NaN compares false and slips through,
        // so also require every diagonal entry of L to be finite and positive.
        boolean ok = solver.setA(work);
        for (int i = 0; ok && i < n; i++) {
            float lii = work.data[i * n + i];
            ok = lii > 0 && Float.isFinite(lii);
        }
        if (!ok) {
            throw new NotPositiveDefiniteException(expression
                    + ": matrix is not symmetric positive definite (Cholesky failed); " + KernelsF32.shape(a));
        }
        factored = true;
    }

    /** log det A = 2·Σ log L_ii, in double; stays finite where det itself would overflow. */
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
    public void invert(FMatrixRMaj out) {
        checkFactored();
        out.reshape(work.numRows, work.numRows);
        solver.invert(out);
    }

    /** out = A⁻¹·b, reshaped to n×b.numCols; b must have n rows. */
    public void solve(FMatrixRMaj b, FMatrixRMaj out) {
        checkFactored();
        if (b.numRows != work.numRows) {
            throw new IllegalArgumentException("solve: the right-hand side must have " + work.numRows
                    + " rows but is " + KernelsF32.shape(b));
        }
        out.reshape(work.numRows, b.numCols);
        solver.solve(b, out);
    }

    /**
     * tr(bᵀ·A⁻¹·b) = ‖L⁻¹b‖²_F, by one forward substitution with the Cholesky factor (each entry
     * of L⁻¹b computed in double, stored in float) and the squares summed in double; b must have n rows.
     */
    public double quadraticForm(FMatrixRMaj b) {
        checkFactored();
        int n = work.numRows;
        if (b.numRows != n) {
            throw new IllegalArgumentException("quadratic form: the matrix must have " + n + " rows but is " + KernelsF32.shape(b));
        }
        int k = b.numCols;
        forward.reshape(n, k);
        float[] l = work.data;
        float[] z = forward.data;
        System.arraycopy(b.data, 0, z, 0, n * k);
        double total = 0;
        // Row i of Z = L⁻¹B: (B_i − Σ_{j<i} L_ij·Z_j) / L_ii, row by row so every inner loop is contiguous.
        for (int i = 0; i < n; i++) {
            int rowI = i * k;
            for (int j = 0; j < i; j++) {
                float lij = l[i * n + j];
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
                z[rowI + c] = (float) v;
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
