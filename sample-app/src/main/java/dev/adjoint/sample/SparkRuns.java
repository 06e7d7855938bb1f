package dev.adjoint.sample;

import demo.Losses_Mlp;
import demo.Losses_TiedAutoencoder;
import dev.adjoint.runtime.DifferentiableFunction;
import dev.adjoint.spark.AdjointSpark;
import dev.adjoint.spark.Reduction;
import dev.adjoint.spark.SparkLoss;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.ejml.data.DMatrixRMaj;

/**
 * The {@code --spark MASTER} runs: the same generated classes, evaluated data-parallel through
 * {@code adjoint-spark}. Only this class refers to Spark, so runs without {@code --spark} never
 * load it.
 */
final class SparkRuns {
    private SparkRuns() {}

    /** A loss on Spark and the context it runs on; closing it stops the context. */
    static final class Distributed implements AutoCloseable {
        private final JavaSparkContext sc;
        private final SparkLoss loss;

        private Distributed(JavaSparkContext sc, SparkLoss loss) {
            this.sc = sc;
            this.loss = loss;
        }

        DifferentiableFunction loss() {
            return loss;
        }

        int evaluationsPerEpoch() {
            return loss.evaluationsPerEpoch();
        }

        long lastSamples() {
            return loss.lastSamples();
        }

        String description() {
            return String.format(Locale.ROOT, "master %s, %d samples in %d blocks, %s", sc.master(), loss.samples(),
                    loss.blockCount(), loss.fullBatch() ? "full batch"
                            : "one block per step (" + loss.evaluationsPerEpoch() + " steps per epoch)");
        }

        @Override
        public void close() {
            try {
                loss.close();
            } finally {
                sc.close();
            }
        }
    }

    private static JavaSparkContext context(String master) {
        JavaSparkContext sc = AdjointSpark.context("adjoint-sample", master);
        sc.setLogLevel("WARN");
        return sc;
    }

    /** The autoencoder's loss ½‖WᵀWX − X‖², a sum over the columns of X, full batch (for L-BFGS). */
    static Distributed autoencoder(String master, DMatrixRMaj x) {
        JavaSparkContext sc = context(master);
        try {
            return new Distributed(sc, SparkLoss.builder(Losses_TiedAutoencoder::new, Reduction.SUM)
                    .data("x").build(sc, x));
        } catch (RuntimeException e) {
            sc.close();
            throw e;
        }
    }

    /**
     * The MLP's softmax cross-entropy, a mean over the columns of X and Y, in blocks of
     * {@code batch} columns, one block per evaluation (for Adam).
     */
    static Distributed mlp(String master, DMatrixRMaj x, DMatrixRMaj y, int batch, long seed) {
        JavaSparkContext sc = context(master);
        try {
            SparkLoss full = SparkLoss.builder(Losses_Mlp::new, Reduction.MEAN)
                    .data("X", "Y").blockColumns(batch).build(sc, x, y);
            return new Distributed(sc, full.minibatches(1, seed));
        } catch (RuntimeException e) {
            sc.close();
            throw e;
        }
    }
}
