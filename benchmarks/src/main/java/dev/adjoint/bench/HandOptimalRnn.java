package dev.adjoint.bench;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The tanh RNN of {@link BenchLosses#rnn}, forward and backward through time, written as a careful
 * engineer writes it with EJML's procedural API and plain loops, single thread, no allocation per
 * call once shapes repeat, inputs never modified. W is H×H, U is H×D, b and h₀ are H×1, X is D×T
 * with xₜ its t-th column:
 * <pre>
 * aₜ = W·hₜ₋₁ + U·xₜ + b,   hₜ = tanh(aₜ)   (t = 1..T),
 * L  = Σₜ ½‖hₜ‖² + 1ᵀh_T;
 * ∂h_T = h_T + 1,   gₜ = ∂hₜ ∘ (1 − hₜ²),   ∂hₜ₋₁ = Wᵀ·gₜ + hₜ₋₁ (t ≥ 2),   ∂h₀ = Wᵀ·g₁,
 * ∂W = Σₜ gₜ·hₜ₋₁ᵀ = G·Hᵀ,   ∂U = Σₜ gₜ·xₜᵀ = G·Xᵀ,   ∂b = Σₜ gₜ = G·1,
 * </pre>
 * where G = [g₁ … g_T] (H×T) and H = [h₀ … h_{T−1}] (stored as its transpose, one row per state).
 *
 * <ul>
 * <li>U·xₜ for every t is one product, U·X (H×D times D×T), before the recurrence; each step is
 *     then one loop forming W·hₜ₋₁ + (U·X)₍:,t₎ + b (a dot product per row of W, onto the bias and
 *     input term) and one applying tanh and adding ½‖hₜ‖² to the loss.
 * <li>The gradient's forward pass stores every state: h₀ … h_{T−1} as the rows of one T×H matrix
 *     (contiguous, grown only when T·H grows) and h_T in a vector. {@code value()} keeps two
 *     vectors only.
 * <li>The backward pass forms gₜ with tanh′ from the output (1 − hₜ²) straight into column t of G,
 *     and ∂hₜ₋₁ = hₜ₋₁ + Wᵀ·gₜ as H row axpys of W in the same loop (W read along its rows, no
 *     transposed copy). Nothing else happens per step: no product with U or X, no recomputation of
 *     the forward step.
 * <li>The parameter gradients are one product each after the loop: ∂W = G·H and ∂U = G·Xᵀ
 *     ({@code mult} on the stored T×H states and a transposed copy of X: EJML's row-axpy kernel,
 *     not {@code multTransB}'s T-long dot products); ∂b = G·1 as row sums.
 * </ul>
 *
 * <p>The per-step products are W·hₜ₋₁ and Wᵀ·gₜ on 1-D {@code data} arrays at different offsets;
 * C2 (JDK 17) does not vectorize those loops (it cannot rule out that the two arrays overlap), so
 * they run at scalar speed in this class and in the generated one alike. Holding the rows of W (or
 * Wᵀ) as a {@code double[][]}, every access indexed by the same loop variable, lets it vectorize
 * them (about 2.5× faster for H = 64 in a microbenchmark); that is outside EJML's procedural API and
 * not done here.
 *
 * <p>Not thread-safe: one instance per thread.
 */
public final class HandOptimalRnn {
    /** U·X, H×T. */
    private final DMatrixRMaj ux = new DMatrixRMaj(1, 1);
    /** value(): the previous and the next state. */
    private final DMatrixRMaj hA = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj hB = new DMatrixRMaj(1, 1);
    /** gradient(): h₀ … h_{T−1}, one state per row (T×H). */
    private final DMatrixRMaj states = new DMatrixRMaj(1, 1);
    /** gradient(): h_T. */
    private final DMatrixRMaj hLast = new DMatrixRMaj(1, 1);
    /** G = [g₁ … g_T], H×T. */
    private final DMatrixRMaj g = new DMatrixRMaj(1, 1);
    /** ∂hₜ during the backward pass (two vectors, swapped each step). */
    private final DMatrixRMaj dhA = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj dhB = new DMatrixRMaj(1, 1);
    /** Xᵀ, T×D. */
    private final DMatrixRMaj xt = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj gradW = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj gradU = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj gradB = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj gradH0 = new DMatrixRMaj(1, 1);

    /** The loss alone (forward pass only). Inputs are not modified. */
    public double value(DMatrixRMaj W, DMatrixRMaj U, DMatrixRMaj b, DMatrixRMaj h0, DMatrixRMaj X) {
        checkShapes(W, U, b, h0, X);
        int hidden = W.numRows;
        int steps = X.numCols;
        CommonOps_DDRM.mult(U, X, ux);
        hA.reshape(hidden, 1);
        hB.reshape(hidden, 1);
        System.arraycopy(h0.data, 0, hA.data, 0, hidden);
        double[] prev = hA.data;
        double[] next = hB.data;
        double loss = 0;
        for (int t = 0; t < steps; t++) {
            loss += step(W.data, hidden, prev, 0, ux.data, t, steps, b.data, next, 0);
            double[] swap = prev;
            prev = next;
            next = swap;
        }
        double sum = 0;
        for (int i = 0; i < hidden; i++) {
            sum += prev[i];
        }
        return loss + sum;
    }

    /** Loss and gradients; read them with the {@code grad...()} accessors. Inputs are not modified. */
    public double gradient(DMatrixRMaj W, DMatrixRMaj U, DMatrixRMaj b, DMatrixRMaj h0, DMatrixRMaj X) {
        checkShapes(W, U, b, h0, X);
        int hidden = W.numRows;
        int inputs = U.numCols;
        int steps = X.numCols;
        gradW.reshape(hidden, hidden);
        gradU.reshape(hidden, inputs);
        gradB.reshape(hidden, 1);
        gradH0.reshape(hidden, 1);
        hLast.reshape(hidden, 1);
        if (steps == 0) {
            CommonOps_DDRM.fill(gradW, 0);
            CommonOps_DDRM.fill(gradU, 0);
            CommonOps_DDRM.fill(gradB, 0);
            CommonOps_DDRM.fill(gradH0, 1);
            return CommonOps_DDRM.elementSum(h0);
        }
        double[] w = W.data;

        // Forward: states row t = hₜ (t < T), hLast = h_T.
        CommonOps_DDRM.mult(U, X, ux);
        states.reshape(steps, hidden);
        double[] s = states.data;
        System.arraycopy(h0.data, 0, s, 0, hidden);
        double loss = 0;
        for (int t = 0; t < steps; t++) {
            if (t + 1 < steps) {
                loss += step(W.data, hidden, s, t * hidden, ux.data, t, steps, b.data, s, (t + 1) * hidden);
            } else {
                loss += step(W.data, hidden, s, t * hidden, ux.data, t, steps, b.data, hLast.data, 0);
            }
        }
        double[] hT = hLast.data;
        double sum = 0;
        for (int i = 0; i < hidden; i++) {
            sum += hT[i];
        }

        // Backward: ∂h_T = h_T + 1; gₜ = ∂hₜ ∘ (1 − hₜ²) into column t of G; ∂hₜ₋₁ = Wᵀgₜ (+ hₜ₋₁).
        g.reshape(hidden, steps);
        dhA.reshape(hidden, 1);
        dhB.reshape(hidden, 1);
        double[] gd = g.data;
        double[] dh = dhA.data;
        double[] dhPrev = dhB.data;
        for (int i = 0; i < hidden; i++) {
            dh[i] = hT[i] + 1.0;
        }
        for (int t = steps - 1; t >= 0; t--) {
            // hₜ (the output of step t, 0-based) is row t + 1 of the states, or h_T.
            double[] out = t + 1 < steps ? s : hT;
            int outOffset = t + 1 < steps ? (t + 1) * hidden : 0;
            double[] dst = t == 0 ? gradH0.data : dhPrev;
            if (t == 0) {
                Arrays.fill(dst, 0, hidden, 0.0);
            } else {
                System.arraycopy(s, t * hidden, dst, 0, hidden); // the ½‖hₜ₋₁‖² term
            }
            for (int i = 0, wi = 0; i < hidden; i++, wi += hidden) {
                double hi = out[outOffset + i];
                double gi = dh[i] * (1.0 - hi * hi);
                gd[i * steps + t] = gi;
                for (int j = 0; j < hidden; j++) {
                    dst[j] += w[wi + j] * gi;
                }
            }
            double[] swap = dh;
            dh = dhPrev;
            dhPrev = swap;
        }

        // ∂W = G·H (H = the T×H states h₀ … h_{T−1}), ∂U = G·Xᵀ, ∂b = G·1.
        CommonOps_DDRM.mult(g, states, gradW);
        CommonOps_DDRM.transpose(X, xt);
        CommonOps_DDRM.mult(g, xt, gradU);
        double[] db = gradB.data;
        for (int i = 0, idx = 0; i < hidden; i++) {
            double rowSum = 0;
            for (int t = 0; t < steps; t++, idx++) {
                rowSum += gd[idx];
            }
            db[i] = rowSum;
        }
        return loss + sum;
    }

    public DMatrixRMaj gradW() {
        return gradW;
    }

    public DMatrixRMaj gradU() {
        return gradU;
    }

    public DMatrixRMaj gradB() {
        return gradB;
    }

    public DMatrixRMaj gradH0() {
        return gradH0;
    }

    /**
     * One step of the recurrence: out = tanh(W·prev + (U·X)₍:,t₎ + b) at {@code outOffset}, from
     * prev at {@code prevOffset}; returns ½‖out‖². The pre-activations are written first and tanh
     * applied in a second loop: with the call to {@code Math.tanh} inside the loop over rows, the
     * forward pass ran 1.3× (H = 16) to 1.65× (H = 64) slower.
     */
    private static double step(double[] w, int hidden, double[] prev, int prevOffset, double[] ux, int t, int steps,
                               double[] b, double[] out, int outOffset) {
        for (int i = 0, wi = 0; i < hidden; i++, wi += hidden) {
            double a = b[i] + ux[i * steps + t];
            for (int j = 0; j < hidden; j++) {
                a += w[wi + j] * prev[prevOffset + j];
            }
            out[outOffset + i] = a;
        }
        double half = 0;
        for (int i = 0; i < hidden; i++) {
            double h = Math.tanh(out[outOffset + i]);
            out[outOffset + i] = h;
            half += h * h;
        }
        return 0.5 * half;
    }

    private static void checkShapes(DMatrixRMaj W, DMatrixRMaj U, DMatrixRMaj b, DMatrixRMaj h0, DMatrixRMaj X) {
        int hidden = W.numRows;
        if (W.numCols != hidden || U.numRows != hidden || U.numCols != X.numRows
                || b.numRows != hidden || b.numCols != 1 || h0.numRows != hidden || h0.numCols != 1) {
            throw new IllegalArgumentException("rnn: W " + W.numRows + "x" + W.numCols + ", U " + U.numRows + "x"
                    + U.numCols + ", b " + b.numRows + "x" + b.numCols + ", h0 " + h0.numRows + "x" + h0.numCols
                    + ", X " + X.numRows + "x" + X.numCols + " do not fit W H×H, U H×D, b H×1, h0 H×1, X D×T");
        }
    }
}
