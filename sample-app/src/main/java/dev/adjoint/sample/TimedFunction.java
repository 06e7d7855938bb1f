package dev.adjoint.sample;

import dev.adjoint.runtime.DifferentiableFunction;
import dev.adjoint.runtime.Parameter;
import java.util.List;
import org.ejml.data.DMatrixRMaj;

/** Passes every call through to a generated function, counting gradient calls and their time. */
final class TimedFunction implements DifferentiableFunction {
    private final DifferentiableFunction f;
    private long gradientCalls;
    private long gradientNanos;

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

    long gradientCalls() {
        return gradientCalls;
    }

    /** Mean wall time of one gradient call, in seconds (NaN before any call). */
    double secondsPerGradient() {
        return gradientCalls == 0 ? Double.NaN : gradientNanos * 1e-9 / gradientCalls;
    }
}
