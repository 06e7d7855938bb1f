package dev.adjoint.runtime;

import static dev.adjoint.runtime.TestMatrices.assertSame;
import static dev.adjoint.runtime.TestMatrices.spd;
import static dev.adjoint.runtime.TestMatrices.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpsTest {

    private static void same(Function<SimpleMatrix, SimpleMatrix> op, BiConsumer<DMatrixRMaj, DMatrixRMaj> kernel,
                             SimpleMatrix a) {
        DMatrixRMaj before = a.getDDRM().copy();
        SimpleMatrix result = op.apply(a);
        DMatrixRMaj expected = new DMatrixRMaj(1, 1);
        kernel.accept(a.getDDRM(), expected);
        assertSame(expected, result.getDDRM());
        assertSame(before, a.getDDRM());
    }

    private static void same(double expected, double actual) {
        assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual), expected + " vs " + actual);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void opsEqualKernelsBitForBit(int seed) {
        Random rnd = new Random(seed);
        int r = 1 + rnd.nextInt(5);
        int c = 1 + rnd.nextInt(5);
        SimpleMatrix a = SimpleMatrix.wrap(uniform(rnd, r, c, -3, 3));
        DMatrixRMaj before = a.getDDRM().copy();

        same(Ops::sigmoid, Kernels::sigmoid, a);
        same(Ops::tanh, Kernels::tanh, a);
        same(Ops::relu, Kernels::relu, a);
        same(Ops::swish, Kernels::swish, a);
        same(Ops::softplus, Kernels::softplus, a);
        same(Ops::rowSums, Kernels::rowSums, a);
        same(Ops::columnSums, Kernels::columnSums, a);

        SimpleMatrix v = SimpleMatrix.wrap(uniform(rnd, r, 1, -1, 1));
        same(x -> Ops.addColumn(x, v), (x, out) -> Kernels.addColumn(x, v.getDDRM(), out), a);
        SimpleMatrix u = SimpleMatrix.wrap(uniform(rnd, 1, c, -1, 1));
        same(x -> Ops.addRow(x, u), (x, out) -> Kernels.addRow(x, u.getDDRM(), out), a);

        same(Kernels.sumSquares(a.getDDRM()), Ops.sumSquares(a));
        same(Kernels.mean(a.getDDRM()), Ops.mean(a));
        same(Kernels.logSumExp(a.getDDRM()), Ops.logSumExp(a));
        SimpleMatrix y = SimpleMatrix.wrap(uniform(rnd, r, c, 0, 1));
        same(Kernels.softmaxCrossEntropy(a.getDDRM(), y.getDDRM()), Ops.softmaxCrossEntropy(a, y));

        SimpleMatrix k = SimpleMatrix.wrap(spd(rnd, r));
        DMatrixRMaj kBefore = k.getDDRM().copy();
        SpdFactorization chol = new SpdFactorization();
        chol.factor(k.getDDRM(), "logDet(A)");
        same(chol.logDet(), Ops.logDet(k));
        assertSame(kBefore, k.getDDRM());

        assertSame(before, a.getDDRM());
        // Results are new matrices, not views of the input.
        SimpleMatrix s = Ops.sigmoid(a);
        s.set(0, 0, 99);
        assertSame(before, a.getDDRM());
    }

    @Test
    void opsErrors() {
        SimpleMatrix notSpd = new SimpleMatrix(new double[][] {{1, 2}, {2, 1}});
        NotPositiveDefiniteException e = assertThrows(NotPositiveDefiniteException.class, () -> Ops.logDet(notSpd));
        assertEquals("logDet(A): matrix is not symmetric positive definite (Cholesky failed); 2x2", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Ops.addColumn(new SimpleMatrix(3, 2), new SimpleMatrix(2, 1)));
        assertThrows(IllegalArgumentException.class,
                () -> Ops.addRow(new SimpleMatrix(3, 2), new SimpleMatrix(1, 3)));
        assertThrows(IllegalArgumentException.class,
                () -> Ops.softmaxCrossEntropy(new SimpleMatrix(3, 2), new SimpleMatrix(2, 3)));
    }

    @Test
    void readmeExamplesRunEagerly() {
        // The tied autoencoder and MLP of the spec, run as plain Java.
        Random rnd = new Random(5);
        SimpleMatrix w = SimpleMatrix.wrap(uniform(rnd, 2, 3, -1, 1));
        SimpleMatrix x = SimpleMatrix.wrap(uniform(rnd, 3, 4, -1, 1));
        SimpleMatrix r = w.transpose().mult(w).mult(x).minus(x);
        double loss = 0.5 * Ops.sumSquares(r);
        assertEquals(0.5 * r.elementPower(2).elementSum(), loss, 1e-12);

        SimpleMatrix b1 = SimpleMatrix.wrap(uniform(rnd, 2, 1, -1, 1));
        SimpleMatrix w2 = SimpleMatrix.wrap(uniform(rnd, 3, 2, -1, 1));
        SimpleMatrix b2 = SimpleMatrix.wrap(uniform(rnd, 3, 1, -1, 1));
        SimpleMatrix y = SimpleMatrix.wrap(uniform(rnd, 3, 4, 0, 1));
        SimpleMatrix h = Ops.swish(Ops.addColumn(w.mult(x), b1));
        double ce = Ops.softmaxCrossEntropy(Ops.addColumn(w2.mult(h), b2), y);
        assertEquals(true, Double.isFinite(ce));
    }
}
