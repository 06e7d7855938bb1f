package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * A newcomer's first program often uses the generated class in the class that declares the loss,
 * e.g. the README's {@code var loss = new Losses_TiedAutoencoder();} in {@code Losses.main}.
 */
class SameClassUseTest {

    private static String losses(String use) {
        return """
                package demo;

                import dev.adjoint.Differentiable;
                import dev.adjoint.runtime.Ops;
                import org.ejml.simple.SimpleMatrix;

                public final class Losses {
                    @Differentiable
                    static double f(SimpleMatrix A) {
                        return Ops.sumSquares(A);
                    }

                    static double use(SimpleMatrix A) {
                        %s
                    }
                }
                """.formatted(use);
    }

    @Test
    void generatedClassWithItsTypeWrittenOutCompilesInTheSameClass() {
        Compilation.Result result = Compilation.compile(losses("Losses_F loss = new Losses_F();\nreturn loss.gradient(A);"));
        assertTrue(result.success, result::describe);
        assertTrue(result.warnings().isEmpty(), result::describe);
    }

    @Test
    @Disabled("Known bug: javac 17 crashes (NullPointerException in Flow.visitApply, exit status 4) when a method of"
            + " the class that declares a @Differentiable method declares `var x = new <GeneratedClass>()` and calls"
            + " a method on x. Adjoint has javac attribute the class early (BodyParser.attribute), while the"
            + " generated class does not exist yet; the `var` keeps an erroneous type after the round."
            + " Workaround (README Troubleshooting): write the type instead of var, or use the class elsewhere.")
    void varOfAGeneratedClassCompilesInTheSameClass() {
        Compilation.Result result = Compilation.compile(losses("var loss = new Losses_F();\nreturn loss.gradient(A);"));
        assertTrue(result.success, result::describe);
    }
}
