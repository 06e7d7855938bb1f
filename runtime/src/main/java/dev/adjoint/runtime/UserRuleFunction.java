package dev.adjoint.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;

/**
 * A user function with a {@code @Derivative} rule seen as a {@link DifferentiableFunction}, so
 * {@link GradientChecker#checkRule} can compare the rule with finite differences: its value is
 * ⟨ct, f(args)⟩ for a fixed random cotangent ct, whose gradient with respect to the rule's parameter
 * is exactly what the rule returns. The rule is found through the resource
 * {@code p/C.adjoint-rules} that Adjoint's processor writes next to the class
 * ({@code @Derivative} has class retention, so reflection cannot see it).
 */
final class UserRuleFunction implements DifferentiableFunction {
    private final Method function;
    private final Method rule;
    private final List<Parameter> parameters;
    private final int wrt;
    private final String name;
    private Object cotangent;
    private DMatrixRMaj gradient;

    private UserRuleFunction(Method function, Method rule, List<Parameter> parameters, int wrt, String name) {
        this.function = function;
        this.rule = rule;
        this.parameters = parameters;
        this.wrt = wrt;
        this.name = name;
    }

    static UserRuleFunction find(Class<?> owner, String function, String wrt, Object[] arguments) {
        String resource = owner.getName().replace('.', '/') + ".adjoint-rules";
        ClassLoader loader = owner.getClassLoader() == null ? ClassLoader.getSystemClassLoader() : owner.getClassLoader();
        String text;
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException(owner.getName() + " has no @Derivative rules compiled by Adjoint (no "
                        + resource + " on the class path): compile it with Adjoint's annotation processor");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
        StringBuilder kinds = new StringBuilder();
        for (Object a : arguments) {
            kinds.append(a instanceof DMatrixRMaj || a instanceof SimpleMatrix ? 'M' : a instanceof Integer ? 'I' : 'D');
        }
        List<String> known = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.split("\t");
            if (f.length != 5 || !f[0].equals(function)) {
                continue;
            }
            List<String> names = f[2].isEmpty() ? List.of() : List.of(f[2].split(","));
            int index = Integer.parseInt(f[3]);
            known.add(function + "(" + f[2] + ") wrt " + names.get(index) + ": " + f[4]);
            if (!names.get(index).equals(wrt) || !compatible(f[1], kinds.toString())) {
                continue;
            }
            List<Parameter> parameters = new ArrayList<>();
            Class<?>[] types = new Class<?>[f[1].length()];
            for (int i = 0; i < types.length; i++) {
                char k = f[1].charAt(i);
                types[i] = k == 'M' ? SimpleMatrix.class : k == 'D' ? double.class : int.class;
                parameters.add(new Parameter(names.get(i), k == 'M' ? Parameter.Kind.MATRIX : k == 'D' ? Parameter.Kind.SCALAR
                        : Parameter.Kind.INTEGER, i == index));
            }
            try {
                Method fn = owner.getDeclaredMethod(function, types);
                Class<?>[] ruleTypes = java.util.Arrays.copyOf(types, types.length + 1);
                ruleTypes[types.length] = fn.getReturnType();
                Method r = owner.getDeclaredMethod(f[4], ruleTypes);
                fn.setAccessible(true);
                r.setAccessible(true);
                return new UserRuleFunction(fn, r, List.copyOf(parameters), index,
                        owner.getSimpleName() + "." + function + " (rule " + f[4] + ")");
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(resource + " is stale (" + e.getMessage() + "): recompile " + owner.getName());
            }
        }
        throw new IllegalArgumentException(owner.getSimpleName() + " has no @Derivative rule for parameter " + wrt + " of "
                + function + " taking " + arguments.length + " arguments like these; its rules: " + known);
    }

    /** Matrix arguments must be matrices; a double parameter also takes an Integer argument. */
    private static boolean compatible(String declared, String given) {
        if (declared.length() != given.length()) {
            return false;
        }
        for (int i = 0; i < declared.length(); i++) {
            char d = declared.charAt(i);
            char g = given.charAt(i);
            if (d != g && !(d == 'D' && g == 'I')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public double value(Object... arguments) {
        Object result = invoke(function, javaArguments(arguments, null));
        if (cotangent == null) {
            // Fixed for the whole check: entries in [-1, 1] from a fixed seed, shaped like the result.
            Random random = new Random(20261201L);
            if (result instanceof SimpleMatrix m) {
                DMatrixRMaj ct = new DMatrixRMaj(m.getNumRows(), m.getNumCols());
                for (int i = 0; i < ct.getNumElements(); i++) {
                    ct.data[i] = 2 * random.nextDouble() - 1;
                }
                cotangent = SimpleMatrix.wrap(ct);
            } else {
                cotangent = 2 * random.nextDouble() - 1;
            }
        }
        if (result instanceof SimpleMatrix m) {
            DMatrixRMaj r = m.getDDRM();
            DMatrixRMaj ct = ((SimpleMatrix) cotangent).getDDRM();
            if (r.numRows != ct.numRows || r.numCols != ct.numCols) {
                throw new IllegalStateException(name + ": the function's result changed shape between calls");
            }
            double sum = 0;
            for (int i = 0; i < r.getNumElements(); i++) {
                sum += ct.data[i] * r.data[i];
            }
            return sum;
        }
        return (Double) cotangent * ((Number) result).doubleValue();
    }

    @Override
    public double gradient(Object... arguments) {
        double value = value(arguments);
        Object g = invoke(rule, javaArguments(arguments, cotangent));
        gradient = g instanceof SimpleMatrix m ? m.getDDRM().copy() : new DMatrixRMaj(1, 1, true, ((Number) g).doubleValue());
        return value;
    }

    @Override
    public DMatrixRMaj gradientOf(int parameterIndex) {
        if (parameterIndex != wrt) {
            throw new IllegalArgumentException(name + " differentiates only " + parameters.get(wrt).name());
        }
        return gradient;
    }

    private Object[] javaArguments(Object[] arguments, Object ct) {
        Object[] out = new Object[arguments.length + (ct == null ? 0 : 1)];
        for (int i = 0; i < arguments.length; i++) {
            Object a = arguments[i];
            out[i] = switch (parameters.get(i).kind()) {
                case MATRIX -> a instanceof DMatrixRMaj m ? SimpleMatrix.wrap(m.copy()) : new SimpleMatrix((SimpleMatrix) a);
                case SCALAR -> ((Number) a).doubleValue();
                case INTEGER -> ((Number) a).intValue();
            };
        }
        if (ct != null) {
            out[arguments.length] = ct instanceof SimpleMatrix m ? new SimpleMatrix(m) : ct;
        }
        return out;
    }

    private static Object invoke(Method method, Object[] arguments) {
        try {
            return method.invoke(null, arguments);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
