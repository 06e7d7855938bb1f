package dev.adjoint.bench;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.ops.ConvertMatrixData;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What {@code precision = FLOAT} buys: the float32 classes ({@code BenchLosses_Mlp_F32},
 * {@code BenchLosses_TiedAutoencoder_F32}) against the double ones on the same inputs, in the same
 * run, at issue 7's two large sizes ({@code workload}: {@code mlp} is the MLP 784-256-10 with
 * N = 128, {@code autoencoder} the tied autoencoder W 64×784, X 784×256).
 */
@State(Scope.Thread)
public class Float32Benchmark extends BenchmarkDefaults {
    @Param({"mlp", "autoencoder"})
    public String workload;

    private DMatrixRMaj[] doubles;
    private FMatrixRMaj[] floats;
    private final BenchLosses_Mlp mlp = new BenchLosses_Mlp();
    private final BenchLosses_Mlp_F32 mlpF32 = new BenchLosses_Mlp_F32();
    private final BenchLosses_TiedAutoencoder autoencoder = new BenchLosses_TiedAutoencoder();
    private final BenchLosses_TiedAutoencoder_F32 autoencoderF32 = new BenchLosses_TiedAutoencoder_F32();

    @Setup
    public void setUp() {
        if (workload.equals("mlp")) {
            doubles = Workloads.mlpArguments(new Random(7), 784, 256, 10, 128);
        } else {
            Random random = new Random(42);
            doubles = new DMatrixRMaj[] {Agreement.gaussian(random, 64, 784, 1.0 / Math.sqrt(784)),
                    Agreement.gaussian(random, 784, 256, 1.0)};
        }
        floats = new FMatrixRMaj[doubles.length];
        for (int i = 0; i < doubles.length; i++) {
            floats[i] = new FMatrixRMaj(doubles[i].numRows, doubles[i].numCols);
            ConvertMatrixData.convert(doubles[i], floats[i]);
        }
        // The float32 class computes the same loss: agree to float precision before any timing.
        double expected = doubleGradient();
        double actual = floatGradient();
        if (!(Math.abs(actual - expected) <= 1e-4 * Math.abs(expected))) {
            throw new IllegalStateException(workload + ": float32 loss " + actual + ", double " + expected);
        }
    }

    @Benchmark
    public double doubleValue() {
        DMatrixRMaj[] a = doubles;
        return workload.equals("mlp") ? mlp.value(a[0], a[1], a[2], a[3], a[4], a[5]) : autoencoder.value(a[0], a[1]);
    }

    @Benchmark
    public float floatValue() {
        FMatrixRMaj[] a = floats;
        return workload.equals("mlp") ? mlpF32.value(a[0], a[1], a[2], a[3], a[4], a[5]) : autoencoderF32.value(a[0], a[1]);
    }

    /** The loss; the gradients stay in the instance's fields, which outlive the call. */
    @Benchmark
    public double doubleGradient() {
        DMatrixRMaj[] a = doubles;
        return workload.equals("mlp") ? mlp.gradient(a[0], a[1], a[2], a[3], a[4], a[5]) : autoencoder.gradient(a[0], a[1]);
    }

    @Benchmark
    public float floatGradient() {
        FMatrixRMaj[] a = floats;
        return workload.equals("mlp") ? mlpF32.gradient(a[0], a[1], a[2], a[3], a[4], a[5])
                : autoencoderF32.gradient(a[0], a[1]);
    }
}
