package dev.adjoint.processor.ops;

import static dev.adjoint.processor.ops.Ejml.COMMON_OPS;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Node;
import java.util.List;

/** Linear matrix operations: transpose, products, sums and scalings. */
public final class MatrixAlgebra {
    private MatrixAlgebra() {}

    /** {@code Aᵀ}. Folded into products where it feeds one, so it is rarely materialized. */
    public record Transpose() implements MatrixOp {
        @Override
        public int simplify(Builder b, List<Integer> in) {
            Node a = b.node(in.get(0));
            return a.op() instanceof Transpose ? a.input(0) : -1;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {
            int a = node.input(0);
            ctx.setShape(node, ctx.dim(a, 1), ctx.dim(a, 0));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.transpose($L, $L)", COMMON_OPS, ctx.ref(node.input(0)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            ctx.accumulate(0, ctx.builder().transpose(ct));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.has(0) ? ctx.builder().transpose(ctx.tangent(0)) : -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return transposed ? ctx.print(node.input(0)) : ctx.printTransposed(node.input(0));
        }
    }

    /**
     * {@code op(A)·op(B)} where {@code op} is the identity or the transpose: EJML's
     * {@code mult}, {@code multTransA}, {@code multTransB} and {@code multTransAB} read a
     * transposed operand in place, so no transpose is ever materialized for a product.
     */
    public record MatMul(boolean transA, boolean transB) implements MatrixOp {
        @Override
        public int simplify(Builder b, List<Integer> in) {
            Node a = b.node(in.get(0));
            Node c = b.node(in.get(1));
            // Scalars move out of products, (s·A)·B = s·(A·B), so equal products share one node.
            if (a.op() instanceof Scale) {
                return b.scale(b.matmul(a.input(0), c.id(), transA, transB), a.input(1));
            }
            if (c.op() instanceof Scale) {
                return b.scale(b.matmul(a.id(), c.input(0), transA, transB), c.input(1));
            }
            if (a.op() instanceof Negate) {
                return b.negate(b.matmul(a.input(0), c.id(), transA, transB));
            }
            if (c.op() instanceof Negate) {
                return b.negate(b.matmul(a.id(), c.input(0), transA, transB));
            }
            boolean foldA = a.op() instanceof Transpose;
            boolean foldB = c.op() instanceof Transpose;
            if (!foldA && !foldB) {
                return -1;
            }
            return b.matmul(foldA ? a.input(0) : a.id(), foldB ? c.input(0) : c.id(),
                    transA ^ foldA, transB ^ foldB);
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {
            int a = node.input(0);
            int b = node.input(1);
            ctx.unify(ctx.dim(a, transA ? 0 : 1), ctx.dim(b, transB ? 1 : 0), node,
                    "inner dimensions of the product");
            ctx.setShape(node, ctx.dim(a, transA ? 1 : 0), ctx.dim(b, transB ? 0 : 1));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.block(ctx.product(null, ctx.ref(node.input(0)), transA, ctx.ref(node.input(1)), transB, ctx.ref(node.id()), false));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            Builder b = ctx.builder();
            int a = node.input(0);
            int c = node.input(1);
            if (a == c && transA != transB) {
                Node g = b.node(ct);
                int scale = -1;
                if (g.op() instanceof Scale) {
                    scale = g.input(1);
                    g = b.node(g.input(0));
                }
                if (transA && g.op() instanceof MatMul outer && !outer.transA() && outer.transB()) {
                    // C = AᵀA with G = s·u·vᵀ (the autoencoder): A·(uvᵀ + vuᵀ) or (A·u)·vᵀ + (A·v)·uᵀ,
                    // whichever the sizes make cheaper, decided at run time.
                    // A·v is an input, so the forward pass computes it once for both (the autoencoder's W·x).
                    int adjoint = b.apply(new GramOuterAdjoint(), a, g.input(0), g.input(1),
                            b.matmul(a, g.input(1), false, false));
                    ctx.accumulate(0, scale < 0 ? adjoint : b.scale(adjoint, scale));
                    return;
                }
                // A Gram matrix C = AᵀA (or A·Aᵀ): the two paths through A sum to A·(G + Gᵀ)
                // (or (G + Gᵀ)·A), one product instead of two.
                int symmetric = b.apply(new Entrywise.SymmetricSum(), ct);
                ctx.accumulate(0, transA ? b.matmul(a, symmetric, false, false) : b.matmul(symmetric, a, false, false));
                return;
            }
            // C = op(A)·op(B). With G = ∂L/∂C: ∂L/∂op(A) = G·op(B)ᵀ and ∂L/∂op(B) = op(A)ᵀ·G,
            // transposed back when the operand was read transposed. Each case is one product.
            if (ctx.needs(0)) {
                ctx.accumulate(0, transA
                        ? b.matmul(c, ct, transB, true)     // (G·op(B)ᵀ)ᵀ = op(B)·Gᵀ
                        : b.matmul(ct, c, false, !transB)); // G·op(B)ᵀ
            }
            if (ctx.needs(1)) {
                ctx.accumulate(1, transB
                        ? b.matmul(ct, a, true, transA)     // (op(A)ᵀ·G)ᵀ = Gᵀ·op(A)
                        : b.matmul(a, ct, !transA, false)); // op(A)ᵀ·G
            }
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // d(op(A)·op(B)) = op(Ȧ)·op(B) + op(A)·op(Ḃ)
            Builder b = ctx.builder();
            return ctx.sum(
                    ctx.has(0) ? b.matmul(ctx.tangent(0), node.input(1), transA, transB) : -1,
                    ctx.has(1) ? b.matmul(node.input(0), ctx.tangent(1), transA, transB) : -1);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula expanded = expandSymmetricSum(ctx, node, transposed);
            if (expanded != null) {
                return expanded;
            }
            // (op(A)·op(B))ᵀ = op(B)ᵀ·op(A)ᵀ: push the transpose into the factors.
            Formula left = transposed ? operand(ctx, node.input(1), !transB) : operand(ctx, node.input(0), transA);
            Formula right = transposed ? operand(ctx, node.input(0), !transA) : operand(ctx, node.input(1), transB);
            return new Formula(left.at(Formula.PRODUCT) + "·" + right.at(Formula.PRODUCT), Formula.PRODUCT);
        }

        private static Formula operand(FormulaContext ctx, int id, boolean transposed) {
            return ctx.print(id, transposed);
        }

        /**
         * A·(G + Gᵀ) reads as A·G + A·Gᵀ, the form a derivation by hand arrives at (the code keeps
         * the single product).
         */
        private Formula expandSymmetricSum(FormulaContext ctx, Node node, boolean transposed) {
            if (transposed || transA || transB) {
                return null;
            }
            Node right = ctx.node(node.input(1));
            Node left = ctx.node(node.input(0));
            if (right.op() instanceof Entrywise.SymmetricSum && !ctx.isNamed(right.id())) {
                String a = ctx.print(node.input(0)).at(Formula.PRODUCT);
                return new Formula(a + "·" + ctx.print(right.input(0)).at(Formula.PRODUCT) + " + "
                        + a + "·" + ctx.printTransposed(right.input(0)).at(Formula.PRODUCT), Formula.SUM);
            }
            if (left.op() instanceof Entrywise.SymmetricSum && !ctx.isNamed(left.id())) {
                String c = ctx.print(node.input(1)).at(Formula.PRODUCT);
                return new Formula(ctx.print(left.input(0)).at(Formula.PRODUCT) + "·" + c + " + "
                        + ctx.printTransposed(left.input(0)).at(Formula.PRODUCT) + "·" + c, Formula.SUM);
            }
            return null;
        }
    }

    /**
     * {@code op(A)·op(B)·op(C)} (inputs: A, B, C), associated at run time whichever way costs
     * fewer multiply-adds for the actual sizes. Formed by the chain-fusion pass after
     * differentiation, from a product whose inner product has no other use.
     */
    public record MatMulChain(boolean transA, boolean transB, boolean transC) implements MatrixOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            int a = node.input(0);
            int b = node.input(1);
            int c = node.input(2);
            ctx.unify(ctx.dim(a, transA ? 0 : 1), ctx.dim(b, transB ? 1 : 0), node, "inner dimensions of the product");
            ctx.unify(ctx.dim(b, transB ? 0 : 1), ctx.dim(c, transC ? 1 : 0), node, "inner dimensions of the product");
            ctx.setShape(node, ctx.dim(a, transA ? 1 : 0), ctx.dim(c, transC ? 0 : 1));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            String a = ctx.ref(node.input(0));
            String b = ctx.ref(node.input(1));
            String c = ctx.ref(node.input(2));
            String partial = ctx.scratch(node, "Partial");
            String out = ctx.ref(node.id());
            ctx.block(com.palantir.javapoet.CodeBlock.builder()
                    .beginControlFlow("if ($T.leftFirst($L, $L, $L, $L))", Ejml.KERNELS,
                            dim(a, transA, 0), dim(a, transA, 1), dim(b, transB, 1), dim(c, transC, 1))
                    .add(ctx.product(null, a, transA, b, transB, partial, false))
                    .add(ctx.product(null, partial, false, c, transC, out, false))
                    .nextControlFlow("else")
                    .add(ctx.product(null, b, transB, c, transC, partial, false))
                    .add(ctx.product(null, a, transA, partial, false, out, false))
                    .endControlFlow()
                    .build());
        }

        private static String dim(String matrix, boolean transposed, int axis) {
            return matrix + ((axis == 0) != transposed ? ".numRows" : ".numCols");
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            throw new IllegalStateException("product chains are formed after differentiation");
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula a = ctx.print(node.input(0), transA != transposed);
            Formula b = ctx.print(node.input(1), transB != transposed);
            Formula c = ctx.print(node.input(2), transC != transposed);
            String text = transposed
                    ? c.at(Formula.PRODUCT) + "·" + b.at(Formula.PRODUCT) + "·" + a.at(Formula.PRODUCT)
                    : a.at(Formula.PRODUCT) + "·" + b.at(Formula.PRODUCT) + "·" + c.at(Formula.PRODUCT);
            return new Formula(text, Formula.PRODUCT);
        }
    }

    /**
     * {@code A·(u·vᵀ + v·uᵀ)} (inputs: A, u, v and A·v): the adjoint of a Gram matrix AᵀA whose
     * cotangent is an outer product u·vᵀ. Generated code either forms the n×n matrix u·vᵀ + v·uᵀ
     * and multiplies once, or computes (A·u)·vᵀ + (A·v)·uᵀ, whichever costs fewer multiply-adds
     * for the actual sizes (a single sample: the second, by far). A·v is an input node, computed
     * once and shared with the forward pass where it also appears (the autoencoder's W·x).
     */
    public record GramOuterAdjoint() implements ShapedLikeFirstInput, BackwardOnly {
        @Override
        public void emit(EmitContext ctx, Node node) {
            String a = ctx.ref(node.input(0));
            String u = ctx.ref(node.input(1));
            String v = ctx.ref(node.input(2));
            String av = ctx.ref(node.input(3));
            String out = ctx.ref(node.id());
            String outer = ctx.scratch(node, "Outer");
            String partial = ctx.scratch(node, "Partial");
            ctx.block(com.palantir.javapoet.CodeBlock.builder()
                    .beginControlFlow("if ($T.outerProductFirst($L.numRows, $L.numCols, $L.numCols))", Ejml.KERNELS, a, a, u)
                    .add(ctx.product(null, u, false, v, true, partial, false))
                    .addStatement("$T.addTransposed($L, $L)", Ejml.KERNELS, partial, outer)
                    .add(ctx.product(null, a, false, outer, false, out, false))
                    .nextControlFlow("else")
                    .add(ctx.product(null, a, false, u, false, partial, false))
                    .add(ctx.productPair(null, partial, v, null, av, u, out)) // one pass over the result for one sample
                    .endControlFlow()
                    .build());
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // Y = A·u·vᵀ + (A·v)·uᵀ, with A·v an input of its own (its tangent Ȧ·v + A·v̇)
            Builder b = ctx.builder();
            int a = node.input(0);
            int u = node.input(1);
            int v = node.input(2);
            int av = node.input(3);
            return ctx.sum(
                    ctx.has(0) ? b.matmul(b.matmul(ctx.tangent(0), u, false, false), v, false, true) : -1,
                    ctx.has(1) ? b.matmul(b.matmul(a, ctx.tangent(1), false, false), v, false, true) : -1,
                    ctx.has(2) ? b.matmul(b.matmul(a, u, false, false), ctx.tangent(2), false, true) : -1,
                    ctx.has(3) ? b.matmul(ctx.tangent(3), u, false, true) : -1,
                    ctx.has(1) ? b.matmul(av, ctx.tangent(1), false, true) : -1);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            String a = ctx.print(node.input(0)).at(Formula.PRODUCT);
            String u = ctx.print(node.input(1)).at(Formula.PRODUCT);
            String v = ctx.print(node.input(2)).at(Formula.PRODUCT);
            String ut = ctx.printTransposed(node.input(1)).at(Formula.PRODUCT);
            String vt = ctx.printTransposed(node.input(2)).at(Formula.PRODUCT);
            Formula f = new Formula(a + "·" + u + "·" + vt + " + " + a + "·" + v + "·" + ut, Formula.SUM);
            return transposed ? ctx.transposeOf(f) : f;
        }
    }

    /** {@code A + B}. */
    public record Add() implements MatrixOp {
        @Override
        public int simplify(Builder b, List<Integer> in) {
            // X + X = 2·X: two adjoint paths that turned out to be the same product.
            return in.get(0).equals(in.get(1)) ? b.scale(in.get(0), b.constant(2)) : -1;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.sameShape(node, node.input(0), node.input(1), "operands of the sum");
            ctx.shapeLike(node, node.input(0));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            String out = ctx.ref(node.id());
            String a = ctx.ref(node.input(0));
            String b = ctx.ref(node.input(1));
            if (out.equals(a) || out.equals(b)) { // accumulatesOnto: the sum is formed in place
                ctx.statement("$T.addEquals($L, $L)", COMMON_OPS, out, out.equals(a) ? b : a);
            } else {
                ctx.statement("$T.add($L, $L, $L)", COMMON_OPS, a, b, out);
            }
        }

        @Override
        public boolean accumulatesOnto(Node node, int operand) {
            return node.input(0) != node.input(1) && node.inputs().contains(operand);
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            ctx.accumulate(0, ct);
            ctx.accumulate(1, ct);
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.sum(ctx.tangent(0), ctx.tangent(1));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula a = ctx.print(node.input(0), transposed);
            Formula b = ctx.print(node.input(1), transposed);
            String right = b.at(Formula.SUM);
            // a + −x reads as a − x
            return new Formula(a.at(Formula.SUM) + (right.startsWith("−") ? " − " + right.substring(1) : " + " + right), Formula.SUM);
        }
    }

    /** {@code A − B}. */
    public record Subtract() implements MatrixOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.sameShape(node, node.input(0), node.input(1), "operands of the difference");
            ctx.shapeLike(node, node.input(0));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.subtract($L, $L, $L)", COMMON_OPS, ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            ctx.accumulate(0, ct);
            if (ctx.needs(1)) ctx.accumulate(1, ctx.builder().negate(ct));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.sum(ctx.tangent(0), ctx.has(1) ? ctx.builder().negate(ctx.tangent(1)) : -1);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula a = ctx.print(node.input(0), transposed);
            Formula b = ctx.print(node.input(1), transposed);
            return new Formula(a.at(Formula.SUM) + " − " + b.at(Formula.PRODUCT), Formula.SUM);
        }
    }

    /** {@code s·A} for a scalar {@code s} (inputs: A, s). */
    public record Scale() implements ShapedLikeFirstInput {
        @Override
        public int simplify(Builder b, List<Integer> in) {
            if (b.isConstant(in.get(1), 1)) {
                return in.get(0);
            }
            Node a = b.node(in.get(0));
            if (a.op() instanceof Scale) {
                return b.scale(a.input(0), b.mul(in.get(1), a.input(1))); // s·(t·A) = (s·t)·A
            }
            return b.isConstant(in.get(1), -1) ? b.negate(in.get(0)) : -1;
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.scale($L, $L, $L)", COMMON_OPS, ctx.ref(node.input(1)), ctx.ref(node.input(0)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            Builder b = ctx.builder();
            if (ctx.needs(0)) ctx.accumulate(0, b.scale(ct, node.input(1)));
            if (ctx.needs(1)) ctx.accumulate(1, b.apply(new Reductions.Dot(true), ct, node.input(0)));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // d(s·A) = s·Ȧ + ṡ·A
            Builder b = ctx.builder();
            return ctx.sum(ctx.has(0) ? b.scale(ctx.tangent(0), node.input(1)) : -1,
                    ctx.has(1) ? b.scale(node.input(0), ctx.tangent(1)) : -1);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return ScalarOps.scaledMatrix(ctx, node.id(), transposed);
        }
    }

    /** {@code A / s} (inputs: A, s). */
    public record Divide() implements ShapedLikeFirstInput {
        @Override
        public int simplify(Builder b, List<Integer> in) {
            return b.isConstant(in.get(1), 1) ? in.get(0) : -1;
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.divide($L, $L, $L)", COMMON_OPS, ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            Builder b = ctx.builder();
            int s = node.input(1);
            if (ctx.needs(0)) ctx.accumulate(0, b.apply(new Divide(), ct, s));
            if (ctx.needs(1)) {
                // ∂/∂s (A/s) = −A/s² = −Y/s
                int dot = b.apply(new Reductions.Dot(true), ct, node.id());
                ctx.accumulate(1, b.negate(b.div(dot, s)));
            }
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // d(A/s) = Ȧ/s − (ṡ/s²)·A (A, not Y = A/s: an identity A stays a scaled identity, never formed)
            Builder b = ctx.builder();
            int s = node.input(1);
            return ctx.sum(ctx.has(0) ? b.apply(new Divide(), ctx.tangent(0), s) : -1,
                    ctx.has(1) ? b.scale(node.input(0), b.negate(b.div(b.div(ctx.tangent(1), s), s))) : -1);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return ScalarOps.scaledMatrix(ctx, node.id(), transposed);
        }
    }

    /** {@code A + s}: a scalar added to every entry (inputs: A, s). */
    public record AddScalar() implements ShapedLikeFirstInput {
        @Override
        public int simplify(Builder b, List<Integer> in) {
            return b.isConstant(in.get(1), 0) ? in.get(0) : -1;
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.add($L, $L, $L)", COMMON_OPS, ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            ctx.accumulate(0, ct);
            if (ctx.needs(1)) ctx.accumulate(1, ctx.builder().apply(new Reductions.ElementSum(), ct));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // d(A + s) = Ȧ + ṡ·ones
            Builder b = ctx.builder();
            return ctx.sum(ctx.tangent(0),
                    ctx.has(1) ? b.apply(new Broadcasting.FillLike(), node.input(0), ctx.tangent(1)) : -1);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula a = ctx.print(node.input(0), transposed);
            Formula s = ScalarOps.scaled(ctx, node.input(1), Formula.atom(ctx.symbol(Formula.ONES, Formula.ONES, Formula.ONES_DEFINITION)));
            String right = s.at(Formula.SUM);
            return new Formula(a.at(Formula.SUM) + (right.startsWith("−") ? " − " + right.substring(1) : " + " + right), Formula.SUM);
        }
    }

    /** {@code −A}. */
    public record Negate() implements ShapedLikeFirstInput {
        @Override
        public int simplify(Builder b, List<Integer> in) {
            Node a = b.node(in.get(0));
            if (a.op() instanceof Scale) {
                return b.scale(a.input(0), b.negate(a.input(1))); // −(s·A) = (−s)·A
            }
            return a.op() instanceof Negate ? a.input(0) : -1;
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.changeSign($L, $L)", COMMON_OPS, ctx.ref(node.input(0)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            ctx.accumulate(0, ctx.builder().negate(ct));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.has(0) ? ctx.builder().negate(ctx.tangent(0)) : -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula a = ctx.print(node.input(0), transposed);
            return new Formula("−" + a.at(Formula.UNARY), Formula.UNARY);
        }
    }
}
