package dev.adjoint.processor.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A MathML Core element tree: {@code mi}, {@code mo}, {@code mn}, {@code mrow}, {@code msup},
 * {@code msub}, {@code mfrac}, {@code mtext}. Rendered as markup with its text escaped; browsers
 * typeset it natively (Chromium ≥ 109, Firefox, Safari).
 */
final class MathMl {
    final String tag;
    final String text;
    final String attributes;
    final List<MathMl> children;

    private MathMl(String tag, String text, String attributes, List<MathMl> children) {
        this.tag = tag;
        this.text = text;
        this.attributes = attributes;
        this.children = children;
    }

    static MathMl mi(String text) {
        // Single-letter identifiers are italic; T of a transpose, names of functions are upright.
        return new MathMl("mi", text, "", List.of());
    }

    static MathMl upright(String text) {
        return new MathMl("mi", text, text.codePointCount(0, text.length()) == 1 ? " mathvariant=\"normal\"" : "", List.of());
    }

    static MathMl mo(String text) {
        return new MathMl("mo", text, "", List.of());
    }

    static MathMl mn(String text) {
        return new MathMl("mn", text, "", List.of());
    }

    static MathMl mtext(String text) {
        return new MathMl("mtext", text, "", List.of());
    }

    static MathMl row(List<MathMl> children) {
        if (children.size() == 1) {
            return children.get(0);
        }
        return new MathMl("mrow", null, "", List.copyOf(children));
    }

    static MathMl mrowEmpty() {
        return new MathMl("mrow", null, "", List.of());
    }

    static MathMl row(MathMl... children) {
        return row(List.of(children));
    }

    static MathMl sup(MathMl base, MathMl exponent) {
        return new MathMl("msup", null, "", List.of(base, exponent));
    }

    static MathMl sub(MathMl base, MathMl index) {
        return new MathMl("msub", null, "", List.of(base, index));
    }

    static MathMl frac(MathMl numerator, MathMl denominator) {
        return new MathMl("mfrac", null, "", List.of(numerator, denominator));
    }

    /** Superscript T. */
    static MathMl transposed(MathMl base) {
        return sup(base, upright("T"));
    }

    /** Superscript −1. */
    static MathMl inverse(MathMl base) {
        return sup(base, row(mo("−"), mn("1")));
    }

    /** Parentheses around {@code inner}. */
    static MathMl parens(MathMl inner) {
        return row(mo("("), inner, mo(")"));
    }

    /**
     * An identifier as a mathematician writes it: {@code W1} as W with subscript 1, {@code G2}
     * likewise, {@code ∂h} as ∂ then h; longer names stay one (upright) identifier.
     */
    static MathMl identifier(String name) {
        if (name.startsWith("∂") && name.length() > 1) {
            return row(mo("∂"), identifier(name.substring(1)));
        }
        int digits = name.length();
        while (digits > 0 && Character.isDigit(name.charAt(digits - 1))) {
            digits--;
        }
        if (digits > 0 && digits < name.length()) {
            return sub(identifier(name.substring(0, digits)), mn(name.substring(digits)));
        }
        String greek = GREEK.get(name);
        return mi(greek != null ? greek : name);
    }

    /** Parameters and locals named after Greek letters print as the letter: alpha as α. */
    private static final java.util.Map<String, String> GREEK = java.util.Map.ofEntries(
            java.util.Map.entry("alpha", "α"), java.util.Map.entry("beta", "β"), java.util.Map.entry("gamma", "γ"),
            java.util.Map.entry("delta", "δ"), java.util.Map.entry("epsilon", "ε"), java.util.Map.entry("eta", "η"),
            java.util.Map.entry("theta", "θ"), java.util.Map.entry("kappa", "κ"), java.util.Map.entry("lambda", "λ"),
            java.util.Map.entry("mu", "μ"), java.util.Map.entry("nu", "ν"), java.util.Map.entry("rho", "ρ"),
            java.util.Map.entry("sigma", "σ"), java.util.Map.entry("tau", "τ"), java.util.Map.entry("phi", "φ"),
            java.util.Map.entry("omega", "ω"), java.util.Map.entry("Sigma", "Σ"), java.util.Map.entry("Lambda", "Λ"));

    /** The first child of an {@code mrow}, or this. */
    MathMl first() {
        return tag.equals("mrow") && !children.isEmpty() ? children.get(0) : this;
    }

    /** This row without its first child. */
    MathMl rest() {
        List<MathMl> rest = new ArrayList<>(children.subList(1, children.size()));
        return row(rest);
    }

    boolean isOperator(String op) {
        return tag.equals("mo") && op.equals(text);
    }

    /** A {@code <math>} element around {@code content}; {@code display} for a block formula. */
    static String math(MathMl content, boolean display) {
        return "<math" + (display ? " display=\"block\"" : "") + ">" + content + "</math>";
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        write(out);
        return out.toString();
    }

    private void write(StringBuilder out) {
        out.append('<').append(tag).append(attributes).append('>');
        if (text != null) {
            out.append(Html.escape(text));
        }
        for (MathMl child : children) {
            child.write(out);
        }
        out.append("</").append(tag).append('>');
    }
}
