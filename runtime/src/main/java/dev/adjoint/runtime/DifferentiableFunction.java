package dev.adjoint.runtime;

import java.util.List;
import org.ejml.data.DMatrixRMaj;

/**
 * A scalar function with exact gradients, implemented by every generated class. It lets
 * generic code (the {@link GradientChecker}, an optimizer, a data-parallel trainer) call any
 * generated function without reflection.
 *
 * <p>Arguments are passed in declaration order: a {@code DMatrixRMaj} or {@code SimpleMatrix}
 * for a matrix parameter, a {@link Number} for a {@code double} or {@code int} parameter.
 * Implementations are not thread-safe.
 */
public interface DifferentiableFunction {

    /** Fully qualified name of the source method, e.g. {@code "demo.Losses.tiedAutoencoder"}. */
    String name();

    /** The parameters, in declaration order. */
    List<Parameter> parameters();

    /** Forward pass only. */
    double value(Object... arguments);

    /** Forward and backward pass; returns the value. Gradients are read with {@link #gradientOf}. */
    double gradient(Object... arguments);

    /**
     * The gradient from the last {@link #gradient} call with respect to a parameter: shaped like
     * the matrix argument, or 1×1 for a {@code double} parameter. Owned by the function and
     * overwritten by the next call.
     *
     * @throws IllegalArgumentException if the parameter is not {@code wrt}
     */
    DMatrixRMaj gradientOf(int parameterIndex);

    /** {@link #gradientOf(int)} by parameter name. */
    default DMatrixRMaj gradientOf(String parameterName) {
        List<Parameter> parameters = parameters();
        for (int i = 0; i < parameters.size(); i++) {
            if (parameters.get(i).name().equals(parameterName)) {
                return gradientOf(i);
            }
        }
        throw new IllegalArgumentException(name() + " has no parameter named '" + parameterName
                + "'; parameters are " + parameters.stream().map(Parameter::name).toList());
    }
}
