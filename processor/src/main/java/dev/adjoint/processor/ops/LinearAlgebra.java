package dev.adjoint.processor.ops;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ops.EmitContext.Factorization;
import dev.adjoint.processor.ops.Reductions.ScalarOp;

/**
 * Ops built on a factorization of a square matrix. A matrix is factored once per call and the
 * factorization is shared by every op on it, forward and backward (log det and its inverse,
 * a solve and its transposed solve).
 */
public final class LinearAlgebra {
    private LinearAlgebra() {}

    /**
     * An op whose emission factors its first input ({@link EmitContext#factor}): the emitter keeps
     * such a matrix in a field of its own, since the factorization field is named after it.
     */
    public interface FactorsFirstInput {}

    /** A⁻¹(s·B) = s·A⁻¹B and A⁻¹(−B) = −A⁻¹B: scalars move out, so equal solves share one node. */
    private static int scalarsOut(Builder b, Primitive solve, java.util.List<Integer> in) {
        Node rhs = b.node(in.get(1));
        if (rhs.op() instanceof MatrixAlgebra.Scale) {
            return b.scale(b.apply(solve, in.get(0), rhs.input(0)), rhs.input(1));
        }
        if (rhs.op() instanceof MatrixAlgebra.Negate) {
            return b.negate(b.apply(solve, in.get(0), rhs.input(0)));
        }
        return -1;
    }

    /**
     * ½(Ȧ + Ȧᵀ): the tangent of what a Cholesky-based op reads (it factors the symmetrized
     * matrix), so second derivatives agree with the first ones for any argument.
     */
    private static int symmetrized(Builder b, int tangent) {
        return b.scale(b.apply(new Entrywise.SymmetricSum(), tangent), b.constant(0.5));
    }

    private static void square(ShapeContext ctx, Node node, int a, String what) {
        ctx.unify(ctx.dim(a, 0), ctx.dim(a, 1), node, "rows and columns of " + what);
    }

    /** {@code log det A} for symmetric positive definite A, by Cholesky. */
    public record LogDet() implements ScalarOp, FactorsFirstInput {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            square(ctx, node, node.input(0), "the logDet argument");
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            String chol = ctx.factor(node.input(0), Factorization.CHOLESKY, node);
            ctx.define(node, "$L.logDet()", chol);
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            // ∂ log det A / ∂A = A⁻ᵀ = A⁻¹ (A is symmetrized before factoring)
            Builder b = ctx.builder();
            ctx.accumulate(0, b.scale(b.apply(new SpdInverse(), node.input(0)), ct));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // d log det A = tr(A⁻¹Ȧ) = ⟨A⁻¹, Ȧ⟩ (A⁻¹ symmetric: the symmetrized A is what is factored)
            Builder b = ctx.builder();
            return b.apply(new Reductions.Dot(true), b.apply(new SpdInverse(), node.input(0)), ctx.tangent(0));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("log det(" + ctx.print(node.input(0)).text() + ")");
        }
    }

    /**
     * {@code A⁻¹} of a symmetric positive definite A from the Cholesky factor shared with
     * {@link LogDet}: the adjoint of log det, and {@code A.invert()} where the structure pass
     * proved A symmetric and positive definite.
     */
    public record SpdInverse() implements ShapedLikeFirstInput, FactorsFirstInput {
        @Override
        public void emit(EmitContext ctx, Node node) {
            String chol = ctx.factor(node.input(0), Factorization.CHOLESKY, node);
            ctx.statement("$L.invert($L)", chol, ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            // As for Inverse: ∂L/∂A = −Yᵀ·G·Yᵀ, Y = A⁻¹ (symmetric here, so the flags are free)
            Builder b = ctx.builder();
            int y = node.id();
            ctx.accumulate(0, b.negate(b.matmul(b.matmul(y, ct, true, false), y, false, true)));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // Y = sym(A)⁻¹: Ẏ = −Y·sym(Ȧ)·Y
            Builder b = ctx.builder();
            int y = node.id();
            return b.negate(b.matmul(b.matmul(y, symmetrized(b, ctx.tangent(0)), false, false), y, false, false));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom(ctx.print(node.input(0)).at(Formula.ATOM) + "⁻¹");
        }
    }

    /** {@code det A}, by LU. */
    public record Determinant() implements ScalarOp, FactorsFirstInput {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            square(ctx, node, node.input(0), "the determinant argument");
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            String lu = ctx.factor(node.input(0), Factorization.LU, node);
            ctx.define(node, "$L.determinant()", lu);
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            // ∂ det A / ∂A = det(A)·A⁻ᵀ
            Builder b = ctx.builder();
            int inverse = b.apply(new Inverse(), node.input(0));
            ctx.accumulate(0, b.scale(b.transpose(inverse), b.mul(ct, node.id())));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // d det A = det(A)·tr(A⁻¹Ȧ)
            Builder b = ctx.builder();
            return b.mul(node.id(), b.apply(new Reductions.Trace(), b.apply(new Solve(), node.input(0), ctx.tangent(0))));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("det(" + ctx.print(node.input(0)).text() + ")");
        }
    }

    /** {@code A⁻¹}, by LU. */
    public record Inverse() implements MatrixOp, FactorsFirstInput {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            square(ctx, node, node.input(0), "the inverted matrix");
            ctx.shapeLike(node, node.input(0));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            String lu = ctx.factor(node.input(0), Factorization.LU, node);
            ctx.statement("$L.invert($L)", lu, ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            // Y = A⁻¹: ∂L/∂A = −Yᵀ·G·Yᵀ
            Builder b = ctx.builder();
            int y = node.id();
            ctx.accumulate(0, b.negate(b.matmul(b.matmul(y, ct, true, false), y, false, true)));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // Y = A⁻¹: Ẏ = −Y·Ȧ·Y
            Builder b = ctx.builder();
            int y = node.id();
            return b.negate(b.matmul(b.matmul(y, ctx.tangent(0), false, false), y, false, false));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom(ctx.print(node.input(0)).at(Formula.ATOM) + (transposed ? "⁻ᵀ" : "⁻¹"));
        }
    }

    /** {@code A⁻¹B} (inputs: A, B), by LU of A. */
    public record Solve() implements MatrixOp, FactorsFirstInput {
        @Override
        public int simplify(Builder b, java.util.List<Integer> in) {
            return scalarsOut(b, this, in);
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {
            int a = node.input(0);
            int b = node.input(1);
            square(ctx, node, a, "the solve's coefficient matrix");
            ctx.unify(ctx.dim(a, 0), ctx.dim(b, 0), node, "rows of the coefficient matrix and the right-hand side");
            ctx.setShape(node, ctx.dim(a, 1), ctx.dim(b, 1));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            String lu = ctx.factor(node.input(0), Factorization.LU, node);
            ctx.statement("$L.solve($L, $L)", lu, ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            // X = A⁻¹B: ∂L/∂B = A⁻ᵀG, ∂L/∂A = −(A⁻ᵀG)·Xᵀ
            Builder b = ctx.builder();
            int gradB = b.apply(new SolveTranspose(), node.input(0), ct);
            if (ctx.needs(1)) ctx.accumulate(1, gradB);
            if (ctx.needs(0)) ctx.accumulate(0, b.negate(b.matmul(gradB, node.id(), false, true)));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // X = A⁻¹B: Ẋ = A⁻¹(Ḃ − Ȧ·X)
            Builder b = ctx.builder();
            int rhs = ctx.sum(ctx.tangent(1), ctx.has(0) ? b.negate(b.matmul(ctx.tangent(0), node.id(), false, false)) : -1);
            return b.apply(new Solve(), node.input(0), rhs);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula f = new Formula(ctx.print(node.input(0)).at(Formula.ATOM) + "⁻¹·"
                    + ctx.print(node.input(1)).at(Formula.PRODUCT), Formula.PRODUCT);
            return transposed ? ctx.transposeOf(f) : f;
        }
    }

    /** {@code A⁻¹B} for symmetric positive definite A (inputs: A, B), from the shared Cholesky factor. */
    public record SpdSolve() implements MatrixOp, FactorsFirstInput {
        @Override
        public int simplify(Builder b, java.util.List<Integer> in) {
            return scalarsOut(b, this, in);
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {
            new Solve().shape(ctx, node);
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            String chol = ctx.factor(node.input(0), Factorization.CHOLESKY, node);
            ctx.statement("$L.solve($L, $L)", chol, ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            // A symmetric: A⁻ᵀG = A⁻¹G, a second solve with the same factor.
            Builder b = ctx.builder();
            int gradB = b.apply(new SpdSolve(), node.input(0), ct);
            if (ctx.needs(1)) ctx.accumulate(1, gradB);
            if (ctx.needs(0)) ctx.accumulate(0, b.negate(b.matmul(gradB, node.id(), false, true)));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // X = sym(A)⁻¹B: Ẋ = sym(A)⁻¹(Ḃ − sym(Ȧ)·X)
            Builder b = ctx.builder();
            int rhs = ctx.sum(ctx.tangent(1),
                    ctx.has(0) ? b.negate(b.matmul(symmetrized(b, ctx.tangent(0)), node.id(), false, false)) : -1);
            return b.apply(new SpdSolve(), node.input(0), rhs);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return new Solve().formula(ctx, node, transposed);
        }
    }

    /**
     * {@code ⟨A⁻¹B, B⟩ = tr(Bᵀ·A⁻¹·B) = ‖L⁻¹B‖²_F} for symmetric positive definite A = L·Lᵀ
     * (inputs: A, B): one triangular solve with the shared Cholesky factor. Formed only for
     * {@code value()}, which is never differentiated.
     */
    public record SpdQuadraticForm() implements ScalarOp, FactorsFirstInput {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            int a = node.input(0);
            square(ctx, node, a, "the quadratic form's matrix");
            ctx.unify(ctx.dim(a, 0), ctx.dim(node.input(1), 0), node, "rows of the matrix and of the vectors");
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            String chol = ctx.factor(node.input(0), Factorization.CHOLESKY, node);
            ctx.define(node, "$L.quadraticForm($L)", chol, ctx.ref(node.input(1)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            throw new IllegalStateException("the quadratic form is formed for value() only, after differentiation");
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            String b = ctx.print(node.input(1)).at(Formula.PRODUCT);
            return Formula.atom("⟨" + ctx.print(node.input(0)).at(Formula.ATOM) + "⁻¹·" + b + ", " + b + "⟩");
        }
    }

    /** {@code A⁻ᵀB} (inputs: A, B), from the LU of A shared with {@link Solve}. */
    public record SolveTranspose() implements MatrixOp, BackwardOnly, FactorsFirstInput {
        @Override
        public int simplify(Builder b, java.util.List<Integer> in) {
            return scalarsOut(b, this, in);
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.setShape(node, ctx.dim(node.input(0), 0), ctx.dim(node.input(1), 1));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            String lu = ctx.factor(node.input(0), Factorization.LU, node);
            ctx.statement("$L.solveTranspose($L, $L)", lu, ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // Z = A⁻ᵀB: Ż = A⁻ᵀ(Ḃ − Ȧᵀ·Z)
            Builder b = ctx.builder();
            int rhs = ctx.sum(ctx.tangent(1), ctx.has(0) ? b.negate(b.matmul(ctx.tangent(0), node.id(), true, false)) : -1);
            return b.apply(new SolveTranspose(), node.input(0), rhs);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula f = new Formula(ctx.print(node.input(0)).at(Formula.ATOM) + "⁻ᵀ·"
                    + ctx.print(node.input(1)).at(Formula.PRODUCT), Formula.PRODUCT);
            return transposed ? ctx.transposeOf(f) : f;
        }
    }

    /**
     * {@code c·I + α·XᵀX} (inputs: X, c, α; q×q for X N×q): the capacitance matrix of a
     * symmetric positive definite {@code K = c·I + α·X·Xᵀ}, through which the {@code woodbury}
     * pass inverts, solves with and takes the log determinant of K without forming it. Emission
     * checks {@code c > 0} (else K is not positive definite when q &lt; N) and throws the
     * exception the Cholesky factorization of K would have thrown. Formed after
     * differentiation; never differentiated.
     *
     * @param matrix K's name, for the workspace's name (a user local, or "")
     * @param expression the DSL expression that factors K, e.g. {@code logDet(K) at Losses.java:33}
     */
    public record Capacitance(String matrix, String expression) implements MatrixOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            int x = node.input(0);
            ctx.setShape(node, ctx.dim(x, 1), ctx.dim(x, 1));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.capacitance($L, $L, $L, $L, $S)", Ejml.KERNELS, ctx.ref(node.input(0)),
                    ctx.ref(node.input(1)), ctx.ref(node.input(2)), ctx.ref(node.id()), expression);
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            throw new IllegalStateException("the capacitance matrix is formed after differentiation");
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            String x = ctx.print(node.input(0)).at(Formula.ATOM);
            String c = ctx.print(node.input(1)).at(Formula.PRODUCT);
            String alpha = ctx.print(node.input(2)).at(Formula.PRODUCT);
            return new Formula(c + "·I + " + alpha + "·" + x + "ᵀ·" + x, Formula.SUM);
        }
    }
}
