package dev.adjoint.runtime.optim;

import java.util.Arrays;

/**
 * Limited-memory BFGS (Nocedal and Wright, <i>Numerical Optimization</i>, 2nd ed., algorithms
 * 7.4 and 7.5) with a strong-Wolfe line search (algorithms 3.5 and 3.6, cubic interpolation).
 *
 * <p>For smooth, deterministic objectives (full-batch losses, log-likelihoods), where it converges
 * far faster and tighter than first-order methods. Not for minibatch gradients: the curvature
 * pairs assume the same function at every step. If the variables are changed from outside between
 * steps, the next step notices, re-evaluates and starts a fresh history.
 *
 * <p>{@link #converged()} becomes true when the gradient norm is at most the gradient tolerance,
 * when a step decreases the cost by at most the relative tolerance, or when no step along either
 * the quasi-Newton direction or the steepest-descent direction decreases the cost (the point is
 * optimal to rounding).
 */
public final class Lbfgs implements Optimizer {

    /** Number of curvature pairs kept by default. */
    public static final int DEFAULT_HISTORY = 10;

    private static final double C1 = 1e-4;
    private static final double C2 = 0.9;
    private static final int MAX_LINE_SEARCH_EVALUATIONS = 30;
    private static final double MAX_STEP = 1e20;

    private final Objective objective;
    private final int history;
    private final int n;

    private final double[] x;
    private final double[] g;
    private final double[] xRead;
    private final double[] d;
    private final double[] xTrial;
    private final double[] gTrial;
    private final double[] gLo;
    private final double[] gNew;
    private final double[][] s;
    private final double[][] y;
    private final double[] rho;
    private final double[] alpha;

    private int count;
    private int newest = -1;
    private boolean valid;
    private double f;
    private double gradientNorm = Double.NaN;
    private boolean converged;
    private boolean lastSearchFailed;
    private double gradientTolerance = 0;
    private double relativeTolerance = 1e-13;
    private long iterations;

    // Line search results.
    private double searchStep;
    private double searchCost;

    /** L-BFGS keeping {@link #DEFAULT_HISTORY} curvature pairs. */
    public Lbfgs(Objective objective) {
        this(objective, DEFAULT_HISTORY);
    }

    /** L-BFGS keeping {@code history} (at least 1) curvature pairs. */
    public Lbfgs(Objective objective, int history) {
        if (history < 1) {
            throw new IllegalArgumentException("history must be at least 1 but is " + history);
        }
        this.objective = objective;
        this.history = history;
        this.n = objective.dimension();
        x = new double[n];
        g = new double[n];
        xRead = new double[n];
        d = new double[n];
        xTrial = new double[n];
        gTrial = new double[n];
        gLo = new double[n];
        gNew = new double[n];
        s = new double[history][n];
        y = new double[history][n];
        rho = new double[history];
        alpha = new double[history];
    }

    /** Converged once ‖∇‖ ≤ {@code tolerance} (default 0: only on the other criteria). Returns this. */
    public Lbfgs gradientTolerance(double tolerance) {
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must be non-negative but is " + tolerance);
        }
        this.gradientTolerance = tolerance;
        return this;
    }

    /**
     * Converged once a step decreases the cost by at most {@code tolerance}·max(|cost|, 1)
     * (default 1e-13). Returns this.
     */
    public Lbfgs relativeTolerance(double tolerance) {
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must be non-negative but is " + tolerance);
        }
        this.relativeTolerance = tolerance;
        return this;
    }

    /** Steps taken since creation or {@link #reset()}. */
    public long iterations() {
        return iterations;
    }

    @Override
    public Objective objective() {
        return objective;
    }

    @Override
    public boolean converged() {
        return converged;
    }

    @Override
    public double gradientNorm() {
        return gradientNorm;
    }

    @Override
    public void reset() {
        count = 0;
        newest = -1;
        valid = false;
        converged = false;
        lastSearchFailed = false;
        gradientNorm = Double.NaN;
        iterations = 0;
    }

    @Override
    public double step() {
        objective.read(xRead);
        if (!valid || !Arrays.equals(xRead, x)) {
            // First step, or the variables were changed from outside: start afresh from here.
            System.arraycopy(xRead, 0, x, 0, n);
            f = objective.evaluate(g);
            valid = true;
            count = 0;
            newest = -1;
            converged = false;
            lastSearchFailed = false;
        }
        iterations++;
        double start = f;
        gradientNorm = Math.sqrt(dot(g, g));
        if (!Double.isFinite(f) || !Double.isFinite(gradientNorm)) {
            throw new IllegalStateException(objective.function().name() + " is not finite at the current point: cost "
                    + f + ", gradient norm " + gradientNorm);
        }
        if (gradientNorm <= gradientTolerance || gradientNorm == 0) {
            converged = true;
            return objective.valueOf(start);
        }

        double initialStep = direction();
        double slope = dot(g, d);
        if (!(slope < 0)) {
            // Not a descent direction (curvature information gone stale): steepest descent.
            count = 0;
            newest = -1;
            for (int i = 0; i < n; i++) {
                d[i] = -g[i];
            }
            slope = -gradientNorm * gradientNorm;
            initialStep = 1 / gradientNorm;
        }

        if (lineSearch(slope, initialStep)) {
            double sy = 0;
            double yy = 0;
            int slot = (newest + 1) % history;
            double[] sk = s[slot];
            double[] yk = y[slot];
            for (int i = 0; i < n; i++) {
                sk[i] = xTrial[i] - x[i];
                yk[i] = gNew[i] - g[i];
                sy += sk[i] * yk[i];
                yy += yk[i] * yk[i];
            }
            if (sy > 1e-12 * yy && sy > 0) {
                rho[slot] = 1 / sy;
                newest = slot;
                count = Math.min(count + 1, history);
            }
            double decrease = f - searchCost;
            System.arraycopy(xTrial, 0, x, 0, n);
            System.arraycopy(gNew, 0, g, 0, n);
            f = searchCost;
            objective.write(x);
            lastSearchFailed = false;
            if (decrease <= relativeTolerance * Math.max(1, Math.abs(f))) {
                converged = true;
            }
        } else {
            objective.write(x); // back to the start point, whose cost and gradient are cached
            if (count == 0 || lastSearchFailed) {
                converged = true;
            }
            // Retry from here with steepest descent before giving up.
            count = 0;
            newest = -1;
            lastSearchFailed = true;
        }
        return objective.valueOf(start);
    }

    /** d = −H·g by the two-loop recursion; returns the initial trial step. */
    private double direction() {
        for (int i = 0; i < n; i++) {
            d[i] = g[i];
        }
        if (count == 0) {
            for (int i = 0; i < n; i++) {
                d[i] = -d[i];
            }
            return Math.min(1, 1 / Math.sqrt(dot(g, g)));
        }
        int k = newest;
        for (int j = 0; j < count; j++) {
            alpha[k] = rho[k] * dot(s[k], d);
            axpy(-alpha[k], y[k], d);
            k = (k - 1 + history) % history;
        }
        double gamma = 1 / (rho[newest] * dot(y[newest], y[newest]));
        for (int i = 0; i < n; i++) {
            d[i] *= gamma;
        }
        k = (newest - count + 1 + history) % history;
        for (int j = 0; j < count; j++) {
            double beta = rho[k] * dot(y[k], d);
            axpy(alpha[k] - beta, s[k], d);
            k = (k + 1) % history;
        }
        for (int i = 0; i < n; i++) {
            d[i] = -d[i];
        }
        return 1;
    }

    /**
     * Strong-Wolfe line search from x along d. On success, xTrial/gNew/searchCost hold the
     * accepted point; the objective's arguments hold whatever was evaluated last.
     */
    private boolean lineSearch(double slope, double initialStep) {
        double phi0 = f;
        double aPrev = 0;
        double fPrev = phi0;
        double dPrev = slope;
        System.arraycopy(g, 0, gLo, 0, n);
        double a = initialStep;
        int evaluations = 0;
        while (evaluations < MAX_LINE_SEARCH_EVALUATIONS) {
            double fa = evaluateAt(a);
            double da = dot(gTrial, d);
            evaluations++;
            if (!(fa <= phi0 + C1 * a * slope) || (evaluations > 1 && fa >= fPrev)) {
                return zoom(phi0, slope, aPrev, fPrev, dPrev, a, fa, da, evaluations);
            }
            if (Math.abs(da) <= -C2 * slope) {
                return accept(a, fa, gTrial);
            }
            if (da >= 0) {
                System.arraycopy(gTrial, 0, gLo, 0, n); // a becomes the low end
                return zoom(phi0, slope, a, fa, da, aPrev, fPrev, dPrev, evaluations);
            }
            aPrev = a;
            fPrev = fa;
            dPrev = da;
            System.arraycopy(gTrial, 0, gLo, 0, n);
            if (a >= MAX_STEP) {
                break;
            }
            a = Math.min(4 * a, MAX_STEP);
        }
        // Out of evaluations while the cost kept decreasing: take the best point seen.
        return aPrev > 0 && accept(aPrev, fPrev, gLo);
    }

    private boolean zoom(double phi0, double slope, double lo, double fLo, double dLo,
                         double hi, double fHi, double dHi, int evaluations) {
        while (evaluations < MAX_LINE_SEARCH_EVALUATIONS) {
            double width = hi - lo;
            if (Math.abs(width) <= 1e-16 * Math.max(Math.abs(lo), Math.abs(hi))) {
                break;
            }
            double a = cubicMinimizer(lo, fLo, dLo, hi, fHi, dHi);
            double left = Math.min(lo, hi);
            double right = Math.max(lo, hi);
            double margin = 0.1 * (right - left);
            if (!(a >= left + margin && a <= right - margin)) {
                a = lo + 0.5 * width;
            }
            double fa = evaluateAt(a);
            double da = dot(gTrial, d);
            evaluations++;
            if (!(fa <= phi0 + C1 * a * slope) || fa >= fLo) {
                hi = a;
                fHi = fa;
                dHi = da;
            } else {
                if (Math.abs(da) <= -C2 * slope) {
                    return accept(a, fa, gTrial);
                }
                if (da * (hi - lo) >= 0) {
                    hi = lo;
                    fHi = fLo;
                    dHi = dLo;
                }
                lo = a;
                fLo = fa;
                dLo = da;
                System.arraycopy(gTrial, 0, gLo, 0, n);
            }
        }
        // The low end always has sufficient decrease; use it unless it is the start point.
        return lo > 0 && fLo < phi0 && accept(lo, fLo, gLo);
    }

    private boolean accept(double a, double cost, double[] gradient) {
        for (int i = 0; i < n; i++) {
            xTrial[i] = x[i] + a * d[i];
        }
        if (gradient != gNew) {
            System.arraycopy(gradient, 0, gNew, 0, n);
        }
        searchStep = a;
        searchCost = cost;
        return true;
    }

    /** Writes x + a·d into the arguments and evaluates there (gradient into gTrial). */
    private double evaluateAt(double a) {
        for (int i = 0; i < n; i++) {
            xTrial[i] = x[i] + a * d[i];
        }
        objective.write(xTrial);
        return objective.evaluate(gTrial);
    }

    /** Minimizer of the cubic interpolating f and f' at a and b (NaN if it has none). */
    private static double cubicMinimizer(double a, double fa, double da, double b, double fb, double db) {
        double d1 = da + db - 3 * (fa - fb) / (a - b);
        double disc = d1 * d1 - da * db;
        if (!(disc >= 0)) {
            return Double.NaN;
        }
        double d2 = Math.signum(b - a) * Math.sqrt(disc);
        return b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
    }

    /** Step length accepted by the last successful line search. */
    public double lastStep() {
        return searchStep;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static void axpy(double c, double[] a, double[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] += c * a[i];
        }
    }
}
