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
 * Tied autoencoder L = ½‖WᵀWX − X‖²_F, issue 7's rows 1-3: {@code shape} is m×n×N, W m×n and X n×N
 * ({@code -p shape=64x784x1}, {@code 64x784x256}, {@code 16x64x1}).
 */
@State(Scope.Thread)
public class AutoencoderBenchmark extends BenchmarkDefaults {
    @Param({"64x784x1", "64x784x256", "16x64x1"})
    public String shape;

    private DMatrixRMaj W;
    private DMatrixRMaj X;
    private BenchLosses_TiedAutoencoder generated;
    private HandOptimalAutoencoder handOptimal;

    @Setup
    public void setUp() {
        int[] size = Workloads.dims(shape, 3);
        Random random = new Random(42);
        W = Agreement.gaussian(random, size[0], size[1], 1.0 / Math.sqrt(size[1]));
        X = Agreement.gaussian(random, size[1], size[2], 1.0);
        generated = new BenchLosses_TiedAutoencoder();
        handOptimal = new HandOptimalAutoencoder();
        Workloads.checkAutoencoder(generated, handOptimal, W, X);
    }

    @Benchmark
    public double generatedValue() {
        return generated.value(W, X);
    }

    @Benchmark
    public void generatedGradient(Blackhole bh) {
        bh.consume(generated.gradient(W, X));
        bh.consume(generated.gradW());
    }

    @Benchmark
    public double handOptimalValue() {
        return handOptimal.value(W, X);
    }

    @Benchmark
    public void handOptimalGradient(Blackhole bh) {
        bh.consume(handOptimal.gradient(W, X));
        bh.consume(handOptimal.gradW());
    }
}
