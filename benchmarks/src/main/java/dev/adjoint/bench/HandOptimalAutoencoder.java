package dev.adjoint.bench;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The tied autoencoder L = ½‖WᵀWX − X‖²_F (W m×n, X n×N) and ∂L/∂W = W·r·Xᵀ + W·X·rᵀ
 * (r = WᵀWX − X), written as fast as a careful engineer writes it with EJML's procedural API,
 * single thread, no allocation per call once shapes repeat:
 *
 * <ul>
 * <li>WᵀWX as Wᵀ·(W·X), never the n×n matrix WᵀW, and W·X (U) kept from the forward pass for
 *     the gradient's second term U·rᵀ;
 * <li>∂W = (W·r)·Xᵀ + U·rᵀ, never through the n×n matrix r·Xᵀ: five m×n×N products in all;
 * <li>the two outer-product-shaped products (inner dimension N) are not {@code multTransB}, which
 *     runs one length-N dot product per entry (length 1 for a single sample), but a transpose of X
 *     and r into N×n buffers followed by {@code mult}/{@code multAdd}, which EJML runs as
 *     row-by-row axpy ("reorder") loops; with N = 1 the gradient is a fused rank-2 update loop;
 * <li>{@link #value} is the forward pass only, the residual and its square fused in one loop.
 * </ul>
 *
 * <p>The residual r is formed explicitly, so the loss stays accurate when WᵀWX ≈ X. (A Gram form,
 * ½(‖WᵀU‖² − 2‖U‖² + ‖X‖²) and ∂W = (WWᵀ − 2I)·U·Xᵀ + U·Uᵀ·W, has fewer flops for large
 * batches but cancels catastrophically near the optimum, so it is not used.)
 *
 * <p>Not thread-safe: one instance per thread.
 */
public final class HandOptimalAutoencoder {
    /** U = W·X, m×N. */
    private final DMatrixRMaj u = new DMatrixRMaj(1, 1);
    /** Wᵀ·U, then r = Wᵀ·U − X in place, n×N. */
    private final DMatrixRMaj r = new DMatrixRMaj(1, 1);
    /** W·r, m×N. */
    private final DMatrixRMaj wr = new DMatrixRMaj(1, 1);
    /** Xᵀ, N×n. */
    private final DMatrixRMaj xt = new DMatrixRMaj(1, 1);
    /** rᵀ, N×n. */
    private final DMatrixRMaj rt = new DMatrixRMaj(1, 1);
    /** ∂L/∂W, m×n. */
    private final DMatrixRMaj gradW = new DMatrixRMaj(1, 1);

    /** The loss alone (forward pass only). Inputs are not modified. */
    public double value(DMatrixRMaj W, DMatrixRMaj X) {
        CommonOps_DDRM.mult(W, X, u);
        CommonOps_DDRM.multTransA(W, u, r);
        double total = 0;
        double[] rd = r.data;
        double[] xd = X.data;
        for (int i = 0, len = r.getNumElements(); i < len; i++) {
            double d = rd[i] - xd[i];
            total += d * d;
        }
        return 0.5 * total;
    }

    /** Loss and gradient; read the gradient with {@link #gradW()}. Inputs are not modified. */
    public double gradient(DMatrixRMaj W, DMatrixRMaj X) {
        int m = W.numRows;
        int n = W.numCols;
        int samples = X.numCols;
        CommonOps_DDRM.mult(W, X, u);
        CommonOps_DDRM.multTransA(W, u, r);
        double total = 0;
        double[] rd = r.data;
        double[] xd = X.data;
        for (int i = 0, len = r.getNumElements(); i < len; i++) {
            double d = rd[i] - xd[i];
            rd[i] = d;
            total += d * d;
        }

        CommonOps_DDRM.mult(W, r, wr);
        if (samples == 1) {
            // ∂W[i][j] = (W·r)ᵢ·xⱼ + (W·x)ᵢ·rⱼ: one pass over ∂W.
            gradW.reshape(m, n);
            double[] g = gradW.data;
            double[] a = wr.data;
            double[] b = u.data;
            for (int i = 0, idx = 0; i < m; i++) {
                double ai = a[i];
                double bi = b[i];
                for (int j = 0; j < n; j++, idx++) {
                    g[idx] = ai * xd[j] + bi * rd[j];
                }
            }
        } else {
            CommonOps_DDRM.transpose(X, xt);
            CommonOps_DDRM.transpose(r, rt);
            CommonOps_DDRM.mult(wr, xt, gradW);       // (W·r)·Xᵀ
            CommonOps_DDRM.multAdd(u, rt, gradW);     // + (W·X)·rᵀ
        }
        return 0.5 * total;
    }

    /** ∂L/∂W from the last {@link #gradient} call; overwritten by the next. */
    public DMatrixRMaj gradW() {
        return gradW;
    }
}
