package dev.adjoint.bench;

import static dev.adjoint.runtime.Ops.*;

import dev.adjoint.Differentiable;
import dev.adjoint.Precision;
import org.ejml.simple.SimpleMatrix;

/**
 * The three losses of the Adjoint SPEC, copied exactly, and the GP-LVM written with
 * {@code K.solve(Y)}. The processor generates {@link BenchLosses_TiedAutoencoder},
 * {@link BenchLosses_Mlp} (and their float32 twins {@code _F32}, timed by {@link Float32Benchmark}),
 * {@link BenchLosses_Gplvm} and {@link BenchLosses_GplvmSolve}; and a tanh RNN
 * with a loop over time steps ({@link BenchLosses_Rnn}), not in the SPEC.
 * The method bodies use {@code numRows()}/{@code numCols()} exactly as the SPEC writes them, which
 * EJML 0.44 deprecates; hence the suppression.
 */
@SuppressWarnings("deprecation")
public final class BenchLosses {
    private BenchLosses() {}

    /** Tied-weight linear autoencoder: W is m x n, x is n x 1 (or n x N, one sample per column). */
    @Differentiable(wrt = "W", precision = {Precision.DOUBLE, Precision.FLOAT})
    static double tiedAutoencoder(SimpleMatrix W, SimpleMatrix x) {
        SimpleMatrix r = W.transpose().mult(W).mult(x).minus(x);
        return 0.5 * sumSquares(r);
    }

    /** Two-layer network, Swish hidden units, softmax cross-entropy. Columns of X, Y are samples. */
    @Differentiable(wrt = {"W1", "b1", "W2", "b2"}, precision = {Precision.DOUBLE, Precision.FLOAT})
    static double mlp(SimpleMatrix W1, SimpleMatrix b1, SimpleMatrix W2, SimpleMatrix b2,
                      SimpleMatrix X, SimpleMatrix Y) {
        SimpleMatrix h = swish(addColumn(W1.mult(X), b1));
        return softmaxCrossEntropy(addColumn(W2.mult(h), b2), Y);
    }

    /** Linear-kernel GP-LVM log-likelihood without its constant. Rows of X (N x q) and Y (N x D) are points. */
    @Differentiable(wrt = {"X", "alpha", "beta"})
    static double gplvm(SimpleMatrix X, double alpha, double beta, SimpleMatrix Y) {
        int n = X.numRows();
        double d = Y.numCols();
        SimpleMatrix K = X.mult(X.transpose()).scale(alpha).plus(SimpleMatrix.identity(n).divide(beta));
        return -d / 2 * logDet(K) - 0.5 * K.invert().mult(Y).mult(Y.transpose()).trace();
    }

    /**
     * The same GP-LVM log-likelihood written with {@code K.solve(Y)} in place of
     * {@code K.invert().mult(Y)}: the one-token change a user makes after reading that solving is
     * better than inverting. Not in the SPEC; issue 7's eighth workload.
     */
    @Differentiable(wrt = {"X", "alpha", "beta"})
    static double gplvmSolve(SimpleMatrix X, double alpha, double beta, SimpleMatrix Y) {
        int n = X.numRows();
        double d = Y.numCols();
        SimpleMatrix K = X.mult(X.transpose()).scale(alpha).plus(SimpleMatrix.identity(n).divide(beta));
        return -d / 2 * logDet(K) - 0.5 * K.solve(Y).mult(Y.transpose()).trace();
    }

    /**
     * A tanh RNN over the columns of X (T = X.numCols()): h ← tanh(W·h + U·xₜ + b), loss
     * Σₜ ½‖hₜ‖² + Σ h_T. W is H×H, U is H×D, b and h0 are H×1, X is D×T. The same body as the
     * integration tests' {@code ControlFlow.rnn}; timed by {@link RnnBenchmark}.
     */
    @Differentiable(wrt = {"W", "U", "b", "h0"})
    static double rnn(SimpleMatrix W, SimpleMatrix U, SimpleMatrix b, SimpleMatrix h0, SimpleMatrix X) {
        SimpleMatrix h = h0;
        double loss = 0;
        for (int t = 0; t < X.numCols(); t++) {
            h = tanh(W.mult(h).plus(U.mult(X.getColumn(t))).plus(b));
            loss += 0.5 * sumSquares(h);
        }
        return loss + h.elementSum();
    }
}
