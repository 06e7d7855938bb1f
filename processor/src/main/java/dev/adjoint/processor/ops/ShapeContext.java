package dev.adjoint.processor.ops;

import dev.adjoint.processor.ir.Node;

/**
 * What a shape rule can do: read input shapes as pairs of dimension variables, equate
 * dimensions (a constraint that is checked at compile time when both sides are known and at
 * run time otherwise) and set the result's shape.
 */
public interface ShapeContext {
    /** Dimension variable of the rows ({@code axis 0}) or columns ({@code axis 1}) of a matrix node. */
    int dim(int matrixNode, int axis);

    /** Dimension variable of a matrix parameter's rows or columns (bound to its {@code @Shape}). */
    int parameterDim(Node param, int axis);

    /** Dimension variable holding the value of an {@code int} node. */
    int intValue(int intNode);

    /** Dimension variable fixed to a constant. */
    int constant(int value);

    /**
     * Requires two dimensions to be equal because of {@code node}. {@code what} says, in words a
     * user understands, which dimensions must agree ("inner dimensions of the product").
     */
    void unify(int dimA, int dimB, Node node, String what);

    void setShape(Node node, int rows, int cols);

    /** Integer functions of dimensions, for dimensions computed from others. */
    enum DimOp {
        ADD("+"), SUB("−"), MUL("·"), DIV("/"),
        /** Rows of EJML's {@code diag()} of an r×c matrix: r·c for a vector (a diagonal matrix), else min(r, c). */
        DIAG_ROWS("diagRows"),
        /** Columns of EJML's {@code diag()}: r·c for a vector, else 1 (the diagonal as a column). */
        DIAG_COLS("diagCols");

        public final String symbol;

        DimOp(String symbol) {
            this.symbol = symbol;
        }

        /** The value for known operands (Java {@code int} arithmetic). */
        public int apply(int a, int b) {
            return switch (this) {
                case ADD -> a + b;
                case SUB -> a - b;
                case MUL -> a * b;
                case DIV -> b == 0 ? 0 : a / b;
                case DIAG_ROWS -> a == 1 || b == 1 ? a * b : Math.min(a, b);
                case DIAG_COLS -> a == 1 || b == 1 ? a * b : 1;
            };
        }

        /** Whether the dimension is a polynomial in its operands (so compile-time algebra applies). */
        public boolean polynomial() {
            return this == ADD || this == SUB || this == MUL;
        }
    }

    /**
     * A dimension defined as {@code op(a, b)} of two others: rows of a block (r1 − r0), of a
     * concatenation (a sum), of a Kronecker product (a product). Known operands fold it to a
     * constant at compile time; otherwise generated code evaluates it from the argument shapes.
     */
    int derived(DimOp op, int a, int b);

    /** States that {@code dim} is {@code value} by definition (an int expression's value): never checked at run time. */
    void define(int dim, int value, Node node);

    /**
     * Requires {@code 0 ≤ low ≤ high ≤ limit} (an index range into a dimension of
     * {@code matrixNode}): a compile-time error where the shapes prove it false, else a run-time
     * check that names {@code node} and the matrix's size. {@code what} names the range
     * ("rows r0..r1").
     */
    void range(Node node, String what, int low, int high, int limit, int matrixNode);

    /**
     * A fresh dimension known only at run time (the result of a user function): it takes part in
     * unification, but no argument check can read it.
     */
    int unknown();

    /** The type of a node of the graph being inferred. */
    dev.adjoint.processor.ir.ValueType typeOf(int node);

    /** Shape (rows, columns variables) of result {@code k} of a tuple node. */
    int[] tupleShape(int tupleNode, int k);

    /** Sets the shapes of a tuple node's results (null for results that are not matrices). */
    void setTupleShapes(Node node, java.util.List<int[]> shapes);

    /**
     * Infers the shapes inside a region whose input {@code k} has shape {@code inputs.get(k)}
     * (rows, columns) if a matrix; for an {@code int} input, {@code inputs.get(k)} may hold one
     * dimension variable with its value (a loop-invariant operand), else null. Problems inside
     * are reported on the region's own nodes. Returns the shapes of the region's outputs (null for
     * non-matrices).
     */
    java.util.List<int[]> region(Regions.Region region, java.util.List<int[]> inputs);

    default void sameShape(Node node, int a, int b, String what) {
        unify(dim(a, 0), dim(b, 0), node, what + " (rows)");
        unify(dim(a, 1), dim(b, 1), node, what + " (columns)");
    }

    default void shapeLike(Node node, int like) {
        setShape(node, dim(like, 0), dim(like, 1));
    }
}
