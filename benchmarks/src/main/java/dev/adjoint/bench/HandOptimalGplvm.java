package dev.adjoint.bench;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * The linear-kernel GP-LVM log-likelihood L = −(D/2)·log det K − ½·tr(K⁻¹YYᵀ),
 * K = αXXᵀ + cI with c = 1/β (X N×q, Y N×D), and its gradients, written the way an expert writes
 * it when q ≪ N: through the q×q matrix A = cI_q + αXᵀX (matrix determinant lemma and Woodbury),
 * never forming an N×N matrix. Single thread, EJML procedural API, no allocation per call once
 * shapes repeat.
 *
 * <p>With S = XᵀX (q×q), P = XᵀY (q×D), T = P·Pᵀ (q×q) and A = cI + αS:
 * <ul>
 * <li>log det K = (N − q)·log c + log det A (one q×q Cholesky);
 * <li>K⁻¹ = (1/c)(I − α·X·A⁻¹·Xᵀ), so tr(K⁻¹YYᵀ) = (‖Y‖² − α⟨A⁻¹, T⟩)/c;
 * <li>K⁻¹X = X·A⁻¹ (because αA⁻¹S = I − cA⁻¹), and K⁻¹YYᵀK⁻¹X = K⁻¹(Y·Pᵀ)·A⁻¹, hence
 *     ∂L/∂X = α(K⁻¹YYᵀK⁻¹ − D·K⁻¹)X = X·(−αD·A⁻¹ − (α²/c)·A⁻¹TA⁻¹) + (Y·Pᵀ)·((α/c)·A⁻¹);
 * <li>∂L/∂α = ⟨GX, X⟩ = ½[(⟨A⁻¹, T⟩ − α⟨A⁻¹TA⁻¹, S⟩)/c − D⟨A⁻¹, S⟩];
 * <li>∂L/∂β = −c²·tr G with tr G = ½(‖K⁻¹Y‖² − D·tr K⁻¹),
 *     ‖K⁻¹Y‖² = (‖Y‖² − 2α⟨A⁻¹, T⟩ + α²⟨A⁻¹TA⁻¹, S⟩)/c² and tr K⁻¹ = (N − α⟨A⁻¹, S⟩)/c.
 * </ul>
 * The only passes over N-sized data are S, P = XᵀY and Y·Pᵀ (O(NqD) each), ‖Y‖² and the two N×q×q
 * products of ∂X; everything else is q×q. {@link #value} needs S, P, ‖Y‖² and the q×q work only.
 *
 * <p>Accuracy: the forms subtract ‖Y‖² from terms of similar size, so when the latent part explains
 * almost all of Y (c ≪ α·λ(XᵀX)) they lose about log₁₀ of that ratio in digits, where the dense
 * Cholesky form does not. On the benchmark's inputs they agree with the dense generated class to
 * better than 1e-12.
 *
 * <p>Not thread-safe: one instance per thread.
 */
public final class HandOptimalGplvm {
    private final DMatrixRMaj s = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj p = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj t = new DMatrixRMaj(1, 1);
    /** A = cI + αS, factored in place. */
    private final DMatrixRMaj factor = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj aInv = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj tmp = new DMatrixRMaj(1, 1);
    /** A⁻¹TA⁻¹, then the q×q multiplier of X in ∂X. */
    private final DMatrixRMaj ata = new DMatrixRMaj(1, 1);
    /** Y·Pᵀ, N×q. */
    private final DMatrixRMaj ypt = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj gradX = new DMatrixRMaj(1, 1);
    private LinearSolverDense<DMatrixRMaj> chol;
    private int cholSize = -1;
    private double gradAlpha;
    private double gradBeta;

    /** The log-likelihood alone. Inputs are not modified. */
    public double value(DMatrixRMaj X, double alpha, double beta, DMatrixRMaj Y) {
        int n = X.numRows;
        int q = X.numCols;
        int d = Y.numCols;
        double c = 1.0 / beta;
        double logDetA = factorA(X, alpha, c, Y);
        CommonOps_DDRM.multOuter(p, t);
        double yy = sumSquares(Y);
        double quad = (yy - alpha * dot(aInv, t)) / c;
        double logDetK = (n - q) * Math.log(c) + logDetA;
        return -0.5 * d * logDetK - 0.5 * quad;
    }

    /** Log-likelihood and gradients; read them with the {@code grad...()} accessors. Inputs are not modified. */
    public double gradient(DMatrixRMaj X, double alpha, double beta, DMatrixRMaj Y) {
        int n = X.numRows;
        int q = X.numCols;
        int d = Y.numCols;
        double c = 1.0 / beta;
        double logDetA = factorA(X, alpha, c, Y);
        CommonOps_DDRM.multOuter(p, t);
        double yy = sumSquares(Y);
        double aT = dot(aInv, t);
        double aS = dot(aInv, s);
        double quad = (yy - alpha * aT) / c;
        double logDetK = (n - q) * Math.log(c) + logDetA;
        double loss = -0.5 * d * logDetK - 0.5 * quad;

        // A⁻¹TA⁻¹ and ⟨A⁻¹TA⁻¹, S⟩
        CommonOps_DDRM.mult(aInv, t, tmp);
        CommonOps_DDRM.mult(tmp, aInv, ata);
        double ataS = dot(ata, s);

        gradAlpha = 0.5 * ((aT - alpha * ataS) / c - d * aS);
        double kInvYSquared = (yy - 2 * alpha * aT + alpha * alpha * ataS) / (c * c);
        double traceKInv = (n - alpha * aS) / c;
        gradBeta = -c * c * 0.5 * (kInvYSquared - d * traceKInv);

        // ∂X = X·(−αD·A⁻¹ − (α²/c)·A⁻¹TA⁻¹) + (Y·Pᵀ)·((α/c)·A⁻¹)
        CommonOps_DDRM.add(-alpha * d, aInv, -alpha * alpha / c, ata, ata);
        CommonOps_DDRM.multTransB(Y, p, ypt);
        CommonOps_DDRM.mult(X, ata, gradX);
        CommonOps_DDRM.multAdd(alpha / c, ypt, aInv, gradX);
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

    /** S = XᵀX, P = XᵀY, A = cI + αS; factors A, fills A⁻¹ and returns log det A. */
    private double factorA(DMatrixRMaj X, double alpha, double c, DMatrixRMaj Y) {
        int q = X.numCols;
        if (q != cholSize) {
            chol = LinearSolverFactory_DDRM.chol(q);
            cholSize = q;
        }
        CommonOps_DDRM.multInner(X, s);
        CommonOps_DDRM.multTransA(X, Y, p);
        factor.reshape(q, q);
        CommonOps_DDRM.scale(alpha, s, factor);
        for (int i = 0; i < q; i++) {
            factor.data[i * q + i] += c;
        }
        if (!chol.setA(factor)) {
            throw new IllegalArgumentException("cI + αXᵀX is not positive definite");
        }
        double logDet;
        if (chol.modifiesA()) {
            logDet = 0;
            for (int i = 0; i < q; i++) {
                logDet += Math.log(factor.data[i * q + i]);
            }
            logDet *= 2;
        } else {
            throw new IllegalStateException("expected EJML's in-place Cholesky solver for q = " + q);
        }
        aInv.reshape(q, q);
        chol.invert(aInv);
        return logDet;
    }

    private static double dot(DMatrixRMaj a, DMatrixRMaj b) {
        double total = 0;
        for (int i = 0, len = a.getNumElements(); i < len; i++) {
            total += a.data[i] * b.data[i];
        }
        return total;
    }

    private static double sumSquares(DMatrixRMaj a) {
        double total = 0;
        for (int i = 0, len = a.getNumElements(); i < len; i++) {
            total += a.data[i] * a.data[i];
        }
        return total;
    }
}
