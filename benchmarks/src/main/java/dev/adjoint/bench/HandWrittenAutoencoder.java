package dev.adjoint.bench;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The tied autoencoder's loss L = ½‖WᵀWX − X‖²_F and its gradient
 * ∂L/∂W = W·r·Xᵀ + W·X·rᵀ (r = WᵀWX − X), written by hand with EJML's procedural API the way
 * a careful engineer would: preallocated workspaces, no materialized transpose, no allocation
 * per call, and every product parenthesized for the fewest flops. With W m×n and X n×N
 * (m &lt; n), WᵀWX is formed as Wᵀ·(W·X), never as the n×n matrix WᵀW times X, and the gradient
 * as (W·r)·Xᵀ + (W·X)·rᵀ, reusing W·X from the forward pass, never through the n×n matrix r·Xᵀ:
 * five m×n×N products in all.
 *
 * <p>Not thread-safe: one instance per thread.
 */
public final class HandWrittenAutoencoder {
    /** W·X, m×N. */
    private final DMatrixRMaj wx = new DMatrixRMaj(1, 1);
    /** r = Wᵀ·(W·X) − X, n×N. */
    private final DMatrixRMaj r = new DMatrixRMaj(1, 1);
    /** W·r, m×N. */
    private final DMatrixRMaj wr = new DMatrixRMaj(1, 1);
    /** ∂L/∂W, m×n. */
    private final DMatrixRMaj gradW = new DMatrixRMaj(1, 1);

    /** Loss and gradient; read the gradient with {@link #gradW()}. Inputs are not modified. */
    public double gradient(DMatrixRMaj W, DMatrixRMaj X) {
        CommonOps_DDRM.mult(W, X, wx);
        CommonOps_DDRM.multTransA(W, wx, r);
        CommonOps_DDRM.subtractEquals(r, X);
        double loss = 0.5 * sumSquares(r);

        CommonOps_DDRM.mult(W, r, wr);
        CommonOps_DDRM.multTransB(wr, X, gradW);      // W·r·Xᵀ (reshapes gradW to m×n)
        CommonOps_DDRM.multAddTransB(wx, r, gradW);   // + W·X·rᵀ
        return loss;
    }

    /** ∂L/∂W from the last {@link #gradient} call; overwritten by the next. */
    public DMatrixRMaj gradW() {
        return gradW;
    }

    static double sumSquares(DMatrixRMaj a) {
        double total = 0;
        double[] data = a.data;
        for (int i = 0, n = a.getNumElements(); i < n; i++) {
            total += data[i] * data[i];
        }
        return total;
    }
}
