package dev.adjoint.runtime;

/**
 * The values of one loop-carried {@code double}, {@code int} or {@code boolean} (as 0 or 1) at
 * the start of each iteration of a loop, saved by the forward pass of generated code for its
 * backward pass. Grows only when a trip count exceeds every earlier one.
 */
public final class ScalarTape {
    private double[] values = new double[0];

    public ScalarTape() {}

    public void save(int k, double value) {
        if (k >= values.length) {
            values = java.util.Arrays.copyOf(values, Math.max(k + 1, 2 * values.length));
        }
        values[k] = value;
    }

    public double get(int k) {
        return values[k];
    }
}
