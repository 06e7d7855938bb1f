package dev.adjoint.it;

import static dev.adjoint.it.TestSupport.assertMatrixClose;
import static dev.adjoint.it.TestSupport.assertRelativelyClose;
import static dev.adjoint.it.TestSupport.dim;
import static dev.adjoint.it.TestSupport.scalar;
import static dev.adjoint.it.TestSupport.sm;
import static dev.adjoint.it.TestSupport.sw;
import static dev.adjoint.it.TestSupport.uniform;
import static dev.adjoint.it.TestSupport.verify;

import dev.adjoint.it.TestSupport.Seeds;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;

/** Fan-out: every use of a parameter, local or scalar must contribute to its gradient. */
class FanOutTest {

    /** Closed forms must agree with the generated gradient to this relative accuracy. */
    private static final double CLOSED_FORM_TOLERANCE = 1e-10;

    // ------------------------------------------------------------------ gradient checks

    @Seeds
    void usedTwice(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj W = uniform(r, n, n);
        var f = new FanOut_UsedTwice();
        verify(f, () -> FanOut.usedTwice(sm(W)), () -> f.value(W), () -> f.gradient(sw(W)), W);
        // Closed form: 2(M·Wᵀ + Wᵀ·M), M = W·W.
        SimpleMatrix w = sm(W);
        SimpleMatrix m = w.mult(w);
        SimpleMatrix expected = m.mult(w.transpose()).plus(w.transpose().mult(m)).scale(2);
        f.gradient(W);
        assertMatrixClose(expected.getDDRM(), f.gradW(), CLOSED_FORM_TOLERANCE, "∂/∂W ‖W·W‖²");
    }

    @Seeds
    void usedThrice(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj W = uniform(r, n, n);
        var f = new FanOut_UsedThrice();
        verify(f, () -> FanOut.usedThrice(sm(W)), () -> f.value(W), () -> f.gradient(sw(W)), W);
        SimpleMatrix w = sm(W);
        SimpleMatrix expected = w.mult(w).transpose().scale(3);
        f.gradient(W);
        assertMatrixClose(expected.getDDRM(), f.gradW(), CLOSED_FORM_TOLERANCE, "∂/∂W tr(W³)");
    }

    @Seeds
    void usedThriceEntrywise(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj W = uniform(r, dim(r), dim(r));
        var f = new FanOut_UsedThriceEntrywise();
        verify(f, () -> FanOut.usedThriceEntrywise(sm(W)), () -> f.value(W), () -> f.gradient(sw(W)), W);
        DMatrixRMaj expected = new DMatrixRMaj(W.numRows, W.numCols);
        for (int i = 0; i < W.getNumElements(); i++) {
            double w = W.data[i];
            expected.data[i] = 2 * (w * w + w) * (2 * w + 1);
        }
        f.gradient(W);
        assertMatrixClose(expected, f.gradW(), CLOSED_FORM_TOLERANCE, "∂/∂W ‖W∘W + W‖²");
    }

    @Seeds
    void usedFourTimes(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj W = uniform(r, n, n);
        var f = new FanOut_UsedFourTimes();
        verify(f, () -> FanOut.usedFourTimes(sm(W)), () -> f.value(W), () -> f.gradient(sw(W)), W);
        SimpleMatrix w = sm(W);
        SimpleMatrix expected = w.mult(w).mult(w).transpose().scale(4);
        f.gradient(W);
        assertMatrixClose(expected.getDDRM(), f.gradW(), CLOSED_FORM_TOLERANCE, "∂/∂W tr(W⁴)");
    }

    @Seeds
    void usedFourTimesMixed(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj W = uniform(r, n, n);
        var f = new FanOut_UsedFourTimesMixed();
        verify(f, () -> FanOut.usedFourTimesMixed(sm(W)), () -> f.value(W), () -> f.gradient(sw(W)), W);
    }

    @Seeds
    void localReused(long seed) {
        Random r = new Random(seed);
        int k = dim(r), m = dim(r), n = dim(r);
        DMatrixRMaj W = uniform(r, k, m), x = uniform(r, m, n);
        var f = new FanOut_LocalReused();
        verify(f, () -> FanOut.localReused(sm(W), sm(x)), () -> f.value(W, x), () -> f.gradient(sw(W), sw(x)), W, x);
    }

    @Seeds
    void localReusedTwoExpressions(long seed) {
        Random r = new Random(seed);
        int k = dim(r), m = dim(r), n = dim(r);
        DMatrixRMaj W = uniform(r, k, m), x = uniform(r, m, n), C = uniform(r, k, n);
        var f = new FanOut_LocalReusedTwoExpressions();
        verify(f, () -> FanOut.localReusedTwoExpressions(sm(W), sm(x), sm(C)), () -> f.value(W, x, C),
                () -> f.gradient(sw(W), sw(x), sw(C)), W, x, C);
        // Closed form: L = p·q + p, p = ‖z‖², q = ⟨z, C⟩, z = W·x; ∂L/∂z = 2(q + 1)z + p·C.
        SimpleMatrix z = sm(W).mult(sm(x));
        double p = z.elementMult(z).elementSum();
        double q = z.elementMult(sm(C)).elementSum();
        SimpleMatrix dz = z.scale(2 * (q + 1)).plus(sm(C).scale(p));
        f.gradient(W, x, C);
        assertMatrixClose(dz.mult(sm(x).transpose()).getDDRM(), f.gradW(), CLOSED_FORM_TOLERANCE, "∂/∂W");
        assertMatrixClose(sm(W).transpose().mult(dz).getDDRM(), f.gradX(), CLOSED_FORM_TOLERANCE, "∂/∂x");
        assertMatrixClose(z.scale(p).getDDRM(), f.gradC(), CLOSED_FORM_TOLERANCE, "∂/∂C");
    }

    @Seeds
    void reassignedLocal(long seed) {
        Random r = new Random(seed);
        int k = dim(r), m = dim(r), n = dim(r);
        DMatrixRMaj W = uniform(r, k, m), x = uniform(r, m, n), b = uniform(r, k, 1);
        var f = new FanOut_ReassignedLocal();
        verify(f, () -> FanOut.reassignedLocal(sm(W), sm(x), sm(b)), () -> f.value(W, x, b),
                () -> f.gradient(sw(W), sw(x), sw(b)), W, x, b);
    }

    @Seeds
    void reassignedDouble(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj W = uniform(r, dim(r), dim(r));
        double s = scalar(r, -2, 2);
        var f = new FanOut_ReassignedDouble();
        verify(f, () -> FanOut.reassignedDouble(sm(W), s), () -> f.value(W, s), () -> f.gradient(sw(W), s), W, s);
        // Closed form: t0 = ΣW, t1 = t0² + s, t2 = √(t1² + 1), L = t2·s.
        double t0 = sm(W).elementSum();
        double t1 = t0 * t0 + s;
        double t2 = Math.sqrt(t1 * t1 + 1);
        double dt1 = s * t1 / t2;
        f.gradient(W, s);
        assertRelativelyClose(t2 + dt1, f.gradS(), CLOSED_FORM_TOLERANCE, "∂/∂s");
        DMatrixRMaj expected = new DMatrixRMaj(W.numRows, W.numCols);
        java.util.Arrays.fill(expected.data, 0, expected.getNumElements(), dt1 * 2 * t0);
        assertMatrixClose(expected, f.gradW(), CLOSED_FORM_TOLERANCE, "∂/∂W");
    }

    @Seeds
    void reassignedFromEachOther(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj W = uniform(r, n, n);
        var f = new FanOut_ReassignedFromEachOther();
        verify(f, () -> FanOut.reassignedFromEachOther(sm(W)), () -> f.value(W), () -> f.gradient(sw(W)), W);
        // b = W·Wᵀ + W, L = ‖b‖²: ∂L/∂W = 2(B + Bᵀ)·W + 2B with B = b.
        SimpleMatrix w = sm(W);
        SimpleMatrix b = w.mult(w.transpose()).plus(w);
        SimpleMatrix expected = b.plus(b.transpose()).mult(w).scale(2).plus(b.scale(2));
        f.gradient(W);
        assertMatrixClose(expected.getDDRM(), f.gradW(), CLOSED_FORM_TOLERANCE, "∂/∂W ‖W·Wᵀ + W‖²");
    }

    @Seeds
    void withTranspose(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj W = uniform(r, dim(r), dim(r));
        var f = new FanOut_WithTranspose();
        verify(f, () -> FanOut.withTranspose(sm(W)), () -> f.value(W), () -> f.gradient(sw(W)), W);
        SimpleMatrix w = sm(W);
        SimpleMatrix expected = w.mult(w.transpose()).mult(w).scale(4);
        f.gradient(W);
        assertMatrixClose(expected.getDDRM(), f.gradW(), CLOSED_FORM_TOLERANCE, "∂/∂W ‖W·Wᵀ‖²");
    }

    @Seeds
    void quadraticForm(long seed) {
        Random r = new Random(seed);
        int n = dim(r), k = dim(r);
        DMatrixRMaj W = uniform(r, n, k), A = uniform(r, n, n);
        var f = new FanOut_QuadraticForm();
        verify(f, () -> FanOut.quadraticForm(sm(W), sm(A)), () -> f.value(W, A), () -> f.gradient(sw(W), sw(A)), W, A);
        SimpleMatrix w = sm(W);
        SimpleMatrix a = sm(A);
        f.gradient(W, A);
        assertMatrixClose(a.plus(a.transpose()).mult(w).getDDRM(), f.gradW(), CLOSED_FORM_TOLERANCE, "∂/∂W tr(WᵀAW)");
        assertMatrixClose(w.mult(w.transpose()).getDDRM(), f.gradA(), CLOSED_FORM_TOLERANCE, "∂/∂A tr(WᵀAW)");
    }

    @Seeds
    void scalarInSeveralTerms(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj W = uniform(r, m, n);
        double s = scalar(r, -2, 2);
        var f = new FanOut_ScalarInSeveralTerms();
        verify(f, () -> FanOut.scalarInSeveralTerms(sm(W), s), () -> f.value(W, s), () -> f.gradient(sw(W), s), W, s);
        // ∂s = 2s‖W‖² + ΣW + eˢ + ΣW + mn − (1 − s²)/(1 + s²)²;  ∂W = 2s²W + 2s.
        double sumSq = 0;
        double sum = 0;
        DMatrixRMaj expected = new DMatrixRMaj(m, n);
        for (int i = 0; i < W.getNumElements(); i++) {
            sumSq += W.data[i] * W.data[i];
            sum += W.data[i];
            expected.data[i] = 2 * s * s * W.data[i] + 2 * s;
        }
        double ds = 2 * s * sumSq + 2 * sum + Math.exp(s) + m * n - (1 - s * s) / ((1 + s * s) * (1 + s * s));
        f.gradient(W, s);
        assertRelativelyClose(ds, f.gradS(), CLOSED_FORM_TOLERANCE, "∂/∂s");
        assertMatrixClose(expected, f.gradW(), CLOSED_FORM_TOLERANCE, "∂/∂W");
    }

    @Seeds
    void scalarAsCoefficientAndFactor(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), W = uniform(r, m, n);
        double s = TestSupport.awayFromZero(r, 0.5, 2);
        var f = new FanOut_ScalarAsCoefficientAndFactor();
        verify(f, () -> FanOut.scalarAsCoefficientAndFactor(sm(A), sm(W), s), () -> f.value(A, W, s),
                () -> f.gradient(sw(A), sw(W), s), A, W, s);
    }

    // ------------------------------------------------------------------ SPEC reference gradients

    @Seeds
    void tiedAutoencoder(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r), samples = dim(r);
        DMatrixRMaj W = uniform(r, m, n), x = uniform(r, n, samples);
        var f = new FanOut_TiedAutoencoder();
        verify(f, () -> FanOut.tiedAutoencoder(sm(W), sm(x)), () -> f.value(W, x), () -> f.gradient(sw(W), sw(x)), W, x);
        // SPEC: ∂L/∂W = W·r·xᵀ + W·x·rᵀ, r = WᵀWx − x.
        SimpleMatrix w = sm(W);
        SimpleMatrix xs = sm(x);
        SimpleMatrix res = w.transpose().mult(w).mult(xs).minus(xs);
        SimpleMatrix expected = w.mult(res).mult(xs.transpose()).plus(w.mult(xs).mult(res.transpose()));
        f.gradient(W, x);
        assertMatrixClose(expected.getDDRM(), f.gradW(), CLOSED_FORM_TOLERANCE, "SPEC autoencoder ∂L/∂W");
    }

    @Seeds
    void mlp(long seed) {
        Random r = new Random(seed);
        int d = dim(r), hidden = dim(r), k = 1 + dim(r), samples = dim(r);
        DMatrixRMaj W1 = uniform(r, hidden, d), b1 = uniform(r, hidden, 1), W2 = uniform(r, k, hidden),
                b2 = uniform(r, k, 1), X = uniform(r, d, samples, -2, 2);
        // Gradient check with a general (not one-hot) Y.
        DMatrixRMaj Yg = uniform(r, k, samples, 0, 1);
        var f = new FanOut_Mlp();
        verify(f, () -> FanOut.mlp(sm(W1), sm(b1), sm(W2), sm(b2), sm(X), sm(Yg)), () -> f.value(W1, b1, W2, b2, X, Yg),
                () -> f.gradient(sw(W1), sw(b1), sw(W2), sw(b2), sw(X), sw(Yg)), W1, b1, W2, b2, X, Yg);

        // SPEC closed form, valid for one-hot Y.
        DMatrixRMaj Y = new DMatrixRMaj(k, samples);
        for (int j = 0; j < samples; j++) {
            Y.set(r.nextInt(k), j, 1.0);
        }
        f.gradient(W1, b1, W2, b2, X, Y);
        SimpleMatrix z1 = sm(W1).mult(sm(X));
        for (int i = 0; i < hidden; i++) {
            for (int j = 0; j < samples; j++) {
                z1.set(i, j, z1.get(i, j) + b1.get(i, 0));
            }
        }
        SimpleMatrix h = z1.copy();
        SimpleMatrix swishPrime = z1.copy();
        for (int i = 0; i < z1.getNumElements(); i++) {
            double z = z1.get(i);
            double sig = 1 / (1 + Math.exp(-z));
            h.set(i, z * sig);
            swishPrime.set(i, sig + z * sig * (1 - sig));
        }
        SimpleMatrix z2 = sm(W2).mult(h);
        SimpleMatrix delta2 = new SimpleMatrix(k, samples);
        for (int j = 0; j < samples; j++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < k; i++) {
                max = Math.max(max, z2.get(i, j) + b2.get(i, 0));
            }
            double sum = 0;
            for (int i = 0; i < k; i++) {
                sum += Math.exp(z2.get(i, j) + b2.get(i, 0) - max);
            }
            for (int i = 0; i < k; i++) {
                double p = Math.exp(z2.get(i, j) + b2.get(i, 0) - max) / sum;
                delta2.set(i, j, (p - Y.get(i, j)) / samples);
            }
        }
        SimpleMatrix ones = SimpleMatrix.ones(samples, 1);
        SimpleMatrix delta1 = sm(W2).transpose().mult(delta2).elementMult(swishPrime);
        assertMatrixClose(delta2.mult(h.transpose()).getDDRM(), f.gradW2(), CLOSED_FORM_TOLERANCE, "SPEC mlp ∂W2");
        assertMatrixClose(delta2.mult(ones).getDDRM(), f.gradB2(), CLOSED_FORM_TOLERANCE, "SPEC mlp ∂b2");
        assertMatrixClose(delta1.mult(sm(X).transpose()).getDDRM(), f.gradW1(), CLOSED_FORM_TOLERANCE, "SPEC mlp ∂W1");
        assertMatrixClose(delta1.mult(ones).getDDRM(), f.gradB1(), CLOSED_FORM_TOLERANCE, "SPEC mlp ∂b1");
    }

    @Seeds
    void gplvm(long seed) {
        Random r = new Random(seed);
        int n = dim(r), q = dim(r), dims = dim(r);
        DMatrixRMaj X = uniform(r, n, q), Y = uniform(r, n, dims);
        double alpha = scalar(r, 0.5, 2), beta = scalar(r, 0.5, 2);
        var f = new FanOut_Gplvm();
        verify(f, () -> FanOut.gplvm(sm(X), alpha, beta, sm(Y)), () -> f.value(X, alpha, beta, Y),
                () -> f.gradient(sw(X), alpha, beta, sw(Y)), X, alpha, beta, Y);
        // SPEC: G = ½(K⁻¹YYᵀK⁻¹ − D·K⁻¹); ∂X = 2αGX; ∂α = tr(G·XXᵀ); ∂β = −tr(G)/β².
        SimpleMatrix x = sm(X);
        SimpleMatrix y = sm(Y);
        SimpleMatrix k = x.mult(x.transpose()).scale(alpha).plus(SimpleMatrix.identity(n).divide(beta));
        SimpleMatrix ki = k.invert();
        SimpleMatrix g = ki.mult(y).mult(y.transpose()).mult(ki).minus(ki.scale(dims)).scale(0.5);
        f.gradient(X, alpha, beta, Y);
        assertMatrixClose(g.mult(x).scale(2 * alpha).getDDRM(), f.gradX(), 1e-9, "SPEC gplvm ∂X");
        assertRelativelyClose(g.mult(x).mult(x.transpose()).trace(), f.gradAlpha(), 1e-9, "SPEC gplvm ∂alpha");
        assertRelativelyClose(-g.trace() / (beta * beta), f.gradBeta(), 1e-9, "SPEC gplvm ∂beta");
    }
}
