package dev.adjoint.it;

import static dev.adjoint.it.TestSupport.sm;
import static dev.adjoint.it.TestSupport.uniform;
import static dev.adjoint.it.TestSupport.verify;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.Kernels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Run-time chain association and Gram adjoints: both orders give the same, correct gradient. */
class ChainOrderTest {

    /** Shapes chosen so that left-first wins (1x8·8x8·8x2) and so that right-first wins (2x8·8x8·8x1). */
    @ParameterizedTest(name = "A {0}x{1}, C {1}x{2}")
    @CsvSource({"1, 8, 2", "2, 8, 1", "3, 3, 3", "5, 2, 4"})
    void chainGradientIsRightWhicheverOrderRuns(int p, int q, int s) {
        Random random = new Random(31L * p + 7L * q + s);
        DMatrixRMaj a = uniform(random, p, q);
        DMatrixRMaj b = uniform(random, q, q);
        DMatrixRMaj c = uniform(random, q, s);
        var f = new ChainOrder_Chain();
        verify(f, () -> ChainOrder.chain(sm(a), sm(b), sm(c)), () -> f.value(a, b, c), () -> f.gradient(a, b, c), a, b, c);
    }

    @Test
    void theTwoShapeRegimesReallyTakeDifferentOrders() {
        assertTrue(Kernels.leftFirst(1, 8, 8, 2));
        assertFalse(Kernels.leftFirst(2, 8, 8, 1));
    }

    @ParameterizedTest(name = "seed {0}")
    @CsvSource({"1", "2", "3"})
    void gramAdjointsAreRight(long seed) {
        Random random = new Random(seed);
        int m = 1 + random.nextInt(4);
        int n = 1 + random.nextInt(5);
        int cols = 1 + random.nextInt(4);
        DMatrixRMaj a = uniform(random, m, n);
        DMatrixRMaj x = uniform(random, n, cols);
        var gram = new ChainOrder_Gram();
        verify(gram, () -> ChainOrder.gram(sm(a), sm(x)), () -> gram.value(a, x), () -> gram.gradient(a, x), a, x);

        DMatrixRMaj y = uniform(random, m, m);
        var outer = new ChainOrder_GramOuter();
        verify(outer, () -> ChainOrder.gramOuter(sm(a), sm(y)), () -> outer.value(a, y), () -> outer.gradient(a, y), a, y);
    }

    /** The autoencoder's Gram adjoint with a narrow batch (distributed products) and a wide one (outer product first). */
    @ParameterizedTest(name = "A {0}x{1}, x {1}x{2}")
    @CsvSource({"2, 8, 1", "6, 3, 20", "4, 4, 4"})
    void gramOfOuterProductIsRightWhicheverOrderRuns(int m, int n, int k) {
        Random random = new Random(13L * m + 5L * n + k);
        DMatrixRMaj a = uniform(random, m, n);
        DMatrixRMaj x = uniform(random, n, k);
        var gram = new ChainOrder_Gram();
        verify(gram, () -> ChainOrder.gram(sm(a), sm(x)), () -> gram.value(a, x), () -> gram.gradient(a, x), a, x);
    }

    @Test
    void theTwoGramRegimesReallyTakeDifferentBranches() {
        assertFalse(Kernels.outerProductFirst(2, 8, 1));
        assertTrue(Kernels.outerProductFirst(6, 3, 20));
    }

    /**
     * ∂L/∂y of Σ (A·Aᵀ) ∘ y is A·Aᵀ, a forward value: gradY() must still hold the last gradient()
     * result after a value() call on other arguments.
     */
    @Test
    void aGradientThatIsAForwardValueSurvivesALaterValueCall() {
        Random random = new Random(99);
        DMatrixRMaj a = uniform(random, 3, 4);
        DMatrixRMaj y = uniform(random, 3, 3);
        var f = new ChainOrder_GramOuter();
        f.gradient(a, y);
        DMatrixRMaj expected = f.gradY().copy();
        f.value(uniform(random, 3, 4), uniform(random, 3, 3));
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.data, f.gradY().data, 0.0);
    }

    /** The generated code really contains the run-time choice and the single Gram product. */
    @Test
    void generatedCodeFusesTheChainAndSumsTheGramPaths() throws IOException {
        Path dir = Path.of("target/generated-test-sources/test-annotations/dev/adjoint/it");
        String chain = Files.readString(dir.resolve("ChainOrder_Chain.java"));
        assertTrue(chain.contains("Kernels.leftFirst("), chain);
        String gram = Files.readString(dir.resolve("ChainOrder_Gram.java"));
        assertTrue(gram.contains("Kernels.outerProductFirst("), gram);
        String gramOuter = Files.readString(dir.resolve("ChainOrder_GramOuter.java"));
        assertTrue(gramOuter.contains("Kernels.addTransposed("), gramOuter);
    }
}
