package dev.adjoint.processor.ops;

import static dev.adjoint.processor.ops.Ejml.KERNELS;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.ShapeContext.DimOp;

/**
 * Entries, blocks, concatenations, diagonals and Kronecker products, with EJML's
 * {@code SimpleMatrix} semantics. Their shapes are dimension expressions (r1 − r0, a sum, a
 * product), and the indices they read are ranges checked at compile time where the shapes are
 * known and before any work at run time otherwise.
 */
public final class Blocks {
    private Blocks() {}

    /** Whether a node's operands change inside a loop or branch, so its indices cannot be checked before any work. */
    private static boolean dynamicIndices(EmitContext ctx, Node node) {
        for (int in : node.inputs()) {
            if (ctx.dynamic(in)) return true;
        }
        return false;
    }

    private static String index(FormulaContext ctx, int id) {
        return ctx.print(id).text();
    }

    /**
     * {@code A.get(i, j)} (inputs A, i, j) or, {@code flat}, {@code A.get(k)} (inputs A, k: the
     * row-major index, as EJML).
     */
    public record Entry(boolean flat) implements Primitive {
        @Override
        public ValueType type() {
            return ValueType.SCALAR;
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {
            int a = node.input(0);
            if (flat) {
                int k = ctx.intValue(node.input(1));
                ctx.range(node, "index", k, ctx.derived(DimOp.ADD, k, ctx.constant(1)),
                        ctx.derived(DimOp.MUL, ctx.dim(a, 0), ctx.dim(a, 1)), a);
            } else {
                int i = ctx.intValue(node.input(1));
                int j = ctx.intValue(node.input(2));
                ctx.range(node, "row index", i, ctx.derived(DimOp.ADD, i, ctx.constant(1)), ctx.dim(a, 0), a);
                ctx.range(node, "column index", j, ctx.derived(DimOp.ADD, j, ctx.constant(1)), ctx.dim(a, 1), a);
            }
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            String a = ctx.ref(node.input(0));
            if (dynamicIndices(ctx, node)) {
                // An index that changes inside a loop or branch: checked here rather than before any work.
                if (flat) {
                    String k = ctx.ref(node.input(1));
                    ctx.beginControlFlow("if ($L < 0 || $L >= $L.getNumElements())", k, k, a);
                    ctx.statement("throw new $T($S + $L + $S + $T.shape($L) + $S)", IndexOutOfBoundsException.class,
                            ctx.describe(node) + ": index ", k, " is out of range for the ", KERNELS, a, " matrix");
                } else {
                    String i = ctx.ref(node.input(1));
                    String j = ctx.ref(node.input(2));
                    ctx.beginControlFlow("if ($L < 0 || $L >= $L.numRows || $L < 0 || $L >= $L.numCols)", i, i, a, j, j, a);
                    ctx.statement("throw new $T($S + $L + $S + $L + $S + $T.shape($L) + $S)", IndexOutOfBoundsException.class,
                            ctx.describe(node) + ": entry (", i, ", ", j, ") is out of range for the ", KERNELS, a, " matrix");
                }
                ctx.endControlFlow();
            }
            if (flat) {
                ctx.define(node, "$L.data[$L]", a, ctx.ref(node.input(1)));
            } else {
                ctx.define(node, "$L.unsafe_get($L, $L)", a, ctx.ref(node.input(1)), ctx.ref(node.input(2)));
            }
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            java.util.List<Integer> in = new java.util.ArrayList<>(node.inputs());
            in.add(ct);
            ctx.accumulate(0, ctx.builder().apply(new EntryInZeros(flat), dev.adjoint.processor.ir.Origin.NONE, in));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            if (!ctx.has(0)) return -1;
            java.util.List<Integer> in = new java.util.ArrayList<>(node.inputs());
            in.set(0, ctx.tangent(0));
            return ctx.builder().apply(new Entry(flat), dev.adjoint.processor.ir.Origin.NONE, in);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            String a = ctx.print(node.input(0)).at(Formula.ATOM);
            return Formula.atom(a + "[" + index(ctx, node.input(1)) + (flat ? "" : ", " + index(ctx, node.input(2))) + "]");
        }
    }

    /** Zeros shaped like A with g at one entry (inputs A, i, j, g or A, k, g): the adjoint of {@link Entry}. */
    public record EntryInZeros(boolean flat) implements ShapedLikeFirstInput, BackwardOnly {
        @Override
        public void emit(EmitContext ctx, Node node) {
            String a = ctx.ref(node.input(0));
            String k = flat ? ctx.ref(node.input(1)) : ctx.ref(node.input(1)) + " * " + a + ".numCols + " + ctx.ref(node.input(2));
            ctx.statement("$T.entryInZeros($L, $L, $L, $L)", KERNELS, a, k, ctx.ref(node.input(flat ? 2 : 3)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            int g = flat ? 2 : 3;
            if (!ctx.has(g)) return -1;
            java.util.List<Integer> in = new java.util.ArrayList<>(node.inputs());
            in.set(g, ctx.tangent(g));
            return ctx.builder().apply(new EntryInZeros(flat), dev.adjoint.processor.ir.Origin.NONE, in);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            String at = index(ctx, node.input(1)) + (flat ? "" : ", " + index(ctx, node.input(2)));
            return ScalarOps.scaled(ctx, node.input(flat ? 2 : 3), Formula.atom("E[" + at + "]"));
        }
    }

    /** {@code A[r0:r1, c0:c1]} (inputs A, r0, r1, c0, c1): extractMatrix, rows, cols, getRow, getColumn, extractVector. */
    public record Block() implements MatrixOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            int a = node.input(0);
            int r0 = ctx.intValue(node.input(1));
            int r1 = ctx.intValue(node.input(2));
            int c0 = ctx.intValue(node.input(3));
            int c1 = ctx.intValue(node.input(4));
            ctx.range(node, "rows", r0, r1, ctx.dim(a, 0), a);
            ctx.range(node, "columns", c0, c1, ctx.dim(a, 1), a);
            ctx.setShape(node, ctx.derived(DimOp.SUB, r1, r0), ctx.derived(DimOp.SUB, c1, c0));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            if (dynamicIndices(ctx, node)) {
                // Indices that change inside a loop or branch (X.getColumn(t)): checked here rather than before any work.
                String a = ctx.ref(node.input(0));
                String r0 = ctx.ref(node.input(1));
                String r1 = ctx.ref(node.input(2));
                String c0 = ctx.ref(node.input(3));
                String c1 = ctx.ref(node.input(4));
                ctx.beginControlFlow("if ($L < 0 || $L > $L || $L > $L.numRows || $L < 0 || $L > $L || $L > $L.numCols)",
                        r0, r0, r1, r1, a, c0, c0, c1, c1, a);
                ctx.statement("throw new $T($S + $L + $S + $L + $S + $L + $S + $L + $S + $T.shape($L) + $S)",
                        IndexOutOfBoundsException.class, ctx.describe(node) + ": rows ", r0, "..", r1, ", columns ", c0, "..", c1,
                        " are out of range for the ", KERNELS, a, " matrix");
                ctx.endControlFlow();
            }
            ctx.statement("$T.extract($L, $L, $L, $L, $L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)),
                    ctx.ref(node.input(2)), ctx.ref(node.input(3)), ctx.ref(node.input(4)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            ctx.accumulate(0, ctx.builder().apply(new InsertInZeros(), ct, node.input(0), node.input(1), node.input(3)));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            if (!ctx.has(0)) return -1;
            return ctx.builder().apply(new Block(), ctx.tangent(0), node.input(1), node.input(2), node.input(3), node.input(4));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula f = Formula.atom(ctx.print(node.input(0)).at(Formula.ATOM) + "[" + index(ctx, node.input(1)) + ":"
                    + index(ctx, node.input(2)) + ", " + index(ctx, node.input(3)) + ":" + index(ctx, node.input(4)) + "]");
            return transposed ? ctx.transposeOf(f) : f;
        }
    }

    /** Zeros shaped like A with G at (r0, c0) (inputs G, A, r0, c0): the adjoint of {@link Block}. */
    public record InsertInZeros() implements MatrixOp, BackwardOnly {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.shapeLike(node, node.input(1));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.insertInZeros($L, $L, $L, $L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)),
                    ctx.ref(node.input(2)), ctx.ref(node.input(3)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            if (!ctx.has(0)) return -1;
            return ctx.builder().apply(new InsertInZeros(), ctx.tangent(0), node.input(1), node.input(2), node.input(3));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("pad(" + ctx.print(node.input(0)).text() + " at " + index(ctx, node.input(2)) + ", "
                    + index(ctx, node.input(3)) + ")");
        }
    }

    /** {@code [A, B]} ({@code columns}, EJML's concatColumns) or {@code [A; B]} (concatRows). */
    public record Concat(boolean columns) implements MatrixOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            int a = node.input(0);
            int b = node.input(1);
            int keep = columns ? 0 : 1;
            int grow = 1 - keep;
            ctx.unify(ctx.dim(a, keep), ctx.dim(b, keep), node, columns ? "rows of the concatenated matrices"
                    : "columns of the concatenated matrices");
            int sum = ctx.derived(DimOp.ADD, ctx.dim(a, grow), ctx.dim(b, grow));
            if (columns) {
                ctx.setShape(node, ctx.dim(a, 0), sum);
            } else {
                ctx.setShape(node, sum, ctx.dim(a, 1));
            }
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.$L($L, $L, $L, $S)", KERNELS, columns ? "concatColumns" : "concatRows", ctx.ref(node.input(0)),
                    ctx.ref(node.input(1)), ctx.ref(node.id()), ctx.describe(node));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            Builder b = ctx.builder();
            int first = node.input(0);
            if (ctx.needs(0)) ctx.accumulate(0, b.apply(new BlockLike(columns, false), ct, first, first));
            if (ctx.needs(1)) ctx.accumulate(1, b.apply(new BlockLike(columns, true), ct, node.input(1), first));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            Builder b = ctx.builder();
            int ta = ctx.has(0) ? ctx.tangent(0) : zerosLike(b, node.input(0));
            int tb = ctx.has(1) ? ctx.tangent(1) : zerosLike(b, node.input(1));
            return b.apply(new Concat(columns), ta, tb);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula f = Formula.atom("[" + ctx.print(node.input(0)).text() + (columns ? ", " : "; ")
                    + ctx.print(node.input(1)).text() + "]");
            return transposed ? ctx.transposeOf(f) : f;
        }
    }

    static int zerosLike(Builder b, int like) {
        return b.apply(new Broadcasting.FillLike(), like, b.constant(0));
    }

    /**
     * The part of a concatenation's cotangent G shaped like {@code like} (inputs G, like, first):
     * at offset 0, or ({@code afterFirst}) after the first operand's columns (rows).
     */
    public record BlockLike(boolean columns, boolean afterFirst) implements MatrixOp, BackwardOnly {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.shapeLike(node, node.input(1));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            String offset = afterFirst ? ctx.ref(node.input(2)) + (columns ? ".numCols" : ".numRows") : "0";
            ctx.statement("$T.blockLike($L, $L, $L, $L, $L)", KERNELS, ctx.ref(node.input(0)), columns ? "0" : offset,
                    columns ? offset : "0", ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            if (!ctx.has(0)) return -1;
            return ctx.builder().apply(new BlockLike(columns, afterFirst), ctx.tangent(0), node.input(1), node.input(2));
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            String part = (afterFirst ? "second " : "first ") + (columns ? "columns" : "rows");
            return Formula.atom(ctx.print(node.input(0)).at(Formula.ATOM) + "[" + part + "]");
        }
    }

    /** EJML's {@code A.diag()}: a vector's diagonal matrix, or a matrix's diagonal as a column. */
    public record Diag() implements MatrixOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            int r = ctx.dim(node.input(0), 0);
            int c = ctx.dim(node.input(0), 1);
            ctx.setShape(node, ctx.derived(DimOp.DIAG_ROWS, r, c), ctx.derived(DimOp.DIAG_COLS, r, c));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.diag($L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            ctx.accumulate(0, ctx.builder().apply(new DiagBackward(), ct, node.input(0)));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.has(0) ? ctx.builder().apply(new Diag(), ctx.tangent(0)) : -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula f = Formula.atom("diag(" + ctx.print(node.input(0)).text() + ")");
            return transposed ? ctx.transposeOf(f) : f;
        }
    }

    /** The adjoint of {@link Diag} (inputs G, A), shaped like A. */
    public record DiagBackward() implements MatrixOp, BackwardOnly {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.shapeLike(node, node.input(1));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.diagBackward($L, $L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.has(0) ? ctx.builder().apply(new DiagBackward(), ctx.tangent(0), node.input(1)) : -1;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("diag*(" + ctx.print(node.input(0)).text() + ")");
        }
    }

    /** {@code A ⊗ B}, EJML's {@code A.kron(B)}. */
    public record Kron() implements MatrixOp {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            int a = node.input(0);
            int b = node.input(1);
            ctx.setShape(node, ctx.derived(DimOp.MUL, ctx.dim(a, 0), ctx.dim(b, 0)),
                    ctx.derived(DimOp.MUL, ctx.dim(a, 1), ctx.dim(b, 1)));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.kron($L, $L, $L)", KERNELS, ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.id()));
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            Builder b = ctx.builder();
            int a = node.input(0);
            int bb = node.input(1);
            if (ctx.needs(0)) ctx.accumulate(0, b.apply(new KronBackward(true), ct, bb, a));
            if (ctx.needs(1)) ctx.accumulate(1, b.apply(new KronBackward(false), ct, a, bb));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            Builder b = ctx.builder();
            return ctx.sum(ctx.has(0) ? b.apply(new Kron(), ctx.tangent(0), node.input(1)) : -1,
                    ctx.has(1) ? b.apply(new Kron(), node.input(0), ctx.tangent(1)) : -1);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return new Formula(ctx.print(node.input(0), transposed).at(Formula.PRODUCT) + " ⊗ "
                    + ctx.print(node.input(1), transposed).at(Formula.PRODUCT + 1), Formula.PRODUCT);
        }
    }

    /**
     * The adjoint of {@code A ⊗ B} in A ({@code left}; inputs G, B, A) or in B (inputs G, A, B):
     * the cotangent's blocks paired with the other factor, shaped like the last input.
     */
    public record KronBackward(boolean left) implements MatrixOp, BackwardOnly {
        @Override
        public void shape(ShapeContext ctx, Node node) {
            ctx.shapeLike(node, node.input(2));
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            ctx.statement("$T.$L($L, $L, $L, $L)", KERNELS, left ? "kronBackwardLeft" : "kronBackwardRight",
                    ctx.ref(node.input(0)), ctx.ref(node.input(1)), ctx.ref(node.input(2)), ctx.ref(node.id()));
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            // Bilinear in (G, other); the shape operand only sizes the result.
            Builder b = ctx.builder();
            return ctx.sum(ctx.has(0) ? b.apply(new KronBackward(left), ctx.tangent(0), node.input(1), node.input(2)) : -1,
                    ctx.has(1) ? b.apply(new KronBackward(left), node.input(0), ctx.tangent(1), node.input(2)) : -1);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            // blockᵢⱼ(G) is the r_B×c_B block of G that Aᵢⱼ scales in A ⊗ B.
            String g = ctx.print(node.input(0)).text();
            String other = ctx.print(node.input(1)).text();
            return left
                    ? Formula.atom("[⟨blockᵢⱼ(" + g + "), " + other + "⟩]ᵢⱼ")
                    : Formula.atom("Σᵢⱼ " + ctx.print(node.input(1)).at(Formula.ATOM) + "ᵢⱼ·blockᵢⱼ(" + g + ")");
        }
    }
}
