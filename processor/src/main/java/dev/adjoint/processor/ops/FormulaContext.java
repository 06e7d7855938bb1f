package dev.adjoint.processor.ops;

/** Renders operands for a primitive's formula. */
public interface FormulaContext {
    Formula print(int id);

    /** The operand transposed, pushing the transpose inward where it reads better. */
    Formula printTransposed(int id);

    default Formula print(int id, boolean transposed) {
        return transposed ? printTransposed(id) : print(id);
    }

    /** Default rendering of a transposed result: {@code (f)ᵀ}. */
    default Formula transposeOf(Formula f) {
        return Formula.atom(f.at(Formula.ATOM) + "ᵀ");
    }
}
