package dev.adjoint.runtime.f32;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.NormOps_DDRM;

/**
 * {@link NormOps_DDRM#normF} for generated float32 classes, on {@link FMatrixRMaj}, returning a
 * {@code double} accumulated in double.
 */
public final class NormOpsF32 {

    private NormOpsF32() {
    }

    /**
     * ‖a‖_F = √(Σ a_ij²), summed in double. NormOps_DDRM divides by the largest magnitude first so
     * the squares cannot overflow; here they cannot anyway: a float squared is at most about 1.2e77
     * (and at least about 2e−90) and exact in double, so no scaling is needed, and without it the
     * sum is as accurate as the double sum of squares of the same entries.
     */
    public static double normF(FMatrixRMaj a) {
        double total = 0;
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            double v = a.data[i];
            total += v * v;
        }
        return Math.sqrt(total);
    }
}
