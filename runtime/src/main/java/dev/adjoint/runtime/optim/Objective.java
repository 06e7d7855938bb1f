package dev.adjoint.runtime.optim;

import dev.adjoint.runtime.DifferentiableFunction;
import dev.adjoint.runtime.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;

/**
 * What an {@link Optimizer} works on: a {@link DifferentiableFunction}, the argument array it is
 * called with, the {@code wrt} parameters to update, and whether to minimize or maximize.
 *
 * <p>The selected parameters are the optimization variables; every other argument (data, and any
 * {@code wrt} parameter left out, e.g. a hyperparameter held fixed) is passed through unchanged.
 * Variables are updated <em>in place</em>: the entries of a matrix argument's {@code DMatrixRMaj}
 * (or of the one inside a {@code SimpleMatrix}) are overwritten, and a {@code double} argument is
 * replaced, once, when the objective is created, by a {@link MutableDouble} that later steps
 * write into. Non-variable arguments may be changed between steps (e.g. the next minibatch
 * copied into the data matrices, or a different matrix put in the array).
 *
 * <p>Optimizers see the variables as one flat vector: the entries of each selected parameter in
 * declaration order (row-major for a matrix). {@link #read}, {@link #write},
 * {@link #evaluate} and {@link #hessianVectorProduct} allocate nothing.
 */
public final class Objective {

    private final DifferentiableFunction function;
    private final Object[] arguments;
    private final boolean maximize;
    private final int[] indices;
    private final String[] names;
    private final boolean[] scalar;
    private final int[] rows;
    private final int[] cols;
    private final int[] offsets;
    private final int dimension;
    private long evaluations;

    /*
     * Second order (null when the function has order 1): the direction objects handed to
     * DifferentiableFunction.hessianVectorProduct, one per wrt parameter of the function in
     * declaration order, allocated once here. A variable's direction is overwritten from the flat
     * direction on every call; a wrt parameter that is not a variable gets a direction that stays
     * zero, so the product is the Hessian block of the variables alone.
     */
    private final Object[] directions;
    /** For each variable j, its position in {@link #directions}. */
    private final int[] directionOf;
    /** Argument indices of the wrt parameters that are not variables, with their zero directions. */
    private final int[] heldIndices;
    private final Object[] heldDirections;

    private Objective(DifferentiableFunction function, Object[] arguments, boolean maximize, String[] variables) {
        if (function == null || arguments == null) {
            throw new NullPointerException("function and arguments must not be null");
        }
        List<Parameter> parameters = function.parameters();
        if (arguments.length != parameters.size()) {
            throw new IllegalArgumentException(function.name() + " takes " + parameters.size()
                    + " arguments but the argument array has " + arguments.length);
        }
        this.function = function;
        this.arguments = arguments;
        this.maximize = maximize;

        List<Integer> selected = new ArrayList<>();
        if (variables == null || variables.length == 0) {
            for (int i = 0; i < parameters.size(); i++) {
                if (parameters.get(i).wrt()) {
                    selected.add(i);
                }
            }
        } else {
            for (String v : variables) {
                int index = indexOf(parameters, v);
                if (index < 0) {
                    throw new IllegalArgumentException(function.name() + " has no parameter named '" + v
                            + "'; its wrt parameters are " + wrtNames(parameters));
                }
                if (!parameters.get(index).wrt()) {
                    throw new IllegalArgumentException("parameter '" + v + "' of " + function.name()
                            + " is not differentiated (not in wrt), so it cannot be optimized; its wrt parameters are "
                            + wrtNames(parameters));
                }
                if (selected.contains(index)) {
                    throw new IllegalArgumentException("parameter '" + v + "' is listed twice");
                }
                selected.add(index);
            }
            selected.sort(null);
        }
        if (selected.isEmpty()) {
            throw new IllegalArgumentException(function.name() + " has no wrt parameter to optimize");
        }

        int k = selected.size();
        indices = new int[k];
        names = new String[k];
        scalar = new boolean[k];
        rows = new int[k];
        cols = new int[k];
        offsets = new int[k + 1];
        for (int j = 0; j < k; j++) {
            int i = selected.get(j);
            Parameter p = parameters.get(i);
            indices[j] = i;
            names[j] = p.name();
            Object a = arguments[i];
            if (p.kind() == Parameter.Kind.MATRIX) {
                DMatrixRMaj m = matrixOrNull(a);
                if (m == null) {
                    throw new IllegalArgumentException("argument '" + p.name()
                            + "' must be a DMatrixRMaj or SimpleMatrix but is " + describe(a));
                }
                rows[j] = m.numRows;
                cols[j] = m.numCols;
            } else {
                if (!(a instanceof Number n)) {
                    throw new IllegalArgumentException("argument '" + p.name() + "' must be a Number but is "
                            + describe(a));
                }
                if (!(a instanceof MutableDouble)) {
                    arguments[i] = new MutableDouble(n.doubleValue());
                }
                scalar[j] = true;
                rows[j] = 1;
                cols[j] = 1;
            }
            offsets[j + 1] = offsets[j] + rows[j] * cols[j];
        }
        dimension = offsets[k];

        if (function.order() >= 2) {
            directionOf = new int[k];
            List<Object> all = new ArrayList<>();
            List<Integer> held = new ArrayList<>();
            List<Object> heldZeros = new ArrayList<>();
            for (int i = 0; i < parameters.size(); i++) {
                Parameter p = parameters.get(i);
                if (!p.wrt()) {
                    continue;
                }
                int j = selected.indexOf(i);
                Object direction;
                if (p.kind() != Parameter.Kind.MATRIX) {
                    direction = new MutableDouble(0);
                } else if (j >= 0) {
                    direction = new DMatrixRMaj(rows[j], cols[j]);
                } else {
                    // Shaped like the argument on every call: it may be replaced between steps.
                    DMatrixRMaj m = matrixOrNull(arguments[i]);
                    direction = m == null ? new DMatrixRMaj(0, 0) : new DMatrixRMaj(m.numRows, m.numCols);
                }
                if (j >= 0) {
                    directionOf[j] = all.size();
                } else {
                    held.add(i);
                    heldZeros.add(direction);
                }
                all.add(direction);
            }
            directions = all.toArray();
            heldIndices = held.stream().mapToInt(Integer::intValue).toArray();
            heldDirections = heldZeros.toArray();
        } else {
            directions = null;
            directionOf = null;
            heldIndices = null;
            heldDirections = null;
        }
    }

    /**
     * An objective that minimizes {@code function} over the named {@code wrt} parameters (all
     * {@code wrt} parameters if none are named), starting from, and updating, {@code arguments}.
     *
     * @throws IllegalArgumentException if a name is unknown or not {@code wrt}, or an argument has
     *                                  the wrong type
     */
    public static Objective minimize(DifferentiableFunction function, Object[] arguments, String... variables) {
        return new Objective(function, arguments, false, variables);
    }

    /** As {@link #minimize}, but maximizes (e.g. a log-likelihood). */
    public static Objective maximize(DifferentiableFunction function, Object[] arguments, String... variables) {
        return new Objective(function, arguments, true, variables);
    }

    /** The function being optimized. */
    public DifferentiableFunction function() {
        return function;
    }

    /** The argument array, shared with the caller and updated in place. */
    public Object[] arguments() {
        return arguments;
    }

    /** Whether the function is maximized. */
    public boolean maximizing() {
        return maximize;
    }

    /** Names of the optimized parameters, in declaration order. */
    public List<String> variables() {
        return List.of(names);
    }

    /** Number of scalar variables: the total number of entries of the optimized parameters. */
    public int dimension() {
        return dimension;
    }

    /**
     * How many times {@link #evaluate}, {@link #cost()} and {@link #hessianVectorProduct} have
     * called the function.
     */
    public long evaluations() {
        return evaluations;
    }

    /** Copies the current values of the variables into {@code x[0..dimension)}. */
    public void read(double[] x) {
        checkLength(x);
        for (int j = 0; j < indices.length; j++) {
            if (scalar[j]) {
                x[offsets[j]] = scalar(j).doubleValue();
            } else {
                DMatrixRMaj m = matrix(j);
                System.arraycopy(m.data, 0, x, offsets[j], rows[j] * cols[j]);
            }
        }
    }

    /** Writes {@code x[0..dimension)} into the variables, in place. */
    public void write(double[] x) {
        checkLength(x);
        for (int j = 0; j < indices.length; j++) {
            if (scalar[j]) {
                if (scalar(j) instanceof MutableDouble d) {
                    d.set(x[offsets[j]]);
                } else {
                    // The caller put a plain Number back into the array: box once more.
                    arguments[indices[j]] = new MutableDouble(x[offsets[j]]);
                }
            } else {
                DMatrixRMaj m = matrix(j);
                System.arraycopy(x, offsets[j], m.data, 0, rows[j] * cols[j]);
            }
        }
    }

    /**
     * Evaluates the function and its gradient at the current arguments.
     *
     * @param gradient receives the gradient of the cost with respect to the flat variables
     * @return the cost: the function's value when minimizing, its negation when maximizing
     */
    public double evaluate(double[] gradient) {
        checkLength(gradient);
        evaluations++;
        double value = function.gradient(arguments);
        for (int j = 0; j < indices.length; j++) {
            copyFlat(function.gradientOf(indices[j]), j, "gradient", gradient);
        }
        return maximize ? -value : value;
    }

    /**
     * Evaluates the function, its gradient and the product of its Hessian with {@code direction}
     * at the current arguments, through
     * {@link DifferentiableFunction#hessianVectorProduct(Object[], Object[])}. The Hessian is the
     * one of the cost with respect to the flat variables: {@code wrt} parameters that are not
     * variables get a zero direction, and everything is negated when maximizing, like
     * {@link #evaluate}. The direction objects the function receives are allocated once, when the
     * objective is created, so calls allocate nothing.
     *
     * @param direction the flat direction d, laid out like the variables
     * @param gradient  receives the gradient of the cost
     * @param product   receives H·d, the Hessian of the cost times d
     * @return the cost at the current arguments
     * @throws UnsupportedOperationException if the function has no second derivatives
     *                                       ({@link DifferentiableFunction#order()} is 1)
     */
    public double hessianVectorProduct(double[] direction, double[] gradient, double[] product) {
        if (directions == null) {
            throw new UnsupportedOperationException(secondOrderMissing(function));
        }
        checkLength(direction);
        checkLength(gradient);
        checkLength(product);
        for (int j = 0; j < indices.length; j++) {
            Object d = directions[directionOf[j]];
            if (scalar[j]) {
                ((MutableDouble) d).set(direction[offsets[j]]);
            } else {
                System.arraycopy(direction, offsets[j], ((DMatrixRMaj) d).data, 0, rows[j] * cols[j]);
            }
        }
        for (int h = 0; h < heldIndices.length; h++) {
            if (heldDirections[h] instanceof DMatrixRMaj zero) {
                DMatrixRMaj m = matrixOrNull(arguments[heldIndices[h]]);
                if (m != null && (zero.numRows != m.numRows || zero.numCols != m.numCols)) {
                    // Reshaping keeps old entries, all zero; growing allocates a zeroed array.
                    zero.reshape(m.numRows, m.numCols);
                }
            }
        }
        evaluations++;
        double value = function.hessianVectorProduct(arguments, directions);
        for (int j = 0; j < indices.length; j++) {
            copyFlat(function.gradientOf(indices[j]), j, "gradient", gradient);
            copyFlat(function.hessianVectorProductOf(indices[j]), j, "Hessian-vector product", product);
        }
        return maximize ? -value : value;
    }

    /**
     * The message for a function without second derivatives: names it and says how to get them.
     */
    static String secondOrderMissing(DifferentiableFunction function) {
        return function.name() + " has derivatives of order " + function.order()
                + " only; Hessian-vector products need @Differentiable(order = 2) on its source method";
    }

    /** Copies a per-parameter result of the function into variable j's slice, negated when maximizing. */
    private void copyFlat(DMatrixRMaj source, int j, String what, double[] flat) {
        int n = rows[j] * cols[j];
        if (source.getNumElements() != n) {
            throw new IllegalStateException(function.name() + ": " + what + " of '" + names[j] + "' has "
                    + source.getNumElements() + " entries but the parameter has " + n);
        }
        int off = offsets[j];
        if (maximize) {
            for (int e = 0; e < n; e++) {
                flat[off + e] = -source.data[e];
            }
        } else {
            System.arraycopy(source.data, 0, flat, off, n);
        }
    }

    /** The cost at the current arguments, forward pass only (negated when maximizing). */
    public double cost() {
        evaluations++;
        double value = function.value(arguments);
        return maximize ? -value : value;
    }

    /** The function's own value for a cost returned by {@link #evaluate} or {@link #cost()}. */
    public double valueOf(double cost) {
        return maximize ? -cost : cost;
    }

    private Number scalar(int j) {
        if (arguments[indices[j]] instanceof Number n) {
            return n;
        }
        throw new IllegalStateException("argument '" + names[j] + "' is no longer a Number but "
                + describe(arguments[indices[j]]));
    }

    private DMatrixRMaj matrix(int j) {
        DMatrixRMaj m = matrixOrNull(arguments[indices[j]]);
        if (m == null) {
            throw new IllegalStateException("argument '" + names[j] + "' is no longer a matrix but "
                    + describe(arguments[indices[j]]));
        }
        if (m.numRows != rows[j] || m.numCols != cols[j]) {
            throw new IllegalStateException("argument '" + names[j] + "' changed shape from " + rows[j] + "x"
                    + cols[j] + " to " + m.numRows + "x" + m.numCols + " since the objective was created");
        }
        return m;
    }

    private void checkLength(double[] x) {
        if (x.length < dimension) {
            throw new IllegalArgumentException("vector of length " + x.length + " is shorter than the "
                    + dimension + " variables");
        }
    }

    private static DMatrixRMaj matrixOrNull(Object a) {
        if (a instanceof DMatrixRMaj m) {
            return m;
        }
        if (a instanceof SimpleMatrix s) {
            return s.getDDRM();
        }
        return null;
    }

    private static int indexOf(List<Parameter> parameters, String name) {
        for (int i = 0; i < parameters.size(); i++) {
            if (parameters.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> wrtNames(List<Parameter> parameters) {
        return parameters.stream().filter(Parameter::wrt).map(Parameter::name).toList();
    }

    private static String describe(Object a) {
        return a == null ? "null" : a.getClass().getName();
    }

    @Override
    public String toString() {
        return (maximize ? "maximize " : "minimize ") + function.name() + " over " + Arrays.toString(names);
    }
}
