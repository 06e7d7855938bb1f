package demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.DifferentiableFunction;
import dev.adjoint.runtime.GradientChecker;
import dev.adjoint.runtime.Parameter;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The three SPEC examples: generated gradients against the closed forms at the end of the SPEC
 * (implemented here independently, with plain {@link SimpleMatrix} algebra), against finite
 * differences, and generated values against the eager static methods of {@link Losses}.
 */
class SpecExamplesTest {

    static final double CLOSED_FORM_TOLERANCE = 1e-9;
    static final double EAGER_TOLERANCE = 1e-12;
    static final double WRONG_FORM_MINIMUM = 1e-3;

    // ---------------------------------------------------------------- random inputs

    static SimpleMatrix gaussian(int rows, int cols, double scale, Random random) {
        SimpleMatrix m = new SimpleMatrix(rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                m.set(i, j, scale * random.nextGaussian());
            }
        }
        return m;
    }

    static SimpleMatrix oneHot(int classes, int samples, Random random) {
        SimpleMatrix y = new SimpleMatrix(classes, samples);
        for (int j = 0; j < samples; j++) {
            y.set(random.nextInt(classes), j, 1.0);
        }
        return y;
    }

    /** ‖actual − expected‖_F / ‖expected‖_F. */
    static double relativeError(DMatrixRMaj actual, SimpleMatrix expected) {
        assertEquals(expected.getNumRows(), actual.numRows, "rows");
        assertEquals(expected.getNumCols(), actual.numCols, "cols");
        return SimpleMatrix.wrap(actual).minus(expected).normF() / expected.normF();
    }

    static double relativeError(double actual, double expected) {
        return Math.abs(actual - expected) / Math.abs(expected);
    }

    static void assertRelative(double tolerance, DMatrixRMaj actual, SimpleMatrix expected, String what) {
        double e = relativeError(actual, expected);
        assertTrue(e < tolerance, () -> String.format(Locale.ROOT, "%s: relative error %.3e >= %.1e%ngenerated:%s%nclosed form:%s",
                what, e, tolerance, actual, expected));
    }

    static void assertRelative(double tolerance, double actual, double expected, String what) {
        double e = relativeError(actual, expected);
        assertTrue(e < tolerance, () -> String.format(Locale.ROOT, "%s: relative error %.3e >= %.1e (generated %.17g, expected %.17g)",
                what, e, tolerance, actual, expected));
    }

    // ---------------------------------------------------------------- closed forms (SPEC, end)

    /** ∂L/∂W = W·r·xᵀ + W·x·rᵀ with r = WᵀWx − x. */
    static SimpleMatrix autoencoderGradient(SimpleMatrix w, SimpleMatrix x) {
        SimpleMatrix r = w.transpose().mult(w).mult(x).minus(x);
        return w.mult(r).mult(x.transpose()).plus(w.mult(x).mult(r.transpose()));
    }

    /** The tempting but wrong 2W(WᵀW − I)xxᵀ. */
    static SimpleMatrix autoencoderWrongGradient(SimpleMatrix w, SimpleMatrix x) {
        SimpleMatrix i = SimpleMatrix.identity(w.getNumCols());
        return w.mult(w.transpose().mult(w).minus(i)).mult(x).mult(x.transpose()).scale(2.0);
    }

    static double autoencoderValue(SimpleMatrix w, SimpleMatrix x) {
        SimpleMatrix r = w.transpose().mult(w).mult(x).minus(x);
        double s = 0;
        for (int k = 0; k < r.getNumElements(); k++) {
            s += r.get(k) * r.get(k);
        }
        return 0.5 * s;
    }

    static double sigma(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }

    /** Everything the MLP closed form needs: value and the four gradients. */
    record MlpClosedForm(double value, SimpleMatrix gW1, SimpleMatrix gb1, SimpleMatrix gW2, SimpleMatrix gb2) {
    }

    static SimpleMatrix plusColumn(SimpleMatrix a, SimpleMatrix v) {
        SimpleMatrix out = a.copy();
        for (int i = 0; i < a.getNumRows(); i++) {
            for (int j = 0; j < a.getNumCols(); j++) {
                out.set(i, j, a.get(i, j) + v.get(i, 0));
            }
        }
        return out;
    }

    static SimpleMatrix rowSum(SimpleMatrix a) {
        SimpleMatrix out = new SimpleMatrix(a.getNumRows(), 1);
        for (int i = 0; i < a.getNumRows(); i++) {
            double s = 0;
            for (int j = 0; j < a.getNumCols(); j++) {
                s += a.get(i, j);
            }
            out.set(i, 0, s);
        }
        return out;
    }

    /**
     * P = softmax(z₂) per column, δ₂ = (P − Y)/N; ∂W₂ = δ₂hᵀ, ∂b₂ = δ₂1; δ₁ = (W₂ᵀδ₂) ∘ swish′(z₁),
     * swish′(z) = σ(z) + z·σ(z)(1 − σ(z)); ∂W₁ = δ₁Xᵀ, ∂b₁ = δ₁1. (Y one-hot.)
     */
    static MlpClosedForm mlpClosedForm(SimpleMatrix w1, SimpleMatrix b1, SimpleMatrix w2, SimpleMatrix b2,
                                       SimpleMatrix x, SimpleMatrix y) {
        int n = x.getNumCols();
        SimpleMatrix z1 = plusColumn(w1.mult(x), b1);
        SimpleMatrix h = z1.copy();
        SimpleMatrix swishPrime = z1.copy();
        for (int k = 0; k < z1.getNumElements(); k++) {
            double z = z1.get(k);
            double s = sigma(z);
            h.set(k, z * s);
            swishPrime.set(k, s + z * s * (1 - s));
        }
        SimpleMatrix z2 = plusColumn(w2.mult(h), b2);
        SimpleMatrix p = z2.copy();
        double loss = 0;
        for (int j = 0; j < n; j++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < z2.getNumRows(); i++) {
                max = Math.max(max, z2.get(i, j));
            }
            double sum = 0;
            for (int i = 0; i < z2.getNumRows(); i++) {
                sum += Math.exp(z2.get(i, j) - max);
            }
            double logSum = max + Math.log(sum);
            for (int i = 0; i < z2.getNumRows(); i++) {
                p.set(i, j, Math.exp(z2.get(i, j) - logSum));
                loss -= y.get(i, j) * (z2.get(i, j) - logSum);
            }
        }
        loss /= n;
        SimpleMatrix d2 = p.minus(y).divide(n);
        SimpleMatrix gW2 = d2.mult(h.transpose());
        SimpleMatrix gb2 = rowSum(d2);
        SimpleMatrix d1 = w2.transpose().mult(d2).elementMult(swishPrime);
        SimpleMatrix gW1 = d1.mult(x.transpose());
        SimpleMatrix gb1 = rowSum(d1);
        return new MlpClosedForm(loss, gW1, gb1, gW2, gb2);
    }

    record GplvmClosedForm(double value, SimpleMatrix gX, double gAlpha, double gBeta, SimpleMatrix wrongGX) {
    }

    /**
     * G = ½(K⁻¹YYᵀK⁻¹ − D·K⁻¹); ∂X = 2αGX; ∂α = tr(G·XXᵀ); ∂β = −tr(G)/β². The wrong variant uses
     * +D·K⁻¹.
     */
    static GplvmClosedForm gplvmClosedForm(SimpleMatrix x, double alpha, double beta, SimpleMatrix y) {
        int n = x.getNumRows();
        int d = y.getNumCols();
        SimpleMatrix xxt = x.mult(x.transpose());
        SimpleMatrix k = xxt.scale(alpha).plus(SimpleMatrix.identity(n).scale(1.0 / beta));
        SimpleMatrix kInv = k.invert();
        SimpleMatrix a = kInv.mult(y).mult(y.transpose()).mult(kInv);
        SimpleMatrix g = a.minus(kInv.scale(d)).scale(0.5);
        SimpleMatrix wrongG = a.plus(kInv.scale(d)).scale(0.5);
        double value = -d / 2.0 * Math.log(k.determinant()) - 0.5 * kInv.mult(y).mult(y.transpose()).trace();
        return new GplvmClosedForm(value, g.mult(x).scale(2 * alpha), g.mult(xxt).trace(), -g.trace() / (beta * beta),
                wrongG.mult(x).scale(2 * alpha));
    }

    // ---------------------------------------------------------------- cases

    /** Autoencoder cases: seed, m, n, N (x is n×N; N = 1 is the vector case). */
    static Stream<Arguments> autoencoderCases() {
        return Stream.of(
                Arguments.of(1L, 3, 5, 1),
                Arguments.of(2L, 5, 3, 1),
                Arguments.of(3L, 4, 4, 1),
                Arguments.of(4L, 4, 4, 7),
                Arguments.of(5L, 2, 6, 10),
                Arguments.of(6L, 8, 5, 3),
                Arguments.of(7L, 1, 1, 1),
                Arguments.of(8L, 10, 12, 20));
    }

    /** MLP cases: seed, inputs, hidden, classes, N. */
    static Stream<Arguments> mlpCases() {
        return Stream.of(
                Arguments.of(11L, 4, 5, 3, 7),
                Arguments.of(12L, 2, 3, 2, 1),
                Arguments.of(13L, 6, 8, 4, 16),
                Arguments.of(14L, 3, 10, 5, 9),
                Arguments.of(15L, 1, 1, 2, 2),
                Arguments.of(16L, 12, 7, 6, 25));
    }

    /** GP-LVM cases: seed, N (points), q (latent), D (outputs). */
    static Stream<Arguments> gplvmCases() {
        return Stream.of(
                Arguments.of(21L, 5, 2, 3),
                Arguments.of(22L, 8, 3, 4),
                Arguments.of(23L, 12, 2, 6),
                Arguments.of(24L, 3, 1, 2),
                Arguments.of(25L, 1, 1, 1),
                Arguments.of(26L, 20, 4, 1));
    }

    record MlpArgs(SimpleMatrix w1, SimpleMatrix b1, SimpleMatrix w2, SimpleMatrix b2, SimpleMatrix x, SimpleMatrix y) {
        Object[] array() {
            return new Object[] {w1, b1, w2, b2, x, y};
        }
    }

    static MlpArgs mlpArgs(long seed, int inputs, int hidden, int classes, int n) {
        Random random = new Random(seed);
        return new MlpArgs(gaussian(hidden, inputs, 0.7, random), gaussian(hidden, 1, 0.5, random),
                gaussian(classes, hidden, 0.7, random), gaussian(classes, 1, 0.5, random),
                gaussian(inputs, n, 1.0, random), oneHot(classes, n, random));
    }

    record GplvmArgs(SimpleMatrix x, double alpha, double beta, SimpleMatrix y) {
        Object[] array() {
            return new Object[] {x, alpha, beta, y};
        }
    }

    /** Well conditioned: K = αXXᵀ + I/β has eigenvalues in [1/β, 1/β + α‖X‖²] with β ≤ 2. */
    static GplvmArgs gplvmArgs(long seed, int n, int q, int d) {
        Random random = new Random(seed);
        SimpleMatrix x = gaussian(n, q, 0.6, random);
        double alpha = 0.5 + random.nextDouble();
        double beta = 0.5 + 1.5 * random.nextDouble();
        SimpleMatrix y = gaussian(n, d, 1.0, random);
        return new GplvmArgs(x, alpha, beta, y);
    }

    // ---------------------------------------------------------------- autoencoder

    @ParameterizedTest(name = "seed {0}: W {1}x{2}, x {2}x{3}")
    @MethodSource("autoencoderCases")
    void autoencoderGradientMatchesClosedForm(long seed, int m, int n, int samples) {
        Random random = new Random(seed);
        SimpleMatrix w = gaussian(m, n, 0.6, random);
        SimpleMatrix x = gaussian(n, samples, 1.0, random);
        Losses_TiedAutoencoder f = new Losses_TiedAutoencoder();
        double value = f.gradient(w, x);
        assertRelative(CLOSED_FORM_TOLERANCE, f.gradW(), autoencoderGradient(w, x), "∂L/∂W");
        assertRelative(CLOSED_FORM_TOLERANCE, value, autoencoderValue(w, x), "L");
    }

    /** W·r·xᵀ + W·x·rᵀ − 2W·r·xᵀ = W(x·rᵀ − r·xᵀ) vanishes when n = 1 (r and x are then parallel): n > 1 only. */
    static Stream<Arguments> autoencoderCasesWithDistinctWrongForm() {
        return autoencoderCases().filter(a -> (int) a.get()[2] > 1);
    }

    @ParameterizedTest(name = "seed {0}: W {1}x{2}, x {2}x{3}")
    @MethodSource("autoencoderCasesWithDistinctWrongForm")
    void autoencoderGradientIsNotTheTemptingSimplification(long seed, int m, int n, int samples) {
        Random random = new Random(seed);
        SimpleMatrix w = gaussian(m, n, 0.6, random);
        SimpleMatrix x = gaussian(n, samples, 1.0, random);
        Losses_TiedAutoencoder f = new Losses_TiedAutoencoder();
        f.gradient(w, x);
        SimpleMatrix wrong = autoencoderWrongGradient(w, x);
        double e = relativeError(f.gradW(), wrong);
        assertTrue(e > WRONG_FORM_MINIMUM, () -> "generated ∂L/∂W is the wrong closed form 2W(WᵀW − I)xxᵀ (relative difference "
                + e + ")");
        // and the closed form really is a different matrix here (so the assertion above is meaningful)
        assertTrue(relativeError(autoencoderGradient(w, x).getDDRM(), wrong) > WRONG_FORM_MINIMUM);
    }

    @ParameterizedTest(name = "seed {0}: W {1}x{2}, x {2}x{3}")
    @MethodSource("autoencoderCases")
    void autoencoderValueMatchesEagerMethod(long seed, int m, int n, int samples) {
        Random random = new Random(seed);
        SimpleMatrix w = gaussian(m, n, 0.6, random);
        SimpleMatrix x = gaussian(n, samples, 1.0, random);
        Losses_TiedAutoencoder f = new Losses_TiedAutoencoder();
        double eager = Losses.tiedAutoencoder(w, x);
        assertRelative(EAGER_TOLERANCE, f.value(w, x), eager, "value(SimpleMatrix...)");
        assertRelative(EAGER_TOLERANCE, f.value(w.getDDRM(), x.getDDRM()), eager, "value(DMatrixRMaj...)");
        assertRelative(EAGER_TOLERANCE, f.gradient(w, x), eager, "gradient(...) return value");
        assertRelative(EAGER_TOLERANCE, f.value(new Object[] {w, x}), eager, "value(Object...)");
    }

    @ParameterizedTest(name = "seed {0}: W {1}x{2}, x {2}x{3}")
    @MethodSource("autoencoderCases")
    void autoencoderPassesGradientChecker(long seed, int m, int n, int samples) {
        Random random = new Random(seed);
        SimpleMatrix w = gaussian(m, n, 0.6, random);
        SimpleMatrix x = gaussian(n, samples, 1.0, random);
        GradientChecker.check(new Losses_TiedAutoencoder(), new Object[] {w, x}).assertBelow(1e-6);
    }

    // ---------------------------------------------------------------- MLP

    @ParameterizedTest(name = "seed {0}: {1} inputs, {2} hidden, {3} classes, N = {4}")
    @MethodSource("mlpCases")
    void mlpGradientMatchesClosedForm(long seed, int inputs, int hidden, int classes, int n) {
        MlpArgs a = mlpArgs(seed, inputs, hidden, classes, n);
        Losses_Mlp f = new Losses_Mlp();
        double value = f.gradient(a.w1(), a.b1(), a.w2(), a.b2(), a.x(), a.y());
        MlpClosedForm c = mlpClosedForm(a.w1(), a.b1(), a.w2(), a.b2(), a.x(), a.y());
        assertRelative(CLOSED_FORM_TOLERANCE, f.gradW1(), c.gW1(), "∂L/∂W1");
        assertRelative(CLOSED_FORM_TOLERANCE, f.gradB1(), c.gb1(), "∂L/∂b1");
        assertRelative(CLOSED_FORM_TOLERANCE, f.gradW2(), c.gW2(), "∂L/∂W2");
        assertRelative(CLOSED_FORM_TOLERANCE, f.gradB2(), c.gb2(), "∂L/∂b2");
        assertRelative(CLOSED_FORM_TOLERANCE, value, c.value(), "L");
    }

    @ParameterizedTest(name = "seed {0}: {1} inputs, {2} hidden, {3} classes, N = {4}")
    @MethodSource("mlpCases")
    void mlpValueMatchesEagerMethod(long seed, int inputs, int hidden, int classes, int n) {
        MlpArgs a = mlpArgs(seed, inputs, hidden, classes, n);
        Losses_Mlp f = new Losses_Mlp();
        double eager = Losses.mlp(a.w1(), a.b1(), a.w2(), a.b2(), a.x(), a.y());
        assertRelative(EAGER_TOLERANCE, f.value(a.w1(), a.b1(), a.w2(), a.b2(), a.x(), a.y()), eager, "value(SimpleMatrix...)");
        assertRelative(EAGER_TOLERANCE, f.value(a.w1().getDDRM(), a.b1().getDDRM(), a.w2().getDDRM(), a.b2().getDDRM(),
                a.x().getDDRM(), a.y().getDDRM()), eager, "value(DMatrixRMaj...)");
        assertRelative(EAGER_TOLERANCE, f.gradient(a.w1(), a.b1(), a.w2(), a.b2(), a.x(), a.y()), eager, "gradient(...) return value");
        assertRelative(EAGER_TOLERANCE, f.value(a.array()), eager, "value(Object...)");
    }

    @ParameterizedTest(name = "seed {0}: {1} inputs, {2} hidden, {3} classes, N = {4}")
    @MethodSource("mlpCases")
    void mlpPassesGradientChecker(long seed, int inputs, int hidden, int classes, int n) {
        MlpArgs a = mlpArgs(seed, inputs, hidden, classes, n);
        GradientChecker.check(new Losses_Mlp(), a.array()).assertBelow(1e-6);
    }

    // ---------------------------------------------------------------- GP-LVM

    @ParameterizedTest(name = "seed {0}: N = {1}, q = {2}, D = {3}")
    @MethodSource("gplvmCases")
    void gplvmGradientMatchesClosedForm(long seed, int n, int q, int d) {
        GplvmArgs a = gplvmArgs(seed, n, q, d);
        Losses_Gplvm f = new Losses_Gplvm();
        double value = f.gradient(a.x(), a.alpha(), a.beta(), a.y());
        GplvmClosedForm c = gplvmClosedForm(a.x(), a.alpha(), a.beta(), a.y());
        assertRelative(CLOSED_FORM_TOLERANCE, f.gradX(), c.gX(), "∂L/∂X");
        assertRelative(CLOSED_FORM_TOLERANCE, f.gradAlpha(), c.gAlpha(), "∂L/∂alpha");
        assertRelative(CLOSED_FORM_TOLERANCE, f.gradBeta(), c.gBeta(), "∂L/∂beta");
        assertRelative(CLOSED_FORM_TOLERANCE, value, c.value(), "L");
    }

    @ParameterizedTest(name = "seed {0}: N = {1}, q = {2}, D = {3}")
    @MethodSource("gplvmCases")
    void gplvmGradientIsNotTheSignSlip(long seed, int n, int q, int d) {
        GplvmArgs a = gplvmArgs(seed, n, q, d);
        Losses_Gplvm f = new Losses_Gplvm();
        f.gradient(a.x(), a.alpha(), a.beta(), a.y());
        GplvmClosedForm c = gplvmClosedForm(a.x(), a.alpha(), a.beta(), a.y());
        double e = relativeError(f.gradX(), c.wrongGX());
        assertTrue(e > WRONG_FORM_MINIMUM, () -> "generated ∂L/∂X matches the +D·K⁻¹ sign slip (relative difference " + e + ")");
        assertTrue(relativeError(c.gX().getDDRM(), c.wrongGX()) > WRONG_FORM_MINIMUM);
    }

    @ParameterizedTest(name = "seed {0}: N = {1}, q = {2}, D = {3}")
    @MethodSource("gplvmCases")
    void gplvmValueMatchesEagerMethod(long seed, int n, int q, int d) {
        GplvmArgs a = gplvmArgs(seed, n, q, d);
        Losses_Gplvm f = new Losses_Gplvm();
        double eager = Losses.gplvm(a.x(), a.alpha(), a.beta(), a.y());
        assertRelative(EAGER_TOLERANCE, f.value(a.x(), a.alpha(), a.beta(), a.y()), eager, "value(SimpleMatrix...)");
        assertRelative(EAGER_TOLERANCE, f.value(a.x().getDDRM(), a.alpha(), a.beta(), a.y().getDDRM()), eager,
                "value(DMatrixRMaj...)");
        assertRelative(EAGER_TOLERANCE, f.gradient(a.x(), a.alpha(), a.beta(), a.y()), eager, "gradient(...) return value");
        assertRelative(EAGER_TOLERANCE, f.value(a.array()), eager, "value(Object...)");
    }

    @ParameterizedTest(name = "seed {0}: N = {1}, q = {2}, D = {3}")
    @MethodSource("gplvmCases")
    void gplvmPassesGradientChecker(long seed, int n, int q, int d) {
        GplvmArgs a = gplvmArgs(seed, n, q, d);
        GradientChecker.check(new Losses_Gplvm(), a.array()).assertBelow(1e-6);
    }

    // ---------------------------------------------------------------- one instance, changing shapes

    /**
     * SPEC: the instance owns its workspace and is reused; shapes may change between calls. Big,
     * small, big again: a workspace that is reshaped but not cleared, or sized by its backing
     * array, gives wrong results on the smaller or the repeated shape.
     */
    @Test
    void oneInstanceServesChangingShapes() {
        Losses_TiedAutoencoder ae = new Losses_TiedAutoencoder();
        Losses_Mlp mlp = new Losses_Mlp();
        Losses_Gplvm gp = new Losses_Gplvm();
        int[][] aeShapes = {{8, 10, 20}, {3, 5, 1}, {8, 10, 20}, {1, 1, 1}, {6, 4, 2}};
        int[][] mlpShapes = {{12, 7, 6, 25}, {2, 3, 2, 1}, {12, 7, 6, 25}, {4, 5, 3, 7}};
        int[][] gpShapes = {{20, 4, 5}, {3, 1, 2}, {20, 4, 5}, {1, 1, 1}, {8, 3, 4}};
        long seed = 100;
        for (int[] s : aeShapes) {
            Random random = new Random(seed++);
            SimpleMatrix w = gaussian(s[0], s[1], 0.6, random);
            SimpleMatrix x = gaussian(s[1], s[2], 1.0, random);
            double value = ae.gradient(w, x);
            assertRelative(CLOSED_FORM_TOLERANCE, ae.gradW(), autoencoderGradient(w, x), "∂L/∂W at " + List.of(s[0], s[1], s[2]));
            assertRelative(CLOSED_FORM_TOLERANCE, value, autoencoderValue(w, x), "L");
            assertRelative(EAGER_TOLERANCE, ae.value(w, x), Losses.tiedAutoencoder(w, x), "value");
        }
        for (int[] s : mlpShapes) {
            MlpArgs a = mlpArgs(seed++, s[0], s[1], s[2], s[3]);
            double value = mlp.gradient(a.w1(), a.b1(), a.w2(), a.b2(), a.x(), a.y());
            MlpClosedForm c = mlpClosedForm(a.w1(), a.b1(), a.w2(), a.b2(), a.x(), a.y());
            String at = " at " + List.of(s[0], s[1], s[2], s[3]);
            assertRelative(CLOSED_FORM_TOLERANCE, mlp.gradW1(), c.gW1(), "∂L/∂W1" + at);
            assertRelative(CLOSED_FORM_TOLERANCE, mlp.gradB1(), c.gb1(), "∂L/∂b1" + at);
            assertRelative(CLOSED_FORM_TOLERANCE, mlp.gradW2(), c.gW2(), "∂L/∂W2" + at);
            assertRelative(CLOSED_FORM_TOLERANCE, mlp.gradB2(), c.gb2(), "∂L/∂b2" + at);
            assertRelative(CLOSED_FORM_TOLERANCE, value, c.value(), "L" + at);
        }
        for (int[] s : gpShapes) {
            GplvmArgs a = gplvmArgs(seed++, s[0], s[1], s[2]);
            double value = gp.gradient(a.x(), a.alpha(), a.beta(), a.y());
            GplvmClosedForm c = gplvmClosedForm(a.x(), a.alpha(), a.beta(), a.y());
            String at = " at " + List.of(s[0], s[1], s[2]);
            assertRelative(CLOSED_FORM_TOLERANCE, gp.gradX(), c.gX(), "∂L/∂X" + at);
            assertRelative(CLOSED_FORM_TOLERANCE, gp.gradAlpha(), c.gAlpha(), "∂L/∂alpha" + at);
            assertRelative(CLOSED_FORM_TOLERANCE, gp.gradBeta(), c.gBeta(), "∂L/∂beta" + at);
            assertRelative(CLOSED_FORM_TOLERANCE, value, c.value(), "L" + at);
        }
    }

    // ---------------------------------------------------------------- SPEC promises around the numbers

    /** SPEC: inputs are never modified. */
    @Test
    void argumentsAreNeverModified() {
        Random random = new Random(200);
        SimpleMatrix w = gaussian(4, 6, 0.6, random);
        SimpleMatrix x = gaussian(6, 3, 1.0, random);
        SimpleMatrix w0 = w.copy();
        SimpleMatrix x0 = x.copy();
        Losses_TiedAutoencoder ae = new Losses_TiedAutoencoder();
        ae.value(w, x);
        ae.gradient(w, x);
        assertArrayEquals(w0.getDDRM().data, w.getDDRM().data);
        assertArrayEquals(x0.getDDRM().data, x.getDDRM().data);

        MlpArgs m = mlpArgs(201, 4, 5, 3, 6);
        List<SimpleMatrix> before = Stream.of(m.w1(), m.b1(), m.w2(), m.b2(), m.x(), m.y()).map(SimpleMatrix::copy).toList();
        Losses_Mlp mlp = new Losses_Mlp();
        mlp.value(m.w1(), m.b1(), m.w2(), m.b2(), m.x(), m.y());
        mlp.gradient(m.w1(), m.b1(), m.w2(), m.b2(), m.x(), m.y());
        List<SimpleMatrix> after = List.of(m.w1(), m.b1(), m.w2(), m.b2(), m.x(), m.y());
        for (int i = 0; i < after.size(); i++) {
            assertArrayEquals(before.get(i).getDDRM().data, after.get(i).getDDRM().data, "MLP argument " + i);
        }

        GplvmArgs g = gplvmArgs(202, 7, 2, 3);
        SimpleMatrix gx0 = g.x().copy();
        SimpleMatrix gy0 = g.y().copy();
        Losses_Gplvm gp = new Losses_Gplvm();
        gp.value(g.x(), g.alpha(), g.beta(), g.y());
        gp.gradient(g.x(), g.alpha(), g.beta(), g.y());
        assertArrayEquals(gx0.getDDRM().data, g.x().getDDRM().data);
        assertArrayEquals(gy0.getDDRM().data, g.y().getDDRM().data);
    }

    /** SPEC: gradX() is owned by the instance, shaped like X and overwritten by the next gradient call. */
    @Test
    void gradientAccessorsAreOwnedAndOverwritten() {
        Random random = new Random(300);
        Losses_TiedAutoencoder ae = new Losses_TiedAutoencoder();
        SimpleMatrix w1 = gaussian(3, 4, 0.6, random);
        SimpleMatrix x1 = gaussian(4, 2, 1.0, random);
        ae.gradient(w1, x1);
        DMatrixRMaj g = ae.gradW();
        SimpleMatrix w2 = gaussian(3, 4, 0.6, random);
        ae.gradient(w2, x1);
        assertSame(g, ae.gradW(), "the gradient matrix is owned by the instance");
        assertRelative(CLOSED_FORM_TOLERANCE, ae.gradW(), autoencoderGradient(w2, x1), "∂L/∂W after the second call");
        assertSame(g, ae.gradientOf(0));
        assertSame(g, ae.gradientOf("W"));
        assertThrows(IllegalArgumentException.class, () -> ae.gradientOf("x"), "x is not wrt");
    }

    /** SPEC: wrong argument shapes throw IllegalArgumentException naming the parameter and both shapes. */
    @Test
    void wrongArgumentShapesAreRejectedWithANamedMessage() {
        Random random = new Random(400);
        SimpleMatrix w = gaussian(3, 4, 0.6, random);
        SimpleMatrix x = gaussian(5, 1, 1.0, random);
        Losses_TiedAutoencoder ae = new Losses_TiedAutoencoder();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ae.gradient(w, x));
        assertTrue(e.getMessage().contains("x") && e.getMessage().contains("W"), e.getMessage());
        assertTrue(e.getMessage().contains("3x4") || e.getMessage().contains("3×4"), e.getMessage());
        assertTrue(e.getMessage().contains("5x1") || e.getMessage().contains("5×1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ae.value(w, x));

        MlpArgs a = mlpArgs(401, 4, 5, 3, 6);
        SimpleMatrix badY = oneHot(4, 6, random);
        Losses_Mlp mlp = new Losses_Mlp();
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
                () -> mlp.gradient(a.w1(), a.b1(), a.w2(), a.b2(), a.x(), badY));
        assertTrue(m.getMessage().contains("Y") && m.getMessage().contains("4x6"), m.getMessage());

        GplvmArgs g = gplvmArgs(402, 6, 2, 3);
        SimpleMatrix badGy = gaussian(5, 3, 1.0, random);
        Losses_Gplvm gp = new Losses_Gplvm();
        IllegalArgumentException ge = assertThrows(IllegalArgumentException.class,
                () -> gp.gradient(g.x(), g.alpha(), g.beta(), badGy));
        assertTrue(ge.getMessage().contains("Y") && ge.getMessage().contains("5x3"), ge.getMessage());
    }

    /** SPEC: a non-positive-definite argument to logDet throws an exception naming the DSL expression. */
    @Test
    void notPositiveDefiniteKernelIsReportedNotReturned() {
        GplvmArgs g = gplvmArgs(500, 6, 2, 3);
        double beta = -1.0; // K = αXXᵀ − I has negative eigenvalues (rank αXXᵀ ≤ 2 < 6)
        Losses_Gplvm gp = new Losses_Gplvm();
        RuntimeException e = assertThrows(RuntimeException.class, () -> gp.gradient(g.x(), g.alpha(), beta, g.y()));
        assertTrue(e.getMessage() != null && e.getMessage().contains("logDet(K)"), String.valueOf(e.getMessage()));
        RuntimeException v = assertThrows(RuntimeException.class, () -> gp.value(g.x(), g.alpha(), beta, g.y()));
        assertTrue(v.getMessage() != null && v.getMessage().contains("logDet(K)"), String.valueOf(v.getMessage()));
        // The instance is still usable afterwards.
        GplvmClosedForm c = gplvmClosedForm(g.x(), g.alpha(), g.beta(), g.y());
        gp.gradient(g.x(), g.alpha(), g.beta(), g.y());
        assertRelative(CLOSED_FORM_TOLERANCE, gp.gradX(), c.gX(), "∂L/∂X after a failed call");
    }

    /** DifferentiableFunction metadata of the three classes. */
    @Test
    void differentiableFunctionMetadata() {
        assertMetadata(new Losses_TiedAutoencoder(), "demo.Losses.tiedAutoencoder",
                List.of(new Parameter("W", Parameter.Kind.MATRIX, true), new Parameter("x", Parameter.Kind.MATRIX, false)));
        assertMetadata(new Losses_Mlp(), "demo.Losses.mlp",
                List.of(new Parameter("W1", Parameter.Kind.MATRIX, true), new Parameter("b1", Parameter.Kind.MATRIX, true),
                        new Parameter("W2", Parameter.Kind.MATRIX, true), new Parameter("b2", Parameter.Kind.MATRIX, true),
                        new Parameter("X", Parameter.Kind.MATRIX, false), new Parameter("Y", Parameter.Kind.MATRIX, false)));
        assertMetadata(new Losses_Gplvm(), "demo.Losses.gplvm",
                List.of(new Parameter("X", Parameter.Kind.MATRIX, true), new Parameter("alpha", Parameter.Kind.SCALAR, true),
                        new Parameter("beta", Parameter.Kind.SCALAR, true), new Parameter("Y", Parameter.Kind.MATRIX, false)));
    }

    private static void assertMetadata(DifferentiableFunction f, String name, List<Parameter> parameters) {
        assertEquals(name, f.name());
        assertEquals(parameters, f.parameters());
    }
}
