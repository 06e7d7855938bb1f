package dev.adjoint.sample;

import dev.adjoint.runtime.DifferentiableFunction;
import dev.adjoint.runtime.Parameter;
import java.util.List;
import org.ejml.data.DMatrixRMaj;

/**
 * Passes every call through to a generated function, counting gradient calls, Hessian-vector
 * products and their time.
 */
final class TimedFunction implements DifferentiableFunction {
    private final DifferentiableFunction f;
    private long gradientCalls;
    private long gradientNanos;
    private long hessianVectorProducts;
    private long hessianVectorNanos;

    TimedFunction(DifferentiableFunction f) {
        this.f = f;
    }

    @Override
    public String name() {
        return f.name();
    }

    @Override
    public List<Parameter> parameters() {
        return f.parameters();
    }

    @Override
    public double value(Object... arguments) {
        return f.value(arguments);
    }

    @Override
    public double gradient(Object... arguments) {
        long start = System.nanoTime();
        double v = f.gradient(arguments);
        gradientNanos += System.nanoTime() - start;
        gradientCalls++;
        return v;
    }

    @Override
    public DMatrixRMaj gradientOf(int parameterIndex) {
        return f.gradientOf(parameterIndex);
    }

    @Override
    public int order() {
        return f.order();
    }

    @Override
    public double hessianVectorProduct(Object[] arguments, Object[] directions) {
        long start = System.nanoTime();
        double v = f.hessianVectorProduct(arguments, directions);
        hessianVectorNanos += System.nanoTime() - start;
        hessianVectorProducts++;
        return v;
    }

    @Override
    public DMatrixRMaj hessianVectorProductOf(int parameterIndex) {
        return f.hessianVectorProductOf(parameterIndex);
    }

    @Override
    public DMatrixRMaj hessian(Object... arguments) {
        return f.hessian(arguments);
    }

    long hessianVectorProducts() {
        return hessianVectorProducts;
    }

    /** Mean wall time of one Hessian-vector product call, in seconds (NaN before any call). */
    double secondsPerHessianVectorProduct() {
        return hessianVectorProducts == 0 ? Double.NaN : hessianVectorNanos * 1e-9 / hessianVectorProducts;
    }

    long gradientCalls() {
        return gradientCalls;
    }

    /** Mean wall time of one gradient call, in seconds (NaN before any call). */
    double secondsPerGradient() {
        return gradientCalls == 0 ? Double.NaN : gradientNanos * 1e-9 / gradientCalls;
    }
}
