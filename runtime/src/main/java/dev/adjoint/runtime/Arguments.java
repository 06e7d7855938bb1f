package dev.adjoint.runtime;

import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;

/**
 * Unpacks the {@code Object...} arguments of {@link DifferentiableFunction#value(Object...)} for
 * generated code, with messages that name the function and the parameter.
 */
public final class Arguments {
    private Arguments() {}

    /** Checks the argument count. */
    public static void count(Object[] arguments, int expected, String function) {
        if (arguments == null || arguments.length != expected) {
            throw new IllegalArgumentException(function + " takes " + expected + " arguments, got "
                    + (arguments == null ? "null" : Integer.toString(arguments.length)));
        }
    }

    /** A matrix argument: a {@code DMatrixRMaj} or a {@code SimpleMatrix} over one. */
    public static DMatrixRMaj matrix(Object[] arguments, int index, String parameter) {
        Object a = arguments[index];
        if (a instanceof DMatrixRMaj m) {
            return m;
        }
        if (a instanceof SimpleMatrix s) {
            return s.getDDRM();
        }
        throw new IllegalArgumentException("argument " + parameter + " must be a DMatrixRMaj or SimpleMatrix, got "
                + (a == null ? "null" : a.getClass().getName()));
    }

    /** A {@code double} argument: any {@link Number}. */
    public static double scalar(Object[] arguments, int index, String parameter) {
        if (arguments[index] instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("argument " + parameter + " must be a number, got "
                + (arguments[index] == null ? "null" : arguments[index].getClass().getName()));
    }

    /** An {@code int} argument: an integral {@link Number}. */
    public static int integer(Object[] arguments, int index, String parameter) {
        if (arguments[index] instanceof Number n && n.doubleValue() == n.intValue()) {
            return n.intValue();
        }
        throw new IllegalArgumentException("argument " + parameter + " must be an int, got " + arguments[index]);
    }
}
