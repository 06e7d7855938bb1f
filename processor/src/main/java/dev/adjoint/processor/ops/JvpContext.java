package dev.adjoint.processor.ops;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Node;

/**
 * What a forward-mode (Jacobian-vector product) rule can do: read the tangents of the node's
 * inputs and build the node's tangent with ordinary primitives, which are differentiable in
 * turn. A tangent has its value's type and shape; {@code -1} stands for a zero tangent (an
 * input that does not depend on the direction), so rules build only the terms that exist.
 */
public interface JvpContext {
    Builder builder();

    /** The tangent of input {@code position}, or {@code -1} when it is zero. */
    int tangent(int position);

    /** Whether input {@code position} has a nonzero tangent. */
    default boolean has(int position) {
        return tangent(position) >= 0;
    }

    /** Reports that {@code node}'s op has no forward-mode rule (a compile error for order 2); returns -1. */
    int noRule(Node node);

    /** The sum of the given terms, skipping zero ({@code -1}) ones; {@code -1} when all are zero. */
    default int sum(int... terms) {
        int total = -1;
        for (int term : terms) {
            if (term >= 0) {
                total = total < 0 ? term : builder().add(total, term);
            }
        }
        return total;
    }
}
