package dev.adjoint.runtime.f32;

import dev.adjoint.runtime.Kernels;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;

/**
 * {@link Kernels} for generated float32 classes: the same methods, names and parameter order, on
 * {@link FMatrixRMaj}. The conventions of {@link Kernels} hold (outputs reshaped by the kernel, inputs
 * never written, same exceptions and messages, nothing allocated once shapes repeat), plus:
 * <ul>
 *   <li>scalar parameters are {@code double}, as generated code keeps scalars in double locals;</li>
 *   <li>each entry is computed in double from the float inputs and rounded to float once;</li>
 *   <li>scalar results are {@code double} and every reduction (sum, mean, dot, log-sum-exp,
 *       cross-entropy, row and column sums) accumulates in double, so a float32 loss is as accurate
 *       as its inputs allow however many entries it sums.</li>
 *   <li>kernels calling {@code exp}, {@code log}, {@code tanh} or {@code pow} per entry widen their
 *       input to double a chunk at a time first: over a float array HotSpot serializes those calls,
 *       3–4× slower (see {@code Widened}).</li>
 * </ul>
 */
public final class KernelsF32 {

    private KernelsF32() {
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
    public static void sigmoid(FMatrixRMaj x, FMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        double[] w = Widened.buffer();
        for (int start = 0, n = x.getNumElements(); start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(x.data, start, n, w); i < count; i++) {
                double v = w[i];
                out.data[start + i] = (float) sigmoid(v);
            }
        }
    }

    /** out = tanh(x) entrywise. */
    public static void tanh(FMatrixRMaj x, FMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        double[] w = Widened.buffer();
        for (int start = 0, n = x.getNumElements(); start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(x.data, start, n, w); i < count; i++) {
                double v = w[i];
                out.data[start + i] = (float) Math.tanh(v);
            }
        }
    }

    /** out = max(x, 0) entrywise (NaN propagates). */
    public static void relu(FMatrixRMaj x, FMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = Math.max(x.data[i], 0.0f);
        }
    }

    /** out = x·σ(x) entrywise. */
    public static void swish(FMatrixRMaj x, FMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        double[] w = Widened.buffer();
        for (int start = 0, n = x.getNumElements(); start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(x.data, start, n, w); i < count; i++) {
                double v = w[i];
                out.data[start + i] = (float) (v * sigmoid(v));
            }
        }
    }

    /** out = log(1 + e^x) entrywise, computed as max(x,0) + log1p(e^−|x|). */
    public static void softplus(FMatrixRMaj x, FMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        double[] w = Widened.buffer();
        for (int start = 0, n = x.getNumElements(); start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(x.data, start, n, w); i < count; i++) {
                double v = w[i];
                out.data[start + i] = (float) softplus(v);
            }
        }
    }

    /** out = e^x entrywise. */
    public static void exp(FMatrixRMaj x, FMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        double[] w = Widened.buffer();
        for (int start = 0, n = x.getNumElements(); start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(x.data, start, n, w); i < count; i++) {
                double v = w[i];
                out.data[start + i] = (float) Math.exp(v);
            }
        }
    }

    /** out = ln x entrywise. */
    public static void log(FMatrixRMaj x, FMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        double[] w = Widened.buffer();
        for (int start = 0, n = x.getNumElements(); start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(x.data, start, n, w); i < count; i++) {
                double v = w[i];
                out.data[start + i] = (float) Math.log(v);
            }
        }
    }

    /** out = x^p entrywise ({@link Math#pow}). */
    public static void elementPower(FMatrixRMaj x, double p, FMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        double[] w = Widened.buffer();
        for (int start = 0, n = x.getNumElements(); start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(x.data, start, n, w); i < count; i++) {
                out.data[start + i] = (float) Math.pow(w[i], p);
            }
        }
    }

    // ------------------------------------------------------------------ entrywise backward

    /** dx = dy ∘ σ(x)(1 − σ(x)). */
    public static void sigmoidBackward(FMatrixRMaj x, FMatrixRMaj dy, FMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        double[] w = Widened.buffer();
        for (int start = 0; start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(x.data, start, n, w); i < count; i++) {
                double s = sigmoid(w[i]);
                dx.data[start + i] = (float) (dy.data[start + i] * s * (1.0 - s));
            }
        }
    }

    /** dx = dy ∘ (1 − tanh²(x)). */
    public static void tanhBackward(FMatrixRMaj x, FMatrixRMaj dy, FMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        double[] w = Widened.buffer();
        for (int start = 0; start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(x.data, start, n, w); i < count; i++) {
                double t = Math.tanh(w[i]);
                dx.data[start + i] = (float) (dy.data[start + i] * (1.0 - t * t));
            }
        }
    }

    /** dx = dy where x &gt; 0, else 0 (the derivative at 0 is taken as 0). */
    public static void reluBackward(FMatrixRMaj x, FMatrixRMaj dy, FMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            dx.data[i] = x.data[i] > 0 ? dy.data[i] : 0.0f;
        }
    }

    /** dx = dy ∘ (σ(x) + x·σ(x)(1 − σ(x))). */
    public static void swishBackward(FMatrixRMaj x, FMatrixRMaj dy, FMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        double[] w = Widened.buffer();
        for (int start = 0; start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(x.data, start, n, w); i < count; i++) {
                double v = w[i];
                double s = sigmoid(v);
                dx.data[start + i] = (float) (dy.data[start + i] * (s + v * s * (1.0 - s)));
            }
        }
    }

    /** dx = dy ∘ σ(x) (softplus' = sigmoid). */
    public static void softplusBackward(FMatrixRMaj x, FMatrixRMaj dy, FMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        double[] w = Widened.buffer();
        for (int start = 0; start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(x.data, start, n, w); i < count; i++) {
                dx.data[start + i] = (float) (dy.data[start + i] * sigmoid(w[i]));
            }
        }
    }

    /** dx = dy ∘ e^x. */
    public static void expBackward(FMatrixRMaj x, FMatrixRMaj dy, FMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        double[] w = Widened.buffer();
        for (int start = 0; start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(x.data, start, n, w); i < count; i++) {
                dx.data[start + i] = (float) (dy.data[start + i] * Math.exp(w[i]));
            }
        }
    }

    /** dx = dy / x. */
    public static void logBackward(FMatrixRMaj x, FMatrixRMaj dy, FMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            dx.data[i] = dy.data[i] / x.data[i]; // one correctly rounded float division
        }
    }

    /** dx = dy ∘ p·x^(p−1); exactly 0 when p == 0 (avoids 0·∞ at x = 0). */
    public static void elementPowerBackward(FMatrixRMaj x, double p, FMatrixRMaj dy, FMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        double[] w = Widened.buffer();
        for (int start = 0; start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(x.data, start, n, w); i < count; i++) {
                dx.data[start + i] = p == 0 ? 0.0f : (float) (dy.data[start + i] * p * Math.pow(w[i], p - 1));
            }
        }
    }

    /** Checks dy is shaped like x, reshapes dx like x, returns the element count. */
    private static int prepareBackward(FMatrixRMaj x, FMatrixRMaj dy, FMatrixRMaj dx) {
        if (dy.numRows != x.numRows || dy.numCols != x.numCols) {
            throw new IllegalArgumentException(
                    "upstream gradient is " + shape(dy) + " but the forward input is " + shape(x));
        }
        dx.reshape(x.numRows, x.numCols);
        return x.getNumElements();
    }

    // ------------------------------------------------------------------ reductions (double accumulation)

    /** Σ x_ij² (squared Frobenius norm), accumulated in double (each square is exact in double). */
    public static double sumSquares(FMatrixRMaj x) {
        double total = 0;
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            double v = x.data[i];
            total += v * v;
        }
        return total;
    }

    /** Mean of all entries (NaN for an empty matrix), accumulated in double. */
    public static double mean(FMatrixRMaj x) {
        double total = 0;
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            total += x.data[i];
        }
        return total / n;
    }

    /** Σ a_i b_i over all entries in storage order, accumulated in double; the element counts must agree. */
    public static double dot(FMatrixRMaj a, FMatrixRMaj b) {
        int n = a.getNumElements();
        if (b.getNumElements() != n) {
            throw new IllegalArgumentException(
                    "dot: element counts differ, " + shape(a) + " vs " + shape(b));
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += (double) a.data[i] * b.data[i];
        }
        return total;
    }

    /** out = g + gᵀ for a square g, read in place (the adjoint of a Gram matrix AᵀA or A·Aᵀ). */
    public static void addTransposed(FMatrixRMaj g, FMatrixRMaj out) {
        if (g.numRows != g.numCols) {
            throw new IllegalArgumentException("addTransposed needs a square matrix, got " + shape(g));
        }
        int n = g.numRows;
        out.reshape(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                float s = g.data[i * n + j] + g.data[j * n + i];
                out.data[i * n + j] = s;
                out.data[j * n + i] = s;
            }
        }
    }

    /**
     * out = x ∘ s where s = σ(x) was computed already: swish without a second exponential, so
     * the backward pass can reuse s.
     */
    public static void swishFromSigmoid(FMatrixRMaj x, FMatrixRMaj s, FMatrixRMaj out) {
        requireSameShape(x, s, "swishFromSigmoid");
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = x.data[i] * s.data[i];
        }
    }

    /** dx = dy ∘ (s + x ∘ s ∘ (1 − s)), swish′ from the forward pass's s = σ(x): no exponential. */
    public static void swishBackwardFromSigmoid(FMatrixRMaj x, FMatrixRMaj s, FMatrixRMaj dy, FMatrixRMaj dx) {
        requireSameShape(x, s, "swishBackwardFromSigmoid");
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            double sv = s.data[i];
            dx.data[i] = (float) (dy.data[i] * (sv + x.data[i] * sv * (1.0 - sv)));
        }
    }

    /** dx = dy ∘ y ∘ (1 − y) from the forward output y = σ(x): no exponential. */
    public static void sigmoidBackwardFromOutput(FMatrixRMaj y, FMatrixRMaj dy, FMatrixRMaj dx) {
        int n = prepareBackward(y, dy, dx);
        for (int i = 0; i < n; i++) {
            double v = y.data[i];
            dx.data[i] = (float) (dy.data[i] * v * (1.0 - v));
        }
    }

    /** dx = dy ∘ (1 − y²) from the forward output y = tanh(x). */
    public static void tanhBackwardFromOutput(FMatrixRMaj y, FMatrixRMaj dy, FMatrixRMaj dx) {
        int n = prepareBackward(y, dy, dx);
        for (int i = 0; i < n; i++) {
            double v = y.data[i];
            dx.data[i] = (float) (dy.data[i] * (1.0 - v * v));
        }
    }

    private static void requireSameShape(FMatrixRMaj a, FMatrixRMaj b, String kernel) {
        if (a.numRows != b.numRows || a.numCols != b.numCols) {
            throw new IllegalArgumentException(kernel + ": shapes differ, " + shape(a) + " vs " + shape(b));
        }
    }

    /** {@link Kernels#outerProductFirst}: a decision on sizes only, the same at either precision. */
    public static boolean outerProductFirst(int m, int n, int k) {
        return Kernels.outerProductFirst(m, n, k);
    }

    /** {@link Kernels#leftFirst}: a decision on sizes only, the same at either precision. */
    public static boolean leftFirst(int p, int q, int r, int s) {
        return Kernels.leftFirst(p, q, r, s);
    }

    /** {@link Kernels#capacitance} in float32: out = c·I + alpha·xᵀx; c ≤ 0 (or NaN) throws. */
    public static void capacitance(FMatrixRMaj x, double c, double alpha, FMatrixRMaj out, String expression) {
        if (!(c > 0)) {
            throw new dev.adjoint.runtime.NotPositiveDefiniteException(expression
                    + ": matrix is not symmetric positive definite: it is " + c + "·I plus a matrix of rank at most "
                    + x.numCols + " < " + x.numRows + " (identity coefficient not positive)");
        }
        out.reshape(x.numCols, x.numCols);
        CommonOps_FDRM.multTransA((float) alpha, x, x, out);
        addToDiagonal(out, c);
    }

    /** a += s·I: adds s to every diagonal entry of a (square or not, as EJML's identity). */
    public static void addToDiagonal(FMatrixRMaj a, double s) {
        int n = Math.min(a.numRows, a.numCols);
        for (int i = 0; i < n; i++) {
            int index = i * a.numCols + i;
            a.data[index] = (float) (a.data[index] + s);
        }
    }

    /**
     * c = alpha·a·bᵀ (c is reshaped), by transposing b into {@code bT} and multiplying row by row,
     * as {@link Kernels#multTransB(double, org.ejml.data.DMatrixRMaj, org.ejml.data.DMatrixRMaj,
     * org.ejml.data.DMatrixRMaj, org.ejml.data.DMatrixRMaj)} explains.
     *
     * @param bT workspace for bᵀ, reshaped; must not be a, b or c
     */
    public static void multTransB(double alpha, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c, FMatrixRMaj bT) {
        CommonOps_FDRM.transpose(b, bT);
        if (alpha == 1.0) {
            CommonOps_FDRM.mult(a, bT, c);
        } else {
            CommonOps_FDRM.mult((float) alpha, a, bT, c);
        }
    }

    /** c = a·bᵀ, as {@link #multTransB(double, FMatrixRMaj, FMatrixRMaj, FMatrixRMaj, FMatrixRMaj)}. */
    public static void multTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c, FMatrixRMaj bT) {
        multTransB(1.0, a, b, c, bT);
    }

    /** c += a·bᵀ, as {@link #multTransB(double, FMatrixRMaj, FMatrixRMaj, FMatrixRMaj, FMatrixRMaj)}. */
    public static void multAddTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c, FMatrixRMaj bT) {
        multAddTransB(1.0, a, b, c, bT);
    }

    /** c += alpha·a·bᵀ, as {@link #multTransB}; c must already be a.numRows × b.numRows. */
    public static void multAddTransB(double alpha, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c, FMatrixRMaj bT) {
        CommonOps_FDRM.transpose(b, bT);
        if (alpha == 1.0) {
            CommonOps_FDRM.multAdd(a, bT, c);
        } else {
            CommonOps_FDRM.multAdd((float) alpha, a, bT, c);
        }
    }

    /**
     * The DSL's {@code a.dot(b)}: both must be vectors (either orientation) of equal length; a
     * violation names the DSL {@code expression}. Accumulated in double.
     */
    public static double dotVectors(FMatrixRMaj a, FMatrixRMaj b, String expression) {
        if ((a.numRows != 1 && a.numCols != 1) || (b.numRows != 1 && b.numCols != 1)
                || a.getNumElements() != b.getNumElements()) {
            throw new IllegalArgumentException(expression + ": dot needs two vectors of equal length, got "
                    + shape(a) + " and " + shape(b));
        }
        return dot(a, b);
    }

    /** log Σ e^(x_ij) over all entries, shifted by the maximum so no exponent is positive; double sum. */
    public static double logSumExp(FMatrixRMaj x) {
        int n = x.getNumElements();
        double max = max(x.data, 0, 1, n);
        if (Double.isInfinite(max)) {
            return max; // all −∞ (or empty) gives −∞; any +∞ gives +∞
        }
        double sum = 0;
        double[] w = Widened.buffer();
        for (int start = 0; start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(x.data, start, n, w); i < count; i++) {
                sum += Math.exp(w[i] - max);
            }
        }
        return max + Math.log(sum);
    }

    /** dx = dy · softmax(x), the softmax taken over all entries (normalizer summed in double). */
    public static void logSumExpBackward(FMatrixRMaj x, double dy, FMatrixRMaj dx) {
        dx.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        double max = max(x.data, 0, 1, n);
        double sum = 0;
        double[] w = Widened.buffer();
        for (int start = 0; start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(x.data, start, n, w); i < count; i++) {
                sum += Math.exp(w[i] - max);
            }
        }
        double scale = dy / sum;
        for (int start = 0; start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(x.data, start, n, w); i < count; i++) {
                // Recomputed rather than stashed in dx: a float stash would round before the scaling.
                dx.data[start + i] = (float) (Math.exp(w[i] - max) * scale);
            }
        }
    }

    /** Maximum of count entries of data starting at start with the given stride; −∞ if none. */
    private static double max(float[] data, int start, int stride, int count) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0, i = start; k < count; k++, i += stride) {
            max = Math.max(max, data[i]);
        }
        return max;
    }

    /** log Σ_i e^(z_ij) of column j, max-shifted and summed in double; no arrays so no allocation. */
    private static double columnLogSumExp(FMatrixRMaj z, int j) {
        int rows = z.numRows;
        int cols = z.numCols;
        double max = max(z.data, j, cols, rows);
        if (Double.isInfinite(max)) {
            return max;
        }
        double sum = 0;
        double[] w = Widened.buffer();
        for (int first = 0; first < rows; first += Widened.CHUNK) {
            int count = Math.min(Widened.CHUNK, rows - first);
            Widened.loadStrided(z.data, first * cols + j, cols, count, w);
            for (int i = 0; i < count; i++) {
                sum += Math.exp(w[i] - max);
            }
        }
        return max + Math.log(sum);
    }

    private static void checkSameShape(String what, FMatrixRMaj z, FMatrixRMaj y) {
        if (z.numRows != y.numRows || z.numCols != y.numCols) {
            throw new IllegalArgumentException(
                    what + ": Z is " + shape(z) + " but Y is " + shape(y) + "; they must have the same shape");
        }
    }

    /**
     * Mean over columns j of −Σ_i y_ij·log softmax(z_:,j)_i, for any y (not only one-hot),
     * accumulated in double.
     */
    public static double softmaxCrossEntropy(FMatrixRMaj z, FMatrixRMaj y) {
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
    public static void softmaxCrossEntropyBackwardZ(FMatrixRMaj z, FMatrixRMaj y, double dl, FMatrixRMaj dz) {
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
            double[] w = Widened.buffer();
            for (int first = 0; first < rows; first += Widened.CHUNK) {
                int count = Math.min(Widened.CHUNK, rows - first);
                Widened.loadStrided(z.data, first * cols + j, cols, count, w);
                for (int k = 0, idx = first * cols + j; k < count; k++, idx += cols) {
                    double p = Math.exp(w[k] - lse);
                    dz.data[idx] = (float) (scale * (ySum * p - y.data[idx]));
                }
            }
        }
    }

    /**
     * p = the softmax of each column of z (reshaped like z), one {@code exp} per entry (normalizer
     * summed in double): what {@link #softmaxCrossEntropyFromSoftmax} and
     * {@link #softmaxCrossEntropyBackwardZFromSoftmax} share.
     */
    public static void columnSoftmax(FMatrixRMaj z, FMatrixRMaj p) {
        int rows = z.numRows;
        int cols = z.numCols;
        p.reshape(rows, cols);
        for (int j = 0; j < cols; j++) {
            double max = max(z.data, j, cols, rows);
            double sum = 0;
            double[] w = Widened.buffer();
            for (int first = 0; first < rows; first += Widened.CHUNK) {
                int count = Math.min(Widened.CHUNK, rows - first);
                Widened.loadStrided(z.data, first * cols + j, cols, count, w);
                for (int i = 0, idx = first * cols + j; i < count; i++, idx += cols) {
                    double e = Math.exp(w[i] - max);
                    p.data[idx] = (float) e;
                    sum += e;
                }
            }
            if (Double.isInfinite(max)) {
                continue; // as exp(z − lse) with lse = max, like softmaxCrossEntropyBackwardZ
            }
            double inverse = 1.0 / sum;
            for (int i = 0, idx = j; i < rows; i++, idx += cols) {
                p.data[idx] = (float) (p.data[idx] * inverse);
            }
        }
    }

    /**
     * {@link #softmaxCrossEntropy} given p = {@link #columnSoftmax}(z): log Σ exp z_:,j is
     * z_kj − log p_kj at the column's largest score k, where p_kj ≥ 1/rows, so one well-conditioned
     * log per column and no exponential. Accumulated in double.
     */
    public static double softmaxCrossEntropyFromSoftmax(FMatrixRMaj z, FMatrixRMaj y, FMatrixRMaj p) {
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
    public static void softmaxCrossEntropyBackwardZFromSoftmax(FMatrixRMaj p, FMatrixRMaj y, double dl, FMatrixRMaj dz) {
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
                dz.data[idx] = (float) (scale * (ySum * p.data[idx] - y.data[idx]));
            }
        }
    }

    /** dy_kj = −dl/N·log softmax(z_:,j)_k = dl/N·(lse_j − z_kj). */
    public static void softmaxCrossEntropyBackwardY(FMatrixRMaj z, FMatrixRMaj y, double dl, FMatrixRMaj dy) {
        checkSameShape("softmaxCrossEntropy", z, y);
        int rows = z.numRows;
        int cols = z.numCols;
        dy.reshape(rows, cols);
        double scale = dl / cols;
        for (int j = 0; j < cols; j++) {
            double lse = columnLogSumExp(z, j);
            for (int k = 0, idx = j; k < rows; k++, idx += cols) {
                dy.data[idx] = (float) (scale * (lse - z.data[idx]));
            }
        }
    }

    // ------------------------------------------------------------------ broadcasting

    /** out (r×1) = row sums of a, each accumulated in double. */
    public static void rowSums(FMatrixRMaj a, FMatrixRMaj out) {
        int rows = a.numRows;
        int cols = a.numCols;
        out.reshape(rows, 1);
        for (int i = 0; i < rows; i++) {
            double total = 0;
            for (int j = 0, idx = i * cols; j < cols; j++, idx++) {
                total += a.data[idx];
            }
            out.data[i] = (float) total;
        }
    }

    /**
     * out (1×c) = column sums of a, each accumulated in double. Without a double workspace row by
     * row, four columns are summed at a time in double locals so each pass over the rows still
     * reads four adjacent entries.
     */
    public static void columnSums(FMatrixRMaj a, FMatrixRMaj out) {
        int rows = a.numRows;
        int cols = a.numCols;
        out.reshape(1, cols);
        int j = 0;
        for (; j + 4 <= cols; j += 4) {
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int i = 0, idx = j; i < rows; i++, idx += cols) {
                s0 += a.data[idx];
                s1 += a.data[idx + 1];
                s2 += a.data[idx + 2];
                s3 += a.data[idx + 3];
            }
            out.data[j] = (float) s0;
            out.data[j + 1] = (float) s1;
            out.data[j + 2] = (float) s2;
            out.data[j + 3] = (float) s3;
        }
        for (; j < cols; j++) {
            double total = 0;
            for (int i = 0, idx = j; i < rows; i++, idx += cols) {
                total += a.data[idx];
            }
            out.data[j] = (float) total;
        }
    }

    /** out = a + v·1ᵀ, v is a.numRows×1. */
    public static void addColumn(FMatrixRMaj a, FMatrixRMaj v, FMatrixRMaj out) {
        if (v.numRows != a.numRows || v.numCols != 1) {
            throw new IllegalArgumentException("addColumn: v must be " + a.numRows + "x1 to match A ("
                    + shape(a) + ") but is " + shape(v));
        }
        int rows = a.numRows;
        int cols = a.numCols;
        out.reshape(rows, cols);
        for (int i = 0, idx = 0; i < rows; i++) {
            float vi = v.data[i];
            for (int j = 0; j < cols; j++, idx++) {
                out.data[idx] = a.data[idx] + vi;
            }
        }
    }

    /** out = a + 1·u, u is 1×a.numCols. */
    public static void addRow(FMatrixRMaj a, FMatrixRMaj u, FMatrixRMaj out) {
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
    public static void broadcastColumn(FMatrixRMaj v, int cols, FMatrixRMaj out) {
        if (v.numCols != 1) {
            throw new IllegalArgumentException("broadcastColumn: v must be a column vector but is " + shape(v));
        }
        int rows = v.numRows;
        out.reshape(rows, cols);
        for (int i = 0, idx = 0; i < rows; i++) {
            float vi = v.data[i];
            for (int j = 0; j < cols; j++, idx++) {
                out.data[idx] = vi;
            }
        }
    }

    /** out shaped like {@code like}, out_ij = v_i; v is like.numRows×1. */
    public static void broadcastColumn(FMatrixRMaj v, FMatrixRMaj like, FMatrixRMaj out) {
        if (v.numRows != like.numRows || v.numCols != 1) {
            throw new IllegalArgumentException("broadcastColumn: v must be " + like.numRows + "x1 but is "
                    + shape(v));
        }
        broadcastColumn(v, like.numCols, out);
    }

    /** out shaped like {@code like}, out_ij = u_j; u is 1×like.numCols. */
    public static void broadcastRow(FMatrixRMaj u, FMatrixRMaj like, FMatrixRMaj out) {
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

    /** out shaped like {@code like}, every entry s (rounded to float). */
    public static void fill(FMatrixRMaj like, double s, FMatrixRMaj out) {
        filled(like.numRows, like.numCols, s, out);
    }

    /** out shaped like {@code like} (need not be square), s on the main diagonal, 0 elsewhere. */
    public static void scaledIdentity(FMatrixRMaj like, double s, FMatrixRMaj out) {
        filled(like.numRows, like.numCols, 0.0, out);
        int diagonal = Math.min(like.numRows, like.numCols);
        for (int i = 0; i < diagonal; i++) {
            out.data[i * out.numCols + i] = (float) s;
        }
    }

    /** out = n×n identity. */
    public static void identity(int n, FMatrixRMaj out) {
        filled(n, n, 0.0, out);
        for (int i = 0; i < n; i++) {
            out.data[i * n + i] = 1.0f;
        }
    }

    /** out = rows×cols matrix with every entry v (rounded to float). */
    public static void filled(int rows, int cols, double v, FMatrixRMaj out) {
        out.reshape(rows, cols);
        int n = out.getNumElements();
        float value = (float) v;
        for (int i = 0; i < n; i++) {
            out.data[i] = value; // reshape does not clear, so every entry is written
        }
    }

    /**
     * out shaped like {@code like}, out.data[i] = s·src.data[i] (storage order is kept, so this
     * also turns e.g. a 1×n gradient into an n×1 one). src and like must have equal element counts.
     */
    public static void scaleReshaped(double s, FMatrixRMaj src, FMatrixRMaj like, FMatrixRMaj out) {
        int n = src.getNumElements();
        if (like.getNumElements() != n) {
            throw new IllegalArgumentException("scaleReshaped: cannot reshape " + shape(src) + " to "
                    + shape(like));
        }
        out.reshape(like.numRows, like.numCols);
        for (int i = 0; i < n; i++) {
            out.data[i] = (float) (s * src.data[i]);
        }
    }

    /** out = src (reshaped, then copied). */
    public static void copy(FMatrixRMaj src, FMatrixRMaj out) {
        if (src == out) {
            return;
        }
        out.reshape(src.numRows, src.numCols);
        System.arraycopy(src.data, 0, out.data, 0, src.getNumElements());
    }

    /** "rows x cols" without spaces, e.g. "4x3", as used in error messages. */
    public static String shape(FMatrixRMaj m) {
        return m.numRows + "x" + m.numCols;
    }

    // ---- second order ------------------------------------------------------------------------

    /**
     * Writes {@code values} (row-major) into column {@code column} of {@code hessian}, rows
     * {@code rowOffset ..}: one wrt parameter's block of the Hessian column H·eⱼ.
     */
    public static void setHessianColumn(FMatrixRMaj hessian, int column, int rowOffset, FMatrixRMaj values) {
        int n = hessian.numCols;
        float[] h = hessian.data;
        float[] v = values.data;
        for (int i = 0, size = values.getNumElements(); i < size; i++) {
            h[(rowOffset + i) * n + column] = v[i];
        }
    }

    /**
     * Replaces a square matrix by ½(H + Hᵀ): a Hessian assembled column by column from
     * Hessian-vector products is symmetric in exact arithmetic, not in rounding.
     */
    public static void symmetrize(FMatrixRMaj hessian) {
        int n = hessian.numRows;
        float[] h = hessian.data;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                float mean = (float) (0.5 * ((double) h[i * n + j] + h[j * n + i]));
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
    public static void checkDirection(FMatrixRMaj direction, FMatrixRMaj parameter, String directionName, String parameterName,
            String function) {
        if (direction.numRows != parameter.numRows || direction.numCols != parameter.numCols) {
            throw new IllegalArgumentException(function + ": direction " + directionName + " must be shaped like " + parameterName
                    + " (" + parameter.numRows + "×" + parameter.numCols + ") but is " + direction.numRows + "×" + direction.numCols);
        }
    }
    // ------------------------------------------------------------------ more entrywise functions

    /** out = |x| entrywise. */
    public static void abs(FMatrixRMaj x, FMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = (float) (Math.abs(x.data[i]));
        }
    }

    /** out = √x entrywise (NaN for negative entries, as {@code Math.sqrt}). */
    public static void sqrt(FMatrixRMaj x, FMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = (float) (Math.sqrt(x.data[i]));
        }
    }

    /** out = sin(x) entrywise. */
    public static void sin(FMatrixRMaj x, FMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = (float) (Math.sin(x.data[i]));
        }
    }

    /** out = cos(x) entrywise. */
    public static void cos(FMatrixRMaj x, FMatrixRMaj out) {
        out.reshape(x.numRows, x.numCols);
        int n = x.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = (float) (Math.cos(x.data[i]));
        }
    }

    /** dx = dy ∘ sign(x), with the derivative of |x| at the kink x = 0 taken as 0 (also 0 for NaN). */
    public static void absBackward(FMatrixRMaj x, FMatrixRMaj dy, FMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            double v = x.data[i];
            dx.data[i] = (float) (v > 0 ? dy.data[i] : v < 0 ? -dy.data[i] : 0.0);
        }
    }

    /** dx = dy / (2y) from the output y = √x. */
    public static void sqrtBackwardFromOutput(FMatrixRMaj y, FMatrixRMaj dy, FMatrixRMaj dx) {
        int n = prepareBackward(y, dy, dx);
        for (int i = 0; i < n; i++) {
            dx.data[i] = (float) (dy.data[i] / (2.0 * y.data[i]));
        }
    }

    /** dx = dy ∘ cos(x). */
    public static void sinBackward(FMatrixRMaj x, FMatrixRMaj dy, FMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            dx.data[i] = (float) (dy.data[i] * Math.cos(x.data[i]));
        }
    }

    /** dx = −dy ∘ sin(x). */
    public static void cosBackward(FMatrixRMaj x, FMatrixRMaj dy, FMatrixRMaj dx) {
        int n = prepareBackward(x, dy, dx);
        for (int i = 0; i < n; i++) {
            dx.data[i] = (float) (-dy.data[i] * Math.sin(x.data[i]));
        }
    }

    /** out = A^B entrywise ({@code Math.pow}, as EJML's {@code elementPower(SimpleMatrix)}); equal shapes. */
    public static void elementPower(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj out) {
        requireSameShape(a, b, "elementPower");
        out.reshape(a.numRows, a.numCols);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = (float) (Math.pow(a.data[i], b.data[i]));
        }
    }

    // ------------------------------------------------------------------ entrywise max / min

    /** out = max(a, b) entrywise ({@code Math.max}); equal shapes. */
    public static void max(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj out) {
        requireSameShape(a, b, "max");
        out.reshape(a.numRows, a.numCols);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = (float) (Math.max(a.data[i], b.data[i]));
        }
    }

    /** out = min(a, b) entrywise ({@code Math.min}); equal shapes. */
    public static void min(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj out) {
        requireSameShape(a, b, "min");
        out.reshape(a.numRows, a.numCols);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = (float) (Math.min(a.data[i], b.data[i]));
        }
    }

    /** out = max(a, s) entrywise. */
    public static void max(FMatrixRMaj a, double s, FMatrixRMaj out) {
        out.reshape(a.numRows, a.numCols);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = (float) (Math.max(a.data[i], s));
        }
    }

    /** out = min(a, s) entrywise. */
    public static void min(FMatrixRMaj a, double s, FMatrixRMaj out) {
        out.reshape(a.numRows, a.numCols);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = (float) (Math.min(a.data[i], s));
        }
    }

    /**
     * out = g where the first operand wins max(a, b) (or min when {@code max} is false), else 0.
     * A tie goes to the first operand: a ≥ b for max, a ≤ b for min.
     */
    public static void selectFirst(FMatrixRMaj a, FMatrixRMaj b, boolean max, FMatrixRMaj g, FMatrixRMaj out) {
        requireSameShape(a, b, "selectFirst");
        requireSameShape(a, g, "selectFirst");
        out.reshape(a.numRows, a.numCols);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            boolean first = max ? a.data[i] >= b.data[i] : a.data[i] <= b.data[i];
            out.data[i] = (float) (first ? g.data[i] : 0.0);
        }
    }

    /** {@link #selectFirst(FMatrixRMaj, FMatrixRMaj, boolean, FMatrixRMaj, FMatrixRMaj)} against a scalar s. */
    public static void selectFirst(FMatrixRMaj a, double s, boolean max, FMatrixRMaj g, FMatrixRMaj out) {
        requireSameShape(a, g, "selectFirst");
        out.reshape(a.numRows, a.numCols);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            boolean first = max ? a.data[i] >= s : a.data[i] <= s;
            out.data[i] = (float) (first ? g.data[i] : 0.0);
        }
    }

    // ------------------------------------------------------------------ extremal entries

    /** Kinds of {@link #extremum}: EJML's elementMax, elementMin, elementMaxAbs, elementMinAbs. */
    public static final int MAX = Kernels.MAX, MIN = Kernels.MIN, MAX_ABS = Kernels.MAX_ABS, MIN_ABS = Kernels.MIN_ABS;

    /**
     * The row-major index of the entry EJML's {@code elementMax()} (kind {@link #MAX}), {@code elementMin()},
     * {@code elementMaxAbs()} or {@code elementMinAbs()} returns: the first one in row-major order on a tie.
     */
    public static int extremumIndex(FMatrixRMaj a, int kind) {
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
    public static double extremum(FMatrixRMaj a, int kind) {
        double v = a.data[extremumIndex(a, kind)];
        return kind >= MAX_ABS ? Math.abs(v) : v;
    }

    /**
     * out shaped like a: g·∂extremum/∂a, zero except at the chosen entry, where it is g (g·sign(a), with
     * sign(0) = 0, for the Abs kinds).
     */
    public static void extremumBackward(FMatrixRMaj a, int kind, double g, FMatrixRMaj out) {
        out.reshape(a.numRows, a.numCols);
        out.zero();
        int k = extremumIndex(a, kind);
        double v = a.data[k];
        out.data[k] = (float) (kind >= MAX_ABS ? (v > 0 ? g : v < 0 ? -g : 0.0) : g);
    }

    /** The tangent of an extremum along t: t at the chosen entry (times sign(a) for the Abs kinds). */
    public static double extremumTangent(FMatrixRMaj a, int kind, FMatrixRMaj t) {
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
    public static void extract(FMatrixRMaj a, int r0, int r1, int c0, int c1, FMatrixRMaj out) {
        out.reshape(r1 - r0, c1 - c0);
        for (int i = r0; i < r1; i++) {
            System.arraycopy(a.data, i * a.numCols + c0, out.data, (i - r0) * out.numCols, c1 - c0);
        }
    }

    /** out = zeros shaped like {@code like} with g written at (r0, c0): the adjoint of a block. */
    public static void insertInZeros(FMatrixRMaj g, FMatrixRMaj like, int r0, int c0, FMatrixRMaj out) {
        out.reshape(like.numRows, like.numCols);
        out.zero();
        for (int i = 0; i < g.numRows; i++) {
            System.arraycopy(g.data, i * g.numCols, out.data, (i + r0) * out.numCols + c0, g.numCols);
        }
    }

    /** out = the block of g shaped like {@code like} starting at (r0, c0): a part of a concatenation's cotangent. */
    public static void blockLike(FMatrixRMaj g, int r0, int c0, FMatrixRMaj like, FMatrixRMaj out) {
        extract(g, r0, r0 + like.numRows, c0, c0 + like.numCols, out);
    }

    /** out = [a, b] (EJML's {@code a.concatColumns(b)}): equal row counts, else an exception naming the expression. */
    public static void concatColumns(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj out, String expression) {
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
    public static void concatRows(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj out, String expression) {
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
    public static void diag(FMatrixRMaj a, FMatrixRMaj out) {
        int r = a.numRows;
        int c = a.numCols;
        out.reshape(diagRows(r, c), diagCols(r, c));
        if (r == 1 || c == 1) {
            out.zero();
            int n = r * c;
            for (int i = 0; i < n; i++) {
                out.data[i * n + i] = (float) (a.data[i]);
            }
        } else {
            int n = Math.min(r, c);
            for (int i = 0; i < n; i++) {
                out.data[i] = (float) (a.data[i * c + i]);
            }
        }
    }

    /** out shaped like a: the adjoint of {@link #diag} for its cotangent g. */
    public static void diagBackward(FMatrixRMaj g, FMatrixRMaj a, FMatrixRMaj out) {
        int r = a.numRows;
        int c = a.numCols;
        out.reshape(r, c);
        if (r == 1 || c == 1) {
            int n = r * c;
            for (int i = 0; i < n; i++) {
                out.data[i] = (float) (g.data[i * n + i]);
            }
        } else {
            out.zero();
            int n = Math.min(r, c);
            for (int i = 0; i < n; i++) {
                out.data[i * c + i] = (float) (g.data[i]);
            }
        }
    }

    /** out = a ⊗ b (Kronecker product, EJML's {@code kron}): (ra·rb)×(ca·cb). */
    public static void kron(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj out) {
        int rb = b.numRows;
        int cb = b.numCols;
        out.reshape(a.numRows * rb, a.numCols * cb);
        for (int i = 0; i < a.numRows; i++) {
            for (int j = 0; j < a.numCols; j++) {
                double v = a.data[i * a.numCols + j];
                for (int k = 0; k < rb; k++) {
                    int row = (i * rb + k) * out.numCols + j * cb;
                    for (int l = 0; l < cb; l++) {
                        out.data[row + l] = (float) (v * b.data[k * cb + l]);
                    }
                }
            }
        }
    }

    /** out shaped like a: Σ_kl g[i·rb + k, j·cb + l]·b[k, l], the adjoint of a ⊗ b in a. */
    public static void kronBackwardLeft(FMatrixRMaj g, FMatrixRMaj b, FMatrixRMaj a, FMatrixRMaj out) {
        int rb = b.numRows;
        int cb = b.numCols;
        out.reshape(a.numRows, a.numCols);
        for (int i = 0; i < a.numRows; i++) {
            for (int j = 0; j < a.numCols; j++) {
                double sum = 0;
                for (int k = 0; k < rb; k++) {
                    int row = (i * rb + k) * g.numCols + j * cb;
                    for (int l = 0; l < cb; l++) {
                        sum += (double) g.data[row + l] * b.data[k * cb + l];
                    }
                }
                out.data[i * a.numCols + j] = (float) (sum);
            }
        }
    }

    /** out shaped like b: Σ_ij g[i·rb + k, j·cb + l]·a[i, j], the adjoint of a ⊗ b in b. */
    public static void kronBackwardRight(FMatrixRMaj g, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj out) {
        int rb = b.numRows;
        int cb = b.numCols;
        out.reshape(rb, cb);
        // Accumulated in double per entry (the double kernel's loop order, transposed).
        for (int k = 0; k < rb; k++) {
            for (int l = 0; l < cb; l++) {
                double sum = 0;
                for (int i = 0; i < a.numRows; i++) {
                    for (int j = 0; j < a.numCols; j++) {
                        sum += (double) a.data[i * a.numCols + j] * g.data[(i * rb + k) * g.numCols + j * cb + l];
                    }
                }
                out.data[k * cb + l] = (float) sum;
            }
        }
    }

    /** out = zeros shaped like {@code like} with g at row-major index k: the adjoint of {@code get}. */
    public static void entryInZeros(FMatrixRMaj like, int k, double g, FMatrixRMaj out) {
        out.reshape(like.numRows, like.numCols);
        out.zero();
        out.data[k] = (float) (g);
    }
}
