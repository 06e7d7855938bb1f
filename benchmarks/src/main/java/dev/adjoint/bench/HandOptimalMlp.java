package dev.adjoint.bench;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The two-layer Swish network with softmax cross-entropy, forward and backward, written as fast as
 * a careful engineer writes it with EJML's procedural API, single thread, no allocation per call
 * once shapes repeat:
 * z₁ = W₁X + b₁1ᵀ, h = z₁∘σ(z₁), z₂ = W₂h + b₂1ᵀ, L = mean over columns of −Σ Y∘log softmax(z₂);
 * δ₂ = (P·diag(1ᵀY) − Y)/N, ∂W₂ = δ₂hᵀ, ∂b₂ = δ₂1, δ₁ = (W₂ᵀδ₂)∘(σ(z₁) + z₁σ(z₁)(1 − σ(z₁))),
 * ∂W₁ = δ₁Xᵀ, ∂b₁ = δ₁1.
 *
 * <ul>
 * <li>The bias is written first and the product accumulated onto it ({@code multAdd}), so
 *     {@code addColumn} costs no extra pass or buffer.
 * <li>σ(z₁) is computed once in the forward pass and kept for swish′; the value-only pass does not
 *     store it.
 * <li>Each column's softmax is computed once (one exp per entry), and the exponentials are reused
 *     for δ₂, written directly; the loss uses the log-sum-exp of the same pass. δ₂ scales P by the
 *     column sum of Y, so it matches the definition for any Y, not only one-hot columns.
 * <li>The weight gradients δ₂hᵀ and δ₁Xᵀ (inner dimension N) transpose h and X into buffers and
 *     use {@code mult}, EJML's row-axpy kernel, rather than {@code multTransB}'s N-long dot
 *     products; the bias gradients are summed in the loop that forms δ₁.
 * </ul>
 *
 * <p>Not thread-safe: one instance per thread.
 */
public final class HandOptimalMlp {
    private final DMatrixRMaj z1 = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj sig1 = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj h = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj ht = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj xt = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj z2 = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj delta2 = new DMatrixRMaj(1, 1);
    /** W₂ᵀδ₂, then δ₁ in place. */
    private final DMatrixRMaj delta1 = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj gradW1 = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj gradB1 = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj gradW2 = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj gradB2 = new DMatrixRMaj(1, 1);

    /** The loss alone (forward pass only). Inputs are not modified. */
    public double value(DMatrixRMaj W1, DMatrixRMaj b1, DMatrixRMaj W2, DMatrixRMaj b2,
                        DMatrixRMaj X, DMatrixRMaj Y) {
        int hidden = W1.numRows;
        int n = X.numCols;
        affine(W1, b1, X, z1);
        h.reshape(hidden, n);
        double[] z = z1.data;
        double[] hd = h.data;
        for (int i = 0, len = hidden * n; i < len; i++) {
            hd[i] = z[i] * sigmoid(z[i]);
        }
        affine(W2, b2, h, z2);
        return softmaxCrossEntropy(z2, Y, null);
    }

    /** Loss and gradients; read them with the {@code grad...()} accessors. Inputs are not modified. */
    public double gradient(DMatrixRMaj W1, DMatrixRMaj b1, DMatrixRMaj W2, DMatrixRMaj b2,
                           DMatrixRMaj X, DMatrixRMaj Y) {
        int hidden = W1.numRows;
        int classes = W2.numRows;
        int n = X.numCols;

        affine(W1, b1, X, z1);
        sig1.reshape(hidden, n);
        h.reshape(hidden, n);
        double[] z = z1.data;
        double[] s = sig1.data;
        double[] hd = h.data;
        for (int i = 0, len = hidden * n; i < len; i++) {
            double si = sigmoid(z[i]);
            s[i] = si;
            hd[i] = z[i] * si;
        }
        affine(W2, b2, h, z2);
        delta2.reshape(classes, n);
        double loss = softmaxCrossEntropy(z2, Y, delta2);

        // Layer 2: ∂W₂ = δ₂·hᵀ, ∂b₂ = δ₂·1.
        CommonOps_DDRM.transpose(h, ht);
        CommonOps_DDRM.mult(delta2, ht, gradW2);
        rowSums(delta2, gradB2);

        // δ₁ = (W₂ᵀ·δ₂) ∘ swish′(z₁), ∂b₁ = δ₁·1 in the same pass.
        CommonOps_DDRM.multTransA(W2, delta2, delta1);
        gradB1.reshape(hidden, 1);
        double[] d1 = delta1.data;
        for (int i = 0, idx = 0; i < hidden; i++) {
            double sum = 0;
            for (int j = 0; j < n; j++, idx++) {
                double si = s[idx];
                double v = d1[idx] * (si + z[idx] * si * (1.0 - si));
                d1[idx] = v;
                sum += v;
            }
            gradB1.data[i] = sum;
        }

        // ∂W₁ = δ₁·Xᵀ.
        CommonOps_DDRM.transpose(X, xt);
        CommonOps_DDRM.mult(delta1, xt, gradW1);
        return loss;
    }

    public DMatrixRMaj gradW1() {
        return gradW1;
    }

    public DMatrixRMaj gradB1() {
        return gradB1;
    }

    public DMatrixRMaj gradW2() {
        return gradW2;
    }

    public DMatrixRMaj gradB2() {
        return gradB2;
    }

    /** out = W·A + b·1ᵀ: the bias rows first, then the product accumulated onto them. */
    private static void affine(DMatrixRMaj W, DMatrixRMaj b, DMatrixRMaj A, DMatrixRMaj out) {
        int rows = W.numRows;
        int cols = A.numCols;
        out.reshape(rows, cols);
        double[] o = out.data;
        for (int i = 0, idx = 0; i < rows; i++) {
            double bi = b.data[i];
            for (int j = 0; j < cols; j++, idx++) {
                o[idx] = bi;
            }
        }
        CommonOps_DDRM.multAdd(W, A, out);
    }

    /**
     * Mean over columns of −Σᵢ Yᵢⱼ log softmax(z₍:,j₎)ᵢ; when {@code delta} is not null it receives
     * ∂L/∂z = (softmax(z)·(Σᵢ Yᵢⱼ) − Y)/N, from the same exponentials.
     */
    private static double softmaxCrossEntropy(DMatrixRMaj z, DMatrixRMaj Y, DMatrixRMaj delta) {
        int classes = z.numRows;
        int n = z.numCols;
        double[] zd = z.data;
        double[] yd = Y.data;
        double loss = 0;
        double invN = 1.0 / n;
        for (int j = 0; j < n; j++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0, idx = j; k < classes; k++, idx += n) {
                max = Math.max(max, zd[idx]);
            }
            double sum = 0;
            if (delta == null) {
                for (int k = 0, idx = j; k < classes; k++, idx += n) {
                    sum += Math.exp(zd[idx] - max);
                }
            } else {
                double[] dd = delta.data;
                for (int k = 0, idx = j; k < classes; k++, idx += n) {
                    double e = Math.exp(zd[idx] - max);
                    dd[idx] = e;
                    sum += e;
                }
            }
            double lse = max + Math.log(sum);
            double ySum = 0;
            for (int k = 0, idx = j; k < classes; k++, idx += n) {
                double y = yd[idx];
                loss += y * (lse - zd[idx]);
                ySum += y;
            }
            if (delta != null) {
                double[] dd = delta.data;
                double scale = ySum / sum * invN;
                for (int k = 0, idx = j; k < classes; k++, idx += n) {
                    dd[idx] = dd[idx] * scale - yd[idx] * invN;
                }
            }
        }
        return loss * invN;
    }

    /** out = A·1 (r×1). */
    private static void rowSums(DMatrixRMaj a, DMatrixRMaj out) {
        int rows = a.numRows;
        int cols = a.numCols;
        out.reshape(rows, 1);
        for (int i = 0, idx = 0; i < rows; i++) {
            double sum = 0;
            for (int j = 0; j < cols; j++, idx++) {
                sum += a.data[idx];
            }
            out.data[i] = sum;
        }
    }

    /** σ(x) without forming e^|x|. */
    private static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }
}
