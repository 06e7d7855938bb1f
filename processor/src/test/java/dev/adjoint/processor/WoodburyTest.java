package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.DifferentiableFunction;
import java.util.List;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code woodbury} pass and program versioning on the SPEC's GP-LVM: the generated methods run
 * the low-rank version when q &lt; N and agree with the dense version (the same source compiled with
 * {@code -Aadjoint.disablePasses=woodbury}) to rounding, in both regimes.
 */
class WoodburyTest {
    private static Compilation.Result versioned;
    private static Compilation.Result dense;

    @BeforeAll
    static void compileBoth() {
        versioned = Compilation.run(false, List.of(), GeneratedSourceTest.SPEC_LOSSES);
        dense = Compilation.run(false, List.of("-Aadjoint.disablePasses=woodbury"), GeneratedSourceTest.SPEC_LOSSES);
        assertTrue(versioned.success, versioned.describe());
        assertTrue(dense.success, dense.describe());
    }

    @Test
    void gplvmMethodsChooseTheVersionFromTheSizes() {
        String code = JavaText.codeOnly(versioned.generatedSource("demo/Losses_Gplvm.java"));
        for (String method : List.of("public double value(DMatrixRMaj X", "public double gradient(DMatrixRMaj X")) {
            String body = code.substring(code.indexOf(method));
            body = body.substring(0, body.indexOf("\n    }\n"));
            assertTrue(body.contains("if (X.numCols < X.numRows) {"), body);
            assertTrue(body.contains("Kernels.capacitance(X, "), body);
            assertTrue(body.contains("cholCapacitanceK.factor(capacitanceK, \"\")"), body); // names logDet(K): see LowRankTest
            String lowRank = body.substring(body.indexOf("if (X.numCols"), body.indexOf("} else {"));
            assertFalse(lowRank.contains("cholK") || lowRank.contains(", K") || lowRank.contains("Kernels.identity"), lowRank);
        }
        String withoutPass = JavaText.codeOnly(dense.generatedSource("demo/Losses_Gplvm.java"));
        assertFalse(withoutPass.contains("capacitance") || withoutPass.contains("numCols < "), withoutPass);
        // The other SPEC losses have no such structure: one version.
        assertFalse(versioned.generatedSource("demo/Losses_Mlp.java").contains("Low rank"));
    }

    @Test
    void lowRankAndDenseVersionsAgree() throws Exception {
        DifferentiableFunction f = (DifferentiableFunction) versioned.loadClass("demo.Losses_Gplvm").getConstructor().newInstance();
        DifferentiableFunction g = (DifferentiableFunction) dense.loadClass("demo.Losses_Gplvm").getConstructor().newInstance();
        Random r = new Random(11);
        int[][] shapes = {{40, 2, 7}, {9, 3, 2}, {6, 5, 4}, {2, 1, 3}, {5, 5, 2}, {3, 6, 4}, {1, 1, 1}, {120, 4, 16}};
        for (int[] s : shapes) {
            DMatrixRMaj X = random(r, s[0], s[1]);
            DMatrixRMaj Y = random(r, s[0], s[2]);
            Object[] args = {X, 0.3 + r.nextDouble(), 0.5 + 2 * r.nextDouble(), Y};
            String what = "N = " + s[0] + ", q = " + s[1] + ", D = " + s[2];
            close(g.value(args), f.value(args), what + ": value()");
            close(g.gradient(args), f.gradient(args), what + ": gradient()");
            for (int i = 0; i < 3; i++) {
                DMatrixRMaj expected = g.gradientOf(i);
                DMatrixRMaj actual = f.gradientOf(i);
                assertEquals(expected.numRows + "x" + expected.numCols, actual.numRows + "x" + actual.numCols);
                double scale = 0;
                for (int e = 0; e < expected.getNumElements(); e++) {
                    scale = Math.max(scale, Math.abs(expected.data[e]));
                }
                for (int e = 0; e < expected.getNumElements(); e++) {
                    assertTrue(Math.abs(expected.data[e] - actual.data[e]) <= 1e-10 * scale,
                            what + ": gradient " + i + " entry " + e + ": " + expected.data[e] + " vs " + actual.data[e]);
                }
            }
        }
    }

    private static void close(double expected, double actual, String what) {
        assertTrue(Math.abs(expected - actual) <= 1e-10 * Math.abs(expected), what + ": " + expected + " vs " + actual);
    }

    private static DMatrixRMaj random(Random r, int rows, int cols) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = r.nextGaussian();
        }
        return m;
    }
}
