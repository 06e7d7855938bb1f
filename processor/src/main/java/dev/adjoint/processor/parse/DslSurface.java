package dev.adjoint.processor.parse;

import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Blocks;
import dev.adjoint.processor.ops.Broadcasting;
import dev.adjoint.processor.ops.Entrywise;
import dev.adjoint.processor.ops.IntOps;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.ops.LinearAlgebra;
import dev.adjoint.processor.ops.MatrixAlgebra;
import dev.adjoint.processor.ops.Reductions;
import dev.adjoint.processor.ops.ScalarOps;
import dev.adjoint.processor.ops.Selection;
import dev.adjoint.processor.parse.OpRegistry.Calls;
import dev.adjoint.processor.parse.OpRegistry.Form;
import dev.adjoint.processor.parse.OpRegistry.Lowering;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DSL's surface syntax (SPEC section 3): every built-in method, keyed by the resolved
 * method's owner, name and erased parameter types, and the IR it lowers to. Matching the
 * resolved symbol rather than the spelling means {@code Ops.swish} and a static import of it
 * are the same call, and a user method that happens to be called {@code mult} is not. The
 * parser looks calls up in {@link OpRegistry}, which starts from this table and into which user
 * functions are registered; the suggestions for an unsupported call come from this table alone.
 */
public final class DslSurface {
    private DslSurface() {}

    static final String SIMPLE_BASE = "org.ejml.simple.SimpleBase";
    static final String SIMPLE_MATRIX = "org.ejml.simple.SimpleMatrix";
    static final String OPS = "dev.adjoint.runtime.Ops";
    static final String MATH = "java.lang.Math";
    private static final String M = "org.ejml.simple.ConstMatrix";

    private static final Map<String, Form> FORMS = new LinkedHashMap<>();

    private static void form(String owner, String name, List<String> params, String usage, Lowering lowering) {
        Form form = new Form(owner, name, params, usage, lowering);
        FORMS.put(form.key(), form);
    }

    private static void entrywise(String name, Entrywise.Function fn) {
        form(OPS, name, List.of(SIMPLE_MATRIX), "Ops." + name + "(A)", (c, r, a) -> c.apply(new Entrywise.Apply(fn), a.get(0)));
    }

    static {
        form(SIMPLE_BASE, "transpose", List.of(), "A.transpose()", (c, r, a) -> c.apply(new MatrixAlgebra.Transpose(), r));
        form(SIMPLE_BASE, "mult", List.of(M), "A.mult(B)", (c, r, a) -> c.apply(new MatrixAlgebra.MatMul(false, false), r, a.get(0)));
        form(SIMPLE_BASE, "plus", List.of(M), "A.plus(B)", (c, r, a) -> c.apply(new MatrixAlgebra.Add(), r, a.get(0)));
        form(SIMPLE_BASE, "minus", List.of(M), "A.minus(B)", (c, r, a) -> c.apply(new MatrixAlgebra.Subtract(), r, a.get(0)));
        form(SIMPLE_BASE, "plus", List.of("double", M), "A.plus(s, B)", (c, r, a) ->
                c.apply(new MatrixAlgebra.Add(), r, c.apply(new MatrixAlgebra.Scale(), a.get(1), c.scalar(a.get(0)))));
        form(SIMPLE_BASE, "plus", List.of("double"), "A.plus(s)", (c, r, a) -> c.apply(new MatrixAlgebra.AddScalar(), r, c.scalar(a.get(0))));
        form(SIMPLE_BASE, "minus", List.of("double"), "A.minus(s)", (c, r, a) ->
                c.apply(new MatrixAlgebra.AddScalar(), r, c.builder().negate(c.scalar(a.get(0)))));
        form(SIMPLE_BASE, "scale", List.of("double"), "A.scale(s)", (c, r, a) -> c.apply(new MatrixAlgebra.Scale(), r, c.scalar(a.get(0))));
        form(SIMPLE_BASE, "divide", List.of("double"), "A.divide(s)", (c, r, a) -> c.apply(new MatrixAlgebra.Divide(), r, c.scalar(a.get(0))));
        form(SIMPLE_BASE, "negative", List.of(), "A.negative()", (c, r, a) -> c.apply(new MatrixAlgebra.Negate(), r));
        form(SIMPLE_BASE, "elementMult", List.of(M), "A.elementMult(B)", (c, r, a) -> c.apply(new Entrywise.ElementMult(), r, a.get(0)));
        form(SIMPLE_BASE, "elementDiv", List.of(M), "A.elementDiv(B)", (c, r, a) -> c.apply(new Entrywise.ElementDiv(), r, a.get(0)));
        form(SIMPLE_BASE, "elementPower", List.of("double"), "A.elementPower(p)", (c, r, a) -> c.apply(new Entrywise.ElementPower(), r, c.scalar(a.get(0))));
        form(SIMPLE_BASE, "elementExp", List.of(), "A.elementExp()", (c, r, a) -> c.apply(new Entrywise.Apply(Entrywise.Function.EXP), r));
        form(SIMPLE_BASE, "elementLog", List.of(), "A.elementLog()", (c, r, a) -> c.apply(new Entrywise.Apply(Entrywise.Function.LOG), r));
        form(SIMPLE_BASE, "elementSum", List.of(), "A.elementSum()", (c, r, a) -> c.apply(new Reductions.ElementSum(), r));
        form(SIMPLE_BASE, "trace", List.of(), "A.trace()", (c, r, a) -> c.apply(new Reductions.Trace(), r));
        form(SIMPLE_BASE, "normF", List.of(), "A.normF()", (c, r, a) -> c.apply(new Reductions.NormF(), r));
        form(SIMPLE_BASE, "dot", List.of(M), "a.dot(b)", (c, r, a) -> c.apply(new Reductions.Dot(false), r, a.get(0)));
        form(SIMPLE_BASE, "determinant", List.of(), "A.determinant()", (c, r, a) -> c.apply(new LinearAlgebra.Determinant(), r));
        form(SIMPLE_BASE, "invert", List.of(), "A.invert()", (c, r, a) -> c.apply(new LinearAlgebra.Inverse(), r));
        form(SIMPLE_BASE, "solve", List.of(M), "A.solve(B)", (c, r, a) -> c.apply(new LinearAlgebra.Solve(), r, a.get(0)));
        form(SIMPLE_BASE, "numRows", List.of(), "A.numRows()", (c, r, a) -> c.apply(new IntOps.ShapeQuery(0), r));
        form(SIMPLE_BASE, "numCols", List.of(), "A.numCols()", (c, r, a) -> c.apply(new IntOps.ShapeQuery(1), r));

        // EJML 0.44 deprecates numRows()/numCols() in favour of these; both spellings work.
        form(SIMPLE_BASE, "getNumRows", List.of(), "A.getNumRows()", (c, r, a) -> c.apply(new IntOps.ShapeQuery(0), r));
        form(SIMPLE_BASE, "getNumCols", List.of(), "A.getNumCols()", (c, r, a) -> c.apply(new IntOps.ShapeQuery(1), r));
        form(SIMPLE_MATRIX, "identity", List.of("int"), "SimpleMatrix.identity(n)", (c, r, a) -> c.apply(new Broadcasting.Identity(), a.get(0)));
        form(SIMPLE_MATRIX, "ones", List.of("int", "int"), "SimpleMatrix.ones(r, c)", (c, r, a) ->
                c.apply(new Broadcasting.Filled(), a.get(0), a.get(1), c.builder().constant(1)));
        form(SIMPLE_MATRIX, "filled", List.of("int", "int", "double"), "SimpleMatrix.filled(r, c, v)", (c, r, a) ->
                c.apply(new Broadcasting.Filled(), a.get(0), a.get(1), c.scalar(a.get(2))));

        entrywise("sigmoid", Entrywise.Function.SIGMOID);
        entrywise("tanh", Entrywise.Function.TANH);
        entrywise("relu", Entrywise.Function.RELU);
        form(OPS, "swish", List.of(SIMPLE_MATRIX), "Ops.swish(A)", (c, r, a) -> Entrywise.Swish.of(c.builder(), c.origin(), a.get(0)));
        entrywise("softplus", Entrywise.Function.SOFTPLUS);
        form(OPS, "sumSquares", List.of(SIMPLE_MATRIX), "Ops.sumSquares(A)", (c, r, a) -> c.apply(new Reductions.SumSquares(), a.get(0)));
        form(OPS, "mean", List.of(SIMPLE_MATRIX), "Ops.mean(A)", (c, r, a) -> c.apply(new Reductions.Mean(), a.get(0)));
        form(OPS, "logDet", List.of(SIMPLE_MATRIX), "Ops.logDet(A)", (c, r, a) -> c.apply(new LinearAlgebra.LogDet(), a.get(0)));
        form(OPS, "rowSums", List.of(SIMPLE_MATRIX), "Ops.rowSums(A)", (c, r, a) -> c.apply(new Broadcasting.RowSums(), a.get(0)));
        form(OPS, "columnSums", List.of(SIMPLE_MATRIX), "Ops.columnSums(A)", (c, r, a) -> c.apply(new Broadcasting.ColumnSums(), a.get(0)));
        form(OPS, "addColumn", List.of(SIMPLE_MATRIX, SIMPLE_MATRIX), "Ops.addColumn(A, v)", (c, r, a) -> c.apply(new Broadcasting.AddColumn(), a.get(0), a.get(1)));
        form(OPS, "addRow", List.of(SIMPLE_MATRIX, SIMPLE_MATRIX), "Ops.addRow(A, u)", (c, r, a) -> c.apply(new Broadcasting.AddRow(), a.get(0), a.get(1)));
        form(OPS, "softmaxCrossEntropy", List.of(SIMPLE_MATRIX, SIMPLE_MATRIX), "Ops.softmaxCrossEntropy(Z, Y)", (c, r, a) ->
                c.apply(new Reductions.SoftmaxCrossEntropy(), a.get(0), a.get(1)));
        form(OPS, "logSumExp", List.of(SIMPLE_MATRIX), "Ops.logSumExp(A)", (c, r, a) -> c.apply(new Reductions.LogSumExp(), a.get(0)));

        moreForms();

        for (ScalarOps.Function fn : ScalarOps.Function.values()) {
            if (!fn.dsl) continue;
            String name = fn.name().toLowerCase(java.util.Locale.ROOT);
            form(MATH, name, List.of("double"), "Math." + name + "(x)", (c, r, a) -> c.apply(new ScalarOps.Apply(fn), c.scalar(a.get(0))));
        }
        form(MATH, "pow", List.of("double", "double"), "Math.pow(x, y)", (c, r, a) ->
                c.apply(new ScalarOps.Pow(), c.scalar(a.get(0)), c.scalar(a.get(1))));
    }

    /** Entries, blocks, concatenation, diag, kron, extremal entries, entrywise and scalar max/min (issue 9, item 4). */
    private static void moreForms() {
        String mArray = M + "[]";
        form(SIMPLE_BASE, "get", List.of("int", "int"), "A.get(i, j)", (c, r, a) -> c.apply(new Blocks.Entry(false), r, a.get(0), a.get(1)));
        form(SIMPLE_BASE, "get", List.of("int"), "A.get(k)", (c, r, a) -> c.apply(new Blocks.Entry(true), r, a.get(0)));
        form(SIMPLE_BASE, "extractMatrix", List.of("int", "int", "int", "int"), "A.extractMatrix(r0, r1, c0, c1)", (c, r, a) ->
                c.apply(new Blocks.Block(), r, a.get(0), a.get(1), a.get(2), a.get(3)));
        form(SIMPLE_BASE, "rows", List.of("int", "int"), "A.rows(r0, r1)", (c, r, a) ->
                c.apply(new Blocks.Block(), r, a.get(0), a.get(1), intConstant(c, 0), c.apply(new IntOps.ShapeQuery(1), r)));
        form(SIMPLE_BASE, "cols", List.of("int", "int"), "A.cols(c0, c1)", (c, r, a) ->
                c.apply(new Blocks.Block(), r, intConstant(c, 0), c.apply(new IntOps.ShapeQuery(0), r), a.get(0), a.get(1)));
        form(SIMPLE_BASE, "getRow", List.of("int"), "A.getRow(i)", (c, r, a) -> row(c, r, a.get(0)));
        form(SIMPLE_BASE, "getColumn", List.of("int"), "A.getColumn(j)", (c, r, a) -> column(c, r, a.get(0)));
        form(SIMPLE_BASE, "extractVector", List.of("boolean", "int"), "A.extractVector(row, i)", (c, r, a) ->
                // The flag must be a constant: a row and a column have different shapes.
                rowFlag(c, a.get(0)) ? row(c, r, a.get(1)) : column(c, r, a.get(1)));
        form(SIMPLE_BASE, "concatColumns", List.of(mArray), "A.concatColumns(B...)", (c, r, a) -> concat(c, r, a, true));
        form(SIMPLE_BASE, "concatRows", List.of(mArray), "A.concatRows(B...)", (c, r, a) -> concat(c, r, a, false));
        form(SIMPLE_BASE, "diag", List.of(), "A.diag()", (c, r, a) -> c.apply(new Blocks.Diag(), r));
        form(SIMPLE_BASE, "kron", List.of(M), "A.kron(B)", (c, r, a) -> c.apply(new Blocks.Kron(), r, a.get(0)));
        form(SIMPLE_BASE, "elementPower", List.of(M), "A.elementPower(B)", (c, r, a) -> c.apply(new Selection.PowerMatrix(), r, a.get(0)));
        form(SIMPLE_BASE, "copy", List.of(), "A.copy()", (c, r, a) -> r); // a value: copying changes nothing
        for (Selection.Extreme kind : Selection.Extreme.values()) {
            form(SIMPLE_BASE, kind.method, List.of(), "A." + kind.method + "()", (c, r, a) -> c.apply(new Selection.Extremum(kind), r));
        }
        entrywise("abs", Entrywise.Function.ABS);
        entrywise("sqrt", Entrywise.Function.SQRT);
        entrywise("sin", Entrywise.Function.SIN);
        entrywise("cos", Entrywise.Function.COS);
        for (boolean max : new boolean[] {true, false}) {
            String name = max ? "max" : "min";
            form(OPS, name, List.of(SIMPLE_MATRIX, SIMPLE_MATRIX), "Ops." + name + "(A, B)", (c, r, a) ->
                    c.apply(new Selection.Select(max, false), a.get(0), a.get(1)));
            form(OPS, name, List.of(SIMPLE_MATRIX, "double"), "Ops." + name + "(A, s)", (c, r, a) ->
                    c.apply(new Selection.Select(max, true), a.get(0), c.scalar(a.get(1))));
            form(MATH, name, List.of("double", "double"), "Math." + name + "(x, y)", (c, r, a) ->
                    c.apply(new Selection.ScalarExtreme(max), c.scalar(a.get(0)), c.scalar(a.get(1))));
        }
        form(MATH, "hypot", List.of("double", "double"), "Math.hypot(x, y)", (c, r, a) ->
                c.apply(new Selection.Hypot(), c.scalar(a.get(0)), c.scalar(a.get(1))));
    }

    private static boolean rowFlag(Calls c, int flag) {
        if (c.builder().node(flag).op() instanceof dev.adjoint.processor.ops.Logic.BoolConst k) {
            return k.value();
        }
        throw c.error(dev.adjoint.processor.diag.Code.ADJ343, "the row flag of A.extractVector(row, i) must be the literal true "
                + "or false (a row and a column have different shapes): write A.getRow(i) or A.getColumn(i)");
    }

    private static int intConstant(Calls c, int value) {
        return c.apply(new Leaves.IntConst(value));
    }

    private static int plusOne(Calls c, int i) {
        return c.apply(new IntOps.Arith(IntOps.Op.ADD), i, intConstant(c, 1));
    }

    /** {@code A.getRow(i)}: the block of row i. */
    private static int row(Calls c, int a, int i) {
        return c.apply(new Blocks.Block(), a, i, plusOne(c, i), intConstant(c, 0), c.apply(new IntOps.ShapeQuery(1), a));
    }

    /** {@code A.getColumn(j)}: the block of column j. */
    private static int column(Calls c, int a, int j) {
        return c.apply(new Blocks.Block(), a, intConstant(c, 0), c.apply(new IntOps.ShapeQuery(0), a), j, plusOne(c, j));
    }

    /** {@code A.concatColumns(B, C, ...)} as [[A, B], C]: one binary concatenation per operand. */
    private static int concat(Calls c, int a, List<Integer> rest, boolean columns) {
        int result = a;
        for (int next : rest) {
            result = c.apply(new Blocks.Concat(columns), result, next);
        }
        return result;
    }

    /** The built-in forms, in the order they are declared above. */
    static Collection<Form> forms() {
        return java.util.Collections.unmodifiableCollection(FORMS.values());
    }

    /**
     * The supported forms closest to a call of {@code name} with these erased parameter types,
     * best first: by spelling, and by whether they are called the same way (instance or static,
     * the same argument types), so {@code W.kron(x)} suggests {@code A.mult(B)} rather than
     * {@code Math.pow(x, y)}. Calls with a known better answer get a {@link #hint} instead.
     */
    static List<String> nearest(String owner, String name, boolean instance, List<String> parameterTypes, int limit) {
        List<String> kinds = parameterTypes.stream().map(t -> typeOf(t).name()).toList();
        List<Form> forms = new ArrayList<>(FORMS.values());
        forms.sort(Comparator.comparingInt((Form f) -> {
            int score = distance(name.toLowerCase(java.util.Locale.ROOT), f.name().toLowerCase(java.util.Locale.ROOT));
            if (instance != f.owner().equals(SIMPLE_BASE)) score += 8;
            if (!instance && !f.owner().equals(owner)) score += 4; // Math.sin is nearer Math.sqrt than Ops.sigmoid
            if (!kinds.equals(f.parameterTypes().stream().map(t -> typeOf(t).name()).toList())) score += 4;
            return score;
        }).thenComparing(Form::usage));
        return forms.stream().map(Form::usage).distinct().limit(limit).toList();
    }

    private static final Map<String, String> HINTS = Map.ofEntries(
            // Reached only for overloads outside the DSL (the double ones are forms).
            Map.entry(MATH + "#max", "the int overload of Math.max is not part of the DSL (int values are sizes, constants for "
                    + "differentiation): write Math.max(x, y) on double values, or Ops.max(A, B) / Ops.max(A, s) entrywise on a matrix"),
            Map.entry(MATH + "#min", "the int overload of Math.min is not part of the DSL (int values are sizes, constants for "
                    + "differentiation): write Math.min(x, y) on double values, or Ops.min(A, B) / Ops.min(A, s) entrywise on a matrix"),
            Map.entry(MATH + "#abs", "the int overload of Math.abs is not part of the DSL: write Math.abs(x) on a double value, "
                    + "or Ops.abs(A) entrywise on a matrix"),
            Map.entry(MATH + "#log10", "write Math.log(x) / Math.log(10)"),
            Map.entry(MATH + "#cbrt", "write Math.pow(x, 1.0 / 3)"),
            Map.entry(MATH + "#signum", "the sign is piecewise constant (its derivative is 0 almost everywhere): pass it as a parameter"));

    /** Advice for an unsupported method with a known better answer than the nearest spelling, or null. */
    static String hint(String owner, String name) {
        return HINTS.get(owner + "#" + name);
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        // A shared prefix (elementMax ~ elementMult) matters more than raw distance.
        int prefix = 0;
        while (prefix < Math.min(a.length(), b.length()) && a.charAt(prefix) == b.charAt(prefix)) prefix++;
        return prev[b.length()] * 2 - Math.min(prefix, 7);
    }

    /** The DSL kind of an erased Java parameter type (anything not a number counts as a matrix). */
    static ValueType typeOf(String erasedType) {
        return switch (erasedType) {
            case "double", "float", "long" -> ValueType.SCALAR;
            case "int", "short", "byte" -> ValueType.INT;
            default -> ValueType.MATRIX;
        };
    }
}
