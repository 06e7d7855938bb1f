package dev.adjoint.it;

import static dev.adjoint.it.TestSupport.assertMatrixClose;
import static dev.adjoint.it.TestSupport.assertRelativelyClose;
import static dev.adjoint.it.TestSupport.dim;
import static dev.adjoint.it.TestSupport.scalar;
import static dev.adjoint.it.TestSupport.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.runtime.DifferentiableFunction;
import dev.adjoint.runtime.Parameter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

/**
 * The three SPEC section 1 losses at order 2 ({@link SpecExamplesSecondOrder}): the generated
 * {@code hessianVectorProduct} against Hessian-vector products derived by hand and computed here
 * with EJML, on random shapes and values, to 1e-9 relative (of the largest entry).
 *
 * <p>All three H·d are closed forms (as are the values and gradients, also compared):
 * <ul>
 * <li>autoencoder, L = ½‖r‖², r = WᵀWx − x: ∇ = W(r xᵀ + x rᵀ), H·dW = dW(r xᵀ + x rᵀ) + W(ṙ xᵀ + x ṙᵀ)
 *     with ṙ = (dWᵀW + WᵀdW)x;
 * <li>GP-LVM, L = −D/2·log det K − ½ tr(K⁻¹S), K = αXXᵀ + β⁻¹I, S = YYᵀ: with A = K⁻¹ and
 *     G = ∂L/∂K = −D/2·A + ½·ASA, ∇X = 2αGX, ∇α = ⟨G, XXᵀ⟩, ∇β = −tr G/β²; along (dX, dα, dβ),
 *     K̇ = α(dX Xᵀ + X dXᵀ) + dα XXᵀ − (dβ/β²)I, M = AK̇A, Ġ = D/2·M − ½(MSA + ASM), and
 *     (H·d)_X = 2dα GX + 2αĠX + 2αG dX, (H·d)_α = ⟨Ġ, XXᵀ⟩ + 2⟨G, dX Xᵀ⟩,
 *     (H·d)_β = −tr Ġ/β² + 2dβ tr G/β³;
 * <li>MLP, A = W1X + b1·1ᵀ, H = swish(A), Z = W2H + b2·1ᵀ, P = softmax by columns, sⱼ = Σᵢ Yᵢⱼ,
 *     N columns: G_Z = (P·diag(s) − Y)/N, ∇W2 = G_Z Hᵀ, ∇b2 = G_Z 1, G_H = W2ᵀG_Z,
 *     G_A = G_H ⊙ swish'(A), ∇W1 = G_A Xᵀ, ∇b1 = G_A 1; along (dW1, db1, dW2, db2) (forward over
 *     reverse, i.e. the Gauss–Newton term through Ġ_Z plus the curvature terms of swish and of the
 *     products): Ȧ = dW1 X + db1·1ᵀ, Ḣ = swish'(A) ⊙ Ȧ, Ż = dW2 H + W2 Ḣ + db2·1ᵀ,
 *     Ġ_Z columns (sⱼ/N)(pⱼ ⊙ żⱼ − pⱼ(pⱼᵀżⱼ)), (H·d)_W2 = Ġ_Z Hᵀ + G_Z Ḣᵀ, (H·d)_b2 = Ġ_Z 1,
 *     Ġ_H = dW2ᵀG_Z + W2ᵀĠ_Z, Ġ_A = Ġ_H ⊙ swish'(A) + G_H ⊙ swish''(A) ⊙ Ȧ, (H·d)_W1 = Ġ_A Xᵀ,
 *     (H·d)_b1 = Ġ_A 1, where swish' = σ + aσ(1 − σ) and swish'' = σ(1 − σ)(2 + a(1 − 2σ)).
 *     Because this derivation is the longest, it is also checked on its own against
 *     Richardson-extrapolated central differences of the closed-form gradient.
 * </ul>
 * Also: the Hessian assembled column by column from unit-direction Hessian-vector products is
 * symmetric for each of the three (and {@code hessian()} equals it), and the autoencoder's H·d
 * Javadoc reads as the formula above.
 */
class SpecSecondOrderTest {

    private static final double TOLERANCE = 1e-9;

    // ------------------------------------------------------------------ autoencoder

    @TestSupport.Seeds
    void autoencoderMatchesTheClosedForm(long seed) {
        Random r = new Random(seed);
        int m = dim(r);
        int n = dim(r) + 1;
        int samples = dim(r);
        DMatrixRMaj w = uniform(r, m, n);
        DMatrixRMaj x = uniform(r, n, samples);
        DMatrixRMaj dW = uniform(r, m, n);

        SpecExamplesSecondOrder_TiedAutoencoder f = new SpecExamplesSecondOrder_TiedAutoencoder();
        double value = f.hessianVectorProduct(w, x, dW);

        DMatrixRMaj res = minus(mult(multTransA(w, w), x), x);
        DMatrixRMaj sym = plus(multTransB(res, x), multTransB(x, res)); // r xᵀ + x rᵀ
        DMatrixRMaj grad = mult(w, sym);
        DMatrixRMaj rDot = mult(plus(multTransA(dW, w), multTransA(w, dW)), x);
        DMatrixRMaj hd = plus(mult(dW, sym), mult(w, plus(multTransB(rDot, x), multTransB(x, rDot))));

        assertRelativelyClose(0.5 * sumSquares(res), value, TOLERANCE, "value");
        assertMatrixClose(grad, f.gradW(), TOLERANCE, "gradient W");
        assertMatrixClose(hd, f.hvpW(), TOLERANCE, "H·d W");
    }

    // ------------------------------------------------------------------ GP-LVM

    @TestSupport.Seeds
    void gplvmMatchesTheClosedForm(long seed) {
        Random r = new Random(seed);
        int n = dim(r) + 1;
        int q = dim(r);
        int d = dim(r);
        DMatrixRMaj x = uniform(r, n, q);
        DMatrixRMaj y = uniform(r, n, d);
        double alpha = scalar(r, 0.5, 2);
        double beta = scalar(r, 0.5, 3);
        DMatrixRMaj dX = uniform(r, n, q);
        double dAlpha = scalar(r, -1, 1);
        double dBeta = scalar(r, -1, 1);

        SpecExamplesSecondOrder_Gplvm f = new SpecExamplesSecondOrder_Gplvm();
        double value = f.hessianVectorProduct(x, alpha, beta, y, dX, dAlpha, dBeta);

        DMatrixRMaj xxt = multTransB(x, x);
        DMatrixRMaj k = plus(scale(alpha, xxt), scale(1 / beta, CommonOps_DDRM.identity(n)));
        DMatrixRMaj a = new DMatrixRMaj(n, n);
        assertTrue(CommonOps_DDRM.invert(k, a));
        DMatrixRMaj s = multTransB(y, y);
        double expectedValue = -d / 2.0 * Math.log(CommonOps_DDRM.det(k)) - 0.5 * CommonOps_DDRM.trace(mult(a, s));
        DMatrixRMaj g = plus(scale(-d / 2.0, a), scale(0.5, mult(mult(a, s), a))); // ∂L/∂K

        DMatrixRMaj dXxt = multTransB(dX, x);
        DMatrixRMaj kDot = plus(plus(scale(alpha, plus(dXxt, multTransB(x, dX))), scale(dAlpha, xxt)),
                scale(-dBeta / (beta * beta), CommonOps_DDRM.identity(n)));
        DMatrixRMaj mm = mult(mult(a, kDot), a);
        DMatrixRMaj gDot = minus(scale(d / 2.0, mm), scale(0.5, plus(mult(mult(mm, s), a), mult(mult(a, s), mm))));

        DMatrixRMaj hdX = plus(plus(scale(2 * dAlpha, mult(g, x)), scale(2 * alpha, mult(gDot, x))),
                scale(2 * alpha, mult(g, dX)));
        double hdAlpha = inner(gDot, xxt) + 2 * inner(g, dXxt);
        double hdBeta = -CommonOps_DDRM.trace(gDot) / (beta * beta)
                + 2 * dBeta * CommonOps_DDRM.trace(g) / (beta * beta * beta);

        assertRelativelyClose(expectedValue, value, TOLERANCE, "value");
        assertMatrixClose(scale(2 * alpha, mult(g, x)), f.gradX(), TOLERANCE, "gradient X");
        assertRelativelyClose(inner(g, xxt), f.gradAlpha(), TOLERANCE, "gradient alpha");
        assertRelativelyClose(-CommonOps_DDRM.trace(g) / (beta * beta), f.gradBeta(), TOLERANCE, "gradient beta");
        assertMatrixClose(hdX, f.hvpX(), TOLERANCE, "H·d X");
        assertRelativelyClose(hdAlpha, f.hvpAlpha(), TOLERANCE, "H·d alpha");
        assertRelativelyClose(hdBeta, f.hvpBeta(), TOLERANCE, "H·d beta");
    }

    // ------------------------------------------------------------------ MLP

    /** The MLP's arguments and a direction for its four wrt parameters. */
    private record MlpCase(DMatrixRMaj w1, DMatrixRMaj b1, DMatrixRMaj w2, DMatrixRMaj b2, DMatrixRMaj x,
                           DMatrixRMaj y, DMatrixRMaj[] direction) {

        static MlpCase random(long seed) {
            Random r = new Random(seed);
            int inputs = dim(r);
            int hidden = dim(r);
            int classes = dim(r) + 1;
            int samples = dim(r);
            // Y any non-negative matrix, not only one-hot: column sums sⱼ ≠ 1 exercise the general form.
            return new MlpCase(uniform(r, hidden, inputs), uniform(r, hidden, 1), uniform(r, classes, hidden),
                    uniform(r, classes, 1), uniform(r, inputs, samples, -2, 2), uniform(r, classes, samples, 0, 1),
                    new DMatrixRMaj[] {uniform(r, hidden, inputs), uniform(r, hidden, 1), uniform(r, classes, hidden),
                        uniform(r, classes, 1)});
        }

        DMatrixRMaj[] parameters() {
            return new DMatrixRMaj[] {w1, b1, w2, b2};
        }

        MlpCase at(DMatrixRMaj[] p) {
            return new MlpCase(p[0], p[1], p[2], p[3], x, y, direction);
        }
    }

    /** Closed-form value, gradient (W1, b1, W2, b2) and H·d of the MLP. */
    private record MlpClosedForm(double value, DMatrixRMaj[] gradient, DMatrixRMaj[] hd) {

        static MlpClosedForm of(MlpCase c) {
            int samples = c.x.numCols;
            DMatrixRMaj a = addColumn(mult(c.w1, c.x), c.b1);
            DMatrixRMaj h = map(a, SpecSecondOrderTest::swish);
            DMatrixRMaj z = addColumn(mult(c.w2, h), c.b2);
            int classes = z.numRows;
            DMatrixRMaj p = new DMatrixRMaj(classes, samples);
            double[] colSum = new double[samples];
            double value = 0;
            for (int j = 0; j < samples; j++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < classes; i++) {
                    max = Math.max(max, z.get(i, j));
                }
                double sum = 0;
                for (int i = 0; i < classes; i++) {
                    sum += Math.exp(z.get(i, j) - max);
                }
                double lse = max + Math.log(sum);
                for (int i = 0; i < classes; i++) {
                    p.set(i, j, Math.exp(z.get(i, j) - lse));
                    colSum[j] += c.y.get(i, j);
                    value -= c.y.get(i, j) * (z.get(i, j) - lse);
                }
            }
            value /= samples;
            DMatrixRMaj gz = new DMatrixRMaj(classes, samples);
            for (int i = 0; i < classes; i++) {
                for (int j = 0; j < samples; j++) {
                    gz.set(i, j, (p.get(i, j) * colSum[j] - c.y.get(i, j)) / samples);
                }
            }
            DMatrixRMaj s1 = map(a, SpecSecondOrderTest::swishPrime);
            DMatrixRMaj s2 = map(a, SpecSecondOrderTest::swishSecond);
            DMatrixRMaj gh = multTransA(c.w2, gz);
            DMatrixRMaj ga = elementMult(gh, s1);
            DMatrixRMaj[] gradient = {multTransB(ga, c.x), rowSums(ga), multTransB(gz, h), rowSums(gz)};

            DMatrixRMaj[] dir = c.direction;
            DMatrixRMaj aDot = addColumn(mult(dir[0], c.x), dir[1]);
            DMatrixRMaj hDot = elementMult(s1, aDot);
            DMatrixRMaj zDot = addColumn(plus(mult(dir[2], h), mult(c.w2, hDot)), dir[3]);
            DMatrixRMaj gzDot = new DMatrixRMaj(classes, samples);
            for (int j = 0; j < samples; j++) {
                double pz = 0;
                for (int i = 0; i < classes; i++) {
                    pz += p.get(i, j) * zDot.get(i, j);
                }
                for (int i = 0; i < classes; i++) {
                    gzDot.set(i, j, colSum[j] / samples * p.get(i, j) * (zDot.get(i, j) - pz));
                }
            }
            DMatrixRMaj ghDot = plus(multTransA(dir[2], gz), multTransA(c.w2, gzDot));
            DMatrixRMaj gaDot = plus(elementMult(ghDot, s1), elementMult(elementMult(gh, s2), aDot));
            DMatrixRMaj[] hd = {multTransB(gaDot, c.x), rowSums(gaDot),
                plus(multTransB(gzDot, h), multTransB(gz, hDot)), rowSums(gzDot)};
            return new MlpClosedForm(value, gradient, hd);
        }
    }

    @TestSupport.Seeds
    void mlpMatchesTheClosedForm(long seed) {
        MlpCase c = MlpCase.random(seed);
        MlpClosedForm expected = MlpClosedForm.of(c);
        SpecExamplesSecondOrder_Mlp f = new SpecExamplesSecondOrder_Mlp();
        DMatrixRMaj[] dir = c.direction;
        double value = f.hessianVectorProduct(c.w1, c.b1, c.w2, c.b2, c.x, c.y, dir[0], dir[1], dir[2], dir[3]);

        assertRelativelyClose(expected.value, value, TOLERANCE, "value");
        DMatrixRMaj[] gradient = {f.gradW1(), f.gradB1(), f.gradW2(), f.gradB2()};
        DMatrixRMaj[] hd = {f.hvpW1(), f.hvpB1(), f.hvpW2(), f.hvpB2()};
        String[] names = {"W1", "b1", "W2", "b2"};
        for (int i = 0; i < 4; i++) {
            assertMatrixClose(expected.gradient[i], gradient[i], TOLERANCE, "gradient " + names[i]);
            assertMatrixClose(expected.hd[i], hd[i], TOLERANCE, "H·d " + names[i]);
        }
    }

    /**
     * The MLP's closed-form H·d against Richardson-extrapolated central differences of its
     * closed-form gradient, (4·D(h/2) − D(h))/3 with D(h) = (∇(θ + h·d) − ∇(θ − h·d))/2h, whose
     * error is O(h⁴): the derivation is checked independently of the generated code.
     */
    @TestSupport.Seeds
    void mlpClosedFormAgreesWithExtrapolatedDifferencesOfItsGradient(long seed) {
        MlpCase c = MlpCase.random(seed);
        MlpClosedForm expected = MlpClosedForm.of(c);
        double h = 1e-2;
        DMatrixRMaj[] wide = centralDifference(c, h);
        DMatrixRMaj[] narrow = centralDifference(c, h / 2);
        for (int i = 0; i < 4; i++) {
            DMatrixRMaj richardson = minus(scale(4 / 3.0, narrow[i]), scale(1 / 3.0, wide[i]));
            assertMatrixClose(expected.hd[i], richardson, 1e-8, "Richardson H·d, parameter " + i);
        }
    }

    private static DMatrixRMaj[] centralDifference(MlpCase c, double h) {
        DMatrixRMaj[] plus = MlpClosedForm.of(c.at(shifted(c, h))).gradient;
        DMatrixRMaj[] minus = MlpClosedForm.of(c.at(shifted(c, -h))).gradient;
        DMatrixRMaj[] d = new DMatrixRMaj[4];
        for (int i = 0; i < 4; i++) {
            d[i] = scale(1 / (2 * h), minus(plus[i], minus[i]));
        }
        return d;
    }

    private static DMatrixRMaj[] shifted(MlpCase c, double h) {
        DMatrixRMaj[] p = c.parameters();
        DMatrixRMaj[] out = new DMatrixRMaj[4];
        for (int i = 0; i < 4; i++) {
            out[i] = plus(p[i], scale(h, c.direction[i]));
        }
        return out;
    }

    // ------------------------------------------------------------------ symmetry, Javadoc

    @TestSupport.Seeds
    void everyHessianIsSymmetric(long seed) {
        Random r = new Random(seed);
        int m = dim(r);
        int n = dim(r) + 1;
        assertSymmetricHessian(new SpecExamplesSecondOrder_TiedAutoencoder(),
                new Object[] {uniform(r, m, n), uniform(r, n, dim(r))});
        int points = dim(r) + 1;
        assertSymmetricHessian(new SpecExamplesSecondOrder_Gplvm(),
                new Object[] {uniform(r, points, dim(r)), scalar(r, 0.5, 2), scalar(r, 0.5, 3), uniform(r, points, dim(r))});
        MlpCase c = MlpCase.random(seed);
        assertSymmetricHessian(new SpecExamplesSecondOrder_Mlp(), new Object[] {c.w1, c.b1, c.w2, c.b2, c.x, c.y});
    }

    /**
     * Builds the Hessian one column per unit direction from {@code hessianVectorProduct} (not
     * symmetrized), asserts it is symmetric, and that {@code hessian()} equals it.
     */
    private static void assertSymmetricHessian(DifferentiableFunction f, Object[] args) {
        List<Parameter> parameters = f.parameters();
        List<Integer> wrt = new ArrayList<>();
        int size = 0;
        for (int i = 0; i < parameters.size(); i++) {
            if (parameters.get(i).wrt()) {
                wrt.add(i);
                size += entries(args[i]);
            }
        }
        DMatrixRMaj columns = new DMatrixRMaj(size, size);
        for (int col = 0; col < size; col++) {
            Object[] directions = new Object[wrt.size()];
            int offset = 0;
            for (int j = 0; j < wrt.size(); j++) {
                Object arg = args[wrt.get(j)];
                int e = entries(arg);
                if (arg instanceof DMatrixRMaj m) {
                    DMatrixRMaj unit = new DMatrixRMaj(m.numRows, m.numCols);
                    if (col >= offset && col < offset + e) {
                        unit.data[col - offset] = 1;
                    }
                    directions[j] = unit;
                } else {
                    directions[j] = col == offset ? 1.0 : 0.0;
                }
                offset += e;
            }
            f.hessianVectorProduct(args, directions);
            int row = 0;
            for (int i : wrt) {
                DMatrixRMaj hv = f.hessianVectorProductOf(i);
                for (int e = 0; e < hv.getNumElements(); e++) {
                    columns.set(row++, col, hv.data[e]);
                }
            }
        }
        double scale = CommonOps_DDRM.elementMaxAbs(columns);
        assertTrue(scale > 0, f.name() + ": zero Hessian");
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < i; j++) {
                double asymmetry = Math.abs(columns.get(i, j) - columns.get(j, i));
                assertTrue(asymmetry <= 1e-10 * scale, f.name() + ": H(" + i + "," + j + ") = " + columns.get(i, j)
                        + " but H(" + j + "," + i + ") = " + columns.get(j, i));
            }
        }
        DMatrixRMaj hessian = f.hessian(args);
        assertEquals(size, hessian.numRows);
        assertMatrixClose(columns, hessian, 1e-12, f.name() + ": hessian() against the unit-direction columns");
    }

    private static int entries(Object arg) {
        return arg instanceof DMatrixRMaj m ? m.getNumElements() : 1;
    }

    /**
     * The autoencoder's class Javadoc states H·d as a formula over W, x, dW and named
     * subexpressions ("where" r = …, G1 = …): that formula, parsed and evaluated here with EJML on
     * random values, equals the closed form dW(r xᵀ + x rᵀ) + W(ṙ xᵀ + x ṙᵀ), ṙ = (dWᵀW + WᵀdW)x
     * (and hence the generated hvpW()). Evaluating rather than matching text keeps the test
     * independent of how the formula is split into named parts.
     */
    @Test
    void autoencoderJavadocStatesTheHessianVectorProduct() throws IOException {
        String source = Files.readString(Path.of(System.getProperty("basedir", "."))
                .resolve("target/generated-test-sources/test-annotations/dev/adjoint/it/"
                        + "SpecExamplesSecondOrder_TiedAutoencoder.java"), StandardCharsets.UTF_8);
        String header = " * <p>Hessian-vector products (H the Hessian with respect to W, d = (dW) the directions):";
        List<String> lines = source.lines().toList();
        int at = lines.indexOf(header);
        assertTrue(at >= 0, "no line '" + header + "' in\n" + source);
        String formula = null;
        java.util.Map<String, String> where = new java.util.HashMap<>();
        for (int i = at + 1; i < lines.size() && !lines.get(i).equals(" *"); i++) {
            String line = lines.get(i);
            if (line.startsWith(" * <li>(H·d)_W = ")) {
                formula = line.substring(" * <li>(H·d)_W = ".length());
            } else if (line.startsWith(" * <li>")) {
                String[] parts = line.substring(" * <li>".length()).split(" = ", 2);
                where.put(parts[0], parts[1]);
            }
        }
        assertTrue(formula != null, "no (H·d)_W line after the header in\n" + source);
        assertTrue(where.containsKey("r") && where.get("r").equals("Wᵀ·W·x − x"), "r is " + where.get("r"));

        Random random = new Random(11);
        DMatrixRMaj w = uniform(random, 3, 5);
        DMatrixRMaj x = uniform(random, 5, 4);
        DMatrixRMaj dW = uniform(random, 3, 5);
        java.util.Map<String, DMatrixRMaj> values = new java.util.HashMap<>();
        values.put("W", w);
        values.put("x", x);
        values.put("dW", dW);
        DMatrixRMaj documented = new FormulaParser(formula, where, values).parse();

        DMatrixRMaj res = minus(mult(multTransA(w, w), x), x);
        DMatrixRMaj rDot = mult(plus(multTransA(dW, w), multTransA(w, dW)), x);
        DMatrixRMaj hd = plus(mult(dW, plus(multTransB(res, x), multTransB(x, res))),
                mult(w, plus(multTransB(rDot, x), multTransB(x, rDot))));
        assertMatrixClose(hd, documented, 1e-12, "the Javadoc's (H·d)_W = " + formula + " where " + where);
        SpecExamplesSecondOrder_TiedAutoencoder f = new SpecExamplesSecondOrder_TiedAutoencoder();
        f.hessianVectorProduct(w, x, dW);
        assertMatrixClose(documented, f.hvpW(), 1e-12, "hvpW() against its Javadoc");
    }

    /**
     * Evaluates a Javadoc formula: sums (+, −) of products (·) of names, parenthesized
     * formulas and numbers, each optionally transposed (ᵀ); a name is a value or a "where" entry.
     */
    private static final class FormulaParser {
        private final String text;
        private final java.util.Map<String, String> where;
        private final java.util.Map<String, DMatrixRMaj> values;
        private int pos;

        FormulaParser(String text, java.util.Map<String, String> where, java.util.Map<String, DMatrixRMaj> values) {
            this.text = text.replace(" ", "");
            this.where = where;
            this.values = values;
        }

        DMatrixRMaj parse() {
            DMatrixRMaj v = sum();
            assertEquals(text.length(), pos, "unparsed rest of '" + text + "'");
            return v;
        }

        private DMatrixRMaj sum() {
            DMatrixRMaj v = product();
            while (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '−')) {
                char op = text.charAt(pos++);
                DMatrixRMaj t = product();
                v = op == '+' ? plus(v, t) : minus(v, t);
            }
            return v;
        }

        private DMatrixRMaj product() {
            DMatrixRMaj v = factor();
            while (pos < text.length() && text.charAt(pos) == '·') {
                pos++;
                DMatrixRMaj t = factor();
                v = v.getNumElements() == 1 && t.getNumElements() != 1 ? scale(v.get(0), t)
                        : t.getNumElements() == 1 && v.getNumElements() != 1 ? scale(t.get(0), v) : mult(v, t);
            }
            return v;
        }

        private DMatrixRMaj factor() {
            DMatrixRMaj v;
            char c = text.charAt(pos);
            if (c == '(') {
                pos++;
                v = sum();
                assertEquals(')', text.charAt(pos++), "in '" + text + "'");
            } else if (Character.isDigit(c)) {
                int begin = pos;
                while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
                    pos++;
                }
                v = new DMatrixRMaj(new double[][] {{Double.parseDouble(text.substring(begin, pos))}});
            } else {
                int begin = pos;
                while (pos < text.length() && Character.isLetterOrDigit(text.charAt(pos)) && text.charAt(pos) != 'ᵀ') {
                    pos++;
                }
                String name = text.substring(begin, pos);
                assertTrue(!name.isEmpty(), "unexpected '" + c + "' at " + begin + " in '" + text + "'");
                if (values.containsKey(name)) {
                    v = values.get(name);
                } else {
                    assertTrue(where.containsKey(name), "'" + name + "' is neither W, x, dW nor defined in " + where);
                    v = new FormulaParser(where.get(name), where, values).parse();
                }
            }
            while (pos < text.length() && text.charAt(pos) == 'ᵀ') {
                pos++;
                DMatrixRMaj t = new DMatrixRMaj(v.numCols, v.numRows);
                CommonOps_DDRM.transpose(v, t);
                v = t;
            }
            return v;
        }
    }

    // ------------------------------------------------------------------ EJML helpers

    private static DMatrixRMaj mult(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj c = new DMatrixRMaj(a.numRows, b.numCols);
        CommonOps_DDRM.mult(a, b, c);
        return c;
    }

    /** aᵀb. */
    private static DMatrixRMaj multTransA(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj c = new DMatrixRMaj(a.numCols, b.numCols);
        CommonOps_DDRM.multTransA(a, b, c);
        return c;
    }

    /** abᵀ. */
    private static DMatrixRMaj multTransB(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj c = new DMatrixRMaj(a.numRows, b.numRows);
        CommonOps_DDRM.multTransB(a, b, c);
        return c;
    }

    private static DMatrixRMaj plus(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj c = new DMatrixRMaj(a.numRows, a.numCols);
        CommonOps_DDRM.add(a, b, c);
        return c;
    }

    private static DMatrixRMaj minus(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj c = new DMatrixRMaj(a.numRows, a.numCols);
        CommonOps_DDRM.subtract(a, b, c);
        return c;
    }

    private static DMatrixRMaj scale(double s, DMatrixRMaj a) {
        DMatrixRMaj c = new DMatrixRMaj(a.numRows, a.numCols);
        CommonOps_DDRM.scale(s, a, c);
        return c;
    }

    private static DMatrixRMaj elementMult(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj c = new DMatrixRMaj(a.numRows, a.numCols);
        CommonOps_DDRM.elementMult(a, b, c);
        return c;
    }

    /** a + v·1ᵀ for a column v. */
    private static DMatrixRMaj addColumn(DMatrixRMaj a, DMatrixRMaj v) {
        DMatrixRMaj c = a.copy();
        for (int i = 0; i < a.numRows; i++) {
            for (int j = 0; j < a.numCols; j++) {
                c.add(i, j, v.get(i, 0));
            }
        }
        return c;
    }

    private static DMatrixRMaj rowSums(DMatrixRMaj a) {
        DMatrixRMaj c = new DMatrixRMaj(a.numRows, 1);
        CommonOps_DDRM.sumRows(a, c);
        return c;
    }

    private static double sumSquares(DMatrixRMaj a) {
        return inner(a, a);
    }

    /** ⟨a, b⟩ = Σ aᵢⱼbᵢⱼ. */
    private static double inner(DMatrixRMaj a, DMatrixRMaj b) {
        assertEquals(a.getNumElements(), b.getNumElements());
        double sum = 0;
        for (int i = 0; i < a.getNumElements(); i++) {
            sum += a.data[i] * b.data[i];
        }
        return sum;
    }

    private static DMatrixRMaj map(DMatrixRMaj a, java.util.function.DoubleUnaryOperator op) {
        DMatrixRMaj c = new DMatrixRMaj(a.numRows, a.numCols);
        for (int i = 0; i < a.getNumElements(); i++) {
            c.data[i] = op.applyAsDouble(a.data[i]);
        }
        return c;
    }

    private static double sigmoid(double a) {
        return 1 / (1 + Math.exp(-a));
    }

    private static double swish(double a) {
        return a * sigmoid(a);
    }

    private static double swishPrime(double a) {
        double s = sigmoid(a);
        return s + a * s * (1 - s);
    }

    private static double swishSecond(double a) {
        double s = sigmoid(a);
        return s * (1 - s) * (2 + a * (1 - 2 * s));
    }
}
