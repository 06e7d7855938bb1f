package dev.adjoint.processor.ops;

import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.ValueType;

/** Parameters and literals: values that need no statement of their own. */
public final class Leaves {
    private Leaves() {}

    /** A parameter of the {@code @Differentiable} method. */
    public record Param(int index, String name, ValueType type) implements Primitive {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            if (type == ValueType.MATRIX) {
                ctx.setShape(node, ctx.parameterDim(node, 0), ctx.parameterDim(node, 1));
            }
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            // An argument: referenced by name, never written.
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            // A leaf: its cotangent is the gradient itself.
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return -1; // a parameter's tangent is its direction, set by forward mode
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return transposed ? Formula.atom(name + "ᵀ") : Formula.atom(name);
        }

        @Override
        public String inline(Node node) {
            return name;
        }

        @Override
        public boolean isLeaf() {
            return true;
        }
    }

    /**
     * The direction along which a second-order method differentiates the gradient, for one wrt
     * parameter (input: that parameter, for its shape only): an argument of
     * {@code hessianVectorProduct}, named by {@code name}.
     */
    public record Direction(String name, String parameter, ValueType type) implements Primitive {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            if (type == ValueType.MATRIX) {
                ctx.shapeLike(node, node.input(0));
            }
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            // An argument: referenced by name, never written.
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {}

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return -1; // the tangent of a direction is the direction itself, set by forward mode
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return transposed ? Formula.atom(name + "ᵀ") : Formula.atom(name);
        }

        @Override
        public String inline(Node node) {
            return name;
        }

        @Override
        public boolean isLeaf() {
            return true;
        }
    }

    /** A {@code double} literal or constant such as {@code Math.PI}. */
    public record ScalarConst(double value) implements Primitive {
        @Override
        public ValueType type() {
            return ValueType.SCALAR;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {}

        @Override
        public void emit(EmitContext ctx, Node node) {}

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {}

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            String text = javaLiteral().replace("Math.PI", "π").replace("Math.E", "e");
            if (text.endsWith(".0")) {
                text = text.substring(0, text.length() - 2);
            }
            // A negative literal reads as a term: "K·(-0.5)" rather than "K·-0.5".
            return new Formula(text, value < 0 ? Formula.SUM : Formula.ATOM);
        }

        @Override
        public String inline(Node node) {
            return javaLiteral();
        }

        private String javaLiteral() {
            if (value == Math.PI) {
                return "Math.PI";
            } else if (value == Math.E) {
                return "Math.E";
            } else if (Double.isNaN(value)) {
                return "Double.NaN";
            } else if (Double.isInfinite(value)) {
                return value > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
            }
            return Double.toString(value);
        }

        @Override
        public boolean isLeaf() {
            return true;
        }
    }

    /** An {@code int} literal. */
    public record IntConst(int value) implements Primitive {
        @Override
        public ValueType type() {
            return ValueType.INT;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.unify(ctx.intValue(node.id()), ctx.constant(value), node, "literal");
        }

        @Override
        public void emit(EmitContext ctx, Node node) {}

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {}

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return new Formula(Integer.toString(value), value < 0 ? Formula.UNARY : Formula.ATOM);
        }

        @Override
        public String inline(Node node) {
            return Integer.toString(value);
        }

        @Override
        public boolean isLeaf() {
            return true;
        }
    }
}
