package dev.adjoint.bench;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The two-layer Swish network with softmax cross-entropy, forward and backward, written by hand
 * from the SPEC's closed form with EJML's procedural API:
 * z₁ = W₁X + b₁1ᵀ, h = z₁∘σ(z₁), z₂ = W₂h + b₂1ᵀ, L = mean over columns of −Σ Y∘log softmax(z₂);
 * δ₂ = (P − Y)/N, ∂W₂ = δ₂hᵀ, ∂b₂ = δ₂1, δ₁ = (W₂ᵀδ₂)∘(σ(z₁) + z₁σ(z₁)(1 − σ(z₁))),
 * ∂W₁ = δ₁Xᵀ, ∂b₁ = δ₁1.
 *
 * <p>What a careful engineer does beyond the generated code: σ(z₁) is computed once in the
 * forward pass and kept for the backward pass, and each column's softmax is computed once
 * (one exp per entry) and written straight into δ₂. δ₂ = (P − Y)/N is the SPEC's formula, which
 * assumes every column of Y sums to 1 (one-hot or probability targets), as in the benchmark.
 * No allocation per call once shapes repeat.
 *
 * <p>Not thread-safe: one instance per thread.
 */
public final class HandWrittenMlp {
    private final DMatrixRMaj z1 = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj sig1 = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj h = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj z2 = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj delta2 = new DMatrixRMaj(1, 1);
    /** W₂ᵀδ₂, then overwritten in place by δ₁. */
    private final DMatrixRMaj delta1 = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj gradW1 = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj gradB1 = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj gradW2 = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj gradB2 = new DMatrixRMaj(1, 1);

    /** Loss and gradients; read them with the {@code grad...()} accessors. Inputs are not modified. */
    public double gradient(DMatrixRMaj W1, DMatrixRMaj b1, DMatrixRMaj W2, DMatrixRMaj b2,
                           DMatrixRMaj X, DMatrixRMaj Y) {
        int hidden = W1.numRows;
        int classes = W2.numRows;
        int n = X.numCols;

        // Layer 1: z1 = W1·X + b1·1ᵀ; keep σ(z1) for the backward pass.
        CommonOps_DDRM.mult(W1, X, z1);
        addColumnInPlace(z1, b1);
        sig1.reshape(hidden, n);
        h.reshape(hidden, n);
        for (int i = 0, len = hidden * n; i < len; i++) {
            double z = z1.data[i];
            double s = sigmoid(z);
            sig1.data[i] = s;
            h.data[i] = z * s;
        }

        // Layer 2: z2 = W2·h + b2·1ᵀ.
        CommonOps_DDRM.mult(W2, h, z2);
        addColumnInPlace(z2, b2);

        // Softmax cross-entropy, column by column; δ2 = (P − Y)/N written directly.
        delta2.reshape(classes, n);
        double loss = 0;
        double invN = 1.0 / n;
        for (int j = 0; j < n; j++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0, idx = j; k < classes; k++, idx += n) {
                max = Math.max(max, z2.data[idx]);
            }
            double sum = 0;
            for (int k = 0, idx = j; k < classes; k++, idx += n) {
                double e = Math.exp(z2.data[idx] - max);
                delta2.data[idx] = e;
                sum += e;
            }
            double lse = max + Math.log(sum);
            double invSum = 1.0 / sum;
            for (int k = 0, idx = j; k < classes; k++, idx += n) {
                double y = Y.data[idx];
                loss += y * (lse - z2.data[idx]);
                delta2.data[idx] = (delta2.data[idx] * invSum - y) * invN;
            }
        }
        loss *= invN;

        // Layer 2 gradients.
        CommonOps_DDRM.multTransB(delta2, h, gradW2);
        CommonOps_DDRM.sumRows(delta2, gradB2);

        // Back through Swish: δ1 = (W2ᵀ·δ2) ∘ (σ + z·σ·(1 − σ)).
        CommonOps_DDRM.multTransA(W2, delta2, delta1);
        for (int i = 0, len = hidden * n; i < len; i++) {
            double s = sig1.data[i];
            delta1.data[i] *= s + z1.data[i] * s * (1.0 - s);
        }

        // Layer 1 gradients.
        CommonOps_DDRM.multTransB(delta1, X, gradW1);
        CommonOps_DDRM.sumRows(delta1, gradB1);
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

    /** a += v·1ᵀ for an r×1 column v. */
    private static void addColumnInPlace(DMatrixRMaj a, DMatrixRMaj v) {
        int cols = a.numCols;
        for (int i = 0, idx = 0; i < a.numRows; i++) {
            double vi = v.data[i];
            for (int j = 0; j < cols; j++, idx++) {
                a.data[idx] += vi;
            }
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
