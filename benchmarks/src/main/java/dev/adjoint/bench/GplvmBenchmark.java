package dev.adjoint.bench;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The SPEC's linear-kernel GP-LVM (written with {@code K.invert()}), issue 7's rows 6-7: N = {@code n}
 * points ({@code -p n=500}, {@code -p n=100}), q = 2, D = 64, α = 0.5, β = 2. The hand-optimal code is
 * the Woodbury form {@link HandOptimalGplvm}; {@link HandWrittenDenseGplvm}, the best dense-K code,
 * is timed too.
 */
@State(Scope.Thread)
public class GplvmBenchmark extends BenchmarkDefaults {
    static final int Q = 2;
    static final int D = 64;

    @Param({"500", "100"})
    public int n;

    private DMatrixRMaj X;
    private DMatrixRMaj Y;
    private double alpha = Workloads.ALPHA;
    private double beta = Workloads.BETA;
    private BenchLosses_Gplvm generated;
    private HandOptimalGplvm handOptimal;
    private HandWrittenDenseGplvm handWrittenDense;

    @Setup
    public void setUp() {
        DMatrixRMaj[] args = Workloads.gplvmArguments(new Random(2024), n, Q, D);
        X = args[0];
        Y = args[1];
        generated = new BenchLosses_Gplvm();
        handOptimal = new HandOptimalGplvm();
        handWrittenDense = new HandWrittenDenseGplvm(n);
        Workloads.checkGplvm(generated, handOptimal, handWrittenDense, X, alpha, beta, Y);
    }

    @Benchmark
    public double generatedValue() {
        return generated.value(X, alpha, beta, Y);
    }

    @Benchmark
    public void generatedGradient(Blackhole bh) {
        bh.consume(generated.gradient(X, alpha, beta, Y));
        bh.consume(generated.gradX());
        bh.consume(generated.gradAlpha());
        bh.consume(generated.gradBeta());
    }

    @Benchmark
    public double handOptimalValue() {
        return handOptimal.value(X, alpha, beta, Y);
    }

    @Benchmark
    public void handOptimalGradient(Blackhole bh) {
        bh.consume(handOptimal.gradient(X, alpha, beta, Y));
        bh.consume(handOptimal.gradX());
        bh.consume(handOptimal.gradAlpha());
        bh.consume(handOptimal.gradBeta());
    }

    @Benchmark
    public double handWrittenDenseValue() {
        return handWrittenDense.value(X, alpha, beta, Y);
    }

    @Benchmark
    public void handWrittenDenseGradient(Blackhole bh) {
        bh.consume(handWrittenDense.gradient(X, alpha, beta, Y));
        bh.consume(handWrittenDense.gradX());
        bh.consume(handWrittenDense.gradAlpha());
        bh.consume(handWrittenDense.gradBeta());
    }
}
