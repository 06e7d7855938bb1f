package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.runtime.DifferentiableFunction;
import dev.adjoint.runtime.GradientChecker;
import dev.adjoint.runtime.Ops;
import dev.adjoint.runtime.Parameter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.api.Test;

/**
 * Property test of SPEC sections 3 and 4: random, valid COMPOSITIONS of DSL forms keep exact
 * gradients through every simplification and optimization pass (symmetry, product reuse, chain
 * fusion, the Gram-matrix adjoint, the algebraic rewrites in the ops' {@code simplify}).
 *
 * <p>Each program is one class with one {@code @Differentiable} method: 2–4 {@code SimpleMatrix}
 * parameters whose shapes are drawn first (from a few dimensions in 1..5), optionally a
 * {@code double} and an {@code int} parameter, 2–6 local statements (matrix, {@code var},
 * {@code double} and {@code int} locals, reassignments and compound assignments) and a scalar
 * {@code return}; {@code wrt} is the default, all parameters listed, or a random subset; some
 * programs declare consistent {@code @Shape}s, some use names a generated class might trip over.
 * Expressions are drawn from a pool typed by shape, so every program is shape-correct. Every
 * candidate subexpression is also evaluated eagerly (with the same EJML and {@code Ops} calls the
 * text makes) at the program's own arguments, and rejected if it is not well-conditioned there:
 * entries bounded, divisors and logarithm arguments bounded away from 0, exponent arguments small,
 * inverted, solved and log-det matrices well-conditioned (the latter symmetric positive definite),
 * relu arguments away from the kink. The return reads every parameter and the last value of every
 * local, so no {@code wrt} parameter is unused and no assignment is dead.
 *
 * <p>For every program: it compiles with the processor (no error, no warning from Adjoint, no
 * internal error), and on the generated class (1) {@code value(args)} equals the user's own
 * method, run eagerly through reflection, to a relative 1e-10 (|a − b| ≤ 1e-10·max(1, |b|));
 * (2) {@code gradient(args)} returns the same value; (3) the {@link GradientChecker} agrees to a
 * relative 1e-6; (4) arguments are never modified; (5) the gradients survive a later
 * {@code value} call, a reused instance agrees with a fresh one, and the typed accessors
 * {@code gradX()} agree with {@code gradientOf}; and its parameter list matches the method.
 *
 * <p>Check (3) needs finite differences that can resolve 1e-6, which fails where a gradient is
 * many orders of magnitude smaller than the rounding noise of the value. A screen that runs only
 * the user's own method (see {@link #conditioning}) detects such programs; they get every other
 * check but do not count, and new programs replace them (at most a fifth may be replaced).
 *
 * <p>Seeded: {@code -Dadjoint.random.seed=...}, {@code -Dadjoint.random.programs=...} (default
 * 180), {@code -Dadjoint.random.depth=...} (nesting of forms in a statement, default 3),
 * {@code -Dadjoint.random.only=17} (just program 17 of the seed), {@code
 * -Dadjoint.random.dump=DIR} (every program, its arguments and generated class written to DIR).
 * Programs are compiled 30 to a javac run; a failing batch is recompiled program by program.
 * Failures are all collected; each names its seed and index to reproduce it alone.
 */
class RandomProgramsTest {

    static final long SEED = Long.getLong("adjoint.random.seed", 20_260_311L);
    static final int PROGRAMS = Integer.getInteger("adjoint.random.programs", 180);
    static final String ONLY = System.getProperty("adjoint.random.only");
    /** Nesting depth of the expressions of a statement (forms within forms). */
    static final int DEPTH = Integer.getInteger("adjoint.random.depth", 3);
    static final int BATCH = 30;
    static final String PACKAGE = "rnd";

    static final double VALUE_TOLERANCE = 1e-10;
    static final double GRADIENT_TOLERANCE = 1e-6;

    /** Bounds that keep every intermediate value moderate, so finite differences stay accurate. */
    static final double MATRIX_LIMIT = 6;
    static final double SCALAR_LIMIT = 30;

    static final List<String> NO_LIMITS = List.of("-Xmaxerrs", "100000", "-Xmaxwarns", "100000");

    // ---- expressions ----------------------------------------------------------------------------

    record Shape(int rows, int cols) {
        Shape t() {
            return new Shape(cols, rows);
        }

        boolean square() {
            return rows == cols;
        }

        @Override
        public String toString() {
            return rows + "x" + cols;
        }
    }

    /**
     * A matrix expression: its Java text (always a primary expression, so methods can be chained
     * on it), its value at the program's arguments, the parameters it depends on (bit i: parameter
     * i), the DSL forms it uses, and its outermost call (for a local: that of its value).
     */
    record Mx(String text, SimpleMatrix v, BitSet deps, Set<String> forms, String op) {
        Shape shape() {
            return new Shape(v.getNumRows(), v.getNumCols());
        }
    }

    /** A scalar ({@code double}) expression; {@code atomic} if it needs no parentheses as an operand. */
    record Sc(String text, double v, BitSet deps, Set<String> forms, boolean atomic) {
        String operand() {
            return atomic ? text : "(" + text + ")";
        }
    }

    static BitSet union(Object... parts) {
        BitSet deps = new BitSet();
        for (Object p : parts) {
            if (p instanceof Mx m) {
                deps.or(m.deps());
            } else if (p instanceof Sc s) {
                deps.or(s.deps());
            }
        }
        return deps;
    }

    static Set<String> forms(String form, Object... parts) {
        Set<String> all = new TreeSet<>();
        if (form != null) {
            all.add(form);
        }
        for (Object p : parts) {
            if (p instanceof Mx m) {
                all.addAll(m.forms());
            } else if (p instanceof Sc s) {
                all.addAll(s.forms());
            }
        }
        return all;
    }

    static Mx mx(String form, String text, SimpleMatrix v, Object... parts) {
        return new Mx(text, v, union(parts), forms(form, parts), outermostCall(text));
    }

    /** The method called last in a primary expression, e.g. {@code mult} for {@code A.plus(B).mult(C)}. */
    static String outermostCall(String text) {
        if (!text.endsWith(")")) {
            return "";
        }
        int depth = 0;
        for (int i = text.length() - 1; i >= 0; i--) {
            char ch = text.charAt(i);
            if (ch == ')') {
                depth++;
            } else if (ch == '(' && --depth == 0) {
                int end = i;
                int begin = end;
                while (begin > 0 && Character.isJavaIdentifierPart(text.charAt(begin - 1))) {
                    begin--;
                }
                return text.substring(begin, end);
            }
        }
        return "";
    }

    static Sc sc(String form, String text, double v, boolean atomic, Object... parts) {
        return new Sc(text, v, union(parts), forms(form, parts), atomic);
    }

    static double maxAbs(SimpleMatrix m) {
        double max = 0;
        for (int i = 0; i < m.getNumElements(); i++) {
            double x = m.get(i);
            if (!Double.isFinite(x)) {
                return Double.POSITIVE_INFINITY;
            }
            max = Math.max(max, Math.abs(x));
        }
        return max;
    }

    static double minAbs(SimpleMatrix m) {
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < m.getNumElements(); i++) {
            min = Math.min(min, Math.abs(m.get(i)));
        }
        return min;
    }

    static double min(SimpleMatrix m) {
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < m.getNumElements(); i++) {
            min = Math.min(min, m.get(i));
        }
        return min;
    }

    static double max(SimpleMatrix m) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < m.getNumElements(); i++) {
            max = Math.max(max, m.get(i));
        }
        return max;
    }

    /** Square, singular values in [0.25, 60] and condition number at most 100. */
    static boolean wellConditioned(SimpleMatrix m) {
        if (m.getNumRows() != m.getNumCols() || !(maxAbs(m) <= MATRIX_LIMIT)) {
            return false;
        }
        double[] sv = m.svd().getSingularValues();
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (double s : sv) {
            lo = Math.min(lo, s);
            hi = Math.max(hi, s);
        }
        return lo >= 0.25 && hi <= 60 && hi / lo <= 100;
    }

    /** Well-conditioned, symmetric (to rounding) and positive definite. */
    static boolean spd(SimpleMatrix m) {
        if (!wellConditioned(m)) {
            return false;
        }
        int n = m.getNumRows();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (Math.abs(m.get(i, j) - m.get(j, i)) > 1e-12 * (1 + maxAbs(m))) {
                    return false;
                }
            }
        }
        CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(n, true);
        return chol.decompose(m.getDDRM().copy());
    }

    // ---- programs -------------------------------------------------------------------------------

    enum Kind { MATRIX, DOUBLE, INT }

    static final class Param {
        final String name;
        final Kind kind;
        final Shape shape;
        final DMatrixRMaj matrix;
        final double scalar;
        final int integer;
        String annotation = "";

        Param(String name, Kind kind, Shape shape, DMatrixRMaj matrix, double scalar, int integer) {
            this.name = name;
            this.kind = kind;
            this.shape = shape;
            this.matrix = matrix;
            this.scalar = scalar;
            this.integer = integer;
        }

        String javaType() {
            return switch (kind) {
                case MATRIX -> "SimpleMatrix";
                case DOUBLE -> "double";
                case INT -> "int";
            };
        }

        Class<?> javaClass() {
            return switch (kind) {
                case MATRIX -> SimpleMatrix.class;
                case DOUBLE -> double.class;
                case INT -> int.class;
            };
        }

        Object argument() {
            return switch (kind) {
                case MATRIX -> matrix.copy();
                case DOUBLE -> scalar;
                case INT -> integer;
            };
        }

        String describe() {
            return switch (kind) {
                case MATRIX -> name + " (" + shape + ") = " + format(matrix);
                case DOUBLE -> name + " = " + scalar;
                case INT -> name + " = " + integer;
            };
        }
    }

    /** One generated program: its source and what the test needs to call it. */
    static final class Program {
        final int index;
        final long seed;
        final String className;
        final String methodName;
        final String generatedName;
        final List<Param> params;
        final List<String> wrt;
        final List<String> body;
        final double expected;
        final Set<String> forms;
        final String source;

        Program(int index, long seed, String className, String methodName, String generatedName, List<Param> params,
                List<String> wrt, String annotation, List<String> body, double expected, Set<String> forms) {
            this.index = index;
            this.seed = seed;
            this.className = className;
            this.methodName = methodName;
            this.generatedName = generatedName;
            this.params = params;
            this.wrt = wrt;
            this.body = body;
            this.expected = expected;
            this.forms = forms;
            StringBuilder sb = new StringBuilder();
            sb.append("package ").append(PACKAGE).append(";\n\n")
                    .append("import static dev.adjoint.runtime.Ops.*;\n\n")
                    .append("import dev.adjoint.Differentiable;\n")
                    .append("import dev.adjoint.Shape;\n")
                    .append("import dev.adjoint.runtime.Ops;\n")
                    .append("import org.ejml.simple.SimpleMatrix;\n\n")
                    .append("public final class ").append(className).append(" {\n")
                    .append("    ").append(annotation).append('\n')
                    .append("    static double ").append(methodName).append('(');
            for (int i = 0; i < params.size(); i++) {
                Param p = params.get(i);
                sb.append(i == 0 ? "" : ", ").append(p.annotation).append(p.javaType()).append(' ').append(p.name);
            }
            sb.append(") {\n");
            for (String statement : body) {
                sb.append("        ").append(statement).append('\n');
            }
            sb.append("    }\n}\n");
            this.source = sb.toString();
        }

        String file() {
            return PACKAGE + "/" + className + ".java";
        }

        String generatedFile() {
            return PACKAGE + "/" + generatedName + ".java";
        }

        String describe() {
            StringBuilder sb = new StringBuilder();
            sb.append("program ").append(index).append(" of seed ").append(SEED).append(" (reproduce alone with -Dadjoint.random.seed=")
                    .append(SEED).append(" -Dadjoint.random.only=").append(index).append("):\n")
                    .append(CompileErrorsTest.numbered(source));
            sb.append("arguments:\n");
            for (Param p : params) {
                sb.append("  ").append(p.describe()).append('\n');
            }
            return sb.toString();
        }
    }

    static String capitalize(String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    static String format(DMatrixRMaj m) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < m.numRows; i++) {
            sb.append(i == 0 ? "[" : ", [");
            for (int j = 0; j < m.numCols; j++) {
                sb.append(j == 0 ? "" : ", ").append(m.get(i, j));
            }
            sb.append(']');
        }
        return sb.append(']').toString();
    }

    // ---- the generator --------------------------------------------------------------------------

    /** A weighted alternative; {@code make} may return null when it does not apply. */
    record Choice<T>(int weight, Supplier<T> make) {}

    static final String[] MATRIX_NAMES = {"A", "B", "C", "D"};

    /**
     * Names a generated class might trip over: its own members, its gradient fields and cotangent
     * names, classes it calls, common temporaries. Used for parameters and locals of some programs.
     */
    static final List<String> TRICKY_NAMES = List.of("W", "X", "x", "value", "gradient", "gradA", "gradW", "dA", "dX",
            "Kernels", "CommonOps_DDRM", "DMatrixRMaj", "List", "Parameter", "PARAMETERS", "name", "parameters", "args",
            "arguments", "out", "result", "data", "i", "e", "tmp", "partial", "chol", "lu", "numRows");

    static final class Generator {
        final Random rnd;
        final int index;
        final long seed;
        final int[] dims;
        final List<Param> params = new ArrayList<>();
        /** Matrix parameters and locals, by current value. */
        final List<Mx> matrices = new ArrayList<>();
        /** Double parameters and locals. */
        final List<Sc> scalars = new ArrayList<>();
        /** int value → expressions of that value (int parameter, int locals). */
        final Map<Integer, List<String>> ints = new HashMap<>();
        /** Body statements so far (without the return). */
        final List<String> body = new ArrayList<>();
        /** Dimension value → its {@code @Shape} symbol, for values declared symbolically. */
        final Map<Integer, String> symbols = new HashMap<>();
        /** Whether this program draws names from {@link #TRICKY_NAMES}. */
        boolean tricky;
        /** Names in use (parameters and locals), and int locals. */
        final Set<String> taken = new java.util.HashSet<>();
        final Set<String> intLocals = new java.util.HashSet<>();
        /** Local name → index in body of its last assignment. */
        final Map<String, Integer> lastAssigned = new LinkedHashMap<>();
        int serial;

        Generator(long seed, int index) {
            this.rnd = new Random(seed);
            this.seed = seed;
            this.index = index;
            int n = 2 + rnd.nextInt(2);
            dims = new int[n];
            for (int i = 0; i < n; i++) {
                dims[i] = 1 + rnd.nextInt(5);
            }
            if (rnd.nextInt(5) < 2) {
                dims[rnd.nextInt(n)] = 1; // vectors are common in real losses
            }
        }

        int dim() {
            return dims[rnd.nextInt(dims.length)];
        }

        double uniform(double lo, double hi) {
            return lo + (hi - lo) * rnd.nextDouble();
        }

        <T> T pick(List<T> list) {
            return list.get(rnd.nextInt(list.size()));
        }

        <T> T choose(List<Choice<T>> choices) {
            List<Choice<T>> left = new ArrayList<>(choices);
            while (!left.isEmpty()) {
                int total = left.stream().mapToInt(Choice::weight).sum();
                int x = rnd.nextInt(total);
                Choice<T> chosen = null;
                for (Choice<T> c : left) {
                    x -= c.weight();
                    if (x < 0) {
                        chosen = c;
                        break;
                    }
                }
                T made;
                try {
                    made = chosen.make().get();
                } catch (RuntimeException e) {
                    made = null; // e.g. EJML refusing a dot of non-vectors: not a candidate
                }
                if (made != null) {
                    return made;
                }
                left.remove(chosen);
            }
            return null;
        }

        // -- parameters -----------------------------------------------------------------------

        Program generate() {
            int matrixCount = 2 + rnd.nextInt(3);
            List<Shape> shapes = new ArrayList<>();
            for (int i = 0; i < matrixCount; i++) {
                Shape s = new Shape(dim(), dim());
                // Tie shapes together, so products of parameters are common.
                if (i > 0 && rnd.nextInt(3) == 0) {
                    Shape other = shapes.get(rnd.nextInt(i));
                    s = rnd.nextBoolean() ? new Shape(other.cols(), dim()) : new Shape(dim(), other.rows());
                }
                shapes.add(s);
            }
            boolean withDouble = rnd.nextInt(2) == 0;
            boolean withInt = rnd.nextInt(6) == 0;
            List<Param> ordered = new ArrayList<>();
            tricky = rnd.nextInt(4) == 0;
            taken.addAll(List.of(MATRIX_NAMES));
            taken.addAll(List.of("s", "alpha", "k"));
            for (int i = 0; i < matrixCount; i++) {
                Shape s = shapes.get(i);
                DMatrixRMaj m = new DMatrixRMaj(s.rows(), s.cols());
                for (int e = 0; e < m.getNumElements(); e++) {
                    m.data[e] = uniform(-1, 1);
                }
                String name = tricky ? freshTricky() : MATRIX_NAMES[i];
                if (tricky && i == 1 && rnd.nextBoolean()) {
                    // a parameter named like another's gradient accessor or cotangent: W and gradW, X and dX
                    String first = ordered.get(0).name;
                    taken.remove(name);
                    name = (rnd.nextBoolean() ? "grad" : "d") + capitalize(first);
                    if (taken.contains(name)) {
                        name = freshTricky();
                    }
                    taken.add(name);
                }
                ordered.add(new Param(name, Kind.MATRIX, s, m, 0, 0));
            }
            if (withDouble) {
                double value = uniform(-1, 1);
                String name = tricky ? freshTricky() : rnd.nextBoolean() ? "s" : "alpha";
                ordered.add(rnd.nextInt(ordered.size() + 1), new Param(name, Kind.DOUBLE, null, null, value, 0));
            }
            if (withInt) {
                ordered.add(rnd.nextInt(ordered.size() + 1), new Param("k", Kind.INT, null, null, 0, dim()));
            }
            for (int i = 0; i < ordered.size(); i++) {
                Param p = ordered.get(i);
                params.add(p);
                BitSet deps = new BitSet();
                deps.set(i);
                switch (p.kind) {
                    case MATRIX -> matrices.add(new Mx(p.name, SimpleMatrix.wrap(p.matrix.copy()), deps, Set.of(), ""));
                    case DOUBLE -> scalars.add(new Sc(p.name, p.scalar, deps, Set.of("double parameter"), true));
                    case INT -> ints.computeIfAbsent(p.integer, k -> new ArrayList<>()).add(p.name);
                }
            }
            annotateShapes();

            int statements = 2 + rnd.nextInt(5);
            for (int k = 0; k < statements; k++) {
                statement();
            }
            Sc result = result();
            body.add("return " + result.text() + ";");

            String methodName = pick(List.of("f", "loss", "objective"));
            String className = String.format(Locale.ROOT, "Prog%03d", index);
            String generatedName = className + "_" + Character.toUpperCase(methodName.charAt(0)) + methodName.substring(1);
            List<String> differentiable = params.stream().filter(p -> p.kind != Kind.INT).map(p -> p.name).toList();
            List<String> wrt;
            List<String> elements = new ArrayList<>();
            Set<String> programForms = new TreeSet<>(result.forms());
            switch (rnd.nextInt(4)) {
                case 0, 1 -> wrt = differentiable; // the default: every SimpleMatrix and double parameter
                case 2 -> {
                    List<String> shuffled = new ArrayList<>(differentiable);
                    Collections.shuffle(shuffled, rnd);
                    wrt = differentiable;
                    elements.add(wrtElement(shuffled));
                    programForms.add("wrt = all, listed");
                }
                default -> {
                    List<String> subset = new ArrayList<>();
                    for (String name : differentiable) {
                        if (rnd.nextBoolean()) {
                            subset.add(name);
                        }
                    }
                    if (subset.isEmpty()) {
                        subset.add(pick(differentiable));
                    }
                    wrt = subset;
                    elements.add(wrtElement(subset));
                    programForms.add("wrt = subset");
                }
            }
            if (rnd.nextInt(6) == 0) {
                generatedName = className + "Gradient";
                elements.add("name = \"" + generatedName + "\"");
            }
            String annotation = "@Differentiable" + (elements.isEmpty() ? "" : "(" + String.join(", ", elements) + ")");
            for (String statement : body) {
                if (statement.startsWith("var ")) {
                    programForms.add("var local");
                } else if (Pattern.compile("^\\w+ [-+*/]= ").matcher(statement).find()) {
                    programForms.add("compound assignment");
                } else if (Pattern.compile("^\\w+ = ").matcher(statement).find()) {
                    programForms.add("reassignment");
                } else if (statement.startsWith("int ")) {
                    programForms.add("int local");
                }
            }
            if (params.stream().anyMatch(p -> !p.annotation.isEmpty())) {
                programForms.add("@Shape");
            }
            return new Program(index, seed, className, methodName, generatedName, List.copyOf(params),
                    wrt, annotation, List.copyOf(body), result.v(), programForms);
        }

        String wrtElement(List<String> names) {
            return names.size() == 1 && rnd.nextBoolean()
                    ? "wrt = \"" + names.get(0) + "\""
                    : "wrt = {" + String.join(", ", names.stream().map(n -> "\"" + n + "\"").toList()) + "}";
        }

        /**
         * Declares consistent {@code @Shape}s on some programs. Symbols are rigid (SPEC: "m" and "n" are
         * different sizes, and "n" is not 3), so each dimension value is either one symbol everywhere or
         * a literal everywhere, and a symbolic size is never written as a literal in the body.
         */
        void annotateShapes() {
            if (rnd.nextInt(3) != 0) {
                return;
            }
            String[] names = {"m", "n", "p", "q", "r"};
            Map<Integer, String> spelling = new HashMap<>();
            for (Param p : params) {
                if (p.kind == Kind.MATRIX) {
                    for (int v : new int[] {p.shape.rows(), p.shape.cols()}) {
                        if (!spelling.containsKey(v)) {
                            // 1 stays a literal: rowSums, columnSums and dot make sizes that are literally 1
                            boolean symbol = v != 1 && rnd.nextInt(3) > 0;
                            spelling.put(v, symbol ? names[symbols.size()] : Integer.toString(v));
                            if (symbol) {
                                symbols.put(v, spelling.get(v));
                            }
                        }
                    }
                }
            }
            for (Param p : params) {
                if (p.kind == Kind.MATRIX && rnd.nextInt(4) > 0) {
                    p.annotation = "@Shape({\"" + spelling.get(p.shape.rows()) + "\", \"" + spelling.get(p.shape.cols()) + "\"}) ";
                }
            }
            if (params.stream().noneMatch(p -> !p.annotation.isEmpty())) {
                symbols.clear();
            }
        }

        // -- statements -----------------------------------------------------------------------

        String fresh(String prefix) {
            if (tricky && rnd.nextInt(3) == 0) {
                return freshTricky();
            }
            String name;
            do {
                name = prefix + (++serial);
            } while (taken.contains(name));
            taken.add(name);
            return name;
        }

        String freshTricky() {
            // x and X would both want the accessor gradX(): names differ in more than the first letter's case
            List<String> free = TRICKY_NAMES.stream().filter(n -> !taken.contains(n) && !taken.contains(capitalize(n))
                    && !taken.contains(Character.toLowerCase(n.charAt(0)) + n.substring(1))).toList();
            String name = pick(free);
            taken.add(name);
            return name;
        }

        void assigned(String name) {
            lastAssigned.put(name, body.size() - 1);
        }

        Shape localShape() {
            if (!matrices.isEmpty() && rnd.nextInt(10) < 6) {
                Shape s = pick(matrices).shape();
                return rnd.nextInt(3) == 0 ? s.t() : s;
            }
            return new Shape(dim(), dim());
        }

        void statement() {
            List<Mx> matrixLocals = matrices.stream().filter(m -> lastAssigned.containsKey(m.text())).toList();
            List<Sc> scalarLocals = scalars.stream().filter(s -> lastAssigned.containsKey(s.text())).toList();
            List<Choice<Boolean>> choices = new ArrayList<>();
            choices.add(new Choice<>(10, () -> {
                Mx value = mat(localShape(), DEPTH);
                String name = fresh("v");
                body.add((rnd.nextInt(4) == 0 ? "var " : "SimpleMatrix ") + name + " = " + value.text() + ";");
                assigned(name);
                matrices.add(new Mx(name, value.v(), value.deps(), value.forms(), value.op()));
                return true;
            }));
            choices.add(new Choice<>(5, () -> {
                Sc value = sca(DEPTH);
                String name = fresh("t");
                body.add((rnd.nextInt(5) == 0 ? "var " : "double ") + name + " = " + value.text() + ";");
                assigned(name);
                scalars.add(new Sc(name, value.v(), value.deps(), value.forms(), true));
                return true;
            }));
            choices.add(new Choice<>(2, () -> {
                Param p = pick(params.stream().filter(q -> q.kind == Kind.MATRIX).toList());
                boolean rows = rnd.nextBoolean();
                String name = fresh("n");
                intLocals.add(name);
                String call = rnd.nextBoolean() ? (rows ? "numRows" : "numCols") : (rows ? "getNumRows" : "getNumCols");
                body.add("int " + name + " = " + p.name + "." + call + "();");
                assigned(name);
                ints.computeIfAbsent(rows ? p.shape.rows() : p.shape.cols(), k -> new ArrayList<>()).add(name);
                return true;
            }));
            if (!matrixLocals.isEmpty()) {
                // v = f(v, ...): a reassignment that reads the old value, so no assignment is dead.
                choices.add(new Choice<>(3, () -> {
                    Mx old = pick(matrixLocals);
                    Mx value = choose(List.of(
                            new Choice<>(3, () -> accept(add(old, mat(old.shape(), 2)))),
                            new Choice<>(2, () -> accept(entrywise(old))),
                            new Choice<>(2, () -> accept(scale(old, scalarFactor(2)))),
                            new Choice<>(2, () -> old.shape().square() ? accept(mult(old, mat(old.shape(), 1))) : null),
                            new Choice<>(1, () -> accept(mx("addScalar", old.text() + ".plus(0.5)", old.v().plus(0.5), old)))));
                    if (value == null) {
                        return null;
                    }
                    body.add(old.text() + " = " + value.text() + ";");
                    assigned(old.text());
                    replace(matrices, old, new Mx(old.text(), value.v(), value.deps(), value.forms(), value.op()));
                    return true;
                }));
            }
            if (!scalarLocals.isEmpty()) {
                choices.add(new Choice<>(3, () -> {
                    Sc old = pick(scalarLocals);
                    Sc rhs = sca(DEPTH - 1);
                    String op;
                    double v;
                    switch (rnd.nextInt(5)) {
                        case 0 -> {
                            op = "+=";
                            v = old.v() + rhs.v();
                        }
                        case 1 -> {
                            op = "-=";
                            v = old.v() - rhs.v();
                        }
                        case 2 -> {
                            op = "*=";
                            v = old.v() * rhs.v();
                        }
                        case 3 -> {
                            if (Math.abs(rhs.v()) < 0.5) {
                                return null;
                            }
                            op = "/=";
                            v = old.v() / rhs.v();
                        }
                        default -> {
                            // t = t * x + y reads the old value too
                            Sc y = sca(1);
                            op = "=";
                            v = old.v() * rhs.v() + y.v();
                            rhs = sc(null, old.text() + " * " + rhs.operand() + " + " + y.operand(), v, false, old, rhs, y);
                        }
                    }
                    if (!(Math.abs(v) <= SCALAR_LIMIT)) {
                        return null;
                    }
                    body.add(old.text() + " " + op + " " + rhs.text() + ";");
                    assigned(old.text());
                    replace(scalars, old, new Sc(old.text(), v, union(old, rhs), forms(null, old, rhs), true));
                    return true;
                }));
            }
            choose(choices);
        }

        static <T> void replace(List<T> list, T old, T replacement) {
            list.set(list.indexOf(old), replacement);
        }

        /**
         * The return value: one or more random scalars, plus a term for every parameter the result
         * does not depend on yet and for every local whose last value is never read.
         */
        Sc result() {
            Sc result = sca(DEPTH);
            while (rnd.nextInt(3) == 0) {
                result = orElse(accept(arith(result, sca(DEPTH - 1))), result);
            }
            for (int i = 0; i < params.size(); i++) {
                Param p = params.get(i);
                if (p.kind == Kind.INT || result.deps().get(i)) {
                    continue;
                }
                result = add(result, use(p.name));
            }
            for (Map.Entry<String, Integer> local : lastAssigned.entrySet()) {
                String name = local.getKey();
                if (intLocals.contains(name)) {
                    continue; // int locals are shape constants; unread is fine
                }
                boolean read = Pattern.compile("\\b" + name + "\\b").matcher(result.text()).find();
                for (int k = local.getValue() + 1; k < body.size() && !read; k++) {
                    String statement = body.get(k);
                    String rhs = statement.substring(statement.indexOf('=') + 1);
                    read = Pattern.compile("\\b" + name + "\\b").matcher(rhs).find()
                            || Pattern.compile("^" + name + " [-+*/]= ").matcher(statement).find();
                }
                if (!read) {
                    result = add(result, use(name));
                }
            }
            return result;
        }

        Sc add(Sc a, Sc b) {
            return sc(null, a.text() + " + " + b.operand(), a.v() + b.v(), false, a, b);
        }

        /** A bounded scalar that reads the parameter or local {@code name}. */
        Sc use(String name) {
            for (Sc s : scalars) {
                if (s.text().equals(name)) {
                    return choose(List.of(
                            new Choice<>(1, () -> accept(sc("Math.tanh", "Math.tanh(" + s.text() + ")", Math.tanh(s.v()), true, s))),
                            new Choice<>(1, () -> accept(sc("scalar *", "0.5 * " + s.operand(), 0.5 * s.v(), false, s))),
                            new Choice<>(1, () -> s)));
                }
            }
            for (Mx m : matrices) {
                if (m.text().equals(name)) {
                    Mx arg = rnd.nextBoolean() ? m : orElse(accept(entrywise(m)), m);
                    Sc reduced = orElse(accept(reduce(arg)),
                            sc("elementSum", arg.text() + ".elementSum()", arg.v().elementSum(), true, arg));
                    return sc("scalar *", "0.25 * " + reduced.operand(), 0.25 * reduced.v(), false, reduced);
                }
            }
            throw new IllegalStateException("no parameter or local named " + name);
        }

        static <T> T orElse(T value, T fallback) {
            return value != null ? value : fallback;
        }

        // -- matrix expressions ---------------------------------------------------------------

        Mx accept(Mx m) {
            return m != null && maxAbs(m.v()) <= MATRIX_LIMIT ? m : null;
        }

        Sc accept(Sc s) {
            return s != null && Double.isFinite(s.v()) && Math.abs(s.v()) <= SCALAR_LIMIT ? s : null;
        }

        /** A random expression of the given shape, with at most {@code depth} levels of forms. */
        Mx mat(Shape s, int depth) {
            if (depth <= 0 || rnd.nextInt(10) < 2) {
                return leaf(s);
            }
            for (int attempt = 0; attempt < 6; attempt++) {
                Mx m = accept(matForm(s, depth - 1));
                if (m != null) {
                    return m;
                }
            }
            return leaf(s);
        }

        /** A parameter or local of this shape, or of the transposed shape transposed, or a constant. */
        Mx leaf(Shape s) {
            List<Mx> options = new ArrayList<>();
            for (Mx m : matrices) {
                if (m.shape().equals(s)) {
                    options.add(m);
                    options.add(m);
                    if (lastAssigned.containsKey(m.text())) {
                        options.add(m); // locals a little more often: reuse of one local in several products
                    }
                }
                if (m.shape().equals(s.t())) {
                    options.add(transpose(m));
                }
            }
            if (options.isEmpty() || rnd.nextInt(15) == 0) {
                options.add(constant(s));
            }
            return pick(options);
        }

        /**
         * An int expression of value n: an int local or parameter, a shape query or a literal. A size
         * declared as a {@code @Shape} symbol is only ever written as a shape query (or a local holding
         * one): a literal, or an int parameter, is not that symbol.
         */
        String intText(int n) {
            boolean symbolic = symbols.containsKey(n);
            List<String> names = ints.getOrDefault(n, List.of()).stream().filter(x -> !symbolic || !x.equals("k")).toList();
            if (!names.isEmpty() && rnd.nextInt(3) > 0) {
                return pick(names);
            }
            if (symbolic || rnd.nextInt(4) == 0) {
                List<String> queries = new ArrayList<>();
                for (Param p : params) {
                    if (p.kind == Kind.MATRIX && p.shape.rows() == n) {
                        queries.add(p.name + (rnd.nextBoolean() ? ".numRows()" : ".getNumRows()"));
                    }
                    if (p.kind == Kind.MATRIX && p.shape.cols() == n) {
                        queries.add(p.name + (rnd.nextBoolean() ? ".numCols()" : ".getNumCols()"));
                    }
                }
                if (!queries.isEmpty()) {
                    return pick(queries);
                }
            }
            if (symbolic) {
                throw new IllegalStateException("symbolic size " + n + " without a parameter of that size");
            }
            return Integer.toString(n);
        }

        Mx constant(Shape s) {
            int r = s.rows();
            int c = s.cols();
            return choose(List.of(
                    new Choice<>(2, () -> mx("SimpleMatrix.ones", "SimpleMatrix.ones(" + intText(r) + ", " + intText(c) + ")",
                            SimpleMatrix.ones(r, c))),
                    new Choice<>(2, () -> mx("SimpleMatrix.filled", "SimpleMatrix.filled(" + intText(r) + ", " + intText(c)
                            + ", 0.25)", SimpleMatrix.filled(r, c, 0.25))),
                    new Choice<>(1, () -> {
                        // filled with a double parameter or local: its adjoint is the sum of the cotangent
                        Sc v = scalars.isEmpty() ? literal() : pick(scalars);
                        return mx("SimpleMatrix.filled(r, c, s)", "SimpleMatrix.filled(" + intText(r) + ", " + intText(c) + ", "
                                + v.text() + ")", SimpleMatrix.filled(r, c, v.v()), v);
                    }),
                    new Choice<>(2, () -> s.square() ? identity(r) : null)));
        }

        Mx identity(int n) {
            return mx("SimpleMatrix.identity", "SimpleMatrix.identity(" + intText(n) + ")", SimpleMatrix.identity(n));
        }

        Mx transpose(Mx m) {
            return mx("transpose", m.text() + ".transpose()", m.v().transpose(), m);
        }

        Mx mult(Mx a, Mx b) {
            return mx("mult", a.text() + ".mult(" + b.text() + ")", a.v().mult(b.v()), a, b);
        }

        Mx add(Mx a, Mx b) {
            // X − X is structurally zero: its gradients are rounding noise, which finite differences cannot check
            return rnd.nextBoolean() || a.text().equals(b.text())
                    ? mx("plus", a.text() + ".plus(" + b.text() + ")", a.v().plus(b.v()), a, b)
                    : mx("minus", a.text() + ".minus(" + b.text() + ")", a.v().minus(b.v()), a, b);
        }

        Mx scale(Mx a, Sc s) {
            return mx("scale", a.text() + ".scale(" + s.text() + ")", a.v().scale(s.v()), a, s);
        }

        /** One of the entrywise functions of Ops (or exp), where it is well-conditioned. */
        Mx entrywise(Mx a) {
            String ops = rnd.nextBoolean() ? "Ops." : "";
            return choose(List.of(
                    new Choice<>(2, () -> mx("sigmoid", ops + "sigmoid(" + a.text() + ")", Ops.sigmoid(a.v()), a)),
                    new Choice<>(2, () -> mx("tanh", ops + "tanh(" + a.text() + ")", Ops.tanh(a.v()), a)),
                    new Choice<>(2, () -> mx("swish", ops + "swish(" + a.text() + ")", Ops.swish(a.v()), a)),
                    new Choice<>(2, () -> mx("softplus", ops + "softplus(" + a.text() + ")", Ops.softplus(a.v()), a)),
                    new Choice<>(1, () -> minAbs(a.v()) >= 0.02
                            ? mx("relu", ops + "relu(" + a.text() + ")", Ops.relu(a.v()), a) : null),
                    new Choice<>(1, () -> max(a.v()) <= 2 ? mx("elementExp", a.text() + ".elementExp()", a.v().elementExp(), a) : null)));
        }

        /** A matrix bounded away from 0 entrywise, to divide by. */
        Mx divisor(Shape s, int depth) {
            Mx b = mat(s, depth);
            return choose(List.of(
                    new Choice<>(3, () -> mx("elementMult", b.text() + ".elementMult(" + b.text() + ").plus(1)",
                            b.v().elementMult(b.v()).plus(1), b)),
                    new Choice<>(1, () -> max(b.v()) <= 2 ? mx("elementExp", b.text() + ".elementExp()", b.v().elementExp(), b) : null),
                    new Choice<>(1, () -> mx("softplus", "softplus(" + b.text() + ").plus(0.5)", Ops.softplus(b.v()).plus(0.5), b)),
                    new Choice<>(2, () -> minAbs(b.v()) >= 0.5 ? b : null)));
        }

        /** A matrix with entries at least 0.2, for elementLog and fractional powers. */
        Mx positive(Shape s, int depth) {
            Mx a = mat(s, depth);
            return choose(List.of(
                    new Choice<>(2, () -> mx("elementMult", a.text() + ".elementMult(" + a.text() + ").plus(0.5)",
                            a.v().elementMult(a.v()).plus(0.5), a)),
                    new Choice<>(2, () -> min(a.v()) >= 0.2 ? a : null),
                    new Choice<>(1, () -> min(Ops.sigmoid(a.v())) >= 0.2
                            ? mx("sigmoid", "sigmoid(" + a.text() + ")", Ops.sigmoid(a.v()), a) : null),
                    new Choice<>(1, () -> mx("softplus", "softplus(" + a.text() + ").plus(0.2)", Ops.softplus(a.v()).plus(0.2), a)),
                    new Choice<>(1, () -> max(a.v()) <= 2 && min(a.v()) >= -1.5
                            ? mx("elementExp", a.text() + ".elementExp()", a.v().elementExp(), a) : null)));
        }

        /** A symmetric positive definite n×n matrix, mostly symmetric by construction. */
        Mx spdMatrix(int n, int depth) {
            for (int attempt = 0; attempt < 6; attempt++) {
                Mx m = choose(List.of(
                        new Choice<>(3, () -> {
                            Mx x = mat(new Shape(n, dim()), depth);
                            return mx("gram", x.text() + ".mult(" + x.text() + ".transpose()).plus(" + identity(n).text()
                                    + ".scale(" + intText(n) + "))",
                                    x.v().mult(x.v().transpose()).plus(SimpleMatrix.identity(n).scale(n)), x);
                        }),
                        new Choice<>(2, () -> {
                            Mx x = mat(new Shape(dim(), n), depth);
                            return mx("gram", x.text() + ".transpose().mult(" + x.text() + ").plus(" + identity(n).text() + ")",
                                    x.v().transpose().mult(x.v()).plus(SimpleMatrix.identity(n)), x);
                        }),
                        new Choice<>(2, () -> {
                            // GP-LVM: X·Xᵀ·a + I/b, a and b positive scalars
                            Mx x = mat(new Shape(n, dim()), depth);
                            Sc a = positiveScalar(depth);
                            Sc b = positiveScalar(depth);
                            return mx("gram", x.text() + ".mult(" + x.text() + ".transpose()).scale(" + a.text() + ").plus("
                                    + identity(n).text() + ".divide(" + b.text() + "))",
                                    x.v().mult(x.v().transpose()).scale(a.v()).plus(SimpleMatrix.identity(n).divide(b.v())), x, a, b);
                        }),
                        new Choice<>(2, () -> {
                            // sandwich X·S·Xᵀ with S symmetric positive definite
                            int k = dim();
                            Mx x = mat(new Shape(n, k), depth);
                            Mx inner = depth > 0 && rnd.nextBoolean() ? spdMatrix(k, depth - 1)
                                    : mx("SimpleMatrix.identity", identity(k).text() + ".scale(2)", SimpleMatrix.identity(k).scale(2));
                            if (inner == null) {
                                return null;
                            }
                            return mx("sandwich", x.text() + ".mult(" + inner.text() + ").mult(" + x.text() + ".transpose()).plus("
                                    + identity(n).text() + ")",
                                    x.v().mult(inner.v()).mult(x.v().transpose()).plus(SimpleMatrix.identity(n)), x, inner);
                        }),
                        new Choice<>(1, () -> {
                            // symmetric in value but not by construction
                            Mx x = mat(new Shape(n, n), depth);
                            return mx("symmetrized", x.text() + ".plus(" + x.text() + ".transpose()).plus(" + identity(n).text()
                                    + ".scale(" + (2 * n + 1) + "))",
                                    x.v().plus(x.v().transpose()).plus(SimpleMatrix.identity(n).scale(2 * n + 1)), x);
                        }),
                        new Choice<>(1, () -> {
                            Mx k = spdMatrix(n, depth - 1);
                            return k == null || depth <= 0 ? null : mx("invert", k.text() + ".invert()", k.v().invert(), k);
                        }),
                        new Choice<>(3, () -> {
                            List<Mx> known = matrices.stream().filter(m2 -> m2.shape().equals(new Shape(n, n)) && spd(m2.v())).toList();
                            return known.isEmpty() ? null : pick(known);
                        })));
                if (m != null && spd(m.v())) {
                    return m;
                }
            }
            return null;
        }

        /** A well-conditioned n×n matrix for invert and solve: SPD, or a shifted general matrix. */
        Mx squareMatrix(int n, int depth) {
            for (int attempt = 0; attempt < 6; attempt++) {
                Mx m = choose(List.of(
                        new Choice<>(3, () -> spdMatrix(n, depth)),
                        new Choice<>(2, () -> {
                            Mx x = mat(new Shape(n, n), depth);
                            return mx("shifted", x.text() + ".plus(" + identity(n).text() + ".scale(" + (n + 2) + "))",
                                    x.v().plus(SimpleMatrix.identity(n).scale(n + 2)), x);
                        }),
                        new Choice<>(2, () -> {
                            List<Mx> known = matrices.stream().filter(m2 -> m2.shape().equals(new Shape(n, n))
                                    && wellConditioned(m2.v())).toList();
                            return known.isEmpty() ? null : pick(known);
                        })));
                if (m != null && wellConditioned(m.v())) {
                    return m;
                }
            }
            return null;
        }

        Mx matForm(Shape s, int d) {
            int r = s.rows();
            int c = s.cols();
            List<Choice<Mx>> cs = new ArrayList<>();
            cs.add(new Choice<>(8, () -> {
                int k = dim();
                return mult(mat(new Shape(r, k), d), mat(new Shape(k, c), d));
            }));
            cs.add(new Choice<>(5, () -> {
                // explicit transposes on either side of a product
                int k = dim();
                Mx a = mat(new Shape(k, r), d);
                Mx b = mat(new Shape(c, k), d);
                return switch (rnd.nextInt(3)) {
                    case 0 -> multT(a, true, mat(new Shape(k, c), d), false);
                    case 1 -> multT(mat(new Shape(r, k), d), false, b, true);
                    default -> multT(a, true, b, true);
                };
            }));
            if (s.square()) {
                cs.add(new Choice<>(5, () -> {
                    // Gram matrices: XᵀX and X·Xᵀ, X a parameter, a local or a subexpression written twice
                    int k = dim();
                    if (rnd.nextBoolean()) {
                        Mx x = mat(new Shape(k, r), d);
                        return mx("gram", x.text() + ".transpose().mult(" + x.text() + ")", x.v().transpose().mult(x.v()), x);
                    }
                    Mx x = mat(new Shape(r, k), d);
                    return mx("gram", x.text() + ".mult(" + x.text() + ".transpose())", x.v().mult(x.v().transpose()), x);
                }));
                cs.add(new Choice<>(2, () -> {
                    // sandwich op(X)·S·op(X)ᵀ, S symmetric
                    int k = dim();
                    Mx sym = spdMatrix(k, Math.max(0, d - 1));
                    if (sym == null) {
                        return null;
                    }
                    if (rnd.nextBoolean()) {
                        Mx x = mat(new Shape(k, r), d);
                        return mx("sandwich", x.text() + ".transpose().mult(" + sym.text() + ").mult(" + x.text() + ")",
                                x.v().transpose().mult(sym.v()).mult(x.v()), x, sym);
                    }
                    Mx x = mat(new Shape(r, k), d);
                    return mx("sandwich", x.text() + ".mult(" + sym.text() + ".mult(" + x.text() + ".transpose()))",
                            x.v().mult(sym.v().mult(x.v().transpose())), x, sym);
                }));
                cs.add(new Choice<>(3, () -> {
                    Mx k = squareMatrix(r, Math.max(0, d - 1));
                    return k == null ? null : mx("invert", k.text() + ".invert()", k.v().invert(), k);
                }));
            }
            cs.add(new Choice<>(3, () -> {
                // the autoencoder: XᵀX·Y (or X·Xᵀ·Y)
                int k = dim();
                Mx y = mat(new Shape(r, c), d);
                if (rnd.nextBoolean()) {
                    Mx x = mat(new Shape(k, r), d);
                    return mx("gram product", x.text() + ".transpose().mult(" + x.text() + ").mult(" + y.text() + ")",
                            x.v().transpose().mult(x.v()).mult(y.v()), x, y);
                }
                Mx x = mat(new Shape(r, k), d);
                return mx("gram product", x.text() + ".mult(" + x.text() + ".transpose()).mult(" + y.text() + ")",
                        x.v().mult(x.v().transpose()).mult(y.v()), x, y);
            }));
            cs.add(new Choice<>(4, () -> {
                // three factors, either association
                int k1 = dim();
                int k2 = dim();
                Mx a = mat(new Shape(r, k1), d);
                Mx b = mat(new Shape(k1, k2), d);
                Mx e = mat(new Shape(k2, c), d);
                return rnd.nextBoolean()
                        ? mx("chain3", a.text() + ".mult(" + b.text() + ").mult(" + e.text() + ")", a.v().mult(b.v()).mult(e.v()), a, b, e)
                        : mx("chain3", a.text() + ".mult(" + b.text() + ".mult(" + e.text() + "))", a.v().mult(b.v().mult(e.v())), a, b, e);
            }));
            cs.add(new Choice<>(2, () -> {
                // one matrix in two products: L·P + L·Q, P·L − Q·L, or L·P + (Lᵀ)ᵀ·Q
                int k = dim();
                return switch (rnd.nextInt(3)) {
                    case 0 -> {
                        Mx l = mat(new Shape(r, k), Math.max(0, d - 1));
                        Mx p = mat(new Shape(k, c), d);
                        Mx q = mat(new Shape(k, c), d);
                        yield mx("shared factor", l.text() + ".mult(" + p.text() + ").plus(" + l.text() + ".mult(" + q.text() + "))",
                                l.v().mult(p.v()).plus(l.v().mult(q.v())), l, p, q);
                    }
                    case 1 -> {
                        Mx l = mat(new Shape(k, c), Math.max(0, d - 1));
                        Mx p = mat(new Shape(r, k), d);
                        Mx q = mat(new Shape(r, k), d);
                        yield mx("shared factor", p.text() + ".mult(" + l.text() + ").minus(" + q.text() + ".mult(" + l.text() + "))",
                                p.v().mult(l.v()).minus(q.v().mult(l.v())), l, p, q);
                    }
                    default -> {
                        Mx l = mat(new Shape(r, k), Math.max(0, d - 1));
                        Mx p = mat(new Shape(k, c), d);
                        Mx q = mat(new Shape(k, c), d);
                        yield mx("shared factor", l.text() + ".mult(" + p.text() + ").plus(" + l.text()
                                + ".transpose().transpose().mult(" + q.text() + "))", l.v().mult(p.v()).plus(l.v().mult(q.v())), l, p, q);
                    }
                };
            }));
            cs.add(new Choice<>(6, () -> add(mat(s, d), mat(s, d))));
            cs.add(new Choice<>(3, () -> {
                Mx a = mat(s, d);
                Mx b = mat(s, d);
                Sc k = scalarFactor(d);
                return mx("plus(s, B)", a.text() + ".plus(" + k.text() + ", " + b.text() + ")", a.v().plus(k.v(), b.v()), a, k, b);
            }));
            cs.add(new Choice<>(2, () -> {
                Mx a = mat(s, d);
                Sc k = sca(d);
                return rnd.nextBoolean()
                        ? mx("plus(s)", a.text() + ".plus(" + k.text() + ")", a.v().plus(k.v()), a, k)
                        : mx("minus(s)", a.text() + ".minus(" + k.text() + ")", a.v().minus(k.v()), a, k);
            }));
            cs.add(new Choice<>(3, () -> scale(mat(s, d), scalarFactor(d))));
            cs.add(new Choice<>(2, () -> {
                Mx a = mat(s, d);
                Sc k = sca(d);
                return Math.abs(k.v()) < 0.5 ? null : mx("divide", a.text() + ".divide(" + k.text() + ")", a.v().divide(k.v()), a, k);
            }));
            cs.add(new Choice<>(2, () -> {
                Mx a = mat(s, d);
                return mx("negative", a.text() + ".negative()", a.v().negative(), a);
            }));
            cs.add(new Choice<>(4, () -> {
                Mx a = mat(s, d);
                Mx b = mat(s, d);
                return mx("elementMult", a.text() + ".elementMult(" + b.text() + ")", a.v().elementMult(b.v()), a, b);
            }));
            cs.add(new Choice<>(3, () -> {
                Mx a = mat(s, d);
                Mx b = divisor(s, d);
                return b == null ? null : mx("elementDiv", a.text() + ".elementDiv(" + b.text() + ")", a.v().elementDiv(b.v()), a, b);
            }));
            cs.add(new Choice<>(2, () -> {
                Mx a = positive(s, d);
                return a == null ? null : mx("elementLog", a.text() + ".elementLog()", a.v().elementLog(), a);
            }));
            cs.add(new Choice<>(2, () -> {
                Mx a = mat(s, d);
                return switch (rnd.nextInt(3)) {
                    case 0 -> mx("elementPower", a.text() + ".elementPower(2)", a.v().elementPower(2), a);
                    case 1 -> mx("elementPower", a.text() + ".elementPower(3.0)", a.v().elementPower(3.0), a);
                    default -> {
                        Mx p = positive(s, d);
                        yield p == null ? null : mx("elementPower", p.text() + ".elementPower(1.5)", p.v().elementPower(1.5), p);
                    }
                };
            }));
            cs.add(new Choice<>(6, () -> entrywise(mat(s, d))));
            cs.add(new Choice<>(3, () -> {
                Mx a = mat(s, d);
                if (rnd.nextBoolean()) {
                    Mx v = mat(new Shape(r, 1), d);
                    return mx("addColumn", (rnd.nextBoolean() ? "Ops." : "") + "addColumn(" + a.text() + ", " + v.text() + ")",
                            Ops.addColumn(a.v(), v.v()), a, v);
                }
                Mx u = mat(new Shape(1, c), d);
                return mx("addRow", (rnd.nextBoolean() ? "Ops." : "") + "addRow(" + a.text() + ", " + u.text() + ")",
                        Ops.addRow(a.v(), u.v()), a, u);
            }));
            if (c == 1) {
                cs.add(new Choice<>(3, () -> {
                    Mx a = mat(new Shape(r, dim()), d);
                    return mx("rowSums", "rowSums(" + a.text() + ")", Ops.rowSums(a.v()), a);
                }));
            }
            if (r == 1) {
                cs.add(new Choice<>(3, () -> {
                    Mx a = mat(new Shape(dim(), c), d);
                    return mx("columnSums", "columnSums(" + a.text() + ")", Ops.columnSums(a.v()), a);
                }));
            }
            cs.add(new Choice<>(3, () -> {
                Mx k = squareMatrix(r, Math.max(0, d - 1));
                Mx b = mat(s, d);
                return k == null ? null : mx("solve", k.text() + ".solve(" + b.text() + ")", k.v().solve(b.v()), k, b);
            }));
            cs.add(new Choice<>(2, () -> transpose(mat(s.t(), d))));
            return choose(cs);
        }

        Mx multT(Mx a, boolean ta, Mx b, boolean tb) {
            String text = a.text() + (ta ? ".transpose()" : "") + ".mult(" + b.text() + (tb ? ".transpose()" : "") + ")";
            SimpleMatrix va = ta ? a.v().transpose() : a.v();
            SimpleMatrix vb = tb ? b.v().transpose() : b.v();
            return mx("mult of transposes", text, va.mult(vb), a, b);
        }

        // -- scalar expressions ---------------------------------------------------------------

        static final String[][] LITERALS = {{"0.5", "0.5"}, {"2.0", "2"}, {"0.25", "0.25"}, {"1.5", "1.5"}, {"3.0", "3"},
                {"0.1", "0.1"}, {"-0.5", "-0.5"}, {"-1.25", "-1.25"}, {"Math.PI", "" + Math.PI}, {"Math.E", "" + Math.E}};

        Sc literal() {
            String[] l = LITERALS[rnd.nextInt(LITERALS.length)];
            double v = Double.parseDouble(l[1]);
            return sc(l[0].startsWith("Math") ? "Math constant" : null, l[0], v, v >= 0);
        }

        Sc scalarLeaf() {
            List<Choice<Sc>> cs = new ArrayList<>();
            if (!scalars.isEmpty()) {
                cs.add(new Choice<>(6, () -> pick(scalars)));
            }
            cs.add(new Choice<>(2, this::literal));
            cs.add(new Choice<>(1, () -> {
                List<Integer> values = new ArrayList<>(ints.keySet());
                if (values.isEmpty()) {
                    return null;
                }
                int v = pick(values);
                return sc("(double) int", "(double) " + pick(ints.get(v)), v, false);
            }));
            cs.add(new Choice<>(4, () -> accept(reduce(leaf(new Shape(dim(), dim()))))));
            return orElse(choose(cs), literal());
        }

        /** A scalar with |value| in [0.3, 3], for scale and plus(s, B). */
        Sc scalarFactor(int depth) {
            for (int attempt = 0; attempt < 4; attempt++) {
                Sc s = sca(Math.min(depth, 1));
                if (Math.abs(s.v()) >= 0.3 && Math.abs(s.v()) <= 3) {
                    return s;
                }
            }
            return literal();
        }

        /** A scalar with value in [0.3, 5]. */
        Sc positiveScalar(int depth) {
            Sc s = sca(Math.min(depth, 1));
            if (s.v() >= 0.3 && s.v() <= 5) {
                return s;
            }
            Sc e = accept(sc("Math.exp", "Math.exp(" + s.text() + ")", Math.exp(s.v()), true, s));
            return e != null && e.v() >= 0.3 && e.v() <= 5 ? e : sc(null, "0.5", 0.5, true);
        }

        Sc sca(int depth) {
            if (depth <= 0 || rnd.nextInt(10) < 2) {
                return scalarLeaf();
            }
            for (int attempt = 0; attempt < 6; attempt++) {
                Sc s = accept(scaForm(depth - 1));
                if (s != null) {
                    return s;
                }
            }
            return scalarLeaf();
        }

        /** A reduction of a matrix to a scalar (every DSL reduction that applies to it). */
        Sc reduce(Mx a) {
            List<Choice<Sc>> cs = new ArrayList<>();
            String ops = rnd.nextBoolean() ? "Ops." : "";
            cs.add(new Choice<>(3, () -> sc("elementSum", a.text() + ".elementSum()", a.v().elementSum(), true, a)));
            cs.add(new Choice<>(3, () -> sc("sumSquares", ops + "sumSquares(" + a.text() + ")", Ops.sumSquares(a.v()), true, a)));
            cs.add(new Choice<>(2, () -> {
                // EJML's trace of a non-square matrix sums its min(m, n) diagonal entries; of a product it is
                // a case of its own for the processor's tr(A·Bᵀ) = ⟨A, B⟩ rewrite.
                boolean product = a.op().equals("mult") && !a.shape().square();
                return sc(product ? "trace of a non-square product" : "trace", a.text() + ".trace()", a.v().trace(), true, a);
            }));
            cs.add(new Choice<>(1, () -> a.v().normF() >= 0.3 ? sc("normF", a.text() + ".normF()", a.v().normF(), true, a) : null));
            cs.add(new Choice<>(1, () -> sc("mean", ops + "mean(" + a.text() + ")", Ops.mean(a.v()), true, a)));
            cs.add(new Choice<>(1, () -> sc("logSumExp", ops + "logSumExp(" + a.text() + ")", Ops.logSumExp(a.v()), true, a)));
            return choose(cs);
        }

        Sc scaForm(int d) {
            List<Choice<Sc>> cs = new ArrayList<>();
            cs.add(new Choice<>(10, () -> reduce(mat(new Shape(dim(), dim()), d + 1))));
            cs.add(new Choice<>(3, () -> {
                // tr(A·Bᵀ), tr(Aᵀ·B), which the processor rewrites to an inner product; now and then of a
                // non-square product (EJML's trace sums its min(m, n) diagonal entries)
                int r = dim();
                int r2 = rnd.nextInt(3) == 0 ? dim() : r;
                int k = dim();
                String form = r == r2 ? "trace of product" : "trace of a non-square product";
                if (rnd.nextBoolean()) {
                    Mx a = mat(new Shape(r, k), d);
                    Mx b = mat(new Shape(r2, k), d);
                    return sc(form, a.text() + ".mult(" + b.text() + ".transpose()).trace()",
                            a.v().mult(b.v().transpose()).trace(), true, a, b);
                }
                Mx a = mat(new Shape(k, r), d);
                Mx b = mat(new Shape(k, r2), d);
                return sc(form, a.text() + ".transpose().mult(" + b.text() + ").trace()",
                        a.v().transpose().mult(b.v()).trace(), true, a, b);
            }));
            cs.add(new Choice<>(3, () -> {
                int n = dim();
                Shape su = rnd.nextBoolean() ? new Shape(n, 1) : new Shape(1, n);
                Shape sv = rnd.nextInt(3) == 0 ? su.t() : su;
                Mx u = mat(su, d + 1);
                Mx v = mat(sv, d + 1);
                return sc("dot", u.text() + ".dot(" + v.text() + ")", u.v().dot(v.v()), true, u, v);
            }));
            cs.add(new Choice<>(4, () -> {
                Mx k = spdMatrix(dim(), d);
                return k == null ? null : sc("logDet", (rnd.nextBoolean() ? "Ops." : "") + "logDet(" + k.text() + ")",
                        Ops.logDet(k.v()), true, k);
            }));
            cs.add(new Choice<>(1, () -> {
                Mx k = squareMatrix(dim(), d);
                return k == null || Math.abs(k.v().determinant()) < 0.1
                        ? null : sc("determinant", k.text() + ".determinant()", k.v().determinant(), true, k);
            }));
            cs.add(new Choice<>(2, () -> {
                Shape s = new Shape(dim(), dim());
                Mx z = mat(s, d);
                Mx y = mat(s, d);
                return sc("softmaxCrossEntropy", "softmaxCrossEntropy(" + z.text() + ", " + y.text() + ")",
                        Ops.softmaxCrossEntropy(z.v(), y.v()), true, z, y);
            }));
            cs.add(new Choice<>(6, () -> arith(sca(d), sca(d))));
            cs.add(new Choice<>(1, () -> {
                Sc a = sca(d);
                return sc("unary minus", "-" + a.operand(), -a.v(), false, a);
            }));
            cs.add(new Choice<>(3, () -> {
                Sc a = sca(d);
                return switch (rnd.nextInt(5)) {
                    case 0 -> a.v() <= 2.5 ? sc("Math.exp", "Math.exp(" + a.text() + ")", Math.exp(a.v()), true, a) : null;
                    case 1 -> a.v() >= 0.2 ? sc("Math.log", "Math.log(" + a.text() + ")", Math.log(a.v()), true, a) : null;
                    case 2 -> a.v() >= 0.2 ? sc("Math.sqrt", "Math.sqrt(" + a.text() + ")", Math.sqrt(a.v()), true, a) : null;
                    case 3 -> sc("Math.tanh", "Math.tanh(" + a.text() + ")", Math.tanh(a.v()), true, a);
                    default -> {
                        if (rnd.nextBoolean()) {
                            yield sc("Math.pow", "Math.pow(" + a.text() + ", 2)", Math.pow(a.v(), 2), true, a);
                        }
                        if (a.v() < 0.2) {
                            yield null;
                        }
                        Sc p = sca(0);
                        yield Math.abs(p.v()) <= 2
                                ? sc("Math.pow", "Math.pow(" + a.text() + ", " + p.text() + ")", Math.pow(a.v(), p.v()), true, a, p)
                                : sc("Math.pow", "Math.pow(" + a.text() + ", 1.5)", Math.pow(a.v(), 1.5), true, a);
                    }
                };
            }));
            return choose(cs);
        }

        Sc arith(Sc a, Sc b) {
            return switch (rnd.nextInt(4)) {
                case 0 -> sc("scalar +", a.text() + " + " + b.operand(), a.v() + b.v(), false, a, b);
                case 1 -> sc("scalar -", a.operand() + " - " + b.operand(), a.v() - b.v(), false, a, b);
                case 2 -> sc("scalar *", a.operand() + " * " + b.operand(), a.v() * b.v(), false, a, b);
                default -> Math.abs(b.v()) >= 0.5 ? sc("scalar /", a.operand() + " / " + b.operand(), a.v() / b.v(), false, a, b) : null;
            };
        }
    }

    // ---- running the programs -------------------------------------------------------------------

    /** A problem found: what kind, in which program (null if not one), and the evidence. */
    record Failure(String kind, Program program, String detail, String generated) {
        String describe() {
            StringBuilder sb = new StringBuilder("=== ").append(kind);
            if (program != null) {
                sb.append(" in ").append(program.className);
            }
            sb.append(" ===\n").append(detail).append('\n');
            if (program != null) {
                sb.append(program.describe());
            }
            return sb.toString();
        }
    }

    /** What became of one program. */
    enum Outcome {
        /** Every check ran and passed. */
        PASSED,
        /**
         * Rejected by the finite-difference screen (see {@link #conditioning}): every check but the
         * gradient check ran and passed; does not count towards the number of programs.
         */
        ILL_CONDITIONED,
        FAILED
    }

    @Test
    void randomCompositionsHaveExactGradients() {
        long start = System.nanoTime();
        Random master = new Random(SEED);
        Integer only = ONLY == null || ONLY.isBlank() ? null : Integer.parseInt(ONLY.trim());
        List<Failure> failures = new ArrayList<>();
        Map<String, Integer> coverage = new TreeMap<>();
        Map<Outcome, Integer> outcomes = new TreeMap<>();
        int counted = 0;
        int index = 0;
        // Generate, compile and check batches until PROGRAMS programs were checked in full (or failed);
        // programs the screen finds ill-conditioned for finite differences are replaced by new ones.
        while (only == null ? counted < PROGRAMS : index <= only) {
            List<Program> batch = new ArrayList<>();
            while (batch.size() < BATCH && (only == null ? counted + batch.size() < PROGRAMS : index <= only)) {
                long seed = master.nextLong();
                if (only == null || index == only) {
                    batch.add(new Generator(seed, index).generate());
                }
                index++;
            }
            if (batch.isEmpty()) {
                continue;
            }
            Map<Program, Compilation.Result> compiled = compile(batch, failures);
            for (Program p : batch) {
                Compilation.Result r = compiled.get(p);
                Outcome outcome = Outcome.FAILED;
                if (r != null) {
                    dump(p, r);
                    outcome = check(p, r, failures);
                }
                outcomes.merge(outcome, 1, Integer::sum);
                if (outcome != Outcome.ILL_CONDITIONED) {
                    counted++;
                    for (String form : p.forms) {
                        coverage.merge(form, 1, Integer::sum);
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "RandomProgramsTest: seed %d, %d programs checked in %.1f s (%s; %d generated); "
                + "forms used (number of programs): %s%n", SEED, counted, seconds, outcomes, index, coverage);
        if (!failures.isEmpty()) {
            StringBuilder all = new StringBuilder();
            for (Failure f : failures) {
                all.append(f.describe()).append('\n');
                if (f.generated() != null) {
                    all.append("generated source:\n").append(CompileErrorsTest.numbered(f.generated())).append('\n');
                }
            }
            System.out.println(all);
            StringBuilder summary = new StringBuilder(failures.size() + " failure(s) in " + counted
                    + " random programs (seed " + SEED + "; generated sources printed on standard output):\n");
            for (Failure f : failures) {
                summary.append("  - ").append(f.kind()).append(f.program() == null ? "" : " in " + f.program().className
                        + " (-Dadjoint.random.only=" + f.program().index + ")"
                        + (f.program().forms.contains("trace of a non-square product") ? " [has a trace of a non-square product]" : ""))
                        .append('\n');
            }
            summary.append('\n');
            for (Failure f : failures) {
                summary.append(f.describe()).append('\n');
            }
            fail(summary.toString());
        }
        int rejected = outcomes.getOrDefault(Outcome.ILL_CONDITIONED, 0);
        int generated = index;
        assertTrue(only != null || rejected <= generated / 5, () -> "the finite-difference screen rejected " + rejected + " of "
                + generated + " programs: tighten the generator");
        if (only == null) {
            List<String> required = List.of("mult", "mult of transposes", "gram", "gram product", "chain3", "sandwich",
                    "shared factor", "plus", "minus", "plus(s, B)", "scale", "divide", "negative", "elementMult",
                    "elementDiv", "elementExp", "elementLog", "elementPower", "sigmoid", "tanh", "swish", "softplus",
                    "addColumn", "addRow", "rowSums", "columnSums", "invert", "solve", "logDet", "trace",
                    "trace of product", "trace of a non-square product", "elementSum", "sumSquares", "dot", "normF",
                    "Math.exp", "Math.log", "Math.sqrt",
                    "double parameter", "compound assignment", "reassignment", "wrt = subset");
            if (PROGRAMS >= 150) {
                for (String form : required) {
                    assertTrue(coverage.getOrDefault(form, 0) >= 3,
                            () -> "form '" + form + "' is used by fewer than 3 programs: " + coverage);
                }
            }
        }
    }

    /** Compiles a batch; on any error or crash, compiles its programs one by one to attribute it. */
    static Map<Program, Compilation.Result> compile(List<Program> batch, List<Failure> failures) {
        Map<Program, Compilation.Result> results = new LinkedHashMap<>();
        Compilation.Result r = null;
        try {
            r = Compilation.run(false, NO_LIMITS, batch.stream().map(p -> p.source).toArray(String[]::new));
        } catch (RuntimeException | AssertionError e) {
            // a processor crash: find the program(s) that crash on their own below
        }
        if (r != null && r.success && r.errors().isEmpty()) {
            for (Program p : batch) {
                results.put(p, r);
            }
            return results;
        }
        boolean anyAlone = false;
        for (Program p : batch) {
            Compilation.Result alone;
            try {
                alone = Compilation.run(false, NO_LIMITS, p.source);
            } catch (RuntimeException | AssertionError crash) {
                failures.add(new Failure("processor crash", p, stackTrace(crash), null));
                anyAlone = true;
                continue;
            }
            if (!alone.success || !alone.errors().isEmpty()) {
                failures.add(new Failure("compilation failed", p, alone.describe(), alone.generatedSource(p.generatedFile())));
                anyAlone = true;
                continue;
            }
            results.put(p, alone);
        }
        if (!anyAlone) {
            failures.add(new Failure("batch fails but no program fails alone", null, r == null ? "crash" : r.describe(), null));
        }
        return results;
    }

    /** With {@code -Dadjoint.random.dump=DIR}: each program, its arguments and generated class, for a human. */
    static void dump(Program p, Compilation.Result r) {
        String dir = System.getProperty("adjoint.random.dump");
        if (dir == null || dir.isBlank()) {
            return;
        }
        try {
            java.nio.file.Path root = java.nio.file.Files.createDirectories(java.nio.file.Path.of(dir));
            String generated = r.generatedSource(p.generatedFile());
            java.nio.file.Files.writeString(root.resolve(p.className + ".txt"),
                    p.describe() + "\nforms: " + p.forms + "\n\n" + (generated == null ? "(nothing generated)" : generated));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        String s = w.toString();
        return s.length() > 4000 ? s.substring(0, 4000) + "\n..." : s;
    }

    static boolean close(double actual, double expected, double tolerance) {
        return Math.abs(actual - expected) <= tolerance * Math.max(1.0, Math.abs(expected));
    }

    /** Fresh arguments for the generated class: DMatrixRMaj copies (or SimpleMatrix), Doubles and Integers. */
    static Object[] arguments(Program p, boolean simple) {
        Object[] args = new Object[p.params.size()];
        for (int i = 0; i < args.length; i++) {
            Object a = p.params.get(i).argument();
            args[i] = simple && a instanceof DMatrixRMaj m ? SimpleMatrix.wrap(m) : a;
        }
        return args;
    }

    static DMatrixRMaj matrixOf(Object arg) {
        return arg instanceof SimpleMatrix s ? s.getDDRM() : (DMatrixRMaj) arg;
    }

    /** Null if every matrix argument still equals the program's arguments exactly, else which one changed. */
    static String changedArgument(Program p, Object[] args) {
        for (int i = 0; i < args.length; i++) {
            Param param = p.params.get(i);
            if (param.kind == Kind.MATRIX) {
                DMatrixRMaj now = matrixOf(args[i]);
                if (now.numRows != param.matrix.numRows || now.numCols != param.matrix.numCols) {
                    return param.name + " was reshaped to " + now.numRows + "x" + now.numCols;
                }
                for (int e = 0; e < now.getNumElements(); e++) {
                    if (Double.compare(now.data[e], param.matrix.data[e]) != 0) {
                        return param.name + " was modified: now " + format(now);
                    }
                }
            }
        }
        return null;
    }

    /** All checks on one compiled program. */
    static Outcome check(Program p, Compilation.Result r, List<Failure> failures) {
        String generated = r.generatedSource(p.generatedFile());
        int before = failures.size();
        // Compilation: nothing from Adjoint but the generated class.
        for (Diagnostic<? extends JavaFileObject> d : r.diagnostics) {
            String file = d.getSource() == null ? null : new java.io.File(d.getSource().getName()).getName();
            boolean mine = file == null || file.equals(p.className + ".java") || file.equals(p.generatedName + ".java");
            if (!mine) {
                continue;
            }
            String message = d.getMessage(Locale.ROOT);
            if (message.contains("internal error") || d.getKind() == Diagnostic.Kind.ERROR
                    || d.getKind() == Diagnostic.Kind.WARNING && !message.contains("deprecat")
                    // the numerical lint's advice on a random spelling (K.invert().mult(B), log det, ...) is expected
                    && !message.matches("(?s)\\[ADJ50[2-7]] .*")) {
                failures.add(new Failure("unexpected diagnostic", p, Compilation.format(d), generated));
            }
        }
        if (generated == null) {
            failures.add(new Failure("nothing generated", p, r.describe(), null));
            return Outcome.FAILED;
        }
        // Readable source (SPEC: "the derivative is source code the user can open and read"), not one
        // that grows exponentially with the program.
        long limit = Math.max(4_000_000L, 1000L * p.source.length());
        if (generated.length() > limit) {
            failures.add(new Failure("generated source too large", p, String.format(Locale.ROOT,
                    "%,d characters generated from a %,d-character program (limit %,d)", generated.length(), p.source.length(),
                    limit), generated.substring(0, 20_000) + "\n..."));
        }
        boolean wellConditioned = true;
        try {
            DifferentiableFunction fn = (DifferentiableFunction) r.loadClass(PACKAGE + "." + p.generatedName)
                    .getConstructor().newInstance();
            Class<?> user = r.loadClass(PACKAGE + "." + p.className);

            // The parameter list says what the method says.
            List<Parameter> parameters = fn.parameters();
            List<String> expectedParams = p.params.stream().map(q -> q.name + ":" + switch (q.kind) {
                case MATRIX -> Parameter.Kind.MATRIX;
                case DOUBLE -> Parameter.Kind.SCALAR;
                case INT -> Parameter.Kind.INTEGER;
            } + (p.wrt.contains(q.name) ? ":wrt" : "")).toList();
            List<String> actualParams = parameters.stream().map(q -> q.name() + ":" + q.kind() + (q.wrt() ? ":wrt" : "")).toList();
            if (!expectedParams.equals(actualParams)) {
                failures.add(new Failure("wrong parameters()", p, "expected " + expectedParams + " but got " + actualParams, generated));
            }

            // (1) value equals the user's method, run eagerly.
            Method method = user.getDeclaredMethod(p.methodName, p.params.stream().map(Param::javaClass).toArray(Class<?>[]::new));
            method.setAccessible(true);
            Object[] userArgs = new Object[p.params.size()];
            for (int i = 0; i < userArgs.length; i++) {
                Object a = p.params.get(i).argument();
                userArgs[i] = a instanceof DMatrixRMaj m ? SimpleMatrix.wrap(m) : a;
            }
            double reference;
            try {
                reference = (double) method.invoke(null, userArgs);
            } catch (InvocationTargetException e) {
                failures.add(new Failure("the user's method throws (generator bug)", p, stackTrace(e.getCause()), generated));
                return Outcome.FAILED;
            }
            if (!close(reference, p.expected, 1e-12)) {
                failures.add(new Failure("generator bug: its own evaluation disagrees with the method", p,
                        "method " + reference + ", generator " + p.expected, generated));
            }
            boolean simple = p.index % 2 == 1;
            Object[] args = arguments(p, simple);
            double value = fn.value(args);
            if (!close(value, reference, VALUE_TOLERANCE)) {
                failures.add(new Failure("value differs from the method", p, String.format(Locale.ROOT,
                        "value(args) = %.17g but the method returns %.17g (difference %.3e)", value, reference, value - reference),
                        generated));
            }
            String changed = changedArgument(p, args);
            if (changed != null) {
                failures.add(new Failure("value() modified an argument", p, changed, generated));
            }

            // (2) gradient returns the same value.
            Object[] gradientArgs = arguments(p, !simple);
            double fromGradient = fn.gradient(gradientArgs);
            if (!close(fromGradient, reference, VALUE_TOLERANCE)) {
                failures.add(new Failure("gradient() returns another value", p, String.format(Locale.ROOT,
                        "gradient(args) = %.17g but the method returns %.17g", fromGradient, reference), generated));
            }
            changed = changedArgument(p, gradientArgs);
            if (changed != null) {
                failures.add(new Failure("gradient() modified an argument", p, changed, generated));
            }
            Map<Integer, DMatrixRMaj> gradients = new LinkedHashMap<>();
            for (int i = 0; i < parameters.size(); i++) {
                if (parameters.get(i).wrt()) {
                    gradients.put(i, fn.gradientOf(i).copy());
                }
            }
            // SPEC 4: the typed accessor gradX() of every wrt parameter X returns the same gradient.
            for (Map.Entry<Integer, DMatrixRMaj> g : gradients.entrySet()) {
                Param param = p.params.get(g.getKey());
                String accessor = "grad" + capitalize(param.name);
                Method m;
                try {
                    m = fn.getClass().getMethod(accessor);
                } catch (NoSuchMethodException e) {
                    failures.add(new Failure("no accessor " + accessor + "()", p, "public methods: " + java.util.Arrays.stream(
                            fn.getClass().getDeclaredMethods()).map(Method::getName).sorted().distinct().toList(), generated));
                    continue;
                }
                Object got = m.invoke(fn);
                DMatrixRMaj typed = got instanceof DMatrixRMaj dm ? dm : got instanceof Double d ? new DMatrixRMaj(1, 1, true, d) : null;
                if (typed == null || !sameWithin(typed, g.getValue(), 0)) {
                    failures.add(new Failure(accessor + "() disagrees with gradientOf(" + param.name + ")", p, accessor + "() = "
                            + (typed == null ? got : format(typed)) + "\ngradientOf = " + format(g.getValue()), generated));
                }
            }

            // (3) finite differences agree, where they can tell (the screen only runs the user's method).
            String conditioning = conditioning(p, method, fn);
            wellConditioned = conditioning == null;
            GradientChecker.Report report = GradientChecker.check(fn, args);
            if (wellConditioned && !(report.maxRelativeError() < GRADIENT_TOLERANCE)) {
                StringBuilder detail = new StringBuilder(String.format(Locale.ROOT,
                        "max relative error %.3e (tolerance %.0e)%n%s", report.maxRelativeError(), GRADIENT_TOLERANCE, report));
                // Two more steps, to tell a wrong gradient (same error at every step) from finite-difference noise.
                for (double step : new double[] {1e-4, 1e-6}) {
                    detail.append(GradientChecker.check(fn, args, step));
                }
                failures.add(new Failure("wrong gradient", p, detail.toString(), generated));
            }
            changed = changedArgument(p, args);
            if (changed != null) {
                failures.add(new Failure("an argument changed during the gradient check", p, changed, generated));
            }

            // (5) gradients belong to the last gradient() call: a later value() leaves them alone, and a
            // reused instance computes what a fresh one does.
            Object[] nearby = arguments(p, false);
            Random jitter = new Random(p.seed);
            for (Object a : nearby) {
                if (a instanceof DMatrixRMaj m) {
                    for (int e = 0; e < m.getNumElements(); e++) {
                        m.data[e] += 1e-3 * (jitter.nextDouble() - 0.5);
                    }
                }
            }
            fn.gradient(args);
            fn.value(nearby);
            for (Map.Entry<Integer, DMatrixRMaj> g : gradients.entrySet()) {
                DMatrixRMaj now = fn.gradientOf(g.getKey());
                if (!sameWithin(now, g.getValue(), 1e-12)) {
                    failures.add(new Failure("a value() call changed gradientOf(" + parameters.get(g.getKey()).name() + ")", p,
                            "after gradient(args): " + format(g.getValue()) + "\nafter value(other args): " + format(now), generated));
                }
            }
            fn.gradient(nearby);
            DifferentiableFunction fresh = (DifferentiableFunction) fn.getClass().getConstructor().newInstance();
            fresh.gradient(nearby);
            for (int i : gradients.keySet()) {
                if (!sameWithin(fn.gradientOf(i), fresh.gradientOf(i), 1e-12)) {
                    failures.add(new Failure("a reused instance disagrees with a fresh one on " + parameters.get(i).name(), p,
                            "reused: " + format(fn.gradientOf(i)) + "\nfresh: " + format(fresh.gradientOf(i)), generated));
                }
            }
        } catch (Throwable t) {
            failures.add(new Failure("exception", p, stackTrace(t), generated));
        }
        return failures.size() > before ? Outcome.FAILED : wellConditioned ? Outcome.PASSED : Outcome.ILL_CONDITIONED;
    }

    /** The screen's limit on the checker's own finite-difference error, a fifth of the tolerance. */
    static final double SCREEN_LIMIT = GRADIENT_TOLERANCE / 5;

    /** A scalar function of a program's arguments: the user's method, or a generated {@code value}. */
    @FunctionalInterface
    interface Function {
        double at(Object[] args) throws Exception;
    }

    /**
     * The finite-difference screen. It never looks at a gradient: null if the {@link
     * GradientChecker}'s central differences (step 1e-5, its formula and its normalization) agree
     * with a much more accurate five-point estimate (step 5e-4, error O(h⁴)) to {@link
     * #SCREEN_LIMIT} for every {@code wrt} parameter, both for the user's own method and for the
     * generated {@code value} (which the checker differentiates; its rounding differs); else why
     * not. Where they do not, the checker cannot tell a 1e-6 error from its own rounding noise
     * (typically a gradient many orders of magnitude below the value's rounding noise, such as one
     * that cancels to exactly 0), so the program is replaced rather than the tolerance loosened.
     */
    static String conditioning(Program p, Method method, DifferentiableFunction fn) throws Exception {
        String eager = conditioning(p, true, args -> (double) method.invoke(null, args));
        return eager != null ? "the method: " + eager : conditioning(p, false, args -> fn.value(args));
    }

    static String conditioning(Program p, boolean simple, Function f) throws Exception {
        Object[] args = arguments(p, simple);
        for (int i = 0; i < args.length; i++) {
            Param param = p.params.get(i);
            if (!p.wrt.contains(param.name)) {
                continue;
            }
            int entries = param.kind == Kind.MATRIX ? param.matrix.getNumElements() : 1;
            double[] central = new double[entries];
            double[] accurate = new double[entries];
            for (int e = 0; e < entries; e++) {
                double x = param.kind == Kind.MATRIX ? param.matrix.data[e] : param.scalar;
                double h = GradientChecker.DEFAULT_STEP * Math.max(1, Math.abs(x));
                central[e] = (evaluate(f, args, i, e, x + h) - evaluate(f, args, i, e, x - h)) / ((x + h) - (x - h));
                double big = 5e-4 * Math.max(1, Math.abs(x));
                accurate[e] = (-evaluate(f, args, i, e, x + 2 * big) + 8 * evaluate(f, args, i, e, x + big)
                        - 8 * evaluate(f, args, i, e, x - big) + evaluate(f, args, i, e, x - 2 * big)) / (12 * big);
            }
            double scale = GradientChecker.RELATIVE_FLOOR;
            double error = 0;
            for (int e = 0; e < entries; e++) {
                scale = Math.max(scale, Math.abs(accurate[e]));
            }
            for (int e = 0; e < entries; e++) {
                error = Math.max(error, Math.abs(central[e] - accurate[e]));
            }
            if (!(error / scale <= SCREEN_LIMIT)) {
                return String.format(Locale.ROOT, "finite differences of %s disagree with a five-point estimate by %.2e relative "
                        + "(largest derivative %.2e)", param.name, error / scale, scale);
            }
        }
        return null;
    }

    /** f with entry e of argument i set to x (and then restored). */
    static double evaluate(Function f, Object[] args, int i, int e, double x) throws Exception {
        Object saved = args[i];
        DMatrixRMaj m = saved instanceof SimpleMatrix s ? s.getDDRM() : saved instanceof DMatrixRMaj d ? d : null;
        double old = 0;
        if (m != null) {
            old = m.data[e];
            m.data[e] = x;
        } else {
            args[i] = x;
        }
        try {
            return f.at(args);
        } finally {
            if (m != null) {
                m.data[e] = old;
            } else {
                args[i] = saved;
            }
        }
    }

    static boolean sameWithin(DMatrixRMaj a, DMatrixRMaj b, double tolerance) {
        if (a.numRows != b.numRows || a.numCols != b.numCols) {
            return false;
        }
        double scale = 1;
        for (int e = 0; e < a.getNumElements(); e++) {
            scale = Math.max(scale, Math.abs(b.data[e]));
        }
        for (int e = 0; e < a.getNumElements(); e++) {
            if (!(Math.abs(a.data[e] - b.data[e]) <= tolerance * scale)) {
                return false;
            }
        }
        return true;
    }
}
