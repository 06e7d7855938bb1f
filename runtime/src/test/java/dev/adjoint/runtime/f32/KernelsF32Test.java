package dev.adjoint.runtime.f32;

import static dev.adjoint.runtime.f32.F32Matrices.assertClose;
import static dev.adjoint.runtime.f32.F32Matrices.assertRounded;
import static dev.adjoint.runtime.f32.F32Matrices.assertUnchanged;
import static dev.adjoint.runtime.f32.F32Matrices.dirty;
import static dev.adjoint.runtime.f32.F32Matrices.toDouble;
import static dev.adjoint.runtime.f32.F32Matrices.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.Kernels;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every KernelsF32 method against its Kernels counterpart on the same entries (float inputs, exactly
 * converted to double). Entrywise kernels compute in double and round once, so their outputs are the
 * double outputs rounded to float, bit for bit; reductions accumulate in double in the same order, so
 * their results equal the double kernel's on the same entries (checked to 1e-12, far below what a
 * float accumulation of thousands of entries achieves: see {@link #floatAccumulationWouldFailTheseChecks}).
 */
class KernelsF32Test {

    private interface FloatUnary { void apply(FMatrixRMaj x, FMatrixRMaj out); }
    private interface DoubleUnary { void apply(DMatrixRMaj x, DMatrixRMaj out); }
    private interface FloatBackward { void apply(FMatrixRMaj x, FMatrixRMaj dy, FMatrixRMaj dx); }
    private interface DoubleBackward { void apply(DMatrixRMaj x, DMatrixRMaj dy, DMatrixRMaj dx); }

    /** Seeds 1–3: small random shapes; larger seeds: shapes spanning several widening chunks, with a partial tail. */
    private static int rows(Random r, long seed) {
        return seed <= 3 ? 3 + r.nextInt(5) : 300 + r.nextInt(300);
    }

    private static void unary(long seed, double lo, double hi, FloatUnary f, DoubleUnary d) {
        Random r = new Random(seed);
        FMatrixRMaj x = uniform(r, rows(r, seed), 1 + r.nextInt(6), lo, hi);
        FMatrixRMaj before = x.copy();
        DMatrixRMaj expected = new DMatrixRMaj(1, 1);
        d.apply(toDouble(x), expected);
        FMatrixRMaj out = dirty();
        f.apply(x, out);
        assertRounded(expected, out);
        assertUnchanged(before, x);
    }

    private static void backward(long seed, double lo, double hi, FloatBackward f, DoubleBackward d) {
        Random r = new Random(seed);
        int rows = rows(r, seed);
        int cols = 1 + r.nextInt(6);
        FMatrixRMaj x = uniform(r, rows, cols, lo, hi);
        FMatrixRMaj dy = uniform(r, rows, cols, -2, 2);
        DMatrixRMaj expected = new DMatrixRMaj(1, 1);
        d.apply(toDouble(x), toDouble(dy), expected);
        FMatrixRMaj out = dirty();
        f.apply(x, dy, out);
        assertRounded(expected, out);
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> f.apply(x, new FMatrixRMaj(rows + 1, cols), out));
        IllegalArgumentException wrongDouble = assertThrows(IllegalArgumentException.class,
                () -> d.apply(toDouble(x), new DMatrixRMaj(rows + 1, cols), expected));
        assertEquals(wrongDouble.getMessage(), wrong.getMessage());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void entrywiseForwardIsTheDoubleResultRounded(long seed) {
        unary(seed, -40, 40, KernelsF32::sigmoid, Kernels::sigmoid);
        unary(seed, -5, 5, KernelsF32::tanh, Kernels::tanh);
        unary(seed, -5, 5, KernelsF32::relu, Kernels::relu);
        unary(seed, -40, 40, KernelsF32::swish, Kernels::swish);
        unary(seed, -40, 40, KernelsF32::softplus, Kernels::softplus);
        unary(seed, -10, 10, KernelsF32::exp, Kernels::exp);
        unary(seed, 0.01, 10, KernelsF32::log, Kernels::log);
        unary(seed, 0.01, 3, (x, o) -> KernelsF32.elementPower(x, 2.7, o), (x, o) -> Kernels.elementPower(x, 2.7, o));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void entrywiseBackwardIsTheDoubleResultRounded(long seed) {
        backward(seed, -40, 40, KernelsF32::sigmoidBackward, Kernels::sigmoidBackward);
        backward(seed, -5, 5, KernelsF32::tanhBackward, Kernels::tanhBackward);
        backward(seed, -5, 5, KernelsF32::reluBackward, Kernels::reluBackward);
        backward(seed, -40, 40, KernelsF32::swishBackward, Kernels::swishBackward);
        backward(seed, -40, 40, KernelsF32::softplusBackward, Kernels::softplusBackward);
        backward(seed, -10, 10, KernelsF32::expBackward, Kernels::expBackward);
        backward(seed, 0.01, 10, KernelsF32::logBackward, Kernels::logBackward);
        backward(seed, 0.01, 3, (x, dy, dx) -> KernelsF32.elementPowerBackward(x, -1.3, dy, dx),
                (x, dy, dx) -> Kernels.elementPowerBackward(x, -1.3, dy, dx));
        backward(seed, 0, 1, (x, dy, dx) -> KernelsF32.elementPowerBackward(x, 0, dy, dx),
                (x, dy, dx) -> Kernels.elementPowerBackward(x, 0, dy, dx));
        backward(seed, 0.01, 0.99, KernelsF32::sigmoidBackwardFromOutput, Kernels::sigmoidBackwardFromOutput);
        backward(seed, -0.99, 0.99, KernelsF32::tanhBackwardFromOutput, Kernels::tanhBackwardFromOutput);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void swishFromSigmoid(long seed) {
        Random r = new Random(seed);
        FMatrixRMaj x = uniform(r, 4, 3, -6, 6);
        FMatrixRMaj s = new FMatrixRMaj(1, 1);
        KernelsF32.sigmoid(x, s);
        FMatrixRMaj dy = uniform(r, 4, 3, -1, 1);
        DMatrixRMaj expected = new DMatrixRMaj(1, 1);
        FMatrixRMaj out = dirty();
        Kernels.swishFromSigmoid(toDouble(x), toDouble(s), expected);
        KernelsF32.swishFromSigmoid(x, s, out);
        assertRounded(expected, out);
        Kernels.swishBackwardFromSigmoid(toDouble(x), toDouble(s), toDouble(dy), expected);
        KernelsF32.swishBackwardFromSigmoid(x, s, dy, out);
        assertRounded(expected, out);
        // ... and close to swish computed from x directly (s is rounded to float once).
        FMatrixRMaj direct = new FMatrixRMaj(1, 1);
        KernelsF32.swishBackward(x, dy, direct);
        assertClose(toDouble(direct), out, 1e-6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelsF32.swishFromSigmoid(x, new FMatrixRMaj(3, 4), out));
        assertEquals("swishFromSigmoid: shapes differ, 4x3 vs 3x4", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KernelsF32.swishBackwardFromSigmoid(x, new FMatrixRMaj(3, 4), dy, out));
    }

    // ------------------------------------------------------------------ reductions

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void reductionsEqualTheDoubleKernelOnTheSameEntries(long seed) {
        Random r = new Random(seed);
        FMatrixRMaj x = uniform(r, 70, 50, -3, 3);
        FMatrixRMaj y = uniform(r, 70, 50, 0, 1);
        DMatrixRMaj xd = toDouble(x);
        DMatrixRMaj yd = toDouble(y);
        assertClose(Kernels.sumSquares(xd), KernelsF32.sumSquares(x), 1e-12);
        assertClose(Kernels.mean(xd), KernelsF32.mean(x), 1e-12);
        assertClose(Kernels.dot(xd, yd), KernelsF32.dot(x, y), 1e-12);
        assertClose(Kernels.logSumExp(xd), KernelsF32.logSumExp(x), 1e-12);
        assertClose(Kernels.softmaxCrossEntropy(xd, yd), KernelsF32.softmaxCrossEntropy(x, y), 1e-12);
        FMatrixRMaj column = uniform(r, 3000, 1, -1, 1);
        FMatrixRMaj row = uniform(r, 1, 3000, -1, 1);
        assertClose(Kernels.dotVectors(toDouble(column), toDouble(row), "u.dot(v)"),
                KernelsF32.dotVectors(column, row, "u.dot(v)"), 1e-12);
        assertTrue(Double.isNaN(KernelsF32.mean(new FMatrixRMaj(0, 0))));
    }

    /** The checks above can fail: float accumulation of the same sums misses 1e-12 by far. */
    @Test
    void floatAccumulationWouldFailTheseChecks() {
        Random r = new Random(7);
        FMatrixRMaj x = uniform(r, 70, 50, -3, 3);
        double exact = Kernels.sumSquares(toDouble(x));
        float floatSum = CommonOps_FDRM.elementSumAbs(CommonOps_FDRM.elementMult(x, x, null));
        assertTrue(Math.abs(floatSum - exact) > 1e-9 * exact, "float sum " + floatSum + " vs " + exact);
        assertEquals(exact, KernelsF32.sumSquares(x), 1e-12 * exact);
    }

    @Test
    void reductionErrors() {
        FMatrixRMaj a = new FMatrixRMaj(2, 3);
        assertEquals("dot: element counts differ, 2x3 vs 4x1",
                assertThrows(IllegalArgumentException.class, () -> KernelsF32.dot(a, new FMatrixRMaj(4, 1))).getMessage());
        assertEquals("x.dot(y): dot needs two vectors of equal length, got 2x3 and 6x1",
                assertThrows(IllegalArgumentException.class,
                        () -> KernelsF32.dotVectors(a, new FMatrixRMaj(6, 1), "x.dot(y)")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> KernelsF32.dotVectors(new FMatrixRMaj(3, 1), new FMatrixRMaj(1, 4), "x.dot(y)"));
        assertEquals("softmaxCrossEntropy: Z is 2x3 but Y is 3x2; they must have the same shape",
                assertThrows(IllegalArgumentException.class,
                        () -> KernelsF32.softmaxCrossEntropy(a, new FMatrixRMaj(3, 2))).getMessage());
        assertEquals("addTransposed needs a square matrix, got 2x3",
                assertThrows(IllegalArgumentException.class, () -> KernelsF32.addTransposed(a, new FMatrixRMaj(1, 1))).getMessage());
    }

    @Test
    void logSumExpEdgeCasesLikeDouble() {
        FMatrixRMaj x = new FMatrixRMaj(1, 3, true, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY);
        assertEquals(Double.NEGATIVE_INFINITY, KernelsF32.logSumExp(x));
        x.data[1] = Float.POSITIVE_INFINITY;
        assertEquals(Double.POSITIVE_INFINITY, KernelsF32.logSumExp(x));
        // Large scores: exp overflows in float and double alike unless shifted.
        FMatrixRMaj big = new FMatrixRMaj(1, 2, true, 1000f, 1000f);
        assertEquals(1000 + Math.log(2), KernelsF32.logSumExp(big), 1e-12);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void softmaxKernels(long seed) {
        Random r = new Random(seed);
        int rows = seed <= 3 ? 2 + r.nextInt(8) : 300 + r.nextInt(300); // columns spanning several widening chunks
        int cols = 1 + r.nextInt(8);
        FMatrixRMaj z = uniform(r, rows, cols, -20, 20);
        FMatrixRMaj y = uniform(r, rows, cols, 0, 1);
        DMatrixRMaj zd = toDouble(z);
        DMatrixRMaj yd = toDouble(y);
        double dl = 0.7;
        DMatrixRMaj expected = new DMatrixRMaj(1, 1);
        FMatrixRMaj out = dirty();

        Kernels.logSumExpBackward(zd, dl, expected);
        KernelsF32.logSumExpBackward(z, dl, out);
        assertRounded(expected, out);
        Kernels.softmaxCrossEntropyBackwardZ(zd, yd, dl, expected);
        KernelsF32.softmaxCrossEntropyBackwardZ(z, y, dl, out);
        assertRounded(expected, out);
        Kernels.softmaxCrossEntropyBackwardY(zd, yd, dl, expected);
        KernelsF32.softmaxCrossEntropyBackwardY(z, y, dl, out);
        assertRounded(expected, out);

        // The softmax is stored in float, so what is computed from it is close, not bit for bit.
        DMatrixRMaj pd = new DMatrixRMaj(1, 1);
        FMatrixRMaj p = dirty();
        Kernels.columnSoftmax(zd, pd);
        KernelsF32.columnSoftmax(z, p);
        assertClose(pd, p, 1e-6);
        assertClose(Kernels.softmaxCrossEntropyFromSoftmax(zd, yd, pd), KernelsF32.softmaxCrossEntropyFromSoftmax(z, y, p), 1e-6);
        assertClose(Kernels.softmaxCrossEntropy(zd, yd), KernelsF32.softmaxCrossEntropyFromSoftmax(z, y, p), 1e-6);
        Kernels.softmaxCrossEntropyBackwardZFromSoftmax(toDouble(p), yd, dl, expected);
        KernelsF32.softmaxCrossEntropyBackwardZFromSoftmax(p, y, dl, out);
        assertRounded(expected, out);
    }

    // ------------------------------------------------------------------ broadcasting and helpers

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void broadcasting(long seed) {
        Random r = new Random(seed);
        int rows = 1 + r.nextInt(9);
        int cols = 1 + r.nextInt(11);
        FMatrixRMaj a = uniform(r, rows, cols, -1, 1);
        FMatrixRMaj v = uniform(r, rows, 1, -1, 1);
        FMatrixRMaj u = uniform(r, 1, cols, -1, 1);
        DMatrixRMaj ad = toDouble(a);
        DMatrixRMaj expected = new DMatrixRMaj(1, 1);
        FMatrixRMaj out = dirty();
        check(out, expected, o -> KernelsF32.rowSums(a, o), o -> Kernels.rowSums(ad, o));
        check(out, expected, o -> KernelsF32.columnSums(a, o), o -> Kernels.columnSums(ad, o));
        check(out, expected, o -> KernelsF32.addColumn(a, v, o), o -> Kernels.addColumn(ad, toDouble(v), o));
        check(out, expected, o -> KernelsF32.addRow(a, u, o), o -> Kernels.addRow(ad, toDouble(u), o));
        check(out, expected, o -> KernelsF32.broadcastColumn(v, a, o), o -> Kernels.broadcastColumn(toDouble(v), ad, o));
        check(out, expected, o -> KernelsF32.broadcastRow(u, a, o), o -> Kernels.broadcastRow(toDouble(u), ad, o));

        FMatrixRMaj wrong = new FMatrixRMaj(rows + 1, 1);
        assertEquals(message(() -> Kernels.addColumn(ad, toDouble(wrong), expected)), message(() -> KernelsF32.addColumn(a, wrong, out)));
        assertEquals(message(() -> Kernels.broadcastColumn(toDouble(wrong), ad, expected)),
                message(() -> KernelsF32.broadcastColumn(wrong, a, out)));
        FMatrixRMaj wrongRow = new FMatrixRMaj(1, cols + 1);
        assertEquals(message(() -> Kernels.addRow(ad, toDouble(wrongRow), expected)), message(() -> KernelsF32.addRow(a, wrongRow, out)));
        assertEquals(message(() -> Kernels.broadcastRow(toDouble(wrongRow), ad, expected)),
                message(() -> KernelsF32.broadcastRow(wrongRow, a, out)));
    }

    /** Column and row sums of many entries are double sums rounded once. */
    @Test
    void longSumsAccumulateInDouble() {
        Random r = new Random(11);
        FMatrixRMaj a = uniform(r, 5000, 7, -1, 1);
        FMatrixRMaj sums = new FMatrixRMaj(1, 1);
        KernelsF32.columnSums(a, sums);
        DMatrixRMaj expected = new DMatrixRMaj(1, 1);
        Kernels.columnSums(toDouble(a), expected);
        assertRounded(expected, sums);
        FMatrixRMaj t = CommonOps_FDRM.transpose(a, null);
        KernelsF32.rowSums(t, sums);
        Kernels.rowSums(toDouble(t), expected);
        assertRounded(expected, sums);
    }

    private static void check(FMatrixRMaj out, DMatrixRMaj expected, java.util.function.Consumer<FMatrixRMaj> f,
            java.util.function.Consumer<DMatrixRMaj> d) {
        java.util.Arrays.fill(out.data, Float.NaN);
        f.accept(out);
        d.accept(expected);
        assertRounded(expected, out);
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void constantsAndHelpers(long seed) {
        Random r = new Random(seed);
        int rows = 1 + r.nextInt(6);
        int cols = 1 + r.nextInt(6);
        FMatrixRMaj like = uniform(r, rows, cols, -1, 1);
        DMatrixRMaj likeD = toDouble(like);
        double s = 0.1 + r.nextDouble(); // not a float: rounded once
        DMatrixRMaj expected = new DMatrixRMaj(1, 1);
        FMatrixRMaj out = dirty();
        check(out, expected, o -> KernelsF32.fill(like, s, o), o -> Kernels.fill(likeD, s, o));
        check(out, expected, o -> KernelsF32.scaledIdentity(like, s, o), o -> Kernels.scaledIdentity(likeD, s, o));
        check(out, expected, o -> KernelsF32.identity(rows, o), o -> Kernels.identity(rows, o));
        check(out, expected, o -> KernelsF32.filled(rows, cols, s, o), o -> Kernels.filled(rows, cols, s, o));
        FMatrixRMaj flat = uniform(r, 1, rows * cols, -1, 1);
        check(out, expected, o -> KernelsF32.scaleReshaped(s, flat, like, o), o -> Kernels.scaleReshaped(s, toDouble(flat), likeD, o));
        check(out, expected, o -> KernelsF32.copy(like, o), o -> Kernels.copy(likeD, o));
        assertEquals(message(() -> Kernels.scaleReshaped(s, likeD, new DMatrixRMaj(rows * cols + 1, 1), expected)),
                message(() -> KernelsF32.scaleReshaped(s, like, new FMatrixRMaj(rows * cols + 1, 1), out)));
        FMatrixRMaj same = like.copy();
        KernelsF32.copy(same, same);
        assertUnchanged(like, same);

        FMatrixRMaj square = uniform(r, rows, rows, -1, 1);
        FMatrixRMaj diagonal = square.copy();
        KernelsF32.addToDiagonal(diagonal, s);
        DMatrixRMaj diagonalD = toDouble(square);
        Kernels.addToDiagonal(diagonalD, s);
        assertRounded(diagonalD, diagonal);
        check(out, expected, o -> KernelsF32.addTransposed(square, o), o -> Kernels.addTransposed(toDouble(square), o));

        assertEquals("3x4", KernelsF32.shape(new FMatrixRMaj(3, 4)));
        for (int i = 0; i < 50; i++) {
            int p = 1 + r.nextInt(300), q = 1 + r.nextInt(300), t = 1 + r.nextInt(300), w = 1 + r.nextInt(300);
            assertEquals(Kernels.leftFirst(p, q, t, w), KernelsF32.leftFirst(p, q, t, w));
            assertEquals(Kernels.outerProductFirst(p, q, t), KernelsF32.outerProductFirst(p, q, t));
        }
        assertTrue(KernelsF32.leftFirst(1, 100, 100, 100));
        assertFalse(KernelsF32.leftFirst(100, 100, 100, 1));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void multTransBWithWorkspace(long seed) {
        Random r = new Random(seed);
        int m = 1 + r.nextInt(8), k = 1 + r.nextInt(8), n = 1 + r.nextInt(8);
        FMatrixRMaj a = uniform(r, m, k, -1, 1);
        FMatrixRMaj b = uniform(r, n, k, -1, 1);
        FMatrixRMaj start = uniform(r, m, n, -1, 1);
        DMatrixRMaj expected = new DMatrixRMaj(m, n);
        DMatrixRMaj bT = new DMatrixRMaj(1, 1);
        FMatrixRMaj bTf = dirty();
        double alpha = -0.7;
        FMatrixRMaj c = dirty();
        Kernels.multTransB(toDouble(a), toDouble(b), expected, bT);
        KernelsF32.multTransB(a, b, c, bTf);
        assertClose(expected, c, 1e-5);
        Kernels.multTransB(alpha, toDouble(a), toDouble(b), expected, bT);
        KernelsF32.multTransB(alpha, a, b, c, bTf);
        assertClose(expected, c, 1e-5);
        expected = toDouble(start);
        c = start.copy();
        Kernels.multAddTransB(toDouble(a), toDouble(b), expected, bT);
        KernelsF32.multAddTransB(a, b, c, bTf);
        assertClose(expected, c, 1e-5);
        Kernels.multAddTransB(alpha, toDouble(a), toDouble(b), expected, bT);
        KernelsF32.multAddTransB(alpha, a, b, c, bTf);
        assertClose(expected, c, 1e-5);
    }

    // ------------------------------------------------------------------ second order

    @Test
    void secondOrderHelpers() {
        Random r = new Random(5);
        FMatrixRMaj h = uniform(r, 5, 5, -1, 1);
        FMatrixRMaj block = uniform(r, 1, 3, -1, 1);
        DMatrixRMaj hd = toDouble(h);
        KernelsF32.setHessianColumn(h, 2, 1, block);
        Kernels.setHessianColumn(hd, 2, 1, toDouble(block));
        assertRounded(hd, h);
        assertEquals(block.data[1], h.get(2, 2));
        KernelsF32.symmetrize(h);
        Kernels.symmetrize(hd);
        assertRounded(hd, h);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                assertEquals(h.get(i, j), h.get(j, i));
            }
        }
        FMatrixRMaj p = new FMatrixRMaj(3, 2);
        KernelsF32.checkDirection(new FMatrixRMaj(3, 2), p, "dW", "W", "hessianVectorProduct");
        assertEquals(message(() -> Kernels.checkDirection(new DMatrixRMaj(2, 3), new DMatrixRMaj(3, 2), "dW", "W", "hvp")),
                message(() -> KernelsF32.checkDirection(new FMatrixRMaj(2, 3), p, "dW", "W", "hvp")));
    }
}
