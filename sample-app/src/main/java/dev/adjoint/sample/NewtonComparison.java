package dev.adjoint.sample;

import dev.adjoint.runtime.DifferentiableFunction;
import dev.adjoint.runtime.GradientChecker;
import dev.adjoint.runtime.optim.Lbfgs;
import dev.adjoint.runtime.optim.NewtonCg;
import dev.adjoint.runtime.optim.Objective;
import dev.adjoint.runtime.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.NormOps_DDRM;

/**
 * L-BFGS against Newton-CG ({@link NewtonCg}, on the Hessian-vector products of a loss generated
 * with {@code @Differentiable(order = 2)}): both from the same start, to the same convergence
 * criterion ‖∇L‖ ≤ {@link #GRADIENT_TOLERANCE} with the relative-decrease criterion of both
 * optimizers turned off. Reports iterations, gradient calls, Hessian-vector products, wall time and
 * the final loss of each, and checks the generated Hessian-vector products against finite
 * differences of the generated gradient.
 *
 * <p>Pass criterion: both optimizers reach the gradient tolerance, within their iteration limits,
 * and their final losses agree to {@link #LOSS_AGREEMENT}·|L|; the Hessian-vector product check
 * is at most {@link Experiments#HESSIAN_VECTOR_TOLERANCE}.
 */
public final class NewtonComparison {
    private NewtonComparison() {}

    /** The convergence criterion of both runs: ‖∇L‖ at most this (Euclidean norm over the variables). */
    public static final double GRADIENT_TOLERANCE = 1e-4;

    /** Pass criterion: |L_Newton − L_L-BFGS| at most this times |L_L-BFGS|. */
    public static final double LOSS_AGREEMENT = 1e-9;

    /** Iteration limit of the L-BFGS run. */
    public static final int MAX_LBFGS_ITERATIONS = 2000;

    /** Iteration limit of the Newton-CG run. */
    public static final int MAX_NEWTON_ITERATIONS = 300;

    /**
     * Untimed gradient and Hessian-vector product calls at the start before either run, so that
     * neither is timed while the JIT compiles its code (the gradient is already warm from the main
     * run, the Hessian-vector product is not: cold, its first calls are several times slower).
     */
    public static final int WARM_UP_CALLS = 50;

    /**
     * One optimizer's run.
     *
     * @param method                name of the optimizer
     * @param iterations            steps taken
     * @param reachedTolerance      whether ‖∇L‖ ≤ {@link #GRADIENT_TOLERANCE} at the end
     * @param gradientCalls         value-and-gradient evaluations
     * @param hessianVectorProducts Hessian-vector products (each also computes value and gradient)
     * @param seconds               wall time of the run
     * @param finalLoss             the loss at the end (the function's value, not negated)
     * @param gradientNorm          ‖∇L‖ at the final point
     * @param secondsPerHessianVectorProduct mean time of one Hessian-vector product (NaN if none)
     */
    public record Run(String method, int iterations, boolean reachedTolerance, long gradientCalls,
                      long hessianVectorProducts, double seconds, double finalLoss, double gradientNorm,
                      double secondsPerHessianVectorProduct) {

        String line() {
            return String.format(Locale.ROOT, "%-9s %4d iterations, %4d gradient calls, %4d Hessian-vector products,"
                    + " %.2f s; L = %.9f, ‖∇L‖ = %.1e%s", method + ":", iterations, gradientCalls, hessianVectorProducts,
                    seconds, finalLoss, gradientNorm, reachedTolerance ? "" : " (tolerance NOT reached)");
        }
    }

    /**
     * Both runs.
     *
     * @param model     the experiment's name
     * @param problem   the problem both runs solve, in words
     * @param lbfgs     the L-BFGS run
     * @param newton    the Newton-CG run
     * @param hessianVectorCheckError max relative error of the Hessian-vector products against finite
     *                  differences of the gradient, at the start
     */
    public record Result(String model, String problem, Run lbfgs, Run newton, double hessianVectorCheckError) {

        /** |L_Newton − L_L-BFGS| / |L_L-BFGS|. */
        public double relativeLossDifference() {
            return Math.abs(newton.finalLoss() - lbfgs.finalLoss()) / Math.abs(lbfgs.finalLoss());
        }

        /** Whether both reached the tolerance, the losses agree and the Hessian-vector check passes. */
        public boolean passed() {
            return lbfgs.reachedTolerance() && newton.reachedTolerance()
                    && relativeLossDifference() <= LOSS_AGREEMENT
                    && hessianVectorCheckError <= Experiments.HESSIAN_VECTOR_TOLERANCE;
        }

        Experiments.Summary summary() {
            return new Experiments.Summary(model + " Newton-CG",
                    String.format(Locale.ROOT, "‖∇L‖ ≤ %.0e, |ΔL| ≤ %.0e·|L| vs L-BFGS", GRADIENT_TOLERANCE,
                            LOSS_AGREEMENT),
                    String.format(Locale.ROOT, "%.1e·|L|; %d vs %d iterations, %.2f vs %.2f s",
                            relativeLossDifference(), newton.iterations(), lbfgs.iterations(), newton.seconds(),
                            lbfgs.seconds()),
                    hessianVectorCheckError, newton.secondsPerHessianVectorProduct(), newton.gradientCalls(),
                    newton.seconds(), passed());
        }
    }

    /**
     * Runs L-BFGS, then Newton-CG, each on a fresh copy of {@code start}, optimizing {@code variable}.
     *
     * @param function  creates the loss (order 2)
     * @param start     the start arguments; never modified
     * @param maximize  whether the loss is maximized (the GP-LVM's log-likelihood) or minimized
     * @param checkArgs arguments at which the Hessian-vector products are checked
     */
    static Result run(String model, String problem, Supplier<DifferentiableFunction> function, Object[] start,
                      boolean maximize, String variable, Object[] checkArgs, Progress progress, Log log) {
        log.info(String.format(Locale.ROOT, "  Newton-CG against L-BFGS on %s, from the same start, both to ‖∇L‖ ≤ %.0e"
                + " (relative tolerance off; after %d untimed warm-up calls of each):", problem, GRADIENT_TOLERANCE, WARM_UP_CALLS));
        GradientChecker.Report check = GradientChecker.checkHessianVectorProducts(function.get(), checkArgs);
        warmUp(function.get(), start);
        Run lbfgs = optimize(model, "L-BFGS", function, start, maximize, variable, progress);
        log.info("    " + lbfgs.line());
        Run newton = optimize(model, "Newton-CG", function, start, maximize, variable, progress);
        log.info("    " + newton.line());
        Result result = new Result(model, problem, lbfgs, newton, check.maxRelativeError());
        log.info(String.format(Locale.ROOT, "    |L_Newton − L_L-BFGS| = %.2e·|L|; %.1f× fewer iterations, %.2f× the time"
                        + " (%.2f ms per Hessian-vector product); Hessian-vector check: max relative error %.2e",
                result.relativeLossDifference(), (double) lbfgs.iterations() / newton.iterations(),
                newton.seconds() / lbfgs.seconds(), 1e3 * newton.secondsPerHessianVectorProduct(),
                check.maxRelativeError()));
        return result;
    }

    private static Run optimize(String model, String method, Supplier<DifferentiableFunction> function,
                                Object[] start, boolean maximize, String variable, Progress progress) {
        Object[] args = copy(start);
        TimedFunction f = new TimedFunction(function.get());
        Objective objective = maximize ? Objective.maximize(f, args, variable) : Objective.minimize(f, args, variable);
        boolean newtonCg = method.equals("Newton-CG");
        Optimizer optimizer = newtonCg
                ? new NewtonCg(objective).gradientTolerance(GRADIENT_TOLERANCE).relativeTolerance(0)
                : new Lbfgs(objective).gradientTolerance(GRADIENT_TOLERANCE).relativeTolerance(0);
        int limit = newtonCg ? MAX_NEWTON_ITERATIONS : MAX_LBFGS_ITERATIONS;
        int iterations = 0;
        long begin = System.nanoTime();
        try (Progress.Task task = progress.start(model + " " + method, limit)) {
            while (iterations < limit && !optimizer.converged()) {
                optimizer.step();
                iterations++;
                task.update(iterations, String.format(Locale.ROOT, "‖∇L‖ %.1e", optimizer.gradientNorm()));
            }
            task.finish(iterations, optimizer.converged() ? "converged" : "iteration limit");
        }
        double seconds = (System.nanoTime() - begin) * 1e-9;
        // Measured afresh at the final point, by another instance: not counted, not taken from the optimizer.
        DifferentiableFunction last = function.get();
        double finalLoss = last.gradient(args);
        double gradientNorm = NormOps_DDRM.normF(last.gradientOf(variable));
        return new Run(method, iterations, gradientNorm <= GRADIENT_TOLERANCE, f.gradientCalls(),
                f.hessianVectorProducts(), seconds, finalLoss, gradientNorm, f.secondsPerHessianVectorProduct());
    }

    /** {@link #WARM_UP_CALLS} gradients and Hessian-vector products at a copy of {@code start}. */
    private static void warmUp(DifferentiableFunction f, Object[] start) {
        Object[] args = copy(start);
        List<Object> directions = new ArrayList<>(); // one per wrt parameter: the start itself
        for (int i = 0; i < args.length; i++) {
            if (f.parameters().get(i).wrt()) {
                directions.add(args[i] instanceof DMatrixRMaj m ? m.copy() : (Object) 1.0);
            }
        }
        for (int i = 0; i < WARM_UP_CALLS; i++) {
            f.gradient(args);
            f.hessianVectorProduct(args, directions.toArray());
        }
    }

    /** A copy of the arguments in which every matrix is a fresh copy. */
    static Object[] copy(Object[] arguments) {
        Object[] copy = arguments.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] instanceof DMatrixRMaj m) {
                copy[i] = m.copy();
            }
        }
        return copy;
    }
}
