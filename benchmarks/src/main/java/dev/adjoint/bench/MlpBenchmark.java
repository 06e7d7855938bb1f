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
 * Two-layer Swish network 64 → 64 → 10 with softmax cross-entropy on a batch of 128 columns
 * (one-hot targets).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MlpBenchmark {
    static final int INPUTS = 64;
    static final int HIDDEN = 64;
    static final int CLASSES = 10;
    static final int BATCH = 128;

    private DMatrixRMaj W1;
    private DMatrixRMaj b1;
    private DMatrixRMaj W2;
    private DMatrixRMaj b2;
    private DMatrixRMaj X;
    private DMatrixRMaj Y;
    private SimpleMatrix[] simple;
    private BenchLosses_Mlp generated;
    private HandWrittenMlp handWritten;

    @Setup
    public void setUp() {
        Random random = new Random(7);
        W1 = Agreement.gaussian(random, HIDDEN, INPUTS, 1.0 / Math.sqrt(INPUTS));
        b1 = Agreement.gaussian(random, HIDDEN, 1, 0.1);
        W2 = Agreement.gaussian(random, CLASSES, HIDDEN, 1.0 / Math.sqrt(HIDDEN));
        b2 = Agreement.gaussian(random, CLASSES, 1, 0.1);
        X = Agreement.gaussian(random, INPUTS, BATCH, 1.0);
        Y = new DMatrixRMaj(CLASSES, BATCH);
        for (int j = 0; j < BATCH; j++) {
            Y.set(random.nextInt(CLASSES), j, 1.0);
        }
        simple = new SimpleMatrix[] {
            SimpleMatrix.wrap(W1), SimpleMatrix.wrap(b1), SimpleMatrix.wrap(W2),
            SimpleMatrix.wrap(b2), SimpleMatrix.wrap(X), SimpleMatrix.wrap(Y)};
        generated = new BenchLosses_Mlp();
        handWritten = new HandWrittenMlp();

        double loss = generated.gradient(W1, b1, W2, b2, X, Y);
        Agreement.check("mlp value()", generated.value(W1, b1, W2, b2, X, Y), loss);
        Agreement.check("hand-written mlp loss", handWritten.gradient(W1, b1, W2, b2, X, Y), loss);
        Agreement.check("hand-written mlp dW1", handWritten.gradW1(), generated.gradW1());
        Agreement.check("hand-written mlp db1", handWritten.gradB1(), generated.gradB1());
        Agreement.check("hand-written mlp dW2", handWritten.gradW2(), generated.gradW2());
        Agreement.check("hand-written mlp db2", handWritten.gradB2(), generated.gradB2());
        EagerMlp.Result eager = eager();
        Agreement.check("eager mlp loss", eager.loss(), loss);
        Agreement.check("eager mlp dW1", eager.gradW1(), generated.gradW1());
        Agreement.check("eager mlp db1", eager.gradB1(), generated.gradB1());
        Agreement.check("eager mlp dW2", eager.gradW2(), generated.gradW2());
        Agreement.check("eager mlp db2", eager.gradB2(), generated.gradB2());
    }

    private EagerMlp.Result eager() {
        return EagerMlp.gradient(simple[0], simple[1], simple[2], simple[3], simple[4], simple[5]);
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
    public void handWrittenGradient(Blackhole bh) {
        bh.consume(handWritten.gradient(W1, b1, W2, b2, X, Y));
        bh.consume(handWritten.gradW1());
        bh.consume(handWritten.gradB1());
        bh.consume(handWritten.gradW2());
        bh.consume(handWritten.gradB2());
    }

    @Benchmark
    public void eagerSimpleMatrixGradient(Blackhole bh) {
        EagerMlp.Result result = eager();
        bh.consume(result.loss());
        bh.consume(result.gradW1());
        bh.consume(result.gradB1());
        bh.consume(result.gradW2());
        bh.consume(result.gradB2());
    }

    @Benchmark
    public double generatedValue() {
        return generated.value(W1, b1, W2, b2, X, Y);
    }
}
