package dev.adjoint.itapp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.itlib.Blocks;
import dev.adjoint.runtime.GradientChecker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.api.Test;

/**
 * Issue 9's two-module test: this module's losses call helpers and a user rule of module
 * it-library, whose source this compilation never sees (the reactor puts the library's jar, or its
 * classes directory, on the class path). The helpers are inlined from the IR resource the
 * library's compilation wrote next to its classes; the rule is found through the class file.
 */
class AcrossModulesTest {

    static DMatrixRMaj uniform(Random r, int rows, int cols) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = 2 * r.nextDouble() - 1;
        }
        return m;
    }

    @Test
    void theLibraryCameFromItsOwnModule() throws Exception {
        Path library = Path.of(Blocks.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(library.toString().contains("it-library"), library::toString);
        assertNotNull(Blocks.class.getClassLoader().getResource("dev/adjoint/itlib/Blocks.dense.MMM.adj"),
                "the library ships the IR of its helpers");
        assertFalse(Files.exists(Path.of("src/main/java/dev/adjoint/itlib")), "the library's source is not in this module");
    }

    @Test
    void helpersOfTheLibraryAreInlined() throws Exception {
        String generated = Files.readString(Path.of("target/generated-sources/annotations/dev/adjoint/itapp/Model_Loss.java"),
                StandardCharsets.UTF_8);
        String code = generated.lines().filter(l -> !l.strip().startsWith("*") && !l.strip().startsWith("//")
                && !l.strip().startsWith("/*")).map(l -> l.replaceAll("\"([^\"\\\\]|\\\\.)*\"", "\"\""))
                .reduce("", (a, b) -> a + b + "\n"); // without comments and string literals
        assertFalse(code.contains("Blocks.dense(") || code.contains("Blocks.block("), generated);
        assertTrue(code.contains("Blocks.softsign(") && code.contains("Blocks.softsignGrad("), generated);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        for (long seed = 1; seed <= 3; seed++) {
            Random r = new Random(seed);
            int n = 2 + r.nextInt(3), h = 2 + r.nextInt(3), m = 2 + r.nextInt(3), k = 2 + r.nextInt(3), N = 1 + r.nextInt(4);
            DMatrixRMaj Y = new DMatrixRMaj(k, N);
            for (int j = 0; j < N; j++) {
                Y.set(r.nextInt(k), j, 1);
            }
            Object[] args = {uniform(r, h, n), uniform(r, h, 1), uniform(r, m, h), uniform(r, k, m), uniform(r, k, 1),
                    uniform(r, n, N), Y};
            var loss = new Model_Loss();
            GradientChecker.check(loss, args).assertBelow(1e-6);
            double eager = Model.loss(sw(args[0]), sw(args[1]), sw(args[2]), sw(args[3]), sw(args[4]), sw(args[5]), sw(args[6]));
            assertEquals(eager, loss.value(args), 1e-12 * Math.max(1, Math.abs(eager)));
            GradientChecker.check(new Model_Direct(), new Object[] {uniform(r, m, N)}).assertBelow(1e-6);
        }
    }

    @Test
    void theLibrarysRuleChecksInOneCall() {
        GradientChecker.checkRule(Blocks.class, "softsign", "A", uniform(new Random(9), 3, 4)).assertBelow(1e-6);
    }

    static SimpleMatrix sw(Object m) {
        return SimpleMatrix.wrap(((DMatrixRMaj) m).copy());
    }
}
