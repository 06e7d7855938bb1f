package dev.adjoint.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The --spark option on local[2] (started and stopped by each run), on reduced settings. */
class SparkRunsTest {

    @Test
    void autoencoderThroughSparkPassesTheSameCriterion() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                "autoencoder", "--spark", "local[2]", "--samples", "300", "-m", "4", "--no-pictures");
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text + err.toString(StandardCharsets.UTF_8));
        assertTrue(text.contains("training through Spark: master local[2], 300 samples"), text);
        // The column is as wide as the longest model name ("autoencoder Newton-CG" when that row is there).
        assertTrue(text.lines().anyMatch(l -> l.matches("autoencoder +loss ≤ 1\\.01 × analytic minimum .* pass")), text);
        assertTrue(text.contains("All criteria pass"), text);
    }

    @Test
    void mlpThroughSparkTrainsOnMinibatchBlocks() {
        var config = new MlpExperiment.Config(16, 4, 0.01, 40, 0.2, 500, 7, 8).withSpark("local[2]");
        var r = MlpExperiment.run(Digits.load(), config, Progress.NONE, Log.NONE);
        assertEquals(400, r.trainSize());
        assertTrue(r.gradientCalls() == 4 * 10, "one step per block of 40 images: " + r.gradientCalls());
        assertTrue(r.trainLoss()[4] < r.trainLoss()[0] / 2, "training loss fell: " + r.trainLoss()[0] + " -> "
                + r.trainLoss()[4]);
        assertTrue(r.testAccuracy() > 0.8, "test accuracy " + r.testAccuracy());
    }
}
