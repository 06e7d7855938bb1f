package dev.adjoint.processor.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The MathML building blocks of the report: template tokens, identifiers, polynomials. */
class MathMlTest {
    private static final char OPEN = '\uE000';
    private static final char CLOSE = '\uE001';

    private static String tokens(String text, MathMl... operands) {
        return Tokens.toMathMl(text, List.of(operands), OPEN, CLOSE).toString();
    }

    @Test
    void operatorsNumbersAndFunctionNames() {
        assertEquals("<mrow><mi>log</mi><mi>det</mi><mo>(</mo><mi>K</mi><mo>)</mo><mo>−</mo><mn>0.5</mn><mo>⋅</mo><mi>A</mi></mrow>",
                tokens("log det(" + OPEN + "0" + CLOSE + ") - 0.5·A", MathMl.mi("K")));
    }

    @Test
    void superscriptsAttachToThePrecedingItem() {
        assertEquals("<mrow><msup><mi>x</mi><mi mathvariant=\"normal\">T</mi></msup><mo>⋅</mo>"
                        + "<msup><mi>K</mi><mrow><mo>−</mo><mn>1</mn></mrow></msup><mo>⋅</mo>"
                        + "<msup><mi>𝟙</mi><mi mathvariant=\"normal\">T</mi></msup></mrow>",
                tokens("xᵀ·K⁻¹·𝟙ᵀ"));
        assertEquals("<mrow><mi>G</mi><mo>∘</mo><mi>p</mi><mo>⋅</mo><msup><mi>A</mi><mrow><mo>∘</mo><mi>p</mi><mo>−</mo>"
                + "<mn>1</mn></mrow></msup></mrow>", tokens("G ∘ p·A^∘(p−1)"));
    }

    @Test
    void identifiers() {
        assertEquals("<msub><mi>W</mi><mn>1</mn></msub>", MathMl.identifier("W1").toString());
        assertEquals("<mrow><mo>∂</mo><mi>h</mi></mrow>", MathMl.identifier("∂h").toString());
        assertEquals("<mi>α</mi>", MathMl.identifier("alpha").toString());
        assertEquals("<mi>&lt;x&gt;</mi>", MathMl.mi("<x>").toString());
    }

    @Test
    void polynomials() {
        Polynomial p = Polynomial.product(2, "m", "n").plus(Polynomial.product(1.0 / 6, "n", "n", "n"))
                .plus(Polynomial.product(1, "n", "m"));
        assertEquals("0.1667·n·n·n + 3·m·n", p.toString());
        assertEquals("<mrow><mrow><mfrac><mn>1</mn><mn>6</mn></mfrac><msup><mi>n</mi><mn>3</mn></msup></mrow><mo>+</mo>"
                + "<mrow><mn>3</mn><mo>⋅</mo><mi>m</mi><mo>⋅</mo><mi>n</mi></mrow></mrow>", p.toMathMl().toString());
        assertEquals("6", Polynomial.product(2, "3").plus(Polynomial.dim("0")).toString());
        assertEquals("0", Polynomial.ZERO.toString());
    }
}
