package dev.adjoint.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;

/**
 * Checks the gradients of any {@link DifferentiableFunction} against central finite differences.
 *
 * <p>For every entry x of every {@code wrt} parameter the numeric derivative is
 * (f(x + h) − f(x − h)) / ((x + h) − (x − h)) with h = step·max(1, |x|), so the step scales with
 * large entries. Dividing by the actually representable difference instead of 2h removes the
 * rounding of x ± h from the estimate.
 *
 * <p>Relative error of an entry = |analytic − numeric| / max(1e-6, max |numeric| over the entries
 * of that parameter). Normalizing by the largest entry of the parameter (not by each entry)
 * keeps tiny or zero entries, where finite differences only see noise, from blowing the error
 * up, while still catching any entry that is wrong on the scale of the gradient.
 *
 * <p>The caller's arguments are never modified: every matrix argument is copied into a private
 * {@link DMatrixRMaj} and perturbed there, and double arguments are replaced by {@link Double}s
 * in a copy of the argument array.
 */
public final class GradientChecker {

    /**
     * Default relative step. Central differences have truncation error ~h²·f''' and rounding
     * error ~ε·|f|/h; they balance near h ≈ ε^(1/3) ≈ 6e-6.
     */
    public static final double DEFAULT_STEP = 1e-5;

    /** Floor of the relative-error denominator, so an all-zero gradient is compared absolutely. */
    public static final double RELATIVE_FLOOR = 1e-6;

    private GradientChecker() {
    }

    /** {@link #check(DifferentiableFunction, Object[], double)} with {@link #DEFAULT_STEP}. */
    public static Report check(DifferentiableFunction f, Object[] arguments) {
        return check(f, arguments, DEFAULT_STEP);
    }

    /**
     * Compares {@code f.gradient} with central finite differences of {@code f.value} at
     * {@code arguments}, for every {@code wrt} parameter.
     *
     * @param step relative step h, positive and finite
     * @throws IllegalArgumentException if the arguments do not match {@code f.parameters()}
     * @throws IllegalStateException    if {@code f.gradientOf} returns a wrongly shaped gradient
     */
    public static Report check(DifferentiableFunction f, Object[] arguments, double step) {
        if (!(step > 0) || !Double.isFinite(step)) {
            throw new IllegalArgumentException("step must be positive and finite but is " + step);
        }
        List<Parameter> parameters = f.parameters();
        Object[] args = privateCopy(f, parameters, arguments);

        // Analytic gradients at the unperturbed point; copied because later calls may overwrite them.
        f.gradient(args);
        DMatrixRMaj[] analytic = new DMatrixRMaj[parameters.size()];
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            if (p.wrt()) {
                analytic[i] = checkedGradient(f, i, p, args[i]);
            }
        }

        List<ParameterReport> reports = new ArrayList<>();
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            if (!p.wrt()) {
                continue;
            }
            double[] numeric = p.kind() == Parameter.Kind.MATRIX
                    ? numericMatrix(f, args, i, step)
                    : numericScalar(f, args, i, step);
            reports.add(compare(p, analytic[i], numeric));
        }
        return new Report(f.name(), step, reports);
    }

    /**
     * Checks a user-defined {@code @Derivative} rule against central finite differences, in one
     * call: the rule for parameter {@code wrt} of static method {@code function} of {@code owner}
     * is compared, at {@code arguments}, with the finite-difference gradient of ⟨ct, f(arguments)⟩
     * for a fixed random cotangent ct shaped like f's result. For example
     * {@code GradientChecker.checkRule(Rules.class, "softsign", "A", A).assertBelow(1e-6)}.
     *
     * @param owner the class declaring the function and its rules, compiled with Adjoint's processor
     *     (which records the rules in {@code p/C.adjoint-rules} next to the class: the annotation itself
     *     is not visible at run time)
     * @param arguments one per parameter of the function: a {@code SimpleMatrix} or
     *     {@code DMatrixRMaj} per matrix, a {@code Number} per {@code double} or {@code int}
     * @throws IllegalArgumentException if {@code owner} has no such rule
     */
    public static Report checkRule(Class<?> owner, String function, String wrt, Object... arguments) {
        return check(UserRuleFunction.find(owner, function, wrt, arguments), arguments);
    }

    /** {@link #checkHessianVectorProducts(DifferentiableFunction, Object[], long)} with seed 1. */
    public static Report checkHessianVectorProducts(DifferentiableFunction f, Object[] arguments) {
        return checkHessianVectorProducts(f, arguments, 1);
    }

    /**
     * Compares {@code f.hessianVectorProduct} with central finite differences of
     * {@code f.gradient} along random directions d (entries uniform in [−1, 1), from
     * {@code seed}): (∇f(x + h·d) − ∇f(x − h·d)) / 2h, h = {@link #DEFAULT_STEP}·max(1, max |x|),
     * for every {@code wrt} parameter at once. Errors are relative as in {@link #check}.
     *
     * @throws UnsupportedOperationException if {@code f} is not {@code @Differentiable(order = 2)}
     */
    public static Report checkHessianVectorProducts(DifferentiableFunction f, Object[] arguments, long seed) {
        if (f.order() < 2) {
            throw new UnsupportedOperationException(f.name() + " has no second derivatives: declare it @Differentiable(order = 2)");
        }
        List<Parameter> parameters = f.parameters();
        Object[] args = privateCopy(f, parameters, arguments);
        java.util.Random random = new java.util.Random(seed);
        List<Object> directions = new ArrayList<>();
        double largest = 1;
        for (int i = 0; i < parameters.size(); i++) {
            if (!parameters.get(i).wrt()) {
                continue;
            }
            if (args[i] instanceof DMatrixRMaj m) {
                DMatrixRMaj d = new DMatrixRMaj(m.numRows, m.numCols);
                for (int e = 0; e < d.getNumElements(); e++) {
                    d.data[e] = 2 * random.nextDouble() - 1;
                    largest = Math.max(largest, Math.abs(m.data[e]));
                }
                directions.add(d);
            } else {
                directions.add(2 * random.nextDouble() - 1);
                largest = Math.max(largest, Math.abs(((Number) args[i]).doubleValue()));
            }
        }
        double h = DEFAULT_STEP * largest;
        f.hessianVectorProduct(args, directions.toArray());
        DMatrixRMaj[] analytic = new DMatrixRMaj[parameters.size()];
        for (int i = 0; i < parameters.size(); i++) {
            if (parameters.get(i).wrt()) {
                DMatrixRMaj hv = f.hessianVectorProductOf(i);
                analytic[i] = hv.copy();
            }
        }
        DMatrixRMaj[] plus = gradientsAlong(f, parameters, args, directions, h);
        DMatrixRMaj[] minus = gradientsAlong(f, parameters, args, directions, -h);
        List<ParameterReport> reports = new ArrayList<>();
        for (int i = 0; i < parameters.size(); i++) {
            if (!parameters.get(i).wrt()) {
                continue;
            }
            double[] numeric = new double[plus[i].getNumElements()];
            for (int e = 0; e < numeric.length; e++) {
                numeric[e] = (plus[i].data[e] - minus[i].data[e]) / (2 * h);
            }
            if (analytic[i].getNumElements() != numeric.length) {
                throw new IllegalStateException(f.name() + ": hessianVectorProductOf(" + parameters.get(i).name() + ") is "
                        + Kernels.shape(analytic[i]) + " but should be shaped like the gradient, " + Kernels.shape(plus[i]));
            }
            reports.add(compare(parameters.get(i), analytic[i], numeric));
        }
        return new Report(f.name(), DEFAULT_STEP, reports, "Hessian-vector product check", "finite differences of the gradient");
    }

    /** The gradients at x + t·d (every wrt parameter moved along its direction), copied. */
    private static DMatrixRMaj[] gradientsAlong(DifferentiableFunction f, List<Parameter> parameters, Object[] args,
            List<Object> directions, double t) {
        Object[] moved = args.clone();
        int k = 0;
        for (int i = 0; i < parameters.size(); i++) {
            if (!parameters.get(i).wrt()) {
                continue;
            }
            Object d = directions.get(k++);
            if (args[i] instanceof DMatrixRMaj m) {
                DMatrixRMaj x = m.copy();
                for (int e = 0; e < x.getNumElements(); e++) {
                    x.data[e] += t * ((DMatrixRMaj) d).data[e];
                }
                moved[i] = x;
            } else {
                moved[i] = ((Number) args[i]).doubleValue() + t * ((Number) d).doubleValue();
            }
        }
        f.gradient(moved);
        DMatrixRMaj[] gradients = new DMatrixRMaj[parameters.size()];
        for (int i = 0; i < parameters.size(); i++) {
            if (parameters.get(i).wrt()) {
                gradients[i] = checkedGradient(f, i, parameters.get(i), moved[i]);
            }
        }
        return gradients;
    }

    /** Copies the argument array, every matrix into a fresh DMatrixRMaj and every double into a Double. */
    private static Object[] privateCopy(DifferentiableFunction f, List<Parameter> parameters, Object[] arguments) {
        if (arguments.length != parameters.size()) {
            throw new IllegalArgumentException(f.name() + " takes " + parameters.size()
                    + " arguments but " + arguments.length + " were given");
        }
        Object[] args = arguments.clone();
        for (int i = 0; i < args.length; i++) {
            Parameter p = parameters.get(i);
            Object a = args[i];
            if (p.kind() == Parameter.Kind.MATRIX) {
                if (a instanceof DMatrixRMaj m) {
                    args[i] = m.copy();
                } else if (a instanceof SimpleMatrix s) {
                    args[i] = s.getDDRM().copy();
                } else {
                    throw new IllegalArgumentException("argument '" + p.name()
                            + "' must be a DMatrixRMaj or SimpleMatrix but is " + describe(a));
                }
            } else if (a instanceof Number n) {
                if (p.kind() == Parameter.Kind.SCALAR) {
                    args[i] = Double.valueOf(n.doubleValue());
                }
            } else {
                throw new IllegalArgumentException("argument '" + p.name() + "' must be a Number but is "
                        + describe(a));
            }
        }
        return args;
    }

    private static String describe(Object a) {
        return a == null ? "null" : a.getClass().getName();
    }

    /** A copy of f.gradientOf(i), after checking it is shaped like the argument (1×1 for a double). */
    private static DMatrixRMaj checkedGradient(DifferentiableFunction f, int i, Parameter p, Object arg) {
        DMatrixRMaj g = f.gradientOf(i);
        int rows = 1;
        int cols = 1;
        if (arg instanceof DMatrixRMaj m) {
            rows = m.numRows;
            cols = m.numCols;
        }
        if (g == null || g.numRows != rows || g.numCols != cols) {
            throw new IllegalStateException(f.name() + ": gradientOf(" + p.name() + ") is "
                    + (g == null ? "null" : Kernels.shape(g)) + " but should be " + rows + "x" + cols);
        }
        return g.copy();
    }

    private static double[] numericMatrix(DifferentiableFunction f, Object[] args, int i, double step) {
        DMatrixRMaj x = (DMatrixRMaj) args[i];
        double[] numeric = new double[x.getNumElements()];
        for (int e = 0; e < numeric.length; e++) {
            double original = x.data[e];
            double h = step * Math.max(1.0, Math.abs(original));
            double plus = original + h;
            double minus = original - h;
            x.data[e] = plus;
            double fPlus = f.value(args);
            x.data[e] = minus;
            double fMinus = f.value(args);
            x.data[e] = original;
            numeric[e] = (fPlus - fMinus) / (plus - minus);
        }
        return numeric;
    }

    private static double[] numericScalar(DifferentiableFunction f, Object[] args, int i, double step) {
        double original = ((Number) args[i]).doubleValue();
        double h = step * Math.max(1.0, Math.abs(original));
        double plus = original + h;
        double minus = original - h;
        args[i] = plus;
        double fPlus = f.value(args);
        args[i] = minus;
        double fMinus = f.value(args);
        args[i] = original;
        return new double[] {(fPlus - fMinus) / (plus - minus)};
    }

    private static ParameterReport compare(Parameter p, DMatrixRMaj analytic, double[] numeric) {
        double scale = RELATIVE_FLOOR;
        for (double n : numeric) {
            scale = Math.max(scale, Math.abs(n)); // NaN propagates, failing the check
        }
        double maxAbs = 0;
        int worst = 0;
        for (int e = 0; e < numeric.length; e++) {
            double error = Math.abs(analytic.data[e] - numeric[e]);
            // A NaN error counts as the worst; the first NaN found is kept.
            if (!Double.isNaN(maxAbs) && (Double.isNaN(error) || error > maxAbs)) {
                maxAbs = error;
                worst = e;
            }
        }
        String where = p.kind() == Parameter.Kind.MATRIX
                ? "(" + worst / analytic.numCols + "," + worst % analytic.numCols + ")"
                : "-";
        boolean any = numeric.length > 0;
        return new ParameterReport(p.name(), numeric.length, maxAbs, maxAbs / scale, where,
                any ? analytic.data[worst] : 0, any ? numeric[worst] : 0);
    }

    /**
     * The result for one {@code wrt} parameter.
     *
     * @param name             the parameter name
     * @param entries          number of entries checked
     * @param maxAbsoluteError max |analytic − numeric| over the entries
     * @param maxRelativeError maxAbsoluteError / max(1e-6, max |numeric|)
     * @param worstEntry       "(row,col)" of the entry with the largest error, "-" for a double
     * @param analytic         analytic derivative at the worst entry
     * @param numeric          numeric derivative at the worst entry
     */
    public record ParameterReport(String name, int entries, double maxAbsoluteError, double maxRelativeError,
                                  String worstEntry, double analytic, double numeric) {
    }

    /** The result of a gradient check: one {@link ParameterReport} per {@code wrt} parameter. */
    public static final class Report {
        private final String function;
        private final double step;
        private final List<ParameterReport> parameters;
        private final String kind;
        private final String reference;

        Report(String function, double step, List<ParameterReport> parameters) {
            this(function, step, parameters, "Gradient check", "finite differences of the value");
        }

        Report(String function, double step, List<ParameterReport> parameters, String kind, String reference) {
            this.function = function;
            this.step = step;
            this.parameters = List.copyOf(parameters);
            this.kind = kind;
            this.reference = reference;
        }

        /** Per-parameter results, in declaration order. */
        public List<ParameterReport> parameters() {
            return parameters;
        }

        /** Max absolute error over all parameters (NaN if any comparison was NaN). */
        public double maxAbsoluteError() {
            double max = 0;
            for (ParameterReport p : parameters) {
                max = Math.max(max, p.maxAbsoluteError());
            }
            return max;
        }

        /** Max relative error over all parameters (NaN if any comparison was NaN). */
        public double maxRelativeError() {
            double max = 0;
            for (ParameterReport p : parameters) {
                max = Math.max(max, p.maxRelativeError());
            }
            return max;
        }

        /** Throws an AssertionError with the table unless maxRelativeError() &lt;= tolerance (NaN fails). */
        public void assertBelow(double tolerance) {
            double max = maxRelativeError();
            if (!(max <= tolerance)) {
                throw new AssertionError(String.format(Locale.ROOT,
                        "%s failed: max relative error %.3e exceeds %.3e%n%s", kind, max, tolerance, this));
            }
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "%s of %s against %s (step %.1e; relative error = "
                    + "|analytic - numeric| / max(1e-6, max |numeric| of the parameter))%n", kind, function, reference, step));
            sb.append(String.format(Locale.ROOT, "%-12s %8s %13s %13s %10s %14s %14s%n",
                    "parameter", "entries", "max abs err", "max rel err", "worst at", "analytic", "numeric"));
            for (ParameterReport p : parameters) {
                sb.append(String.format(Locale.ROOT, "%-12s %8d %13.3e %13.3e %10s %14.6e %14.6e%n",
                        p.name(), p.entries(), p.maxAbsoluteError(), p.maxRelativeError(), p.worstEntry(),
                        p.analytic(), p.numeric()));
            }
            return sb.toString();
        }
    }
}
