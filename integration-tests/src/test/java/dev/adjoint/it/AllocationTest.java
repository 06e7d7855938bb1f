package dev.adjoint.it;

import static dev.adjoint.it.TestSupport.spd;
import static dev.adjoint.it.TestSupport.uniform;
import static dev.adjoint.it.TestSupport.wellConditioned;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.Random;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC section 4: "no heap allocation per call once argument shapes repeat". Counts the bytes the
 * test thread allocates over many value and gradient calls after a warm-up (HotSpot's per-thread
 * allocation counter; no timing involved).
 */
class AllocationTest {

    private static final int WARM_UP = 1000;
    private static final int CALLS = 500;
    private static final int ROUNDS = 3;

    /** Half the smallest object (16 bytes) per call: one allocation per call cannot pass. */
    private static final long ALLOWED_BYTES = 8L * CALLS;

    static Stream<Arguments> functions() {
        Random r = new Random(42);
        DMatrixRMaj A3 = wellConditioned(r, 3), A8 = wellConditioned(r, 8), B32 = uniform(r, 3, 2),
                C32 = uniform(r, 3, 2), C33 = uniform(r, 3, 3), A34 = uniform(r, 3, 4), B45 = uniform(r, 4, 5),
                v3 = uniform(r, 3, 1), x4 = uniform(r, 4, 1), S3 = spd(r, 3), Z = uniform(r, 4, 3),
                Y = uniform(r, 4, 3, 0, 1), W = uniform(r, 4, 3), X = uniform(r, 3, 5), Xg = uniform(r, 5, 2),
                Yg = uniform(r, 5, 3), W1 = uniform(r, 4, 3), b1 = uniform(r, 4, 1), W2 = uniform(r, 3, 4),
                b2 = uniform(r, 3, 1), A33 = uniform(r, 3, 3), C34 = uniform(r, 3, 4),
                Ymlp = uniform(r, 3, 5, 0, 1);
        var mult = new DslForms_Mult();
        var solve = new DslForms_Solve();
        var invert = new DslForms_Invert();
        var det = new DslForms_Determinant();
        var logDet = new DslForms_OpsLogDet();
        var logDetDirect = new DslForms_OpsLogDetDirect();
        var sce = new DslForms_OpsSoftmaxCrossEntropy();
        var addColumn = new DslForms_OpsAddColumn();
        var dot = new DslForms_DotColumns();
        var filled = new DslForms_Filled();
        var identity = new DslForms_Identity();
        var ones = new DslForms_Ones();
        var power = new DslForms_ElementPowerComputed();
        var swish = new DslForms_OpsSwish();
        var logSumExp = new DslForms_OpsLogSumExp();
        var intLocals = new DslForms_IntLocals();
        var auto = new FanOut_TiedAutoencoder();
        var mlp = new FanOut_Mlp();
        var gplvm = new FanOut_Gplvm();
        var shared = new Combos_SharedFactorization();
        var transposed = new Combos_TransposedFactorizations();
        var mlp3 = new Composition_Mlp3();
        var residual = new Composition_ResidualNet();
        DMatrixRMaj W3 = uniform(r, 3, 3), b3 = uniform(r, 3, 1), Wr = uniform(r, 3, 3), Xr = uniform(r, 3, 5);
        var rnn = new ControlFlow_Rnn();
        var rnn2 = new ControlFlow_RnnSecondOrder();
        var branch = new ControlFlow_Branch();
        var whileBreak = new ControlFlow_WhileBreak();
        var nested = new ControlFlow_Nested();
        var powerDown = new ControlFlow_PowerDown();
        DMatrixRMaj Wrnn = uniform(r, 4, 4, -0.5, 0.5), Ur = uniform(r, 4, 3), br = uniform(r, 4, 1), h0 = uniform(r, 4, 1),
                Xlong = uniform(r, 3, 12), Xshort = uniform(r, 3, 5), Bp = uniform(r, 4, 4, -0.5, 0.5);
        var lowRank = new LowRank_Gplvm();
        var lowRankSolve = new LowRank_GplvmSolve();
        var shifted = new LowRank_ShiftedGram();
        DMatrixRMaj Xl = uniform(r, 40, 2), Yl = uniform(r, 40, 6), Zl = uniform(r, 40, 3), Wl = uniform(r, 3, 2),
                Xw = uniform(r, 4, 6), Yw = uniform(r, 4, 3);
        return Stream.of(
                // Loops: the tape grows in the warm-up; calls whose trip count does not exceed it allocate nothing.
                Arguments.of("rnn, T = 12 then 5", (Runnable) () -> { rnn.value(Wrnn, Ur, br, h0, Xlong);
                    rnn.gradient(Wrnn, Ur, br, h0, Xlong); rnn.gradient(Wrnn, Ur, br, h0, Xshort); }),
                Arguments.of("rnn H·d (order = 2), T = 12 then 5", (Runnable) () -> {
                    rnn2.hessianVectorProduct(Wrnn, Ur, br, h0, Xlong, Bp, Ur, br, h0);
                    rnn2.hessianVectorProduct(Wrnn, Ur, br, h0, Xshort, Bp, Ur, br, h0); }),
                Arguments.of("if/else, both branches", (Runnable) () -> { branch.value(A34, 0.5); branch.gradient(A34, 0.5);
                    branch.gradient(A34, -0.5); }),
                Arguments.of("while, break, continue", (Runnable) () -> { whileBreak.value(0.3, 6); whileBreak.gradient(0.3, 6);
                    whileBreak.gradient(-2.5, 2); }),
                Arguments.of("nested loops", (Runnable) () -> { nested.value(0.4, 4, 3); nested.gradient(0.4, 4, 3); }),
                Arguments.of("matrix recurrence", (Runnable) () -> { powerDown.value(A34, Bp, 7); powerDown.gradient(A34, Bp, 7); }),
                Arguments.of("mult", (Runnable) () -> { mult.value(A34, B45); mult.gradient(A34, B45); }),
                Arguments.of("solve", (Runnable) () -> { solve.value(A3, B32, C32); solve.gradient(A3, B32, C32); }),
                Arguments.of("invert", (Runnable) () -> { invert.value(A3, C33); invert.gradient(A3, C33); }),
                Arguments.of("determinant 3x3", (Runnable) () -> { det.value(A3); det.gradient(A3); }),
                Arguments.of("determinant 8x8", (Runnable) () -> { det.value(A8); det.gradient(A8); }),
                Arguments.of("logDet(B·Bᵀ + c·I)", (Runnable) () -> { logDet.value(B32, 0.7); logDet.gradient(B32, 0.7); }),
                Arguments.of("logDet(S)", (Runnable) () -> { logDetDirect.value(S3); logDetDirect.gradient(S3); }),
                Arguments.of("softmaxCrossEntropy", (Runnable) () -> { sce.value(Z, Y); sce.gradient(Z, Y); }),
                Arguments.of("addColumn", (Runnable) () -> { addColumn.value(A34, v3, C34); addColumn.gradient(A34, v3, C34); }),
                Arguments.of("dot", (Runnable) () -> { dot.value(A34, x4, v3); dot.gradient(A34, x4, v3); }),
                Arguments.of("filled", (Runnable) () -> { filled.value(A34, 0.3, C34); filled.gradient(A34, 0.3, C34); }),
                Arguments.of("identity", (Runnable) () -> { identity.value(A33, B32); identity.gradient(A33, B32); }),
                Arguments.of("ones", (Runnable) () -> { ones.value(B32, C32); ones.gradient(B32, C32); }),
                Arguments.of("elementPower", (Runnable) () -> { power.value(A34, 1.3, C34); power.gradient(A34, 1.3, C34); }),
                Arguments.of("swish", (Runnable) () -> { swish.value(A34, C34); swish.gradient(A34, C34); }),
                Arguments.of("logSumExp", (Runnable) () -> { logSumExp.value(A34, C34); logSumExp.gradient(A34, C34); }),
                Arguments.of("int locals", (Runnable) () -> { intLocals.value(A34, 0.2); intLocals.gradient(A34, 0.2); }),
                Arguments.of("tied autoencoder", (Runnable) () -> { auto.value(W, X); auto.gradient(W, X); }),
                Arguments.of("mlp", (Runnable) () -> { mlp.value(W1, b1, W2, b2, X, Ymlp); mlp.gradient(W1, b1, W2, b2, X, Ymlp); }),
                Arguments.of("gplvm", (Runnable) () -> { gplvm.value(Xg, 0.8, 1.2, Yg); gplvm.gradient(Xg, 0.8, 1.2, Yg); }),
                Arguments.of("shared factorization", (Runnable) () -> { shared.value(B32, C32); shared.gradient(B32, C32); }),
                Arguments.of("transposed factorizations", (Runnable) () -> { transposed.value(A3, B32); transposed.gradient(A3, B32); }),
                Arguments.of("layer helper inlined three times", (Runnable) () -> {
                    mlp3.value(W1, b1, W2, b2, W3, b3, X, Ymlp); mlp3.gradient(W1, b1, W2, b2, W3, b3, X, Ymlp); }),
                Arguments.of("helpers of two classes nested", (Runnable) () -> {
                    residual.value(Wr, v3, 0.4, Xr); residual.gradient(Wr, v3, 0.4, Xr); }),
                Arguments.of("gplvm low rank (Woodbury), N = 40, q = 2", (Runnable) () -> {
                    lowRank.value(Xl, 0.8, 1.2, Yl); lowRank.gradient(Xl, 0.8, 1.2, Yl); }),
                Arguments.of("gplvm with solve, low rank", (Runnable) () -> {
                    lowRankSolve.value(Xl, 0.8, 1.2, Yl); lowRankSolve.gradient(Xl, 0.8, 1.2, Yl); }),
                Arguments.of("gplvm, both versions alternately", (Runnable) () -> {
                    lowRank.gradient(Xl, 0.8, 1.2, Yl); lowRank.gradient(Xw, 0.8, 1.2, Yw);
                    lowRank.value(Xl, 0.8, 1.2, Yl); lowRank.value(Xw, 0.8, 1.2, Yw); }),
                Arguments.of("shifted Gram, low rank, computed factor", (Runnable) () -> {
                    shifted.value(Zl, Wl, 0.4, Yl); shifted.gradient(Zl, Wl, 0.4, Yl); }));
    }

    /** Second order: hessianVectorProduct and hessian allocate nothing either, once shapes repeat. */
    static Stream<Arguments> secondOrder() {
        Random r = new Random(43);
        DMatrixRMaj A3 = wellConditioned(r, 3), B32 = uniform(r, 3, 2), C32 = uniform(r, 3, 2), C33 = uniform(r, 3, 3),
                A34 = uniform(r, 3, 4), B45 = uniform(r, 4, 5), Z = uniform(r, 4, 3), Y = uniform(r, 4, 3, 0, 1),
                W = uniform(r, 4, 3), X = uniform(r, 3, 5), Xg = uniform(r, 5, 2), Yg = uniform(r, 5, 3),
                W1 = uniform(r, 4, 3), b1 = uniform(r, 4, 1), W2 = uniform(r, 3, 4), b2 = uniform(r, 3, 1),
                C34 = uniform(r, 3, 4), Ymlp = uniform(r, 3, 5, 0, 1);
        DMatrixRMaj dA34 = uniform(r, 3, 4), dB45 = uniform(r, 4, 5), dA3 = uniform(r, 3, 3), dB32 = uniform(r, 3, 2),
                dC33 = uniform(r, 3, 3), dZ = uniform(r, 4, 3), dW = uniform(r, 4, 3), dXg = uniform(r, 5, 2),
                dW1 = uniform(r, 4, 3), db1 = uniform(r, 4, 1), dW2 = uniform(r, 3, 4), db2 = uniform(r, 3, 1),
                dC34 = uniform(r, 3, 4);
        var mult = new DslForms_Mult();
        var invert = new DslForms_Invert();
        var det = new DslForms_Determinant();
        var logDet = new DslForms_OpsLogDet();
        var sce = new DslForms_OpsSoftmaxCrossEntropy();
        var swish = new DslForms_OpsSwish();
        var logSumExp = new DslForms_OpsLogSumExp();
        var power = new DslForms_ElementPowerComputed();
        var auto = new FanOut_TiedAutoencoder();
        var mlp = new FanOut_Mlp();
        var gplvm = new FanOut_Gplvm();
        return Stream.of(
                Arguments.of("mult", (Runnable) () -> mult.hessianVectorProduct(A34, B45, dA34, dB45)),
                Arguments.of("invert", (Runnable) () -> invert.hessianVectorProduct(A3, C33, dA3, dC33)),
                Arguments.of("determinant", (Runnable) () -> det.hessianVectorProduct(A3, dA3)),
                Arguments.of("logDet(B·Bᵀ + c·I)", (Runnable) () -> logDet.hessianVectorProduct(B32, 0.7, dB32, 0.1)),
                Arguments.of("softmaxCrossEntropy", (Runnable) () -> sce.hessianVectorProduct(Z, Y, dZ, dW)),
                Arguments.of("swish", (Runnable) () -> swish.hessianVectorProduct(A34, C34, dA34, dC34)),
                Arguments.of("logSumExp", (Runnable) () -> logSumExp.hessianVectorProduct(A34, C34, dA34, dC34)),
                Arguments.of("elementPower", (Runnable) () -> power.hessianVectorProduct(A34, 1.3, C34, dA34, dC34)),
                Arguments.of("tied autoencoder", (Runnable) () -> auto.hessianVectorProduct(W, X, dW)),
                Arguments.of("tied autoencoder hessian", (Runnable) () -> auto.hessian(W, X)),
                Arguments.of("mlp", (Runnable) () -> mlp.hessianVectorProduct(W1, b1, W2, b2, X, Ymlp, dW1, db1, dW2, db2)),
                Arguments.of("gplvm", (Runnable) () -> gplvm.hessianVectorProduct(Xg, 0.8, 1.2, Yg, dXg, 0.1, -0.2)),
                Arguments.of("gplvm hessian", (Runnable) () -> gplvm.hessian(Xg, 0.8, 1.2, Yg)));
    }

    /** Float32 classes allocate nothing either. */
    static Stream<Arguments> float32() {
        Random r = new Random(44);
        org.ejml.data.FMatrixRMaj W = f32(uniform(r, 4, 3)), X = f32(uniform(r, 3, 5)), Xg = f32(uniform(r, 5, 2)),
                Yg = f32(uniform(r, 5, 3)), W1 = f32(uniform(r, 4, 3)), b1 = f32(uniform(r, 4, 1)), W2 = f32(uniform(r, 3, 4)),
                b2 = f32(uniform(r, 3, 1)), Ymlp = f32(uniform(r, 3, 5, 0, 1)), dW = f32(uniform(r, 4, 3));
        var auto = new FanOut_TiedAutoencoder_F32();
        var mlp = new FanOut_Mlp_F32();
        var gplvm = new FanOut_Gplvm_F32();
        return Stream.of(
                Arguments.of("tied autoencoder", (Runnable) () -> { auto.value(W, X); auto.gradient(W, X); auto.hessianVectorProduct(W, X, dW); }),
                Arguments.of("mlp", (Runnable) () -> { mlp.value(W1, b1, W2, b2, X, Ymlp); mlp.gradient(W1, b1, W2, b2, X, Ymlp); }),
                Arguments.of("gplvm", (Runnable) () -> { gplvm.value(Xg, 0.8f, 1.2f, Yg); gplvm.gradient(Xg, 0.8f, 1.2f, Yg); }));
    }

    private static org.ejml.data.FMatrixRMaj f32(DMatrixRMaj m) {
        org.ejml.data.FMatrixRMaj f = new org.ejml.data.FMatrixRMaj(m.numRows, m.numCols);
        org.ejml.ops.ConvertMatrixData.convert(m, f);
        return f;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("float32")
    void float32AllocatesNothingOnceShapesRepeat(String name, Runnable call) {
        noAllocationOnceShapesRepeat(name, call);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("secondOrder")
    void secondOrderAllocatesNothingOnceShapesRepeat(String name, Runnable call) {
        noAllocationOnceShapesRepeat(name, call);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void noAllocationOnceShapesRepeat(String name, Runnable call) {
        var bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "per-thread allocation counter unavailable");
        var threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counter unavailable");
        long id = Thread.currentThread().getId();
        for (int i = 0; i < WARM_UP; i++) {
            call.run(); // workspaces reach their sizes, classes load, the JIT settles
        }
        // Minimum over rounds, so a one-off allocation (class loading, deoptimization) is ignored
        // while any allocation made on every call shows in every round.
        long least = Long.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            long before = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < CALLS; i++) {
                call.run();
            }
            least = Math.min(least, threads.getThreadAllocatedBytes(id) - before);
        }
        assertTrue(least < ALLOWED_BYTES, name + ": at least " + least + " bytes allocated in each round of "
                + CALLS + " value+gradient calls with repeating shapes (" + (double) least / CALLS + " per call)");
    }
}
