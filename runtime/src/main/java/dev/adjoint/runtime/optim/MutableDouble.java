package dev.adjoint.runtime.optim;

/**
 * A {@code double} that an optimizer can update in place inside an argument array.
 *
 * <p>Generated functions accept any {@link Number} for a {@code double} parameter, so an
 * {@link Objective} replaces each scalar argument it optimizes by one of these when it is
 * created; every step then writes the new value into it instead of boxing a new
 * {@code Double}. Read the current value with {@link #doubleValue()}.
 */
public final class MutableDouble extends Number {
    private static final long serialVersionUID = 1L;

    private double value;

    /** A holder with the given initial value. */
    public MutableDouble(double value) {
        this.value = value;
    }

    /** Replaces the value. */
    public void set(double value) {
        this.value = value;
    }

    @Override
    public double doubleValue() {
        return value;
    }

    @Override
    public float floatValue() {
        return (float) value;
    }

    @Override
    public long longValue() {
        return (long) value;
    }

    @Override
    public int intValue() {
        return (int) value;
    }

    @Override
    public String toString() {
        return Double.toString(value);
    }
}
