package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Repeated squaring (M₂ = M₁·M₁, M₃ = M₂·M₂, ...) doubles the fully expanded formula of each
 * cotangent per step; comments and Javadoc must stay bounded (the random-program test once saw a
 * 3 KB method generate a 986 MB class).
 */
class GeneratedSizeTest {
    /** The tanh RNN over the columns of X, in package q (generated class q.Rnn_Rnn). */
    private static final String RNN = """
            package q;

            import static dev.adjoint.runtime.Ops.*;

            import dev.adjoint.Differentiable;
            import org.ejml.simple.SimpleMatrix;

            public class Rnn {
                @Differentiable(wrt = {"W", "U", "b", "h0"})
                static double rnn(SimpleMatrix W, SimpleMatrix U, SimpleMatrix b, SimpleMatrix h0, SimpleMatrix X) {
                    SimpleMatrix h = h0;
                    double loss = 0;
                    for (int t = 0; t < X.numCols(); t++) {
                        h = tanh(W.mult(h).plus(U.mult(X.getColumn(t))).plus(b));
                        loss += 0.5 * sumSquares(h);
                    }
                    return loss + h.elementSum();
                }
            }
            """;


    @Test
    void repeatedSquaringKeepsTheGeneratedSourceSmall() {
        StringBuilder body = new StringBuilder("        SimpleMatrix M1 = A.mult(A);\n");
        for (int k = 2; k <= 20; k++) {
            body.append("        SimpleMatrix M").append(k).append(" = M").append(k - 1).append(".mult(M").append(k - 1).append(");\n");
        }
        String source = """
                package q;

                import static dev.adjoint.runtime.Ops.*;

                import dev.adjoint.Differentiable;
                import org.ejml.simple.SimpleMatrix;

                public class Squares {
                    @Differentiable
                    static double f(SimpleMatrix A) {
                """ + body + """
                        return sumSquares(M20);
                    }
                }
                """;
        String generated = generated(source, "q/Squares_F.java");
        assertTrue(generated.length() < 100_000, "generated source has " + generated.length() + " characters");
        for (String line : generated.split("\n")) {
            assertTrue(line.length() < 600, () -> "a generated line has " + line.length() + " characters: "
                    + line.substring(0, Math.min(200, line.length())));
        }
    }

    /**
     * The class Javadoc of a loss with a loop says what the backward pass does per iteration (the
     * body's pullback, one update per carried cotangent), not just "∂W through the loop".
     */
    @Test
    void theJavadocOfARecurrenceGivesItsBackwardStep() {
        String generated = generated(RNN, "q/Rnn_Rnn.java");
        String javadoc = generated.substring(0, generated.indexOf("@Generated"));
        for (String expected : List.of("<p>Backward through {@code for (int t = 0; t &lt; X.numCols(); t++)}", "<li>∂h ← Wᵀ·G1",
                "<li>Σ∂W ← Σ∂W + G1·hᵀ", "<li>Σ∂b ← Σ∂b + G1", "<li>G1 = (∂h + ∂loss·h′) ∘ tanh′(W·h + U·",
                "<li>h′ = tanh(W·h + U·")) {
            assertTrue(javadoc.contains(expected), () -> "missing " + expected + " in\n" + javadoc);
        }
        assertTrue(!javadoc.contains(" = in"), javadoc); // region inputs are named, never "in3"
    }

    /**
     * The lowering passes run inside loop bodies too, the backward pass of a loop accumulates the
     * gradients of the values its body reads in place (one multAdd per step into Σ∂W, no product
     * into a buffer, sum and copy back), and it reads each step's new state from the tape.
     */
    @Test
    void aLoopBodyIsLoweredAndItsGradientsAccumulateInPlace() {
        String generated = generated(RNN, "q/Rnn_Rnn.java");
        String gradient = generated.substring(generated.indexOf("public double gradient(DMatrixRMaj"));
        String backward = gradient.substring(gradient.indexOf("for (int step"), gradient.indexOf("∂L/∂(h0)"));
        String forward = gradient.substring(0, gradient.indexOf("for (int step"));
        // W·h + U·x + b: one product, one accumulated product, one addEquals (linear-combination, in the body)
        assertTrue(forward.contains("Products.multAdd(U, "), forward);
        assertTrue(!forward.contains("CommonOps_DDRM.add("), forward);
        // Σ∂W += G·hᵀ and Σ∂U += G·xᵀ straight into the accumulators, ∂h ← Wᵀ·G into its own variable
        assertTrue(backward.contains("Products.multAddTransB(") && backward.split("Products.multAddTransB\\(", -1).length == 3, backward);
        assertTrue(backward.contains("Products.multTransA(W, "), backward);
        assertTrue(!backward.contains("CommonOps_DDRM.add("), backward);
        // h′ = tanh(W·h + U·x + b) is read from the tape (the next step's start), not recomputed (loop-state-reuse)
        assertTrue(!backward.contains("Products.mult(W, ") && !backward.contains("Kernels.tanh("), backward);
        assertTrue(backward.contains("Kernels.tanhBackwardFromOutput(hTape.get(step + 1), "), backward);
        assertTrue(forward.contains("hTape.save(iterations, h"), forward); // the state after the last step
        assertTrue(!generated.contains("lossTape"), forward); // the running loss is carried but never read back: not taped
        assertTrue(!backward.matches("(?s).*Kernels\\.copy\\(\\w+, ct\\d*\\).*"), backward); // nothing copied back per step
    }

    /** A branch inside a loop: the backward step of each branch is given too. */
    @Test
    void theJavadocOfABranchInALoopGivesBothBackwardBranches() {
        String source = """
                package q;

                import static dev.adjoint.runtime.Ops.*;

                import dev.adjoint.Differentiable;
                import org.ejml.simple.SimpleMatrix;

                public class Branchy {
                    @Differentiable(wrt = {"W"})
                    static double f(SimpleMatrix W, SimpleMatrix x, int steps) {
                        SimpleMatrix h = x;
                        for (int t = 0; t < steps; t++) {
                            if (t < steps / 2) {
                                h = tanh(W.mult(h));
                            } else {
                                h = W.mult(h).scale(0.5);
                            }
                        }
                        return sumSquares(h);
                    }
                }
                """;
        String generated = generated(source, "q/Branchy_F.java");
        String javadoc = generated.substring(0, generated.indexOf("@Generated"));
        for (String expected : List.of("<p>Backward through {@code if (t &lt; steps / 2)} when the condition held:",
                "<li>∂h ← Wᵀ·G1", "<li>G1 = ∂h ∘ tanh′(W·h)", "<p>Backward through {@code if (t &lt; steps / 2)} otherwise:",
                "<li>∂h ← 0.5·Wᵀ·∂h", "<li>∂W ← 0.5·∂h·hᵀ")) {
            assertTrue(javadoc.contains(expected), () -> "missing " + expected + " in\n" + javadoc);
        }
    }

    /** A recurrence is one loop: the generated source for 1,000 steps is the one for 3 steps (but for the bound). */
    @Test
    void aRecurrenceDoesNotGrowWithItsTripCount() {
        String three = recurrence(3);
        String thousand = recurrence(1000);
        assertTrue(thousand.contains("while (true)"), thousand);
        assertTrue(three.replaceAll("\\b3\\b", "N").equals(thousand.replaceAll("\\b1000\\b", "N")),
                "the generated sources differ beyond the bound:\n" + three + "\n----\n" + thousand);
        assertTrue(thousand.length() < 40_000, "generated source has " + thousand.length() + " characters");
    }

    /** The class the processor generates at {@code path} from {@code source}, which must compile without errors. */
    private static String generated(String source, String path) {
        Compilation.Result result = Compilation.processOnly(source);
        assertTrue(result.errors().isEmpty(), result::describe);
        String generated = result.generatedSource(path);
        assertNotNull(generated, result::describe);
        return generated;
    }

    private static String recurrence(int steps) {
        String source = """
                package q;

                import static dev.adjoint.runtime.Ops.*;

                import dev.adjoint.Differentiable;
                import org.ejml.simple.SimpleMatrix;

                public class Recurrence {
                    @Differentiable(wrt = {"W", "h0"})
                    static double f(SimpleMatrix W, SimpleMatrix h0) {
                        SimpleMatrix h = h0;
                        for (int t = 0; t < STEPS; t++) {
                            h = tanh(W.mult(h));
                        }
                        return sumSquares(h);
                    }
                }
                """.replace("STEPS", Integer.toString(steps));
        String generated = generated(source, "q/Recurrence_F.java");
        return generated;
    }
}
