package dev.adjoint.bench;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * The linear-kernel GP-LVM log-likelihood L = −(D/2)·log det K − ½·tr(K⁻¹YYᵀ), K = αXXᵀ + I/β,
 * and its gradients, written by hand from the SPEC's closed form with EJML's procedural API:
 * G = ½(K⁻¹YYᵀK⁻¹ − D·K⁻¹), ∂X = 2αGX, ∂α = tr(G·XXᵀ), ∂β = −tr(G)/β².
 *
 * <p>One Cholesky factorization of K (a reused {@code LinearSolverFactory_DDRM.chol} solver) gives
 * log det K (2·Σ log Lᵢᵢ) and K⁻¹. A = K⁻¹Y is formed once and serves three times:
 * tr(K⁻¹YYᵀ) = Σ A∘Y, and K⁻¹YYᵀK⁻¹ = A·Aᵀ (K⁻¹ is symmetric), so neither the N×N matrix YYᵀ
 * nor an N×N×N product is ever formed. ∂α = tr(G·XXᵀ) is evaluated as Σ (GX)∘X, reusing GX from
 * ∂X. No allocation per call once shapes repeat.
 *
 * <p>Not thread-safe: one instance per thread.
 */
public final class HandWrittenGplvm {
    private final LinearSolverDense<DMatrixRMaj> chol;
    private final DMatrixRMaj K = new DMatrixRMaj(1, 1);
    /** Copy of K that the Cholesky solver factors in place (its lower triangle becomes L). */
    private final DMatrixRMaj factor = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj kInv = new DMatrixRMaj(1, 1);
    /** A = K⁻¹Y, N×D. */
    private final DMatrixRMaj a = new DMatrixRMaj(1, 1);
    /** A·Aᵀ = K⁻¹YYᵀK⁻¹, then G in place. */
    private final DMatrixRMaj g = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj gx = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj gradX = new DMatrixRMaj(1, 1);
    private double gradAlpha;
    private double gradBeta;

    /** @param n the number of points N (rows of X and Y), which sizes the Cholesky solver */
    public HandWrittenGplvm(int n) {
        chol = LinearSolverFactory_DDRM.chol(n);
        if (!chol.modifiesA()) {
            // log det is read off the in-place factor below.
            throw new IllegalStateException("expected EJML's in-place Cholesky solver for n = " + n);
        }
    }

    /** Loss and gradients; read them with the {@code grad...()} accessors. Inputs are not modified. */
    public double gradient(DMatrixRMaj X, double alpha, double beta, DMatrixRMaj Y) {
        int n = X.numRows;
        int d = Y.numCols;

        // K = α·X·Xᵀ + I/β
        CommonOps_DDRM.multTransB(alpha, X, X, K);
        double invBeta = 1.0 / beta;
        for (int i = 0; i < n; i++) {
            K.data[i * n + i] += invBeta;
        }

        // One Cholesky: log det K and K⁻¹.
        factor.setTo(K);
        if (!chol.setA(factor)) {
            throw new IllegalArgumentException("K = αXXᵀ + I/β is not positive definite");
        }
        double logDet = 0;
        for (int i = 0; i < n; i++) {
            logDet += Math.log(factor.data[i * n + i]);
        }
        logDet *= 2;
        kInv.reshape(n, n);
        chol.invert(kInv);

        // A = K⁻¹Y; tr(K⁻¹YYᵀ) = Σ A∘Y.
        CommonOps_DDRM.mult(kInv, Y, a);
        double quad = 0;
        for (int i = 0, len = n * d; i < len; i++) {
            quad += a.data[i] * Y.data[i];
        }
        double loss = -0.5 * d * logDet - 0.5 * quad;

        // G = ½(A·Aᵀ − D·K⁻¹)
        CommonOps_DDRM.multTransB(a, a, g);
        CommonOps_DDRM.add(0.5, g, -0.5 * d, kInv, g);

        // ∂X = 2α·G·X; ∂α = tr(G·X·Xᵀ) = Σ (G·X)∘X; ∂β = −tr(G)/β².
        CommonOps_DDRM.mult(g, X, gx);
        double ga = 0;
        for (int i = 0, len = X.getNumElements(); i < len; i++) {
            ga += gx.data[i] * X.data[i];
        }
        gradAlpha = ga;
        CommonOps_DDRM.scale(2 * alpha, gx, gradX);
        gradBeta = -CommonOps_DDRM.trace(g) / (beta * beta);
        return loss;
    }

    public DMatrixRMaj gradX() {
        return gradX;
    }

    public double gradAlpha() {
        return gradAlpha;
    }

    public double gradBeta() {
        return gradBeta;
    }
}
