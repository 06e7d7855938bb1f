package dev.adjoint.processor.ops;

/** Renders operands for a primitive's formula. */
public interface FormulaContext {
    Formula print(int id);

    /** The operand transposed, pushing the transpose inward where it reads better. */
    Formula printTransposed(int id);

    /** The node with this id (to look at an operand's op). */
    dev.adjoint.processor.ir.Node node(int id);

    /** Whether the node prints as a name (a local or a shared subexpression) rather than expanded. */
    boolean isNamed(int id);

    /**
     * A symbol a formula uses, such as {@code N} for the number of samples: where the printer lists
     * definitions (the class Javadoc's where-list), it records {@code definition} and returns
     * {@code name}; in a one-line comment it returns {@code value}, which must read on its own.
     */
    default String symbol(String name, String value, String definition) {
        return value;
    }

    default Formula print(int id, boolean transposed) {
        return transposed ? printTransposed(id) : print(id);
    }

    /** Default rendering of a transposed result: {@code (f)ᵀ}. */
    default Formula transposeOf(Formula f) {
        return Formula.atom(f.at(Formula.ATOM) + "ᵀ");
    }
}
