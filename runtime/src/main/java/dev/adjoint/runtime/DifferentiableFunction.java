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

    /**
     * The highest derivative order the generated class provides: 1, or 2 when the source method
     * is {@code @Differentiable(order = 2)} (then the Hessian methods below work).
     */
    default int order() {
        return 1;
    }

    /**
     * Forward pass, backward pass and a Hessian-vector product: afterwards
     * {@link #gradientOf} gives the gradient and {@link #hessianVectorProductOf} gives H·d for
     * each {@code wrt} parameter, where H is the Hessian with respect to all {@code wrt}
     * parameters and d stacks the directions.
     *
     * @param arguments  as for {@link #gradient}, in declaration order
     * @param directions one per {@code wrt} parameter, in declaration order: a
     *                   {@code DMatrixRMaj} or {@code SimpleMatrix} shaped like a matrix
     *                   parameter, a {@link Number} for a {@code double} one
     * @return the value
     * @throws UnsupportedOperationException if {@link #order()} is 1
     */
    default double hessianVectorProduct(Object[] arguments, Object[] directions) {
        throw new UnsupportedOperationException(name() + " has no second derivatives: declare it @Differentiable(order = 2)");
    }

    /**
     * H·d for a {@code wrt} parameter from the last {@link #hessianVectorProduct} call: shaped like
     * the matrix argument, or 1×1 for a {@code double} parameter. Owned by the function.
     *
     * @throws IllegalArgumentException if the parameter is not {@code wrt}
     * @throws UnsupportedOperationException if {@link #order()} is 1
     */
    default DMatrixRMaj hessianVectorProductOf(int parameterIndex) {
        throw new UnsupportedOperationException(name() + " has no second derivatives: declare it @Differentiable(order = 2)");
    }

    /** {@link #hessianVectorProductOf(int)} by parameter name. */
    default DMatrixRMaj hessianVectorProductOf(String parameterName) {
        List<Parameter> parameters = parameters();
        for (int i = 0; i < parameters.size(); i++) {
            if (parameters.get(i).name().equals(parameterName)) {
                return hessianVectorProductOf(i);
            }
        }
        throw new IllegalArgumentException(name() + " has no parameter named '" + parameterName
                + "'; parameters are " + parameters.stream().map(Parameter::name).toList());
    }

    /**
     * The full Hessian with respect to all {@code wrt} parameters stacked in declaration order
     * (each matrix parameter's entries in row-major order, each {@code double} one entry); also
     * fills the gradients. Symmetric; owned by the function and overwritten by the next call.
     *
     * @throws UnsupportedOperationException if {@link #order()} is 1
     */
    default DMatrixRMaj hessian(Object... arguments) {
        throw new UnsupportedOperationException(name() + " has no second derivatives: declare it @Differentiable(order = 2)");
    }
}
