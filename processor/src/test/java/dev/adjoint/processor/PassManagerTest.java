package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Origin;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.ops.MatrixAlgebra;
import dev.adjoint.processor.ops.Reductions;
import dev.adjoint.processor.opt.IrVerifier;
import dev.adjoint.processor.opt.Pass;
import dev.adjoint.processor.opt.PassContext;
import dev.adjoint.processor.opt.PassManager;
import dev.adjoint.processor.shape.ShapeInference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.tools.Diagnostic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pass manager: pipelines, IR verification after every pass, and the processor options that steer it. */
class PassManagerTest {
    private static final PassContext NO_SHAPES = new PassContext(new ShapeInference.Declarations(Map.of()));

    @Test
    void dumpIrToADirectoryWritesEveryStageAndPass(@TempDir Path dir) throws Exception {
        Compilation.Result result = Compilation.run(true, List.of("-Aadjoint.dumpIr=" + dir),
                GeneratedSourceTest.SPEC_LOSSES);
        assertTrue(result.success, result.describe());
        String gplvm = Files.readString(dir.resolve("Losses_Gplvm.ir.txt"));
        for (String stage : List.of("forward", "gradient", "value")) {
            assertTrue(gplvm.contains("== " + stage + ": before passes"), stage);
        }
        for (Pass pass : PassManager.GRADIENT) {
            assertTrue(gplvm.contains("== gradient: after " + pass.name()), pass.name());
        }
        for (Pass pass : PassManager.VALUE) {
            assertTrue(gplvm.contains("== value: after " + pass.name()), pass.name());
        }
        for (Pass pass : PassManager.LOWER) {
            assertTrue(gplvm.contains("== gradient lowering: after " + pass.name()), pass.name());
            assertTrue(gplvm.contains("== value lowering: after " + pass.name()), pass.name());
        }
        // The value program never forms K⁻¹: one Cholesky and one triangular solve.
        String value = gplvm.substring(gplvm.lastIndexOf("== value lowering: after"));
        assertTrue(value.contains("SpdQuadraticForm[](%"), value);
        // The low-rank versions: K⁻¹ and log det K through the q×q capacitance matrix.
        for (String stage : List.of("gradient low-rank", "value low-rank")) {
            assertTrue(gplvm.contains("== " + stage + ": after woodbury"), stage);
            assertTrue(gplvm.contains("== " + stage + " lowering: after linear-combination"), stage);
        }
        assertTrue(gplvm.substring(gplvm.indexOf("== value low-rank: after woodbury")).contains("Capacitance["), gplvm);
        assertFalse(Files.readString(dir.resolve("Losses_Mlp.ir.txt")).contains("low-rank"));
        assertTrue(Files.exists(dir.resolve("Losses_Mlp.ir.txt")));
        assertTrue(Files.exists(dir.resolve("Losses_TiedAutoencoder.ir.txt")));
    }

    @Test
    void dumpIrWithoutADirectoryPrintsNotes() {
        Compilation.Result result = Compilation.run(true, List.of("-Aadjoint.dumpIr"), GeneratedSourceTest.SPEC_LOSSES);
        assertTrue(result.success, result.describe());
        List<String> notes = result.ofKind(Diagnostic.Kind.NOTE).stream().map(d -> d.getMessage(Locale.ROOT))
                .filter(m -> m.startsWith("[ADJ905] Adjoint IR of demo.Losses.")).toList();
        assertTrue(notes.stream().anyMatch(m -> m.contains("== gradient: after symmetry")), notes.toString());
        assertTrue(notes.stream().anyMatch(m -> m.startsWith("[ADJ905] Adjoint IR of demo.Losses.gplvm")), notes.toString());
    }

    /**
     * The only warning on the SPEC's losses, with or without passes: ADJ503 on the GP-LVM's
     * {@code K.invert().mult(Y)}, which the method keeps as SPEC writes it.
     */
    static List<String> lintOfTheSpecGplvm(Compilation.Result r) {
        List<String> warnings = r.warnings().stream().map(d -> d.getMessage(Locale.ROOT)).toList();
        assertEquals(1, warnings.size(), r.describe());
        assertTrue(warnings.get(0).startsWith("[ADJ503] K.invert().mult(Y)"), r.describe());
        return warnings;
    }

    @Test
    void disabledPassesDoNotRun() {
        Compilation.Result normal = Compilation.processOnly(GeneratedSourceTest.SPEC_LOSSES);
        assertTrue(normal.generatedSource(GeneratedSourceTest.AUTOENCODER_PATH).contains("Kernels.leftFirst("));
        assertTrue(normal.generatedSource("demo/Losses_Gplvm.java").contains("quadraticForm("));

        Compilation.Result disabled = Compilation.run(true,
                List.of("-Aadjoint.disablePasses=chain-fusion, inverse-to-solve"), GeneratedSourceTest.SPEC_LOSSES);
        assertTrue(disabled.success, disabled.describe());
        assertEquals(lintOfTheSpecGplvm(normal), lintOfTheSpecGplvm(disabled), disabled.describe());
        assertEquals(normal.warnings().size(), disabled.warnings().size(), disabled.describe());
        assertFalse(disabled.generatedSource(GeneratedSourceTest.AUTOENCODER_PATH).contains("Kernels.leftFirst("));
        assertFalse(disabled.generatedSource("demo/Losses_Gplvm.java").contains("quadraticForm("));
    }

    @Test
    void unknownPassNamesAreOneWarningListingThePasses() {
        Compilation.Result result = Compilation.run(true, List.of("-Aadjoint.disablePasses=symmetry,chain-fussion"),
                GeneratedSourceTest.SPEC_LOSSES);
        assertTrue(result.success, result.describe());
        List<String> warnings = result.warnings().stream().map(d -> d.getMessage(Locale.ROOT))
                .filter(m -> !m.startsWith("[ADJ503] K.invert().mult(Y)")).toList(); // the SPEC's GP-LVM, as SPEC writes it
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("[ADJ904] "), warnings.get(0));
        assertTrue(warnings.get(0).contains("[chain-fussion]"), warnings.get(0));
        assertTrue(warnings.get(0).contains("chain-fusion"), warnings.get(0));
    }

    @Test
    void passNamesAreUniqueAndKebabCase() {
        List<String> names = new ArrayList<>();
        for (List<Pass> pipeline : List.of(PassManager.FORWARD, PassManager.GRADIENT, PassManager.VALUE, PassManager.LOWER,
                PassManager.LOW_RANK)) {
            for (Pass pass : pipeline) {
                assertTrue(pass.name().matches("[a-z]+(-[a-z]+)*"), pass.name());
                assertFalse(pass.description().isBlank());
                if (!names.contains(pass.name())) {
                    names.add(pass.name());
                }
            }
        }
        assertEquals(Set.copyOf(names), PassManager.passNames());
        List<String> unknown = new ArrayList<>();
        assertEquals(Set.of("symmetry"), PassManager.parseDisabled(" symmetry,,nope ", unknown));
        assertEquals(List.of("nope"), unknown);
    }

    /** f(A) = ⟨A, A⟩ with its gradient 2A: a small well-formed program to break. */
    private static Program sumOfSquares(boolean wrongGradientShape) {
        Builder b = new Builder();
        int a = b.apply(new Leaves.Param(0, "A", ValueType.MATRIX), new Origin("A", "T.java", 1), List.of());
        int result = b.apply(new Reductions.Dot(true), a, a);
        int gradient = b.scale(a, b.constant(2));
        if (wrongGradientShape) {
            gradient = b.transpose(gradient);
        }
        return new Program(b.build(), List.of(a), List.of("A"), result, Map.of("A", gradient), Map.of());
    }

    @Test
    void verifierAcceptsAWellFormedProgram() {
        assertEquals(List.of(), IrVerifier.problems(sumOfSquares(false), NO_SHAPES));
    }

    @Test
    void verifierCatchesAGradientShapedUnlikeItsParameter() {
        List<String> problems = IrVerifier.problems(sumOfSquares(true), NO_SHAPES);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("∂L/∂A"), problems.get(0));
    }

    @Test
    void verifierCatchesAScalarResultThatIsAMatrixAndAWrongGradientType() {
        Program ok = sumOfSquares(false);
        Program broken = new Program(ok.graph(), ok.parameters(), ok.wrt(), ok.parameters().get(0),
                Map.of("A", ok.result()), Map.of());
        List<String> problems = IrVerifier.problems(broken, NO_SHAPES);
        assertTrue(problems.stream().anyMatch(p -> p.contains("is not a double")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("is a SCALAR but A is a MATRIX")), problems.toString());
    }

    @Test
    void aPassThatBreaksTheIrIsNamed() {
        Pass breaking = new Pass() {
            @Override
            public String name() {
                return "breaking";
            }

            @Override
            public String description() {
                return "transposes every gradient";
            }

            @Override
            public Program apply(Program program, PassContext context) {
                Builder b = Builder.from(program.graph());
                int g = b.apply(new MatrixAlgebra.Transpose(), program.gradients().get("A"));
                return new Program(b.build(), program.parameters(), program.wrt(), program.result(), Map.of("A", g),
                        program.cotangentOf());
            }
        };
        PassManager manager = new PassManager(Set.of(), null);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> manager.run("gradient", List.of(breaking), sumOfSquares(false), NO_SHAPES));
        assertTrue(e.getMessage().contains("after pass breaking (gradient)"), e.getMessage());
        // Disabled, it does not run, so nothing breaks.
        Program kept = new PassManager(Set.of("breaking"), null).run("gradient", List.of(breaking), sumOfSquares(false), NO_SHAPES);
        assertEquals(sumOfSquares(false).gradients(), kept.gradients());
    }
}
