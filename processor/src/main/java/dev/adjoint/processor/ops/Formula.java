package dev.adjoint.processor.ops;

/** A rendered formula fragment and the precedence of its outermost operator. */
public record Formula(String text, int precedence) {
    public static final int SUM = 1;
    /** Entrywise products bind looser than matrix products: (A ∘ B)·C needs its parentheses. */
    public static final int HADAMARD = 2;
    public static final int PRODUCT = 3;
    public static final int UNARY = 4;
    public static final int ATOM = 5;

    /**
     * The vector or matrix of ones (𝟙 in most texts, which is outside Unicode's Basic Multilingual
     * Plane and missing from many fonts), shaped as its product needs.
     */
    public static final String ONES = "ones";

    /** Its where-list line. */
    public static final String ONES_DEFINITION = "ones = a vector or matrix of ones, shaped as its product needs";

    public static Formula atom(String text) {
        return new Formula(text, ATOM);
    }

    /** This formula as an operand needing at least {@code precedence}. */
    public String at(int precedence) {
        return this.precedence >= precedence ? text : "(" + text + ")";
    }
}
