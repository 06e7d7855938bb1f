package dev.adjoint.processor.ops;

import static dev.adjoint.processor.ops.Ejml.COMMON_OPS;
import static dev.adjoint.processor.ops.Ejml.KERNELS;
import static dev.adjoint.processor.ops.Ejml.NORM_OPS;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.ValueType;

/** Matrix → scalar reductions and the fused kernels of their adjoints. */
public final class Reductions {
    private Reductions() {}

    /** Base for ops producing a scalar. */
    interface ScalarOp extends Primitive {
        @Override
        default ValueType type() {
            return ValueType.SCALAR;
        }

        @Override
        default void shape(ShapeContext ctx, Node node) {}
    }

    /** {@code Σᵢⱼ Aᵢⱼ}. */
    public record ElementSum() implements ScalarOp {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$T.elementSum($L)", COMMON_OPS, ctx.ref(node.input(0)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            ctx.accumulate(0, ctx.builder().apply(new Broadcasting.FillLike(), node.input(0), ct));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.builder().apply(new ElementSum(), ctx.tangent(0));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("sum(" + ctx.print(node.input(0)).text() + ")");
        }
    }

    /** {@code tr A}: the sum of the diagonal, which for a non-square A (as in EJML) has min(m, n) entries. */
    public record Trace() implements ScalarOp {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$T.trace($L)", COMMON_OPS, ctx.ref(node.input(0)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            ctx.accumulate(0, ctx.builder().apply(new Broadcasting.ScaledIdentityLike(), node.input(0), ct));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.builder().apply(new Trace(), ctx.tangent(0));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("tr(" + ctx.print(node.input(0)).text() + ")");
        }
    }

    /** {@code ‖A‖_F}. */
    public record NormF() implements ScalarOp {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$T.normF($L)", NORM_OPS, ctx.ref(node.input(0)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            Builder b = ctx.builder();
            ctx.accumulate(0, b.scale(node.input(0), b.div(ct, node.id())));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // d‖A‖ = ⟨A, Ȧ⟩/‖A‖
            Builder b = ctx.builder();
            return b.div(b.apply(new Dot(true), node.input(0), ctx.tangent(0)), node.id());
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("‖" + ctx.print(node.input(0)).text() + "‖");
        }
    }

    /** {@code ‖A‖²_F}. */
    public record SumSquares() implements ScalarOp {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$T.sumSquares($L)", KERNELS, ctx.ref(node.input(0)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            Builder b = ctx.builder();
            ctx.accumulate(0, b.scale(node.input(0), b.mul(b.constant(2), ct)));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            Builder b = ctx.builder();
            return b.mul(b.constant(2), b.apply(new Dot(true), node.input(0), ctx.tangent(0)));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("‖" + ctx.print(node.input(0)).text() + "‖²");
        }
    }

    /** Mean of all entries. */
    public record Mean() implements ScalarOp {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$T.mean($L)", KERNELS, ctx.ref(node.input(0)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            Builder b = ctx.builder();
            int a = node.input(0);
            int share = b.div(ct, b.apply(new ElementCount(), a));
            ctx.accumulate(0, b.apply(new Broadcasting.FillLike(), a, share));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.builder().apply(new Mean(), ctx.tangent(0));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("mean(" + ctx.print(node.input(0)).text() + ")");
        }
    }

    /** The number of entries of A, as a double. */
    public record ElementCount() implements ScalarOp {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$L.getNumElements()", ctx.ref(node.input(0)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {}

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("size(" + ctx.print(node.input(0)).text() + ")");
        }
    }

    /**
     * {@code Σ aᵢbᵢ} over all entries. With {@code sameShape}, the Frobenius inner product ⟨A, B⟩
     * of two equally shaped matrices (from adjoints and {@code tr(A·Bᵀ)}); without, the user's
     * {@code a.dot(b)} on vectors of equal length but possibly different orientation.
     */
    public record Dot(boolean sameShape) implements ScalarOp {
        @Override
        public int simplify(Builder b, java.util.List<Integer> in) {
            if (!sameShape) {
                return -1;
            }
            // ⟨G, s·I⟩ = s·tr(G): no identity needs to exist for an inner product with it.
            for (int k = 0; k < 2; k++) {
                Node other = b.node(in.get(1 - k));
                Node identity = b.node(in.get(k));
                if (identity.op() instanceof Broadcasting.Identity) {
                    return b.apply(new Trace(), other.id());
                }
                Node inner = b.node(identity.inputs().isEmpty() ? in.get(k) : identity.input(0));
                if (inner.op() instanceof Broadcasting.Identity) {
                    if (identity.op() instanceof MatrixAlgebra.Divide) {
                        return b.div(b.apply(new Trace(), other.id()), identity.input(1));
                    }
                    if (identity.op() instanceof MatrixAlgebra.Scale) {
                        return b.mul(identity.input(1), b.apply(new Trace(), other.id()));
                    }
                }
            }
            return -1;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {
            if (sameShape) {
                ctx.sameShape(node, node.input(0), node.input(1), "operands of the inner product");
            }
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            if (sameShape) {
                ctx.define(node, "$T.dot($L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)));
            } else {
                ctx.define(node, "$T.dotVectors($L, $L, $S)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)),
                        ctx.describe(node));
            }
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            Builder b = ctx.builder();
            int x = node.input(0);
            int y = node.input(1);
            if (ctx.needs(0)) ctx.accumulate(0, sameShape ? b.scale(y, ct) : b.apply(new Broadcasting.ScaleLike(), ct, y, x));
            if (ctx.needs(1)) ctx.accumulate(1, sameShape ? b.scale(x, ct) : b.apply(new Broadcasting.ScaleLike(), ct, x, y));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            Builder b = ctx.builder();
            return ctx.sum(ctx.has(0) ? b.apply(new Dot(sameShape), ctx.tangent(0), node.input(1)) : -1,
                    ctx.has(1) ? b.apply(new Dot(sameShape), node.input(0), ctx.tangent(1)) : -1);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("⟨" + ctx.print(node.input(0)).text() + ", " + ctx.print(node.input(1)).text() + "⟩");
        }
    }

    /** {@code log Σ exp(Aᵢⱼ)}, stable. */
    public record LogSumExp() implements ScalarOp {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$T.logSumExp($L)", KERNELS, ctx.ref(node.input(0)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            ctx.accumulate(0, ctx.builder().apply(new LogSumExpBackward(), node.input(0), ct));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // d logsumexp(A) = ⟨softmax(A), Ȧ⟩
            Builder b = ctx.builder();
            return b.apply(new Dot(true), b.apply(new LogSumExpBackward(), node.input(0), b.constant(1)), ctx.tangent(0));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("logsumexp(" + ctx.print(node.input(0)).text() + ")");
        }
    }

    /** {@code g·softmax(A)} over all entries (inputs: A, g). */
    public record LogSumExpBackward() implements ShapedLikeFirstInput, BackwardOnly {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.logSumExpBackward($L, $L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // Y = g·P, P = softmax over all entries: Ẏ = ġ·P + g·P ∘ (Ȧ − ⟨P, Ȧ⟩)
            Builder b = ctx.builder();
            int p = b.apply(new LogSumExpBackward(), node.input(0), b.constant(1));
            int second = -1;
            if (ctx.has(0)) {
                int t = ctx.tangent(0);
                int centered = b.apply(new MatrixAlgebra.AddScalar(), t, b.negate(b.apply(new Dot(true), p, t)));
                second = b.scale(b.apply(new Entrywise.ElementMult(), p, centered), node.input(1));
            }
            return ctx.sum(ctx.has(1) ? b.scale(p, ctx.tangent(1)) : -1, second);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return ScalarOps.scaled(ctx, node.input(1), Formula.atom("softmax(" + ctx.print(node.input(0)).text() + ")"));
        }
    }

    /** Mean over columns of the cross-entropy of column softmax of Z against Y (inputs: Z, Y). */
    public record SoftmaxCrossEntropy() implements ScalarOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.sameShape(node, node.input(0), node.input(1), "scores Z and targets Y of softmaxCrossEntropy");
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$T.softmaxCrossEntropy($L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            Builder b = ctx.builder();
            int z = node.input(0);
            int y = node.input(1);
            if (ctx.needs(0)) ctx.accumulate(0, b.apply(new SoftmaxCrossEntropyBackward(true), z, y, ct));
            if (ctx.needs(1)) ctx.accumulate(1, b.apply(new SoftmaxCrossEntropyBackward(false), z, y, ct));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            Builder b = ctx.builder();
            int z = node.input(0);
            int y = node.input(1);
            int one = b.constant(1);
            return ctx.sum(
                    ctx.has(0) ? b.apply(new Dot(true), b.apply(new SoftmaxCrossEntropyBackward(true), z, y, one), ctx.tangent(0)) : -1,
                    ctx.has(1) ? b.apply(new Dot(true), b.apply(new SoftmaxCrossEntropyBackward(false), z, y, one), ctx.tangent(1)) : -1);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("CE(softmax(" + ctx.print(node.input(0)).text() + "), " + ctx.print(node.input(1)).text() + ")");
        }
    }

    /**
     * The adjoint of {@link SoftmaxCrossEntropy} with respect to Z ({@code g/N·(P·diag(1ᵀY) − Y)})
     * or Y ({@code −g/N·log softmax(Z)}); inputs: Z, Y, g.
     */
    public record SoftmaxCrossEntropyBackward(boolean wrtScores) implements ShapedLikeFirstInput, BackwardOnly {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.$L($L, $L, $L, $L)", KERNELS,
                    wrtScores ? "softmaxCrossEntropyBackwardZ" : "softmaxCrossEntropyBackwardY",
                    ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.input(2)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // wrt Z: Y' = g/N·(P·diag(1ᵀY) − Y), linear in g and in Y; Ṗ = P∘Ż − P∘(1·1ᵀ(P∘Ż)) column by column.
            // wrt Y: Y' = −g/N·log softmax(Z), linear in g; (log softmax Z)˙ = Ż − 1·1ᵀ(P∘Ż).
            Builder b = ctx.builder();
            int z = node.input(0);
            int y = node.input(1);
            int g = node.input(2);
            int first = ctx.has(2) ? b.apply(new SoftmaxCrossEntropyBackward(wrtScores), z, y, ctx.tangent(2)) : -1;
            int targets = wrtScores && ctx.has(1) ? b.apply(new SoftmaxCrossEntropyBackward(true), z, ctx.tangent(1), g) : -1;
            int scores = -1;
            if (ctx.has(0)) {
                int zDot = ctx.tangent(0);
                int p = b.apply(new ColumnSoftmax(), z);
                int pz = b.apply(new Entrywise.ElementMult(), p, zDot);
                int columnMeans = b.apply(new Broadcasting.BroadcastRow(), b.apply(new Broadcasting.ColumnSums(), pz), z);
                int n = b.apply(new ScalarOps.FromInt(), b.apply(new IntOps.ShapeQuery(1), z));
                if (wrtScores) {
                    int pDot = b.subtract(pz, b.apply(new Entrywise.ElementMult(), p, columnMeans));
                    int weights = b.apply(new Broadcasting.BroadcastRow(), b.apply(new Broadcasting.ColumnSums(), y), z);
                    scores = b.scale(b.apply(new Entrywise.ElementMult(), pDot, weights), b.div(g, n));
                } else {
                    scores = b.scale(b.subtract(zDot, columnMeans), b.negate(b.div(g, n)));
                }
            }
            return ctx.sum(first, targets, scores);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            String z = ctx.print(node.input(0)).text();
            String y = ctx.print(node.input(1)).at(Formula.SUM);
            String ones = ctx.symbol(Formula.ONES, Formula.ONES, Formula.ONES_DEFINITION);
            String cols = "cols(" + ctx.print(node.input(1)).text() + ")";
            // N, the number of samples (columns): defined in the where-list, or written out where there is none.
            Formula n = Formula.atom(ctx.symbol("N", cols, "N = " + cols));
            int g = node.input(2);
            return wrtScores
                    ? ScalarOps.scaled(ctx, g, Formula.atom("(softmax(" + z + ")·diag(" + ones + "ᵀ" + y + ") − " + y + ")"), n, false)
                    : ScalarOps.scaled(ctx, g, new Formula("log softmax(" + z + ")", Formula.UNARY), n, true);
        }
    }

    /**
     * The softmax of each column of Z (input: Z), one exponential per entry. Formed by the
     * {@code softmax-sharing} lowering so that a softmax cross-entropy and its gradient share it.
     */
    public record ColumnSoftmax() implements ShapedLikeFirstInput, BackwardOnly {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.columnSoftmax($L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.id()));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula f = Formula.atom("softmax(" + ctx.print(node.input(0)).text() + ")");
            return transposed ? ctx.transposeOf(f) : f;
        }
    }

    /** {@link SoftmaxCrossEntropy} from the shared column softmax (inputs: Z, Y, softmax(Z)). */
    public record SoftmaxCrossEntropyFromSoftmax() implements ScalarOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.sameShape(node, node.input(0), node.input(1), "scores Z and targets Y of softmaxCrossEntropy");
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$T.softmaxCrossEntropyFromSoftmax($L, $L, $L)", KERNELS, ctx.ref(node.input(0)),
                    ctx.ref(node.input(1)), ctx.ref(node.input(2)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            throw new IllegalStateException("formed by lowering, after differentiation");
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return new SoftmaxCrossEntropy().formula(ctx, node, transposed);
        }
    }

    /** The Z-adjoint of {@link SoftmaxCrossEntropy} from the shared column softmax (inputs: softmax(Z), Y, g). */
    public record SoftmaxCrossEntropyBackwardFromSoftmax() implements ShapedLikeFirstInput, BackwardOnly {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.softmaxCrossEntropyBackwardZFromSoftmax($L, $L, $L, $L)", KERNELS,
                    ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.input(2)), ctx.ref(node.id()));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            String p = ctx.print(node.input(0)).at(Formula.PRODUCT);
            String y = ctx.print(node.input(1)).at(Formula.SUM);
            String ones = ctx.symbol(Formula.ONES, Formula.ONES, Formula.ONES_DEFINITION);
            String cols = "cols(" + ctx.print(node.input(1)).text() + ")";
            Formula n = Formula.atom(ctx.symbol("N", cols, "N = " + cols));
            return ScalarOps.scaled(ctx, node.input(2), Formula.atom("(" + p + "·diag(" + ones + "ᵀ" + y + ") − " + y + ")"), n, false);
        }
    }
}
