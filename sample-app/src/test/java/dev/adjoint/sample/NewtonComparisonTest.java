package dev.adjoint.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import demo.Losses_Gplvm;
import demo.Losses_Mlp;
import demo.Losses_TiedAutoencoder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Newton-CG against L-BFGS comparison of the autoencoder and the GP-LVM: both optimizers reach
 * the same gradient norm from the same start, at the same loss, and — when the comparison solves
 * the main problem itself — at the closed-form optimum.
 */
class NewtonComparisonTest {

    private static Digits digits;

    @BeforeAll
    static void load() {
        digits = Digits.load();
    }

    @Test
    void theAutoencoderAndTheGplvmAreSecondOrderAndTheMlpIsNot() {
        assertEquals(2, new Losses_TiedAutoencoder().order());
        assertEquals(2, new Losses_Gplvm().order());
        assertEquals(1, new Losses_Mlp().order());
    }

    @Test
    void autoencoderNewtonCgReachesTheAnalyticMinimumWithFewerIterations() {
        // The comparison on the main problem itself (the same 300 images): its loss is the analytic minimum.
        List<String> lines = new ArrayList<>();
        var r = AutoencoderExperiment.run(digits, new AutoencoderExperiment.Config(4, 300, 500, 7, 30, null, 300),
                Progress.NONE, lines::add);
        NewtonComparison.Result c = r.newton();
        assertNotNull(c);
        assertComparison(c);
        assertTrue(c.newton().finalLoss() >= r.minimumLoss() * (1 - 1e-12), "below the analytic minimum");
        assertTrue(c.newton().finalLoss() <= r.minimumLoss() * (1 + 1e-9),
                c.newton().finalLoss() + " vs analytic minimum " + r.minimumLoss());
        assertTrue(lines.stream().anyMatch(l -> l.strip().startsWith("Newton-CG:") && l.contains("Hessian-vector")),
                String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains("both to ‖∇L‖ ≤ 1e-04")), String.join("\n", lines));
    }

    @Test
    void gplvmNewtonCgReachesTheClosedFormMaximumWithFewerIterations() {
        // newtonPoints = points: the comparison solves the main problem (same β, seed, start scale),
        // whose closed-form maximum L* the main run computed.
        var r = GplvmExperiment.run(digits, new GplvmExperiment.Config(60, 2, 500, 7, 1e-2, 20, 60),
                Progress.NONE, Log.NONE);
        NewtonComparison.Result c = r.newton();
        assertNotNull(c);
        assertComparison(c);
        assertTrue(c.newton().finalLoss() <= r.optimum() + GplvmExperiment.ROUNDING * Math.abs(r.optimum()),
                "above L*: " + c.newton().finalLoss() + " vs " + r.optimum());
        assertTrue(r.optimum() - c.newton().finalLoss() <= 1e-9 * Math.abs(r.optimum()),
                c.newton().finalLoss() + " vs L* " + r.optimum());
    }

    private static void assertComparison(NewtonComparison.Result c) {
        assertTrue(c.passed(), c.toString());
        for (NewtonComparison.Run run : List.of(c.lbfgs(), c.newton())) {
            assertTrue(run.reachedTolerance(), run.toString());
            assertTrue(run.gradientNorm() <= NewtonComparison.GRADIENT_TOLERANCE, run.toString());
            assertTrue(run.seconds() > 0 && run.gradientCalls() > 0, run.toString());
        }
        assertEquals(0, c.lbfgs().hessianVectorProducts());
        assertTrue(c.newton().hessianVectorProducts() >= c.newton().iterations() - 1, c.newton().toString());
        assertTrue(c.newton().iterations() < c.lbfgs().iterations(), c.toString());
        assertTrue(c.relativeLossDifference() <= NewtonComparison.LOSS_AGREEMENT, c.toString());
        assertTrue(c.hessianVectorCheckError() <= Experiments.HESSIAN_VECTOR_TOLERANCE, c.toString());
    }

    @Test
    void withoutNewtonSamplesThereIsNoComparison() {
        var r = AutoencoderExperiment.run(digits, new AutoencoderExperiment.Config(3, 100, 300, 7, 10),
                Progress.NONE, Log.NONE);
        assertNull(r.newton());
        var g = GplvmExperiment.run(digits, new GplvmExperiment.Config(30, 2, 300, 7, 1e-2, 10),
                Progress.NONE, Log.NONE);
        assertNull(g.newton());
    }

    @Test
    void theCriterionFailsWhenAToleranceIsMissedOrTheLossesDisagree() {
        NewtonComparison.Run lbfgs = run("L-BFGS", true, 100.0);
        NewtonComparison.Run newton = run("Newton-CG", true, 100.0 * (1 + 1e-12));
        assertTrue(new NewtonComparison.Result("m", "p", lbfgs, newton, 1e-8).passed());
        assertFalse(new NewtonComparison.Result("m", "p", lbfgs, run("Newton-CG", false, 100.0), 1e-8).passed());
        assertFalse(new NewtonComparison.Result("m", "p", run("L-BFGS", false, 100.0), newton, 1e-8).passed());
        assertFalse(new NewtonComparison.Result("m", "p", lbfgs, run("Newton-CG", true, 100.0 * (1 + 1e-8)), 1e-8)
                .passed());
        assertFalse(new NewtonComparison.Result("m", "p", lbfgs, newton, 1e-4).passed());
        Experiments.Summary row = new NewtonComparison.Result("gplvm", "p", lbfgs, newton, 1e-8).summary();
        assertEquals("gplvm Newton-CG", row.model());
        assertTrue(row.achieved().contains("7 vs 30 iterations"), row.achieved());
    }

    private static NewtonComparison.Run run(String method, boolean reached, double loss) {
        boolean newton = method.equals("Newton-CG");
        return new NewtonComparison.Run(method, newton ? 7 : 30, reached, newton ? 8 : 33, newton ? 20 : 0, 0.1, loss,
                reached ? 1e-6 : 1e-2, newton ? 1e-3 : Double.NaN);
    }

    @Test
    void startsAreCopiedNotShared() {
        DMatrixRMaj m = new DMatrixRMaj(new double[][] {{1, 2}});
        Object[] args = {m, 3.0};
        Object[] copy = NewtonComparison.copy(args);
        assertTrue(copy[0] != m && ((DMatrixRMaj) copy[0]).get(0, 1) == 2);
        assertEquals(3.0, copy[1]);
    }

    @Test
    void commandLinePrintsTheNewtonRowsAndCanTurnThemOff() {
        String withRows = main("gplvm", "--points", "60", "--newton-points", "40", "--quiet", "--no-pictures");
        assertTrue(withRows.lines().anyMatch(l -> l.startsWith("gplvm Newton-CG ") && l.endsWith("pass")), withRows);
        assertTrue(withRows.contains("time of one Hessian-vector product"), withRows);
        String without = main("gplvm", "--points", "60", "--newton-points", "0", "--quiet", "--no-pictures");
        assertFalse(without.contains("Newton-CG"), without);
        String autoencoder = main("autoencoder", "--components", "3", "--samples", "200", "--newton-samples", "200",
                "--quiet", "--no-pictures");
        assertTrue(autoencoder.lines().anyMatch(l -> l.startsWith("autoencoder Newton-CG ") && l.endsWith("pass")),
                autoencoder);
    }

    private static String main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
            status = Main.run(o, e, args);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        return text;
    }
}
