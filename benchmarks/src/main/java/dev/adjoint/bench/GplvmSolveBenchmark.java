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
 * The GP-LVM written with {@code K.solve(Y)} instead of {@code K.invert()}
 * ({@link BenchLosses#gplvmSolve}), issue 7's row 8: N = {@code n} = 500 by default (any N with
 * {@code -p n=100}), q = 2, D = 64, α = 0.5, β = 2, against the same hand-optimal (Woodbury) code as
 * {@link GplvmBenchmark} (the dense hand-written code is checked here, and timed there).
 */
@State(Scope.Thread)
public class GplvmSolveBenchmark extends BenchmarkDefaults {
    static final int Q = 2;
    static final int D = 64;

    @Param({"500"})
    public int n;

    private DMatrixRMaj X;
    private DMatrixRMaj Y;
    private double alpha = Workloads.ALPHA;
    private double beta = Workloads.BETA;
    private BenchLosses_GplvmSolve generated;
    private HandOptimalGplvm handOptimal;
    private HandWrittenDenseGplvm handWrittenDense;

    @Setup
    public void setUp() {
        DMatrixRMaj[] args = Workloads.gplvmArguments(new Random(2024), n, Q, D);
        X = args[0];
        Y = args[1];
        generated = new BenchLosses_GplvmSolve();
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
}
