package dev.adjoint.bench;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * The linear-kernel GP-LVM log-likelihood L = −(D/2)·log det K − ½·tr(K⁻¹YYᵀ), K = αXXᵀ + I/β,
 * and its gradients, written by hand with the dense N×N kernel matrix (what an expert writes when
 * the Woodbury form of {@link HandOptimalGplvm} does not apply, i.e. q is not small against N):
 * G = ½(K⁻¹YYᵀK⁻¹ − D·K⁻¹), ∂X = 2αGX, ∂α = ⟨GX, X⟩, ∂β = −tr(G)/β².
 *
 * <ul>
 * <li>K = α·X·Xᵀ + I/β is built with α folded into the product, from a transposed copy of X and
 *     {@code mult} (an N×N outer product with inner dimension q: {@code multTransB} would run N²
 *     dot products of length q).
 * <li>{@link #value}: one Cholesky K = LLᵀ, log det K = 2·Σ log Lᵢᵢ, and
 *     tr(K⁻¹YYᵀ) = ‖L⁻¹Y‖²_F from one triangular solve; K⁻¹ is never formed.
 * <li>{@link #gradient}: the same factor gives K⁻¹ (needed for D·K⁻¹X and tr K⁻¹) and A = K⁻¹Y;
 *     G·X = ½(A·(AᵀX) − D·K⁻¹X) is formed without the N×N matrix A·Aᵀ, tr(K⁻¹YYᵀ) = ⟨A, Y⟩,
 *     tr G = ½(‖A‖² − D·tr K⁻¹).
 * </ul>
 *
 * <p>Not thread-safe: one instance per thread.
 */
public final class HandWrittenDenseGplvm {
    private final LinearSolverDense<DMatrixRMaj> chol;
    private final DMatrixRMaj xt = new DMatrixRMaj(1, 1);
    /** K, factored in place (its lower triangle becomes L). */
    private final DMatrixRMaj factor = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj kInv = new DMatrixRMaj(1, 1);
    /** L⁻¹Y (value) or A = K⁻¹Y (gradient), N×D. */
    private final DMatrixRMaj a = new DMatrixRMaj(1, 1);
    /** AᵀX, D×q. */
    private final DMatrixRMaj atx = new DMatrixRMaj(1, 1);
    /** K⁻¹X, N×q. */
    private final DMatrixRMaj kInvX = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj gradX = new DMatrixRMaj(1, 1);
    private double gradAlpha;
    private double gradBeta;

    /** @param n the number of points N (rows of X and Y), which sizes the Cholesky solver */
    public HandWrittenDenseGplvm(int n) {
        chol = LinearSolverFactory_DDRM.chol(n);
        if (!chol.modifiesA()) {
            // log det and L are read off the in-place factor below.
            throw new IllegalStateException("expected EJML's in-place Cholesky solver for n = " + n);
        }
    }

    /** The log-likelihood alone. Inputs are not modified. */
    public double value(DMatrixRMaj X, double alpha, double beta, DMatrixRMaj Y) {
        int n = X.numRows;
        int d = Y.numCols;
        double logDet = factorK(X, alpha, beta);
        a.setTo(Y);
        TriangularSolver_DDRM.solveL(factor.data, a.data, n, d);
        double quad = 0;
        for (int i = 0, len = n * d; i < len; i++) {
            quad += a.data[i] * a.data[i];
        }
        return -0.5 * d * logDet - 0.5 * quad;
    }

    /** Log-likelihood and gradients; read them with the {@code grad...()} accessors. Inputs are not modified. */
    public double gradient(DMatrixRMaj X, double alpha, double beta, DMatrixRMaj Y) {
        int n = X.numRows;
        int d = Y.numCols;
        double logDet = factorK(X, alpha, beta);
        kInv.reshape(n, n);
        chol.invert(kInv);

        // A = K⁻¹Y; tr(K⁻¹YYᵀ) = ⟨A, Y⟩.
        CommonOps_DDRM.mult(kInv, Y, a);
        double quad = 0;
        double aa = 0;
        for (int i = 0, len = n * d; i < len; i++) {
            double v = a.data[i];
            quad += v * Y.data[i];
            aa += v * v;
        }
        double loss = -0.5 * d * logDet - 0.5 * quad;

        // ∂X = 2α·G·X = α(A·(AᵀX) − D·K⁻¹X); ∂α = ⟨GX, X⟩ = ⟨∂X, X⟩/(2α) computed from GX directly.
        CommonOps_DDRM.multTransA(a, X, atx);
        CommonOps_DDRM.mult(kInv, X, kInvX);
        CommonOps_DDRM.mult(a, atx, gradX);                 // A·(AᵀX)
        CommonOps_DDRM.addEquals(gradX, -d, kInvX);         // 2·G·X
        double gx = 0;
        for (int i = 0, len = X.getNumElements(); i < len; i++) {
            gx += gradX.data[i] * X.data[i];
        }
        gradAlpha = 0.5 * gx;
        CommonOps_DDRM.scale(alpha, gradX);

        // ∂β = −tr(G)/β², tr G = ½(‖A‖² − D·tr K⁻¹).
        gradBeta = -0.5 * (aa - d * CommonOps_DDRM.trace(kInv)) / (beta * beta);
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

    /** K = α·X·Xᵀ + I/β, Cholesky-factored in place into {@link #factor}; returns log det K. */
    private double factorK(DMatrixRMaj X, double alpha, double beta) {
        int n = X.numRows;
        CommonOps_DDRM.transpose(X, xt);
        CommonOps_DDRM.mult(alpha, X, xt, factor);
        double invBeta = 1.0 / beta;
        for (int i = 0; i < n; i++) {
            factor.data[i * n + i] += invBeta;
        }
        if (!chol.setA(factor)) {
            throw new IllegalArgumentException("K = αXXᵀ + I/β is not positive definite");
        }
        double logDet = 0;
        for (int i = 0; i < n; i++) {
            logDet += Math.log(factor.data[i * n + i]);
        }
        return 2 * logDet;
    }
}
