package dev.adjoint.processor.ops;

import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.ValueType;

/**
 * What a primitive's emission can do. Format strings follow JavaPoet ({@code $L}, {@code $T},
 * {@code $S}); the context writes the comment naming the DSL expression itself.
 */
public interface EmitContext {
    /** The Java expression that holds a node's value (a field, a local or a parameter). */
    String ref(int id);

    /** Emits one statement (no trailing semicolon in {@code format}). */
    void statement(String format, Object... args);

    /** Emits a block of code (control flow), after the comment naming the DSL expression. */
    void block(com.palantir.javapoet.CodeBlock code);

    /**
     * A workspace field of the class for an intermediate result inside one node's computation;
     * {@code role} tells several apart ("Partial", "Outer").
     */
    String scratch(Node node, String role);

    /**
     * {@code c = alpha·op(a)·op(b)}, or {@code c += alpha·op(a)·op(b)} when {@code accumulate}:
     * the general product of the kernel vocabulary, as statements to emit. The backend calls the
     * runtime's {@code Products}, which picks EJML or the system BLAS by size at run time (and,
     * in pure Java, transposes a transposed right operand into a workspace: EJML's
     * {@code multTransB} takes dot products, which are several times slower). {@code alpha} is
     * a Java expression, or null for 1.
     */
    com.palantir.javapoet.CodeBlock product(String alpha, String a, boolean transA, String b, boolean transB, String c,
            boolean accumulate);

    /**
     * {@code c = alpha1·a1·b1ᵀ + alpha2·a2·b2ᵀ} ({@code Products.multTransBPair}: one pass over c
     * when the inner dimensions are small); null alphas mean 1.
     */
    com.palantir.javapoet.CodeBlock productPair(String alpha1, String a1, String b1, String alpha2, String a2, String b2,
            String c);

    /** Emits {@code double name = <expr>;} (or {@code int}) for a scalar or int node. */
    void define(Node node, String format, Object... args);

    /** The Java expression for an {@code int} node's value derived from argument shapes. */
    String dimension(Node intNode);

    /**
     * The field holding a factorization of matrix node {@code matrix}, factoring it first if
     * this method has not already done so. {@code owner} is the node whose DSL expression is
     * named in exceptions.
     */
    String factor(int matrix, Factorization kind, Node owner);

    /** {@code W.mult(x) at Losses.java:12}: the DSL expression for messages. */
    String describe(Node node);

    // ---- control flow (ops.Loop, ops.Cond) --------------------------------------------------

    /**
     * A new name for a value an op keeps across statements: for a matrix, a workspace field of the
     * class; otherwise a local name, which the op declares itself. {@code base} suggests it.
     */
    String fresh(String base, ValueType type, String doc);

    /** A new field of the class of type {@code type}, created with its no-argument constructor. */
    String field(String base, com.palantir.javapoet.TypeName type, String doc);

    /**
     * Emits a region's live nodes, in order, in the current block, its inputs bound to the given
     * Java expressions; returns the Java expression of each output.
     */
    default java.util.List<String> region(Regions.Region region, java.util.List<String> inputs) {
        return region(region, inputs, java.util.Map.of());
    }

    /**
     * As {@link #region(Regions.Region, java.util.List)}, computing output {@code k} straight into
     * the matrix {@code into.get(k)} names (a loop's carried variable it replaces; see
     * {@code Loop.inPlace}).
     */
    java.util.List<String> region(Regions.Region region, java.util.List<String> inputs, java.util.Map<Integer, String> into);

    void beginControlFlow(String format, Object... args);

    void nextControlFlow(String format, Object... args);

    void endControlFlow();

    /** Records the Java expressions of a tuple node's results (and any state its readers need). */
    void setOutputs(Node tuple, java.util.List<String> outputs);

    /** What {@link #setOutputs} recorded for tuple node {@code id}. */
    java.util.List<String> outputs(int id);

    /** Whether a live node of the method (or region) being emitted reads {@code node} and is a {@code type}. */
    default boolean readBy(Node node, Class<? extends Primitive> type) {
        return readBy(node, type, op -> true);
    }

    /** Whether a live node of the method (or region) being emitted reads {@code node} and is a {@code type} that {@code which} accepts. */
    <T extends Primitive> boolean readBy(Node node, Class<T> type, java.util.function.Predicate<? super T> which);

    /**
     * Whether a node's value may change inside a loop or branch (any node of a region's body, or
     * one computed by or after a loop or branch), so checks on it cannot run before any work.
     */
    default boolean dynamic(int id) {
        return false;
    }

    enum Factorization {
        /** Cholesky of the symmetrized matrix: {@code dev.adjoint.runtime.SpdFactorization}. */
        CHOLESKY,
        /** LU with partial pivoting: {@code dev.adjoint.runtime.LuFactorization}. */
        LU
    }
}
