package dev.adjoint.processor.ops;

import static dev.adjoint.processor.ops.Ejml.COMMON_OPS;
import static dev.adjoint.processor.ops.Ejml.KERNELS;

import dev.adjoint.processor.ir.Node;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code Σ ±cᵢ·termᵢ} where a term is a matrix, a product {@code op(A)·op(B)} or an identity:
 * the lowering of a tree of sums, differences and scalings whose intermediate results have no
 * other use. The first term is written into the result (a product with its coefficient as
 * EJML's alpha), the others are accumulated into it ({@code multAdd}, {@code addEquals}, a
 * diagonal update), so no intermediate sum, scaled copy or identity is materialized. Formed by
 * the {@code linear-combination} lowering pass after differentiation; never differentiated.
 *
 * <p>Inputs, term by term: the coefficient (when {@link Term#scaled}), then the operands:
 * A and B for a product, the matrix, or the identity's size.
 */
public record LinearCombination(List<Term> terms) implements MatrixOp {
    public enum Kind { MATRIX, PRODUCT, IDENTITY }

    /**
     * One term.
     *
     * @param scaled whether a coefficient input precedes the operands (else the coefficient is 1)
     * @param negated whether the term is subtracted
     */
    public record Term(Kind kind, boolean transA, boolean transB, boolean scaled, boolean negated) implements java.io.Serializable {
        int operands() {
            return kind == Kind.PRODUCT ? 2 : 1;
        }
    }

    public LinearCombination {
        terms = List.copyOf(terms);
        if (terms.isEmpty() || terms.get(0).kind() == Kind.IDENTITY) {
            throw new IllegalArgumentException("the first term must give the result its shape: " + terms);
        }
    }

    /** Offsets of each term's first input. */
    private int[] offsets() {
        int[] offsets = new int[terms.size()];
        int at = 0;
        for (int t = 0; t < terms.size(); t++) {
            offsets[t] = at;
            at += (terms.get(t).scaled() ? 1 : 0) + terms.get(t).operands();
        }
        return offsets;
    }

    @Override
    public void shape(ShapeContext ctx, Node node) {
        int[] offsets = offsets();
        int rows = -1;
        int cols = -1;
        for (int t = 0; t < terms.size(); t++) {
            Term term = terms.get(t);
            int first = offsets[t] + (term.scaled() ? 1 : 0);
            int r;
            int c;
            switch (term.kind()) {
                case PRODUCT -> {
                    int a = node.input(first);
                    int b = node.input(first + 1);
                    ctx.unify(ctx.dim(a, term.transA() ? 0 : 1), ctx.dim(b, term.transB() ? 1 : 0), node,
                            "inner dimensions of the product");
                    r = ctx.dim(a, term.transA() ? 1 : 0);
                    c = ctx.dim(b, term.transB() ? 0 : 1);
                }
                case MATRIX -> {
                    r = ctx.dim(node.input(first), 0);
                    c = ctx.dim(node.input(first), 1);
                }
                default -> {
                    r = ctx.intValue(node.input(first));
                    c = r;
                }
            }
            if (t == 0) {
                rows = r;
                cols = c;
            } else {
                ctx.unify(rows, r, node, "rows of the terms of the sum");
                ctx.unify(cols, c, node, "columns of the terms of the sum");
            }
        }
        ctx.setShape(node, rows, cols);
    }

    /** True when the sum reads {@code operand} once, as a term of its own (Σ∂W + G·hᵀ onto Σ∂W). */
    @Override
    public boolean accumulatesOnto(Node node, int operand) {
        int[] offsets = offsets();
        int reads = 0;
        boolean asTerm = false;
        for (int in : node.inputs()) {
            reads += in == operand ? 1 : 0;
        }
        for (int t = 0; t < terms.size(); t++) {
            int first = offsets[t] + (terms.get(t).scaled() ? 1 : 0);
            asTerm |= terms.get(t).kind() == Kind.MATRIX && node.input(first) == operand;
        }
        return reads == 1 && asTerm;
    }

    @Override
    public void emit(EmitContext ctx, Node node) {
        int[] offsets = offsets();
        String out = ctx.ref(node.id());
        com.palantir.javapoet.CodeBlock.Builder code = com.palantir.javapoet.CodeBlock.builder();
        int inPlace = -1; // the term whose matrix is the output's own storage (accumulatesOnto)
        for (int t = 0; t < terms.size() && inPlace < 0; t++) {
            int first = offsets[t] + (terms.get(t).scaled() ? 1 : 0);
            if (terms.get(t).kind() == Kind.MATRIX && ctx.ref(node.input(first)).equals(out)) {
                inPlace = t;
            }
        }
        if (inPlace >= 0) {
            String alpha = alpha(ctx, node, offsets, inPlace);
            if (alpha != null) {
                code.addStatement("$T.scale($L, $L)", COMMON_OPS, alpha, out);
            }
            for (int t = 0; t < terms.size(); t++) {
                if (t != inPlace) {
                    emitTerm(ctx, node, offsets, t, true, out, code);
                }
            }
            ctx.block(code.build());
            return;
        }
        int start = 0;
        if (terms.size() >= 2 && outerShaped(terms.get(0)) && outerShaped(terms.get(1))) {
            // a·bᵀ + c·dᵀ (the tied autoencoder's W·r·xᵀ + W·x·rᵀ): one pass over the result for one sample
            int first0 = offsets[0] + (terms.get(0).scaled() ? 1 : 0);
            int first1 = offsets[1] + (terms.get(1).scaled() ? 1 : 0);
            code.add(ctx.productPair(alpha(ctx, node, offsets, 0), ctx.ref(node.input(first0)), ctx.ref(node.input(first0 + 1)),
                    alpha(ctx, node, offsets, 1), ctx.ref(node.input(first1)), ctx.ref(node.input(first1 + 1)), out));
            start = 2;
        }
        for (int t = start; t < terms.size(); t++) {
            emitTerm(ctx, node, offsets, t, t > 0, out, code);
        }
        ctx.block(code.build());
    }

    /** Term {@code t} written into {@code out}, or added onto it with {@code accumulate}. */
    private void emitTerm(EmitContext ctx, Node node, int[] offsets, int t, boolean accumulate, String out,
            com.palantir.javapoet.CodeBlock.Builder code) {
        Term term = terms.get(t);
        String alpha = alpha(ctx, node, offsets, t);
        int first = offsets[t] + (term.scaled() ? 1 : 0);
        switch (term.kind()) {
            case PRODUCT -> code.add(ctx.product(alpha, ctx.ref(node.input(first)), term.transA(),
                    ctx.ref(node.input(first + 1)), term.transB(), out, accumulate));
            case MATRIX -> {
                String x = ctx.ref(node.input(first));
                if (!accumulate) {
                    if (alpha == null) {
                        code.addStatement("$T.copy($L, $L)", KERNELS, x, out);
                    } else {
                        code.addStatement("$T.scale($L, $L, $L)", COMMON_OPS, alpha, x, out);
                    }
                } else if (alpha == null) {
                    code.addStatement("$T.addEquals($L, $L)", COMMON_OPS, out, x);
                } else if (!term.scaled()) {
                    code.addStatement("$T.subtractEquals($L, $L)", COMMON_OPS, out, x);
                } else {
                    code.addStatement("$T.addEquals($L, $L, $L)", COMMON_OPS, out, alpha, x);
                }
            }
            case IDENTITY -> code.addStatement("$T.addToDiagonal($L, $L)", KERNELS, out, alpha == null ? "1.0" : alpha);
        }
    }

    private static boolean outerShaped(Term term) {
        return term.kind() == Kind.PRODUCT && !term.transA() && term.transB();
    }

    /** Term {@code t}'s coefficient as EJML's alpha, its sign folded in; null for 1. */
    private String alpha(EmitContext ctx, Node node, int[] offsets, int t) {
        Term term = terms.get(t);
        String coefficient = term.scaled() ? ctx.ref(node.input(offsets[t])) : null;
        return coefficient == null ? (term.negated() ? "-1.0" : null)
                : !term.negated() ? coefficient
                : coefficient.startsWith("-") ? coefficient.substring(1) : "-" + coefficient; // a literal or a name
    }

    @Override
    public void adjoint(AdjointContext ctx, Node node, int ct) {
        throw new IllegalStateException("linear combinations are formed by lowering, after differentiation");
    }

    @Override
    public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
        int[] offsets = offsets();
        StringBuilder text = new StringBuilder();
        for (int t = 0; t < terms.size(); t++) {
            Term term = terms.get(t);
            int first = offsets[t] + (term.scaled() ? 1 : 0);
            List<String> factors = new ArrayList<>();
            if (term.scaled()) {
                factors.add(ctx.print(node.input(offsets[t])).at(Formula.PRODUCT));
            }
            switch (term.kind()) {
                case PRODUCT -> {
                    boolean ta = term.transA() != transposed;
                    boolean tb = term.transB() != transposed;
                    String a = ctx.print(node.input(first), ta).at(Formula.PRODUCT);
                    String b = ctx.print(node.input(first + 1), tb).at(Formula.PRODUCT);
                    factors.add(transposed ? b : a);
                    factors.add(transposed ? a : b);
                }
                case MATRIX -> factors.add(ctx.print(node.input(first), transposed)
                        .at(factors.isEmpty() && !term.negated() ? Formula.SUM : Formula.PRODUCT));
                case IDENTITY -> factors.add("I");
            }
            String body = String.join("·", factors);
            boolean negated = term.negated();
            if (body.startsWith("−")) { // a + −x reads as a − x
                body = body.substring(1);
                negated = !negated;
            }
            if (t == 0) {
                text.append(negated ? "−" : "").append(body);
            } else {
                text.append(negated ? " − " : " + ").append(body);
            }
        }
        return new Formula(text.toString(), terms.size() == 1 && !terms.get(0).negated() ? Formula.PRODUCT : Formula.SUM);
    }
}
