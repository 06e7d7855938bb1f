package dev.adjoint.bench;

import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;

/**
 * Checks, once per benchmark trial, that a baseline computes the same numbers as the generated
 * class, so that the timings compare equal work. Relative difference above {@link #TOLERANCE}
 * throws, which makes JMH fail the benchmark.
 */
final class Agreement {
    static final double TOLERANCE = 1e-9;

    private Agreement() {}

    /** ‖actual − expected‖_F / ‖expected‖_F must not exceed {@link #TOLERANCE}. */
    static void check(String what, DMatrixRMaj actual, DMatrixRMaj expected) {
        if (actual.numRows != expected.numRows || actual.numCols != expected.numCols) {
            throw new IllegalStateException(what + ": shape " + actual.numRows + "x" + actual.numCols
                    + " but the generated class gives " + expected.numRows + "x" + expected.numCols);
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0, n = expected.getNumElements(); i < n; i++) {
            double e = expected.data[i];
            double dlt = actual.data[i] - e;
            diff += dlt * dlt;
            norm += e * e;
        }
        report(what, Math.sqrt(diff), Math.sqrt(norm));
    }

    static void check(String what, SimpleMatrix actual, DMatrixRMaj expected) {
        check(what, actual.getDDRM(), expected);
    }

    /** |actual − expected| / |expected| must not exceed {@link #TOLERANCE}. */
    static void check(String what, double actual, double expected) {
        report(what, Math.abs(actual - expected), Math.abs(expected));
    }

    private static void report(String what, double diff, double norm) {
        double relative = norm == 0 ? diff : diff / norm;
        if (!(relative <= TOLERANCE)) { // also rejects NaN
            throw new IllegalStateException(what + " disagrees with the generated class: relative difference "
                    + relative + " > " + TOLERANCE);
        }
    }

    /** A rows×cols matrix of independent N(0, scale²) entries from {@code random}. */
    static DMatrixRMaj gaussian(java.util.Random random, int rows, int cols, double scale) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = scale * random.nextGaussian();
        }
        return m;
    }
}
