package dev.adjoint.runtime.optim;

import dev.adjoint.runtime.Arguments;
import dev.adjoint.runtime.DifferentiableFunction;
import dev.adjoint.runtime.Parameter;
import java.util.List;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/** Hand-written differentiable functions with known minima (the runtime cannot run the processor). */
final class TestFunctions {

    private TestFunctions() {
    }

    /**
     * Q(x, s, t; A, b) = ½·xᵀAx − (b − t·1)ᵀx + (s − 3)², with x n×1, A symmetric positive definite.
     * For fixed t its minimum is at x = A⁻¹(b − t·1), s = 3. Allocates nothing per call.
     */
    static final class Quadratic implements DifferentiableFunction {
        private static final List<Parameter> PARAMETERS = List.of(
                new Parameter("x", Parameter.Kind.MATRIX, true),
                new Parameter("s", Parameter.Kind.SCALAR, true),
                new Parameter("t", Parameter.Kind.SCALAR, true),
                new Parameter("A", Parameter.Kind.MATRIX, false),
                new Parameter("b", Parameter.Kind.MATRIX, false));

        private final DMatrixRMaj ax = new DMatrixRMaj(1, 1);
        private final DMatrixRMaj gradX = new DMatrixRMaj(1, 1);
        private final DMatrixRMaj gradS = new DMatrixRMaj(1, 1);
        private final DMatrixRMaj gradT = new DMatrixRMaj(1, 1);
        int calls;

        @Override
        public String name() {
            return "test.quadratic";
        }

        @Override
        public List<Parameter> parameters() {
            return PARAMETERS;
        }

        @Override
        public double value(Object... arguments) {
            calls++;
            DMatrixRMaj x = Arguments.matrix(arguments, 0, "x");
            double s = Arguments.scalar(arguments, 1, "s");
            double t = Arguments.scalar(arguments, 2, "t");
            DMatrixRMaj a = Arguments.matrix(arguments, 3, "A");
            DMatrixRMaj b = Arguments.matrix(arguments, 4, "b");
            CommonOps_DDRM.mult(a, x, ax);
            double v = 0;
            for (int i = 0; i < x.numRows; i++) {
                v += 0.5 * x.data[i] * ax.data[i] - (b.data[i] - t) * x.data[i];
            }
            return v + (s - 3) * (s - 3);
        }

        @Override
        public double gradient(Object... arguments) {
            double v = value(arguments);
            DMatrixRMaj x = Arguments.matrix(arguments, 0, "x");
            double s = Arguments.scalar(arguments, 1, "s");
            double t = Arguments.scalar(arguments, 2, "t");
            DMatrixRMaj b = Arguments.matrix(arguments, 4, "b");
            gradX.reshape(x.numRows, 1);
            double sumX = 0;
            for (int i = 0; i < x.numRows; i++) {
                gradX.data[i] = ax.data[i] - (b.data[i] - t);
                sumX += x.data[i];
            }
            gradS.set(0, 0, 2 * (s - 3));
            gradT.set(0, 0, sumX);
            return v;
        }

        @Override
        public DMatrixRMaj gradientOf(int parameterIndex) {
            return switch (parameterIndex) {
                case 0 -> gradX;
                case 1 -> gradS;
                case 2 -> gradT;
                default -> throw new IllegalArgumentException("no gradient for parameter " + parameterIndex);
            };
        }
    }

    /** Random symmetric positive definite n×n with eigenvalues in about [1, 4]: B·Bᵀ/n + I. */
    static DMatrixRMaj spd(Random rnd, int n) {
        DMatrixRMaj b = new DMatrixRMaj(n, n);
        for (int i = 0; i < b.getNumElements(); i++) {
            b.data[i] = rnd.nextGaussian();
        }
        DMatrixRMaj a = new DMatrixRMaj(n, n);
        CommonOps_DDRM.multTransB(1.0 / n, b, b, a);
        for (int i = 0; i < n; i++) {
            a.add(i, i, 1);
        }
        return a;
    }

    /** Rosenbrock's function of a 2×1 matrix z: (1 − z₀)² + 100(z₁ − z₀²)², minimum 0 at (1, 1). */
    static final class Rosenbrock implements DifferentiableFunction {
        private static final List<Parameter> PARAMETERS = List.of(new Parameter("z", Parameter.Kind.MATRIX, true));
        private final DMatrixRMaj grad = new DMatrixRMaj(2, 1);

        @Override
        public String name() {
            return "test.rosenbrock";
        }

        @Override
        public List<Parameter> parameters() {
            return PARAMETERS;
        }

        @Override
        public double value(Object... arguments) {
            DMatrixRMaj z = Arguments.matrix(arguments, 0, "z");
            double a = z.data[0];
            double b = z.data[1];
            return (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a);
        }

        @Override
        public double gradient(Object... arguments) {
            DMatrixRMaj z = Arguments.matrix(arguments, 0, "z");
            double a = z.data[0];
            double b = z.data[1];
            grad.data[0] = -2 * (1 - a) - 400 * a * (b - a * a);
            grad.data[1] = 200 * (b - a * a);
            return value(arguments);
        }

        @Override
        public DMatrixRMaj gradientOf(int parameterIndex) {
            if (parameterIndex != 0) {
                throw new IllegalArgumentException("no gradient for parameter " + parameterIndex);
            }
            return grad;
        }
    }
}
