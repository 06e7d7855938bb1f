package dev.adjoint.processor.ops;

import dev.adjoint.processor.ir.Builder;

/** What an adjoint rule can do: build nodes and add cotangent contributions to inputs. */
public interface AdjointContext {
    Builder builder();

    /** Whether input {@code position} depends on a {@code wrt} parameter (else skip its rule). */
    boolean needs(int position);

    /** Adds {@code contribution} to the cotangent of input {@code position}. */
    void accumulate(int position, int contribution);
}
