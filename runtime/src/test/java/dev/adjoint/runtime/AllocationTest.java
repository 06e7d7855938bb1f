package dev.adjoint.runtime;

import static dev.adjoint.runtime.TestMatrices.spd;
import static dev.adjoint.runtime.TestMatrices.uniform;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * Once sizes repeat, kernels and factorizations allocate nothing. Measured with the JVM's
 * per-thread allocation counter (no timing involved); skipped where the counter is unavailable.
 * The JIT adds a few kilobytes of one-off noise, so the bound is an average below one byte per
 * iteration: any real per-call allocation (at least 16 bytes) exceeds it many times over.
 */
class AllocationTest {

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void steadyStateAllocatesNothing() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        Random rnd = new Random(1);
        int n = 12;
        DMatrixRMaj a = uniform(rnd, n, n, -1, 1);
        DMatrixRMaj k = spd(rnd, n);
        DMatrixRMaj y = uniform(rnd, n, n, 0, 1);
        DMatrixRMaj b = uniform(rnd, n, 2, -1, 1);
        DMatrixRMaj v = uniform(rnd, n, 1, -1, 1);
        DMatrixRMaj out = new DMatrixRMaj(1, 1);
        DMatrixRMaj out2 = new DMatrixRMaj(1, 1);
        SpdFactorization chol = new SpdFactorization();
        LuFactorization lu = new LuFactorization();

        Runnable work = () -> {
            Kernels.swish(a, out);
            Kernels.swishBackward(a, y, out2);
            Kernels.softplus(a, out);
            Kernels.logSumExpBackward(a, 1.0, out);
            Kernels.softmaxCrossEntropy(a, y);
            Kernels.softmaxCrossEntropyBackwardZ(a, y, 1.0, out);
            Kernels.softmaxCrossEntropyBackwardY(a, y, 1.0, out);
            Kernels.addColumn(a, v, out);
            Kernels.rowSums(a, out);
            Kernels.columnSums(a, out);
            Kernels.elementPowerBackward(y, 2.5, a, out);
            chol.factor(k, "logDet(K)");
            chol.logDet();
            chol.invert(out);
            chol.solve(b, out2);
            lu.factor(a, "K.invert()");
            lu.determinant();
            lu.invert(out);
            lu.solve(b, out2);
            lu.solveTranspose(b, out2);
        };
        for (int i = 0; i < 3; i++) {
            work.run(); // grow every workspace to its final size
        }
        int iterations = 20_000;
        long before = allocatedBytes();
        for (int i = 0; i < iterations; i++) {
            work.run();
        }
        long allocated = allocatedBytes() - before;
        assertTrue(allocated < iterations, allocated + " bytes allocated in " + iterations + " steady-state iterations");
    }

    /** Every product entry point, pure Java and native, including aᵀ with 40 columns (where EJML's multTransAB buffers). */
    @Test
    void productsAllocateNothing() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        Random rnd = new Random(2);
        DMatrixRMaj a = uniform(rnd, 40, 6, -1, 1);
        DMatrixRMaj b = uniform(rnd, 6, 5, -1, 1);
        DMatrixRMaj bt = uniform(rnd, 5, 6, -1, 1);
        DMatrixRMaj at = uniform(rnd, 6, 40, -1, 1);
        DMatrixRMaj c = new DMatrixRMaj(1, 1);
        DMatrixRMaj sum = new DMatrixRMaj(40, 5);
        DMatrixRMaj workspace = new DMatrixRMaj(1, 1);
        // narrow outputs (pure Java's own kernels): N×D·D×2, N×D·(2×D)ᵀ, (N×D)ᵀ·N×3
        DMatrixRMaj tall = uniform(rnd, 50, 20, -1, 1);
        DMatrixRMaj two = uniform(rnd, 20, 2, -1, 1);
        DMatrixRMaj twoT = uniform(rnd, 2, 20, -1, 1);
        DMatrixRMaj three = uniform(rnd, 50, 3, -1, 1);
        DMatrixRMaj narrow = new DMatrixRMaj(1, 1);
        DMatrixRMaj narrowSum = new DMatrixRMaj(50, 2);
        DMatrixRMaj pair = new DMatrixRMaj(1, 1);
        DMatrixRMaj pairWorkspace = new DMatrixRMaj(1, 1);
        Runnable work = () -> {
            Products.mult(tall, two, narrow);
            Products.multAddTransB(0.5, tall, twoT, narrowSum, workspace);
            Products.multTransA(tall, three, narrow);
            Products.multTransBPair(0.5, a, bt, -1.0, a, bt, pair, workspace, pairWorkspace); // 40×6·(5×6)ᵀ twice
            Products.multTransBPair(1.0, three, three, 2.0, three, three, narrow, workspace, pairWorkspace); // fused
            Products.mult(a, b, c);
            Products.mult(0.5, a, b, c);
            Products.multTransA(at, b, c);
            Products.multTransB(a, bt, c, workspace);
            Products.multTransAB(at, bt, c);
            Products.multTransAB(0.5, at, bt, c);
            Products.multAdd(a, b, sum);
            Products.multAddTransA(-0.5, at, b, sum);
            Products.multAddTransB(a, bt, sum, workspace);
            Products.multAddTransAB(at, bt, sum);
        };
        long saved = Products.nativeThreshold();
        try {
            Products.setNativeThreshold(Long.MAX_VALUE);
            assertNoSteadyStateAllocation(work);
            if (Products.nativeAvailable()) {
                Products.setNativeThreshold(0);
                assertNoSteadyStateAllocation(work);
            }
        } finally {
            Products.setNativeThreshold(saved);
        }
    }

    private static void assertNoSteadyStateAllocation(Runnable work) {
        for (int i = 0; i < 3; i++) {
            work.run();
        }
        int iterations = 20_000;
        long before = allocatedBytes();
        for (int i = 0; i < iterations; i++) {
            work.run();
        }
        long allocated = allocatedBytes() - before;
        assertTrue(allocated < iterations, allocated + " bytes allocated in " + iterations + " steady-state iterations");
    }
}
