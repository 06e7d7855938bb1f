package dev.adjoint.runtime;

import java.util.Objects;

/**
 * One parameter of a {@link DifferentiableFunction}, in declaration order.
 *
 * @param name the Java parameter name
 * @param kind what the argument is
 * @param wrt  whether the function differentiates with respect to it (never for INTEGER)
 */
public record Parameter(String name, Kind kind, boolean wrt) {

    /** The kind of argument a parameter takes. */
    public enum Kind {
        /** A matrix: pass a {@code DMatrixRMaj} or a {@code SimpleMatrix}. */
        MATRIX,
        /** A {@code double}: pass any {@link Number}. */
        SCALAR,
        /** An {@code int} (a constant for differentiation): pass any {@link Number}. */
        INTEGER
    }

    public Parameter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (wrt && kind == Kind.INTEGER) {
            throw new IllegalArgumentException("int parameter '" + name + "' cannot be differentiated");
        }
    }
}
