package dev.adjoint.runtime;

import org.ejml.data.DMatrixRMaj;

/**
 * The values of one loop-carried matrix at the start of each iteration of a loop, saved by the
 * forward pass of generated code for its backward pass. Slots are reused across calls: the array
 * grows only when a trip count exceeds every earlier one, and each slot is reshaped in place, so
 * a call whose trip count and shapes do not exceed earlier ones allocates nothing.
 */
public final class MatrixTape {
    private DMatrixRMaj[] slots = new DMatrixRMaj[0];

    public MatrixTape() {}

    /** Copies {@code value} into slot {@code k}. */
    public void save(int k, DMatrixRMaj value) {
        if (k >= slots.length) {
            DMatrixRMaj[] grown = java.util.Arrays.copyOf(slots, Math.max(k + 1, 2 * slots.length));
            for (int i = slots.length; i < grown.length; i++) {
                grown[i] = new DMatrixRMaj(1, 1);
            }
            slots = grown;
        }
        Kernels.copy(value, slots[k]);
    }

    /** The matrix saved in slot {@code k}: read only. */
    public DMatrixRMaj get(int k) {
        return slots[k];
    }
}
