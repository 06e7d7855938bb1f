package dev.adjoint.processor.ops;

import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.ValueType;

/** {@code int} values: shape queries and integer arithmetic. Constants for differentiation. */
public final class IntOps {
    private IntOps() {}

    /** {@code A.numRows()} (axis 0) or {@code A.numCols()} (axis 1). */
    public record ShapeQuery(int axis) implements Primitive {
        @Override
        public ValueType type() {
            return ValueType.INT;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.unify(ctx.intValue(node.id()), ctx.dim(node.input(0), axis), node, "shape query");
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            // From argument shapes, known before any matrix work; the size of a matrix a loop or branch
            // computes is read from it once it ran (ShapeInference marks such a query dynamic).
            ctx.define(node, "$L", ctx.dimension(node));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {}

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom((axis == 0 ? "rows(" : "cols(") + ctx.print(node.input(0)).text() + ")");
        }

        @Override
        public boolean isLeaf() {
            return true;
        }
    }

    public enum Op {
        ADD("+", ShapeContext.DimOp.ADD), SUB("-", ShapeContext.DimOp.SUB), MUL("*", ShapeContext.DimOp.MUL),
        DIV("/", ShapeContext.DimOp.DIV);

        final String java;
        /** The same function of dimensions, so shapes built from int expressions fold and compare. */
        final ShapeContext.DimOp dim;

        Op(String java, ShapeContext.DimOp dim) {
            this.java = java;
            this.dim = dim;
        }
    }

    /** Integer {@code a op b} with Java semantics (truncating division). */
    public record Arith(Op op) implements Primitive {
        @Override
        public ValueType type() {
            return ValueType.INT;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {
            // Its value is a dimension expression: n + 1 − n folds to 1 wherever it sizes a matrix.
            ctx.define(ctx.intValue(node.id()), ctx.derived(op.dim, ctx.intValue(node.input(0)), ctx.intValue(node.input(1))), node);
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "$L " + op.java + " $L", ctx.ref(node.input(0)), ctx.ref(node.input(1)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {}

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            int prec = op == Op.ADD || op == Op.SUB ? Formula.SUM : Formula.PRODUCT;
            return new Formula(ctx.print(node.input(0)).at(prec) + " " + op.java + " "
                    + ctx.print(node.input(1)).at(prec + 1), prec);
        }
    }

    /** Integer negation. */
    public record Negate() implements Primitive {
        @Override
        public ValueType type() {
            return ValueType.INT;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.define(ctx.intValue(node.id()), ctx.derived(ShapeContext.DimOp.SUB, ctx.constant(0), ctx.intValue(node.input(0))), node);
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.define(node, "-$L", ctx.ref(node.input(0)));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {}

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return new Formula("−" + ctx.print(node.input(0)).at(Formula.UNARY), Formula.UNARY);
        }
    }
}
