package dev.adjoint.bench;

import dev.adjoint.runtime.DifferentiableFunction;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;

/**
 * Inputs of the benchmark workloads and the agreement checks every benchmark's {@code @Setup}
 * runs before timing (and the unit tests run at small sizes): the hand-optimal value, loss and
 * every gradient must match the generated class to {@link Agreement#TOLERANCE}.
 */
final class Workloads {
    /** The GP-LVM's fixed hyperparameters in every workload. */
    static final double ALPHA = 0.5;
    static final double BETA = 2.0;

    private Workloads() {}

    /** "64x784x1" → {64, 784, 1}. */
    static int[] dims(String shape, int count) {
        String[] parts = shape.split("x");
        if (parts.length != count) {
            throw new IllegalArgumentException("shape " + shape + " needs " + count + " sizes separated by x");
        }
        int[] dims = new int[count];
        for (int i = 0; i < count; i++) {
            dims[i] = Integer.parseInt(parts[i].trim());
        }
        return dims;
    }

    static void checkAutoencoder(BenchLosses_TiedAutoencoder generated, HandOptimalAutoencoder handOptimal,
                                 DMatrixRMaj W, DMatrixRMaj X) {
        double loss = generated.gradient(W, X);
        Agreement.check("autoencoder generated value()", generated.value(W, X), loss);
        Agreement.check("hand-optimal autoencoder value()", handOptimal.value(W, X), loss);
        Agreement.check("hand-optimal autoencoder loss", handOptimal.gradient(W, X), loss);
        Agreement.check("hand-optimal autoencoder dW", handOptimal.gradW(), generated.gradW());
    }

    /** {W1, b1, W2, b2, X, Y}: seeded Gaussian weights and inputs, one-hot columns of Y. */
    static DMatrixRMaj[] mlpArguments(Random random, int inputs, int hidden, int classes, int batch) {
        DMatrixRMaj W1 = Agreement.gaussian(random, hidden, inputs, 1.0 / Math.sqrt(inputs));
        DMatrixRMaj b1 = Agreement.gaussian(random, hidden, 1, 0.1);
        DMatrixRMaj W2 = Agreement.gaussian(random, classes, hidden, 1.0 / Math.sqrt(hidden));
        DMatrixRMaj b2 = Agreement.gaussian(random, classes, 1, 0.1);
        DMatrixRMaj X = Agreement.gaussian(random, inputs, batch, 1.0);
        DMatrixRMaj Y = new DMatrixRMaj(classes, batch);
        for (int j = 0; j < batch; j++) {
            Y.set(random.nextInt(classes), j, 1.0);
        }
        return new DMatrixRMaj[] {W1, b1, W2, b2, X, Y};
    }

    static void checkMlp(BenchLosses_Mlp generated, HandOptimalMlp handOptimal, DMatrixRMaj[] a) {
        double loss = generated.gradient(a[0], a[1], a[2], a[3], a[4], a[5]);
        Agreement.check("mlp generated value()", generated.value(a[0], a[1], a[2], a[3], a[4], a[5]), loss);
        Agreement.check("hand-optimal mlp value()", handOptimal.value(a[0], a[1], a[2], a[3], a[4], a[5]), loss);
        Agreement.check("hand-optimal mlp loss", handOptimal.gradient(a[0], a[1], a[2], a[3], a[4], a[5]), loss);
        Agreement.check("hand-optimal mlp dW1", handOptimal.gradW1(), generated.gradW1());
        Agreement.check("hand-optimal mlp db1", handOptimal.gradB1(), generated.gradB1());
        Agreement.check("hand-optimal mlp dW2", handOptimal.gradW2(), generated.gradW2());
        Agreement.check("hand-optimal mlp db2", handOptimal.gradB2(), generated.gradB2());
    }

    /** {X, Y}: X N×q with N(0, 1) entries, Y N×D with N(0, 1) entries. */
    static DMatrixRMaj[] gplvmArguments(Random random, int n, int q, int d) {
        return new DMatrixRMaj[] {Agreement.gaussian(random, n, q, 1.0), Agreement.gaussian(random, n, d, 1.0)};
    }

    /**
     * Checks both hand-written GP-LVMs (the Woodbury one and, if not null, the dense one) against a
     * generated GP-LVM class ({@code BenchLosses_Gplvm} or {@code BenchLosses_GplvmSolve}, whose
     * parameters are X, alpha, beta, Y).
     */
    static void checkGplvm(DifferentiableFunction generated, HandOptimalGplvm handOptimal,
                           HandWrittenDenseGplvm dense, DMatrixRMaj X, double alpha, double beta, DMatrixRMaj Y) {
        String name = generated.name();
        double loss = generated.gradient(X, alpha, beta, Y);
        DMatrixRMaj gradX = generated.gradientOf(0);
        double gradAlpha = generated.gradientOf(1).get(0);
        double gradBeta = generated.gradientOf(2).get(0);
        Agreement.check(name + " value()", generated.value(X, alpha, beta, Y), loss);
        Agreement.check("hand-optimal gplvm value() vs " + name, handOptimal.value(X, alpha, beta, Y), loss);
        Agreement.check("hand-optimal gplvm loss vs " + name, handOptimal.gradient(X, alpha, beta, Y), loss);
        Agreement.check("hand-optimal gplvm dX vs " + name, handOptimal.gradX(), gradX);
        Agreement.check("hand-optimal gplvm dalpha vs " + name, handOptimal.gradAlpha(), gradAlpha);
        Agreement.check("hand-optimal gplvm dbeta vs " + name, handOptimal.gradBeta(), gradBeta);
        if (dense != null) {
            Agreement.check("dense gplvm value() vs " + name, dense.value(X, alpha, beta, Y), loss);
            Agreement.check("dense gplvm loss vs " + name, dense.gradient(X, alpha, beta, Y), loss);
            Agreement.check("dense gplvm dX vs " + name, dense.gradX(), gradX);
            Agreement.check("dense gplvm dalpha vs " + name, dense.gradAlpha(), gradAlpha);
            Agreement.check("dense gplvm dbeta vs " + name, dense.gradBeta(), gradBeta);
        }
    }

    /**
     * {W, U, b, h0, X} of the tanh RNN: W H×H with N(0, (0.5/√H)²) entries (spectral radius about
     * 0.5, so the recurrence neither explodes nor saturates), U H×D scaled by 1/√D, b and h0 H×1
     * scaled by 0.1, X D×T N(0, 1).
     */
    static DMatrixRMaj[] rnnArguments(Random random, int hidden, int inputs, int steps) {
        DMatrixRMaj W = Agreement.gaussian(random, hidden, hidden, 0.5 / Math.sqrt(hidden));
        DMatrixRMaj U = Agreement.gaussian(random, hidden, inputs, 1.0 / Math.sqrt(inputs));
        DMatrixRMaj b = Agreement.gaussian(random, hidden, 1, 0.1);
        DMatrixRMaj h0 = Agreement.gaussian(random, hidden, 1, 0.1);
        DMatrixRMaj X = Agreement.gaussian(random, inputs, steps, 1.0);
        return new DMatrixRMaj[] {W, U, b, h0, X};
    }

    static void checkRnn(BenchLosses_Rnn generated, HandOptimalRnn handOptimal, DMatrixRMaj[] a) {
        double loss = generated.gradient(a[0], a[1], a[2], a[3], a[4]);
        Agreement.check("rnn generated value()", generated.value(a[0], a[1], a[2], a[3], a[4]), loss);
        Agreement.check("hand-optimal rnn value()", handOptimal.value(a[0], a[1], a[2], a[3], a[4]), loss);
        Agreement.check("hand-optimal rnn loss", handOptimal.gradient(a[0], a[1], a[2], a[3], a[4]), loss);
        Agreement.check("hand-optimal rnn dW", handOptimal.gradW(), generated.gradW());
        Agreement.check("hand-optimal rnn dU", handOptimal.gradU(), generated.gradU());
        Agreement.check("hand-optimal rnn db", handOptimal.gradB(), generated.gradB());
        Agreement.check("hand-optimal rnn dh0", handOptimal.gradH0(), generated.gradH0());
    }
}
