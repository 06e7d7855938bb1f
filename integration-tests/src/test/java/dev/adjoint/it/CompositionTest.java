package dev.adjoint.it;

import static dev.adjoint.it.TestSupport.sm;
import static dev.adjoint.it.TestSupport.uniform;
import static dev.adjoint.it.TestSupport.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.it.layers.Layers;
import dev.adjoint.runtime.GradientChecker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 in a real Maven build: helpers inlined at every call (same class, another class and
 * package), user functions with @Derivative rules, gradients checked against finite differences on
 * random shapes and values.
 */
class CompositionTest {

    /** One-hot columns. */
    static DMatrixRMaj oneHot(Random r, int classes, int samples) {
        DMatrixRMaj y = new DMatrixRMaj(classes, samples);
        for (int j = 0; j < samples; j++) {
            y.set(r.nextInt(classes), j, 1);
        }
        return y;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void threeLayerNetworkFromALayerHelperCalledThreeTimes(long seed) {
        Random r = new Random(seed);
        int n = 2 + r.nextInt(4), h1 = 2 + r.nextInt(4), h2 = 2 + r.nextInt(4), k = 2 + r.nextInt(3), N = 1 + r.nextInt(5);
        DMatrixRMaj W1 = uniform(r, h1, n), b1 = uniform(r, h1, 1), W2 = uniform(r, h2, h1), b2 = uniform(r, h2, 1),
                W3 = uniform(r, k, h2), b3 = uniform(r, k, 1), X = uniform(r, n, N), Y = oneHot(r, k, N);
        var f = new Composition_Mlp3();
        verify(f, () -> Composition.mlp3(sm(W1), sm(b1), sm(W2), sm(b2), sm(W3), sm(b3), sm(X), sm(Y)),
                () -> f.value(W1, b1, W2, b2, W3, b3, X, Y), () -> f.gradient(W1, b1, W2, b2, W3, b3, X, Y),
                W1, b1, W2, b2, W3, b3, X, Y);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void helpersOfThisClassAndAnotherPackage(long seed) {
        Random r = new Random(seed);
        int n = 2 + r.nextInt(4), N = 1 + r.nextInt(4);
        DMatrixRMaj W = uniform(r, n, n), b = uniform(r, n, 1), X = uniform(r, n, N);
        double lambda = 0.3 + r.nextDouble();
        var f = new Composition_ResidualNet();
        verify(f, () -> Composition.residualNet(sm(W), sm(b), lambda, sm(X)), () -> f.value(W, b, lambda, X),
                () -> f.gradient(W, b, lambda, X), W, b, lambda, X);
        assertFalse(f.parameters().get(1).wrt(), "the caller's wrt governs");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void userFunctionWithAMatrixRule(long seed) {
        Random r = new Random(seed);
        int n = 2 + r.nextInt(4), m = 2 + r.nextInt(4), N = 1 + r.nextInt(4);
        DMatrixRMaj W = uniform(r, m, n), b = uniform(r, m, 1), X = uniform(r, n, N), Y = uniform(r, m, N);
        var f = new Composition_SoftsignNet();
        verify(f, () -> Composition.softsignNet(sm(W), sm(b), sm(X), sm(Y)), () -> f.value(W, b, X, Y),
                () -> f.gradient(W, b, X, Y), W, b, X, Y);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void userFunctionWithAScalarResultAndAScalarRule(long seed) {
        Random r = new Random(seed);
        int n = 2 + r.nextInt(4), m = 2 + r.nextInt(4), N = 1 + r.nextInt(4);
        DMatrixRMaj W = uniform(r, m, n), X = uniform(r, n, N), Y = uniform(r, m, N);
        double delta = 0.5 + r.nextDouble();
        var f = new Composition_Robust();
        verify(f, () -> Composition.robust(sm(W), delta, sm(X), sm(Y)), () -> f.value(W, delta, X, Y),
                () -> f.gradient(W, delta, X, Y), W, delta, X, Y);
    }

    @Test
    void sameHelperCallTwiceIsComputedOnce() throws IOException {
        Random r = new Random(4);
        DMatrixRMaj W = uniform(r, 3, 4), b = uniform(r, 3, 1), X = uniform(r, 4, 2);
        var f = new Composition_SameCallTwice();
        verify(f, () -> Composition.sameCallTwice(sm(W), sm(b), sm(X)), () -> f.value(W, b, X), () -> f.gradient(W, b, X),
                W, b, X);
        String source = generated("Composition_SameCallTwice");
        long tanhCalls = source.lines().filter(l -> l.contains("Kernels.tanh(")).count();
        assertEquals(2, tanhCalls, "one tanh in value(), one in gradient(), not one per call:\n" + source);
    }

    @Test
    void runTimeShapeErrorsNameTheHelpersExpressionAndTheCall() {
        Random r = new Random(6);
        DMatrixRMaj W1 = uniform(r, 3, 4), b1 = uniform(r, 3, 1), W2 = uniform(r, 3, 3), b2 = uniform(r, 3, 1),
                W3 = uniform(r, 2, 3), b3 = uniform(r, 2, 1), X = uniform(r, 5, 2), Y = uniform(r, 2, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> new Composition_Mlp3().value(W1, b1, W2, b2, W3, b3, X, Y));
        assertTrue(e.getMessage().contains("W.mult(X) at Layers.java:") && e.getMessage().contains(", inlined at Composition.java:"),
                e.getMessage());
    }

    @Test
    void rulesCheckInOneCall() {
        Random r = new Random(5);
        GradientChecker.checkRule(Layers.class, "softsign", "A", uniform(r, 3, 4)).assertBelow(1e-6);
        GradientChecker.checkRule(Layers.class, "pseudoHuber", "A", uniform(r, 3, 2), 0.7).assertBelow(1e-6);
        GradientChecker.checkRule(Layers.class, "pseudoHuber", "delta", uniform(r, 3, 2), 0.7).assertBelow(1e-6);
        var noRule = assertThrows(IllegalArgumentException.class,
                () -> GradientChecker.checkRule(Layers.class, "softsign", "B", uniform(r, 3, 4)));
        assertTrue(noRule.getMessage().contains("softsignGrad"), noRule.getMessage());
    }

    @Test
    void aWrongRuleFailsItsCheck() {
        var report = GradientChecker.checkRule(WrongRules.class, "cube", "x", 1.3);
        assertTrue(report.maxRelativeError() > 0.1, report::toString);
    }

    static String generated(String simpleName) throws IOException {
        return Files.readString(Path.of("target/generated-test-sources/test-annotations/dev/adjoint/it/" + simpleName + ".java"),
                StandardCharsets.UTF_8);
    }
}
