package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Repeated squaring (M₂ = M₁·M₁, M₃ = M₂·M₂, ...) doubles the fully expanded formula of each
 * cotangent per step; comments and Javadoc must stay bounded (the random-program test once saw a
 * 3 KB method generate a 986 MB class).
 */
class GeneratedSizeTest {

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
        Compilation.Result result = Compilation.processOnly(source);
        assertTrue(result.errors().isEmpty(), result::describe);
        String generated = result.generatedSource("q/Squares_F.java");
        assertNotNull(generated, result::describe);
        assertTrue(generated.length() < 100_000, "generated source has " + generated.length() + " characters");
        for (String line : generated.split("\n")) {
            assertTrue(line.length() < 600, () -> "a generated line has " + line.length() + " characters: "
                    + line.substring(0, Math.min(200, line.length())));
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
        Compilation.Result result = Compilation.processOnly(source);
        assertTrue(result.errors().isEmpty(), result::describe);
        String generated = result.generatedSource("q/Recurrence_F.java");
        assertNotNull(generated, result::describe);
        return generated;
    }
}
