package dev.adjoint.processor.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the text of an op's formula template (as {@code ops.Primitive.formula} writes it:
 * {@code ·}, {@code ∘}, {@code ᵀ}, {@code ⁻¹}, function names, parentheses) into MathML, with
 * placeholders replaced by already rendered operands. Identifiers become {@code mi}, numbers
 * {@code mn}, operators {@code mo}; superscript characters and {@code ^x} become {@code msup} of
 * the preceding item.
 */
final class Tokens {
    private Tokens() {}

    static MathMl toMathMl(String text, List<MathMl> operands, char open, char close) {
        return MathMl.row(parse(text, operands, open, close));
    }

    private static List<MathMl> parse(String text, List<MathMl> operands, char open, char close) {
        List<MathMl> items = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int c = text.codePointAt(i);
            int width = Character.charCount(c);
            if (c == open) {
                int end = text.indexOf(close, i);
                items.add(operands.get(Integer.parseInt(text.substring(i + 1, end))));
                i = end + 1;
            } else if (Character.isWhitespace(c)) {
                i += width;
            } else if (c == 'ᵀ') {
                superscript(items, MathMl.upright("T"));
                i += width;
            } else if (c == '⁻' && i + 1 < text.length() && (text.charAt(i + 1) == '¹' || text.charAt(i + 1) == 'ᵀ')) {
                superscript(items, MathMl.row(MathMl.mo("−"), text.charAt(i + 1) == '¹' ? MathMl.mn("1") : MathMl.upright("T")));
                i += 2;
            } else if (c == '²') {
                superscript(items, MathMl.mn("2"));
                i += width;
            } else if (c == '′') {
                superscript(items, MathMl.mo("′"));
                i += width;
            } else if (c == '^') {
                // ^x, ^∘x, ^(…), ^∘(…): the exponent is the next item or parenthesized group.
                int j = i + 1;
                List<MathMl> exponent = new ArrayList<>();
                if (j < text.length() && text.charAt(j) == '∘') {
                    exponent.add(MathMl.mo("∘"));
                    j++;
                }
                int end = j;
                if (end < text.length() && text.charAt(end) == '(') {
                    int depth = 0;
                    for (; end < text.length(); end++) {
                        if (text.charAt(end) == '(') depth++;
                        if (text.charAt(end) == ')' && --depth == 0) break;
                    }
                    exponent.addAll(parse(text.substring(j + 1, Math.min(end, text.length())), operands, open, close));
                    end++;
                } else if (end < text.length() && text.charAt(end) == open) {
                    end = text.indexOf(close, end) + 1;
                    exponent.addAll(parse(text.substring(j, end), operands, open, close));
                } else {
                    while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '.')) end++;
                    exponent.addAll(parse(text.substring(j, end), operands, open, close));
                }
                superscript(items, MathMl.row(exponent));
                i = Math.max(end, j);
            } else if (Character.isLetter(c) || c == 0x1D7D9 /* 𝟙 */ || c == '…') {
                int end = i + width;
                while (end < text.length() && Character.isLetter(text.codePointAt(end)) && text.charAt(end) != 'ᵀ') {
                    end += Character.charCount(text.codePointAt(end));
                }
                String word = text.substring(i, end);
                items.add(word.codePointCount(0, word.length()) == 1 ? MathMl.mi(word) : MathMl.upright(word));
                i = end;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < text.length() && Character.isDigit(text.charAt(i + 1)))) {
                int end = i;
                while (end < text.length() && (Character.isDigit(text.charAt(end)) || text.charAt(end) == '.' || text.charAt(end) == 'E'
                        || (text.charAt(end) == '-' && end > i && text.charAt(end - 1) == 'E'))) {
                    end++;
                }
                items.add(MathMl.mn(text.substring(i, end)));
                i = end;
            } else {
                String op = new String(Character.toChars(c));
                items.add(MathMl.mo(switch (op) {
                    case "·", "*" -> "⋅";
                    case "-" -> "−";
                    default -> op;
                }));
                i += width;
            }
        }
        return items;
    }

    private static void superscript(List<MathMl> items, MathMl exponent) {
        if (items.isEmpty()) {
            items.add(MathMl.sup(MathMl.mrowEmpty(), exponent));
        } else {
            items.set(items.size() - 1, MathMl.sup(items.get(items.size() - 1), exponent));
        }
    }
}
