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
 * Two-layer Swish network with softmax cross-entropy on a batch of one-hot columns, issue 7's
 * rows 4-5: {@code shape} is inputs×hidden×classes×N ({@code -p shape=784x256x10x128},
 * {@code 64x32x10x32}).
 */
@State(Scope.Thread)
public class MlpBenchmark extends BenchmarkDefaults {
    @Param({"784x256x10x128", "64x32x10x32"})
    public String shape;

    private DMatrixRMaj W1;
    private DMatrixRMaj b1;
    private DMatrixRMaj W2;
    private DMatrixRMaj b2;
    private DMatrixRMaj X;
    private DMatrixRMaj Y;
    private BenchLosses_Mlp generated;
    private HandOptimalMlp handOptimal;

    @Setup
    public void setUp() {
        int[] size = Workloads.dims(shape, 4);
        DMatrixRMaj[] args = Workloads.mlpArguments(new Random(7), size[0], size[1], size[2], size[3]);
        W1 = args[0];
        b1 = args[1];
        W2 = args[2];
        b2 = args[3];
        X = args[4];
        Y = args[5];
        generated = new BenchLosses_Mlp();
        handOptimal = new HandOptimalMlp();
        Workloads.checkMlp(generated, handOptimal, args);
    }

    @Benchmark
    public double generatedValue() {
        return generated.value(W1, b1, W2, b2, X, Y);
    }

    @Benchmark
    public void generatedGradient(Blackhole bh) {
        bh.consume(generated.gradient(W1, b1, W2, b2, X, Y));
        bh.consume(generated.gradW1());
        bh.consume(generated.gradB1());
        bh.consume(generated.gradW2());
        bh.consume(generated.gradB2());
    }

    @Benchmark
    public double handOptimalValue() {
        return handOptimal.value(W1, b1, W2, b2, X, Y);
    }

    @Benchmark
    public void handOptimalGradient(Blackhole bh) {
        bh.consume(handOptimal.gradient(W1, b1, W2, b2, X, Y));
        bh.consume(handOptimal.gradW1());
        bh.consume(handOptimal.gradB1());
        bh.consume(handOptimal.gradW2());
        bh.consume(handOptimal.gradB2());
    }
}
