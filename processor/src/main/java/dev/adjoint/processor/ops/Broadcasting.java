package dev.adjoint.processor.ops;

import static dev.adjoint.processor.ops.Ejml.KERNELS;

import dev.adjoint.processor.ir.Node;

/** Row/column sums and broadcasts, constant matrices, and the fills that adjoints of reductions need. */
public final class Broadcasting {
    /** The matrix of ones as formulas print it, defined in the where-list of the Javadoc. */
    static String ones(FormulaContext ctx) {
        return ctx.symbol(Formula.ONES, Formula.ONES, Formula.ONES_DEFINITION);
    }

    private Broadcasting() {}

    /** {@code A·ones}: the r×1 vector of row sums. */
    public record RowSums() implements MatrixOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.setShape(node, ctx.dim(node.input(0), 0), ctx.constant(1));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.rowSums($L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            ctx.accumulate(0, ctx.builder().apply(new BroadcastColumn(), ct, node.input(0)));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.builder().apply(new RowSums(), ctx.tangent(0));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula f = new Formula(ctx.print(node.input(0)).at(Formula.PRODUCT) + "·" + ones(ctx), Formula.PRODUCT);
            return transposed ? new Formula(ones(ctx) + "ᵀ·" + ctx.printTransposed(node.input(0)).at(Formula.PRODUCT), Formula.PRODUCT) : f;
        }
    }

    /** {@code onesᵀ·A}: the 1×c vector of column sums. */
    public record ColumnSums() implements MatrixOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.setShape(node, ctx.constant(1), ctx.dim(node.input(0), 1));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.columnSums($L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            ctx.accumulate(0, ctx.builder().apply(new BroadcastRow(), ct, node.input(0)));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.builder().apply(new ColumnSums(), ctx.tangent(0));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula f = new Formula(ones(ctx) + "ᵀ·" + ctx.print(node.input(0)).at(Formula.PRODUCT), Formula.PRODUCT);
            return transposed ? new Formula(ctx.printTransposed(node.input(0)).at(Formula.PRODUCT) + "·" + ones(ctx), Formula.PRODUCT) : f;
        }
    }

    /**
     * {@code op(A)·op(B) + v·1ᵀ} (inputs: A, B, v): an affine layer, the lowering of
     * {@code addColumn(W.mult(X), b)} whose product has no other use ({@code affine-fusion}). The
     * bias is broadcast into the result and the product accumulated onto it, one pass over the
     * result instead of two, as hand-written code does. Formed after differentiation; never
     * differentiated.
     */
    public record Affine(boolean transA, boolean transB) implements MatrixOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            int a = node.input(0);
            int b = node.input(1);
            int v = node.input(2);
            ctx.unify(ctx.dim(a, transA ? 0 : 1), ctx.dim(b, transB ? 1 : 0), node, "inner dimensions of the product");
            int rows = ctx.dim(a, transA ? 1 : 0);
            ctx.unify(ctx.dim(v, 0), rows, node, "rows of the column vector and the matrix");
            ctx.unify(ctx.dim(v, 1), ctx.constant(1), node, "columns of the added column vector");
            ctx.setShape(node, rows, ctx.dim(b, transB ? 0 : 1));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            String a = ctx.ref(node.input(0));
            String b = ctx.ref(node.input(1));
            String out = ctx.ref(node.id());
            ctx.block(com.palantir.javapoet.CodeBlock.builder()
                    .addStatement("$T.broadcastColumn($L, $L.$L, $L)", KERNELS, ctx.ref(node.input(2)), b,
                            transB ? "numRows" : "numCols", out)
                    .add(ctx.product(null, a, transA, b, transB, out, true))
                    .build());
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            throw new IllegalStateException("affine layers are formed by lowering, after differentiation");
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            String a = ctx.print(node.input(0), transA).at(Formula.PRODUCT);
            String b = ctx.print(node.input(1), transB).at(Formula.PRODUCT);
            return new Formula(a + "·" + b + " + " + ctx.print(node.input(2)).at(Formula.SUM) + "·1ᵀ", Formula.SUM);
        }
    }

    /** {@code A + v·onesᵀ} for an r×1 vector v (inputs: A, v). */
    public record AddColumn() implements MatrixOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            int a = node.input(0);
            int v = node.input(1);
            ctx.unify(ctx.dim(v, 0), ctx.dim(a, 0), node, "rows of the column vector and the matrix");
            ctx.unify(ctx.dim(v, 1), ctx.constant(1), node, "columns of the added column vector");
            ctx.shapeLike(node, a);
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.addColumn($L, $L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            ctx.accumulate(0, ct);
            if (ctx.needs(1)) ctx.accumulate(1, ctx.builder().apply(new RowSums(), ct));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            var b = ctx.builder();
            if (ctx.has(0) && ctx.has(1)) return b.apply(new AddColumn(), ctx.tangent(0), ctx.tangent(1));
            return ctx.has(0) ? ctx.tangent(0) : b.apply(new BroadcastColumn(), ctx.tangent(1), node.input(0));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return new Formula(ctx.print(node.input(0)).at(Formula.SUM) + " + "
                    + ctx.print(node.input(1)).at(Formula.PRODUCT) + "·" + ones(ctx) + "ᵀ", Formula.SUM);
        }
    }

    /** {@code A + ones·u} for a 1×c vector u (inputs: A, u). */
    public record AddRow() implements MatrixOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            int a = node.input(0);
            int u = node.input(1);
            ctx.unify(ctx.dim(u, 1), ctx.dim(a, 1), node, "columns of the row vector and the matrix");
            ctx.unify(ctx.dim(u, 0), ctx.constant(1), node, "rows of the added row vector");
            ctx.shapeLike(node, a);
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.addRow($L, $L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            ctx.accumulate(0, ct);
            if (ctx.needs(1)) ctx.accumulate(1, ctx.builder().apply(new ColumnSums(), ct));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            var b = ctx.builder();
            if (ctx.has(0) && ctx.has(1)) return b.apply(new AddRow(), ctx.tangent(0), ctx.tangent(1));
            return ctx.has(0) ? ctx.tangent(0) : b.apply(new BroadcastRow(), ctx.tangent(1), node.input(0));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return new Formula(ctx.print(node.input(0)).at(Formula.SUM) + " + " + ones(ctx) + "·"
                    + ctx.print(node.input(1)).at(Formula.PRODUCT), Formula.SUM);
        }
    }

    /** {@code v·onesᵀ} shaped like a matrix (inputs: v, like): the adjoint of {@link RowSums}. */
    public record BroadcastColumn() implements MatrixOp, BackwardOnly {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.shapeLike(node, node.input(1));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.broadcastColumn($L, $L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.has(0) ? ctx.builder().apply(new BroadcastColumn(), ctx.tangent(0), node.input(1)) : -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return new Formula(ctx.print(node.input(0)).at(Formula.PRODUCT) + "·" + ones(ctx) + "ᵀ", Formula.PRODUCT);
        }
    }

    /** {@code ones·u} shaped like a matrix (inputs: u, like): the adjoint of {@link ColumnSums}. */
    public record BroadcastRow() implements MatrixOp, BackwardOnly {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.shapeLike(node, node.input(1));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.broadcastRow($L, $L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.has(0) ? ctx.builder().apply(new BroadcastRow(), ctx.tangent(0), node.input(1)) : -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return new Formula(ones(ctx) + "·" + ctx.print(node.input(0)).at(Formula.PRODUCT), Formula.PRODUCT);
        }
    }

    /** {@code s·ones} shaped like a matrix (inputs: like, s): the adjoint of a sum. */
    public record FillLike() implements ShapedLikeFirstInput, BackwardOnly {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.fill($L, $L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.has(1) ? ctx.builder().apply(new FillLike(), node.input(0), ctx.tangent(1)) : -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return ScalarOps.scaled(ctx, node.input(1), Formula.atom(ones(ctx)));
        }
    }

    /** {@code s·I} shaped like a square matrix (inputs: like, s): the adjoint of a trace. */
    public record ScaledIdentityLike() implements ShapedLikeFirstInput, BackwardOnly {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.scaledIdentity($L, $L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.has(1) ? ctx.builder().apply(new ScaledIdentityLike(), node.input(0), ctx.tangent(1)) : -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return ScalarOps.scaled(ctx, node.input(1), Formula.atom("I"));
        }
    }

    /** {@code s·src} reshaped like {@code like} (inputs: s, src, like): the adjoint of a dot product. */
    public record ScaleLike() implements MatrixOp, BackwardOnly {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.shapeLike(node, node.input(2));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.scaleReshaped($L, $L, $L, $L)", KERNELS,
                    ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.input(2)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            var b = ctx.builder();
            return ctx.sum(ctx.has(0) ? b.apply(new ScaleLike(), ctx.tangent(0), node.input(1), node.input(2)) : -1,
                    ctx.has(1) ? b.apply(new ScaleLike(), node.input(0), ctx.tangent(1), node.input(2)) : -1);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return ScalarOps.scaled(ctx, node.input(0), ctx.print(node.input(1), transposed));
        }
    }

    /** {@code SimpleMatrix.identity(n)} (input: n). */
    public record Identity() implements MatrixOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            int n = ctx.intValue(node.input(0));
            ctx.setShape(node, n, n);
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.identity($L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {}

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("I");
        }
    }

    /** {@code SimpleMatrix.filled(r, c, v)} and {@code ones(r, c)} (inputs: r, c, v). */
    public record Filled() implements MatrixOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.setShape(node, ctx.intValue(node.input(0)), ctx.intValue(node.input(1)));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.filled($L, $L, $L, $L)", KERNELS,
                    ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.input(2)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            if (ctx.needs(2)) ctx.accumulate(2, ctx.builder().apply(new Reductions.ElementSum(), ct));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.has(2) ? ctx.builder().apply(new Filled(), node.input(0), node.input(1), ctx.tangent(2)) : -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return ScalarOps.scaled(ctx, node.input(2), Formula.atom(ones(ctx)));
        }
    }
}
