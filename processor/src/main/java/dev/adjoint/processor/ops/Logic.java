package dev.adjoint.processor.ops;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.ValueType;
import java.util.List;

/**
 * {@code boolean} values: comparisons of {@code int} and {@code double} values, {@code && || !}
 * and literals. Conditions of branches and loops; constants for differentiation (the gradient is
 * that of the path taken).
 */
public final class Logic {
    private Logic() {}

    /** An op producing a boolean: no shape, no cotangent, no tangent. */
    interface BooleanOp extends Primitive {
        @Override
        default ValueType type() {
            return ValueType.BOOLEAN;
        }

        @Override
        default void shape(ShapeContext ctx, Node node) {}

        @Override
        default void adjoint(AdjointContext ctx, Node node, int ct) {}

        @Override
        default int jvp(JvpContext ctx, Node node) {
            return -1;
        }
    }

    /** {@code true} or {@code false}. */
    public record BoolConst(boolean value) implements BooleanOp {
        @Override
        public void emit(EmitContext ctx, Node node) {}

        @Override
        public String inline(Node node) {
            return Boolean.toString(value);
        }

        @Override
        public boolean isLeaf() {
            return true;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom(Boolean.toString(value));
        }
    }

    public enum Comparison {
        LT("<"), LE("<="), GT(">"), GE(">="), EQ("=="), NE("!=");

        final String java;

        Comparison(String java) {
            this.java = java;
        }
    }

    /** {@code a op b} on two ints or two doubles. */
    public record Compare(Comparison op) implements BooleanOp {
        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$L " + op.java + " $L", ctx.ref(node.input(0)), ctx.ref(node.input(1)));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return new Formula(ctx.print(node.input(0)).at(Formula.PRODUCT) + " " + op.java + " "
                    + ctx.print(node.input(1)).at(Formula.PRODUCT), Formula.SUM);
        }
    }

    /** {@code a && b} (AND) or {@code a || b}; both operands are pure, so both may be evaluated. */
    public record Junction(boolean and) implements BooleanOp {
        @Override
        public int simplify(Builder b, List<Integer> in) {
            for (int k = 0; k < 2; k++) {
                if (b.node(in.get(k)).op() instanceof BoolConst c) {
                    // true && x = x, false && x = false, true || x = true, false || x = x
                    return c.value() == and ? in.get(1 - k) : in.get(k);
                }
            }
            return in.get(0).equals(in.get(1)) ? in.get(0) : -1;
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$L " + (and ? "&&" : "||") + " $L", ctx.ref(node.input(0)), ctx.ref(node.input(1)));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return new Formula(ctx.print(node.input(0)).at(Formula.PRODUCT) + (and ? " ∧ " : " ∨ ")
                    + ctx.print(node.input(1)).at(Formula.PRODUCT), Formula.SUM);
        }
    }

    /** {@code !a}. */
    public record Not() implements BooleanOp {
        @Override
        public int simplify(Builder b, List<Integer> in) {
            Node a = b.node(in.get(0));
            if (a.op() instanceof Not) {
                return a.input(0);
            }
            if (a.op() instanceof BoolConst c) {
                return b.apply(new BoolConst(!c.value()));
            }
            return -1;
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "!$L", ctx.ref(node.input(0)));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return new Formula("¬" + ctx.print(node.input(0)).at(Formula.UNARY), Formula.UNARY);
        }
    }
}
