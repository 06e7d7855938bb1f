package dev.adjoint.processor.diag;

import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;

/**
 * Numerically fragile spellings in a {@code @Differentiable} method's body, found on javac's
 * (attributed) tree so that each warning is on the exact sub-expression: {@code Math.log(A.determinant())},
 * {@code A.invert().mult(B)}, {@code Math.log(1 + Math.exp(x))}, {@code Math.log(A.elementExp().elementSum())},
 * {@code Math.sqrt(Ops.sumSquares(A))} and a squared {@code A.normF()}. Each finding says why the
 * spelling is fragile and what to write instead ({@code ADJ502}–{@code ADJ507} in docs/errors.md).
 * Calls are matched on their resolved methods, so static imports and qualified calls are alike.
 */
public final class NumericalLint {
    /** One warning: its code, the sub-expression it is on, the message (without the code). */
    public record Finding(Code code, Tree tree, String message) {}

    private static final String MATH = "java.lang.Math";
    private static final String SIMPLE_BASE = "org.ejml.simple.SimpleBase";
    private static final String OPS = "dev.adjoint.runtime.Ops";

    private final Trees trees;
    private final TreePath method;
    private final List<Finding> findings = new ArrayList<>();
    /** Sub-expressions already reported (a squared norm inside a longer product is reported once). */
    private final Map<Tree, Boolean> reported = new IdentityHashMap<>();

    private NumericalLint(Trees trees, TreePath method) {
        this.trees = trees;
        this.method = method;
    }

    /** The findings in the body of the method at {@code methodPath} (already attributed), in source order. */
    public static List<Finding> check(Trees trees, TreePath methodPath) {
        NumericalLint lint = new NumericalLint(trees, methodPath);
        MethodTree tree = (MethodTree) methodPath.getLeaf();
        if (tree.getBody() != null) {
            lint.scan(new TreePath(methodPath, tree.getBody()));
        }
        return lint.findings;
    }

    private void scan(TreePath body) {
        new TreePathScanner<Void, Void>() {
            @Override
            public Void visitMethodInvocation(MethodInvocationTree call, Void unused) {
                inspect(call, getCurrentPath());
                return super.visitMethodInvocation(call, unused);
            }

            @Override
            public Void visitBinary(BinaryTree binary, Void unused) {
                if (binary.getKind() == Tree.Kind.MULTIPLY) {
                    squaredNormProduct(binary, getCurrentPath());
                }
                return super.visitBinary(binary, unused);
            }
        }.scan(body, null);
    }

    private void inspect(MethodInvocationTree call, TreePath path) {
        if (is(call, path, MATH, "log")) {
            ExpressionTree arg = strip(call.getArguments().get(0));
            TreePath argPath = pathOf(arg, path);
            if (arg instanceof MethodInvocationTree inner && is(inner, argPath, SIMPLE_BASE, "determinant")) {
                String a = receiver(inner);
                report(Code.ADJ502, call, "Math.log(" + a + ".determinant()) overflows: the determinant of an n×n matrix is a "
                        + "product of n factors, which for n ≈ 400 exceeds 1e308 (Infinity) or falls below 1e-308 (0) "
                        + "where its logarithm is an ordinary number; for a symmetric positive definite " + a
                        + " write Ops.logDet(" + a + ") (Cholesky, 2·Σ log Lᵢᵢ, which never overflows and is half the work of LU)");
            } else if (arg instanceof MethodInvocationTree inner && is(inner, argPath, SIMPLE_BASE, "elementSum")
                    && strip(((MemberSelectTree) inner.getMethodSelect()).getExpression()) instanceof MethodInvocationTree exp
                    && is(exp, pathOf(exp, argPath), SIMPLE_BASE, "elementExp")) {
                String a = receiver(exp);
                report(Code.ADJ505, call, "Math.log(" + a + ".elementExp().elementSum()) overflows: e^a is Infinity for any entry "
                        + "above 709, and the sum underflows to 0 (log gives -Infinity) when every entry is below -745; "
                        + "write Ops.logSumExp(" + a + "), which shifts by the largest entry and never overflows");
            } else if (onePlusExp(arg, argPath) != null) {
                String x = onePlusExp(arg, argPath);
                report(Code.ADJ504, call, "Math.log(1 + Math.exp(" + x + ")) overflows and cancels: Math.exp(" + x + ") is Infinity "
                        + "for " + x + " > 709 (the result should be ≈ " + x + "), and 1 + e^" + x + " rounds to 1 for " + x
                        + " < -37 (the result should be ≈ e^" + x + ", not 0); write softplus, computed as max(x, 0) + log1p(e^-|x|): "
                        + "Ops.softplus(A) on a matrix, or Ops.softplus(SimpleMatrix.filled(1, 1, " + x + ")).elementSum() for a scalar");
            }
        } else if (is(call, path, MATH, "sqrt")) {
            ExpressionTree arg = strip(call.getArguments().get(0));
            if (arg instanceof MethodInvocationTree inner && is(inner, pathOf(arg, path), OPS, "sumSquares")) {
                String a = shortName(inner.getArguments().get(0), "A");
                report(Code.ADJ506, call, "Math.sqrt(sumSquares(" + a + ")) is not differentiable at " + a + " = 0: the derivative "
                        + "of the square root, 1/(2√s), is infinite there, so the gradient is NaN, and the sum of squares "
                        + "overflows for entries above 1e154; write " + a + ".normF() (scaled, no overflow), or keep the "
                        + "squared norm Ops.sumSquares(" + a + "), smooth everywhere, if the loss allows");
            }
        } else if (is(call, path, MATH, "pow")) {
            ExpressionTree base = strip(call.getArguments().get(0));
            if (base instanceof MethodInvocationTree inner && is(inner, pathOf(base, path), SIMPLE_BASE, "normF")
                    && isLiteral(call.getArguments().get(1), 2)) {
                squaredNorm(call, receiver(inner));
            }
        } else if (is(call, path, SIMPLE_BASE, "mult")) {
            ExpressionTree target = strip(((MemberSelectTree) call.getMethodSelect()).getExpression());
            if (target instanceof MethodInvocationTree inner && is(inner, pathOf(target, path), SIMPLE_BASE, "invert")) {
                String a = receiver(inner);
                String b = shortName(call.getArguments().get(0), "B");
                report(Code.ADJ503, call, a + ".invert().mult(" + b + ") forms the inverse: an extra n³ of work, and the "
                        + "product inherits the inverse's rounding error (about κ(" + a + ")·ε per entry) where a solve is "
                        + "backward stable; write " + a + ".solve(" + b + ") (the generated value() already solves, but the "
                        + "method itself runs eagerly as written)");
            }
        }
    }

    /** {@code ... * A.normF() * A.normF()}: the product that squares the norm. */
    private void squaredNormProduct(BinaryTree binary, TreePath path) {
        String right = normReceiver(binary.getRightOperand(), path);
        if (right == null) {
            return;
        }
        ExpressionTree left = strip(binary.getLeftOperand());
        if (right.equals(normReceiver(left, path))) {
            squaredNorm(binary, right);
        } else if (left instanceof BinaryTree inner && inner.getKind() == Tree.Kind.MULTIPLY
                && right.equals(normReceiver(inner.getRightOperand(), pathOf(inner, path)))
                && !right.equals(normReceiver(inner.getLeftOperand(), pathOf(inner, path)))) {
            // s * A.normF() * A.normF(); but in A.normF() * A.normF() * A.normF() only the inner product is a square
            squaredNorm(binary, right);
        }
    }

    private void squaredNorm(Tree tree, String a) {
        report(Code.ADJ507, tree, a + ".normF() squared is not differentiable at " + a + " = 0 as written: the gradient of the "
                + "norm, " + a + "/‖" + a + "‖, is 0/0 there, although ‖" + a + "‖² is smooth; Adjoint computes it as "
                + "sumSquares(" + a + "), so the generated gradient is right, but write Ops.sumSquares(" + a
                + ") so that the method says what it computes (and skips the square root)");
    }

    /** The receiver of {@code A.normF()} (parentheses stripped), or null for anything else. */
    private String normReceiver(ExpressionTree expr, TreePath parent) {
        ExpressionTree e = strip(expr);
        return e instanceof MethodInvocationTree call && is(call, pathOf(e, parent), SIMPLE_BASE, "normF") ? receiver(call) : null;
    }

    /** x for {@code 1 + Math.exp(x)} or {@code Math.exp(x) + 1}, else null. */
    private String onePlusExp(ExpressionTree arg, TreePath path) {
        if (!(arg instanceof BinaryTree sum) || sum.getKind() != Tree.Kind.PLUS) {
            return null;
        }
        for (ExpressionTree[] pair : new ExpressionTree[][] {{sum.getLeftOperand(), sum.getRightOperand()},
                {sum.getRightOperand(), sum.getLeftOperand()}}) {
            ExpressionTree other = strip(pair[1]);
            if (isLiteral(pair[0], 1) && other instanceof MethodInvocationTree exp && is(exp, pathOf(other, path), MATH, "exp")) {
                return shortName(exp.getArguments().get(0), "x");
            }
        }
        return null;
    }

    private static boolean isLiteral(ExpressionTree expr, double value) {
        return strip(expr) instanceof LiteralTree literal && literal.getValue() instanceof Number n && n.doubleValue() == value;
    }

    private void report(Code code, Tree tree, String message) {
        if (reported.put(tree, Boolean.TRUE) == null) {
            findings.add(new Finding(code, tree, message));
        }
    }

    /** Whether the call resolves to {@code owner.name} (an inherited EJML method counts as SimpleBase's). */
    private boolean is(MethodInvocationTree call, TreePath path, String owner, String name) {
        Element element = trees.getElement(new TreePath(path, call.getMethodSelect()));
        return element instanceof ExecutableElement m && m.getSimpleName().contentEquals(name)
                && m.getEnclosingElement() instanceof TypeElement type && type.getQualifiedName().contentEquals(owner);
    }

    private static String receiver(MethodInvocationTree call) {
        return call.getMethodSelect() instanceof MemberSelectTree select ? shortName(select.getExpression(), "A") : "A";
    }

    /** The expression as written, or {@code fallback} (A, B, x) when it is too long to repeat in a message. */
    private static String shortName(ExpressionTree expr, String fallback) {
        String text = expr.toString();
        return text.length() <= 24 ? text : fallback;
    }

    private TreePath pathOf(Tree tree, TreePath parent) {
        TreePath found = TreePath.getPath(parent, tree);
        return found != null ? found : new TreePath(parent, tree);
    }

    private static ExpressionTree strip(ExpressionTree expr) {
        while (expr instanceof ParenthesizedTree p) {
            expr = p.getExpression();
        }
        return expr;
    }
}
