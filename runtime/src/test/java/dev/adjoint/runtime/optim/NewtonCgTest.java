package dev.adjoint.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Newton-CG on hand-written order-2 functions: a convex quadratic, the nonconvex extended
 * Rosenbrock function, logistic regression with a matrix and a {@code double} variable; and
 * {@link Objective#hessianVectorProduct} against finite differences of the gradient.
 */
class NewtonCgTest {

    private static final double T = 0.7;

    /** Q's arguments {x, s, t, A, b}: x random, s = 0, t = T, A SPD with condition number about 400. */
    private static Object[] quadratic(long seed, int n) {
        Random rnd = new Random(seed);
        DMatrixRMaj g = new DMatrixRMaj(n, n);
        for (int i = 0; i < g.getNumElements(); i++) {
            g.data[i] = rnd.nextGaussian();
        }
        DMatrixRMaj a = new DMatrixRMaj(n, n);
        CommonOps_DDRM.multTransA(1.0 / n, g, g, a);
        for (int i = 0; i < n; i++) {
            a.add(i, i, 0.01);
        }
        DMatrixRMaj b = new DMatrixRMaj(n, 1);
        DMatrixRMaj x = new DMatrixRMaj(n, 1);
        for (int i = 0; i < n; i++) {
            b.data[i] = rnd.nextGaussian();
            x.data[i] = rnd.nextGaussian();
        }
        return new Object[] {x, 0.0, T, a, b};
    }

    /** The minimizer over x of Q with t held: A⁻¹(b − t·1). */
    private static DMatrixRMaj quadraticSolution(Object[] args) {
        DMatrixRMaj a = (DMatrixRMaj) args[3];
        DMatrixRMaj rhs = ((DMatrixRMaj) args[4]).copy();
        CommonOps_DDRM.add(rhs, -((Number) args[2]).doubleValue());
        DMatrixRMaj x = new DMatrixRMaj(a.numRows, 1);
        assertTrue(CommonOps_DDRM.solve(a.copy(), rhs, x));
        return x;
    }

    /**
     * Extended Rosenbrock in n dimensions, pairs starting alternately at the classic (−1.2, 1) and
     * at (0, 1), where the Hessian has curvature 2 − 400 = −398 along the pair's first coordinate.
     */
    private static Object[] rosenbrock(int n) {
        DMatrixRMaj z = new DMatrixRMaj(n, 1);
        for (int k = 0; k < n; k += 2) {
            z.data[k] = (k / 2) % 2 == 0 ? -1.2 : 0;
            z.data[k + 1] = 1;
        }
        return new Object[] {z};
    }

    /** Logistic regression's arguments {w, c, X, y}: w = 0, c = 0 (a Double), overlapping classes. */
    private static Object[] logistic(long seed, int samples, int features) {
        Random rnd = new Random(seed);
        DMatrixRMaj x = new DMatrixRMaj(samples, features);
        DMatrixRMaj y = new DMatrixRMaj(samples, 1);
        for (int i = 0; i < samples; i++) {
            double margin = 0.5;
            for (int j = 0; j < features; j++) {
                double v = rnd.nextGaussian();
                x.set(i, j, v);
                margin += (j % 2 == 0 ? 1.5 : -1) * v;
            }
            y.data[i] = margin + rnd.nextGaussian() > 0 ? 1 : -1;
        }
        return new Object[] {new DMatrixRMaj(features, 1), 0.0, x, y};
    }

    private static <O extends Optimizer> O run(O opt, int maxSteps) {
        for (int i = 0; i < maxSteps && !opt.converged(); i++) {
            opt.step();
        }
        assertTrue(opt.converged(), opt + " did not converge in " + maxSteps + " steps");
        return opt;
    }

    record Problem(String name, Supplier<Objective> objective) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Problems with a minimum. */
    static Stream<Problem> boundedProblems() {
        return Stream.of(
                new Problem("quadratic over x and s, t held",
                        () -> Objective.minimize(new SecondOrderFunctions.Quadratic(), quadratic(1, 6), "x", "s")),
                new Problem("Rosenbrock",
                        () -> Objective.minimize(new SecondOrderFunctions.Rosenbrock(), rosenbrock(6))),
                new Problem("logistic regression",
                        () -> Objective.minimize(new SecondOrderFunctions.Logistic(0.1), logistic(3, 30, 4))),
                new Problem("maximized negated logistic regression",
                        () -> Objective.maximize(
                                new SecondOrderFunctions.Negated(new SecondOrderFunctions.Logistic(0.1)),
                                logistic(4, 30, 4))));
    }

    /** Also Q over all its wrt parameters, whose Hessian [[A, 1], [1ᵀ, 0]] (s aside) is indefinite. */
    static Stream<Problem> problems() {
        return Stream.concat(boundedProblems(), Stream.of(new Problem("quadratic over x, s and t",
                () -> Objective.minimize(new SecondOrderFunctions.Quadratic(), quadratic(2, 6)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("problems")
    void objectiveHessianVectorProductMatchesFiniteDifferencesOfTheGradient(Problem problem) {
        Objective o = problem.objective().get();
        int n = o.dimension();
        Random rnd = new Random(5);
        double[] x = new double[n];
        double[] direction = new double[n];
        o.read(x);
        for (int i = 0; i < n; i++) {
            x[i] += 0.3 * rnd.nextGaussian(); // away from the start (w = 0 is special)
            direction[i] = rnd.nextGaussian();
        }
        o.write(x);
        double[] gradient = new double[n];
        double[] product = new double[n];
        double cost = o.hessianVectorProduct(direction, gradient, product);
        double[] expectedGradient = new double[n];
        assertEquals(o.evaluate(expectedGradient), cost, 0, "the cost, as evaluate returns it");
        for (int i = 0; i < n; i++) {
            assertEquals(expectedGradient[i], gradient[i], 0, "gradient[" + i + "]");
        }

        double h = 1e-5;
        double[] shifted = new double[n];
        double[] gPlus = new double[n];
        double[] gMinus = new double[n];
        for (int i = 0; i < n; i++) {
            shifted[i] = x[i] + h * direction[i];
        }
        o.write(shifted);
        o.evaluate(gPlus);
        for (int i = 0; i < n; i++) {
            shifted[i] = x[i] - h * direction[i];
        }
        o.write(shifted);
        o.evaluate(gMinus);
        for (int i = 0; i < n; i++) {
            double expected = (gPlus[i] - gMinus[i]) / (2 * h);
            assertEquals(expected, product[i], 1e-6 * Math.max(1, Math.abs(expected)), "(H·d)[" + i + "]");
        }
    }

    @Test
    void convexQuadraticConvergesToTheSolutionInFewIterations() {
        int n = 40;
        Object[] args = quadratic(6, n);
        DMatrixRMaj x = (DMatrixRMaj) args[0];
        Object t = args[2];
        NewtonCg opt = run(new NewtonCg(Objective.minimize(new SecondOrderFunctions.Quadratic(), args, "x", "s"))
                .gradientTolerance(1e-10).relativeTolerance(0), 50);

        assertSame(x, args[0], "matrix updated in place");
        DMatrixRMaj expected = quadraticSolution(args);
        for (int i = 0; i < n; i++) {
            assertEquals(expected.data[i], x.data[i], 1e-8, "x[" + i + "]");
        }
        assertInstanceOf(MutableDouble.class, args[1], "scalar variable held in a MutableDouble");
        assertEquals(3.0, ((Number) args[1]).doubleValue(), 1e-10, "s");
        assertSame(t, args[2], "t, a wrt parameter left out, is untouched");
        assertTrue(opt.gradientNorm() <= 1e-10, "gradient norm " + opt.gradientNorm());
        assertTrue(opt.iterations() <= 15, "iterations " + opt.iterations());
        // CG solves an (n+1)-dimensional quadratic model in at most n+1 products per step.
        assertTrue(opt.hessianVectorProducts() <= (n + 1) * (opt.iterations() - 1),
                opt.hessianVectorProducts() + " products in " + opt.iterations() + " iterations");
    }

    @Test
    void theFirstStepIsATruncatedNewtonStepOfAtMostNProducts() {
        int n = 12;
        Object[] args = quadratic(7, n);
        Objective objective = Objective.minimize(new SecondOrderFunctions.Quadratic(), args, "x", "s");
        double[] gradient = new double[objective.dimension()];
        objective.evaluate(gradient);
        double before = norm(gradient);
        NewtonCg opt = new NewtonCg(objective);
        opt.step();
        assertEquals(1, opt.iterations());
        assertTrue(opt.hessianVectorProducts() <= n + 1, opt.hessianVectorProducts() + " products");
        // On a quadratic the new gradient is CG's residual, which stops at the forcing term.
        objective.evaluate(gradient);
        assertTrue(norm(gradient) <= Math.min(0.5, Math.sqrt(before)) * before,
                "gradient norm " + before + " -> " + norm(gradient));
    }

    private static double norm(double[] v) {
        double sum = 0;
        for (double e : v) {
            sum += e * e;
        }
        return Math.sqrt(sum);
    }

    @Test
    void rosenbrockWithNegativeCurvatureAtTheStartConvergesToTheMinimum() {
        int n = 10;
        Object[] args = rosenbrock(n);
        Objective objective = Objective.minimize(new SecondOrderFunctions.Rosenbrock(), args);
        double[] unit = new double[n];
        unit[2] = 1; // first coordinate of the pair at (0, 1)
        double[] product = new double[n];
        objective.hessianVectorProduct(unit, new double[n], product);
        assertTrue(product[2] < 0, "the Hessian is indefinite at the start: curvature " + product[2]);

        NewtonCg opt = run(new NewtonCg(objective).gradientTolerance(1e-9).relativeTolerance(0), 200);
        DMatrixRMaj z = (DMatrixRMaj) args[0];
        for (int i = 0; i < n; i++) {
            assertEquals(1.0, z.data[i], 1e-8, "z[" + i + "]");
        }
    }

    @Test
    void logisticRegressionOptimizesTheWeightMatrixAndTheDoubleBiasTogether() {
        Object[] args = logistic(8, 200, 5);
        SecondOrderFunctions.Logistic loss = new SecondOrderFunctions.Logistic(1e-2);
        NewtonCg opt = run(new NewtonCg(Objective.minimize(loss, args, "w", "c"))
                .gradientTolerance(1e-9).relativeTolerance(0), 100);
        assertInstanceOf(MutableDouble.class, args[1], "the bias is held in a MutableDouble");
        // The loss is strictly convex, so a zero gradient is its only minimum.
        assertTrue(opt.gradientNorm() <= 1e-9, "gradient norm " + opt.gradientNorm());

        // L-BFGS from the same start agrees, to its own (cost-limited) precision.
        Object[] reference = logistic(8, 200, 5);
        run(new Lbfgs(Objective.minimize(loss, reference, "w", "c")), 500);
        DMatrixRMaj w = (DMatrixRMaj) args[0];
        DMatrixRMaj wReference = (DMatrixRMaj) reference[0];
        for (int j = 0; j < w.numRows; j++) {
            assertEquals(wReference.data[j], w.data[j], 1e-5, "w[" + j + "]");
        }
        assertEquals(((Number) reference[1]).doubleValue(), ((Number) args[1]).doubleValue(), 1e-5, "c");
        assertTrue(Math.abs(((Number) args[1]).doubleValue()) > 0.1, "the bias moved: " + args[1]);
    }

    @Test
    void maximizesALogLikelihood() {
        Object[] args = logistic(9, 100, 3);
        SecondOrderFunctions.Negated logLikelihood =
                new SecondOrderFunctions.Negated(new SecondOrderFunctions.Logistic(1e-2));
        double start = logLikelihood.value(args);
        NewtonCg opt = new NewtonCg(Objective.maximize(logLikelihood, args));
        double last = Double.NaN;
        for (int i = 0; i < 100 && !opt.converged(); i++) {
            double value = opt.step();
            assertTrue(!(value < last), "the log-likelihood never decreases: " + value + " after " + last);
            last = value;
        }
        assertTrue(opt.converged());
        assertTrue(last > start, "step() reports the function's own (not negated) value");

        Object[] reference = logistic(9, 100, 3);
        run(new NewtonCg(Objective.minimize(new SecondOrderFunctions.Logistic(1e-2), reference)), 100);
        assertEquals(((Number) reference[1]).doubleValue(), ((Number) args[1]).doubleValue(), 1e-7, "c");
        assertEquals(-new SecondOrderFunctions.Logistic(1e-2).value(reference), logLikelihood.value(args), 1e-10);
    }

    @Test
    void optimizesOnlyTheChosenParametersAndHoldsTheOthersDirectionsAtZero() {
        Object[] args = quadratic(10, 8);
        Object s = args[1];
        Object t = args[2];
        // Q couples x and t in the Hessian; with t held, the x block alone must be used.
        run(new NewtonCg(Objective.minimize(new SecondOrderFunctions.Quadratic(), args, "x"))
                .gradientTolerance(1e-10).relativeTolerance(0), 50);
        assertSame(s, args[1], "s untouched");
        assertSame(t, args[2], "t untouched");
        DMatrixRMaj expected = quadraticSolution(args);
        DMatrixRMaj x = (DMatrixRMaj) args[0];
        for (int i = 0; i < x.numRows; i++) {
            assertEquals(expected.data[i], x.data[i], 1e-8, "x[" + i + "]");
        }
    }

    @Test
    void theInitialRadiusAndTheCgCapBoundEachStep() {
        Object[] args = logistic(15, 100, 6);
        Objective objective = Objective.minimize(new SecondOrderFunctions.Logistic(1e-2), args);
        double[] start = new double[objective.dimension()];
        double[] after = new double[objective.dimension()];
        objective.read(start);
        NewtonCg opt = new NewtonCg(objective).initialRadius(0.1).maxCgIterations(2).relativeTolerance(0);
        assertEquals(0.1, opt.radius());
        opt.step();
        objective.read(after);
        double length = 0;
        for (int i = 0; i < start.length; i++) {
            length += (after[i] - start[i]) * (after[i] - start[i]);
        }
        assertTrue(Math.sqrt(length) <= 0.1 * (1 + 1e-12), "first step of length " + Math.sqrt(length));
        run(opt.gradientTolerance(1e-8), 1000);
        assertTrue(opt.hessianVectorProducts() <= 2 * opt.iterations(),
                opt.hessianVectorProducts() + " products in " + opt.iterations() + " iterations");
    }

    @Test
    void rejectsAFunctionWithoutSecondDerivatives() {
        Objective firstOrder = Objective.minimize(new TestFunctions.Quadratic(), quadratic(11, 4), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NewtonCg(firstOrder));
        assertTrue(e.getMessage().contains("test.quadratic") && e.getMessage().contains("@Differentiable(order = 2)"),
                e.getMessage());
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class,
                () -> firstOrder.hessianVectorProduct(new double[4], new double[4], new double[4]));
        assertTrue(u.getMessage().contains("@Differentiable(order = 2)"), u.getMessage());
    }

    @Test
    void startsAfreshWhenTheVariablesAreChangedFromOutside() {
        Object[] args = quadratic(12, 8);
        SecondOrderFunctions.Quadratic q = new SecondOrderFunctions.Quadratic();
        NewtonCg opt = run(new NewtonCg(Objective.minimize(q, args, "x", "s"))
                .gradientTolerance(1e-10).relativeTolerance(0), 50);
        ((DMatrixRMaj) args[0]).fill(5);
        assertEquals(q.value(args), opt.step(), 1e-12, "value at the new point");
        assertFalse(opt.converged());
        run(opt, 50);
        DMatrixRMaj expected = quadraticSolution(args);
        for (int i = 0; i < 8; i++) {
            assertEquals(expected.data[i], ((DMatrixRMaj) args[0]).data[i], 1e-8);
        }
        opt.reset();
        assertEquals(0, opt.iterations());
        assertEquals(0, opt.hessianVectorProducts());
    }

    static Stream<Problem> comparisons() {
        return Stream.of(
                new Problem("ill-conditioned quadratic",
                        () -> Objective.minimize(new SecondOrderFunctions.Quadratic(), quadratic(13, 60), "x", "s")),
                new Problem("Rosenbrock",
                        () -> Objective.minimize(new SecondOrderFunctions.Rosenbrock(), rosenbrock(20))),
                new Problem("logistic regression",
                        () -> Objective.minimize(new SecondOrderFunctions.Logistic(1e-2), logistic(14, 300, 10))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("comparisons")
    void needsFewerIterationsThanLbfgsToTheSameGradientTolerance(Problem problem) {
        // Loose enough for L-BFGS, whose line search stops where cost decreases are rounding.
        double tolerance = 1e-5;
        NewtonCg newton = run(new NewtonCg(problem.objective().get())
                .gradientTolerance(tolerance).relativeTolerance(0), 500);
        Lbfgs lbfgs = run(new Lbfgs(problem.objective().get()).gradientTolerance(tolerance).relativeTolerance(0), 5000);
        assertTrue(newton.gradientNorm() <= tolerance && lbfgs.gradientNorm() <= tolerance,
                "both stopped on the gradient criterion: " + newton.gradientNorm() + ", " + lbfgs.gradientNorm());
        assertTrue(newton.iterations() < lbfgs.iterations(),
                "Newton-CG " + newton.iterations() + " iterations, L-BFGS " + lbfgs.iterations());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("boundedProblems")
    void stepsAllocateNothing(Problem problem) {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Objective objective = problem.objective().get();
        NewtonCg opt = new NewtonCg(objective);
        double[] start = new double[objective.dimension()];
        objective.read(start);
        int steps = 5_000;
        Runnable work = () -> {
            for (int i = 0; i < 10; i++) {
                opt.step();
            }
            // Keep iterating after convergence too: restart from the first point.
            if (opt.converged()) {
                objective.write(start);
            }
        };
        for (int i = 0; i < 200; i++) {
            work.run(); // warm up (JIT)
        }
        long before = bean.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < steps / 10; i++) {
            work.run();
        }
        long allocated = bean.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < steps, problem + ": allocated " + allocated + " bytes in " + steps + " steps");
    }
}
