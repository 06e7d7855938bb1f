package dev.adjoint.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.runtime.DifferentiableFunction;
import dev.adjoint.runtime.GradientChecker;
import dev.adjoint.runtime.Parameter;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Random inputs and the common checks every generated function must pass. */
final class TestSupport {
    private TestSupport() {
    }

    /** Gradient-check tolerance on GradientChecker's relative error. */
    static final double GRADIENT_TOLERANCE = 1e-6;

    /** Relative agreement required between generated value() and the eagerly run method. */
    static final double EAGER_TOLERANCE = 1e-12;

    /** A parameterized test over several seeds. */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    @interface Seeds {
    }

    // ------------------------------------------------------------------ random inputs

    /** A random dimension in 1..5. */
    static int dim(Random r) {
        return 1 + r.nextInt(5);
    }

    static DMatrixRMaj uniform(Random r, int rows, int cols) {
        return uniform(r, rows, cols, -1, 1);
    }

    static DMatrixRMaj uniform(Random r, int rows, int cols, double lo, double hi) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = lo + (hi - lo) * r.nextDouble();
        }
        return m;
    }

    /** Entries with random sign and magnitude in [min, max]. */
    static DMatrixRMaj awayFromZero(Random r, int rows, int cols, double min, double max) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = awayFromZero(r, min, max);
        }
        return m;
    }

    static double scalar(Random r, double lo, double hi) {
        return lo + (hi - lo) * r.nextDouble();
    }

    static double awayFromZero(Random r, double min, double max) {
        double v = scalar(r, min, max);
        return r.nextBoolean() ? v : -v;
    }

    /** Strictly diagonally dominant (so invertible and well conditioned), random diagonal signs. */
    static DMatrixRMaj wellConditioned(Random r, int n) {
        DMatrixRMaj m = uniform(r, n, n);
        for (int i = 0; i < n; i++) {
            m.set(i, i, (r.nextBoolean() ? 1 : -1) * (n + r.nextDouble()));
        }
        return m;
    }

    /** Exactly symmetric positive definite: B·Bᵀ + I. */
    static DMatrixRMaj spd(Random r, int n) {
        DMatrixRMaj b = uniform(r, n, n);
        DMatrixRMaj s = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = i == j ? 1.0 : 0.0;
                for (int k = 0; k < n; k++) {
                    sum += b.get(i, k) * b.get(j, k);
                }
                s.set(i, j, sum);
                s.set(j, i, sum);
            }
        }
        return s;
    }

    /** A fresh SimpleMatrix over a private copy, for running the user's method eagerly. */
    static SimpleMatrix sm(DMatrixRMaj m) {
        return SimpleMatrix.wrap(m.copy());
    }

    /** A SimpleMatrix sharing the argument's storage, for the SimpleMatrix overloads. */
    static SimpleMatrix sw(DMatrixRMaj m) {
        return SimpleMatrix.wrap(m);
    }

    // ------------------------------------------------------------------ the common checks

    /**
     * For one generated function at one point: value() and gradient() equal the eager method to
     * 1e-12 relative; the Object... overloads return exactly what the typed methods return; no
     * argument is modified by any call; the gradients are deterministic; and they pass
     * GradientChecker at {@link #GRADIENT_TOLERANCE}.
     */
    static void verify(DifferentiableFunction f, DoubleSupplier eager, DoubleSupplier typedValue,
                       DoubleSupplier typedGradient, Object... args) {
        Object[] snapshot = deepCopy(args);

        double expected = eager.getAsDouble();
        assertUnchanged(snapshot, args, "eager run");

        double value = typedValue.getAsDouble();
        assertUnchanged(snapshot, args, "value(...)");
        assertRelativelyClose(expected, value, EAGER_TOLERANCE,
                f.name() + ": generated value() vs. the method run eagerly");

        double valueObjects = f.value(args);
        assertUnchanged(snapshot, args, "value(Object...)");
        assertEquals(value, valueObjects, 0.0, f.name() + ": value(Object...) vs. typed value(...)");

        double gradientValue = typedGradient.getAsDouble();
        assertUnchanged(snapshot, args, "gradient(...)");
        // value() runs its own forward-only program (a solve where gradient() needs the inverse),
        // so the two agree to rounding, like value() and the eager method.
        assertRelativelyClose(expected, gradientValue, EAGER_TOLERANCE, f.name() + ": gradient(...) must return the value");

        List<Parameter> parameters = f.parameters();
        assertEquals(args.length, parameters.size(), f.name() + ": number of parameters");
        DMatrixRMaj[] gradients = new DMatrixRMaj[args.length];
        for (int i = 0; i < args.length; i++) {
            if (parameters.get(i).wrt()) {
                DMatrixRMaj g = f.gradientOf(i);
                int rows = args[i] instanceof DMatrixRMaj m ? m.numRows : 1;
                int cols = args[i] instanceof DMatrixRMaj m ? m.numCols : 1;
                assertEquals(rows + "x" + cols, g.numRows + "x" + g.numCols,
                        f.name() + ": shape of the gradient of " + parameters.get(i).name());
                for (int e = 0; e < g.getNumElements(); e++) {
                    assertTrue(Double.isFinite(g.data[e]), f.name() + ": non-finite gradient of "
                            + parameters.get(i).name() + ": " + g);
                }
                gradients[i] = g.copy();
            }
        }

        double gradientObjects = f.gradient(args);
        assertUnchanged(snapshot, args, "gradient(Object...)");
        assertEquals(gradientValue, gradientObjects, 0.0, f.name() + ": gradient(Object...) vs. typed gradient(...)");
        for (int i = 0; i < args.length; i++) {
            if (gradients[i] != null) {
                DMatrixRMaj g = f.gradientOf(parameters.get(i).name());
                assertArrayEquals(Arrays.copyOf(gradients[i].data, gradients[i].getNumElements()),
                        Arrays.copyOf(g.data, g.getNumElements()), 0.0,
                        f.name() + ": gradient of " + parameters.get(i).name() + " differs between calls");
            }
        }

        GradientChecker.check(f, args).assertBelow(GRADIENT_TOLERANCE);
        assertUnchanged(snapshot, args, "GradientChecker");
        if (f.order() == 2) {
            verifySecondOrder(f, snapshot, args);
        }
        verifyFloat32(f, args);
    }

    /** Relative agreement of a float32 class with its double class: float rounding, amplified a little by conditioning. */
    static final double FLOAT32_TOLERANCE = 2e-3;

    /**
     * For a loss declared {@code precision = {DOUBLE, FLOAT}}: its float32 class {@code C_M_F32}
     * (same API on {@code FMatrixRMaj} and {@code float}) computes the same value and gradients as
     * the double class to float precision, from the same arguments rounded to float, and leaves
     * them untouched.
     */
    static void verifyFloat32(DifferentiableFunction f, Object[] args) {
        Class<?> type;
        try {
            type = Class.forName(f.getClass().getName() + "_F32");
        } catch (ClassNotFoundException e) {
            return; // declared for double only
        }
        try {
            List<Parameter> parameters = f.parameters();
            Object[] floats = new Object[args.length];
            Class<?>[] types = new Class<?>[args.length];
            for (int i = 0; i < args.length; i++) {
                Parameter.Kind kind = parameters.get(i).kind();
                if (kind == Parameter.Kind.MATRIX) {
                    DMatrixRMaj m = (DMatrixRMaj) args[i];
                    org.ejml.data.FMatrixRMaj x = new org.ejml.data.FMatrixRMaj(m.numRows, m.numCols);
                    org.ejml.ops.ConvertMatrixData.convert(m, x);
                    floats[i] = x;
                    types[i] = org.ejml.data.FMatrixRMaj.class;
                } else if (kind == Parameter.Kind.SCALAR) {
                    floats[i] = ((Number) args[i]).floatValue();
                    types[i] = float.class;
                } else {
                    floats[i] = ((Number) args[i]).intValue();
                    types[i] = int.class;
                }
            }
            // The double class at the float-rounded point, so only the arithmetic differs.
            Object[] rounded = new Object[args.length];
            for (int i = 0; i < args.length; i++) {
                if (floats[i] instanceof org.ejml.data.FMatrixRMaj x) {
                    DMatrixRMaj d = new DMatrixRMaj(x.numRows, x.numCols);
                    org.ejml.ops.ConvertMatrixData.convert(x, d);
                    rounded[i] = d;
                } else if (floats[i] instanceof Float v) {
                    rounded[i] = (double) v;
                } else {
                    rounded[i] = floats[i];
                }
            }
            double expected = f.gradient(rounded);
            Object[] snapshot = deepCopyFloats(floats);
            Object instance = type.getConstructor().newInstance();
            float value = (float) type.getMethod("value", types).invoke(instance, floats);
            float loss = (float) type.getMethod("gradient", types).invoke(instance, floats);
            for (int i = 0; i < floats.length; i++) {
                if (floats[i] instanceof org.ejml.data.FMatrixRMaj x) {
                    assertTrue(Arrays.equals(((org.ejml.data.FMatrixRMaj) snapshot[i]).data, x.data),
                            f.name() + " (float32): argument " + i + " modified");
                }
            }
            double scale = Math.max(1e-6, Math.abs(expected));
            assertTrue(Math.abs(value - expected) <= FLOAT32_TOLERANCE * scale, f.name() + " (float32): value() " + value
                    + " vs the double class's " + expected);
            assertTrue(Math.abs(loss - expected) <= FLOAT32_TOLERANCE * scale, f.name() + " (float32): gradient() returns "
                    + loss + " vs the double class's " + expected);
            for (int i = 0; i < args.length; i++) {
                Parameter p = parameters.get(i);
                if (!p.wrt()) {
                    continue;
                }
                DMatrixRMaj want = f.gradientOf(i);
                String accessor = "grad" + Character.toUpperCase(p.name().charAt(0)) + p.name().substring(1);
                Object got = type.getMethod(accessor).invoke(instance);
                double gradientScale = Math.max(1e-6, org.ejml.dense.row.CommonOps_DDRM.elementMaxAbs(want));
                if (got instanceof org.ejml.data.FMatrixRMaj g) {
                    assertEquals(want.numRows + "x" + want.numCols, g.numRows + "x" + g.numCols, f.name() + " (float32): shape of "
                            + accessor);
                    for (int e = 0; e < want.getNumElements(); e++) {
                        if (!(Math.abs(g.data[e] - want.data[e]) <= FLOAT32_TOLERANCE * gradientScale)) {
                            fail(f.name() + " (float32): " + accessor + " entry " + e + " is " + g.data[e]
                                    + " but the double class gives " + want.data[e]);
                        }
                    }
                } else {
                    float g = (float) got;
                    assertTrue(Math.abs(g - want.get(0)) <= FLOAT32_TOLERANCE * gradientScale, f.name() + " (float32): "
                            + accessor + "() is " + g + " but the double class gives " + want.get(0));
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(f.name() + " (float32): " + e, e);
        }
    }

    private static Object[] deepCopyFloats(Object[] args) {
        Object[] copy = args.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] instanceof org.ejml.data.FMatrixRMaj m) {
                copy[i] = m.copy();
            }
        }
        return copy;
    }

    /**
     * For {@code @Differentiable(order = 2)}: Hessian-vector products against finite differences
     * of the generated gradient, and the full Hessian: its columns (Hessian-vector products
     * along unit directions) symmetric before {@code hessian(...)} symmetrizes them, equal to
     * the Hessian it returns, and the Hessian times a random direction equal to the
     * Hessian-vector product along it. Arguments stay untouched throughout.
     */
    static void verifySecondOrder(DifferentiableFunction f, Object[] snapshot, Object[] args) {
        GradientChecker.checkHessianVectorProducts(f, args).assertBelow(GRADIENT_TOLERANCE);
        assertUnchanged(snapshot, args, "checkHessianVectorProducts");

        List<Parameter> parameters = f.parameters();
        List<Integer> wrt = new java.util.ArrayList<>();
        int n = 0;
        for (int i = 0; i < parameters.size(); i++) {
            if (parameters.get(i).wrt()) {
                wrt.add(i);
                n += args[i] instanceof DMatrixRMaj m ? m.getNumElements() : 1;
            }
        }
        DMatrixRMaj hessian = f.hessian(args).copy();
        assertUnchanged(snapshot, args, "hessian(...)");
        assertEquals(n + "x" + n, hessian.numRows + "x" + hessian.numCols, f.name() + ": shape of the Hessian");

        // Columns H·eⱼ from the bridge, one unit direction at a time.
        DMatrixRMaj columns = new DMatrixRMaj(n, n);
        double scale = Double.MIN_NORMAL;
        for (int j = 0; j < n; j++) {
            Object[] directions = unitDirections(args, wrt, j);
            f.hessianVectorProduct(args, directions);
            int row = 0;
            for (int i : wrt) {
                DMatrixRMaj hv = f.hessianVectorProductOf(i);
                for (int e = 0; e < hv.getNumElements(); e++) {
                    columns.set(row + e, j, hv.data[e]);
                    scale = Math.max(scale, Math.abs(hv.data[e]));
                }
                row += hv.getNumElements();
            }
        }
        assertUnchanged(snapshot, args, "hessianVectorProduct(Object[], Object[])");
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double a = columns.get(i, j);
                double b = columns.get(j, i);
                if (!(Math.abs(a - b) <= 1e-9 * scale)) {
                    fail(f.name() + ": Hessian not symmetric at (" + i + "," + j + "): " + a + " vs " + b);
                }
            }
        }
        assertMatrixClose(columns, hessian, 1e-9, f.name() + ": hessian(...) vs stacked Hessian-vector products");

        // H·d for a random d, against the product with the full Hessian.
        Random r = new Random(n);
        double[] d = new double[n];
        Object[] directions = new Object[wrt.size()];
        int offset = 0;
        for (int k = 0; k < wrt.size(); k++) {
            Object a = args[wrt.get(k)];
            if (a instanceof DMatrixRMaj m) {
                DMatrixRMaj dm = new DMatrixRMaj(m.numRows, m.numCols);
                for (int e = 0; e < dm.getNumElements(); e++) {
                    dm.data[e] = d[offset + e] = r.nextDouble() - 0.5;
                }
                directions[k] = dm;
                offset += dm.getNumElements();
            } else {
                d[offset] = r.nextDouble() - 0.5;
                directions[k] = d[offset++];
            }
        }
        double value = f.hessianVectorProduct(args, directions);
        assertRelativelyClose(f.value(args), value, EAGER_TOLERANCE, f.name() + ": hessianVectorProduct(...) must return the value");
        DMatrixRMaj stacked = new DMatrixRMaj(n, 1);
        int row = 0;
        for (int i : wrt) {
            DMatrixRMaj hv = f.hessianVectorProductOf(i);
            for (int e = 0; e < hv.getNumElements(); e++) {
                stacked.data[row++] = hv.data[e];
            }
        }
        DMatrixRMaj expected = new DMatrixRMaj(n, 1);
        org.ejml.dense.row.CommonOps_DDRM.mult(hessian, new DMatrixRMaj(n, 1, true, d), expected);
        // Rounding relative to the Hessian's and the gradient's entries (H·d may cancel to zero, or
        // H be zero, as for det of a 1×1 matrix, where rounding still leaves ε·|∇f|).
        double hessianScale = Math.max(Double.MIN_NORMAL, org.ejml.dense.row.CommonOps_DDRM.elementMaxAbs(hessian));
        for (int i : wrt) {
            hessianScale = Math.max(hessianScale, org.ejml.dense.row.CommonOps_DDRM.elementMaxAbs(f.gradientOf(i)));
        }
        for (int i = 0; i < n; i++) {
            if (!(Math.abs(expected.data[i] - stacked.data[i]) <= 1e-9 * hessianScale * n)) {
                fail(f.name() + ": Hessian·d vs hessianVectorProduct along d at " + i + ": " + expected.data[i] + " vs "
                        + stacked.data[i]);
            }
        }
    }

    private static Object[] unitDirections(Object[] args, List<Integer> wrt, int j) {
        Object[] directions = new Object[wrt.size()];
        int offset = 0;
        for (int k = 0; k < wrt.size(); k++) {
            Object a = args[wrt.get(k)];
            if (a instanceof DMatrixRMaj m) {
                DMatrixRMaj unit = new DMatrixRMaj(m.numRows, m.numCols);
                if (j >= offset && j < offset + unit.getNumElements()) {
                    unit.data[j - offset] = 1;
                }
                directions[k] = unit;
                offset += unit.getNumElements();
            } else {
                directions[k] = j == offset ? 1.0 : 0.0;
                offset++;
            }
        }
        return directions;
    }

    static void assertRelativelyClose(double expected, double actual, double relative, String message) {
        assertTrue(Double.isFinite(actual), message + ": not finite: " + actual);
        double tolerance = relative * Math.max(Math.abs(expected), Double.MIN_NORMAL);
        if (!(Math.abs(expected - actual) <= tolerance)) {
            fail(message + ": expected " + expected + " but was " + actual + " (difference "
                    + Math.abs(expected - actual) + ", allowed " + tolerance + ")");
        }
    }

    /** Asserts every entry of actual is within relative·max|expected| of expected. */
    static void assertMatrixClose(DMatrixRMaj expected, DMatrixRMaj actual, double relative, String message) {
        assertEquals(expected.numRows + "x" + expected.numCols, actual.numRows + "x" + actual.numCols,
                message + ": shape");
        double scale = Double.MIN_NORMAL;
        for (int i = 0; i < expected.getNumElements(); i++) {
            scale = Math.max(scale, Math.abs(expected.data[i]));
        }
        for (int i = 0; i < expected.getNumElements(); i++) {
            double err = Math.abs(expected.data[i] - actual.data[i]);
            if (!(err <= relative * scale)) {
                fail(message + ": entry (" + i / expected.numCols + "," + i % expected.numCols + ") expected "
                        + expected.data[i] + " but was " + actual.data[i] + "\nexpected " + expected
                        + "\nactual " + actual);
            }
        }
    }

    static Object[] deepCopy(Object[] args) {
        Object[] copy = args.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] instanceof DMatrixRMaj m) {
                copy[i] = m.copy();
            }
        }
        return copy;
    }

    static void assertUnchanged(Object[] snapshot, Object[] args, String after) {
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof DMatrixRMaj m) {
                DMatrixRMaj s = (DMatrixRMaj) snapshot[i];
                assertEquals(s.numRows, m.numRows, "argument " + i + " rows changed by " + after);
                assertEquals(s.numCols, m.numCols, "argument " + i + " columns changed by " + after);
                assertTrue(Arrays.equals(s.data, m.data), "argument " + i + " data changed by " + after);
            } else {
                assertEquals(snapshot[i], args[i], "argument " + i + " changed by " + after);
            }
        }
    }
}
