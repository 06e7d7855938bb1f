package dev.adjoint.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.MatrixFeatures_DDRM;
import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every optimizer drives a convex quadratic with a known minimum there, updating only the chosen
 * parameters, in place, without allocating per step.
 */
class OptimizerTest {

    private static final int N = 8;
    private static final double T = 0.7;

    /** A fresh problem: x random, s = 0, t = T (held fixed), A SPD, b random. */
    private static Object[] problem(long seed) {
        Random rnd = new Random(seed);
        DMatrixRMaj a = TestFunctions.spd(rnd, N);
        DMatrixRMaj b = new DMatrixRMaj(N, 1);
        DMatrixRMaj x = new DMatrixRMaj(N, 1);
        for (int i = 0; i < N; i++) {
            b.data[i] = rnd.nextGaussian();
            x.data[i] = rnd.nextGaussian();
        }
        return new Object[] {x, 0.0, T, a, b};
    }

    /** x* = A⁻¹(b − t·1). */
    private static DMatrixRMaj solution(Object[] args) {
        DMatrixRMaj a = (DMatrixRMaj) args[3];
        DMatrixRMaj rhs = ((DMatrixRMaj) args[4]).copy();
        CommonOps_DDRM.add(rhs, -T);
        DMatrixRMaj x = new DMatrixRMaj(N, 1);
        assertTrue(CommonOps_DDRM.solve(a.copy(), rhs, x));
        return x;
    }

    /** Q at its minimum over x and s: −½·(b − t1)ᵀA⁻¹(b − t1). */
    private static double minimum(Object[] args) {
        DMatrixRMaj x = solution(args);
        DMatrixRMaj b = (DMatrixRMaj) args[4];
        double v = 0;
        for (int i = 0; i < N; i++) {
            v += (b.data[i] - T) * x.data[i];
        }
        return -0.5 * v;
    }

    record Case(String name, Function<Objective, Optimizer> make, int steps, double tolerance) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> optimizers() {
        return Stream.of(
                new Case("gradient descent", o -> new GradientDescent(o, 0.2), 2000, 1e-9),
                new Case("gradient descent with momentum", o -> new GradientDescent(o, 0.1, 0.8), 1000, 1e-9),
                new Case("Adam", o -> new Adam(o, 0.01), 20000, 1e-6),
                new Case("L-BFGS", Lbfgs::new, 100, 1e-9));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void minimizesConvexQuadraticToItsKnownMinimum(Case c) {
        Object[] args = problem(1);
        DMatrixRMaj x = (DMatrixRMaj) args[0];
        DMatrixRMaj aBefore = ((DMatrixRMaj) args[3]).copy();
        DMatrixRMaj bBefore = ((DMatrixRMaj) args[4]).copy();
        Object t = args[2];
        TestFunctions.Quadratic f = new TestFunctions.Quadratic();
        Objective objective = Objective.minimize(f, args, "x", "s");
        Optimizer opt = c.make().apply(objective);

        double first = f.value(args);
        double last = first;
        for (int i = 0; i < c.steps() && !opt.converged(); i++) {
            last = opt.step();
        }
        double fEnd = f.value(args);
        assertTrue(fEnd < first, "cost decreased");
        assertEquals(fEnd, last, 1e-6 * Math.abs(fEnd), "step() returns the value where the step started");
        assertEquals(minimum(args), fEnd, c.tolerance() * Math.abs(minimum(args)), c.name());

        assertSame(x, args[0], "matrix updated in place");
        DMatrixRMaj expected = solution(args);
        for (int i = 0; i < N; i++) {
            assertEquals(expected.data[i], x.data[i], Math.sqrt(c.tolerance()) * 10, "x[" + i + "]");
        }
        assertInstanceOf(MutableDouble.class, args[1], "scalar variable held in a MutableDouble");
        assertEquals(3.0, ((Number) args[1]).doubleValue(), Math.sqrt(c.tolerance()) * 10, "s");
        assertSame(t, args[2], "t, a wrt parameter left out, is untouched");
        assertTrue(MatrixFeatures_DDRM.isIdentical(aBefore, (DMatrixRMaj) args[3], 0), "A untouched");
        assertTrue(MatrixFeatures_DDRM.isIdentical(bBefore, (DMatrixRMaj) args[4], 0), "b untouched");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void maximizesTheNegatedQuadratic(Case c) {
        Object[] args = problem(2);
        Negated f = new Negated(new TestFunctions.Quadratic());
        Optimizer opt = c.make().apply(Objective.maximize(f, args, "x", "s"));
        double start = f.value(args);
        double last = Double.NaN;
        for (int i = 0; i < c.steps() && !opt.converged(); i++) {
            last = opt.step();
        }
        assertTrue(last >= start, "step() reports the function's own (not negated) value");
        assertEquals(-minimum(args), f.value(args), c.tolerance() * Math.abs(minimum(args)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void stepsAllocateNothing(Case c) {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Object[] args = problem(3);
        Optimizer opt = c.make().apply(Objective.minimize(new TestFunctions.Quadratic(), args, "x", "s"));
        int steps = 20_000;
        Runnable work = () -> {
            for (int i = 0; i < 20; i++) {
                opt.step();
            }
            // Keep iterating after convergence too: restart from a perturbed point.
            if (opt.converged()) {
                ((DMatrixRMaj) args[0]).data[0] += 1;
            }
        };
        for (int i = 0; i < 200; i++) {
            work.run(); // warm up (JIT)
        }
        long before = bean.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < steps / 20; i++) {
            work.run();
        }
        long allocated = bean.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < steps, c.name() + " allocated " + allocated + " bytes in " + steps + " steps");
    }

    @Test
    void lbfgsSolvesRosenbrock() {
        DMatrixRMaj z = new DMatrixRMaj(new double[][] {{-1.2}, {1.0}});
        Lbfgs opt = new Lbfgs(Objective.minimize(new TestFunctions.Rosenbrock(), new Object[] {z}));
        for (int i = 0; i < 200 && !opt.converged(); i++) {
            opt.step();
        }
        assertTrue(opt.converged(), "converged");
        assertEquals(1.0, z.get(0), 1e-6);
        assertEquals(1.0, z.get(1), 1e-6);
        assertTrue(opt.iterations() < 100, "iterations " + opt.iterations());
    }

    @Test
    void lbfgsStartsAfreshWhenTheVariablesAreChangedFromOutside() {
        Object[] args = problem(4);
        Lbfgs opt = new Lbfgs(Objective.minimize(new TestFunctions.Quadratic(), args, "x", "s"));
        for (int i = 0; i < 100 && !opt.converged(); i++) {
            opt.step();
        }
        assertTrue(opt.converged());
        ((DMatrixRMaj) args[0]).fill(5);
        assertEquals(new TestFunctions.Quadratic().value(args), opt.step(), 1e-12, "value at the new point");
        assertFalse(opt.converged());
        for (int i = 0; i < 100 && !opt.converged(); i++) {
            opt.step();
        }
        assertEquals(minimum(args), new TestFunctions.Quadratic().value(args), 1e-9 * Math.abs(minimum(args)));
    }

    @Test
    void simpleMatrixArgumentsAreUpdatedInPlace() {
        Object[] args = problem(5);
        SimpleMatrix x = SimpleMatrix.wrap((DMatrixRMaj) args[0]);
        args[0] = x;
        Lbfgs opt = new Lbfgs(Objective.minimize(new TestFunctions.Quadratic(), args, "x", "s"));
        for (int i = 0; i < 100 && !opt.converged(); i++) {
            opt.step();
        }
        assertSame(x, args[0]);
        DMatrixRMaj expected = solution(args);
        assertTrue(MatrixFeatures_DDRM.isIdentical(expected, x.getDDRM(), 1e-6));
    }

    @Test
    void objectiveDefaultsToEveryWrtParameterAndFlattensInDeclarationOrder() {
        Object[] args = problem(6);
        Objective o = Objective.minimize(new TestFunctions.Quadratic(), args);
        assertEquals(List.of("x", "s", "t"), o.variables());
        assertEquals(N + 2, o.dimension());
        double[] v = new double[o.dimension()];
        o.read(v);
        assertEquals(((DMatrixRMaj) args[0]).data[3], v[3]);
        assertEquals(0.0, v[N]);
        assertEquals(T, v[N + 1]);
        v[N + 1] = 2.5;
        o.write(v);
        assertEquals(2.5, ((Number) args[2]).doubleValue());

        // Named out of order: still declaration order.
        assertEquals(List.of("x", "t"), Objective.minimize(new TestFunctions.Quadratic(), problem(6), "t", "x").variables());
    }

    @Test
    void objectiveRejectsUnknownAndNonDifferentiatedParametersByName() {
        TestFunctions.Quadratic f = new TestFunctions.Quadratic();
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Objective.minimize(f, problem(7), "W"));
        assertTrue(unknown.getMessage().contains("no parameter named 'W'"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("[x, s, t]"), unknown.getMessage());
        IllegalArgumentException data = assertThrows(IllegalArgumentException.class,
                () -> Objective.minimize(f, problem(7), "A"));
        assertTrue(data.getMessage().contains("'A'") && data.getMessage().contains("not in wrt"), data.getMessage());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> Objective.minimize(f, new Object[2]));
        assertTrue(count.getMessage().contains("takes 5 arguments"), count.getMessage());
    }

    @Test
    void objectiveNoticesAMatrixThatChangedShape() {
        Object[] args = problem(8);
        Objective o = Objective.minimize(new TestFunctions.Quadratic(), args, "x");
        ((DMatrixRMaj) args[0]).reshape(3, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> o.read(new double[N]));
        assertTrue(e.getMessage().contains("changed shape from 8x1 to 3x1"), e.getMessage());
    }

    /** −f, to test maximization. */
    private record Negated(dev.adjoint.runtime.DifferentiableFunction f) implements dev.adjoint.runtime.DifferentiableFunction {
        @Override
        public String name() {
            return "-" + f.name();
        }

        @Override
        public List<dev.adjoint.runtime.Parameter> parameters() {
            return f.parameters();
        }

        @Override
        public double value(Object... arguments) {
            return -f.value(arguments);
        }

        @Override
        public double gradient(Object... arguments) {
            double v = -f.gradient(arguments);
            for (int i = 0; i < 3; i++) {
                CommonOps_DDRM.changeSign(f.gradientOf(i));
            }
            return v;
        }

        @Override
        public DMatrixRMaj gradientOf(int parameterIndex) {
            return f.gradientOf(parameterIndex);
        }
    }
}
