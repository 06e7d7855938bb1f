package dev.adjoint.runtime.optim;

import java.util.Arrays;

/**
 * Truncated Newton: a trust-region method whose subproblem is solved approximately by conjugate
 * gradients on Hessian-vector products (Steihaug-Toint CG; Nocedal and Wright, <i>Numerical
 * Optimization</i>, 2nd ed., algorithms 4.1 and 7.2). Needs a function generated with
 * {@code @Differentiable(order = 2)}; the Hessian is never formed.
 *
 * <p>Each step minimizes the quadratic model m(p) = f + gᵀp + ½pᵀHp within ‖p‖ ≤ Δ by CG from
 * p = 0, one {@link Objective#hessianVectorProduct Hessian-vector product} per CG iteration. CG
 * stops when the residual falls below η·‖g‖ with the forcing term η = min(0.5, √‖g‖)
 * (Eisenstat-Walker, which makes convergence superlinear near a minimum), when it reaches the
 * trust-region boundary, after {@link #maxCgIterations(int)} iterations, or on a direction of
 * negative curvature, which it follows to the boundary: on nonconvex functions that is what moves
 * the iterate away from saddle points. The step is then evaluated once (value and gradient);
 * it is accepted if the cost decreased by at least 10⁻⁴ of what the model predicted, and the
 * radius Δ shrinks to a quarter of the step after a poor prediction and doubles after a good one
 * that was limited by the boundary.
 *
 * <p>A trust region rather than a line search, because a Newton direction on a nonconvex function
 * need not be a descent direction, and because the radius carries the step scale from one
 * iteration to the next. The first step is not limited (see {@link #initialRadius(double)}): its
 * length sets the first radius. Near a minimum, where decreases of the cost are lost in its
 * rounding, a step is accepted when it decreases the gradient norm instead, so that the gradient
 * tolerance can be reached beyond the precision of the cost.
 *
 * <p>For smooth, deterministic objectives, like {@link Lbfgs}: it takes far fewer iterations, each
 * costing up to {@link #maxCgIterations(int)} Hessian-vector products (each a small multiple of a
 * gradient evaluation) plus one gradient evaluation. If the variables are changed from outside
 * between steps, the next step notices, re-evaluates and starts afresh from the initial radius.
 *
 * <p>{@link #converged()} becomes true when the gradient norm is at most the gradient tolerance,
 * when an accepted step decreases the cost by at most the relative tolerance, or when the model
 * predicts no decrease or the radius has shrunk to rounding level (the point is optimal to
 * rounding).
 *
 * <pre>{@code
 * Object[] args = {W, X};   // Losses.tiedAutoencoder declared @Differentiable(order = 2)
 * NewtonCg opt = new NewtonCg(Objective.minimize(new Losses_TiedAutoencoder(), args, "W"))
 *         .gradientTolerance(1e-6);
 * for (int i = 0; i < 200 && !opt.converged(); i++) {
 *     double loss = opt.step();
 * }
 * System.out.println(opt.iterations() + " iterations, " + opt.hessianVectorProducts() + " Hessian-vector products");
 * }</pre>
 */
public final class NewtonCg implements Optimizer {

    /** Smallest ratio of actual to predicted decrease for which a step is accepted. */
    private static final double ACCEPT = 1e-4;
    /** Below this ratio the model was poor: shrink the radius. */
    private static final double SHRINK_BELOW = 0.25;
    /** Above this ratio the model was good: grow the radius if the step was limited by it. */
    private static final double GROW_ABOVE = 0.75;
    private static final double MAX_RADIUS = 1e20;
    private static final double EPSILON = Math.ulp(1.0);
    /** Cost differences up to this multiple of ε·max(|cost|, 1) may be rounding alone. */
    private static final double ROUNDING = 100 * EPSILON;

    private final Objective objective;
    private final int n;

    private final double[] x;
    private final double[] g;
    private final double[] xRead;
    private final double[] xTrial;
    private final double[] gTrial;
    /** The step p being built by CG, and H·p. */
    private final double[] p;
    private final double[] hp;
    /** CG residual r = g + H·p, direction d and H·d. */
    private final double[] r;
    private final double[] d;
    private final double[] hd;
    /** Receives the gradient that every Hessian-vector product also returns (already known: g). */
    private final double[] gIgnored;

    private boolean valid;
    private double f;
    private double gradientNorm = Double.NaN;
    private boolean converged;
    private double radius;
    private double initialRadius = Double.POSITIVE_INFINITY;
    private int maxCgIterations;
    private double gradientTolerance = 0;
    private double relativeTolerance = 1e-13;
    private long iterations;
    private long hessianVectorProducts;

    /**
     * Newton-CG on {@code objective}, at most {@link Objective#dimension()} CG iterations per step.
     *
     * @throws IllegalArgumentException if the function has no second derivatives (it was not
     *                                  generated with {@code @Differentiable(order = 2)})
     */
    public NewtonCg(Objective objective) {
        if (objective.function().order() < 2) {
            throw new IllegalArgumentException("NewtonCg needs Hessian-vector products, but "
                    + Objective.secondOrderMissing(objective.function()));
        }
        this.objective = objective;
        this.n = objective.dimension();
        x = new double[n];
        g = new double[n];
        xRead = new double[n];
        xTrial = new double[n];
        gTrial = new double[n];
        p = new double[n];
        hp = new double[n];
        r = new double[n];
        d = new double[n];
        hd = new double[n];
        gIgnored = new double[n];
        maxCgIterations = n;
        radius = initialRadius;
    }

    /** Converged once ‖∇‖ ≤ {@code tolerance} (default 0: only on the other criteria). Returns this. */
    public NewtonCg gradientTolerance(double tolerance) {
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must be non-negative but is " + tolerance);
        }
        this.gradientTolerance = tolerance;
        return this;
    }

    /**
     * Converged once an accepted step decreases the cost by at most
     * {@code tolerance}·max(|cost|, 1) (default 1e-13). 0 turns this criterion off, so that only
     * the gradient tolerance (or a step too short to try) stops the iteration, beyond the
     * precision of the cost. Returns this.
     */
    public NewtonCg relativeTolerance(double tolerance) {
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must be non-negative but is " + tolerance);
        }
        this.relativeTolerance = tolerance;
        return this;
    }

    /**
     * At most {@code iterations} (at least 1) CG iterations, i.e. Hessian-vector products, per
     * step (default: the number of variables, enough for CG to solve the model exactly). A lower
     * cap bounds the cost of a step on large problems. Returns this.
     */
    public NewtonCg maxCgIterations(int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("CG iterations must be at least 1 but is " + iterations);
        }
        this.maxCgIterations = iterations;
        return this;
    }

    /**
     * The trust-region radius of the first step (and after {@link #reset()}), in the units of the
     * variables: the Euclidean length of the longest first step. By default (and with
     * {@code Double.POSITIVE_INFINITY}) the first step is the truncated Newton step, whatever its
     * length, and the radius adapts from there; the first step then follows negative curvature,
     * if CG meets some, as far as max(1, ‖x‖). A finite radius suits functions whose first Newton
     * step would overshoot badly, e.g. to where the cost is not finite. Returns this.
     */
    public NewtonCg initialRadius(double radius) {
        if (!(radius > 0)) {
            throw new IllegalArgumentException("radius must be positive but is " + radius);
        }
        this.initialRadius = radius;
        if (!valid) {
            this.radius = radius;
        }
        return this;
    }

    /** The current trust-region radius: the longest step the next iteration may take. */
    public double radius() {
        return radius;
    }

    /** Steps taken since creation or {@link #reset()}, rejected ones included. */
    public long iterations() {
        return iterations;
    }

    /** Hessian-vector products (CG iterations) computed since creation or {@link #reset()}. */
    public long hessianVectorProducts() {
        return hessianVectorProducts;
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
        valid = false;
        converged = false;
        gradientNorm = Double.NaN;
        radius = initialRadius;
        iterations = 0;
        hessianVectorProducts = 0;
    }

    @Override
    public double step() {
        objective.read(xRead);
        if (!valid || !Arrays.equals(xRead, x)) {
            // First step, or the variables were changed from outside: start afresh from here.
            System.arraycopy(xRead, 0, x, 0, n);
            f = objective.evaluate(g);
            valid = true;
            converged = false;
            radius = initialRadius;
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

        boolean onBoundary = steihaugCg();
        double predicted = -(dot(g, p) + 0.5 * dot(p, hp));
        if (!(predicted > 0)) {
            // CG decreases the model from its first iteration on, so only rounding gets here.
            converged = true;
            return objective.valueOf(start);
        }
        for (int i = 0; i < n; i++) {
            xTrial[i] = x[i] + p[i];
        }
        objective.write(xTrial);
        double fTrial = objective.evaluate(gTrial);
        double ratio = (f - fTrial) / predicted; // NaN when the trial cost is not finite: rejected
        double roundingOfCost = ROUNDING * Math.max(1, Math.abs(f));
        if (predicted <= roundingOfCost && Math.abs(f - fTrial) <= roundingOfCost) {
            // Both decreases are lost in the rounding of the cost, so their ratio means nothing;
            // the gradient is still accurate there: accept a step that shrinks it.
            ratio = dot(gTrial, gTrial) < gradientNorm * gradientNorm ? 1 : 0;
        }
        double stepLength = Math.sqrt(dot(p, p));
        if (radius == Double.POSITIVE_INFINITY) {
            // The first, unlimited step sets the scale: the radius adapts from its length.
            radius = stepLength;
            onBoundary = true;
        }

        if (!(ratio >= SHRINK_BELOW)) {
            radius = 0.25 * stepLength;
        } else if (ratio > GROW_ABOVE && onBoundary) {
            radius = Math.min(2 * radius, MAX_RADIUS);
        }
        if (ratio > ACCEPT) {
            double decrease = f - fTrial;
            System.arraycopy(xTrial, 0, x, 0, n);
            System.arraycopy(gTrial, 0, g, 0, n);
            f = fTrial;
            // Also stops once decreases are rounding, where a step may even raise the cost a little.
            if (relativeTolerance > 0 && decrease <= relativeTolerance * Math.max(1, Math.abs(f))) {
                converged = true;
            }
        } else {
            objective.write(x); // back to the start point, whose cost and gradient are kept
            if (radius <= EPSILON * Math.max(1, Math.sqrt(dot(x, x)))) {
                converged = true; // no step longer than rounding is left to try
            }
        }
        return objective.valueOf(start);
    }

    /**
     * Steihaug-Toint CG on the model at x within the current radius: leaves the step in p and
     * H·p in hp. Returns whether the step ended on the boundary (negative curvature or a step
     * too long), i.e. whether the radius limited it.
     */
    private boolean steihaugCg() {
        Arrays.fill(p, 0);
        Arrays.fill(hp, 0);
        double rr = 0;
        for (int i = 0; i < n; i++) {
            r[i] = g[i];
            d[i] = -g[i];
            rr += g[i] * g[i];
        }
        double forcing = Math.min(0.5, Math.sqrt(Math.sqrt(rr)));
        double residualTolerance = forcing * Math.sqrt(rr);
        for (int j = 0; j < maxCgIterations; j++) {
            objective.hessianVectorProduct(d, gIgnored, hd); // the arguments hold x
            hessianVectorProducts++;
            double curvature = dot(d, hd);
            if (Double.isNaN(curvature)) {
                throw new IllegalStateException(objective.function().name()
                        + ": the Hessian-vector product is not finite at the current point");
            }
            if (curvature <= 0) {
                // The model is unbounded below along d: follow it to the boundary, which the
                // first step, still without a radius, puts at the scale of the variables.
                if (radius == Double.POSITIVE_INFINITY) {
                    radius = Math.max(Math.sqrt(dot(p, p)), Math.max(1, Math.sqrt(dot(x, x))));
                }
                moveToBoundary();
                return true;
            }
            double alpha = rr / curvature;
            double pd = dot(p, d);
            double dd = dot(d, d);
            double pp = dot(p, p);
            if (pp + alpha * (2 * pd + alpha * dd) >= radius * radius) {
                moveToBoundary();
                return true;
            }
            double rrNext = 0;
            for (int i = 0; i < n; i++) {
                p[i] += alpha * d[i];
                hp[i] += alpha * hd[i];
                r[i] += alpha * hd[i];
                rrNext += r[i] * r[i];
            }
            if (Math.sqrt(rrNext) <= residualTolerance) {
                return false;
            }
            double beta = rrNext / rr;
            for (int i = 0; i < n; i++) {
                d[i] = -r[i] + beta * d[i];
            }
            rr = rrNext;
        }
        return false;
    }

    /** p += τ·d (and hp += τ·hd) with τ ≥ 0 such that ‖p‖ = radius. */
    private void moveToBoundary() {
        double pd = dot(p, d);
        double dd = dot(d, d);
        double room = Math.max(0, radius * radius - dot(p, p));
        double root = Math.sqrt(pd * pd + dd * room);
        // The larger root of dd·τ² + 2·pd·τ − room, in the form that does not cancel.
        double tau = pd > 0 ? room / (pd + root) : (root - pd) / dd;
        for (int i = 0; i < n; i++) {
            p[i] += tau * d[i];
            hp[i] += tau * hd[i];
        }
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
