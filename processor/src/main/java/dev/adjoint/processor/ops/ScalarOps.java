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
    /**
     * A product of scalars as printed: the numeric constants multiplied out (2·0.5·λ prints as λ,
     * 1·u as u), the other factors in order, and the divisors after one {@code /}. Only unnamed
     * products, quotients, negations and literals are looked through; π and e stay symbols.
     */
    static final class Monomial {
        double constant = 1;
        final List<Formula> numerator = new java.util.ArrayList<>();
        final List<Formula> denominator = new java.util.ArrayList<>();

        static Monomial of(FormulaContext ctx, int id) {
            Monomial m = new Monomial();
            m.collect(ctx, id, false, true);
            return m;
        }

        private void collect(FormulaContext ctx, int id, boolean divide, boolean root) {
            Node node = ctx.node(id);
            boolean open = root || !ctx.isNamed(id);
            if (open && node.op() instanceof dev.adjoint.processor.ops.Leaves.ScalarConst c
                    && c.value() != Math.PI && c.value() != Math.E && Double.isFinite(c.value()) && (c.value() != 0 || !divide)) {
                constant = divide ? constant / c.value() : constant * c.value();
            } else if (open && node.op() instanceof Arith a && a.op() == Op.MUL) {
                collect(ctx, node.input(0), divide, false);
                collect(ctx, node.input(1), divide, false);
            } else if (open && node.op() instanceof Arith a && a.op() == Op.DIV) {
                collect(ctx, node.input(0), divide, false);
                collect(ctx, node.input(1), !divide, false);
            } else if (open && node.op() instanceof Negate) {
                constant = -constant;
                collect(ctx, node.input(0), divide, false);
            } else {
                (divide ? denominator : numerator).add(ctx.print(id));
            }
        }

        /** This product times {@code matrix} (null for none): {@code −c·a·b·M/(d·e)}. */
        Formula times(Formula matrix) {
            List<String> parts = new java.util.ArrayList<>();
            double magnitude = Math.abs(constant);
            boolean hasFactors = !numerator.isEmpty() || matrix != null;
            if (magnitude != 1 || !hasFactors) {
                parts.add(number(magnitude));
            }
            for (Formula f : numerator) {
                parts.add(f.at(Formula.PRODUCT));
            }
            if (matrix != null) {
                parts.add(matrix.at(Formula.PRODUCT));
            }
            String text = String.join("·", parts);
            if (!denominator.isEmpty()) {
                text += "/" + (denominator.size() == 1 ? denominator.get(0).at(Formula.ATOM)
                        : "(" + String.join("·", denominator.stream().map(f -> f.at(Formula.PRODUCT)).toList()) + ")");
            }
            if (constant < 0) {
                return new Formula("−" + text, Formula.UNARY);
            }
            if (!denominator.isEmpty()) {
                // a/b·c would be ambiguous: a quotient is parenthesized as a factor, (a/b)·c
                return new Formula(text, Formula.HADAMARD);
            }
            return new Formula(text, parts.size() == 1 && matrix == null
                    ? (numerator.isEmpty() ? Formula.ATOM : numerator.get(0).precedence()) : Formula.PRODUCT);
        }

        /** A folded constant, to 12 significant digits (0.1·3 prints 0.3, not 0.30000000000000004). */
        static String number(double value) {
            if (!Double.isFinite(value)) {
                return Double.toString(value);
            }
            String text = new java.math.BigDecimal(value).round(new java.math.MathContext(12)).stripTrailingZeros().toPlainString();
            return text.length() > 16 ? Double.toString(value) : text;
        }
    }

    /** {@code s·M} for a scalar node and a matrix formula, constants folded (see {@link Monomial}). */
    public static Formula scaled(FormulaContext ctx, int scalar, Formula matrix) {
        Monomial m = new Monomial();
        m.collect(ctx, scalar, false, false);
        return m.times(matrix);
    }

    /** {@code ±s·M/d} for a scalar node, a matrix formula and a divisor, constants folded. */
    public static Formula scaled(FormulaContext ctx, int scalar, Formula matrix, Formula divisor, boolean negated) {
        Monomial m = new Monomial();
        m.collect(ctx, scalar, false, false);
        m.denominator.add(divisor);
        if (negated) {
            m.constant = -m.constant;
        }
        return m.times(matrix);
    }

    /**
     * A scaling of a matrix ({@link MatrixAlgebra.Scale}, {@link MatrixAlgebra.Divide},
     * {@link MatrixAlgebra.Negate}) with the scalings of unnamed scalings under it gathered into
     * one product: (1/3)·(2·A) prints as 0.666666666667·A, not 0.333333333333·2·A.
     */
    public static Formula scaledMatrix(FormulaContext ctx, int id, boolean transposed) {
        Monomial m = new Monomial();
        int matrix = id;
        while (matrix == id || !ctx.isNamed(matrix)) {
            Node node = ctx.node(matrix);
            if (node.op() instanceof MatrixAlgebra.Scale) {
                m.collect(ctx, node.input(1), false, false);
            } else if (node.op() instanceof MatrixAlgebra.Divide) {
                m.collect(ctx, node.input(1), true, false);
            } else if (node.op() instanceof MatrixAlgebra.Negate && matrix != id) {
                m.constant = -m.constant;
            } else {
                break;
            }
            matrix = node.input(0);
        }
        return m.times(ctx.print(matrix, transposed));
    }

    /** {@code M/s} for a scalar node and a matrix formula, constants folded. */
    public static Formula divided(FormulaContext ctx, int scalar, Formula matrix) {
        Monomial m = new Monomial();
        m.collect(ctx, scalar, true, false);
        return m.times(matrix);
    }

    /** sumSquares(A) for a node ‖A‖, else -1. */
    static int sumSquaresOfNorm(Builder b, int norm) {
        return b.node(norm).op() instanceof Reductions.NormF
                ? b.apply(new Reductions.SumSquares(), b.node(norm).input(0))
                : -1;
    }

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
                        : b.isConstant(x, -1) ? b.negate(y) : b.isConstant(y, -1) ? b.negate(x) : normSquared(b, x, y);
                case DIV -> b.isConstant(y, 1) ? x : -1;
            };
        }

        /**
         * ‖A‖·‖A‖ → sumSquares(A), also as the last factor of a product ((s·‖A‖)·‖A‖, the way Java
         * associates {@code s * A.normF() * A.normF()}) → s·sumSquares(A): the same value, but
         * differentiable at A = 0, where the gradient of the norm is 0/0. Else -1.
         */
        static int normSquared(Builder b, int x, int y) {
            if (x == y) {
                return sumSquaresOfNorm(b, x);
            }
            for (int[] pair : new int[][] {{x, y}, {y, x}}) {
                int norm = pair[0];
                int product = pair[1];
                if (b.node(norm).op() instanceof Reductions.NormF && b.node(product).op() instanceof Arith a && a.op() == Op.MUL) {
                    int u = b.node(product).input(0);
                    int v = b.node(product).input(1);
                    if (v == norm || u == norm) {
                        return b.mul(v == norm ? u : v, sumSquaresOfNorm(b, norm));
                    }
                }
            }
            return -1;
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
        public int jvp(JvpContext ctx, Node node) {
            var b = ctx.builder();
            int x = node.input(0);
            int y = node.input(1);
            int tx = ctx.tangent(0);
            int ty = ctx.tangent(1);
            return switch (op) {
                case ADD -> ctx.sum(tx, ty);
                case SUB -> ctx.sum(tx, ty >= 0 ? b.negate(ty) : -1);
                case MUL -> ctx.sum(tx >= 0 ? b.mul(tx, y) : -1, ty >= 0 ? b.mul(x, ty) : -1);
                // d(x/y) = ẋ/y − (x/y)·ẏ/y
                case DIV -> ctx.sum(tx >= 0 ? b.div(tx, y) : -1, ty >= 0 ? b.negate(b.div(b.mul(node.id(), ty), y)) : -1);
            };
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            if (op == Op.MUL || op == Op.DIV) {
                return Monomial.of(ctx, node.id()).times(null);
            }
            int p = op.precedence;
            String left = ctx.print(node.input(0)).at(p);
            String right = ctx.print(node.input(1)).at(op == Op.ADD ? p : p + 1);
            if (right.startsWith("−")) {
                // a + −x reads as a − x, and a − −x as a + x
                return new Formula(left + (op == Op.ADD ? " − " : " + ") + right.substring(1), p);
            }
            return new Formula(left + " " + op.math + " " + right, p);
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
        public int jvp(JvpContext ctx, Node node) {
            return ctx.builder().negate(ctx.tangent(0));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Monomial.of(ctx, node.id()).times(null);
        }
    }

    /** One-argument {@code Math} functions. */
    public enum Function {
        LOG("log"), EXP("exp"), SQRT("sqrt"), TANH("tanh"),
        /** |x|, with the derivative at the kink x = 0 taken as 0. */
        ABS("abs"), SIN("sin"), COS("cos"), LOG1P("log1p"), EXPM1("expm1"),
        /** The derivative of {@code abs}; not a DSL form (its own derivative is 0 wherever it exists). */
        SIGNUM("signum", false);

        final String name;
        /** Whether users can call it as {@code Math.<name>(x)}. */
        public final boolean dsl;

        Function(String name) {
            this(name, true);
        }

        Function(String name, boolean dsl) {
            this.name = name;
            this.dsl = dsl;
        }

        /** f′ at x (node ids; y = f(x)), built with ordinary primitives, or -1 where it is zero. */
        int derivative(Builder b, int x, int y) {
            return switch (this) {
                case LOG -> b.div(b.constant(1), x);
                case EXP -> y;
                case SQRT -> b.div(b.constant(1), b.mul(b.constant(2), y));
                case TANH -> b.subtract(b.constant(1), b.mul(y, y));
                case ABS -> b.apply(new Apply(SIGNUM), x);
                case SIN -> b.apply(new Apply(COS), x);
                case COS -> b.negate(b.apply(new Apply(SIN), x));
                case LOG1P -> b.div(b.constant(1), b.add(b.constant(1), x));
                case EXPM1 -> b.add(y, b.constant(1));
                case SIGNUM -> -1;
            };
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
                default -> {
                    int d = fn.derivative(b, x, y);
                    yield d < 0 ? -1 : b.mul(ct, d);
                }
            };
            if (contribution >= 0) ctx.accumulate(0, contribution);
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            var b = ctx.builder();
            int t = ctx.tangent(0);
            int y = node.id();
            return switch (fn) {
                case LOG -> b.div(t, node.input(0));
                case EXP -> b.mul(t, y);
                case SQRT -> b.div(t, b.mul(b.constant(2), y));
                case TANH -> b.mul(t, b.subtract(b.constant(1), b.mul(y, y)));
                default -> {
                    int d = fn.derivative(b, node.input(0), y);
                    yield d < 0 ? -1 : b.mul(t, d);
                }
            };
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

        /** x¹ → x, and ‖A‖² → sumSquares(A) (see {@link Arith#normSquared}). */
        @Override
        public int simplify(Builder b, List<Integer> in) {
            if (b.isConstant(in.get(1), 1)) {
                return in.get(0);
            }
            if (b.isConstant(in.get(1), 2)) {
                return sumSquaresOfNorm(b, in.get(0));
            }
            return -1;
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
        public int jvp(JvpContext ctx, Node node) {
            var b = ctx.builder();
            int x = node.input(0);
            int y = node.input(1);
            return ctx.sum(
                    ctx.has(0) ? b.mul(ctx.tangent(0), b.mul(y, b.apply(new Pow(), x, b.subtract(y, b.constant(1))))) : -1,
                    ctx.has(1) ? b.mul(ctx.tangent(1), b.mul(b.apply(new Apply(Function.LOG), x), node.id())) : -1);
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
        public int jvp(JvpContext ctx, Node node) {
            return -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return ctx.print(node.input(0));
        }
    }
}
