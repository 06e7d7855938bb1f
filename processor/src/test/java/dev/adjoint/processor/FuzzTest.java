package dev.adjoint.processor;

import static dev.adjoint.processor.CompileErrorsTest.numbered;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * SPEC section 5, fuzzed: valid DSL methods (the SPEC's three losses and six others) are mutated so
 * that the Java stays valid (checked by compiling every mutant without the processor) but the method
 * leaves the DSL. Every mutant must get at least one javac ERROR inside the mutated method (and on the
 * mutated line where there is one), no diagnostic may be a processor crash, the mutated method must
 * generate nothing, and the untouched valid method in the same class must still be generated and its
 * generated source must compile.
 *
 * <p>The generator is seeded ({@code -Dadjoint.fuzz.seed=...} to change it, {@code
 * -Dadjoint.fuzz.mutants=...} for more). Mutants are compiled in batches, one class per file, several
 * files per compilation; diagnostics are attributed to mutants by file and line.
 */
class FuzzTest {

    static final long SEED = Long.getLong("adjoint.fuzz.seed", 20_261_122L);
    static final int MUTANTS = Integer.getInteger("adjoint.fuzz.mutants", 240);
    static final int BATCH = 40;
    static final String MARK = "// <<";
    /** Every Adjoint diagnostic starts with its stable code (docs/errors.md). */
    static final Pattern CODED = Pattern.compile("\\[ADJ\\d{3}\\] ");
    static final String PACKAGE = "fuzz";
    /** javac stops reporting after 100 errors by default; batches may have more. */
    static final List<String> NO_LIMITS = List.of("-Xmaxerrs", "100000", "-Xmaxwarns", "100000");

    // ---- the valid DSL methods mutants start from ---------------------------------------------

    record Param(String type, String name) {}

    /**
     * A valid DSL method: parameters, {@code wrt} (null for the default), one-line statements ending
     * with the return, a consistent {@code @Shape} for every matrix parameter, and declarations that
     * contradict the body.
     */
    record Base(String name, List<String> wrt, List<Param> params, List<String> body,
                Map<String, String[]> consistentShapes, List<Map<String, String[]>> contradictions) {}

    static Param m(String name) {
        return new Param("SimpleMatrix", name);
    }

    static Param d(String name) {
        return new Param("double", name);
    }

    static Param i(String name) {
        return new Param("int", name);
    }

    static String[] s(String rows, String cols) {
        return new String[] {rows, cols};
    }

    /** A contradiction: the consistent shapes with some parameters redeclared. */
    static Map<String, String[]> with(Map<String, String[]> consistent, Object... parameterAndShape) {
        Map<String, String[]> shapes = new LinkedHashMap<>(consistent);
        for (int k = 0; k < parameterAndShape.length; k += 2) {
            shapes.put((String) parameterAndShape[k], (String[]) parameterAndShape[k + 1]);
        }
        return shapes;
    }

    static Map<String, String[]> shapes(Object... parameterAndShape) {
        return with(Map.of(), parameterAndShape);
    }

    static final List<Base> BASES = bases();

    private static List<Base> bases() {
        List<Base> bases = new ArrayList<>();
        Map<String, String[]> tied = shapes("W", s("m", "n"), "x", s("n", "1"));
        bases.add(new Base("tiedAutoencoder", List.of("W"), List.of(m("W"), m("x")), List.of(
                "SimpleMatrix r = W.transpose().mult(W).mult(x).minus(x);",
                "return 0.5 * sumSquares(r);"),
                tied, List.of(with(tied, "x", s("m", "1")), shapes("W", s("3", "2"), "x", s("3", "1")),
                        with(tied, "x", s("k", "1")))));

        Map<String, String[]> mlp = shapes("W1", s("h", "d"), "b1", s("h", "1"), "W2", s("c", "h"), "b2", s("c", "1"),
                "X", s("d", "N"), "Y", s("c", "N"));
        bases.add(new Base("mlp", List.of("W1", "b1", "W2", "b2"),
                List.of(m("W1"), m("b1"), m("W2"), m("b2"), m("X"), m("Y")), List.of(
                "SimpleMatrix h = swish(addColumn(W1.mult(X), b1));",
                "return softmaxCrossEntropy(addColumn(W2.mult(h), b2), Y);"),
                mlp, List.of(with(mlp, "b1", s("d", "1")), with(mlp, "W2", s("c", "d")), with(mlp, "X", s("h", "N")))));

        Map<String, String[]> gplvm = shapes("X", s("N", "q"), "Y", s("N", "D"));
        bases.add(new Base("gplvm", List.of("X", "alpha", "beta"), List.of(m("X"), d("alpha"), d("beta"), m("Y")), List.of(
                "int n = X.numRows();",
                "double d = Y.numCols();",
                "SimpleMatrix K = X.mult(X.transpose()).scale(alpha).plus(SimpleMatrix.identity(n).divide(beta));",
                "return -d / 2 * logDet(K) - 0.5 * K.invert().mult(Y).mult(Y.transpose()).trace();"),
                gplvm, List.of(with(gplvm, "Y", s("D", "N")), with(gplvm, "X", s("q", "N")), with(gplvm, "Y", s("q", "D")))));

        Map<String, String[]> ridge = shapes("A", s("m", "n"), "b", s("n", "1"), "y", s("m", "1"));
        bases.add(new Base("ridge", null, List.of(m("A"), m("b"), m("y"), d("lambda")), List.of(
                "SimpleMatrix r = A.mult(b).minus(y);",
                "double fit = sumSquares(r);",
                "double reg = lambda * b.dot(b);",
                "return 0.5 * fit + reg;"),
                ridge, List.of(with(ridge, "y", s("n", "1")), with(ridge, "b", s("m", "1")), with(ridge, "A", s("n", "m")))));

        Map<String, String[]> logistic = shapes("w", s("d", "1"), "X", s("N", "d"), "y", s("N", "1"));
        bases.add(new Base("logistic", List.of("w"), List.of(m("w"), m("X"), m("y")), List.of(
                "SimpleMatrix z = X.mult(w);",
                "SimpleMatrix p = sigmoid(z);",
                "SimpleMatrix one = SimpleMatrix.ones(y.numRows(), 1);",
                "double ll = y.elementMult(p.elementLog()).elementSum() + one.minus(y).elementMult(one.minus(p).elementLog()).elementSum();",
                "return -ll / y.numRows();"),
                logistic, List.of(with(logistic, "w", s("N", "1")), with(logistic, "y", s("d", "1")),
                        with(logistic, "y", s("N", "2")))));

        Map<String, String[]> quadratic = shapes("A", s("m", "n"), "b", s("n", "1"));
        bases.add(new Base("quadratic", List.of("A"), List.of(m("A"), m("b"), i("k")), List.of(
                "SimpleMatrix S = A.transpose().mult(A).plus(SimpleMatrix.identity(k));",
                "SimpleMatrix x = S.solve(b);",
                "double q = b.transpose().mult(x).trace();",
                "return q + Math.log(S.determinant());"),
                quadratic, List.of(with(quadratic, "b", s("m", "1")), shapes("A", s("2", "3"), "b", s("2", "1")))));

        Map<String, String[]> softmax = shapes("W", s("c", "d"), "X", s("d", "N"), "Y", s("c", "N"));
        bases.add(new Base("softmaxRegression", List.of("W", "temperature"),
                List.of(m("W"), m("X"), m("Y"), d("temperature")), List.of(
                "SimpleMatrix Z = W.mult(X).divide(temperature);",
                "SimpleMatrix H = tanh(Z);",
                "double m = mean(H.elementMult(H));",
                "SimpleMatrix c = columnSums(Z);",
                "SimpleMatrix zc = addRow(Z, c.negative());",
                "double s = logSumExp(zc) + softmaxCrossEntropy(Z, Y);",
                "s += 0.1 * m;",
                "return s * Math.exp(-Math.pow(temperature, 2.0));"),
                softmax, List.of(with(softmax, "X", s("c", "N")), with(softmax, "W", s("d", "c")))));

        Map<String, String[]> normalized = shapes("A", s("n", "n"));
        bases.add(new Base("normalized", List.of("A"), List.of(m("A"), d("eps")), List.of(
                "double nrm = A.normF();",
                "SimpleMatrix B = A.scale(1.0 / (nrm + eps));",
                "SimpleMatrix C = softplus(B).plus(relu(B.negative().transpose()));",
                "double t = C.trace();",
                "return t * t + Math.sqrt(eps * eps + 1.0) + Math.PI;"),
                normalized, List.of(shapes("A", s("n", "m")), shapes("A", s("2", "3")))));

        Map<String, String[]> broadcast = shapes("X", s("a", "b"), "v", s("a", "1"));
        bases.add(new Base("broadcast", List.of("X", "v"), List.of(m("X"), m("v"), d("p")), List.of(
                "int r = X.numRows();",
                "int c = X.numCols();",
                "SimpleMatrix F = SimpleMatrix.filled(r, c, 0.5);",
                "SimpleMatrix G = addColumn(X.elementPower(p).plus(F), v);",
                "SimpleMatrix s = rowSums(G.elementDiv(F.plus(1.0)));",
                "double e = G.elementExp().elementSum() / (r * c);",
                "e -= Math.tanh(e);",
                "return s.normF() + e;"),
                broadcast, List.of(with(broadcast, "v", s("b", "1")), with(broadcast, "v", s("a", "2")))));
        return bases;
    }

    // ---- a method being mutated -----------------------------------------------------------------

    static final class P {
        String annotations = "";
        String type;
        String name;
        boolean marked;

        P(String type, String name) {
            this.type = type;
            this.name = name;
        }
    }

    static final class S {
        String text;
        boolean marked;

        S(String text, boolean marked) {
            this.text = text;
            this.marked = marked;
        }
    }

    static final Pattern DECLARATION = Pattern.compile("^(SimpleMatrix|double|int)\\s+(\\w+)\\s*=");

    static final class Method {
        final Base base;
        List<String> wrt;
        String name = null;
        String methodName = "loss";
        boolean annotationMarked;
        String modifiers = "static";
        String returnType = "double";
        boolean signatureMarked;
        final List<P> params = new ArrayList<>();
        final List<S> body = new ArrayList<>();
        final List<String> log = new ArrayList<>();
        int fresh;

        Method(Base base) {
            this.base = base;
            this.wrt = base.wrt() == null ? null : new ArrayList<>(base.wrt());
            for (Param p : base.params()) {
                params.add(new P(p.type(), p.name()));
            }
            for (String statement : base.body()) {
                body.add(new S(statement, false));
            }
        }

        String fresh() {
            return "z" + (++fresh);
        }

        int returnIndex() {
            return body.size() - 1;
        }

        String returned() {
            String r = body.get(returnIndex()).text;
            return r.substring("return ".length(), r.length() - 1);
        }

        void setReturn(String expression, boolean mark) {
            S r = body.get(returnIndex());
            r.text = "return " + expression + ";";
            r.marked |= mark;
        }

        void insert(int at, String statement, boolean mark) {
            body.add(at, new S(statement, mark));
        }

        List<String> params(String type) {
            return params.stream().filter(p -> p.type.equals(type)).map(p -> p.name).toList();
        }

        /** Names of the given type (parameters, then locals declared before statement {@code at}). */
        List<String> names(String type, int at) {
            List<String> names = new ArrayList<>(params(type));
            for (int k = 0; k < at; k++) {
                Matcher m = DECLARATION.matcher(body.get(k).text);
                if (m.find() && m.group(1).equals(type)) {
                    names.add(m.group(2));
                }
            }
            return names;
        }

        List<String> effectiveWrt() {
            if (wrt != null) {
                return wrt;
            }
            return params.stream().filter(p -> p.type.equals("SimpleMatrix") || p.type.equals("double"))
                    .map(p -> p.name).toList();
        }

        String render(String className) {
            StringBuilder sb = new StringBuilder();
            List<String> args = new ArrayList<>();
            if (wrt != null) {
                args.add("wrt = {" + String.join(", ", wrt.stream().map(w -> "\"" + w + "\"").toList()) + "}");
            }
            if (name != null) {
                args.add("name = \"" + name.replace("$CLASS", className) + "\"");
            }
            sb.append("    @Differentiable").append(args.isEmpty() ? "" : "(" + String.join(", ", args) + ")")
                    .append(annotationMarked ? " " + MARK : "").append('\n');
            sb.append("    ").append(modifiers.isEmpty() ? "" : modifiers + " ").append(returnType).append(' ').append(methodName).append('(')
                    .append(signatureMarked ? " " + MARK : "").append('\n');
            for (int k = 0; k < params.size(); k++) {
                P p = params.get(k);
                sb.append("            ").append(p.annotations.isEmpty() ? "" : p.annotations + " ")
                        .append(p.type).append(' ').append(p.name).append(k + 1 < params.size() ? "," : ") {")
                        .append(p.marked ? " " + MARK : "").append('\n');
            }
            for (S statement : body) {
                sb.append("        ").append(statement.text.replace("$CLASS", className))
                        .append(statement.marked ? " " + MARK : "").append('\n');
            }
            sb.append("    }\n");
            return sb.toString();
        }
    }

    /** The untouched method every mutant class also has (unless another base is chosen). */
    static final String SIMPLE_UNTOUCHED = """
                @Differentiable
                static double untouched(SimpleMatrix A, SimpleMatrix B) {
                    SimpleMatrix D = A.minus(B);
                    return 0.5 * sumSquares(D) + A.elementMult(B).elementSum();
                }
            """;

    /**
     * The whole mutant class: helpers a mutation may use, the mutated method, and one untouched valid
     * method, {@code untouched}: a simple one, or another base when {@code untouched} is not null.
     */
    static String classSource(String className, Method method, Base untouched) {
        String valid = SIMPLE_UNTOUCHED;
        if (untouched != null) {
            Method copy = new Method(untouched);
            copy.methodName = "untouched";
            valid = copy.render(className);
        }
        return """
                package fuzz;

                import static dev.adjoint.runtime.Ops.*;

                import dev.adjoint.Differentiable;
                import dev.adjoint.Shape;
                import dev.adjoint.runtime.Ops;
                import org.ejml.simple.SimpleMatrix;

                public class $CLASS {
                    static final double FIELD = 2.0;
                    static double scale = 3.0;

                    static double helper(SimpleMatrix A) {
                        return A.elementSum();
                    }

                    static SimpleMatrix twice(SimpleMatrix A) {
                        return A.scale(2.0);
                    }

                    /** Named like a DSL operation, but a user method. */
                    static SimpleMatrix transpose(SimpleMatrix A) {
                        return A.transpose();
                    }

                    // mutant begins
                """.replace("$CLASS", className)
                + method.render(className)
                + "    // mutant ends\n\n"
                + valid
                + "}\n";
    }

    // ---- mutations: each keeps the Java valid (else the mutant is discarded) and leaves the DSL ----

    static <T> T pick(Random rnd, List<T> options) {
        return options.get(rnd.nextInt(options.size()));
    }

    /** An insertion point: before any statement, never after the return. */
    static int point(Method m, Random rnd) {
        return rnd.nextInt(m.body.size());
    }

    static String matrix(Method m, int at, Random rnd) {
        return pick(rnd, m.names("SimpleMatrix", at));
    }

    static String scalar(Method m, int at, Random rnd) {
        List<String> doubles = m.names("double", at);
        if (!doubles.isEmpty() && rnd.nextBoolean()) {
            return pick(rnd, doubles);
        }
        return matrix(m, at, rnd) + ".elementSum()";
    }

    static String condition(Method m, int at, Random rnd) {
        return matrix(m, at, rnd) + ".numRows() " + pick(rnd, List.of("> 1", "< 0", "!= 2", "== 3"));
    }

    /** Inserts {@code statement} (with {@code $M}, {@code $D}, {@code $C}, {@code $Z} filled in) at a random point. */
    static boolean insertTemplate(Method m, Random rnd, List<String> templates) {
        int at = point(m, rnd);
        String template = pick(rnd, templates);
        String z = m.fresh();
        // $CLASS is filled in when the class is rendered; keep it out of the way of $C.
        String[] lines = template.replace("$CLASS", "\u0000").replace("$M", matrix(m, at, rnd))
                .replace("$D", scalar(m, at, rnd)).replace("$C", condition(m, at, rnd)).replace("$Z", z)
                .replace("$Y", m.fresh()).replace("$K", "Z" + m.fresh()).replace("\u0000", "$CLASS").split("\n");
        // A line starting with "!" is the one that leaves the DSL.
        for (int k = lines.length - 1; k >= 0; k--) {
            boolean marked = lines[k].startsWith("!");
            m.insert(at, marked ? lines[k].substring(1) : lines[k], marked);
        }
        return true;
    }

    /** A mutation: applies itself and returns true, or returns false when it does not apply to the method. */
    record Mutation(String name, BiPredicate<Method, Random> apply) {}

    /** Non-DSL replacements of DSL calls, with the same receiver and argument types (mostly). */
    static final Map<String, List<String>> CALL_REPLACEMENTS = new LinkedHashMap<>();

    static {
        // (elementMax/Min(Abs), get, copy, diag, extractVector, log1p, expm1 and hypot are DSL forms since issue 9.)
        CALL_REPLACEMENTS.put(".elementSum()", List.of(".conditionP2()", ".getReal(0, 0)", ".getImaginary(0, 0)"));
        CALL_REPLACEMENTS.put(".trace()", List.of(".conditionP2()", ".getReal(0, 0)"));
        CALL_REPLACEMENTS.put(".normF()", List.of(".conditionP2()"));
        CALL_REPLACEMENTS.put(".determinant()", List.of(".conditionP2()", ".getImaginary(0, 0)"));
        CALL_REPLACEMENTS.put(".transpose()", List.of(".transposeConjugate()", ".conjugate()", ".real()"));
        CALL_REPLACEMENTS.put(".negative()", List.of(".magnitude()", ".imaginary()"));
        CALL_REPLACEMENTS.put(".elementExp()", List.of(".magnitude()", ".conjugate()"));
        CALL_REPLACEMENTS.put(".elementLog()", List.of(".real()", ".imaginary()"));
        CALL_REPLACEMENTS.put(".invert()", List.of(".pseudoInverse()"));
        CALL_REPLACEMENTS.put(".numRows()", List.of(".getNumElements()", ".bits()"));
        CALL_REPLACEMENTS.put(".numCols()", List.of(".getNumElements()"));
        CALL_REPLACEMENTS.put("Math.log(", List.of("Math.log10("));
        CALL_REPLACEMENTS.put("Math.exp(", List.of("Math.cosh("));
        CALL_REPLACEMENTS.put("Math.sqrt(", List.of("Math.cbrt("));
        CALL_REPLACEMENTS.put("Math.pow(", List.of("Math.atan2(", "Math.IEEEremainder("));
        CALL_REPLACEMENTS.put("Math.tanh(", List.of("Math.sinh("));
        CALL_REPLACEMENTS.put("SimpleMatrix.ones(", List.of("SimpleMatrix.random("));
    }

    /** {@code A.op(B)} with a matrix argument, replaced by a non-DSL method taking a matrix. */
    static final Pattern MATRIX_BINARY = Pattern.compile("\\.(mult|plus|minus|elementMult|elementDiv|solve|dot)\\((\\w+)\\)");
    static final Pattern OPS_MATRIX = Pattern.compile("(?<![.\\w])(sigmoid|tanh|relu|swish|softplus)\\(");
    static final Pattern OPS_SCALAR = Pattern.compile("(?<![.\\w])(sumSquares|mean|logDet|logSumExp)\\(");
    static final Pattern IDENTITY = Pattern.compile("SimpleMatrix\\.identity\\((\\w+)\\)");

    static boolean replaceCall(Method m, Random rnd) {
        List<Integer> candidates = new ArrayList<>();
        for (int k = 0; k < m.body.size(); k++) {
            candidates.add(k);
        }
        java.util.Collections.shuffle(candidates, rnd);
        for (int k : candidates) {
            S statement = m.body.get(k);
            List<String> options = new ArrayList<>();
            String text = statement.text;
            for (Map.Entry<String, List<String>> e : CALL_REPLACEMENTS.entrySet()) {
                int at = text.indexOf(e.getKey());
                if (at >= 0) {
                    for (String replacement : e.getValue()) {
                        options.add(text.substring(0, at) + replacement + text.substring(at + e.getKey().length()));
                    }
                }
            }
            Matcher binary = MATRIX_BINARY.matcher(text);
            if (binary.find()) {
                // (kron, elementPower(B), concatColumns and concatRows are DSL forms since issue 9.)
                for (String replacement : List.of("combine(0, 0, ", "combine(1, 1, ")) {
                    options.add(text.substring(0, binary.start()) + "." + replacement + binary.group(2) + ")"
                            + text.substring(binary.end()));
                }
            }
            Matcher ops = OPS_MATRIX.matcher(text);
            if (ops.find()) {
                for (String replacement : List.of("twice(", "transpose(", "$CLASS.twice(")) {
                    options.add(text.substring(0, ops.start()) + replacement + text.substring(ops.end()));
                }
            }
            Matcher reductions = OPS_SCALAR.matcher(text);
            if (reductions.find()) {
                options.add(text.substring(0, reductions.start()) + "helper(" + text.substring(reductions.end()));
            }
            Matcher identity = IDENTITY.matcher(text);
            if (identity.find()) {
                options.add(text.substring(0, identity.start()) + "SimpleMatrix.identity(" + identity.group(1)
                        + ", org.ejml.data.DMatrixRMaj.class)" + text.substring(identity.end()));
                options.add(text.substring(0, identity.start()) + "SimpleMatrix.diag(1.0, 2.0)" + text.substring(identity.end()));
            }
            if (!options.isEmpty()) {
                statement.text = pick(rnd, options);
                statement.marked = true;
                return true;
            }
        }
        return false;
    }

    static boolean wrapStatement(Method m, Random rnd) {
        int k = rnd.nextInt(m.body.size());
        S statement = m.body.get(k);
        String text = statement.text;
        int at = k;
        String c = condition(m, at, rnd);
        if (k == m.returnIndex()) {
            // Each can complete normally, so the return after it stays reachable.
            String z = m.fresh();
            String wrapped = pick(rnd, List.of(
                    "if (" + c + ") { " + text + " }",
                    "if (" + c + ") " + text,
                    "for (int " + z + " = 0; " + z + " < " + matrix(m, at, rnd) + ".numRows(); " + z + "++) { " + text + " }",
                    "while (" + c + ") { " + text + " }"));
            m.insert(k, wrapped, true);
            return true;
        }
        Matcher decl = DECLARATION.matcher(text);
        String z = m.fresh();
        if (decl.find()) {
            String type = decl.group(1);
            String name = decl.group(2);
            String assign = name + " =" + text.substring(decl.end());
            statement.text = pick(rnd, List.of(
                    type + " " + name + "; do { " + assign + " } while (" + c + ");",
                    type + " " + name + "; try { " + assign + " } catch (RuntimeException " + z + ") { throw " + z + "; }",
                    type + " " + name + "; try { " + assign + " } finally { }",
                    type + " " + name + "; synchronized (String.class) { " + assign + " }",
                    type + " " + name + "; " + z + ": { " + assign + " }",
                    type + " " + name + "; switch (" + matrix(m, at, rnd) + ".numRows()) { default -> { " + assign + " } }"));
        } else {
            // Loops, if/else and blocks are DSL statements now: only what stays outside the DSL.
            statement.text = pick(rnd, List.of(
                    "do { " + text + " } while (" + c + ");",
                    "try { " + text + " } catch (RuntimeException " + z + ") { throw " + z + "; }",
                    "synchronized (String.class) { " + text + " }"));
        }
        statement.marked = true;
        return true;
    }

    /** ?: is a DSL form now: only conditions and operands outside the DSL. */
    static boolean ternary(Method m, Random rnd) {
        return insertTemplate(m, rnd, List.of(
                "!double $Z = $M == $M ? $D : -1.0;",
                "!SimpleMatrix $Z = $D > 0 ? $M : null;",
                "!int $Z = $C ? 1L : 2;"));
    }

    static boolean helperCall(Method m, Random rnd) {
        if (rnd.nextInt(3) == 0) {
            int at = m.returnIndex();
            m.setReturn(m.returned() + " + " + pick(rnd, List.of("helper(", "$CLASS.helper(")) + matrix(m, at, rnd) + ")", true);
            return true;
        }
        return insertTemplate(m, rnd, List.of(
                "!double $Z = helper($M);",
                "!double $Z = 2.0 * $CLASS.helper($M);",
                "!SimpleMatrix $Z = twice($M);",
                "!SimpleMatrix $Z = transpose($M);",
                "!SimpleMatrix $Z = $M.plus(twice($M));"));
    }

    static boolean assignParameter(Method m, Random rnd) {
        P p = pick(rnd, m.params);
        String statement = switch (p.type) {
            case "SimpleMatrix" -> pick(rnd, List.of(p.name + " = " + p.name + ".scale(2.0);", p.name + " = " + p.name + ".transpose().transpose();"));
            case "double" -> pick(rnd, List.of(p.name + " = " + p.name + " * 2.0;", p.name + " += 1.0;", p.name + " = 0.5;"));
            default -> pick(rnd, List.of(p.name + " = " + p.name + " + 1;", p.name + " *= 2;"));
        };
        m.insert(point(m, rnd), statement, true);
        return true;
    }

    static boolean fieldRead(Method m, Random rnd) {
        if (rnd.nextInt(4) == 0) {
            m.setReturn("(" + m.returned() + ") * " + pick(rnd, List.of("FIELD", "scale", "$CLASS.FIELD")), true);
            return true;
        }
        return insertTemplate(m, rnd, List.of(
                "!double $Z = FIELD * 2.0;",
                "!double $Z = scale;",
                "!double $Z = $CLASS.FIELD;",
                "!double $Z = Double.MAX_VALUE;",
                "!int $Z = Integer.MAX_VALUE;",
                "!int $Z = Ops.END;",
                "!SimpleMatrix $Z = $M.plus(FIELD);"));
    }

    static boolean nonDslMath(Method m, Random rnd) {
        if (rnd.nextInt(3) == 0) {
            m.setReturn(pick(rnd, List.of("Math.rint(", "Math.signum(", "Math.floor(")) + m.returned() + ")", true);
            return true;
        }
        return insertTemplate(m, rnd, List.of(
                "!double $Z = Math.atan($D);",
                "!double $Z = Math.cbrt($D);",
                "!double $Z = Math.floor($D) * 2.0;",
                "!double $Z = Math.asin($D);",
                "!double $Z = Math.atan2($D, 1.0);",
                "!SimpleMatrix $Z = $M.scale(Math.signum($D));"));
    }

    static boolean modulo(Method m, Random rnd) {
        if (rnd.nextInt(3) == 0) {
            m.setReturn("(" + m.returned() + ") % 3.0", true);
            return true;
        }
        return insertTemplate(m, rnd, List.of(
                "!double $Z = $D % 2.0;",
                "!int $Z = $M.numRows() % 2;",
                "!SimpleMatrix $Z = $M.scale($D % 1.5);"));
    }

    static boolean floatOrLongLiteral(Method m, Random rnd) {
        if (rnd.nextInt(3) == 0) {
            m.setReturn("(" + m.returned() + ") * 1.0f", true);
            return true;
        }
        return insertTemplate(m, rnd, List.of(
                "!double $Z = $D * 2.0f;",
                "!double $Z = $D + 1L;",
                "!SimpleMatrix $Z = $M.scale(0.5f);",
                "!double $Z = 3.0f;"));
    }

    static boolean narrowingCast(Method m, Random rnd) {
        return insertTemplate(m, rnd, List.of(
                "!int $Z = (int) $D;",
                "!double $Z = (int) $D;",
                "!double $Z = (float) $D;",
                "!double $Z = (long) $M.numRows();",
                "!SimpleMatrix $Z = $M.scale((int) $D);"));
    }

    static boolean newObject(Method m, Random rnd) {
        return insertTemplate(m, rnd, List.of(
                "!SimpleMatrix $Z = new SimpleMatrix(2, 2);",
                "!SimpleMatrix $Z = new SimpleMatrix($M);",
                "!SimpleMatrix $Z = $M.plus(new SimpleMatrix($M.numRows(), $M.numCols()));",
                "!double[] $Z = new double[3];",
                "!double $Z = new double[] {1.0, 2.0}[0];"));
    }

    static boolean lambda(Method m, Random rnd) {
        return insertTemplate(m, rnd, List.of(
                "!java.util.function.DoubleUnaryOperator $Z = v -> v * v;",
                "!java.util.function.DoubleUnaryOperator $Z = Math::abs;",
                "!java.util.function.Supplier<SimpleMatrix> $Z = () -> $M;",
                "!Runnable $Z = () -> { };",
                "!double $Z = ((java.util.function.DoubleUnaryOperator) v -> v + 1.0).applyAsDouble(2.0);"));
    }

    static boolean incrementDecrement(Method m, Random rnd) {
        return insertTemplate(m, rnd, List.of(
                // As statements (i++;) they are DSL forms now: only inside expressions.
                "int $Z = $M.numRows();\n!int $Y = $Z++ + 1;",
                "double $Z = $D;\n!double $Y = 2 * --$Z;",
                "int $Z = $M.numCols();\n!int $Y = $Z--;",
                "double $Z = 1.0;\n!double $Y = ++$Z * $D;"));
    }

    static boolean discardedCall(Method m, Random rnd) {
        return insertTemplate(m, rnd, List.of(
                "!$M.transpose();",
                "!sumSquares($M);",
                "!helper($M);",
                "!$M.elementSum();",
                "!Math.exp(1.0);",
                "!$M.numRows();"));
    }

    /** An elementPower exponent that depends on a wrt parameter (adding one, or putting one into wrt). */
    static boolean elementPowerOfWrt(Method m, Random rnd) {
        // Variant 1: the method already raises to a double parameter that is not wrt: make it wrt.
        for (String p : m.params("double")) {
            if (!m.effectiveWrt().contains(p) && m.body.stream().anyMatch(st -> st.text.contains(".elementPower(" + p + ")"))
                    && rnd.nextBoolean()) {
                m.wrt.add(p);
                for (S st : m.body) {
                    st.marked |= st.text.contains(".elementPower(" + p + ")");
                }
                return true;
            }
        }
        // Variant 2: raise a matrix to a power that depends on a wrt double or matrix.
        List<String> wrtDoubles = new ArrayList<>(m.params("double").stream().filter(m.effectiveWrt()::contains).toList());
        List<String> wrtMatrices = m.params("SimpleMatrix").stream().filter(m.effectiveWrt()::contains).toList();
        String exponent;
        if (!wrtDoubles.isEmpty() && rnd.nextInt(3) > 0) {
            exponent = pick(rnd, List.of("$P", "2.0 * $P + 1.0", "Math.exp($P)")).replace("$P", pick(rnd, wrtDoubles));
        } else if (!wrtMatrices.isEmpty() && rnd.nextBoolean()) {
            exponent = pick(rnd, wrtMatrices) + ".elementSum()";
        } else {
            String p = m.fresh();
            m.params.add(new P("double", p));
            if (m.wrt != null) {
                m.wrt.add(p);
            }
            exponent = p;
        }
        int at = point(m, rnd);
        String z = m.fresh();
        m.insert(at, "SimpleMatrix " + z + " = " + matrix(m, at, rnd) + ".elementPower(" + exponent + ");", true);
        m.setReturn(m.returned() + " + " + z + ".elementSum()", false);
        return true;
    }

    static boolean contradictingShapes(Method m, Random rnd) {
        if (m.params.stream().anyMatch(p -> !p.annotations.isEmpty())) {
            return false;
        }
        Map<String, String[]> shapes = pick(rnd, m.base.contradictions());
        for (P p : m.params) {
            String[] shape = shapes.get(p.name);
            if (shape != null) {
                p.annotations = "@Shape({\"" + shape[0] + "\", \"" + shape[1] + "\"})";
            }
        }
        return true;
    }

    static boolean misusedShape(Method m, Random rnd) {
        List<P> scalars = m.params.stream().filter(p -> !p.type.equals("SimpleMatrix") && p.annotations.isEmpty()).toList();
        List<P> matrices = m.params.stream().filter(p -> p.type.equals("SimpleMatrix") && p.annotations.isEmpty()).toList();
        if (!scalars.isEmpty() && rnd.nextInt(3) == 0) {
            P p = pick(rnd, scalars);
            p.annotations = "@Shape({\"1\", \"1\"})";
            p.marked = true;
            return true;
        }
        if (matrices.isEmpty()) {
            return false;
        }
        P p = pick(rnd, matrices);
        p.annotations = pick(rnd, List.of("@Shape({\"n\"})", "@Shape({\"n\", \"1\", \"1\"})", "@Shape({\"n\", \"-1\"})",
                "@Shape({\"n\", \"2x\"})", "@Shape({\"n\", \"\"})", "@Shape({})", "@Shape({\"n\", \"n m\"})",
                "@Shape({\"n\", \"99999999999\"})", "@Shape({\"2147483648\", \"1\"})"));
        p.marked = true;
        return true;
    }

    static boolean otherStatement(Method m, Random rnd) {
        return insertTemplate(m, rnd, List.of(
                "!if ($C) throw new IllegalArgumentException(\"no\");",
                "!assert $C;",
                "!class $K { }",
                "!record $K(double v) { }",
                "!String $Z = \"text\";",
                "!Object $Z = $M;",
                "!long $Z = $M.numRows();",
                "!float $Z = 1.5f;",
                "!Double $Z = $D;",
                "!double[] $Z = {1.0, 2.0};",
                "double $Z = $D;\n!$Z %= 2.0;",
                "!double $Z = switch ($M.numRows()) { case 1 -> 1.0; default -> 2.0; };",
                "!int $Z = $M.numRows() << 1;",
                "!int $Z = $M.numRows() & 1;",
                "!int $Z = ~$M.numRows();",
                "!double $Z = (\"\" + $D).length();",
                "!double $Z = java.util.Objects.requireNonNull($M).elementSum();",
                "!double $Z = $M.getDDRM().get(0, 0);",
                "!double $Z = 'a';",
                "!SimpleMatrix $Z = null;",
                "!double $Z = Double.valueOf($D);",
                "double $Z;\n!double $Y = ($Z = 2.0) * $D;",
                "!if (((Object) $M) instanceof SimpleMatrix $Y) { $Y = $Y.scale(1.0); }",
                "!Object $Z = new Object() { };",
                "!SimpleMatrix $Z = (SimpleMatrix) $M;",
                "!SimpleMatrix $Z = (SimpleMatrix) $M.transpose();"));
    }

    /** {@code var} locals whose inferred type is not a DSL type. */
    static boolean varOfAnotherType(Method m, Random rnd) {
        return insertTemplate(m, rnd, List.of(
                "!var $Z = $M.svd();",
                "!var $Z = new SimpleMatrix(2, 2);",
                "!var $Z = $M.getDDRM();",
                "!var $Z = 1.5f;",
                "!var $Z = 2L;",
                "!var $Z = \"text\";",
                "!var $Z = $M.numRows() > 1;",
                "!var $Z = $M.isVector();"));
    }

    static boolean signature(Method m, Random rnd) {
        switch (rnd.nextInt(9)) {
            case 0 -> {
                m.modifiers = "";
                m.signatureMarked = true;
            }
            case 1 -> {
                m.returnType = "float";
                m.setReturn("(float) (" + m.returned() + ")", false);
                m.signatureMarked = true;
            }
            case 2 -> {
                m.returnType = "Double";
                m.signatureMarked = true;
            }
            case 3 -> {
                P p = new P(pick(rnd, List.of("float[]", "double[]", "org.ejml.data.DMatrixRMaj", "Double", "long",
                        "java.util.List<SimpleMatrix>", "float", "SimpleMatrix...")), m.fresh());
                p.marked = true;
                m.params.add(p);
            }
            case 4 -> {
                if (m.wrt == null) {
                    m.wrt = new ArrayList<>(m.effectiveWrt());
                }
                m.wrt.add(pick(rnd, List.of("nope", "w0", "loss", "")));
                m.annotationMarked = true;
            }
            case 5 -> {
                List<String> ints = m.params("int");
                String p;
                if (ints.isEmpty()) {
                    p = m.fresh();
                    m.params.add(new P("int", p));
                } else {
                    p = pick(rnd, ints);
                }
                if (m.wrt == null) {
                    m.wrt = new ArrayList<>(m.effectiveWrt());
                }
                m.wrt.add(p);
                m.annotationMarked = true;
            }
            case 6 -> {
                if (m.wrt == null) {
                    m.wrt = new ArrayList<>(m.effectiveWrt());
                }
                m.wrt.add(m.wrt.get(0));
                m.annotationMarked = true;
            }
            case 7 -> {
                m.name = pick(rnd, List.of("1bad", "has space", "class", "a-b", "$CLASS"));
                m.annotationMarked = true;
            }
            default -> {
                if (m.wrt == null) {
                    m.wrt = new ArrayList<>(m.effectiveWrt());
                }
                m.wrt.removeIf(w -> true);
                m.wrt.add("W0");
                m.annotationMarked = true;
            }
        }
        return true;
    }

    static final List<Mutation> MUTATIONS = List.of(
            new Mutation("replace a DSL call by a non-DSL call", FuzzTest::replaceCall),
            new Mutation("wrap a statement in if/for/while/do/try/switch/synchronized/block/label", FuzzTest::wrapStatement),
            new Mutation("ternary", FuzzTest::ternary),
            new Mutation("call a helper method of the class", FuzzTest::helperCall),
            new Mutation("assign to a parameter", FuzzTest::assignParameter),
            new Mutation("read a field", FuzzTest::fieldRead),
            new Mutation("non-DSL Math function", FuzzTest::nonDslMath),
            new Mutation("% operator", FuzzTest::modulo),
            new Mutation("float or long literal", FuzzTest::floatOrLongLiteral),
            new Mutation("narrowing cast", FuzzTest::narrowingCast),
            new Mutation("new object or array", FuzzTest::newObject),
            new Mutation("lambda or method reference", FuzzTest::lambda),
            new Mutation("++ or --", FuzzTest::incrementDecrement),
            new Mutation("discarded call statement", FuzzTest::discardedCall),
            new Mutation("elementPower exponent depends on wrt", FuzzTest::elementPowerOfWrt),
            new Mutation("@Shape declarations that contradict the body", FuzzTest::contradictingShapes),
            new Mutation("misused @Shape", FuzzTest::misusedShape),
            new Mutation("other non-DSL statement or expression", FuzzTest::otherStatement),
            new Mutation("var local of a non-DSL type", FuzzTest::varOfAnotherType),
            new Mutation("invalid signature or annotation", FuzzTest::signature));

    /** A mutated method: one or two mutations of a random base. */
    static Method mutate(Random rnd) {
        while (true) {
            Method m = new Method(pick(rnd, BASES));
            int count = rnd.nextInt(100) < 70 ? 1 : 2;
            int applied = 0;
            for (int attempt = 0; attempt < 10 && applied < count; attempt++) {
                Mutation mutation = pick(rnd, MUTATIONS);
                if (mutation.apply().test(m, rnd)) {
                    m.log.add(mutation.name());
                    applied++;
                }
            }
            if (applied > 0) {
                return m;
            }
        }
    }

    // ---- checking -------------------------------------------------------------------------------

    /** One mutant class: its name, source, the lines of its mutated method, and the lines expected to carry an error. */
    record Mutant(String className, String source, Method method, long firstLine, long lastLine, List<Long> marked) {
        static Mutant of(String className, Method method) {
            return of(className, method, null);
        }

        static Mutant of(String className, Method method, Base untouched) {
            String source = classSource(className, method, untouched);
            long first = Compilation.lineOf(source, "// mutant begins") + 1;
            long last = Compilation.lineOf(source, "// mutant ends") - 1;
            return new Mutant(className, source, method, first, last, Compilation.linesOf(source, MARK));
        }

        String file() {
            return className + ".java";
        }

        String describe() {
            return className + " (" + method.base.name() + ": " + String.join(" + ", method.log) + ")\n" + numbered(source);
        }
    }

    static String fileOf(Diagnostic<? extends JavaFileObject> d) {
        return d.getSource() == null ? null : new File(d.getSource().getName()).getName();
    }

    /** Mutants whose source is valid Java, confirmed by a clean compilation of all of them without the processor. */
    static List<Mutant> validJava(List<Mutant> candidates) {
        List<Mutant> valid = new ArrayList<>(candidates);
        while (!valid.isEmpty()) {
            Compilation.Result r = Compilation.run(false, withNoLimits("-proc:none"), sources(valid));
            if (r.errors().isEmpty()) {
                return valid;
            }
            List<String> bad = r.errors().stream().map(FuzzTest::fileOf).toList();
            if (bad.contains(null)) {
                throw new AssertionError("javac error without a file while checking mutants:\n" + r.describe());
            }
            valid.removeIf(mutant -> bad.contains(mutant.file()));
        }
        return valid;
    }

    static List<String> withNoLimits(String... options) {
        List<String> all = new ArrayList<>(List.of(options));
        all.addAll(NO_LIMITS);
        return all;
    }

    static String[] sources(List<Mutant> mutants) {
        return mutants.stream().map(Mutant::source).toArray(String[]::new);
    }

    static final List<String> CRASH_WORDS = List.of("internal error", "Exception", "threw");

    /** Processes a batch; on a processor crash, finds the mutant that crashes on its own. */
    static Compilation.Result process(List<Mutant> batch, List<Failure> failures) {
        try {
            return Compilation.run(true, NO_LIMITS, sources(batch));
        } catch (RuntimeException | AssertionError e) {
            for (Mutant mutant : batch) {
                try {
                    Compilation.run(true, NO_LIMITS, mutant.source());
                } catch (RuntimeException | AssertionError crash) {
                    failures.add(new Failure("processor crash", mutant, crash.toString()));
                    return null;
                }
            }
            failures.add(new Failure("batch crash", null, e + " but no mutant crashes on its own: "
                    + batch.stream().map(Mutant::className).toList()));
            return null;
        }
    }

    static void check(List<Mutant> batch, List<Failure> failures) {
        Compilation.Result r = process(batch, failures);
        if (r == null) {
            return;
        }
        Map<String, Mutant> byFile = new TreeMap<>();
        for (Mutant mutant : batch) {
            byFile.put(mutant.file(), mutant);
        }
        dump(batch, r);
        Map<String, List<Diagnostic<? extends JavaFileObject>>> errorsByFile = new TreeMap<>();
        for (Diagnostic<? extends JavaFileObject> d : r.diagnostics) {
            String message = d.getMessage(Locale.ROOT);
            for (String word : CRASH_WORDS) {
                if (message.contains(word)) {
                    Mutant mutant = byFile.get(fileOf(d));
                    failures.add(new Failure("diagnostic looks like a processor crash ('" + word + "')", mutant,
                            Compilation.format(d)));
                }
            }
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            Mutant mutant = byFile.get(fileOf(d));
            if (mutant == null) {
                failures.add(new Failure("error outside every mutant's source", null, Compilation.format(d)));
                continue;
            }
            errorsByFile.computeIfAbsent(mutant.file(), f -> new ArrayList<>()).add(d);
            if (!CODED.matcher(d.getMessage(Locale.ROOT)).lookingAt()) {
                // Mutants are valid Java, so every error is Adjoint's, and each carries its code.
                failures.add(new Failure("error without an [ADJnnn] code", mutant, Compilation.format(d)));
            }
            if (d.getLineNumber() < mutant.firstLine() || d.getLineNumber() > mutant.lastLine()) {
                failures.add(new Failure("error outside the mutated method", mutant, "method is lines " + mutant.firstLine()
                        + "-" + mutant.lastLine() + ": " + Compilation.format(d)));
            }
        }
        for (Mutant mutant : batch) {
            List<Diagnostic<? extends JavaFileObject>> errors = errorsByFile.getOrDefault(mutant.file(), List.of());
            if (errors.isEmpty()) {
                failures.add(new Failure("no error at all", mutant, describe(r, mutant)));
                continue;
            }
            if (!mutant.marked().isEmpty() && errors.stream().noneMatch(d -> mutant.marked().contains(d.getLineNumber()))) {
                failures.add(new Failure("no error on a mutated line", mutant, "mutated lines " + mutant.marked() + "\n"
                        + describe(r, mutant)));
            }
            String prefix = PACKAGE + "/" + mutant.className() + "_";
            List<String> generated = r.generated.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
            if (!generated.equals(List.of(prefix + "Untouched.java"))) {
                failures.add(new Failure("wrong generated classes", mutant, "expected exactly " + prefix
                        + "Untouched.java, got " + generated + "\n" + describe(r, mutant)));
            }
        }
        // What was generated compiles (with the mutants, which are valid Java).
        List<String> all = new ArrayList<>(List.of(sources(batch)));
        all.addAll(r.generated.values());
        Compilation.Result compiled = Compilation.run(false, withNoLimits("-proc:none"), all.toArray(String[]::new));
        if (!compiled.errors().isEmpty()) {
            failures.add(new Failure("generated sources do not compile", null, compiled.describe()));
        }
    }

    /** With {@code -Dadjoint.fuzz.dump=DIR}, writes every mutant and its diagnostics to DIR, for a human to read. */
    static void dump(List<Mutant> batch, Compilation.Result r) {
        String dir = System.getProperty("adjoint.fuzz.dump");
        if (dir == null || dir.isBlank()) {
            return;
        }
        try {
            java.nio.file.Path root = java.nio.file.Files.createDirectories(java.nio.file.Path.of(dir));
            for (Mutant mutant : batch) {
                java.nio.file.Files.writeString(root.resolve(mutant.className() + ".txt"),
                        mutant.describe() + "\n" + describe(r, mutant));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A problem found: what kind, in which mutant (null if not one), and the evidence. */
    record Failure(String kind, Mutant mutant, String detail) {
        String group() {
            return kind + (mutant == null ? "" : " [" + String.join(" + ", mutant.method().log) + "]");
        }

        String describe() {
            return kind + ": " + detail + (mutant == null ? "" : "\n" + mutant.describe());
        }
    }

    /** All failures grouped (kind and mutations), with one full example per group. */
    static String report(List<Failure> failures, int mutants) {
        Map<String, List<Failure>> groups = new TreeMap<>();
        for (Failure f : failures) {
            groups.computeIfAbsent(f.group(), g -> new ArrayList<>()).add(f);
        }
        StringBuilder sb = new StringBuilder(failures.size() + " problem(s) in " + mutants + " mutants (seed " + SEED + "):\n");
        groups.forEach((group, list) -> sb.append("  ").append(list.size()).append(" × ").append(group).append(": ")
                .append(list.stream().map(f -> f.mutant() == null ? "-" : f.mutant().className()).distinct().toList()).append('\n'));
        sb.append("\nOne example per group:\n");
        groups.values().stream().limit(15).forEach(list -> sb.append("\n").append(list.get(0).describe()).append("-----\n"));
        return sb.toString();
    }

    static String describe(Compilation.Result r, Mutant mutant) {
        StringBuilder sb = new StringBuilder("diagnostics in ").append(mutant.file()).append(":\n");
        for (Diagnostic<? extends JavaFileObject> d : r.diagnostics) {
            if (mutant.file().equals(fileOf(d))) {
                sb.append("  ").append(Compilation.format(d)).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void mutatedDslMethodsAlwaysGetAnErrorAndNeverACrash() {
        Random rnd = new Random(SEED);
        List<Failure> failures = new ArrayList<>();
        Map<String, Integer> mutationCounts = new TreeMap<>();
        int valid = 0;
        int discarded = 0;
        int serial = 0;
        while (valid < MUTANTS) {
            List<Mutant> candidates = new ArrayList<>();
            int wanted = Math.min(BATCH, MUTANTS - valid);
            // Over-generate a little: some mutants are not valid Java and are discarded.
            for (int k = 0; k < wanted + wanted / 4 + 1; k++) {
                Method mutated = mutate(rnd);
                Base untouched = rnd.nextInt(3) == 0 ? pick(rnd, BASES) : null;
                candidates.add(Mutant.of(String.format(Locale.ROOT, "Mutant%03d", serial++), mutated, untouched));
            }
            List<Mutant> batch = validJava(candidates);
            discarded += candidates.size() - batch.size();
            if (batch.size() > wanted) {
                batch = batch.subList(0, wanted);
            }
            for (Mutant mutant : batch) {
                for (String name : mutant.method().log) {
                    mutationCounts.merge(name, 1, Integer::sum);
                }
            }
            check(batch, failures);
            valid += batch.size();
        }
        System.out.printf(Locale.ROOT, "FuzzTest: seed %d, %d valid mutants (%d discarded as invalid Java), mutations %s%n",
                SEED, valid, discarded, mutationCounts);
        assertTrue(valid >= 200, "only " + valid + " valid mutants");
        for (Mutation mutation : MUTATIONS) {
            assertTrue(mutationCounts.getOrDefault(mutation.name(), 0) >= 3,
                    () -> "mutation '" + mutation.name() + "' was applied fewer than 3 times: " + mutationCounts);
        }
        if (!failures.isEmpty()) {
            fail(report(failures, valid));
        }
    }

    /**
     * Control: every base, unmutated, is valid DSL (no diagnostics at all, both classes generated and
     * compiling), also with its consistent {@code @Shape}s; so the errors above come from the mutations.
     */
    @Test
    void basesAreValidDslAlsoWithTheirConsistentShapes() {
        List<String> sources = new ArrayList<>();
        int k = 0;
        for (Base base : BASES) {
            sources.add(classSource("Base" + k++, new Method(base), null));
            Method shaped = new Method(base);
            for (P p : shaped.params) {
                String[] shape = base.consistentShapes().get(p.name);
                if (shape != null) {
                    p.annotations = "@Shape({\"" + shape[0] + "\", \"" + shape[1] + "\"})";
                }
            }
            sources.add(classSource("Base" + k++, shaped, base));
        }
        Compilation.Result r = Compilation.run(false, Compilation.LINT, sources.toArray(String[]::new));
        assertTrue(r.success, r::describe);
        assertTrue(r.errors().isEmpty(), r::describe);
        // Nothing from Adjoint but its numerical lint (the SPEC's GP-LVM multiplies by K.invert(), ADJ503; a
        // base takes Math.log(S.determinant()), ADJ502); javac's own deprecation warnings (EJML 0.44
        // deprecates numRows()) aside.
        assertTrue(r.diagnostics.stream().allMatch(d -> Compilation.inGeneratedSource(d)
                || d.getKind() == Diagnostic.Kind.MANDATORY_WARNING && d.getMessage(Locale.ROOT).contains("deprecated")
                || d.getKind() == Diagnostic.Kind.WARNING && d.getMessage(Locale.ROOT).matches("(?s)\\[ADJ50[2-7]] .*")),
                r::describe);
        assertEquals(2 * sources.size(), r.generated.size(), r::describe);
    }

    /** Control: each contradiction list entry really contradicts (checked by the fuzz test too, but one by one here). */
    @Test
    void everyContradictionOfEveryBaseIsAnError() {
        List<Mutant> mutants = new ArrayList<>();
        int k = 0;
        for (Base base : BASES) {
            for (Map<String, String[]> shapes : base.contradictions()) {
                Method m = new Method(base);
                for (P p : m.params) {
                    String[] shape = shapes.get(p.name);
                    if (shape != null) {
                        p.annotations = "@Shape({\"" + shape[0] + "\", \"" + shape[1] + "\"})";
                    }
                }
                m.log.add("contradiction " + java.util.Arrays.deepToString(shapes.values().toArray()));
                mutants.add(Mutant.of("Contradiction" + k++, m));
            }
        }
        assertEquals(mutants.size(), validJava(mutants).size(), "every contradiction is valid Java");
        List<Failure> failures = new ArrayList<>();
        check(mutants, failures);
        assertTrue(failures.isEmpty(), () -> report(failures, mutants.size()));
    }

    // ---- what the fuzzer found, as plain regression tests -------------------------------------

    static String snippet(String classBody) {
        return CompileErrorsTest.snippet(classBody);
    }

    /** {@code var} with a non-DSL inferred type: the error must be on the declaration's line, not position-less. */
    @Test
    void varLocalOfANonDslTypeIsReportedOnItsLine() {
        String source = snippet("""
                @Differentiable
                static double f(SimpleMatrix A) {
                    var parts = A.svd(); // <<
                    return A.elementSum();
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        CompileErrorsTest.assertNoInternalError(r);
        assertEquals(1, r.errors().size(), r::describe);
        assertEquals(Compilation.lineOf(source, MARK), r.errors().get(0).getLineNumber(), () -> numbered(source) + r.describe());
    }

    /**
     * All errors of a method in one compilation (issue #3): a {@code wrt} naming no parameter does not
     * hide an independent error in the body.
     */
    @Test
    void annotationAndBodyErrorsOfOneMethodAreBothReported() {
        String source = snippet("""
                @Differentiable(wrt = "Q") // <<
                static double f(SimpleMatrix A) {
                    return A.elementSum() * Consts.FIELD; // <<
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        CompileErrorsTest.assertNoInternalError(r);
        List<Long> lines = r.errors().stream().map(Diagnostic::getLineNumber).sorted().toList();
        assertEquals(Compilation.linesOf(source, MARK), lines, () -> numbered(source) + r.describe());
    }

    /**
     * A local declared without a value: one error, which suggests the local's own type, and (the
     * parser's rule for rejected locals) no second error where it is assigned.
     */
    @Test
    void localDeclaredWithoutAValueCompilesAndAReadWhereItMayBeUnsetIsOneError() {
        Compilation.Result ok = Compilation.processOnly(snippet("""
                @Differentiable
                static double f(SimpleMatrix A) {
                    double z;
                    z = 2.0;
                    return z * A.elementSum();
                }
                """));
        CompileErrorsTest.assertNoInternalError(ok);
        assertEquals(0, ok.errors().size(), ok::describe);
        String source = snippet("""
                @Differentiable
                static double f(SimpleMatrix A) {
                    double z;
                    if (A.elementSum() > 0) {
                        z = 2.0;
                    }
                    return z * A.elementSum(); // <<
                }
                """);
        Compilation.Result r = Compilation.processOnly(source);
        CompileErrorsTest.assertNoInternalError(r);
        assertEquals(1, r.errors().size(), () -> numbered(source) + r.describe());
        Diagnostic<? extends JavaFileObject> d = r.errors().get(0);
        assertEquals(Compilation.lineOf(source, MARK), d.getLineNumber(), () -> numbered(source) + r.describe());
        assertTrue(d.getMessage(Locale.ROOT).startsWith("[ADJ341]"), d::toString);

    }
}
