package demo;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SPEC: "no heap allocation per call once argument shapes repeat". After warm-up, many calls of
 * value(...) and gradient(...) with fixed shapes must allocate (nearly) nothing: fewer than one
 * byte per call on average, which leaves room for a few KB of JIT and bookkeeping noise.
 */
class AllocationTest {

    static final int WARM_UP = 30_000;
    static final int CALLS = 20_000;
    static final double MAX_BYTES_PER_CALL = 1.0;

    private static com.sun.management.ThreadMXBean threads;

    /** Accumulates results so the JIT cannot drop the calls. */
    private static double sink;

    @BeforeAll
    static void threadAllocationCounter() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter on this JVM");
        threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "per-thread allocation counting unsupported");
        threads.setThreadAllocatedMemoryEnabled(true);
    }

    static long allocatedBytes() {
        return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    static DMatrixRMaj gaussian(int rows, int cols, double scale, Random random) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = scale * random.nextGaussian();
        }
        return m;
    }

    static DMatrixRMaj oneHot(int classes, int samples, Random random) {
        DMatrixRMaj y = new DMatrixRMaj(classes, samples);
        for (int j = 0; j < samples; j++) {
            y.set(random.nextInt(classes), j, 1.0);
        }
        return y;
    }

    /** A workload: {@code calls} calls of one method with fixed arguments. */
    @FunctionalInterface
    interface Calls {
        double run(int calls);
    }

    /** Warms up, then measures; fails if the average exceeds {@link #MAX_BYTES_PER_CALL}. */
    static void assertAllocationFree(String what, Calls calls) {
        sink += calls.run(WARM_UP);
        // The counter itself, measured: subtracted so only the calls are charged.
        long c0 = allocatedBytes();
        long c1 = allocatedBytes();
        long overhead = c1 - c0;
        long before = allocatedBytes();
        sink += calls.run(CALLS);
        long after = allocatedBytes();
        long bytes = after - before - overhead;
        double perCall = (double) bytes / CALLS;
        assertTrue(perCall < MAX_BYTES_PER_CALL, () -> String.format(Locale.ROOT,
                "%s allocated %d bytes in %d calls after %d warm-up calls: %.1f bytes per call",
                what, bytes, CALLS, WARM_UP, perCall));
    }

    // ---------------------------------------------------------------- autoencoder

    static final class AutoencoderArgs {
        final DMatrixRMaj w;
        final DMatrixRMaj x;

        AutoencoderArgs(long seed, int m, int n, int samples) {
            Random random = new Random(seed);
            w = gaussian(m, n, 0.6, random);
            x = gaussian(n, samples, 1.0, random);
        }
    }

    @Test
    void autoencoderValue() {
        AutoencoderArgs a = new AutoencoderArgs(1, 8, 16, 4);
        Losses_TiedAutoencoder f = new Losses_TiedAutoencoder();
        assertAllocationFree("Losses_TiedAutoencoder.value", calls -> {
            double s = 0;
            for (int i = 0; i < calls; i++) {
                s += f.value(a.w, a.x);
            }
            return s;
        });
    }

    @Test
    void autoencoderGradient() {
        AutoencoderArgs a = new AutoencoderArgs(2, 8, 16, 4);
        Losses_TiedAutoencoder f = new Losses_TiedAutoencoder();
        assertAllocationFree("Losses_TiedAutoencoder.gradient", calls -> {
            double s = 0;
            for (int i = 0; i < calls; i++) {
                s += f.gradient(a.w, a.x);
                s += f.gradW().data[0];
            }
            return s;
        });
    }

    @Test
    void autoencoderVectorGradient() {
        AutoencoderArgs a = new AutoencoderArgs(3, 5, 7, 1);
        Losses_TiedAutoencoder f = new Losses_TiedAutoencoder();
        assertAllocationFree("Losses_TiedAutoencoder.gradient (x a vector)", calls -> {
            double s = 0;
            for (int i = 0; i < calls; i++) {
                s += f.gradient(a.w, a.x);
            }
            return s;
        });
    }

    // ---------------------------------------------------------------- MLP

    static final class MlpArgs {
        final DMatrixRMaj w1;
        final DMatrixRMaj b1;
        final DMatrixRMaj w2;
        final DMatrixRMaj b2;
        final DMatrixRMaj x;
        final DMatrixRMaj y;

        MlpArgs(long seed, int inputs, int hidden, int classes, int n) {
            Random random = new Random(seed);
            w1 = gaussian(hidden, inputs, 0.7, random);
            b1 = gaussian(hidden, 1, 0.5, random);
            w2 = gaussian(classes, hidden, 0.7, random);
            b2 = gaussian(classes, 1, 0.5, random);
            x = gaussian(inputs, n, 1.0, random);
            y = oneHot(classes, n, random);
        }
    }

    @Test
    void mlpValue() {
        MlpArgs a = new MlpArgs(11, 10, 6, 3, 32);
        Losses_Mlp f = new Losses_Mlp();
        assertAllocationFree("Losses_Mlp.value", calls -> {
            double s = 0;
            for (int i = 0; i < calls; i++) {
                s += f.value(a.w1, a.b1, a.w2, a.b2, a.x, a.y);
            }
            return s;
        });
    }

    @Test
    void mlpGradient() {
        MlpArgs a = new MlpArgs(12, 10, 6, 3, 32);
        Losses_Mlp f = new Losses_Mlp();
        assertAllocationFree("Losses_Mlp.gradient", calls -> {
            double s = 0;
            for (int i = 0; i < calls; i++) {
                s += f.gradient(a.w1, a.b1, a.w2, a.b2, a.x, a.y);
                s += f.gradW1().data[0] + f.gradB2().data[0];
            }
            return s;
        });
    }

    // ---------------------------------------------------------------- GP-LVM

    static final class GplvmArgs {
        final DMatrixRMaj x;
        final double alpha;
        final double beta;
        final DMatrixRMaj y;

        GplvmArgs(long seed, int n, int q, int d) {
            Random random = new Random(seed);
            x = gaussian(n, q, 0.6, random);
            alpha = 0.5 + random.nextDouble();
            beta = 0.5 + 1.5 * random.nextDouble();
            y = gaussian(n, d, 1.0, random);
        }
    }

    @Test
    void gplvmValue() {
        GplvmArgs a = new GplvmArgs(21, 20, 3, 5);
        Losses_Gplvm f = new Losses_Gplvm();
        assertAllocationFree("Losses_Gplvm.value", calls -> {
            double s = 0;
            for (int i = 0; i < calls; i++) {
                s += f.value(a.x, a.alpha, a.beta, a.y);
            }
            return s;
        });
    }

    @Test
    void gplvmGradient() {
        GplvmArgs a = new GplvmArgs(22, 20, 3, 5);
        Losses_Gplvm f = new Losses_Gplvm();
        assertAllocationFree("Losses_Gplvm.gradient", calls -> {
            double s = 0;
            for (int i = 0; i < calls; i++) {
                s += f.gradient(a.x, a.alpha, a.beta, a.y);
                s += f.gradAlpha() + f.gradBeta() + f.gradX().data[0];
            }
            return s;
        });
    }

    /** Control: the measurement does see allocation (so a pass above is not vacuous). */
    @Test
    void measurementDetectsAllocation() {
        long before = allocatedBytes();
        double s = 0;
        for (int i = 0; i < CALLS; i++) {
            double[] a = new double[8];
            a[i & 7] = i;
            s += a[(i + 3) & 7];
            sink += s;
            escape = a;
        }
        long bytes = allocatedBytes() - before;
        assertTrue(bytes >= (long) CALLS * 8 * Double.BYTES, "allocation counter saw only " + bytes + " bytes");
    }

    private static Object escape;
}
