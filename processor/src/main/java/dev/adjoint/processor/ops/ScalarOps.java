package dev.adjoint.processor.ops;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.ValueType;
import java.util.List;
import java.util.OptionalDouble;

/** {@code double} arithmetic and {@code Math} functions. */
public final class ScalarOps {
    private ScalarOps() {}

    public enum Op {
        ADD("+", "+", Formula.SUM),
        SUB("-", "−", Formula.SUM),
        MUL("*", "·", Formula.PRODUCT),
        DIV("/", "/", Formula.PRODUCT);

        final String java;
        final String math;
        final int precedence;

        Op(String java, String math, int precedence) {
            this.java = java;
            this.math = math;
            this.precedence = precedence;
        }

        double apply(double a, double b) {
            return switch (this) {
                case ADD -> a + b;
                case SUB -> a - b;
                case MUL -> a * b;
                case DIV -> a / b;
            };
        }
    }

    /** {@code a op b} on doubles. */
    public record Arith(Op op) implements Primitive {
        @Override
        public ValueType type() {
            return ValueType.SCALAR;
        }

        @Override
        public int simplify(Builder b, List<Integer> in) {
            int x = in.get(0);
            int y = in.get(1);
            OptionalDouble cx = b.constantValue(x);
            OptionalDouble cy = b.constantValue(y);
            if (cx.isPresent() && cy.isPresent()) {
                return b.constant(op.apply(cx.getAsDouble(), cy.getAsDouble()));
            }
            return switch (op) {
                case ADD -> b.isConstant(x, 0) ? y : b.isConstant(y, 0) ? x : x == y ? b.mul(b.constant(2), x) : -1;
                case SUB -> b.isConstant(y, 0) ? x : b.isConstant(x, 0) ? b.negate(y) : -1;
                case MUL -> b.isConstant(x, 1) ? y : b.isConstant(y, 1) ? x
                        : b.isConstant(x, -1) ? b.negate(y) : b.isConstant(y, -1) ? b.negate(x) : -1;
                case DIV -> b.isConstant(y, 1) ? x : -1;
            };
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {}

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$L " + op.java + " $L", ctx.ref(node.input(0)), ctx.ref(node.input(1)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            var b = ctx.builder();
            int x = node.input(0);
            int y = node.input(1);
            switch (op) {
                case ADD -> {
                    ctx.accumulate(0, ct);
                    ctx.accumulate(1, ct);
                }
                case SUB -> {
                    ctx.accumulate(0, ct);
                    if (ctx.needs(1)) ctx.accumulate(1, b.negate(ct));
                }
                case MUL -> {
                    if (ctx.needs(0)) ctx.accumulate(0, b.mul(ct, y));
                    if (ctx.needs(1)) ctx.accumulate(1, b.mul(ct, x));
                }
                case DIV -> {
                    // d(x/y) = dx/y − (x/y)·dy/y
                    if (ctx.needs(0)) ctx.accumulate(0, b.div(ct, y));
                    if (ctx.needs(1)) ctx.accumulate(1, b.negate(b.div(b.mul(ct, node.id()), y)));
                }
            }
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            int p = op.precedence;
            String left = ctx.print(node.input(0)).at(p);
            String right = ctx.print(node.input(1)).at(op == Op.ADD || op == Op.MUL ? p : p + 1);
            String sep = op == Op.MUL ? "·" : " " + op.math + " ";
            return new Formula(left + sep + right, p);
        }
    }

    /** {@code -a}. */
    public record Negate() implements Primitive {
        @Override
        public ValueType type() {
            return ValueType.SCALAR;
        }

        @Override
        public int simplify(Builder b, List<Integer> in) {
            OptionalDouble c = b.constantValue(in.get(0));
            if (c.isPresent()) {
                return b.constant(-c.getAsDouble());
            }
            return b.node(in.get(0)).op() instanceof Negate ? b.node(in.get(0)).input(0) : -1;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {}

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "-$L", ctx.ref(node.input(0)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            ctx.accumulate(0, ctx.builder().negate(ct));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return new Formula("−" + ctx.print(node.input(0)).at(Formula.UNARY), Formula.UNARY);
        }
    }

    /** One-argument {@code Math} functions. */
    public enum Function {
        LOG("log"), EXP("exp"), SQRT("sqrt"), TANH("tanh");

        final String name;

        Function(String name) {
            this.name = name;
        }
    }

    /** {@code Math.log}, {@code Math.exp}, {@code Math.sqrt}, {@code Math.tanh}. */
    public record Apply(Function fn) implements Primitive {
        @Override
        public ValueType type() {
            return ValueType.SCALAR;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {}

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$T.$L($L)", Math.class, fn.name, ctx.ref(node.input(0)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            var b = ctx.builder();
            int x = node.input(0);
            int y = node.id();
            int contribution = switch (fn) {
                case LOG -> b.div(ct, x);
                case EXP -> b.mul(ct, y);
                case SQRT -> b.div(ct, b.mul(b.constant(2), y));
                case TANH -> b.mul(ct, b.subtract(b.constant(1), b.mul(y, y)));
            };
            ctx.accumulate(0, contribution);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom(fn.name + "(" + ctx.print(node.input(0)).text() + ")");
        }
    }

    /** {@code Math.pow(x, y)}. */
    public record Pow() implements Primitive {
        @Override
        public ValueType type() {
            return ValueType.SCALAR;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {}

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$T.pow($L, $L)", Math.class, ctx.ref(node.input(0)), ctx.ref(node.input(1)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            var b = ctx.builder();
            int x = node.input(0);
            int y = node.input(1);
            if (ctx.needs(0)) {
                // ∂/∂x xʸ = y·xʸ⁻¹
                int power = b.apply(new Pow(), x, b.subtract(y, b.constant(1)));
                ctx.accumulate(0, b.mul(ct, b.mul(y, power)));
            }
            if (ctx.needs(1)) {
                // ∂/∂y xʸ = log(x)·xʸ
                ctx.accumulate(1, b.mul(ct, b.mul(b.apply(new Apply(Function.LOG), x), node.id())));
            }
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom(ctx.print(node.input(0)).at(Formula.ATOM) + "^"
                    + ctx.print(node.input(1)).at(Formula.ATOM));
        }
    }

    /** An {@code int} used as a {@code double} (a widening conversion or {@code (double)} cast). */
    public record FromInt() implements Primitive {
        @Override
        public ValueType type() {
            return ValueType.SCALAR;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {}

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$L", ctx.ref(node.input(0)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {}

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return ctx.print(node.input(0));
        }
    }
}
