package dev.adjoint.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.RandomMatrices_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kernels that reuse forward results (σ(x), tanh(x)) or read a matrix transposed in place agree
 * with the kernels that recompute or materialize.
 */
class ReusingKernelsTest {

    private static DMatrixRMaj random(Random r, int rows, int cols, double scale) {
        return RandomMatrices_DDRM.rectangle(rows, cols, -scale, scale, r);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void activationBackwardFromOutputsMatchesRecomputation(long seed) {
        Random r = new Random(seed);
        int rows = 1 + r.nextInt(6);
        int cols = 1 + r.nextInt(6);
        DMatrixRMaj x = random(r, rows, cols, 8);
        DMatrixRMaj dy = random(r, rows, cols, 1);
        DMatrixRMaj y = new DMatrixRMaj(1, 1);
        DMatrixRMaj expected = new DMatrixRMaj(1, 1);
        DMatrixRMaj actual = new DMatrixRMaj(1, 1);

        Kernels.sigmoid(x, y);
        Kernels.sigmoidBackward(x, dy, expected);
        Kernels.sigmoidBackwardFromOutput(y, dy, actual);
        assertArrayEquals(expected.data, actual.data, 1e-15);

        Kernels.tanh(x, y);
        Kernels.tanhBackward(x, dy, expected);
        Kernels.tanhBackwardFromOutput(y, dy, actual);
        assertArrayEquals(expected.data, actual.data, 1e-15);

        DMatrixRMaj s = new DMatrixRMaj(1, 1);
        Kernels.sigmoid(x, s);
        Kernels.swish(x, expected);
        Kernels.swishFromSigmoid(x, s, actual);
        assertArrayEquals(expected.data, actual.data, 0.0); // bit for bit: eager Ops.swish agrees
        Kernels.swishBackward(x, dy, expected);
        Kernels.swishBackwardFromSigmoid(x, s, dy, actual);
        assertArrayEquals(expected.data, actual.data, 1e-14);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 9})
    void addTransposedIsGPlusItsTranspose(int n) {
        Random r = new Random(n);
        DMatrixRMaj g = random(r, n, n, 1);
        DMatrixRMaj gt = new DMatrixRMaj(1, 1);
        CommonOps_DDRM.transpose(g, gt);
        DMatrixRMaj expected = new DMatrixRMaj(1, 1);
        CommonOps_DDRM.add(g, gt, expected);
        DMatrixRMaj actual = new DMatrixRMaj(1, 1);
        DMatrixRMaj before = g.copy();
        Kernels.addTransposed(g, actual);
        assertArrayEquals(expected.data, Arrays.copyOf(actual.data, n * n), 0.0);
        assertArrayEquals(before.data, g.data, 0.0);
        assertThrows(IllegalArgumentException.class, () -> Kernels.addTransposed(new DMatrixRMaj(2, 3), actual));
    }

    @Test
    void leftFirstComparesMultiplyAdds() {
        // (1x8·8x8)·8x2: 64 + 16 < 8x8·8x2 then 1x8·8x2: 128 + 16
        assertTrue(Kernels.leftFirst(1, 8, 8, 2));
        // (2x8·8x8)·8x1: 128 + 16 > 64 + 16
        assertFalse(Kernels.leftFirst(2, 8, 8, 1));
        // No overflow for large sizes.
        assertTrue(Kernels.leftFirst(1, 100_000, 100_000, 100_000));
    }
}
