package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The {@code matrix-free} pass on the SPEC's GP-LVM, declared order 2: in the low-rank versions
 * (q &lt; N) the N×D matrix Y is read only by the products hand-written Woodbury code needs, so the
 * Hessian-vector product costs a few gradients (issue 8's ≤ 4×), and no N×N identity or inverse
 * is formed. Numbers are checked elsewhere (LowRankTest, SpecSecondOrderTest); this guards the
 * structure that makes them fast.
 */
class MatrixFreeTest {
    private static final String GPLVM = """
            package demo;

            import static dev.adjoint.runtime.Ops.*;
            import dev.adjoint.Differentiable;
            import org.ejml.simple.SimpleMatrix;

            final class Gp {
                @Differentiable(wrt = {"X", "alpha", "beta"}, order = 2)
                static double gplvm(SimpleMatrix X, double alpha, double beta, SimpleMatrix Y) {
                    int n = X.numRows();
                    double d = Y.numCols();
                    SimpleMatrix K = X.mult(X.transpose()).scale(alpha).plus(SimpleMatrix.identity(n).divide(beta));
                    return -d / 2 * logDet(K) - 0.5 * K.solve(Y).mult(Y.transpose()).trace();
                }
            }
            """;

    /** The statements of {@code method}'s low-rank branch (its {@code if (X.numCols < X.numRows)} block). */
    private static List<String> lowRankStatements(String source, String method) {
        int start = source.indexOf(method);
        assertTrue(start >= 0, method + " not generated");
        int branch = source.indexOf("if (X.numCols < X.numRows) {", start);
        int end = source.indexOf("        } else {", branch);
        assertTrue(branch > 0 && end > branch, "no low-rank version in " + method);
        return source.substring(branch, end).lines().map(String::strip).filter(l -> !l.startsWith("//")).toList();
    }

    /** Statements that pass Y (N×D) to a kernel. */
    private static long readsOfY(List<String> statements) {
        Pattern y = Pattern.compile("[(,] ?Y[,)]");
        return statements.stream().filter(s -> y.matcher(s).find()).count();
    }

    @Test
    void lowRankGradientAndHessianVectorProductReadYOnlyWhereWoodburyNeedsIt() {
        Compilation.Result result = Compilation.compile(GPLVM);
        assertTrue(result.errors().isEmpty(), () -> result.errors().toString());
        String source = result.generatedSource("demo/Gp_Gplvm.java");

        // Gradient: Xᵀ·Y, ‖Y‖² and one Y·(D×q) product for ∂X.
        List<String> gradient = lowRankStatements(source, "public double gradient(DMatrixRMaj X");
        assertTrue(readsOfY(gradient) <= 3, () -> readsOfY(gradient) + " reads of Y in\n" + String.join("\n", gradient));
        // H·d adds dXᵀ·Y (or Yᵀ·dX), a q×N·N×D product and one Y·(D×q) for (H·d)_X.
        List<String> hvp = lowRankStatements(source, "public double hessianVectorProduct(DMatrixRMaj X");
        assertTrue(readsOfY(hvp) <= 6, () -> readsOfY(hvp) + " reads of Y in\n" + String.join("\n", hvp));

        // Nothing N×N: no identity, no expanded K⁻¹ or tangent of K, no outer product of N-row matrices.
        for (List<String> statements : List.of(gradient, hvp)) {
            for (String s : statements) {
                assertTrue(!s.contains("Kernels.identity(") && !s.contains("multTransB(X, X")
                        && !s.contains("multTransB(dX, X") && !s.contains("multTransB(X, dX"), s);
            }
        }
    }
}
