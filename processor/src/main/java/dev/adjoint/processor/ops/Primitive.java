package dev.adjoint.processor.ops;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.ValueType;
import java.util.List;

/**
 * One operation of the IR, defined in one place: its result type, algebraic simplification,
 * shape rule, forward emission, adjoint (reverse-mode) rule and formula rendering. Adding an op
 * means writing one implementation of this interface (plus, if users can spell it, one row in
 * the parser's {@code DslSurface} table).
 *
 * <p>Implementations are records, so two applications of the same op to the same inputs are
 * equal: the {@link Builder} uses that for common-subexpression elimination. They are
 * serializable (records of strings, numbers, enums and lists) because a compiled
 * {@code @Differentiable} helper ships its parsed IR to downstream compilations
 * ({@code parse.InlineIr}).
 */
public interface Primitive extends java.io.Serializable {

    /** The kind of value this op produces. */
    ValueType type();

    /**
     * Returns an existing node that already computes this op on {@code inputs} (for example
     * {@code A·1 → A}), a rewritten node built with {@code b}, or {@code -1} to create the node
     * as is.
     */
    default int simplify(Builder b, List<Integer> inputs) {
        return -1;
    }

    /** Records the shape constraints this op imposes and the shape of a matrix result. */
    void shape(ShapeContext ctx, Node node);

    /** Writes the statements computing {@code node} into the context's method body. */
    void emit(EmitContext ctx, Node node);

    /**
     * Given the cotangent {@code ct} of this node (∂L/∂node, same type and shape), contributes
     * the cotangent of each active input through {@link AdjointContext#accumulate}.
     */
    void adjoint(AdjointContext ctx, Node node, int ct);

    /**
     * The forward-mode (Jacobian-vector product) rule: the tangent of this node given its inputs'
     * tangents ({@link JvpContext#tangent}), built with ordinary primitives, or {@code -1} when
     * it is zero. Second derivatives ({@code @Differentiable(order = 2)}) apply it to every node
     * of the differentiated program, the backward pass included (forward over reverse). Ops
     * without a rule keep this default, which reports the construct.
     */
    default int jvp(JvpContext ctx, Node node) {
        return ctx.noRule(node);
    }

    /** Renders this node as a readable formula; {@code transposed} asks for its transpose. */
    Formula formula(FormulaContext ctx, Node node, boolean transposed);

    /**
     * The Java expression for this node's value when it needs no statement of its own (a
     * parameter's name, a literal), or {@code null}.
     */
    default String inline(Node node) {
        return null;
    }

    /**
     * Whether this node's value may be computed in the storage of its matrix operand
     * {@code operand}, overwriting it: the node reads it once, as a summand that its emission
     * leaves in place and adds the rest onto (when {@link EmitContext#ref} gives both the same
     * name). A loop's backward pass uses it to accumulate gradients in place.
     */
    default boolean accumulatesOnto(Node node, int operand) {
        return false;
    }

    /** True for ops whose value does not depend on any input's value (leaves, shape queries). */
    default boolean isLeaf() {
        return false;
    }
}
