package dev.adjoint.runtime;

import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;

/**
 * The eager DSL helpers of Adjoint, on {@link SimpleMatrix}.
 *
 * <p>Every form a {@code @Differentiable} method may use (these helpers and the supported
 * {@code SimpleMatrix} and {@code Math} methods), with its meaning and the derivative Adjoint
 * generates for it, is listed in the DSL reference, {@code docs/dsl.md} in the Adjoint repository.
 *
 * <p>Every method returns a new matrix (or a double) and leaves its inputs untouched. They
 * delegate to {@link Kernels} and {@link SpdFactorization}, the same code generated classes
 * call, so an eagerly run {@code @Differentiable} method and its generated class agree bit for bit.
 */
public final class Ops {

    private Ops() {
    }

    /** σ(A) entrywise: 1 / (1 + e^−a_ij), stable for large |a_ij|. */
    public static SimpleMatrix sigmoid(SimpleMatrix a) {
        DMatrixRMaj out = new DMatrixRMaj(a.numRows(), a.numCols());
        Kernels.sigmoid(a.getDDRM(), out);
        return SimpleMatrix.wrap(out);
    }

    /** |A| entrywise. */
    public static SimpleMatrix abs(SimpleMatrix a) {
        DMatrixRMaj out = new DMatrixRMaj(a.numRows(), a.numCols());
        Kernels.abs(a.getDDRM(), out);
        return SimpleMatrix.wrap(out);
    }

    /** √A entrywise (NaN for negative entries, as {@code Math.sqrt}). */
    public static SimpleMatrix sqrt(SimpleMatrix a) {
        DMatrixRMaj out = new DMatrixRMaj(a.numRows(), a.numCols());
        Kernels.sqrt(a.getDDRM(), out);
        return SimpleMatrix.wrap(out);
    }

    /** sin(A) entrywise. */
    public static SimpleMatrix sin(SimpleMatrix a) {
        DMatrixRMaj out = new DMatrixRMaj(a.numRows(), a.numCols());
        Kernels.sin(a.getDDRM(), out);
        return SimpleMatrix.wrap(out);
    }

    /** cos(A) entrywise. */
    public static SimpleMatrix cos(SimpleMatrix a) {
        DMatrixRMaj out = new DMatrixRMaj(a.numRows(), a.numCols());
        Kernels.cos(a.getDDRM(), out);
        return SimpleMatrix.wrap(out);
    }

    /** max(A, B) entrywise ({@code Math.max} per entry); A and B have equal shapes. */
    public static SimpleMatrix max(SimpleMatrix a, SimpleMatrix b) {
        if (a.numRows() != b.numRows() || a.numCols() != b.numCols()) {
            throw new IllegalArgumentException("Ops.max(A, B) needs equal shapes, got " + Kernels.shape(a.getDDRM()) + " and "
                    + Kernels.shape(b.getDDRM()));
        }
        DMatrixRMaj out = new DMatrixRMaj(a.numRows(), a.numCols());
        Kernels.max(a.getDDRM(), b.getDDRM(), out);
        return SimpleMatrix.wrap(out);
    }

    /** max(a, s) for every entry a of A. */
    public static SimpleMatrix max(SimpleMatrix a, double s) {
        DMatrixRMaj out = new DMatrixRMaj(a.numRows(), a.numCols());
        Kernels.max(a.getDDRM(), s, out);
        return SimpleMatrix.wrap(out);
    }

    /** min(A, B) entrywise ({@code Math.min} per entry); A and B have equal shapes. */
    public static SimpleMatrix min(SimpleMatrix a, SimpleMatrix b) {
        if (a.numRows() != b.numRows() || a.numCols() != b.numCols()) {
            throw new IllegalArgumentException("Ops.min(A, B) needs equal shapes, got " + Kernels.shape(a.getDDRM()) + " and "
                    + Kernels.shape(b.getDDRM()));
        }
        DMatrixRMaj out = new DMatrixRMaj(a.numRows(), a.numCols());
        Kernels.min(a.getDDRM(), b.getDDRM(), out);
        return SimpleMatrix.wrap(out);
    }

    /** min(a, s) for every entry a of A. */
    public static SimpleMatrix min(SimpleMatrix a, double s) {
        DMatrixRMaj out = new DMatrixRMaj(a.numRows(), a.numCols());
        Kernels.min(a.getDDRM(), s, out);
        return SimpleMatrix.wrap(out);
    }

    /** tanh(A) entrywise. */
    public static SimpleMatrix tanh(SimpleMatrix a) {
        DMatrixRMaj out = new DMatrixRMaj(a.numRows(), a.numCols());
        Kernels.tanh(a.getDDRM(), out);
        return SimpleMatrix.wrap(out);
    }

    /** relu(A) entrywise: max(a_ij, 0). */
    public static SimpleMatrix relu(SimpleMatrix a) {
        DMatrixRMaj out = new DMatrixRMaj(a.numRows(), a.numCols());
        Kernels.relu(a.getDDRM(), out);
        return SimpleMatrix.wrap(out);
    }

    /** swish(A) entrywise: a_ij·σ(a_ij). */
    public static SimpleMatrix swish(SimpleMatrix a) {
        DMatrixRMaj out = new DMatrixRMaj(a.numRows(), a.numCols());
        Kernels.swish(a.getDDRM(), out);
        return SimpleMatrix.wrap(out);
    }

    /** softplus(A) entrywise: log(1 + e^a_ij), computed as max(a,0) + log1p(e^−|a|). */
    public static SimpleMatrix softplus(SimpleMatrix a) {
        DMatrixRMaj out = new DMatrixRMaj(a.numRows(), a.numCols());
        Kernels.softplus(a.getDDRM(), out);
        return SimpleMatrix.wrap(out);
    }

    /** Row sums: the r×1 vector A·1. */
    public static SimpleMatrix rowSums(SimpleMatrix a) {
        DMatrixRMaj out = new DMatrixRMaj(a.numRows(), 1);
        Kernels.rowSums(a.getDDRM(), out);
        return SimpleMatrix.wrap(out);
    }

    /** Column sums: the 1×c vector 1ᵀ·A. */
    public static SimpleMatrix columnSums(SimpleMatrix a) {
        DMatrixRMaj out = new DMatrixRMaj(1, a.numCols());
        Kernels.columnSums(a.getDDRM(), out);
        return SimpleMatrix.wrap(out);
    }

    /** A + v·1ᵀ: adds the r×1 column v to every column of A. */
    public static SimpleMatrix addColumn(SimpleMatrix a, SimpleMatrix v) {
        DMatrixRMaj out = new DMatrixRMaj(a.numRows(), a.numCols());
        Kernels.addColumn(a.getDDRM(), v.getDDRM(), out);
        return SimpleMatrix.wrap(out);
    }

    /** A + 1·u: adds the 1×c row u to every row of A. */
    public static SimpleMatrix addRow(SimpleMatrix a, SimpleMatrix u) {
        DMatrixRMaj out = new DMatrixRMaj(a.numRows(), a.numCols());
        Kernels.addRow(a.getDDRM(), u.getDDRM(), out);
        return SimpleMatrix.wrap(out);
    }

    /** ‖A‖²_F = Σ a_ij². */
    public static double sumSquares(SimpleMatrix a) {
        return Kernels.sumSquares(a.getDDRM());
    }

    /** Mean of all entries: Σ a_ij / (rows·cols). */
    public static double mean(SimpleMatrix a) {
        return Kernels.mean(a.getDDRM());
    }

    /**
     * log det A for symmetric positive definite A: 2·Σ log L_ii with L the Cholesky factor of
     * (A + Aᵀ)/2.
     *
     * @throws NotPositiveDefiniteException if A is not symmetric positive definite
     * @throws IllegalArgumentException     if A is not square
     */
    public static double logDet(SimpleMatrix a) {
        SpdFactorization chol = new SpdFactorization();
        chol.factor(a.getDDRM(), "logDet(A)");
        return chol.logDet();
    }

    /**
     * Softmax cross-entropy: (1/N)·Σ_j −Σ_i Y_ij·log softmax(Z_:,j)_i over the N columns, for any
     * Y (not only one-hot), with a max-shifted log-sum-exp per column.
     *
     * @throws IllegalArgumentException if Z and Y differ in shape
     */
    public static double softmaxCrossEntropy(SimpleMatrix z, SimpleMatrix y) {
        return Kernels.softmaxCrossEntropy(z.getDDRM(), y.getDDRM());
    }

    /** log Σ exp(a_ij) over all entries, max-shifted so it never overflows. */
    public static double logSumExp(SimpleMatrix a) {
        return Kernels.logSumExp(a.getDDRM());
    }
}
