package dev.adjoint.sample;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/** The closed-form answers the experiments are checked against, computed with EJML. */
final class Spectra {
    private Spectra() {}

    /** Eigenvalues and unit eigenvectors of a symmetric matrix, largest eigenvalue first. */
    record Eigen(double[] values, DMatrixRMaj vectors) {
        /** The first k eigenvectors as the columns of an n×k matrix. */
        DMatrixRMaj top(int k) {
            DMatrixRMaj out = new DMatrixRMaj(vectors.numRows, k);
            CommonOps_DDRM.extract(vectors, 0, vectors.numRows, 0, k, out, 0, 0);
            return out;
        }

        /** Sum of the eigenvalues after the k-th. */
        double tailSum(int k) {
            double sum = 0;
            for (int j = k; j < values.length; j++) {
                sum += values[j];
            }
            return sum;
        }
    }

    /** Symmetric eigendecomposition, sorted by decreasing eigenvalue. */
    static Eigen symmetricEigen(DMatrixRMaj symmetric) {
        int n = symmetric.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(symmetric.copy())) {
            throw new IllegalStateException("symmetric eigendecomposition failed");
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(eig.getEigenvalue(b).real, eig.getEigenvalue(a).real));
        double[] values = new double[n];
        DMatrixRMaj vectors = new DMatrixRMaj(n, n);
        for (int k = 0; k < n; k++) {
            values[k] = eig.getEigenvalue(order[k]).real;
            DMatrixRMaj v = eig.getEigenVector(order[k]);
            double norm = NormOps_DDRM.normF(v);
            for (int i = 0; i < n; i++) {
                vectors.set(i, k, v.get(i) / norm);
            }
        }
        return new Eigen(values, vectors);
    }

    /** Orthonormal basis (n×k) of the column space of an n×k matrix of full column rank. */
    static DMatrixRMaj orthonormalColumns(DMatrixRMaj a) {
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(a.numRows, a.numCols,
                true, false, true);
        if (!svd.decompose(a.copy())) {
            throw new IllegalStateException("SVD failed");
        }
        return svd.getU(null, false);
    }

    /**
     * Largest principal angle, in degrees, between the column spaces of two n×k matrices with
     * orthonormal columns: θ = asin(‖(I − BBᵀ)A‖₂), accurate also for small angles.
     */
    static double largestPrincipalAngleDegrees(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj btA = new DMatrixRMaj(b.numCols, a.numCols);
        CommonOps_DDRM.multTransA(b, a, btA);
        DMatrixRMaj residual = a.copy();
        CommonOps_DDRM.multAdd(-1, b, btA, residual);
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(residual.numRows,
                residual.numCols, false, false, true);
        if (!svd.decompose(residual)) {
            throw new IllegalStateException("SVD failed");
        }
        double max = 0;
        for (int i = 0; i < svd.numberOfSingularValues(); i++) {
            max = Math.max(max, svd.getSingularValues()[i]);
        }
        return Math.toDegrees(Math.asin(Math.min(1, max)));
    }
}
