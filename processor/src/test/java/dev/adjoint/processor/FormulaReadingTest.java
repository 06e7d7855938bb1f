package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.DifferentiableFunction;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 (a newcomer's first hour), item 5: a squared norm has a finite gradient at 0, formulas
 * print folded constants and define every symbol they use, only Basic Multilingual Plane
 * characters, and statement comments name the expression the statement computes.
 */
class FormulaReadingTest {

    static final String SOURCE = """
            package demo;

            import static dev.adjoint.runtime.Ops.*;

            import dev.adjoint.Differentiable;
            import org.ejml.simple.SimpleMatrix;

            public final class Reading {
                @SuppressWarnings("adjoint")
                @Differentiable(wrt = "w")
                static double ridge(SimpleMatrix w, SimpleMatrix X, SimpleMatrix y, double lambda) {
                    SimpleMatrix r = X.mult(w).minus(y);
                    int n = y.getNumRows();
                    return 0.5 * sumSquares(r) / n + 0.5 * lambda * w.normF() * w.normF();
                }

                @SuppressWarnings("adjoint")
                @Differentiable(wrt = "w")
                static double powNorm(SimpleMatrix w, double lambda) {
                    return lambda * Math.pow(w.normF(), 2);
                }

                @Differentiable(wrt = {"W1", "b1", "W2", "b2"})
                static double mlp(SimpleMatrix W1, SimpleMatrix b1, SimpleMatrix W2, SimpleMatrix b2,
                                  SimpleMatrix X, SimpleMatrix Y) {
                    SimpleMatrix h = swish(addColumn(W1.mult(X), b1));
                    return softmaxCrossEntropy(addColumn(W2.mult(h), b2), Y);
                }

                @Differentiable(wrt = "A")
                static double scaled(SimpleMatrix A, double s) {
                    return A.scale(2).scale(s).divide(3).elementSum();
                }

                @Differentiable
                static double powers(SimpleMatrix A, SimpleMatrix u) {
                    return A.elementPower(0.5).elementSum() + addRow(A, u).elementSum();
                }
            }
            """;

    /** The class Javadoc's gradient and where-list lines ({@code <li>...}). */
    static List<String> javadocItems(String generated) {
        List<String> items = new ArrayList<>();
        String doc = generated.substring(0, generated.indexOf("public final class"));
        for (String line : doc.split("\n")) {
            int li = line.indexOf("<li>");
            if (li >= 0) {
                items.add(line.substring(li + 4).strip());
            }
        }
        return items;
    }

    @Test
    void squaredNormHasAFiniteGradientAtZero() throws Exception {
        Compilation.Result r = Compilation.compile(SOURCE);
        assertTrue(r.success, r::describe);
        for (String name : List.of("demo.Reading_Ridge", "demo.Reading_PowNorm")) {
            DifferentiableFunction f = (DifferentiableFunction) r.loadClass(name).getConstructor().newInstance();
            SimpleMatrix w = new SimpleMatrix(3, 1); // w = 0, where the gradient of ‖w‖ is 0/0
            Object[] args = name.endsWith("Ridge")
                    ? new Object[] {w, SimpleMatrix.random_DDRM(4, 3, -1, 1, new java.util.Random(1)), new SimpleMatrix(4, 1), 0.7}
                    : new Object[] {w, 0.7};
            double value = f.gradient(args);
            assertEquals(0.0, value, 0.0, name);
            DMatrixRMaj g = f.gradientOf("w");
            for (int i = 0; i < g.getNumElements(); i++) {
                assertEquals(0.0, g.get(i), 0.0, () -> name + ": gradient at w = 0 is " + g);
            }
            // Away from 0: λ·w exactly (the ridge's data term vanishes for y = 0 and this X only at w = 0).
            if (name.endsWith("PowNorm")) {
                f.gradient(new SimpleMatrix(new double[][] {{1}, {-2}, {3}}), 0.7);
                DMatrixRMaj away = f.gradientOf("w");
                assertEquals(1.4, away.get(0), 1e-15);
                assertEquals(-2.8, away.get(1), 1e-15);
            }
        }
        String ridge = r.generatedSource("demo/Reading_Ridge.java");
        assertFalse(ridge.contains("NormOps_DDRM.normF"), "the squared norm is computed as a sum of squares:\n" + ridge);
    }

    @Test
    void formulasFoldConstantsAndDefineTheirSymbols() {
        Compilation.Result r = Compilation.processOnly(SOURCE);
        assertTrue(r.success, r::describe);
        List<String> ridge = javadocItems(r.generatedSource("demo/Reading_Ridge.java"));
        assertEquals("∂L/∂w = lambda·w + Xᵀ·r/n", ridge.get(0));
        assertEquals(java.util.Set.of("r = X·w − y", "n = rows(y)"), java.util.Set.copyOf(ridge.subList(1, ridge.size())), ridge::toString);
        assertEquals(3, ridge.size(), ridge::toString);

        List<String> mlp = javadocItems(r.generatedSource("demo/Reading_Mlp.java"));
        assertTrue(mlp.contains("∂L/∂b2 = G2·ones"), mlp::toString);
        assertTrue(mlp.stream().anyMatch(l -> l.endsWith("− Y)/N")), mlp::toString);
        // Every symbol the formulas use is defined: N and ones.
        assertTrue(mlp.contains("N = cols(Y)"), mlp::toString);
        assertTrue(mlp.stream().anyMatch(l -> l.startsWith("ones = ")), mlp::toString);

        // A scaling of a scaling is one product: (1/3)·(2·A) is 0.666666666667·A.
        List<String> scaled = javadocItems(r.generatedSource("demo/Reading_Scaled.java"));
        assertEquals("∂L/∂A = 0.666666666667·s·ones", scaled.get(0), scaled::toString);

        List<String> powers = javadocItems(r.generatedSource("demo/Reading_Powers.java"));
        assertTrue(powers.get(0).contains("0.5·A^∘(−0.5)"), powers::toString);
        for (String generated : r.generated.values()) {
            assertFalse(generated.contains("0.5−1"), generated);
            assertFalse(generated.contains("2·0.5"), generated);
            assertFalse(generated.matches("(?s).*[^\\w.]1·.*"), () -> "an unfolded 1·: " + generated);
            // Formulas and comments keep to the Basic Multilingual Plane (𝟙 is not in it).
            assertTrue(generated.codePoints().allMatch(c -> c <= 0xFFFF), generated);
        }
    }

    /** A shape query's comment names the expression its statement reads, even when shapes unify it with another's. */
    @Test
    void shapeQueryCommentNamesTheExpressionTheStatementReads() {
        Compilation.Result r = Compilation.processOnly(SOURCE);
        String ridge = r.generatedSource("demo/Reading_Ridge.java");
        // rows(y) = rows(X) by X·w − y: the statement still reads y's own rows, as its comment says.
        assertTrue(ridge.contains("// y.getNumRows()\n        int n = y.numRows;"), ridge);
        assertFalse(ridge.contains("int n = X.numRows;"), ridge);
    }
}
