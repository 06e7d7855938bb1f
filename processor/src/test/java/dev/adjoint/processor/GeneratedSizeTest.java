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
}
