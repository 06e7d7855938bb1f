package dev.adjoint.runtime.f32;

import static dev.adjoint.runtime.f32.F32Matrices.assertClose;
import static dev.adjoint.runtime.f32.F32Matrices.assertRounded;
import static dev.adjoint.runtime.f32.F32Matrices.assertUnchanged;
import static dev.adjoint.runtime.f32.F32Matrices.dirty;
import static dev.adjoint.runtime.f32.F32Matrices.toDouble;
import static dev.adjoint.runtime.f32.F32Matrices.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ejml.MatrixDimensionException;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CommonOpsF32 and NormOpsF32 against CommonOps_DDRM and NormOps_DDRM on the same entries: every
 * entrywise result is the double one rounded to float once (bit for bit), scalar results equal the
 * double ones, and wrong shapes fail as EJML's do.
 */
class CommonOpsF32Test {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void entrywiseResultsAreTheDoubleOnesRounded(long seed) {
        Random r = new Random(seed);
        int rows = seed <= 3 ? 1 + r.nextInt(7) : 100 + r.nextInt(100); // several widening chunks
        int cols = 1 + r.nextInt(7);
        FMatrixRMaj a = uniform(r, rows, cols, -2, 2);
        FMatrixRMaj b = uniform(r, rows, cols, 0.5, 2);
        FMatrixRMaj aBefore = a.copy();
        FMatrixRMaj bBefore = b.copy();
        DMatrixRMaj ad = toDouble(a);
        DMatrixRMaj bd = toDouble(b);
        double s = -0.3 - r.nextDouble(); // not a float: must be applied in double, then rounded
        FMatrixRMaj out = dirty();

        assertRounded(CommonOps_DDRM.add(ad, bd, null), CommonOpsF32.add(a, b, out));
        assertRounded(CommonOps_DDRM.add(ad, s, null), CommonOpsF32.add(a, s, dirty()));
        assertRounded(CommonOps_DDRM.subtract(ad, bd, null), CommonOpsF32.subtract(a, b, dirty()));
        assertRounded(CommonOps_DDRM.changeSign(ad, null), CommonOpsF32.changeSign(a, dirty()));
        assertRounded(CommonOps_DDRM.divide(ad, s, null), CommonOpsF32.divide(a, s, dirty()));
        assertRounded(CommonOps_DDRM.elementDiv(ad, bd, null), CommonOpsF32.elementDiv(a, b, dirty()));
        assertRounded(CommonOps_DDRM.elementMult(ad, bd, null), CommonOpsF32.elementMult(a, b, dirty()));
        assertRounded(CommonOps_DDRM.elementExp(ad, null), CommonOpsF32.elementExp(a, dirty()));
        assertRounded(CommonOps_DDRM.elementLog(bd, null), CommonOpsF32.elementLog(b, dirty()));
        assertRounded(CommonOps_DDRM.transpose(ad, null), CommonOpsF32.transpose(a, dirty()));
        DMatrixRMaj scaled = new DMatrixRMaj(1, 1);
        CommonOps_DDRM.scale(s, ad, scaled);
        out = dirty();
        CommonOpsF32.scale(s, a, out);
        assertRounded(scaled, out);

        FMatrixRMaj inPlace = a.copy();
        DMatrixRMaj inPlaceD = toDouble(a);
        CommonOpsF32.addEquals(inPlace, b);
        CommonOps_DDRM.addEquals(inPlaceD, bd);
        assertRounded(inPlaceD, inPlace);
        inPlace = a.copy();
        inPlaceD = toDouble(a);
        CommonOpsF32.addEquals(inPlace, s, b);
        CommonOps_DDRM.addEquals(inPlaceD, s, bd);
        assertRounded(inPlaceD, inPlace);
        inPlace = a.copy();
        inPlaceD = toDouble(a);
        CommonOpsF32.subtractEquals(inPlace, b);
        CommonOps_DDRM.subtractEquals(inPlaceD, bd);
        assertRounded(inPlaceD, inPlace);

        assertUnchanged(aBefore, a);
        assertUnchanged(bBefore, b);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void scalarResultsAccumulateInDouble(long seed) {
        Random r = new Random(seed);
        FMatrixRMaj big = uniform(r, 200, 150, -1, 3);
        DMatrixRMaj bigD = toDouble(big);
        assertEquals(CommonOps_DDRM.elementSum(bigD), CommonOpsF32.elementSum(big), 1e-12 * Math.abs(CommonOps_DDRM.elementSum(bigD)));
        assertTrue(Math.abs(CommonOps_FDRM.elementSum(big) - CommonOps_DDRM.elementSum(bigD)) > 1e-9 * Math.abs(CommonOps_DDRM.elementSum(bigD)),
                "a float sum would fail the check above");
        FMatrixRMaj wide = uniform(r, 400, 700, -1, 3); // trace of a non-square matrix: min(rows, cols) terms
        assertEquals(CommonOps_DDRM.trace(toDouble(wide)), CommonOpsF32.trace(wide), 1e-12 * 400);
        assertEquals(CommonOps_DDRM.trace(toDouble(wide)), CommonOpsF32.trace(CommonOps_FDRM.transpose(wide, null)), 1e-12 * 400);
        // NormOps_DDRM's scaling by the largest entry costs it a few ulps; the unscaled double sum is exact-ish.
        assertClose(NormOps_DDRM.normF(bigD), NormOpsF32.normF(big), 1e-13);
        assertClose(Math.sqrt(dev.adjoint.runtime.Kernels.sumSquares(bigD)), NormOpsF32.normF(big), 1e-13);
        assertEquals(0.0, NormOpsF32.normF(new FMatrixRMaj(3, 3)));
        // Squares of the largest floats overflow neither float nor double accumulation here.
        FMatrixRMaj huge = new FMatrixRMaj(1, 2, true, Float.MAX_VALUE, Float.MAX_VALUE);
        assertClose(Math.sqrt(2) * Float.MAX_VALUE, NormOpsF32.normF(huge), 1e-15);
        FMatrixRMaj tiny = new FMatrixRMaj(1, 2, true, Float.MIN_VALUE, Float.MIN_VALUE);
        assertEquals(Math.sqrt(2) * Float.MIN_VALUE, NormOpsF32.normF(tiny), 1e-15 * Float.MIN_VALUE);
    }

    @org.junit.jupiter.api.Test
    void wrongShapesFailAsInEjml() {
        FMatrixRMaj a = new FMatrixRMaj(2, 3);
        FMatrixRMaj b = new FMatrixRMaj(3, 2);
        FMatrixRMaj out = new FMatrixRMaj(1, 1);
        assertThrows(MatrixDimensionException.class, () -> CommonOpsF32.add(a, b, out));
        assertThrows(MatrixDimensionException.class, () -> CommonOpsF32.subtract(a, b, out));
        assertThrows(MatrixDimensionException.class, () -> CommonOpsF32.elementMult(a, b, out));
        assertThrows(MatrixDimensionException.class, () -> CommonOpsF32.elementDiv(a, b, out));
        assertThrows(MatrixDimensionException.class, () -> CommonOpsF32.addEquals(a, b));
        assertThrows(MatrixDimensionException.class, () -> CommonOpsF32.subtractEquals(a, b));
        MatrixDimensionException ours = assertThrows(MatrixDimensionException.class, () -> CommonOpsF32.addEquals(a, 2.0, b));
        MatrixDimensionException ejml = assertThrows(MatrixDimensionException.class,
                () -> CommonOps_DDRM.addEquals(new DMatrixRMaj(2, 3), 2.0, new DMatrixRMaj(3, 2)));
        assertEquals(ejml.getMessage(), ours.getMessage());
    }
}
