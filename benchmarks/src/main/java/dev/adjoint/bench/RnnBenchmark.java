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
 * The tanh RNN of {@link BenchLosses#rnn}, a loss with a loop over time steps, against
 * {@link HandOptimalRnn}: {@code shape} is hidden×inputs×steps, H×D×T ({@code -p shape=64x32x50},
 * {@code 16x8x20}). Not one of issue 7's eight workloads.
 */
@State(Scope.Thread)
public class RnnBenchmark extends BenchmarkDefaults {
    @Param({"64x32x50", "16x8x20"})
    public String shape;

    private DMatrixRMaj W;
    private DMatrixRMaj U;
    private DMatrixRMaj b;
    private DMatrixRMaj h0;
    private DMatrixRMaj X;
    private BenchLosses_Rnn generated;
    private HandOptimalRnn handOptimal;

    @Setup
    public void setUp() {
        int[] size = Workloads.dims(shape, 3);
        DMatrixRMaj[] args = Workloads.rnnArguments(new Random(11), size[0], size[1], size[2]);
        W = args[0];
        U = args[1];
        b = args[2];
        h0 = args[3];
        X = args[4];
        generated = new BenchLosses_Rnn();
        handOptimal = new HandOptimalRnn();
        Workloads.checkRnn(generated, handOptimal, args);
    }

    @Benchmark
    public double generatedValue() {
        return generated.value(W, U, b, h0, X);
    }

    @Benchmark
    public void generatedGradient(Blackhole bh) {
        bh.consume(generated.gradient(W, U, b, h0, X));
        bh.consume(generated.gradW());
        bh.consume(generated.gradU());
        bh.consume(generated.gradB());
        bh.consume(generated.gradH0());
    }

    @Benchmark
    public double handOptimalValue() {
        return handOptimal.value(W, U, b, h0, X);
    }

    @Benchmark
    public void handOptimalGradient(Blackhole bh) {
        bh.consume(handOptimal.gradient(W, U, b, h0, X));
        bh.consume(handOptimal.gradW());
        bh.consume(handOptimal.gradU());
        bh.consume(handOptimal.gradB());
        bh.consume(handOptimal.gradH0());
    }
}
