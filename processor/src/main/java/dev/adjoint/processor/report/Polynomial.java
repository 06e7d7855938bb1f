package dev.adjoint.processor.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A polynomial in the shape symbols with rational coefficients (1/2, 1/3, 1/6 for factorization
 * costs): a map from monomials (sorted lists of symbols, repeated for powers) to coefficients.
 */
final class Polynomial {
    private static final Comparator<List<String>> ORDER = Comparator.<List<String>>comparingInt(List::size).reversed()
            .thenComparing(Object::toString);

    private final Map<List<String>, Double> terms = new TreeMap<>(ORDER);

    static final Polynomial ZERO = new Polynomial();

    static Polynomial constant(double c) {
        Polynomial p = new Polynomial();
        if (c != 0) {
            p.terms.put(List.of(), c);
        }
        return p;
    }

    /** A dimension: an integer literal or a symbol. */
    static Polynomial dim(String dim) {
        if (dim.matches("\\d+")) {
            return constant(Integer.parseInt(dim));
        }
        Polynomial p = new Polynomial();
        p.terms.put(List.of(dim), 1.0);
        return p;
    }

    /** The product of dimensions, times {@code coefficient}. */
    static Polynomial product(double coefficient, String... dims) {
        Polynomial p = constant(coefficient);
        for (String d : dims) {
            p = p.times(dim(d));
        }
        return p;
    }

    Polynomial plus(Polynomial other) {
        Polynomial p = new Polynomial();
        p.terms.putAll(terms);
        other.terms.forEach((m, c) -> p.terms.merge(m, c, Double::sum));
        p.terms.values().removeIf(c -> Math.abs(c) < 1e-12);
        return p;
    }

    Polynomial times(Polynomial other) {
        Polynomial p = new Polynomial();
        terms.forEach((m1, c1) -> other.terms.forEach((m2, c2) -> {
            List<String> m = new ArrayList<>(m1);
            m.addAll(m2);
            Collections.sort(m);
            p.terms.merge(List.copyOf(m), c1 * c2, Double::sum);
        }));
        p.terms.values().removeIf(c -> Math.abs(c) < 1e-12);
        return p;
    }

    boolean isZero() {
        return terms.isEmpty();
    }

    /** The value with every symbol set to {@code x} (for comparing alternatives in tests). */
    double at(double x) {
        double sum = 0;
        for (Map.Entry<List<String>, Double> t : terms.entrySet()) {
            sum += t.getValue() * Math.pow(x, t.getKey().size());
        }
        return sum;
    }

    MathMl toMathMl() {
        if (terms.isEmpty()) {
            return MathMl.mn("0");
        }
        List<MathMl> items = new ArrayList<>();
        boolean first = true;
        for (Map.Entry<List<String>, Double> t : terms.entrySet()) {
            double c = t.getValue();
            if (!first || c < 0) {
                items.add(MathMl.mo(c < 0 ? "−" : "+"));
            }
            first = false;
            items.add(monomial(Math.abs(c), t.getKey()));
        }
        return MathMl.row(items);
    }

    private static MathMl monomial(double c, List<String> symbols) {
        List<MathMl> factors = new ArrayList<>();
        MathMl coefficient = coefficient(c);
        boolean fraction = false;
        if (coefficient != null) {
            fraction = coefficient.tag.equals("mfrac");
            factors.add(coefficient);
        } else if (symbols.isEmpty()) {
            factors.add(MathMl.mn("1"));
        }
        for (int i = 0; i < symbols.size(); ) {
            int j = i;
            while (j < symbols.size() && symbols.get(j).equals(symbols.get(i))) j++;
            MathMl s = MathMl.identifier(symbols.get(i));
            if (!factors.isEmpty() && !fraction) {
                factors.add(MathMl.mo("⋅"));
            }
            fraction = false;
            factors.add(j - i > 1 ? MathMl.sup(s, MathMl.mn(Integer.toString(j - i))) : s);
            i = j;
        }
        return MathMl.row(factors);
    }

    /** Null for 1; an integer, or a fraction with denominator 2, 3 or 6. */
    private static MathMl coefficient(double c) {
        if (Math.abs(c - 1) < 1e-9) {
            return null;
        }
        for (int d : new int[] {1, 2, 3, 6, 12}) {
            double n = c * d;
            if (Math.abs(n - Math.rint(n)) < 1e-9) {
                String num = Long.toString(Math.round(n));
                return d == 1 ? MathMl.mn(num) : MathMl.frac(MathMl.mn(num), MathMl.mn(Integer.toString(d)));
            }
        }
        return MathMl.mn(String.format(java.util.Locale.ROOT, "%.3g", c));
    }

    /** Plain text, for tests and messages: {@code 2·m·n + n^2}. */
    @Override
    public String toString() {
        if (terms.isEmpty()) {
            return "0";
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<List<String>, Double> t : terms.entrySet()) {
            double c = t.getValue();
            out.append(out.length() == 0 ? (c < 0 ? "-" : "") : (c < 0 ? " - " : " + "));
            double a = Math.abs(c);
            List<String> parts = new ArrayList<>();
            if (Math.abs(a - 1) > 1e-9 || t.getKey().isEmpty()) {
                parts.add(Math.abs(a - Math.rint(a)) < 1e-9 ? Long.toString(Math.round(a)) : String.format(java.util.Locale.ROOT, "%.4g", a));
            }
            parts.addAll(t.getKey());
            out.append(String.join("·", parts));
        }
        return out.toString();
    }
}
