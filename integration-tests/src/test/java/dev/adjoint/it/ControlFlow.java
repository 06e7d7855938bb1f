package dev.adjoint.it;

import static dev.adjoint.runtime.Ops.*;

import dev.adjoint.Differentiable;
import dev.adjoint.Precision;
import org.ejml.simple.SimpleMatrix;

/** Loops and branches (issue 9, item 3): one {@code @Differentiable} method per construct. */
@SuppressWarnings("deprecation")
final class ControlFlow {
    private ControlFlow() {
    }

    /** A tanh RNN over the columns of X (T = X.numCols()): h ← tanh(W·h + U·xₜ + b). */
    @Differentiable(wrt = {"W", "U", "b", "h0"})
    static double rnn(SimpleMatrix W, SimpleMatrix U, SimpleMatrix b, SimpleMatrix h0, SimpleMatrix X) {
        SimpleMatrix h = h0;
        double loss = 0;
        for (int t = 0; t < X.numCols(); t++) {
            h = tanh(W.mult(h).plus(U.mult(X.getColumn(t))).plus(b));
            loss += 0.5 * sumSquares(h);
        }
        return loss + h.elementSum();
    }

    /** The same RNN in float32 and double (precision = {DOUBLE, FLOAT}): ControlFlow_RnnBoth and ControlFlow_RnnBoth_F32. */
    @Differentiable(wrt = {"W", "U", "b", "h0"}, precision = {Precision.DOUBLE, Precision.FLOAT})
    static double rnnBoth(SimpleMatrix W, SimpleMatrix U, SimpleMatrix b, SimpleMatrix h0, SimpleMatrix X) {
        SimpleMatrix h = h0;
        double loss = 0;
        for (int t = 0; t < X.numCols(); t++) {
            h = tanh(W.mult(h).plus(U.mult(X.getColumn(t))).plus(b));
            loss += 0.5 * sumSquares(h);
        }
        return loss + h.elementSum();
    }

    /**
     * The tanh RNN declared order = 2: H·d through the loop, by forward over reverse through both
     * the loop and its backward pass (a loop carrying each value with its tangent).
     */
    @Differentiable(wrt = {"W", "U", "b", "h0"}, order = 2)
    static double rnnSecondOrder(SimpleMatrix W, SimpleMatrix U, SimpleMatrix b, SimpleMatrix h0, SimpleMatrix X) {
        SimpleMatrix h = h0;
        double loss = 0;
        for (int t = 0; t < X.numCols(); t++) {
            h = tanh(W.mult(h).plus(U.mult(X.getColumn(t))).plus(b));
            loss += 0.5 * sumSquares(h);
        }
        return loss + h.elementSum();
    }

    /** Second order through nested loops with a branch inside and a while loop with break. */
    @Differentiable(wrt = {"W", "x"}, order = 2)
    static double loopsSecondOrder(SimpleMatrix W, double x, SimpleMatrix h0, int n, int m) {
        SimpleMatrix h = h0;
        double s = x;
        for (int i = 0; i < n; i++) {
            SimpleMatrix g = h.scale(s);
            for (int j = 0; j < m; j++) {
                g = g.elementSum() > 0 ? tanh(W.mult(g)) : W.mult(g).scale(0.5);
            }
            h = h.plus(g.scale(0.5));
            s = Math.sin(s) + x * 0.1;
        }
        int k = 0;
        while (s * s < 50) {
            s = s * 1.5 + x;
            k++;
            if (k > 20) {
                break;
            }
        }
        return sumSquares(h) * s;
    }

    /** An entry at int indices in a method declared order = 2: the index check runs in hessianVectorProduct too. */
    @Differentiable(wrt = "A", order = 2)
    static double entrySecondOrder(SimpleMatrix A, int i, int j) {
        double a = A.get(i, j);
        return a * a * a + sumSquares(A);
    }

    /** A scalar recurrence with an int bound: s ← s·x + 1, n times (trip counts 0, 1, many). */
    @Differentiable(wrt = "x")
    static double horner(double x, int n) {
        double s = 1;
        for (int i = 0; i < n; i++) {
            s = s * x + 1;
        }
        return s;
    }

    /** A matrix recurrence counting down with a step: A ← A·B/2 + A, i from n down to 1 by 2. */
    @Differentiable
    static double powerDown(SimpleMatrix A, SimpleMatrix B, int n) {
        SimpleMatrix P = A;
        for (int i = n; i > 0; i -= 2) {
            P = P.mult(B).scale(0.5).plus(A);
        }
        return sumSquares(P);
    }

    /** Nested loops with <= and a local declared without a value. */
    @Differentiable(wrt = "x")
    static double nested(double x, int n, int m) {
        double acc = 0;
        double term;
        for (int i = 1; i <= n; i++) {
            term = x;
            for (int j = 0; j < m; j += 1) {
                term = Math.tanh(term) + x * i;
            }
            acc += term;
        }
        return acc;
    }

    /** if/else on a wrt-dependent condition, both branches reachable; second order too (H·d per branch). */
    @Differentiable(order = 2)
    static double branch(SimpleMatrix A, double c) {
        double s = A.elementSum();
        SimpleMatrix B;
        if (s * c > 0) {
            B = A.scale(c);
        } else {
            B = A.elementMult(A).minus(A);
        }
        return sumSquares(B);
    }

    /** ?: on doubles, and boolean operators; second order too. */
    @Differentiable(order = 2)
    static double ternary(double x, double y) {
        boolean both = x > 0 && y > 0;
        double z = both || x == y ? x * y : x - 2 * y;
        return !(z >= 1) ? z * z : Math.exp(-z);
    }

    /** while with a double condition; break and continue. */
    @Differentiable(wrt = "x")
    static double whileBreak(double x, int limit) {
        double v = x;
        int k = 0;
        double total = 0;
        while (v * v < 10000) {
            k++;
            v = v * 1.5 + 0.25;
            if (k > limit) {
                break;
            }
            if (k == 2 || k == 4) {
                continue;
            }
            total += v * v;
        }
        return total + v;
    }

    /**
     * Two carried matrices, each step b ← a + b/2, a ← the old b: in the backward pass the
     * cotangent of b is both b's own accumulator and a's next value (not updatable in place).
     */
    @Differentiable
    static double swapRecurrence(SimpleMatrix A, SimpleMatrix B, int T) {
        SimpleMatrix a = A;
        SimpleMatrix b = B;
        for (int t = 0; t < T; t++) {
            SimpleMatrix next = a.plus(b.scale(0.5));
            a = b;
            b = next;
        }
        return sumSquares(a.elementMult(b)) + a.elementSum();
    }

    /**
     * A residual recurrence h ← h + W·h/4 and a skip h ← tanh(V·h) + h: the cotangent of h is read
     * twice in one update (Wᵀ·∂h + ∂h), and after the value the update is accumulated onto.
     */
    @Differentiable(wrt = {"W", "V", "h0"})
    static double residual(SimpleMatrix W, SimpleMatrix V, SimpleMatrix h0, int T) {
        SimpleMatrix h = h0;
        for (int t = 0; t < T; t++) {
            h = h.plus(W.mult(h).scale(0.25));
            h = tanh(V.mult(h)).plus(h);
        }
        return sumSquares(h);
    }

    /** Nested matrix recurrences: an inner tanh chain g ← tanh(W·g) from h, then h ← h + g/2. */
    @Differentiable(wrt = {"W", "h0"})
    static double nestedMatrix(SimpleMatrix W, SimpleMatrix h0, int n, int m) {
        SimpleMatrix h = h0;
        for (int i = 0; i < n; i++) {
            SimpleMatrix g = h;
            for (int j = 0; j < m; j++) {
                g = tanh(W.mult(g));
            }
            h = h.plus(g.scale(0.5));
        }
        return sumSquares(h);
    }

    /** h ← A·h: A must be square for h to keep its shape across iterations. */
    @Differentiable(wrt = {"A", "x"})
    static double carriedShape(SimpleMatrix A, SimpleMatrix x, int T) {
        SimpleMatrix h = x;
        for (int t = 0; t < T; t++) {
            h = A.mult(h).scale(0.5);
        }
        return sumSquares(h);
    }

    /** Rows, columns and entries indexed by the loop variable: blocks whose indices change per iteration. */
    @Differentiable
    static double blocksInLoop(SimpleMatrix A, int T) {
        double s = 0;
        for (int t = 0; t < T; t++) {
            s += sumSquares(A.getRow(t)) * A.get(t, 0) + A.getColumn(t).elementExp().elementSum();
        }
        return s;
    }

    /** One column, chosen by an int parameter. */
    @Differentiable
    static double columnAt(SimpleMatrix X, int j) {
        return sumSquares(X.getColumn(j).elementExp());
    }

    /** A branch that leaves a matrix local assigned in both branches, and an else-if chain. */
    @Differentiable(order = 2)
    static double piecewise(SimpleMatrix A, double s) {
        SimpleMatrix B;
        double w;
        if (s < -1) {
            B = A.scale(-1);
            w = 1;
        } else if (s <= 1) {
            B = A.elementMult(A).scale(s);
            w = s * s;
        } else {
            B = A.transpose().mult(A);
            w = 2;
        }
        return B.elementSum() * w;
    }

    /**
     * Blocks and entries of a loop-carried matrix after the loop, at indices that are int
     * parameters or a local computed before the loop: checked before any work (also in float32).
     */
    @Differentiable(precision = {Precision.DOUBLE, Precision.FLOAT})
    static double blocksAfterLoop(SimpleMatrix A, int n, int r0, int r1, int c0, int c1, int i, int j) {
        int last = A.getNumRows() - 1;
        SimpleMatrix B = A;
        for (int k = 0; k < n; k++) {
            B = B.elementMult(A).scale(0.5).plus(A);
        }
        return sumSquares(B.extractMatrix(r0, r1, c0, c1)) + B.get(i, j) * B.get(last, 0) + sumSquares(B.rows(r0, r1))
                + B.cols(c0, c1).elementSum() + B.getRow(i).elementSum() * B.getColumn(j).elementSum()
                + sumSquares(B.extractVector(true, last)) + B.get(i * A.getNumCols() + j);
    }

    /** Sizes of a loop-carried matrix read after the loop, as block bounds (and a divisor). */
    @Differentiable
    static double sizesAfterLoop(SimpleMatrix A, int n, int i) {
        SimpleMatrix B = A;
        for (int k = 0; k < n; k++) {
            B = B.elementMult(A).scale(0.5).plus(A);
        }
        int rows = B.getNumRows();
        return sumSquares(B.rows(rows - i, rows)) + B.extractMatrix(0, rows, i - 1, B.getNumCols()).elementSum() / rows
                + B.getRow(rows - i).elementSum();
    }

    /** Blocks whose sizes a loop computes, then indexed by a parameter: checked where they are read. */
    @Differentiable
    static double blockOfLoopSize(SimpleMatrix A, int n, int i) {
        int c = 1;
        for (int k = 0; k < n; k++) {
            c = c + 1;
        }
        SimpleMatrix top = A.rows(0, c);
        SimpleMatrix weights = SimpleMatrix.ones(c, 2);
        return sumSquares(top.getRow(i)) + top.elementSum() / top.getNumRows()
                + weights.getRow(i).elementSum() * top.get(i, 0) / weights.getNumRows();
    }

    /** Blocks of a matrix a branch assigns, at a parameter index and at a size read after the branch. */
    @Differentiable
    static double blocksAfterBranch(SimpleMatrix A, double s, int i) {
        SimpleMatrix B = A;
        if (s > 0) {
            B = A.elementMult(A).scale(s);
        }
        return sumSquares(B.getRow(i)) + B.getColumn(B.getNumCols() - 1).elementSum() * s;
    }
}
