package dev.adjoint.runtime;

import org.ejml.UtilEjml;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.decomposition.lu.LUDecompositionAlt_DDRM;
import org.ejml.dense.row.linsol.lu.LinearSolverLu_DDRM;
import org.ejml.dense.row.misc.UnrolledDeterminantFromMinor_DDRM;

/**
 * LU factorization with partial pivoting (P·A = L·U) of a general square matrix, for det A,
 * A⁻¹, A⁻¹B and A⁻ᵀB. One instance is reused across calls: after the first call at a given
 * size nothing is allocated.
 *
 * <p>{@link #invert}, {@link #solve} and {@link #solveTranspose} refuse a matrix that is singular
 * to working precision with a {@link SingularMatrixException} naming the DSL expression, rather
 * than returning garbage. {@link #determinant} never throws.
 *
 * <p>Not thread-safe.
 */
public final class LuFactorization {

    /** Copy of the input, so the caller may change its matrix after factor(). */
    private final DMatrixRMaj work = new DMatrixRMaj(1, 1);
    private final LUDecompositionAlt_DDRM decomposition = new LUDecompositionAlt_DDRM();
    private final LinearSolverLu_DDRM solver = new LinearSolverLu_DDRM(decomposition);

    /** Aᵀ and its LU, built lazily on the first solveTranspose() after each factor(). */
    private final DMatrixRMaj workTransposed = new DMatrixRMaj(1, 1);
    private final LinearSolverLu_DDRM solverTransposed = new LinearSolverLu_DDRM(new LUDecompositionAlt_DDRM());
    private boolean transposeFactored;

    private String expression = "";
    private boolean factored;
    private boolean singular;

    /**
     * Factors a.
     *
     * @param a          a square matrix; not modified
     * @param expression the DSL expression, used in error messages, e.g. {@code "invert(K) at Foo.java:12"}
     * @throws IllegalArgumentException if a is not square
     */
    public void factor(DMatrixRMaj a, String expression) {
        factored = false;
        transposeFactored = false;
        if (a.numRows != a.numCols) {
            throw new IllegalArgumentException(
                    expression + ": matrix must be square but is " + Kernels.shape(a));
        }
        this.expression = expression;
        Kernels.copy(a, work);
        // LUDecompositionAlt copies its input and never fails: a zero pivot is simply left in U.
        solver.setA(work);
        singular = isSingular(decomposition.getLU());
        factored = true;
    }

    /**
     * Singular to working precision: an exact zero pivot, min |U_ii| &lt;= n·ε·max |U_ii|, or any
     * non-finite entry in the factors.
     */
    private static boolean isSingular(DMatrixRMaj lu) {
        int n = lu.numRows;
        int count = lu.getNumElements();
        for (int i = 0; i < count; i++) {
            if (!Double.isFinite(lu.data[i])) {
                return true;
            }
        }
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (int i = 0; i < n; i++) {
            double pivot = Math.abs(lu.data[i * n + i]);
            if (pivot == 0) {
                return true;
            }
            min = Math.min(min, pivot);
            max = Math.max(max, pivot);
        }
        return n > 0 && min <= n * UtilEjml.EPS * max;
    }

    /**
     * det A, computed exactly as {@code SimpleMatrix.determinant()} does (minor expansion up to
     * 6×6, else the LU pivot product; NaN or infinite becomes 0), so generated code and the eager
     * method agree bit for bit. 0 for an exactly singular matrix; never throws.
     */
    public double determinant() {
        checkFactored();
        int n = work.numRows;
        double det;
        if (n == 0) {
            det = 1.0; // empty product
        } else if (n == 1) {
            det = work.data[0];
        } else if (n <= UnrolledDeterminantFromMinor_DDRM.MAX) {
            det = UnrolledDeterminantFromMinor_DDRM.det(work);
        } else {
            det = decomposition.computeDeterminant().real;
        }
        return UtilEjml.isUncountable(det) ? 0.0 : det;
    }

    /** out = A⁻¹, reshaped to n×n. */
    public void invert(DMatrixRMaj out) {
        checkNotSingular();
        out.reshape(work.numRows, work.numRows);
        solver.invert(out);
    }

    /** out = A⁻¹·b, reshaped to n×b.numCols; b must have n rows. */
    public void solve(DMatrixRMaj b, DMatrixRMaj out) {
        checkNotSingular();
        checkRightHandSide(b);
        out.reshape(work.numRows, b.numCols);
        solver.solve(b, out);
    }

    /** out = A⁻ᵀ·b (solves Aᵀ·out = b), reshaped to n×b.numCols; b must have n rows. */
    public void solveTranspose(DMatrixRMaj b, DMatrixRMaj out) {
        checkNotSingular();
        checkRightHandSide(b);
        if (!transposeFactored) {
            // A and Aᵀ are singular together, so the check above covers this factorization too.
            workTransposed.reshape(work.numCols, work.numRows);
            CommonOps_DDRM.transpose(work, workTransposed);
            solverTransposed.setA(workTransposed);
            transposeFactored = true;
        }
        out.reshape(work.numRows, b.numCols);
        solverTransposed.solve(b, out);
    }

    private void checkRightHandSide(DMatrixRMaj b) {
        if (b.numRows != work.numRows) {
            throw new IllegalArgumentException(expression + ": the right-hand side must have "
                    + work.numRows + " rows but is " + Kernels.shape(b));
        }
    }

    private void checkNotSingular() {
        checkFactored();
        if (singular) {
            throw new SingularMatrixException(expression
                    + ": matrix is singular to working precision; " + Kernels.shape(work));
        }
    }

    private void checkFactored() {
        if (!factored) {
            throw new IllegalStateException("factor() has not succeeded yet");
        }
    }
}
