package dev.adjoint.runtime.optim;

import dev.adjoint.runtime.Arguments;
import dev.adjoint.runtime.DifferentiableFunction;
import dev.adjoint.runtime.Parameter;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Hand-written differentiable functions of order 2, with exact gradients and Hessian-vector
 * products, standing in for classes generated with {@code @Differentiable(order = 2)}. None
 * allocates once the argument shapes repeat.
 */
final class SecondOrderFunctions {

    private SecondOrderFunctions() {
    }

    /** Reads a direction as {@link DifferentiableFunction#hessianVectorProduct} passes it. */
    private static DMatrixRMaj matrixDirection(Object[] directions, int index) {
        return Arguments.matrix(directions, index, "direction");
    }

    private static double scalarDirection(Object[] directions, int index) {
        return Arguments.scalar(directions, index, "direction");
    }

    /**
     * Q(x, s, t; A, b) = ½·xᵀAx − (b − t·1)ᵀx + (s − 3)², as {@link TestFunctions.Quadratic}, with
     * A symmetric. Its Hessian couples x and t (∂²Q/∂x∂t = 1), so a product that does not hold
     * t's direction at zero when t is not optimized is wrong for x.
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
        private final DMatrixRMaj hvpX = new DMatrixRMaj(1, 1);
        private final DMatrixRMaj hvpS = new DMatrixRMaj(1, 1);
        private final DMatrixRMaj hvpT = new DMatrixRMaj(1, 1);

        @Override
        public String name() {
            return "test.quadratic2";
        }

        @Override
        public List<Parameter> parameters() {
            return PARAMETERS;
        }

        @Override
        public int order() {
            return 2;
        }

        @Override
        public double value(Object... arguments) {
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

        @Override
        public double hessianVectorProduct(Object[] arguments, Object[] directions) {
            double v = gradient(arguments);
            DMatrixRMaj a = Arguments.matrix(arguments, 3, "A");
            DMatrixRMaj dx = matrixDirection(directions, 0);
            double ds = scalarDirection(directions, 1);
            double dt = scalarDirection(directions, 2);
            // H·d = (A·dx + dt·1, 2·ds, 1ᵀdx)
            CommonOps_DDRM.mult(a, dx, hvpX);
            double sumDx = 0;
            for (int i = 0; i < dx.numRows; i++) {
                hvpX.data[i] += dt;
                sumDx += dx.data[i];
            }
            hvpS.set(0, 0, 2 * ds);
            hvpT.set(0, 0, sumDx);
            return v;
        }

        @Override
        public DMatrixRMaj hessianVectorProductOf(int parameterIndex) {
            return switch (parameterIndex) {
                case 0 -> hvpX;
                case 1 -> hvpS;
                case 2 -> hvpT;
                default -> throw new IllegalArgumentException("no product for parameter " + parameterIndex);
            };
        }
    }

    /**
     * The extended Rosenbrock function of an n×1 matrix z, n even (Moré, Garbow and Hillstrom's
     * problem 21): Σₖ (1 − z₂ₖ)² + 100(z₂ₖ₊₁ − z₂ₖ²)², nonconvex, minimum 0 at z = 1 only. Its
     * Hessian is indefinite wherever some z₂ₖ₊₁ &gt; 3z₂ₖ² + 1/200.
     */
    static final class Rosenbrock implements DifferentiableFunction {
        private static final List<Parameter> PARAMETERS = List.of(new Parameter("z", Parameter.Kind.MATRIX, true));
        private final DMatrixRMaj grad = new DMatrixRMaj(1, 1);
        private final DMatrixRMaj hvp = new DMatrixRMaj(1, 1);

        @Override
        public String name() {
            return "test.rosenbrock";
        }

        @Override
        public List<Parameter> parameters() {
            return PARAMETERS;
        }

        @Override
        public int order() {
            return 2;
        }

        @Override
        public double value(Object... arguments) {
            DMatrixRMaj z = Arguments.matrix(arguments, 0, "z");
            double v = 0;
            for (int k = 0; k + 1 < z.numRows; k += 2) {
                double a = z.data[k];
                double b = z.data[k + 1];
                v += (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a);
            }
            return v;
        }

        @Override
        public double gradient(Object... arguments) {
            DMatrixRMaj z = Arguments.matrix(arguments, 0, "z");
            grad.reshape(z.numRows, 1);
            for (int k = 0; k + 1 < z.numRows; k += 2) {
                double a = z.data[k];
                double b = z.data[k + 1];
                grad.data[k] = -2 * (1 - a) - 400 * a * (b - a * a);
                grad.data[k + 1] = 200 * (b - a * a);
            }
            return value(arguments);
        }

        @Override
        public DMatrixRMaj gradientOf(int parameterIndex) {
            if (parameterIndex != 0) {
                throw new IllegalArgumentException("no gradient for parameter " + parameterIndex);
            }
            return grad;
        }

        @Override
        public double hessianVectorProduct(Object[] arguments, Object[] directions) {
            double v = gradient(arguments);
            DMatrixRMaj z = Arguments.matrix(arguments, 0, "z");
            DMatrixRMaj dz = matrixDirection(directions, 0);
            hvp.reshape(z.numRows, 1);
            for (int k = 0; k + 1 < z.numRows; k += 2) {
                double a = z.data[k];
                double b = z.data[k + 1];
                double haa = 2 - 400 * b + 1200 * a * a;
                double hab = -400 * a;
                hvp.data[k] = haa * dz.data[k] + hab * dz.data[k + 1];
                hvp.data[k + 1] = hab * dz.data[k] + 200 * dz.data[k + 1];
            }
            return v;
        }

        @Override
        public DMatrixRMaj hessianVectorProductOf(int parameterIndex) {
            if (parameterIndex != 0) {
                throw new IllegalArgumentException("no product for parameter " + parameterIndex);
            }
            return hvp;
        }
    }

    /**
     * L2-regularized logistic regression, L(w, c; X, y) = Σᵢ log(1 + exp(−yᵢ(xᵢᵀw + c))) + ½λ‖w‖²
     * with X m×p (rows xᵢᵀ), labels y m×1 in {−1, 1}, weights w p×1 and a {@code double} bias c.
     * Strictly convex in (w, c) when X has full column rank.
     */
    static final class Logistic implements DifferentiableFunction {
        private static final List<Parameter> PARAMETERS = List.of(
                new Parameter("w", Parameter.Kind.MATRIX, true),
                new Parameter("c", Parameter.Kind.SCALAR, true),
                new Parameter("X", Parameter.Kind.MATRIX, false),
                new Parameter("y", Parameter.Kind.MATRIX, false));

        private final double lambda;
        /** Margins z = Xw + c·1, then the per-sample weights of the gradient and of the Hessian. */
        private final DMatrixRMaj margins = new DMatrixRMaj(1, 1);
        private final DMatrixRMaj slopes = new DMatrixRMaj(1, 1);
        private final DMatrixRMaj curvatures = new DMatrixRMaj(1, 1);
        private final DMatrixRMaj gradW = new DMatrixRMaj(1, 1);
        private final DMatrixRMaj gradC = new DMatrixRMaj(1, 1);
        private final DMatrixRMaj hvpW = new DMatrixRMaj(1, 1);
        private final DMatrixRMaj hvpC = new DMatrixRMaj(1, 1);

        Logistic(double lambda) {
            this.lambda = lambda;
        }

        @Override
        public String name() {
            return "test.logistic";
        }

        @Override
        public List<Parameter> parameters() {
            return PARAMETERS;
        }

        @Override
        public int order() {
            return 2;
        }

        @Override
        public double value(Object... arguments) {
            DMatrixRMaj w = Arguments.matrix(arguments, 0, "w");
            double c = Arguments.scalar(arguments, 1, "c");
            DMatrixRMaj x = Arguments.matrix(arguments, 2, "X");
            DMatrixRMaj y = Arguments.matrix(arguments, 3, "y");
            CommonOps_DDRM.mult(x, w, margins);
            double v = 0;
            for (int i = 0; i < x.numRows; i++) {
                margins.data[i] += c;
                double t = y.data[i] * margins.data[i];
                // log(1 + e^−t) without overflow for large |t|
                v += t > 0 ? Math.log1p(Math.exp(-t)) : -t + Math.log1p(Math.exp(t));
            }
            return v + 0.5 * lambda * CommonOps_DDRM.dot(w, w);
        }

        @Override
        public double gradient(Object... arguments) {
            double v = value(arguments);
            DMatrixRMaj w = Arguments.matrix(arguments, 0, "w");
            DMatrixRMaj x = Arguments.matrix(arguments, 2, "X");
            DMatrixRMaj y = Arguments.matrix(arguments, 3, "y");
            slopes.reshape(x.numRows, 1);
            curvatures.reshape(x.numRows, 1);
            double sum = 0;
            for (int i = 0; i < x.numRows; i++) {
                double q = 1 / (1 + Math.exp(y.data[i] * margins.data[i])); // σ(−yᵢzᵢ)
                slopes.data[i] = -y.data[i] * q;
                curvatures.data[i] = q * (1 - q);
                sum += slopes.data[i];
            }
            CommonOps_DDRM.multTransA(x, slopes, gradW);
            CommonOps_DDRM.addEquals(gradW, lambda, w);
            gradC.set(0, 0, sum);
            return v;
        }

        @Override
        public DMatrixRMaj gradientOf(int parameterIndex) {
            return switch (parameterIndex) {
                case 0 -> gradW;
                case 1 -> gradC;
                default -> throw new IllegalArgumentException("no gradient for parameter " + parameterIndex);
            };
        }

        @Override
        public double hessianVectorProduct(Object[] arguments, Object[] directions) {
            double v = gradient(arguments);
            DMatrixRMaj x = Arguments.matrix(arguments, 2, "X");
            DMatrixRMaj dw = matrixDirection(directions, 0);
            double dc = scalarDirection(directions, 1);
            // H·d = (Xᵀu + λ·dw, 1ᵀu) with u = diag(σ(1 − σ))·(X·dw + dc·1); margins is scratch now.
            CommonOps_DDRM.mult(x, dw, margins);
            double sum = 0;
            for (int i = 0; i < x.numRows; i++) {
                margins.data[i] = curvatures.data[i] * (margins.data[i] + dc);
                sum += margins.data[i];
            }
            CommonOps_DDRM.multTransA(x, margins, hvpW);
            CommonOps_DDRM.addEquals(hvpW, lambda, dw);
            hvpC.set(0, 0, sum);
            return v;
        }

        @Override
        public DMatrixRMaj hessianVectorProductOf(int parameterIndex) {
            return switch (parameterIndex) {
                case 0 -> hvpW;
                case 1 -> hvpC;
                default -> throw new IllegalArgumentException("no product for parameter " + parameterIndex);
            };
        }
    }

    /** −f, to test maximization: negates f's own gradients and products in place. */
    record Negated(DifferentiableFunction f) implements DifferentiableFunction {
        @Override
        public String name() {
            return "-" + f.name();
        }

        @Override
        public List<Parameter> parameters() {
            return f.parameters();
        }

        @Override
        public int order() {
            return f.order();
        }

        @Override
        public double value(Object... arguments) {
            return -f.value(arguments);
        }

        @Override
        public double gradient(Object... arguments) {
            double v = -f.gradient(arguments);
            negateWrt(true);
            return v;
        }

        @Override
        public DMatrixRMaj gradientOf(int parameterIndex) {
            return f.gradientOf(parameterIndex);
        }

        @Override
        public double hessianVectorProduct(Object[] arguments, Object[] directions) {
            double v = -f.hessianVectorProduct(arguments, directions);
            negateWrt(true);
            negateWrt(false);
            return v;
        }

        @Override
        public DMatrixRMaj hessianVectorProductOf(int parameterIndex) {
            return f.hessianVectorProductOf(parameterIndex);
        }

        private void negateWrt(boolean gradients) {
            List<Parameter> parameters = f.parameters();
            for (int i = 0; i < parameters.size(); i++) {
                if (parameters.get(i).wrt()) {
                    CommonOps_DDRM.changeSign(gradients ? f.gradientOf(i) : f.hessianVectorProductOf(i));
                }
            }
        }
    }
}
