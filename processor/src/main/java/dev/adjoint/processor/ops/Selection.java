package dev.adjoint.processor.ops;

import static dev.adjoint.processor.ops.Ejml.KERNELS;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.ValueType;

/**
 * Non-smooth forms that select: extremal entries ({@code elementMax}, ...), entrywise and scalar
 * max/min, and {@code Math.hypot}. At a kink the derivative follows fixed rules: a tie goes to the
 * first operand, or to the first entry in row-major order; |x|′(0) = 0.
 */
public final class Selection {
    private Selection() {}

    /** EJML's extremal-entry reductions, with the {@code Kernels} constant that names each. */
    public enum Extreme {
        MAX("elementMax", "MAX", "max"), MIN("elementMin", "MIN", "min"),
        MAX_ABS("elementMaxAbs", "MAX_ABS", "max|·|"), MIN_ABS("elementMinAbs", "MIN_ABS", "min|·|");

        public final String method;
        final String constant;
        final String math;

        Extreme(String method, String constant, String math) {
            this.method = method;
            this.constant = constant;
            this.math = math;
        }
    }

    /** {@code A.elementMax()} and its kin: the value EJML returns (|a| for the Abs kinds). */
    public record Extremum(Extreme kind) implements Primitive {
        @Override
        public ValueType type() {
            return ValueType.SCALAR;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {}

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$T.extremum($L, $T.$L)", KERNELS, ctx.ref(node.input(0)), KERNELS, kind.constant);
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            ctx.accumulate(0, ctx.builder().apply(new ExtremumBackward(kind), node.input(0), ct));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.has(0) ? ctx.builder().apply(new ExtremumTangent(kind), node.input(0), ctx.tangent(0)) : -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom(kind.math + "(" + ctx.print(node.input(0)).text() + ")");
        }
    }

    /** g at the chosen entry of A, zero elsewhere (inputs A, g): the adjoint of {@link Extremum}. */
    public record ExtremumBackward(Extreme kind) implements ShapedLikeFirstInput, BackwardOnly {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.extremumBackward($L, $T.$L, $L, $L)", KERNELS, ctx.ref(node.input(0)), KERNELS, kind.constant,
                    ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // Piecewise constant in A: only g's tangent moves it.
            return ctx.has(1) ? ctx.builder().apply(new ExtremumBackward(kind), node.input(0), ctx.tangent(1)) : -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return ScalarOps.scaled(ctx, node.input(1), Formula.atom("∂" + kind.math + "(" + ctx.print(node.input(0)).text() + ")"));
        }
    }

    /** The tangent of an extremum along T (inputs A, T): T's entry at the chosen index. */
    public record ExtremumTangent(Extreme kind) implements Primitive, BackwardOnly {
        @Override
        public ValueType type() {
            return ValueType.SCALAR;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.sameShape(node, node.input(0), node.input(1), "a matrix and its tangent");
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$T.extremumTangent($L, $T.$L, $L)", KERNELS, ctx.ref(node.input(0)), KERNELS, kind.constant,
                    ctx.ref(node.input(1)));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.has(1) ? ctx.builder().apply(new ExtremumTangent(kind), node.input(0), ctx.tangent(1)) : -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("⟨∂" + kind.math + "(" + ctx.print(node.input(0)).text() + "), " + ctx.print(node.input(1)).text() + "⟩");
        }
    }

    /**
     * {@code Ops.max(A, B)} / {@code Ops.min(A, B)} entrywise, or against a scalar ({@code scalar}:
     * inputs A, s). Ties go to A.
     */
    public record Select(boolean max, boolean scalar) implements ShapedLikeFirstInput {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            if (!scalar) {
                ctx.sameShape(node, node.input(0), node.input(1), "operands of Ops." + (max ? "max" : "min"));
            }
            ctx.shapeLike(node, node.input(0));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.$L($L, $L, $L)", KERNELS, max ? "max" : "min", ctx.ref(node.input(0)), ctx.ref(node.input(1)),
                    ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            Builder b = ctx.builder();
            int first = b.apply(new SelectFirst(max, scalar), node.input(0), node.input(1), ct);
            if (ctx.needs(0)) ctx.accumulate(0, first);
            if (ctx.needs(1)) {
                // The rest of G (exactly G − G∘mask) goes to the second operand.
                ctx.accumulate(1, scalar
                        ? b.subtract(b.apply(new Reductions.ElementSum(), ct), b.apply(new Reductions.ElementSum(), first))
                        : b.subtract(ct, first));
            }
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            Builder b = ctx.builder();
            int a = node.input(0);
            int s = node.input(1);
            int fromA = ctx.has(0) ? b.apply(new SelectFirst(max, scalar), a, s, ctx.tangent(0)) : -1;
            int fromB = -1;
            if (ctx.has(1)) {
                int t = scalar ? b.apply(new Broadcasting.FillLike(), a, ctx.tangent(1)) : ctx.tangent(1);
                fromB = b.subtract(t, b.apply(new SelectFirst(max, scalar), a, s, t));
            }
            return ctx.sum(fromA, fromB);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom((max ? "max(" : "min(") + ctx.print(node.input(0), transposed).text() + ", "
                    + ctx.print(node.input(1), transposed && !scalar).text() + ")");
        }
    }

    /** G where A wins {@link Select} (ties included), 0 elsewhere (inputs A, B or s, G). */
    public record SelectFirst(boolean max, boolean scalar) implements ShapedLikeFirstInput, BackwardOnly {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.selectFirst($L, $L, $L, $L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)), max,
                    ctx.ref(node.input(2)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // The mask is piecewise constant: only G's tangent moves the result.
            return ctx.has(2) ? ctx.builder().apply(new SelectFirst(max, scalar), node.input(0), node.input(1), ctx.tangent(2)) : -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            String test = ctx.print(node.input(0)).text() + (max ? " ≥ " : " ≤ ") + ctx.print(node.input(1)).text();
            return new Formula(ctx.print(node.input(2)).at(Formula.HADAMARD) + " ∘ [" + test + "]", Formula.HADAMARD);
        }
    }

    /** {@code Math.max(x, y)} / {@code Math.min(x, y)}; the derivative goes to x on a tie. */
    public record ScalarExtreme(boolean max) implements Primitive {
        @Override
        public ValueType type() {
            return ValueType.SCALAR;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {}

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$T.$L($L, $L)", Math.class, max ? "max" : "min", ctx.ref(node.input(0)), ctx.ref(node.input(1)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            Builder b = ctx.builder();
            int x = node.input(0);
            int y = node.input(1);
            int zero = b.constant(0);
            if (ctx.needs(0)) ctx.accumulate(0, b.apply(new Pick(max), x, y, ct, zero));
            if (ctx.needs(1)) ctx.accumulate(1, b.apply(new Pick(max), x, y, zero, ct));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            Builder b = ctx.builder();
            int zero = b.constant(0);
            return b.apply(new Pick(max), node.input(0), node.input(1), ctx.has(0) ? ctx.tangent(0) : zero,
                    ctx.has(1) ? ctx.tangent(1) : zero);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom((max ? "max(" : "min(") + ctx.print(node.input(0)).text() + ", " + ctx.print(node.input(1)).text() + ")");
        }
    }

    /** {@code x ≥ y ? a : b} ({@code max}) or {@code x ≤ y ? a : b} (inputs x, y, a, b): which operand of a max/min wins. */
    public record Pick(boolean max) implements Primitive, BackwardOnly {
        @Override
        public ValueType type() {
            return ValueType.SCALAR;
        }

        @Override
        public int simplify(Builder b, java.util.List<Integer> in) {
            return in.get(2).equals(in.get(3)) ? in.get(2) : -1;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {}

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$L $L $L ? $L : $L", ctx.ref(node.input(0)), max ? ">=" : "<=", ctx.ref(node.input(1)),
                    ctx.ref(node.input(2)), ctx.ref(node.input(3)));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            if (!ctx.has(2) && !ctx.has(3)) return -1;
            Builder b = ctx.builder();
            int zero = b.constant(0);
            return b.apply(new Pick(max), node.input(0), node.input(1), ctx.has(2) ? ctx.tangent(2) : zero,
                    ctx.has(3) ? ctx.tangent(3) : zero);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("(" + ctx.print(node.input(2)).text() + " if " + ctx.print(node.input(0)).text() + (max ? " ≥ " : " ≤ ")
                    + ctx.print(node.input(1)).text() + ", else " + ctx.print(node.input(3)).text() + ")");
        }
    }

    /** {@code Math.hypot(x, y)} = √(x² + y²) without overflow; not differentiable at (0, 0) (NaN there, like normF). */
    public record Hypot() implements Primitive {
        @Override
        public ValueType type() {
            return ValueType.SCALAR;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {}

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$T.hypot($L, $L)", Math.class, ctx.ref(node.input(0)), ctx.ref(node.input(1)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            Builder b = ctx.builder();
            int h = node.id();
            if (ctx.needs(0)) ctx.accumulate(0, b.mul(ct, b.div(node.input(0), h)));
            if (ctx.needs(1)) ctx.accumulate(1, b.mul(ct, b.div(node.input(1), h)));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            Builder b = ctx.builder();
            int h = node.id();
            return ctx.sum(ctx.has(0) ? b.mul(ctx.tangent(0), b.div(node.input(0), h)) : -1,
                    ctx.has(1) ? b.mul(ctx.tangent(1), b.div(node.input(1), h)) : -1);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("hypot(" + ctx.print(node.input(0)).text() + ", " + ctx.print(node.input(1)).text() + ")");
        }
    }

    /** {@code A.elementPower(B)}: Aᵢⱼ^Bᵢⱼ entrywise (EJML's {@code Math.pow} per entry), differentiable for A > 0. */
    public record PowerMatrix() implements ShapedLikeFirstInput {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.sameShape(node, node.input(0), node.input(1), "base and exponent of elementPower");
            ctx.shapeLike(node, node.input(0));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.elementPower($L, $L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        /** B ∘ A^(B−1): the derivative in A. */
        private static int dBase(Builder b, int a, int e) {
            int power = b.apply(new PowerMatrix(), a, b.apply(new MatrixAlgebra.AddScalar(), e, b.constant(-1)));
            return b.apply(new Entrywise.ElementMult(), e, power);
        }

        /** log(A) ∘ Y: the derivative in B. */
        private static int dExponent(Builder b, int a, int y) {
            return b.apply(new Entrywise.ElementMult(), b.apply(new Entrywise.Apply(Entrywise.Function.LOG), a), y);
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            Builder b = ctx.builder();
            int a = node.input(0);
            int e = node.input(1);
            if (ctx.needs(0)) ctx.accumulate(0, b.apply(new Entrywise.ElementMult(), ct, dBase(b, a, e)));
            if (ctx.needs(1)) ctx.accumulate(1, b.apply(new Entrywise.ElementMult(), ct, dExponent(b, a, node.id())));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            Builder b = ctx.builder();
            int a = node.input(0);
            int e = node.input(1);
            return ctx.sum(ctx.has(0) ? b.apply(new Entrywise.ElementMult(), ctx.tangent(0), dBase(b, a, e)) : -1,
                    ctx.has(1) ? b.apply(new Entrywise.ElementMult(), ctx.tangent(1), dExponent(b, a, node.id())) : -1);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom(ctx.print(node.input(0), transposed).at(Formula.ATOM) + "^∘" + ctx.print(node.input(1), transposed).at(Formula.ATOM));
        }
    }
}
