package dev.adjoint.spark;

import java.io.Serializable;

/**
 * A partial sum of block values and gradients, each block weighted (by its column count for a
 * {@link Reduction#MEAN} loss, by 1 for a {@link Reduction#SUM}). The gradient array is allocated
 * by the first block added, so the zero value sent to every partition is tiny.
 */
final class Partial implements Serializable {
    private static final long serialVersionUID = 1L;

    double value;
    double[] gradient;
    long columns;
    int blocks;

    /** Adds another partial sum into this one; returns this. */
    Partial merge(Partial other) {
        if (other.blocks == 0) {
            return this;
        }
        if (blocks == 0) {
            return other;
        }
        value += other.value;
        columns += other.columns;
        blocks += other.blocks;
        if (gradient != null && other.gradient != null) {
            for (int i = 0; i < gradient.length; i++) {
                gradient[i] += other.gradient[i];
            }
        }
        return this;
    }
}
