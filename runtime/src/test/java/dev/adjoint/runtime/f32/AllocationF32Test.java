package dev.adjoint.runtime.f32;

import static dev.adjoint.runtime.f32.F32Matrices.spd;
import static dev.adjoint.runtime.f32.F32Matrices.uniform;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.adjoint.runtime.Products;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Once sizes repeat, the float32 kernels, products and factorizations allocate nothing, as the double
 * ones (see the runtime's AllocationTest for the method: the JVM's per-thread allocation counter, a
 * bound below one byte per iteration).
 */
class AllocationF32Test {
    private final long defaultThreshold = Products.nativeThreshold();

    @AfterEach
    void restoreThreshold() {
        Products.setNativeThreshold(defaultThreshold);
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static void assertSteadyStateAllocatesNothing(Runnable work) {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
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

    @Test
    void kernelsAndFactorizationsAllocateNothing() {
        Random rnd = new Random(1);
        int n = 8;
        FMatrixRMaj a = uniform(rnd, n, n, -1, 1);
        for (int i = 0; i < n; i++) {
            a.add(i, i, 3);
        }
        FMatrixRMaj k = spd(rnd, n);
        FMatrixRMaj y = uniform(rnd, n, n, 0, 1);
        FMatrixRMaj b = uniform(rnd, n, 2, -1, 1);
        FMatrixRMaj v = uniform(rnd, n, 1, -1, 1);
        FMatrixRMaj out = new FMatrixRMaj(1, 1);
        FMatrixRMaj out2 = new FMatrixRMaj(1, 1);
        FMatrixRMaj p = new FMatrixRMaj(1, 1);
        SpdFactorizationF32 chol = new SpdFactorizationF32();
        LuFactorizationF32 lu = new LuFactorizationF32();
        FMatrixRMaj big = uniform(rnd, 7, 7, -1, 1); // beyond the minor expansion: the pivot product
        for (int i = 0; i < 7; i++) {
            big.add(i, i, 3);
        }
        LuFactorizationF32 luSmall = new LuFactorizationF32();
        FMatrixRMaj small = uniform(rnd, 5, 5, -1, 1);

        assertSteadyStateAllocatesNothing(() -> {
            KernelsF32.swish(a, out);
            KernelsF32.swishBackward(a, y, out2);
            KernelsF32.softplus(a, out);
            KernelsF32.logSumExp(a);
            KernelsF32.logSumExpBackward(a, 1.0, out);
            KernelsF32.softmaxCrossEntropy(a, y);
            KernelsF32.softmaxCrossEntropyBackwardZ(a, y, 1.0, out);
            KernelsF32.softmaxCrossEntropyBackwardY(a, y, 1.0, out);
            KernelsF32.columnSoftmax(a, p);
            KernelsF32.softmaxCrossEntropyFromSoftmax(a, y, p);
            KernelsF32.softmaxCrossEntropyBackwardZFromSoftmax(p, y, 1.0, out);
            KernelsF32.addColumn(a, v, out);
            KernelsF32.rowSums(a, out);
            KernelsF32.columnSums(a, out);
            KernelsF32.elementPowerBackward(y, 2.5, a, out);
            KernelsF32.multTransB(0.5, a, y, out, out2);
            KernelsF32.symmetrize(out);
            CommonOpsF32.add(a, 0.25, out);
            CommonOpsF32.scale(0.3, a, out);
            CommonOpsF32.addEquals(out, 0.3, a);
            CommonOpsF32.elementExp(a, out);
            CommonOpsF32.divide(a, 3.0, out);
            CommonOpsF32.elementSum(a);
            CommonOpsF32.trace(a);
            NormOpsF32.normF(a);
            chol.factor(k, "logDet(K)");
            chol.logDet();
            chol.invert(out);
            chol.solve(b, out2);
            chol.quadraticForm(b);
            lu.factor(a, "K.invert()");
            lu.determinant();
            lu.invert(out);
            lu.solve(b, out2);
            lu.solveTranspose(b, out2);
            luSmall.factor(small, "det(K)");
            luSmall.determinant();
            luSmall.factor(big, "det(K)");
            luSmall.determinant();
        });
    }

    @Test
    void productsAllocateNothing() {
        Random rnd = new Random(2);
        // aᵀ has 40 columns: where CommonOps_FDRM.multTransAB would allocate a buffer per call.
        FMatrixRMaj a = uniform(rnd, 40, 6, -1, 1);
        FMatrixRMaj b = uniform(rnd, 6, 5, -1, 1);
        FMatrixRMaj bt = uniform(rnd, 5, 6, -1, 1);
        FMatrixRMaj c = new FMatrixRMaj(1, 1);
        FMatrixRMaj sum = new FMatrixRMaj(40, 5);
        FMatrixRMaj at = uniform(rnd, 6, 40, -1, 1);
        FMatrixRMaj workspace = new FMatrixRMaj(1, 1);
        Runnable work = () -> {
            ProductsF32.mult(a, b, c);
            ProductsF32.mult(0.5, a, b, c);
            ProductsF32.multTransA(at, b, c);
            ProductsF32.multTransB(a, bt, c, workspace);
            ProductsF32.multTransAB(0.5, at, bt, c);
            ProductsF32.multAdd(a, b, sum);
            ProductsF32.multAddTransA(-0.5, at, b, sum);
            ProductsF32.multAddTransB(a, bt, sum, workspace);
            ProductsF32.multAddTransAB(at, bt, sum);
        };
        Products.setNativeThreshold(Long.MAX_VALUE);
        assertSteadyStateAllocatesNothing(work);
        if (ProductsF32.nativeAvailable()) {
            Products.setNativeThreshold(0);
            assertSteadyStateAllocatesNothing(work);
        }
    }
}
