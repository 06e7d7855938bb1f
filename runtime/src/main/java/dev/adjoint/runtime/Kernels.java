package dev.adjoint.runtime;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * EJML kernels called by generated code (and by {@link Ops}).
 *
 * <p>Conventions, shared by every method:
 * <ul>
 *   <li>Each kernel reshapes its output itself, so generated code can keep one workspace
 *       matrix per intermediate and never allocate once argument shapes repeat.</li>
 *   <li>Kernels never write into their inputs; outputs are assumed not to alias inputs.</li>
 *   <li>{@code reshape} never shrinks the backing array, so loops run to
 *       {@code getNumElements()}, never {@code data.length}.</li>
 *   <li>Entrywise backward kernels take the forward <em>input</em> {@code x} and compute
 *       {@code dx = dy ∘ f'(x)}.</li>
 * </ul>
 */
public final class Kernels {

    private Kernels() {
    }

    // ------------------------------------------------------------------ scalar helpers

    /** σ(x) = 1 / (1 + e^−x), evaluated so that e^|x| is never formed (no overflow, no NaN). */
    private static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** log(1 + e^x) = max(x, 0) + log1p(e^−|x|): the exponent is never positive. */
    private static double softplus(double x) {
        return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    // ------------------------------------------------------------------ entrywise forward

    /** out = σ(x) entrywise, stable for large |x|. */
    public static void sigmoid(DMatrixRMaj x, DMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = sigmoid(x.data[i]);
        }
    }

    /** out = tanh(x) entrywise. */
    public static void tanh(DMatrixRMaj x, DMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = Math.tanh(x.data[i]);
        }
    }

    /** out = max(x, 0) entrywise (NaN propagates). */
    public static void relu(DMatrixRMaj x, DMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = Math.max(x.data[i], 0.0);
        }
    }

    /** out = x·σ(x) entrywise. */
    public static void swish(DMatrixRMaj x, DMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            double v = x.data[i];
            out.data[i] = v * sigmoid(v);
        }
    }

    /** out = log(1 + e^x) entrywise, computed as max(x,0) + log1p(e^−|x|). */
    public static void softplus(DMatrixRMaj x, DMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = softplus(x.data[i]);
        }
    }

    /** out = e^x entrywise. */
    public static void exp(DMatrixRMaj x, DMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = Math.exp(x.data[i]);
        }
    }

    /** out = ln x entrywise. */
    public static void log(DMatrixRMaj x, DMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = Math.log(x.data[i]);
        }
    }

    /** out = x^p entrywise ({@link Math#pow}). */
    public static void elementPower(DMatrixRMaj x, double p, DMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = Math.pow(x.data[i], p);
        }
    }

    // ------------------------------------------------------------------ entrywise backward

    /** dx = dy ∘ σ(x)(1 − σ(x)). */
    public static void sigmoidBackward(DMatrixRMaj x, DMatrixRMaj dy, DMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            double s = sigmoid(x.data[i]);
            dx.data[i] = dy.data[i] * s * (1.0 - s);
        }
    }

    /** dx = dy ∘ (1 − tanh²(x)). */
    public static void tanhBackward(DMatrixRMaj x, DMatrixRMaj dy, DMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            double t = Math.tanh(x.data[i]);
            dx.data[i] = dy.data[i] * (1.0 - t * t);
        }
    }

    /** dx = dy where x &gt; 0, else 0 (the derivative at 0 is taken as 0). */
    public static void reluBackward(DMatrixRMaj x, DMatrixRMaj dy, DMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            dx.data[i] = x.data[i] > 0 ? dy.data[i] : 0.0;
        }
    }

    /** dx = dy ∘ (σ(x) + x·σ(x)(1 − σ(x))). */
    public static void swishBackward(DMatrixRMaj x, DMatrixRMaj dy, DMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            double v = x.data[i];
            double s = sigmoid(v);
            dx.data[i] = dy.data[i] * (s + v * s * (1.0 - s));
        }
    }

    /** dx = dy ∘ σ(x) (softplus' = sigmoid). */
    public static void softplusBackward(DMatrixRMaj x, DMatrixRMaj dy, DMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            dx.data[i] = dy.data[i] * sigmoid(x.data[i]);
        }
    }

    /** dx = dy ∘ e^x. */
    public static void expBackward(DMatrixRMaj x, DMatrixRMaj dy, DMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            dx.data[i] = dy.data[i] * Math.exp(x.data[i]);
        }
    }

    /** dx = dy / x. */
    public static void logBackward(DMatrixRMaj x, DMatrixRMaj dy, DMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            dx.data[i] = dy.data[i] / x.data[i];
        }
    }

    /** dx = dy ∘ p·x^(p−1); exactly 0 when p == 0 (avoids 0·∞ at x = 0). */
    public static void elementPowerBackward(DMatrixRMaj x, double p, DMatrixRMaj dy, DMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            dx.data[i] = p == 0 ? 0.0 : dy.data[i] * p * Math.pow(x.data[i], p - 1);
        }
    }

    /** Checks dy is shaped like x, reshapes dx like x, returns the element count. */
    private static int prepareBackward(DMatrixRMaj x, DMatrixRMaj dy, DMatrixRMaj dx) {
        if (dy.numRows != x.numRows || dy.numCols != x.numCols) {
            throw new IllegalArgumentException(
                    "upstream gradient is " + shape(dy) + " but the forward input is " + shape(x));
        }
        dx.reshape(x.numRows, x.numCols);
        return x.getNumElements();
    }

    // ------------------------------------------------------------------ reductions

    /** Σ x_ij² (squared Frobenius norm). */
    public static double sumSquares(DMatrixRMaj x) {
        return dot(x.data, x.data, x.getNumElements());
    }

    /** Mean of all entries (NaN for an empty matrix). */
    public static double mean(DMatrixRMaj x) {
        double total = 0;
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            total += x.data[i];
        }
        return total / n;
    }

    /** Σ a_i b_i over all entries in storage order; the element counts must agree. */
    public static double dot(DMatrixRMaj a, DMatrixRMaj b) {
        int n = a.getNumElements();
        if (b.getNumElements() != n) {
            throw new IllegalArgumentException(
                    "dot: element counts differ, " + shape(a) + " vs " + shape(b));
        }
        return dot(a.data, b.data, n);
    }

    /**
     * Σ aᵢ·bᵢ over the first n entries, in four partial sums: a single running sum waits on the
     * previous addition at every step (4 cycles), four keep the multiplier busy (GP-LVM: ‖Y‖²).
     */
    private static double dot(double[] a, double[] b, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < n; i++) {
            s0 += a[i] * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** out = g + gᵀ for a square g, read in place (the adjoint of a Gram matrix AᵀA or A·Aᵀ). */
    public static void addTransposed(DMatrixRMaj g, DMatrixRMaj out) {
        if (g.numRows != g.numCols) {
            throw new IllegalArgumentException("addTransposed needs a square matrix, got " + shape(g));
        }
        int n = g.numRows;
        out.reshape(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = g.data[i * n + j] + g.data[j * n + i];
                out.data[i * n + j] = s;
                out.data[j * n + i] = s;
            }
        }
    }

    /**
     * out = x ∘ s where s = σ(x) was computed already: swish without a second exponential, so
     * the backward pass can reuse s (bit for bit the same as {@link #swish}).
     */
    public static void swishFromSigmoid(DMatrixRMaj x, DMatrixRMaj s, DMatrixRMaj out) {
        requireSameShape(x, s, "swishFromSigmoid");
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = x.data[i] * s.data[i];
        }
    }

    /** dx = dy ∘ (s + x ∘ s ∘ (1 − s)), swish′ from the forward pass's s = σ(x): no exponential. */
    public static void swishBackwardFromSigmoid(DMatrixRMaj x, DMatrixRMaj s, DMatrixRMaj dy, DMatrixRMaj dx) {
        requireSameShape(x, s, "swishBackwardFromSigmoid");
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            double sv = s.data[i];
            dx.data[i] = dy.data[i] * (sv + x.data[i] * sv * (1.0 - sv));
        }
    }

    /** dx = dy ∘ y ∘ (1 − y) from the forward output y = σ(x): no exponential. */
    public static void sigmoidBackwardFromOutput(DMatrixRMaj y, DMatrixRMaj dy, DMatrixRMaj dx) {
        int n = prepareBackward(y, dy, dx);
        for (int i = 0; i < n; i++) {
            double v = y.data[i];
            dx.data[i] = dy.data[i] * v * (1.0 - v);
        }
    }

    /** dx = dy ∘ (1 − y²) from the forward output y = tanh(x). */
    public static void tanhBackwardFromOutput(DMatrixRMaj y, DMatrixRMaj dy, DMatrixRMaj dx) {
        int n = prepareBackward(y, dy, dx);
        for (int i = 0; i < n; i++) {
            double v = y.data[i];
            dx.data[i] = dy.data[i] * (1.0 - v * v);
        }
    }

    private static void requireSameShape(DMatrixRMaj a, DMatrixRMaj b, String kernel) {
        if (a.numRows != b.numRows || a.numCols != b.numCols) {
            throw new IllegalArgumentException(kernel + ": shapes differ, " + shape(a) + " vs " + shape(b));
        }
    }

    /**
     * For A m×n and u, v n×k: whether A·(u·vᵀ + v·uᵀ) (n·n·k + n·n + m·n·n multiply-adds) is
     * cheaper than (A·u)·vᵀ + (A·v)·uᵀ (3·m·n·k: A·v comes from the forward pass), the adjoint of
     * a Gram matrix AᵀA.
     */
    public static boolean outerProductFirst(int m, int n, int k) {
        long outer = (long) n * n * k + (long) n * n + (long) m * n * n;
        long distributed = 3L * m * n * k;
        return outer <= distributed;
    }

    /**
     * Whether {@code (P·Q)·R} costs fewer multiply-adds than {@code P·(Q·R)} for P p×q, Q q×r,
     * R r×s: generated code picks the association of a three-factor product from the actual sizes.
     */
    public static boolean leftFirst(int p, int q, int r, int s) {
        long left = (long) p * q * r + (long) p * r * s;
        long right = (long) q * r * s + (long) p * q * s;
        return left <= right;
    }

    /**
     * out = c·I + alpha·xᵀx (q×q for x N×q): the capacitance matrix through which generated code
     * inverts, solves with and takes the log determinant of K = c·I + alpha·x·xᵀ when q &lt; N
     * (Woodbury's identity K⁻¹ = (1/c)·(I − alpha·x·out⁻¹·xᵀ) and the matrix determinant lemma
     * log det K = (N − q)·log c + log det out), never forming the N×N matrix K.
     *
     * <p>With q &lt; N, K is positive definite only if c &gt; 0 (c is an eigenvalue of K of
     * multiplicity at least N − q), and then exactly when out is; so c ≤ 0 (or NaN) throws here
     * what the Cholesky factorization of K would have thrown.
     *
     * @param expression the DSL expression that factors K, for the exception's message
     * @throws NotPositiveDefiniteException if c is not positive
     */
    public static void capacitance(DMatrixRMaj x, double c, double alpha, DMatrixRMaj out, String expression) {
        if (!(c > 0)) {
            throw new NotPositiveDefiniteException(expression + ": matrix is not symmetric positive definite: it is "
                    + c + "·I plus a matrix of rank at most " + x.numCols + " < " + x.numRows
                    + " (identity coefficient not positive)");
        }
        out.reshape(x.numCols, x.numCols);
        CommonOps_DDRM.multTransA(alpha, x, x, out);
        addToDiagonal(out, c);
    }

    /** a += s·I: adds s to every diagonal entry of a (square or not, as EJML's identity). */
    public static void addToDiagonal(DMatrixRMaj a, double s) {
        int n = Math.min(a.numRows, a.numCols);
        for (int i = 0; i < n; i++) {
            a.data[i * a.numCols + i] += s;
        }
    }

    /**
     * c = alpha·a·bᵀ (c is reshaped). EJML's {@code multTransB} forms each entry as a dot product
     * of two rows, a reduction the JIT does not vectorize; transposing b into {@code bT} and
     * multiplying row by row (an axpy, which it does vectorize) measured 1.1–1.7× faster for
     * general shapes and 7–10× for an outer product (inner dimension 1), for the cost of one
     * pass over b.
     *
     * @param bT workspace for bᵀ, reshaped; must not be a, b or c
     */
    public static void multTransB(double alpha, DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c, DMatrixRMaj bT) {
        CommonOps_DDRM.transpose(b, bT);
        if (alpha == 1.0) {
            CommonOps_DDRM.mult(a, bT, c);
        } else {
            CommonOps_DDRM.mult(alpha, a, bT, c);
        }
    }

    /** c = a·bᵀ, as {@link #multTransB(double, DMatrixRMaj, DMatrixRMaj, DMatrixRMaj, DMatrixRMaj)}. */
    public static void multTransB(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c, DMatrixRMaj bT) {
        multTransB(1.0, a, b, c, bT);
    }

    /** c += a·bᵀ, as {@link #multTransB(double, DMatrixRMaj, DMatrixRMaj, DMatrixRMaj, DMatrixRMaj)}. */
    public static void multAddTransB(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c, DMatrixRMaj bT) {
        multAddTransB(1.0, a, b, c, bT);
    }

    /** c += alpha·a·bᵀ, as {@link #multTransB}; c must already be a.numRows × b.numRows. */
    public static void multAddTransB(double alpha, DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c, DMatrixRMaj bT) {
        CommonOps_DDRM.transpose(b, bT);
        if (alpha == 1.0) {
            CommonOps_DDRM.multAdd(a, bT, c);
        } else {
            CommonOps_DDRM.multAdd(alpha, a, bT, c);
        }
    }

    /**
     * The DSL's {@code a.dot(b)}: like {@code SimpleMatrix.dot}, both must be vectors (either
     * orientation) of equal length; a violation names the DSL {@code expression}.
     */
    public static double dotVectors(DMatrixRMaj a, DMatrixRMaj b, String expression) {
        if ((a.numRows != 1 && a.numCols != 1) || (b.numRows != 1 && b.numCols != 1)
                || a.getNumElements() != b.getNumElements()) {
            throw new IllegalArgumentException(expression + ": dot needs two vectors of equal length, got "
                    + shape(a) + " and " + shape(b));
        }
        return dot(a, b);
    }

    /** log Σ e^(x_ij) over all entries, shifted by the maximum so no exponent is positive. */
    public static double logSumExp(DMatrixRMaj x) {
        int n = x.getNumElements();
        double max = max(x.data, 0, 1, n);
        if (Double.isInfinite(max)) {
            return max; // all −∞ (or empty) gives −∞; any +∞ gives +∞
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(x.data[i] - max);
        }
        return max + Math.log(sum);
    }

    /** dx = dy · softmax(x), the softmax taken over all entries. */
    public static void logSumExpBackward(DMatrixRMaj x, double dy, DMatrixRMaj dx) {
        dx.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        double max = max(x.data, 0, 1, n);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.exp(x.data[i] - max);
            dx.data[i] = e; // stash the shifted exponentials, normalized below
            sum += e;
        }
        double scale = dy / sum;
        for (int i = 0; i < n; i++) {
            dx.data[i] *= scale;
        }
    }

    /** Maximum of count entries of data starting at start with the given stride; −∞ if none. */
    private static double max(double[] data, int start, int stride, int count) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0, i = start; k < count; k++, i += stride) {
            max = Math.max(max, data[i]);
        }
        return max;
    }

    /** log Σ_i e^(z_ij) of column j, max-shifted; no arrays so no allocation. */
    private static double columnLogSumExp(DMatrixRMaj z, int j) {
        int rows = z.numRows;
        int cols = z.numCols;
        double max = max(z.data, j, cols, rows);
        if (Double.isInfinite(max)) {
            return max;
        }
        double sum = 0;
        for (int i = 0, idx = j; i < rows; i++, idx += cols) {
            sum += Math.exp(z.data[idx] - max);
        }
        return max + Math.log(sum);
    }

    private static void checkSameShape(String what, DMatrixRMaj z, DMatrixRMaj y) {
        if (z.numRows != y.numRows || z.numCols != y.numCols) {
            throw new IllegalArgumentException(
                    what + ": Z is " + shape(z) + " but Y is " + shape(y) + "; they must have the same shape");
        }
    }

    /**
     * Mean over columns j of −Σ_i y_ij·log softmax(z_:,j)_i, for any y (not only one-hot).
     * Uses −log softmax(z)_i = lse(z) − z_i with a max-shifted log-sum-exp per column.
     */
    public static double softmaxCrossEntropy(DMatrixRMaj z, DMatrixRMaj y) {
        checkSameShape("softmaxCrossEntropy", z, y);
        int rows = z.numRows;
        int cols = z.numCols;
        double total = 0;
        for (int j = 0; j < cols; j++) {
            double lse = columnLogSumExp(z, j);
            for (int i = 0, idx = j; i < rows; i++, idx += cols) {
                total += y.data[idx] * (lse - z.data[idx]);
            }
        }
        return total / cols;
    }

    /** dz_kj = dl/N·((Σ_i y_ij)·p_kj − y_kj), p = column softmax of z, N = number of columns. */
    public static void softmaxCrossEntropyBackwardZ(DMatrixRMaj z, DMatrixRMaj y, double dl, DMatrixRMaj dz) {
        checkSameShape("softmaxCrossEntropy", z, y);
        int rows = z.numRows;
        int cols = z.numCols;
        dz.reshape(rows, cols);
        double scale = dl / cols;
        for (int j = 0; j < cols; j++) {
            double lse = columnLogSumExp(z, j);
            double ySum = 0;
            for (int i = 0, idx = j; i < rows; i++, idx += cols) {
                ySum += y.data[idx];
            }
            for (int k = 0, idx = j; k < rows; k++, idx += cols) {
                double p = Math.exp(z.data[idx] - lse);
                dz.data[idx] = scale * (ySum * p - y.data[idx]);
            }
        }
    }

    /**
     * p = the softmax of each column of z (reshaped like z), one {@code exp} per entry: what
     * {@link #softmaxCrossEntropyFromSoftmax} and {@link #softmaxCrossEntropyBackwardZFromSoftmax}
     * share, so a loss and its gradient cost one exponential per score instead of three.
     */
    public static void columnSoftmax(DMatrixRMaj z, DMatrixRMaj p) {
        int rows = z.numRows;
        int cols = z.numCols;
        p.reshape(rows, cols);
        for (int j = 0; j < cols; j++) {
            double max = max(z.data, j, cols, rows);
            double sum = 0;
            for (int i = 0, idx = j; i < rows; i++, idx += cols) {
                double e = Math.exp(z.data[idx] - max);
                p.data[idx] = e;
                sum += e;
            }
            if (Double.isInfinite(max)) {
                continue; // as exp(z − lse) with lse = max, like softmaxCrossEntropyBackwardZ
            }
            double inverse = 1.0 / sum;
            for (int i = 0, idx = j; i < rows; i++, idx += cols) {
                p.data[idx] *= inverse;
            }
        }
    }

    /**
     * {@link #softmaxCrossEntropy} given p = {@link #columnSoftmax}(z): log Σ exp z_:,j is
     * z_kj − log p_kj at the column's largest score k, where p_kj ≥ 1/rows, so one well-conditioned
     * log per column and no exponential.
     */
    public static double softmaxCrossEntropyFromSoftmax(DMatrixRMaj z, DMatrixRMaj y, DMatrixRMaj p) {
        checkSameShape("softmaxCrossEntropy", z, y);
        int rows = z.numRows;
        int cols = z.numCols;
        double total = 0;
        for (int j = 0; j < cols; j++) {
            int argmax = j;
            for (int i = 1, idx = j + cols; i < rows; i++, idx += cols) {
                if (z.data[idx] > z.data[argmax]) {
                    argmax = idx;
                }
            }
            double max = z.data[argmax];
            double lse = Double.isInfinite(max) || Double.isNaN(max) ? max : max - Math.log(p.data[argmax]);
            for (int i = 0, idx = j; i < rows; i++, idx += cols) {
                total += y.data[idx] * (lse - z.data[idx]);
            }
        }
        return total / cols;
    }

    /** {@link #softmaxCrossEntropyBackwardZ} given p = {@link #columnSoftmax}(z): no exponential. */
    public static void softmaxCrossEntropyBackwardZFromSoftmax(DMatrixRMaj p, DMatrixRMaj y, double dl, DMatrixRMaj dz) {
        checkSameShape("softmaxCrossEntropy", p, y);
        int rows = p.numRows;
        int cols = p.numCols;
        dz.reshape(rows, cols);
        double scale = dl / cols;
        for (int j = 0; j < cols; j++) {
            double ySum = 0;
            for (int i = 0, idx = j; i < rows; i++, idx += cols) {
                ySum += y.data[idx];
            }
            for (int k = 0, idx = j; k < rows; k++, idx += cols) {
                dz.data[idx] = scale * (ySum * p.data[idx] - y.data[idx]);
            }
        }
    }

    /** dy_kj = −dl/N·log softmax(z_:,j)_k = dl/N·(lse_j − z_kj). */
    public static void softmaxCrossEntropyBackwardY(DMatrixRMaj z, DMatrixRMaj y, double dl, DMatrixRMaj dy) {
        checkSameShape("softmaxCrossEntropy", z, y);
        int rows = z.numRows;
        int cols = z.numCols;
        dy.reshape(rows, cols);
        double scale = dl / cols;
        for (int j = 0; j < cols; j++) {
            double lse = columnLogSumExp(z, j);
            for (int k = 0, idx = j; k < rows; k++, idx += cols) {
                dy.data[idx] = scale * (lse - z.data[idx]);
            }
        }
    }

    // ------------------------------------------------------------------ broadcasting

    /** out (r×1) = row sums of a. */
    public static void rowSums(DMatrixRMaj a, DMatrixRMaj out) {
        int rows = a.numRows;
        int cols = a.numCols;
        out.reshape(rows, 1);
        for (int i = 0; i < rows; i++) {
            double total = 0;
            for (int j = 0, idx = i * cols; j < cols; j++, idx++) {
                total += a.data[idx];
            }
            out.data[i] = total;
        }
    }

    /** out (1×c) = column sums of a. */
    public static void columnSums(DMatrixRMaj a, DMatrixRMaj out) {
        int rows = a.numRows;
        int cols = a.numCols;
        out.reshape(1, cols);
        for (int j = 0; j < cols; j++) {
            out.data[j] = 0;
        }
        // Row-major traversal: accumulate row by row for cache-friendly access.
        for (int i = 0, idx = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++, idx++) {
                out.data[j] += a.data[idx];
            }
        }
    }

    /** out = a + v·1ᵀ, v is a.numRows×1. */
    public static void addColumn(DMatrixRMaj a, DMatrixRMaj v, DMatrixRMaj out) {
        if (v.numRows != a.numRows || v.numCols != 1) {
            throw new IllegalArgumentException("addColumn: v must be " + a.numRows + "x1 to match A ("
                    + shape(a) + ") but is " + shape(v));
        }
        int rows = a.numRows;
        int cols = a.numCols;
        out.reshape(rows, cols);
        for (int i = 0, idx = 0; i < rows; i++) {
            double vi = v.data[i];
            for (int j = 0; j < cols; j++, idx++) {
                out.data[idx] = a.data[idx] + vi;
            }
        }
    }

    /** out = a + 1·u, u is 1×a.numCols. */
    public static void addRow(DMatrixRMaj a, DMatrixRMaj u, DMatrixRMaj out) {
        if (u.numRows != 1 || u.numCols != a.numCols) {
            throw new IllegalArgumentException("addRow: u must be 1x" + a.numCols + " to match A ("
                    + shape(a) + ") but is " + shape(u));
        }
        int rows = a.numRows;
        int cols = a.numCols;
        out.reshape(rows, cols);
        for (int i = 0, idx = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++, idx++) {
                out.data[idx] = a.data[idx] + u.data[j];
            }
        }
    }

    /**
     * out = v·1ᵀ, {@code v.numRows} × {@code cols}: the bias of an affine layer written first, so
     * that the product is accumulated onto it ({@code W·X + b} in one pass over the result).
     */
    public static void broadcastColumn(DMatrixRMaj v, int cols, DMatrixRMaj out) {
        if (v.numCols != 1) {
            throw new IllegalArgumentException("broadcastColumn: v must be a column vector but is " + shape(v));
        }
        int rows = v.numRows;
        out.reshape(rows, cols);
        for (int i = 0, idx = 0; i < rows; i++) {
            double vi = v.data[i];
            for (int j = 0; j < cols; j++, idx++) {
                out.data[idx] = vi;
            }
        }
    }

    /** out shaped like {@code like}, out_ij = v_i; v is like.numRows×1. */
    public static void broadcastColumn(DMatrixRMaj v, DMatrixRMaj like, DMatrixRMaj out) {
        if (v.numRows != like.numRows || v.numCols != 1) {
            throw new IllegalArgumentException("broadcastColumn: v must be " + like.numRows + "x1 but is "
                    + shape(v));
        }
        broadcastColumn(v, like.numCols, out);
    }

    /** out shaped like {@code like}, out_ij = u_j; u is 1×like.numCols. */
    public static void broadcastRow(DMatrixRMaj u, DMatrixRMaj like, DMatrixRMaj out) {
        if (u.numRows != 1 || u.numCols != like.numCols) {
            throw new IllegalArgumentException("broadcastRow: u must be 1x" + like.numCols + " but is "
                    + shape(u));
        }
        int rows = like.numRows;
        int cols = like.numCols;
        out.reshape(rows, cols);
        for (int i = 0, idx = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++, idx++) {
                out.data[idx] = u.data[j];
            }
        }
    }

    // ------------------------------------------------------------------ constants and helpers

    /** out shaped like {@code like}, every entry s. */
    public static void fill(DMatrixRMaj like, double s, DMatrixRMaj out) {
        filled(like.numRows, like.numCols, s, out);
    }

    /** out shaped like {@code like} (need not be square), s on the main diagonal, 0 elsewhere. */
    public static void scaledIdentity(DMatrixRMaj like, double s, DMatrixRMaj out) {
        filled(like.numRows, like.numCols, 0.0, out);
        int diagonal = Math.min(like.numRows, like.numCols);
        for (int i = 0; i < diagonal; i++) {
            out.data[i * out.numCols + i] = s;
        }
    }

    /** out = n×n identity. */
    public static void identity(int n, DMatrixRMaj out) {
        filled(n, n, 0.0, out);
        for (int i = 0; i < n; i++) {
            out.data[i * n + i] = 1.0;
        }
    }

    /** out = rows×cols matrix with every entry v. */
    public static void filled(int rows, int cols, double v, DMatrixRMaj out) {
        out.reshape(rows, cols);
        int n = out.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = v; // reshape does not clear, so every entry is written
        }
    }

    /**
     * out shaped like {@code like}, out.data[i] = s·src.data[i] (storage order is kept, so this
     * also turns e.g. a 1×n gradient into an n×1 one). src and like must have equal element counts.
     */
    public static void scaleReshaped(double s, DMatrixRMaj src, DMatrixRMaj like, DMatrixRMaj out) {
        int n = src.getNumElements();
        if (like.getNumElements() != n) {
            throw new IllegalArgumentException("scaleReshaped: cannot reshape " + shape(src) + " to "
                    + shape(like));
        }
        out.reshape(like.numRows, like.numCols);
        for (int i = 0; i < n; i++) {
            out.data[i] = s * src.data[i];
        }
    }

    /** out = src (reshaped, then copied). */
    public static void copy(DMatrixRMaj src, DMatrixRMaj out) {
        if (src == out) {
            return;
        }
        out.reshape(src.numRows, src.numCols);
        System.arraycopy(src.data, 0, out.data, 0, src.getNumElements());
    }

    // ------------------------------------------------------------------ more entrywise functions

    /** out = |x| entrywise. */
    public static void abs(DMatrixRMaj x, DMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = Math.abs(x.data[i]);
        }
    }

    /** out = √x entrywise (NaN for negative entries, as {@code Math.sqrt}). */
    public static void sqrt(DMatrixRMaj x, DMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = Math.sqrt(x.data[i]);
        }
    }

    /** out = sin(x) entrywise. */
    public static void sin(DMatrixRMaj x, DMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = Math.sin(x.data[i]);
        }
    }

    /** out = cos(x) entrywise. */
    public static void cos(DMatrixRMaj x, DMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = Math.cos(x.data[i]);
        }
    }

    /** dx = dy ∘ sign(x), with the derivative of |x| at the kink x = 0 taken as 0 (also 0 for NaN). */
    public static void absBackward(DMatrixRMaj x, DMatrixRMaj dy, DMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            double v = x.data[i];
            dx.data[i] = v > 0 ? dy.data[i] : v < 0 ? -dy.data[i] : 0.0;
        }
    }

    /** dx = dy / (2y) from the output y = √x. */
    public static void sqrtBackwardFromOutput(DMatrixRMaj y, DMatrixRMaj dy, DMatrixRMaj dx) {
        int n = prepareBackward(y, dy, dx);
        for (int i = 0; i < n; i++) {
            dx.data[i] = dy.data[i] / (2.0 * y.data[i]);
        }
    }

    /** dx = dy ∘ cos(x). */
    public static void sinBackward(DMatrixRMaj x, DMatrixRMaj dy, DMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            dx.data[i] = dy.data[i] * Math.cos(x.data[i]);
        }
    }

    /** dx = −dy ∘ sin(x). */
    public static void cosBackward(DMatrixRMaj x, DMatrixRMaj dy, DMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            dx.data[i] = -dy.data[i] * Math.sin(x.data[i]);
        }
    }

    /** out = A^B entrywise ({@code Math.pow}, as EJML's {@code elementPower(SimpleMatrix)}); equal shapes. */
    public static void elementPower(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj out) {
        requireSameShape(a, b, "elementPower");
        out.reshape(a.numRows, a.numCols);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = Math.pow(a.data[i], b.data[i]);
        }
    }

    // ------------------------------------------------------------------ entrywise max / min

    /** out = max(a, b) entrywise ({@code Math.max}); equal shapes. */
    public static void max(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj out) {
        requireSameShape(a, b, "max");
        out.reshape(a.numRows, a.numCols);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = Math.max(a.data[i], b.data[i]);
        }
    }

    /** out = min(a, b) entrywise ({@code Math.min}); equal shapes. */
    public static void min(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj out) {
        requireSameShape(a, b, "min");
        out.reshape(a.numRows, a.numCols);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = Math.min(a.data[i], b.data[i]);
        }
    }

    /** out = max(a, s) entrywise. */
    public static void max(DMatrixRMaj a, double s, DMatrixRMaj out) {
        out.reshape(a.numRows, a.numCols);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = Math.max(a.data[i], s);
        }
    }

    /** out = min(a, s) entrywise. */
    public static void min(DMatrixRMaj a, double s, DMatrixRMaj out) {
        out.reshape(a.numRows, a.numCols);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = Math.min(a.data[i], s);
        }
    }

    /**
     * out = g where the first operand wins max(a, b) (or min when {@code max} is false), else 0.
     * A tie goes to the first operand: a ≥ b for max, a ≤ b for min.
     */
    public static void selectFirst(DMatrixRMaj a, DMatrixRMaj b, boolean max, DMatrixRMaj g, DMatrixRMaj out) {
        requireSameShape(a, b, "selectFirst");
        requireSameShape(a, g, "selectFirst");
        out.reshape(a.numRows, a.numCols);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            boolean first = max ? a.data[i] >= b.data[i] : a.data[i] <= b.data[i];
            out.data[i] = first ? g.data[i] : 0.0;
        }
    }

    /** {@link #selectFirst(DMatrixRMaj, DMatrixRMaj, boolean, DMatrixRMaj, DMatrixRMaj)} against a scalar s. */
    public static void selectFirst(DMatrixRMaj a, double s, boolean max, DMatrixRMaj g, DMatrixRMaj out) {
        requireSameShape(a, g, "selectFirst");
        out.reshape(a.numRows, a.numCols);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            boolean first = max ? a.data[i] >= s : a.data[i] <= s;
            out.data[i] = first ? g.data[i] : 0.0;
        }
    }

    // ------------------------------------------------------------------ extremal entries

    /** Kinds of {@link #extremum}: EJML's elementMax, elementMin, elementMaxAbs, elementMinAbs. */
    public static final int MAX = 0, MIN = 1, MAX_ABS = 2, MIN_ABS = 3;

    /**
     * The row-major index of the entry EJML's {@code elementMax()} (kind {@link #MAX}), {@code elementMin()},
     * {@code elementMaxAbs()} or {@code elementMinAbs()} returns: the first one in row-major order on a tie.
     */
    public static int extremumIndex(DMatrixRMaj a, int kind) {
        int n = a.getNumElements();
        if (n == 0) {
            throw new IllegalArgumentException("the extremal entry of an empty matrix");
        }
        int best = 0;
        double bestValue = kind >= MAX_ABS ? Math.abs(a.data[0]) : a.data[0];
        for (int i = 1; i < n; i++) {
            double v = kind >= MAX_ABS ? Math.abs(a.data[i]) : a.data[i];
            if (kind == MAX || kind == MAX_ABS ? v > bestValue : v < bestValue) {
                best = i;
                bestValue = v;
            }
        }
        return best;
    }

    /** The extremal entry's value, as EJML returns it (|a| for the Abs kinds). */
    public static double extremum(DMatrixRMaj a, int kind) {
        double v = a.data[extremumIndex(a, kind)];
        return kind >= MAX_ABS ? Math.abs(v) : v;
    }

    /**
     * out shaped like a: g·∂extremum/∂a, zero except at the chosen entry, where it is g (g·sign(a), with
     * sign(0) = 0, for the Abs kinds).
     */
    public static void extremumBackward(DMatrixRMaj a, int kind, double g, DMatrixRMaj out) {
        out.reshape(a.numRows, a.numCols);
        out.zero();
        int k = extremumIndex(a, kind);
        double v = a.data[k];
        out.data[k] = kind >= MAX_ABS ? (v > 0 ? g : v < 0 ? -g : 0.0) : g;
    }

    /** The tangent of an extremum along t: t at the chosen entry (times sign(a) for the Abs kinds). */
    public static double extremumTangent(DMatrixRMaj a, int kind, DMatrixRMaj t) {
        int k = extremumIndex(a, kind);
        double v = a.data[k];
        return kind >= MAX_ABS ? (v > 0 ? t.data[k] : v < 0 ? -t.data[k] : 0.0) : t.data[k];
    }

    // ------------------------------------------------------------------ entries, blocks, concatenation

    /** Rows of EJML's {@code diag()} of an r×c matrix: r·c for a vector (a diagonal matrix), else min(r, c). */
    public static int diagRows(int r, int c) {
        return r == 1 || c == 1 ? r * c : Math.min(r, c);
    }

    /** Columns of EJML's {@code diag()} of an r×c matrix: r·c for a vector, else 1. */
    public static int diagCols(int r, int c) {
        return r == 1 || c == 1 ? r * c : 1;
    }

    /** out = a[r0:r1, c0:c1] (ranges checked by the caller; an empty block is allowed, as EJML). */
    public static void extract(DMatrixRMaj a, int r0, int r1, int c0, int c1, DMatrixRMaj out) {
        out.reshape(r1 - r0, c1 - c0);
        for (int i = r0; i < r1; i++) {
            System.arraycopy(a.data, i * a.numCols + c0, out.data, (i - r0) * out.numCols, c1 - c0);
        }
    }

    /** out = zeros shaped like {@code like} with g written at (r0, c0): the adjoint of a block. */
    public static void insertInZeros(DMatrixRMaj g, DMatrixRMaj like, int r0, int c0, DMatrixRMaj out) {
        out.reshape(like.numRows, like.numCols);
        out.zero();
        for (int i = 0; i < g.numRows; i++) {
            System.arraycopy(g.data, i * g.numCols, out.data, (i + r0) * out.numCols + c0, g.numCols);
        }
    }

    /** out = the block of g shaped like {@code like} starting at (r0, c0): a part of a concatenation's cotangent. */
    public static void blockLike(DMatrixRMaj g, int r0, int c0, DMatrixRMaj like, DMatrixRMaj out) {
        extract(g, r0, r0 + like.numRows, c0, c0 + like.numCols, out);
    }

    /** out = [a, b] (EJML's {@code a.concatColumns(b)}): equal row counts, else an exception naming the expression. */
    public static void concatColumns(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj out, String expression) {
        if (a.numRows != b.numRows) {
            throw new IllegalArgumentException(expression + ": concatColumns needs equal row counts, got " + shape(a)
                    + " and " + shape(b));
        }
        out.reshape(a.numRows, a.numCols + b.numCols);
        for (int i = 0; i < a.numRows; i++) {
            System.arraycopy(a.data, i * a.numCols, out.data, i * out.numCols, a.numCols);
            System.arraycopy(b.data, i * b.numCols, out.data, i * out.numCols + a.numCols, b.numCols);
        }
    }

    /** out = [a; b] (EJML's {@code a.concatRows(b)}): equal column counts, else an exception naming the expression. */
    public static void concatRows(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj out, String expression) {
        if (a.numCols != b.numCols) {
            throw new IllegalArgumentException(expression + ": concatRows needs equal column counts, got " + shape(a)
                    + " and " + shape(b));
        }
        out.reshape(a.numRows + b.numRows, a.numCols);
        System.arraycopy(a.data, 0, out.data, 0, a.getNumElements());
        System.arraycopy(b.data, 0, out.data, a.getNumElements(), b.getNumElements());
    }

    /**
     * EJML's {@code diag()}: for a vector (either orientation) the square matrix with it on the
     * diagonal, otherwise the min(r, c)×1 column of diagonal entries.
     */
    public static void diag(DMatrixRMaj a, DMatrixRMaj out) {
        int r = a.numRows;
        int c = a.numCols;
        out.reshape(diagRows(r, c), diagCols(r, c));
        if (r == 1 || c == 1) {
            out.zero();
            int n = r * c;
            for (int i = 0; i < n; i++) {
                out.data[i * n + i] = a.data[i];
            }
        } else {
            int n = Math.min(r, c);
            for (int i = 0; i < n; i++) {
                out.data[i] = a.data[i * c + i];
            }
        }
    }

    /** out shaped like a: the adjoint of {@link #diag} for its cotangent g. */
    public static void diagBackward(DMatrixRMaj g, DMatrixRMaj a, DMatrixRMaj out) {
        int r = a.numRows;
        int c = a.numCols;
        out.reshape(r, c);
        if (r == 1 || c == 1) {
            int n = r * c;
            for (int i = 0; i < n; i++) {
                out.data[i] = g.data[i * n + i];
            }
        } else {
            out.zero();
            int n = Math.min(r, c);
            for (int i = 0; i < n; i++) {
                out.data[i * c + i] = g.data[i];
            }
        }
    }

    /** out = a ⊗ b (Kronecker product, EJML's {@code kron}): (ra·rb)×(ca·cb). */
    public static void kron(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj out) {
        int rb = b.numRows;
        int cb = b.numCols;
        out.reshape(a.numRows * rb, a.numCols * cb);
        for (int i = 0; i < a.numRows; i++) {
            for (int j = 0; j < a.numCols; j++) {
                double v = a.data[i * a.numCols + j];
                for (int k = 0; k < rb; k++) {
                    int row = (i * rb + k) * out.numCols + j * cb;
                    for (int l = 0; l < cb; l++) {
                        out.data[row + l] = v * b.data[k * cb + l];
                    }
                }
            }
        }
    }

    /** out shaped like a: Σ_kl g[i·rb + k, j·cb + l]·b[k, l], the adjoint of a ⊗ b in a. */
    public static void kronBackwardLeft(DMatrixRMaj g, DMatrixRMaj b, DMatrixRMaj a, DMatrixRMaj out) {
        int rb = b.numRows;
        int cb = b.numCols;
        out.reshape(a.numRows, a.numCols);
        for (int i = 0; i < a.numRows; i++) {
            for (int j = 0; j < a.numCols; j++) {
                double sum = 0;
                for (int k = 0; k < rb; k++) {
                    int row = (i * rb + k) * g.numCols + j * cb;
                    for (int l = 0; l < cb; l++) {
                        sum += g.data[row + l] * b.data[k * cb + l];
                    }
                }
                out.data[i * a.numCols + j] = sum;
            }
        }
    }

    /** out shaped like b: Σ_ij g[i·rb + k, j·cb + l]·a[i, j], the adjoint of a ⊗ b in b. */
    public static void kronBackwardRight(DMatrixRMaj g, DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj out) {
        int rb = b.numRows;
        int cb = b.numCols;
        out.reshape(rb, cb);
        out.zero();
        for (int i = 0; i < a.numRows; i++) {
            for (int j = 0; j < a.numCols; j++) {
                double v = a.data[i * a.numCols + j];
                for (int k = 0; k < rb; k++) {
                    int row = (i * rb + k) * g.numCols + j * cb;
                    for (int l = 0; l < cb; l++) {
                        out.data[k * cb + l] += v * g.data[row + l];
                    }
                }
            }
        }
    }

    /** out = zeros shaped like {@code like} with g at row-major index k: the adjoint of {@code get}. */
    public static void entryInZeros(DMatrixRMaj like, int k, double g, DMatrixRMaj out) {
        out.reshape(like.numRows, like.numCols);
        out.zero();
        out.data[k] = g;
    }

    /** "rows x cols" without spaces, e.g. "4x3", as used in error messages. */
    public static String shape(DMatrixRMaj m) {
        return m.numRows + "x" + m.numCols;
    }

    // ---- second order ------------------------------------------------------------------------

    /**
     * Writes {@code values} (row-major) into column {@code column} of {@code hessian}, rows
     * {@code rowOffset ..}: one wrt parameter's block of the Hessian column H·eⱼ.
     */
    public static void setHessianColumn(DMatrixRMaj hessian, int column, int rowOffset, DMatrixRMaj values) {
        int n = hessian.numCols;
        double[] h = hessian.data;
        double[] v = values.data;
        for (int i = 0, size = values.getNumElements(); i < size; i++) {
            h[(rowOffset + i) * n + column] = v[i];
        }
    }

    /**
     * Replaces a square matrix by ½(H + Hᵀ): a Hessian assembled column by column from
     * Hessian-vector products is symmetric in exact arithmetic, not in rounding.
     */
    public static void symmetrize(DMatrixRMaj hessian) {
        int n = hessian.numRows;
        double[] h = hessian.data;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double mean = 0.5 * (h[i * n + j] + h[j * n + i]);
                h[i * n + j] = mean;
                h[j * n + i] = mean;
            }
        }
    }

    /**
     * Checks that a direction of {@code hessianVectorProduct} is shaped like its parameter.
     *
     * @throws IllegalArgumentException naming both
     */
    public static void checkDirection(DMatrixRMaj direction, DMatrixRMaj parameter, String directionName, String parameterName,
            String function) {
        if (direction.numRows != parameter.numRows || direction.numCols != parameter.numCols) {
            throw new IllegalArgumentException(function + ": direction " + directionName + " must be shaped like " + parameterName
                    + " (" + parameter.numRows + "×" + parameter.numCols + ") but is " + direction.numRows + "×" + direction.numCols);
        }
    }
}
