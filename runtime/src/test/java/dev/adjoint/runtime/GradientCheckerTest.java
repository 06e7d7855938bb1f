package dev.adjoint.runtime;

import static dev.adjoint.runtime.TestMatrices.assertSame;
import static dev.adjoint.runtime.TestMatrices.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GradientCheckerTest {

    /**
     * f(A, s, B, k) = s·Σ A_ij² + k·Σ A_ij B_ij, wrt A and s (B and k are constants).
     * ∂f/∂A = 2s·A + k·B, ∂f/∂s = Σ A_ij². With {@code wrong}, ∂f/∂A drops the factor 2.
     */
    static final class Quadratic implements DifferentiableFunction {
        private final boolean wrong;
        private final DMatrixRMaj gradA = new DMatrixRMaj(1, 1);
        private final DMatrixRMaj gradS = new DMatrixRMaj(1, 1);

        Quadratic(boolean wrong) {
            this.wrong = wrong;
        }

        @Override
        public String name() {
            return "test.Quadratic.f";
        }

        @Override
        public List<Parameter> parameters() {
            return List.of(new Parameter("A", Parameter.Kind.MATRIX, true),
                    new Parameter("s", Parameter.Kind.SCALAR, true),
                    new Parameter("B", Parameter.Kind.MATRIX, false),
                    new Parameter("k", Parameter.Kind.INTEGER, false));
        }

        private static DMatrixRMaj matrix(Object o) {
            return o instanceof SimpleMatrix s ? s.getDDRM() : (DMatrixRMaj) o;
        }

        @Override
        public double value(Object... arguments) {
            DMatrixRMaj a = matrix(arguments[0]);
            double s = ((Number) arguments[1]).doubleValue();
            DMatrixRMaj b = matrix(arguments[2]);
            int k = ((Number) arguments[3]).intValue();
            return s * Kernels.sumSquares(a) + k * Kernels.dot(a, b);
        }

        @Override
        public double gradient(Object... arguments) {
            DMatrixRMaj a = matrix(arguments[0]);
            double s = ((Number) arguments[1]).doubleValue();
            DMatrixRMaj b = matrix(arguments[2]);
            int k = ((Number) arguments[3]).intValue();
            gradA.reshape(a.numRows, a.numCols);
            double factor = wrong ? s : 2 * s;
            for (int i = 0; i < a.getNumElements(); i++) {
                gradA.data[i] = factor * a.data[i] + k * b.data[i];
            }
            gradS.reshape(1, 1);
            gradS.data[0] = Kernels.sumSquares(a);
            return value(arguments);
        }

        @Override
        public DMatrixRMaj gradientOf(int parameterIndex) {
            return switch (parameterIndex) {
                case 0 -> gradA;
                case 1 -> gradS;
                default -> throw new IllegalArgumentException("parameter " + parameterIndex + " is not wrt");
            };
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void exactGradientPasses(int seed) {
        Random rnd = new Random(seed);
        int r = 1 + rnd.nextInt(5);
        int c = 1 + rnd.nextInt(5);
        SimpleMatrix a = SimpleMatrix.wrap(uniform(rnd, r, c, -3, 3));
        DMatrixRMaj b = uniform(rnd, r, c, -3, 3);
        DMatrixRMaj aBefore = a.getDDRM().copy();
        DMatrixRMaj bBefore = b.copy();
        Integer s = 3; // an Integer for a double parameter: the checker perturbs a Double copy
        Object[] arguments = {a, s, b, 2};

        GradientChecker.Report report = GradientChecker.check(new Quadratic(false), arguments);
        report.assertBelow(1e-7);
        assertEquals(2, report.parameters().size());
        assertEquals("A", report.parameters().get(0).name());
        assertEquals(r * c, report.parameters().get(0).entries());
        assertEquals("s", report.parameters().get(1).name());
        assertTrue(report.toString().contains("test.Quadratic.f"), report.toString());

        // The caller's arguments are untouched: same objects, same contents.
        assertTrue(arguments[0] == a && arguments[1] == s && arguments[2] == b);
        assertSame(aBefore, a.getDDRM());
        assertSame(bBefore, b);
    }

    @Test
    void wrongGradientIsReported() {
        Random rnd = new Random(42);
        DMatrixRMaj a = uniform(rnd, 3, 2, -3, 3);
        Object[] arguments = {a, 1.5, uniform(rnd, 3, 2, -1, 1), 1};
        GradientChecker.Report report = GradientChecker.check(new Quadratic(true), arguments, 1e-6);
        // ∂f/∂A is off by s·A: relative error at least s·|A|max / max|2sA + B| ≳ 0.3.
        assertTrue(report.maxRelativeError() > 0.1, report.toString());
        assertTrue(report.parameters().get(1).maxRelativeError() < 1e-7, report.toString()); // s is right
        AssertionError e = assertThrows(AssertionError.class, () -> report.assertBelow(1e-6));
        assertTrue(e.getMessage().contains("max rel err") && e.getMessage().contains("A"), e.getMessage());
    }

    @Test
    void nanGradientFails() {
        DifferentiableFunction nan = new DifferentiableFunction() {
            private final DMatrixRMaj g = new DMatrixRMaj(1, 1);

            @Override
            public String name() {
                return "test.Nan.f";
            }

            @Override
            public List<Parameter> parameters() {
                return List.of(new Parameter("x", Parameter.Kind.SCALAR, true));
            }

            @Override
            public double value(Object... arguments) {
                double x = ((Number) arguments[0]).doubleValue();
                return x * x;
            }

            @Override
            public double gradient(Object... arguments) {
                g.data[0] = Double.NaN;
                return value(arguments);
            }

            @Override
            public DMatrixRMaj gradientOf(int parameterIndex) {
                return g;
            }
        };
        GradientChecker.Report report = GradientChecker.check(nan, new Object[] {2.0});
        assertTrue(Double.isNaN(report.maxRelativeError()));
        assertThrows(AssertionError.class, () -> report.assertBelow(1));
    }

    @Test
    void gradientOfByNameAndArgumentErrors() {
        Quadratic f = new Quadratic(false);
        DMatrixRMaj a = new DMatrixRMaj(new double[][] {{1, 2}});
        f.gradient(a, 2.0, new DMatrixRMaj(1, 2), 0);
        assertSame(new DMatrixRMaj(new double[][] {{4, 8}}), f.gradientOf("A"));
        assertEquals(5.0, f.gradientOf("s").get(0, 0), 0);
        assertThrows(IllegalArgumentException.class, () -> f.gradientOf("B"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.gradientOf("nope"));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());

        assertThrows(IllegalArgumentException.class, () -> GradientChecker.check(f, new Object[] {a, 1.0}));
        assertThrows(IllegalArgumentException.class,
                () -> GradientChecker.check(f, new Object[] {"a", 1.0, a, 1}));
        assertThrows(IllegalArgumentException.class,
                () -> GradientChecker.check(f, new Object[] {a, 1.0, a, 1}, 0.0));
        assertThrows(IllegalArgumentException.class,
                () -> new Parameter("n", Parameter.Kind.INTEGER, true));
    }
}
