package dev.adjoint.runtime.f32;

import org.ejml.data.FMatrixRMaj;

/**
 * The values of one loop-carried float32 matrix at the start of each iteration of a loop, saved by the
 * forward pass of generated code for its backward pass. Slots are reused across calls: the array
 * grows only when a trip count exceeds every earlier one, and each slot is reshaped in place, so
 * a call whose trip count and shapes do not exceed earlier ones allocates nothing.
 */
public final class MatrixTapeF32 {
    private FMatrixRMaj[] slots = new FMatrixRMaj[0];

    public MatrixTapeF32() {}

    /** Copies {@code value} into slot {@code k}. */
    public void save(int k, FMatrixRMaj value) {
        if (k >= slots.length) {
            FMatrixRMaj[] grown = java.util.Arrays.copyOf(slots, Math.max(k + 1, 2 * slots.length));
            for (int i = slots.length; i < grown.length; i++) {
                grown[i] = new FMatrixRMaj(1, 1);
            }
            slots = grown;
        }
        KernelsF32.copy(value, slots[k]);
    }

    /** The matrix saved in slot {@code k}: read only. */
    public FMatrixRMaj get(int k) {
        return slots[k];
    }
}
