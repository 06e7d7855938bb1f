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
 * Issue 8's budget: {@code hessianVectorProduct} (value, gradient and H·d) against
 * {@code gradient} (value and gradient) of the same generated class, on the autoencoder
 * (W 64×784, x 784×1), the MLP 784-256-10 (N = 128) and the GP-LVM (N = 500, q = 2, D = 64).
 * The ratio of the two medians is the cost of second order; the target is at most 4.
 */
@State(Scope.Thread)
public class HessianVectorProductBenchmark extends BenchmarkDefaults {
    @Param({"autoencoder", "mlp", "gplvm"})
    public String workload;

    private Workload work;

    /** One loss with its arguments and a direction per wrt parameter. */
    interface Workload {
        double gradient();

        double hessianVectorProduct();
    }

    @Setup
    public void setUp() {
        Random random = new Random(11);
        work = switch (workload) {
            case "autoencoder" -> autoencoder(random, 64, 784, 1);
            case "mlp" -> mlp(random, 784, 256, 10, 128);
            case "gplvm" -> gplvm(random, 500, 2, 64);
            default -> throw new IllegalArgumentException("unknown workload " + workload);
        };
        // Same value from both entry points, before anything is timed.
        Agreement.check(workload + " hessianVectorProduct() value", work.hessianVectorProduct(), work.gradient());
    }

    static Workload autoencoder(Random random, int m, int n, int samples) {
        DMatrixRMaj W = Agreement.gaussian(random, m, n, 1.0 / Math.sqrt(n));
        DMatrixRMaj x = Agreement.gaussian(random, n, samples, 1.0);
        DMatrixRMaj dW = Agreement.gaussian(random, m, n, 1.0);
        var f = new SecondOrderLosses_TiedAutoencoder();
        return new Workload() {
            public double gradient() {
                return f.gradient(W, x);
            }

            public double hessianVectorProduct() {
                return f.hessianVectorProduct(W, x, dW);
            }
        };
    }

    static Workload mlp(Random random, int inputs, int hidden, int classes, int batch) {
        DMatrixRMaj[] a = Workloads.mlpArguments(random, inputs, hidden, classes, batch);
        DMatrixRMaj[] d = {Agreement.gaussian(random, hidden, inputs, 1.0), Agreement.gaussian(random, hidden, 1, 1.0),
                Agreement.gaussian(random, classes, hidden, 1.0), Agreement.gaussian(random, classes, 1, 1.0)};
        var f = new SecondOrderLosses_Mlp();
        return new Workload() {
            public double gradient() {
                return f.gradient(a[0], a[1], a[2], a[3], a[4], a[5]);
            }

            public double hessianVectorProduct() {
                return f.hessianVectorProduct(a[0], a[1], a[2], a[3], a[4], a[5], d[0], d[1], d[2], d[3]);
            }
        };
    }

    static Workload gplvm(Random random, int n, int q, int d) {
        DMatrixRMaj[] a = Workloads.gplvmArguments(random, n, q, d);
        DMatrixRMaj dX = Agreement.gaussian(random, n, q, 1.0);
        var f = new SecondOrderLosses_Gplvm();
        return new Workload() {
            public double gradient() {
                return f.gradient(a[0], Workloads.ALPHA, Workloads.BETA, a[1]);
            }

            public double hessianVectorProduct() {
                return f.hessianVectorProduct(a[0], Workloads.ALPHA, Workloads.BETA, a[1], dX, 0.3, -0.2);
            }
        };
    }

    @Benchmark
    public double gradient() {
        return work.gradient();
    }

    @Benchmark
    public void hessianVectorProduct(Blackhole bh) {
        bh.consume(work.hessianVectorProduct());
    }
}
