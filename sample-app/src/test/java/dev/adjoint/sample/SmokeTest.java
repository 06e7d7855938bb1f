package dev.adjoint.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each model on a reduced setting, asserting the same pass criteria as the full run, and the
 * command line end to end.
 */
class SmokeTest {

    private static Digits digits;

    @BeforeAll
    static void load() {
        System.setProperty("java.awt.headless", "true");
        digits = Digits.load();
    }

    @Test
    void autoencoderReachesTheAnalyticMinimum(@TempDir Path dir) throws IOException {
        var r = AutoencoderExperiment.run(digits, new AutoencoderExperiment.Config(4, 300, 500, 7, 30),
                Progress.NONE, Log.NONE);
        assertTrue(r.gradientCheckError() <= Experiments.GRADIENT_TOLERANCE, "gradient check " + r.gradientCheckError());
        assertTrue(r.ratio() <= AutoencoderExperiment.LOSS_FACTOR, "loss / minimum = " + r.ratio());
        assertTrue(r.ratio() >= 1 - 1e-9, "cannot beat the analytic minimum: " + r.ratio());
        assertTrue(r.maxPrincipalAngleDegrees() < 1, "angle " + r.maxPrincipalAngleDegrees());
        assertTrue(r.passed());
        assertPictures(Pictures.autoencoder(r, dir), "autoencoder-loss.png", "autoencoder-filters.png",
                "autoencoder-reconstructions.png");
    }

    @Test
    void mlpReachesTheTestAccuracy(@TempDir Path dir) throws IOException {
        var r = MlpExperiment.run(digits, new MlpExperiment.Config(32, 12, 0.005, 32, 0.2, 0, 7, 8),
                Progress.NONE, Log.NONE);
        assertTrue(r.gradientCheckError() <= Experiments.GRADIENT_TOLERANCE, "gradient check " + r.gradientCheckError());
        assertTrue(r.testAccuracy() >= MlpExperiment.TEST_ACCURACY, "test accuracy " + r.testAccuracy());
        assertEquals(1797, r.trainSize() + r.testSize());
        assertEquals(359, r.testSize());
        assertTrue(r.trainLoss()[12] < r.trainLoss()[0] / 10, "training loss fell");
        assertTrue(r.passed());
        assertPictures(Pictures.mlp(r, dir), "mlp-loss.png");
    }

    @Test
    void gplvmWithSixtyPointsReachesItsOwnClosedFormMaximum(@TempDir Path dir) throws IOException {
        var r = GplvmExperiment.run(digits, new GplvmExperiment.Config(60, 2, 500, 7, 1e-2, 20),
                Progress.NONE, Log.NONE);
        assertTrue(r.gradientCheckError() <= Experiments.GRADIENT_TOLERANCE, "gradient check " + r.gradientCheckError());
        assertTrue(r.gap() <= GplvmExperiment.RELATIVE_GAP * Math.abs(r.optimum()),
                "L* − L = " + r.gap() + ", L* = " + r.optimum());
        assertTrue(r.maxExcess() <= GplvmExperiment.ROUNDING * Math.abs(r.optimum()), "L exceeded L*: " + r.maxExcess());
        assertTrue(r.passed());
        assertPictures(Pictures.gplvm(r, dir), "gplvm-likelihood.png", "gplvm-latent.png");
    }

    @Test
    void gplvmWithThreeLatentDimensionsToo() {
        var r = GplvmExperiment.run(digits, new GplvmExperiment.Config(50, 3, 500, 3, 1e-2, 10),
                Progress.NONE, Log.NONE);
        assertTrue(r.passed(), "relative gap " + r.relativeGap() + ", excess " + r.maxExcess());
    }

    @Test
    void commandLineRunsASubcommandAndWritesPictures(@TempDir Path dir) {
        Run run = run("gplvm", "--points", "60", "--quiet", "--out", dir.toString());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("gplvm  "), run.out());
        assertTrue(run.out().contains("pass"), run.out());
        assertTrue(run.out().contains("All criteria pass"), run.out());
        assertTrue(!run.out().contains("closed-form maximum L*"), "--quiet prints only the summary");
        assertTrue(Files.isRegularFile(dir.resolve("gplvm-latent.png")));
    }

    @Test
    void inheritedOptionsWorkBeforeTheSubcommandToo(@TempDir Path dir) {
        Run run = run("--quiet", "--out", dir.toString(), "--seed", "3", "autoencoder", "--components", "3",
                "--samples", "200");
        assertEquals(0, run.status(), run.err());
        assertTrue(!run.out().contains("analytic minimum ½"), run.out());
        assertTrue(Files.isRegularFile(dir.resolve("autoencoder-filters.png")));
    }

    @Test
    void failedCriterionGivesANonZeroExitStatus(@TempDir Path dir) {
        // One L-BFGS iteration cannot reach the minimum.
        Run run = run("autoencoder", "--iterations", "1", "--quiet", "--no-pictures", "--out", dir.toString());
        assertEquals(Main.FAILED, run.status(), run.out());
        assertTrue(run.out().contains("FAIL"), run.out());
    }

    @Test
    void malformedDataFileIsReportedWithItsLine(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "1,2,3\n");
        Run run = run("mlp", "--data", bad.toString(), "--quiet");
        assertEquals(Main.IO_ERROR, run.status());
        assertEquals("error: " + bad + ", line 1: expected 65 comma-separated values (64 pixels and a label) but found 3",
                run.err().strip());
    }

    @Test
    void unknownOptionIsAUsageError() {
        Run run = run("mlp", "--epoch", "3");
        assertEquals(2, run.status());
        assertTrue(run.err().contains("Unknown option") && run.err().contains("'--epoch'"), run.err());
    }

    @Test
    void allRunsTheThreeModelsWithTheirDefaults(@TempDir Path dir) throws IOException {
        long start = System.nanoTime();
        Run run = run("--quiet", "--out", dir.toString());
        double seconds = (System.nanoTime() - start) * 1e-9;
        assertEquals(0, run.status(), run.out() + run.err());
        for (String model : List.of("autoencoder", "mlp", "gplvm")) {
            assertTrue(run.out().lines().anyMatch(l -> l.startsWith(model + " ") && l.endsWith("pass")), run.out());
        }
        try (var files = Files.list(dir)) {
            assertEquals(6, files.filter(p -> p.toString().endsWith(".png")).count());
        }
        assertTrue(seconds < 60, "all took " + seconds + " s");
    }

    private static void assertPictures(List<Path> files, String... names) throws IOException {
        assertEquals(names.length, files.size());
        for (int i = 0; i < names.length; i++) {
            Path f = files.get(i);
            assertEquals(names[i], f.getFileName().toString());
            byte[] head = Files.readAllBytes(f);
            assertTrue(head.length > 2000, f + " is only " + head.length + " bytes");
            assertEquals((byte) 0x89, head[0]);
            assertEquals('P', head[1]);
            assertEquals('N', head[2]);
            assertEquals('G', head[3]);
        }
    }

    record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(o, e, args);
        }
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
