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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Tied autoencoder L = ½‖WᵀWX − X‖²_F with W 16×64 and a batch X of {@code samples} columns
 * (64×256, and a single sample 64×1, the SPEC's x).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AutoencoderBenchmark {
    @Param({"256", "1"})
    public int samples;

    private DMatrixRMaj W;
    private DMatrixRMaj X;
    private SimpleMatrix simpleW;
    private SimpleMatrix simpleX;
    private BenchLosses_TiedAutoencoder generated;
    private HandWrittenAutoencoder handWritten;

    @Setup
    public void setUp() {
        Random random = new Random(42);
        W = Agreement.gaussian(random, 16, 64, 0.125);
        X = Agreement.gaussian(random, 64, samples, 1.0);
        simpleW = SimpleMatrix.wrap(W);
        simpleX = SimpleMatrix.wrap(X);
        generated = new BenchLosses_TiedAutoencoder();
        handWritten = new HandWrittenAutoencoder();

        double loss = generated.gradient(W, X);
        Agreement.check("autoencoder value()", generated.value(W, X), loss);
        Agreement.check("hand-written autoencoder loss", handWritten.gradient(W, X), loss);
        Agreement.check("hand-written autoencoder dW", handWritten.gradW(), generated.gradW());
        EagerAutoencoder.Result eager = EagerAutoencoder.gradient(simpleW, simpleX);
        Agreement.check("eager autoencoder loss", eager.loss(), loss);
        Agreement.check("eager autoencoder dW", eager.gradW(), generated.gradW());
    }

    @Benchmark
    public void generatedGradient(Blackhole bh) {
        bh.consume(generated.gradient(W, X));
        bh.consume(generated.gradW());
    }

    @Benchmark
    public void handWrittenGradient(Blackhole bh) {
        bh.consume(handWritten.gradient(W, X));
        bh.consume(handWritten.gradW());
    }

    @Benchmark
    public void eagerSimpleMatrixGradient(Blackhole bh) {
        EagerAutoencoder.Result result = EagerAutoencoder.gradient(simpleW, simpleX);
        bh.consume(result.loss());
        bh.consume(result.gradW());
    }

    @Benchmark
    public double generatedValue() {
        return generated.value(W, X);
    }
}
