package dev.adjoint.runtime.f32;

import dev.adjoint.runtime.LuFactorization;
import dev.adjoint.runtime.SingularMatrixException;
import org.ejml.UtilEjml;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.decomposition.lu.LUDecompositionAlt_FDRM;
import org.ejml.dense.row.linsol.lu.LinearSolverLu_FDRM;
import org.ejml.dense.row.misc.UnrolledDeterminantFromMinor_DDRM;

/**
 * {@link LuFactorization} for generated float32 classes: the same API on {@link FMatrixRMaj}. LU
 * factorization with partial pivoting (P·A = L·U) in float (EJML's FDRM decomposition), for det A,
 * A⁻¹, A⁻¹B and A⁻ᵀB. One instance is reused across calls: after the first call at a given size
 * nothing is allocated.
 *
 * <p>{@link #invert}, {@link #solve} and {@link #solveTranspose} refuse a matrix that is singular
 * to float working precision (min |U_ii| &lt;= n·ε_float·max |U_ii|) with a
 * {@link SingularMatrixException} naming the DSL expression, as {@link LuFactorization} does at
 * double precision. {@link #determinant} returns a double accumulated in double and never throws.
 *
 * <p>Not thread-safe.
 */
public final class LuFactorizationF32 {

    /** Copy of the input, so the caller may change its matrix after factor(). */
    private final FMatrixRMaj work = new FMatrixRMaj(1, 1);
    private final PivotSignLu decomposition = new PivotSignLu();
    private final LinearSolverLu_FDRM solver = new LinearSolverLu_FDRM(decomposition);

    /** Aᵀ and its LU, built lazily on the first solveTranspose() after each factor(). */
    private final FMatrixRMaj workTransposed = new FMatrixRMaj(1, 1);
    private final LinearSolverLu_FDRM solverTransposed = new LinearSolverLu_FDRM(new LUDecompositionAlt_FDRM());
    private boolean transposeFactored;

    /** A in double, for the minor expansion of small determinants. */
    private final DMatrixRMaj small = new DMatrixRMaj(1, 1);

    private String expression = "";
    private boolean factored;
    private boolean singular;

    /** EJML's LU, exposing the sign of its row permutation (its determinant is a float product). */
    private static final class PivotSignLu extends LUDecompositionAlt_FDRM {
        float pivotSign() {
            return pivsign;
        }
    }

    /**
     * Factors a.
     *
     * @param a          a square matrix; not modified
     * @param expression the DSL expression, used in error messages, e.g. {@code "invert(K) at Foo.java:12"}
     * @throws IllegalArgumentException if a is not square
     */
    public void factor(FMatrixRMaj a, String expression) {
        factored = false;
        transposeFactored = false;
        if (a.numRows != a.numCols) {
            throw new IllegalArgumentException(
                    expression + ": matrix must be square but is " + KernelsF32.shape(a));
        }
        this.expression = expression;
        KernelsF32.copy(a, work);
        // LUDecompositionAlt copies its input and never fails: a zero pivot is simply left in U.
        solver.setA(work);
        singular = isSingular(decomposition.getLU());
        factored = true;
    }

    /**
     * Singular to float working precision: an exact zero pivot, min |U_ii| &lt;= n·ε·max |U_ii|, or
     * any non-finite entry in the factors.
     */
    private static boolean isSingular(FMatrixRMaj lu) {
        int n = lu.numRows;
        int count = lu.getNumElements();
        for (int i = 0; i < count; i++) {
            if (!Float.isFinite(lu.data[i])) {
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
        return n > 0 && min <= n * (double) UtilEjml.F_EPS * max;
    }

    /**
     * det A in double: up to 6×6 the minor expansion of {@code SimpleMatrix.determinant()} run in
     * double on the float entries (so it equals {@link LuFactorization#determinant()} of the same
     * entries bit for bit), else the product of the float LU pivots taken in double (no float
     * overflow). NaN or infinite becomes 0; 0 for an exactly singular matrix; never throws.
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
            small.reshape(n, n);
            for (int i = 0; i < n * n; i++) {
                small.data[i] = work.data[i];
            }
            det = UnrolledDeterminantFromMinor_DDRM.det(small);
        } else {
            FMatrixRMaj lu = decomposition.getLU();
            det = decomposition.pivotSign();
            for (int i = 0; i < n; i++) {
                det *= lu.data[i * n + i];
            }
        }
        return UtilEjml.isUncountable(det) ? 0.0 : det;
    }

    /** out = A⁻¹, reshaped to n×n. */
    public void invert(FMatrixRMaj out) {
        checkNotSingular();
        out.reshape(work.numRows, work.numRows);
        solver.invert(out);
    }

    /** out = A⁻¹·b, reshaped to n×b.numCols; b must have n rows. */
    public void solve(FMatrixRMaj b, FMatrixRMaj out) {
        checkNotSingular();
        checkRightHandSide(b);
        out.reshape(work.numRows, b.numCols);
        solver.solve(b, out);
    }

    /** out = A⁻ᵀ·b (solves Aᵀ·out = b), reshaped to n×b.numCols; b must have n rows. */
    public void solveTranspose(FMatrixRMaj b, FMatrixRMaj out) {
        checkNotSingular();
        checkRightHandSide(b);
        if (!transposeFactored) {
            // A and Aᵀ are singular together, so the check above covers this factorization too.
            workTransposed.reshape(work.numCols, work.numRows);
            CommonOps_FDRM.transpose(work, workTransposed);
            solverTransposed.setA(workTransposed);
            transposeFactored = true;
        }
        out.reshape(work.numRows, b.numCols);
        solverTransposed.solve(b, out);
    }

    private void checkRightHandSide(FMatrixRMaj b) {
        if (b.numRows != work.numRows) {
            throw new IllegalArgumentException(expression + ": the right-hand side must have "
                    + work.numRows + " rows but is " + KernelsF32.shape(b));
        }
    }

    private void checkNotSingular() {
        checkFactored();
        if (singular) {
            throw new SingularMatrixException(expression
                    + ": matrix is singular to working precision; " + KernelsF32.shape(work));
        }
    }

    private void checkFactored() {
        if (!factored) {
            throw new IllegalStateException("factor() has not succeeded yet");
        }
    }
}
