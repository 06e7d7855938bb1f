package dev.adjoint.processor.ops;

import static dev.adjoint.processor.ops.Ejml.KERNELS;

import dev.adjoint.processor.ir.Node;

/**
 * {@code A.getColumn(j)}: column j of A, for recurrences over the columns of a matrix (an RNN
 * over the samples of X). Kept minimal: the general indexing forms live with the other DSL forms.
 */
public final class ColumnAccess {
    private ColumnAccess() {}

    /** Column {@code j} of A (inputs: A, j), an r×1 vector. */
    public record Column() implements MatrixOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.setShape(node, ctx.dim(node.input(0), 0), ctx.constant(1));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            String a = ctx.ref(node.input(0));
            String j = ctx.ref(node.input(1));
            ctx.beginControlFlow("if ($L < 0 || $L >= $L.numCols)", j, j, a);
            ctx.statement("throw new $T($S + $L + $S + $T.shape($L))", IndexOutOfBoundsException.class,
                    ctx.describe(node) + ": column ", j, " of a ", KERNELS, a);
            ctx.endControlFlow();
            ctx.statement("$T.column($L, $L, $L)", KERNELS, a, j, ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            if (ctx.needs(0)) {
                ctx.accumulate(0, ctx.builder().apply(new ScatterColumn(), ct, node.input(0), node.input(1)));
            }
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.has(0) ? ctx.builder().apply(new Column(), ctx.tangent(0), node.input(1)) : -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom(ctx.print(node.input(0)).at(Formula.ATOM) + "[:," + ctx.print(node.input(1)).text() + "]"
                    + (transposed ? "ᵀ" : ""));
        }
    }

    /** A matrix shaped like {@code like}, zero except column j, which is v (inputs: v, like, j). */
    public record ScatterColumn() implements MatrixOp, BackwardOnly {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.unify(ctx.dim(node.input(0), 0), ctx.dim(node.input(1), 0), node, "rows of the column and the matrix");
            ctx.shapeLike(node, node.input(1));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.scatterColumn($L, $L, $L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)),
                    ctx.ref(node.input(2)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.has(0) ? ctx.builder().apply(new ScatterColumn(), ctx.tangent(0), node.input(1), node.input(2)) : -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("column " + ctx.print(node.input(2)).text() + " ← " + ctx.print(node.input(0)).text());
        }
    }
}
