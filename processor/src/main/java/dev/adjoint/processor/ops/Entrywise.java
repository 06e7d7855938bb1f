package dev.adjoint.processor.ops;

import static dev.adjoint.processor.ops.Ejml.COMMON_OPS;
import static dev.adjoint.processor.ops.Ejml.KERNELS;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Node;

/** Entrywise (Hadamard) operations and entrywise functions. */
public final class Entrywise {
    private Entrywise() {}

    /** {@code A ∘ B}. */
    public record ElementMult() implements MatrixOp {
        @Override
        public int simplify(Builder b, java.util.List<Integer> in) {
            // (s·𝟙) ∘ B = s·B: the adjoint of a sum times a factor needs no matrix of ones.
            Node left = b.node(in.get(0));
            Node right = b.node(in.get(1));
            if (left.op() instanceof Broadcasting.FillLike) {
                return b.scale(in.get(1), left.input(1));
            }
            if (right.op() instanceof Broadcasting.FillLike) {
                return b.scale(in.get(0), right.input(1));
            }
            return -1;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.sameShape(node, node.input(0), node.input(1), "operands of elementMult");
            ctx.shapeLike(node, node.input(0));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.elementMult($L, $L, $L)", COMMON_OPS, ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            Builder b = ctx.builder();
            if (ctx.needs(0)) ctx.accumulate(0, b.apply(new ElementMult(), ct, node.input(1)));
            if (ctx.needs(1)) ctx.accumulate(1, b.apply(new ElementMult(), ct, node.input(0)));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            Builder b = ctx.builder();
            return ctx.sum(ctx.has(0) ? b.apply(new ElementMult(), ctx.tangent(0), node.input(1)) : -1,
                    ctx.has(1) ? b.apply(new ElementMult(), node.input(0), ctx.tangent(1)) : -1);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return binary(ctx, node, transposed, " ∘ ");
        }
    }

    /** {@code A ⊘ B}, entrywise quotient. */
    public record ElementDiv() implements MatrixOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.sameShape(node, node.input(0), node.input(1), "operands of elementDiv");
            ctx.shapeLike(node, node.input(0));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.elementDiv($L, $L, $L)", COMMON_OPS, ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            Builder b = ctx.builder();
            int divisor = node.input(1);
            int quotient = b.apply(new ElementDiv(), ct, divisor);
            if (ctx.needs(0)) ctx.accumulate(0, quotient);
            // ∂(a/b)/∂b = −(a/b)/b, so the contribution is −(G⊘B)∘Y
            if (ctx.needs(1)) ctx.accumulate(1, b.negate(b.apply(new ElementMult(), quotient, node.id())));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // d(A ⊘ B) = Ȧ ⊘ B − (Y ∘ Ḃ) ⊘ B
            Builder b = ctx.builder();
            int divisor = node.input(1);
            return ctx.sum(ctx.has(0) ? b.apply(new ElementDiv(), ctx.tangent(0), divisor) : -1,
                    ctx.has(1) ? b.negate(b.apply(new ElementDiv(), b.apply(new ElementMult(), node.id(), ctx.tangent(1)), divisor)) : -1);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return binary(ctx, node, transposed, " ⊘ ");
        }
    }

    /** {@code A^p} entrywise, {@code p} a scalar that does not depend on a {@code wrt} parameter. */
    public record ElementPower() implements ShapedLikeFirstInput {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.elementPower($L, $L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            // The parser rejects exponents that depend on a wrt parameter, so only A is active.
            ctx.accumulate(0, ctx.builder().apply(new ElementPowerBackward(), node.input(0), node.input(1), ct));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            if (ctx.has(1)) {
                return ctx.noRule(node); // the parser rejects exponents that depend on a wrt parameter
            }
            return ctx.builder().apply(new ElementPowerBackward(), node.input(0), node.input(1), ctx.tangent(0));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula a = ctx.print(node.input(0), transposed);
            return Formula.atom(a.at(Formula.ATOM) + "^∘" + ctx.print(node.input(1)).at(Formula.ATOM));
        }
    }

    /** {@code G ∘ p·A^(p−1)} (inputs: A, p, G): the adjoint of {@link ElementPower}. */
    public record ElementPowerBackward() implements ShapedLikeFirstInput, BackwardOnly {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.elementPowerBackward($L, $L, $L, $L)", KERNELS,
                    ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.input(2)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // Y = G ∘ p·A^(p−1): Ẏ = Ġ ∘ p·A^(p−1) + p·((G ∘ Ȧ) ∘ (p−1)·A^(p−2))
            if (ctx.has(1)) {
                return ctx.noRule(node);
            }
            Builder b = ctx.builder();
            int a = node.input(0);
            int p = node.input(1);
            int g = node.input(2);
            return ctx.sum(ctx.has(2) ? b.apply(new ElementPowerBackward(), a, p, ctx.tangent(2)) : -1,
                    ctx.has(0) ? b.scale(b.apply(new ElementPowerBackward(), a, b.subtract(p, b.constant(1)),
                            b.apply(new ElementMult(), g, ctx.tangent(0))), p) : -1);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            int p = node.input(1);
            // A constant exponent prints folded: A^∘(−0.5), not A^∘(0.5−1).
            String exponent = !ctx.isNamed(p) && ctx.node(p).op() instanceof Leaves.ScalarConst c
                    && c.value() != Math.PI && c.value() != Math.E && Double.isFinite(c.value())
                    ? (c.value() - 1 < 0 ? "(−" + ScalarOps.Monomial.number(1 - c.value()) + ")" : ScalarOps.Monomial.number(c.value() - 1))
                    : "(" + ctx.print(p).at(Formula.ATOM) + "−1)";
            Formula derivative = ScalarOps.scaled(ctx, p,
                    Formula.atom(ctx.print(node.input(0)).at(Formula.ATOM) + "^∘" + exponent));
            Node g = ctx.node(node.input(2));
            if (!ctx.isNamed(node.input(2)) && g.op() instanceof Broadcasting.FillLike) {
                // s·ones ∘ X = s·X
                return ScalarOps.scaled(ctx, g.input(1), derivative);
            }
            return new Formula(ctx.print(node.input(2)).at(Formula.HADAMARD) + " ∘ " + derivative.at(Formula.HADAMARD), Formula.HADAMARD);
        }
    }

    /** {@code G + Gᵀ} of a square G, without materializing the transpose (the adjoint of a Gram matrix). */
    public record SymmetricSum() implements ShapedLikeFirstInput, BackwardOnly {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.addTransposed($L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.has(0) ? ctx.builder().apply(new SymmetricSum(), ctx.tangent(0)) : -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula g = ctx.print(node.input(0));
            return new Formula(g.at(Formula.SUM) + " + " + ctx.printTransposed(node.input(0)).at(Formula.SUM), Formula.SUM);
        }
    }

    /** Entrywise functions with their kernels and derivatives. */
    public enum Function {
        EXP("exp", null, false),
        LOG("log", null, false),
        SIGMOID("σ", "sigmoid", true),
        TANH("tanh", "tanh", true),
        RELU("relu", "relu", false),
        SOFTPLUS("softplus", "softplus", false),
        /** |a|, with the derivative at the kink a = 0 taken as 0. */
        ABS("abs", "abs", false),
        SQRT("sqrt", "sqrt", true),
        SIN("sin", "sin", false),
        COS("cos", "cos", false);

        final String math;
        /** The {@code Kernels} method, or null where EJML's {@code CommonOps_DDRM} has one. */
        final String kernel;
        /** The derivative is cheapest from the output (σ′ = y(1 − y), tanh′ = 1 − y²): no exponential. */
        final boolean backwardFromOutput;

        Function(String math, String kernel, boolean backwardFromOutput) {
            this.math = math;
            this.kernel = kernel;
            this.backwardFromOutput = backwardFromOutput;
        }
    }

    /** {@code f(A)} entrywise. */
    public record Apply(Function fn) implements ShapedLikeFirstInput {
        @Override
        public void emit(EmitContext ctx, Node node) {
            String in = ctx.ref(node.input(0));
            String out = ctx.ref(node.id());
            switch (fn) {
                case EXP -> ctx.statement("$T.elementExp($L, $L)", COMMON_OPS, in, out);
                case LOG -> ctx.statement("$T.elementLog($L, $L)", COMMON_OPS, in, out);
                default -> ctx.statement("$T.$L($L, $L)", KERNELS, fn.kernel, in, out);
            }
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            Builder b = ctx.builder();
            int contribution = switch (fn) {
                case EXP -> b.apply(new ElementMult(), ct, node.id());          // exp′ = exp: reuse Y
                case LOG -> b.apply(new ElementDiv(), ct, node.input(0));       // log′(a) = 1/a
                default -> b.apply(new ApplyBackward(fn), fn.backwardFromOutput ? node.id() : node.input(0), ct);
            };
            ctx.accumulate(0, contribution);
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // Entrywise: f(A)˙ = f′(A) ∘ Ȧ, the adjoint rule with the tangent for the cotangent.
            Builder b = ctx.builder();
            int t = ctx.tangent(0);
            return switch (fn) {
                case EXP -> b.apply(new ElementMult(), t, node.id());
                case LOG -> b.apply(new ElementDiv(), t, node.input(0));
                default -> b.apply(new ApplyBackward(fn), fn.backwardFromOutput ? node.id() : node.input(0), t);
            };
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula a = ctx.print(node.input(0), transposed);
            return Formula.atom(fn.math + "(" + a.text() + ")");
        }
    }

    /**
     * {@code G ∘ f′(A)}, fused in one kernel. Inputs: (A, G), or (f(A), G) for functions whose
     * derivative comes from the output.
     */
    public record ApplyBackward(Function fn) implements ShapedLikeFirstInput, BackwardOnly {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.$L($L, $L, $L)", KERNELS, fn.kernel + (fn.backwardFromOutput ? "BackwardFromOutput" : "Backward"),
                    ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // Y = G ∘ f′(x): Ẏ = Ġ ∘ f′(x) + G ∘ (f′)˙, with x = A, or x = f(A) whose own tangent is ẋ = f′(A) ∘ Ȧ.
            Builder b = ctx.builder();
            int x = node.input(0);
            int g = node.input(1);
            int first = ctx.has(1) ? b.apply(new ApplyBackward(fn), x, ctx.tangent(1)) : -1;
            if (!ctx.has(0)) {
                return first;
            }
            int gx = b.apply(new ElementMult(), g, ctx.tangent(0));
            int second = switch (fn) {
                // σ′ = y(1 − y): d/dy = 1 − 2y
                case SIGMOID -> b.apply(new ElementMult(), gx, b.apply(new MatrixAlgebra.AddScalar(), b.scale(x, b.constant(-2)), b.constant(1)));
                // tanh′ = 1 − y²: d/dy = −2y
                case TANH -> b.scale(b.apply(new ElementMult(), gx, x), b.constant(-2));
                // softplus′ = σ(a): d/da = σ(a)(1 − σ(a))
                case SOFTPLUS -> b.apply(new ApplyBackward(Function.SIGMOID), b.apply(new Apply(Function.SIGMOID), x), gx);
                // relu′ and abs′ are steps: their derivative is zero wherever it exists
                case RELU, ABS -> -1;
                // sqrt′ = 1/(2y) from y = √a: d/dy = −1/(2y²)
                case SQRT -> b.negate(b.apply(new ElementDiv(), gx, b.scale(b.apply(new ElementMult(), x, x), b.constant(2))));
                // sin′ = cos: cos′ = −sin, which cosBackward computes
                case SIN -> b.apply(new ApplyBackward(Function.COS), x, gx);
                // cos′ = −sin: (−sin)′ = −cos
                case COS -> b.negate(b.apply(new ApplyBackward(Function.SIN), x, gx));
                case EXP, LOG -> ctx.noRule(node);
            };
            return ctx.sum(first, second);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Node argument = ctx.node(node.input(0));
            String derivative;
            if (fn.backwardFromOutput && argument.inputs().isEmpty()) {
                // the output read from where it was saved (loop-state-reuse): f′ from f's value
                derivative = fn.math + "′ from " + ctx.print(node.input(0)).at(Formula.PRODUCT);
            } else {
                String a = fn.backwardFromOutput ? ctx.print(argument.input(0)).text() : ctx.print(node.input(0)).text();
                derivative = fn.math + "′(" + a + ")";
            }
            return new Formula(ctx.print(node.input(1)).at(Formula.HADAMARD) + " ∘ " + derivative, Formula.HADAMARD);
        }
    }

    /**
     * {@code swish(A) = A ∘ σ(A)} (inputs: A, σ(A)). σ(A) is its own node so the backward pass
     * reuses it: one exponential per entry for forward and backward together. Where nothing else
     * reads σ(A) (value()), the {@code affine-fusion} lowering leaves the single input A: one loop.
     */
    public record Swish() implements ShapedLikeFirstInput {
        /** Builds swish(a): the sigmoid node, then the product. */
        public static int of(Builder b, dev.adjoint.processor.ir.Origin origin, int a) {
            return b.apply(new Swish(), origin, a, b.apply(new Apply(Function.SIGMOID), a));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            if (node.inputs().size() == 1) {
                ctx.statement("$T.swish($L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.id()));
            } else {
                ctx.statement("$T.swishFromSigmoid($L, $L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)),
                        ctx.ref(node.id()));
            }
        }

        /** σ(A): the cached input, or (single-input form) a new node. */
        private static int sigmoid(dev.adjoint.processor.ir.Builder b, Node node) {
            return node.inputs().size() > 1 ? node.input(1) : b.apply(new Apply(Function.SIGMOID), node.input(0));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            // The whole derivative swish′ = σ + A∘σ∘(1 − σ) goes to A; σ(A) is only a cache of the
            // forward pass, so nothing flows through it.
            ctx.accumulate(0, ctx.builder().apply(new SwishBackward(), node.input(0), sigmoid(ctx.builder(), node), ct));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // swish(A) = A ∘ σ(A): the whole derivative swish′(A) ∘ Ȧ (σ(A) is a cache of A)
            return ctx.builder().apply(new SwishBackward(), node.input(0), sigmoid(ctx.builder(), node), ctx.tangent(0));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("swish(" + ctx.print(node.input(0), transposed).text() + ")");
        }
    }

    /** {@code G ∘ swish′(A)} from the forward pass's σ(A) (inputs: A, σ(A), G). */
    public record SwishBackward() implements ShapedLikeFirstInput, BackwardOnly {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.swishBackwardFromSigmoid($L, $L, $L, $L)", KERNELS,
                    ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.input(2)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // Y = G ∘ swish′(A), swish′ = s + A∘s∘(1 − s) with s = σ(A):
            // Ẏ = Ġ ∘ swish′(A) + G ∘ Ȧ ∘ swish″(A), swish″ = s(1 − s)∘(2 + A∘(1 − 2s))
            Builder b = ctx.builder();
            int a = node.input(0);
            int s = node.input(1);
            int first = ctx.has(2) ? b.apply(new SwishBackward(), a, s, ctx.tangent(2)) : -1;
            if (!ctx.has(0)) {
                return first;
            }
            int gx = b.apply(new ElementMult(), node.input(2), ctx.tangent(0));
            int sigmoidPrime = b.apply(new ApplyBackward(Function.SIGMOID), s, gx); // gx ∘ s(1 − s)
            int oneMinusTwoS = b.apply(new MatrixAlgebra.AddScalar(), b.scale(s, b.constant(-2)), b.constant(1));
            int factor = b.apply(new MatrixAlgebra.AddScalar(), b.apply(new ElementMult(), a, oneMinusTwoS), b.constant(2));
            return ctx.sum(first, b.apply(new ElementMult(), sigmoidPrime, factor));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return new Formula(ctx.print(node.input(2)).at(Formula.HADAMARD) + " ∘ swish′(" + ctx.print(node.input(0)).text() + ")",
                    Formula.HADAMARD);
        }
    }

    private static Formula binary(FormulaContext ctx, Node node, boolean transposed, String op) {
        Formula a = ctx.print(node.input(0), transposed);
        Formula b = ctx.print(node.input(1), transposed);
        return new Formula(a.at(Formula.HADAMARD) + op + b.at(Formula.PRODUCT), Formula.HADAMARD);
    }
}
