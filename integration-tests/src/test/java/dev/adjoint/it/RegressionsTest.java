package dev.adjoint.it;

import static dev.adjoint.it.TestSupport.sm;
import static dev.adjoint.it.TestSupport.uniform;
import static dev.adjoint.it.TestSupport.verify;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RegressionsTest {

    @ParameterizedTest(name = "A {0}x{0}, B {0}x{1}")
    @CsvSource({"3, 1", "2, 4", "3, 3"})
    void traceOfANonSquareProductFollowsEjml(int n, int k) {
        Random random = new Random(7L * n + k);
        DMatrixRMaj a = uniform(random, n, n);
        DMatrixRMaj b = uniform(random, n, k);
        var f = new Regressions_TraceOfNonSquareTransposedProduct();
        verify(f, () -> Regressions.traceOfNonSquareTransposedProduct(sm(a), sm(b)), () -> f.value(a, b),
                () -> f.gradient(a, b), a, b);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2})
    void accessorsFollowTheParameterNames(long seed) {
        Random random = new Random(seed);
        DMatrixRMaj g = uniform(random, 2, 2);
        DMatrixRMaj w = uniform(random, 2, 2);
        DMatrixRMaj v = uniform(random, 2, 3);
        var f = new Regressions_NamesLikeGeneratedFields();
        verify(f, () -> Regressions.namesLikeGeneratedFields(sm(g), sm(w), sm(v)), () -> f.value(g, w, v),
                () -> f.gradient(g, w, v), g, w, v);
        f.gradient(g, w, v);
        // gradW() is ∂L/∂W, gradGradW() is ∂L/∂gradW: compare with gradientOf by index.
        assertArrayEquals(f.gradientOf(1).data, f.gradW().data, 0.0);
        assertArrayEquals(f.gradientOf(0).data, f.gradGradW().data, 0.0);
        assertArrayEquals(f.gradientOf(2).data, f.gradValue().data, 0.0);
    }
}
