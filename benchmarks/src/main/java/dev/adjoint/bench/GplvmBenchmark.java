package dev.adjoint.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Linear-kernel GP-LVM log-likelihood with N = 100 points, latent dimension q = 2 and D = 64
 * observed dimensions (α = 0.5, β = 2).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class GplvmBenchmark {
    static final int N = 100;
    static final int Q = 2;
    static final int D = 64;

    private DMatrixRMaj X;
    private DMatrixRMaj Y;
    private double alpha = 0.5;
    private double beta = 2.0;
    private SimpleMatrix simpleX;
    private SimpleMatrix simpleY;
    private BenchLosses_Gplvm generated;
    private HandWrittenGplvm handWritten;

    @Setup
    public void setUp() {
        Random random = new Random(2024);
        X = Agreement.gaussian(random, N, Q, 1.0);
        Y = Agreement.gaussian(random, N, D, 1.0);
        simpleX = SimpleMatrix.wrap(X);
        simpleY = SimpleMatrix.wrap(Y);
        generated = new BenchLosses_Gplvm();
        handWritten = new HandWrittenGplvm(N);

        double loss = generated.gradient(X, alpha, beta, Y);
        Agreement.check("gplvm value()", generated.value(X, alpha, beta, Y), loss);
        Agreement.check("hand-written gplvm loss", handWritten.gradient(X, alpha, beta, Y), loss);
        Agreement.check("hand-written gplvm dX", handWritten.gradX(), generated.gradX());
        Agreement.check("hand-written gplvm dalpha", handWritten.gradAlpha(), generated.gradAlpha());
        Agreement.check("hand-written gplvm dbeta", handWritten.gradBeta(), generated.gradBeta());
        EagerGplvm.Result eager = EagerGplvm.gradient(simpleX, alpha, beta, simpleY);
        Agreement.check("eager gplvm loss", eager.loss(), loss);
        Agreement.check("eager gplvm dX", eager.gradX(), generated.gradX());
        Agreement.check("eager gplvm dalpha", eager.gradAlpha(), generated.gradAlpha());
        Agreement.check("eager gplvm dbeta", eager.gradBeta(), generated.gradBeta());
    }

    @Benchmark
    public void generatedGradient(Blackhole bh) {
        bh.consume(generated.gradient(X, alpha, beta, Y));
        bh.consume(generated.gradX());
        bh.consume(generated.gradAlpha());
        bh.consume(generated.gradBeta());
    }

    @Benchmark
    public void handWrittenGradient(Blackhole bh) {
        bh.consume(handWritten.gradient(X, alpha, beta, Y));
        bh.consume(handWritten.gradX());
        bh.consume(handWritten.gradAlpha());
        bh.consume(handWritten.gradBeta());
    }

    @Benchmark
    public void eagerSimpleMatrixGradient(Blackhole bh) {
        EagerGplvm.Result result = EagerGplvm.gradient(simpleX, alpha, beta, simpleY);
        bh.consume(result.loss());
        bh.consume(result.gradX());
        bh.consume(result.gradAlpha());
        bh.consume(result.gradBeta());
    }

    @Benchmark
    public double generatedValue() {
        return generated.value(X, alpha, beta, Y);
    }
}
