package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -Aadjoint.report=PATH}: the derivation report of the three SPEC losses, read as HTML text. */
class DerivationReportTest {
    @TempDir
    static Path dir;

    static Compilation.Result processed;
    static String page;

    /** Compiles the SPEC losses with the report option; the report lands in {@code dir}. */
    static String specReport(Path into) throws IOException {
        Path file = into.resolve("nested/dir/report.html");
        Compilation.Result result = Compilation.run(true, List.of("-Aadjoint.report=" + file), GeneratedSourceTest.SPEC_LOSSES);
        assertTrue(result.success, result::describe);
        // Nothing but the numerical lint on the GP-LVM's K.invert().mult(Y) (ADJ503), which SPEC writes that way.
        assertEquals(1, result.warnings().size(), result::describe);
        assertTrue(Compilation.format(result.warnings().get(0)).contains("[ADJ503] K.invert().mult(Y)"), result::describe);
        processed = result;
        return Files.readString(file);
    }

    @BeforeAll
    static void compile() throws IOException {
        page = specReport(dir);
    }

    /** The section of one function. */
    private static String section(String method) {
        Matcher m = Pattern.compile("(?s)<section class=\"function\" id=\"" + Pattern.quote(method) + "\">.*?</section>").matcher(page);
        assertTrue(m.find(), () -> "no section for " + method + " in\n" + page);
        return m.group();
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }

    @Test
    void onePageWithThreeSections() {
        assertTrue(page.startsWith("<!DOCTYPE html>"), page);
        assertEquals(3, count(page, "<section class=\"function\""), page);
        for (String m : List.of("demo.Losses.tiedAutoencoder", "demo.Losses.mlp", "demo.Losses.gplvm")) {
            String s = section(m);
            assertTrue(s.contains("<pre class=\"source\">"), s);
            assertTrue(s.contains("@Differentiable"), s);
        }
        assertTrue(section("demo.Losses.gplvm").contains("logDet(K) - 0.5 * K.invert()"), "source not quoted");
        assertTrue(section("demo.Losses.tiedAutoencoder").contains("W.transpose().mult(W).mult(x).minus(x)"));
    }

    @Test
    void selfContained() {
        assertFalse(Pattern.compile("(?i)https?:").matcher(page).find(), "the page must not reference the network");
        assertFalse(page.contains("<script"), "no scripts");
        assertFalse(page.contains("<link"), "no external style sheets");
        assertFalse(page.contains("src="), "no external resources");
    }

    @Test
    void everyGradientIsTypesetMathMl() {
        record Expect(String method, List<String> wrt) {}
        for (Expect e : List.of(new Expect("demo.Losses.tiedAutoencoder", List.of("W")),
                new Expect("demo.Losses.mlp", List.of("W1", "b1", "W2", "b2")),
                new Expect("demo.Losses.gplvm", List.of("X", "alpha", "beta")))) {
            String s = section(e.method());
            for (String wrt : e.wrt()) {
                Matcher m = Pattern.compile("(?s)<div class=\"formula gradient\" data-wrt=\"" + wrt + "\"><math display=\"block\">(.*?)</math>")
                        .matcher(s);
                assertTrue(m.find(), () -> "no MathML gradient for " + wrt + " in\n" + s);
                String math = m.group(1);
                // ∂L/∂X as a fraction, then a formula made of MathML token elements, not text
                assertTrue(math.startsWith("<mrow><mfrac><mrow><mo>∂</mo><mi>L</mi></mrow>"), math);
                assertTrue(math.contains("<mi>") && math.contains("<mo>"), math);
                assertFalse(math.contains("<mtext>"), math);
                assertFalse(math.replaceAll("<[^>]+>", "").contains("·"), "raw text operators: " + math);
            }
        }
    }

    @Test
    void autoencoderGradientReadsLikeTheJavadoc() {
        String s = section("demo.Losses.tiedAutoencoder");
        // ∂L/∂W = W·x·rᵀ + W·r·xᵀ (in some order), r defined in the where list
        String text = Pattern.compile("<[^>]+>").matcher(s.substring(s.indexOf("data-wrt=\"W\""))).replaceAll("");
        assertTrue(text.contains("W⋅x⋅rT") && text.contains("W⋅r⋅xT"), text);
        assertTrue(s.contains("<msup><mi>r</mi><mi mathvariant=\"normal\">T</mi></msup>"), s);
        assertTrue(s.contains("<ul class=\"where\">"), s);
    }

    @Test
    void gplvmSharedCholeskyOfKAndSymmetricStructure() {
        String s = section("demo.Losses.gplvm");
        Matcher m = Pattern.compile("(?s)<li><span class=\"kind\">shared factorization</span> \\(gradient\\(\\)\\): one Cholesky factorization of "
                + "<math><mi>K</mi></math>[^<]*<math>.*?</math>\\), used by (.*?)</li>").matcher(s);
        assertTrue(m.find(), s);
        assertTrue(m.group(1).contains("<mi>log</mi><mi>det</mi>"), m.group(1));
        assertTrue(s.contains("symmetric positive definite"), s);
        assertTrue(s.contains("<msup><mi>K</mi><mrow><mo>−</mo><mn>1</mn></mrow></msup>"), "K⁻¹ typeset: " + s);
        // value() never forms K⁻¹
        assertTrue(s.contains("value() rewrite"), s);
        // the passes that changed the program
        assertTrue(s.matches("(?s).*<tr class=\"changed\"><td>gradient</td><td><code>symmetry</code>.*"), s);
        assertFalse(page.contains("The processor's pipeline differs"), "the rerun of the passes matches what was emitted");
    }

    @Test
    void autoencoderRunTimeChainOrder() {
        String s = section("demo.Losses.tiedAutoencoder");
        assertTrue(s.contains("<span class=\"kind\">chain order</span>"), s);
        assertTrue(s.contains("<span class=\"kind\">fusion</span>") || s.contains("linear-combination"), s);
    }

    @Test
    void workspaceAndFlopFormulas() {
        for (String method : List.of("demo.Losses.tiedAutoencoder", "demo.Losses.mlp", "demo.Losses.gplvm")) {
            String s = section(method);
            Matcher ws = Pattern.compile("(?s)<p class=\"total workspace-total\">(\\d+) DMatrixRMaj fields, in all <math>(.*?)</math> doubles")
                    .matcher(s);
            assertTrue(ws.find(), s);
            assertTrue(Integer.parseInt(ws.group(1)) > 0, s);
            assertTrue(ws.group(2).contains("<mi>"), "workspace total in symbols: " + ws.group(2));
            assertEquals(Integer.parseInt(ws.group(1)), count(s.substring(s.indexOf("<table class=\"workspace\">"),
                    s.indexOf("</table>", s.indexOf("<table class=\"workspace\">"))), "<tr><td><code>"), s);
            for (String call : List.of("value", "gradient")) {
                Matcher f = Pattern.compile("(?s)<li class=\"flops-" + call + "\"><code>" + call + "\\(\\)</code>: <math>(.*?)</math></li>").matcher(s);
                assertTrue(f.find(), s);
                assertTrue(f.group(1).contains("<mi>") && f.group(1).contains("<mo>"), f.group(1));
            }
            assertFalse(s.contains("<mi>?</mi>"), "every dimension has a symbol: " + s);
        }
        // the GP-LVM's sizes: n is the user's own local (int n = X.numRows()), d too; a Cholesky costs n³/6
        String gplvm = section("demo.Losses.gplvm");
        assertTrue(gplvm.contains("<li><math><mi>n</mi></math> = rows of X = rows of Y</li>"), gplvm);
        assertTrue(gplvm.contains("<msup><mi>n</mi><mn>3</mn></msup>"), gplvm);
    }

    /** Many DSL forms, an int parameter as a size, a user @Shape: every method is described, every dimension named. */
    @Test
    void describesOtherFormsToo() throws IOException {
        String source = """
                package demo;

                import dev.adjoint.Differentiable;
                import dev.adjoint.Shape;
                import org.ejml.simple.SimpleMatrix;
                import static dev.adjoint.runtime.Ops.*;

                public final class Forms {
                    @Differentiable
                    static double solves(SimpleMatrix A, SimpleMatrix B) {
                        return A.solve(B).elementPower(3).elementSum() + Math.log(A.determinant() * A.determinant()) - A.invert().trace();
                    }

                    @Differentiable
                    static double chain(@Shape({"m", "n"}) SimpleMatrix A, @Shape({"n", "k"}) SimpleMatrix B, SimpleMatrix C) {
                        return sumSquares(A.mult(B).mult(C)) / 2 - mean(sigmoid(A).elementMult(tanh(A)));
                    }

                    @Differentiable
                    static double sizes(SimpleMatrix A, int k, double v) {
                        return sumSquares(A.mult(SimpleMatrix.filled(A.numCols(), k, v)).mult(SimpleMatrix.ones(k, 1)))
                                + v * SimpleMatrix.identity(k).trace() - logSumExp(A.elementExp().elementLog().divide(v));
                    }
                }
                """;
        Path file = dir.resolve("forms.html");
        Compilation.Result result = Compilation.run(true, List.of("-Aadjoint.report=" + file), source);
        assertTrue(result.success, result::describe);
        String forms = Files.readString(file);
        assertEquals(3, count(forms, "<section class=\"function\""), forms);
        assertFalse(forms.contains("function error"), forms);
        assertFalse(forms.contains("<mi>?</mi>"), forms);
        assertFalse(forms.contains("<mo>-</mo>"), "ASCII minus: " + forms);
        assertTrue(forms.contains("<li><math><mi>k</mi></math> = columns of B"), "declared symbols are kept: " + forms);
        assertTrue(forms.contains("one LU factorization of <math><mi>A</mi></math>"), forms);
    }

    @Test
    void optionWithoutPathIsAWarning() {
        Compilation.Result result = Compilation.run(true, List.of("-Aadjoint.report"), GeneratedSourceTest.SPEC_LOSSES);
        assertTrue(result.success, result::describe);
        // The report warning, and the numerical lint on the SPEC GP-LVM (ADJ503).
        List<String> warnings = result.warnings().stream().map(Compilation::format).toList();
        assertEquals(2, warnings.size(), result::describe);
        assertEquals(1, warnings.stream().filter(w -> w.contains("[ADJ906] -Aadjoint.report needs a file")).count(), result::describe);
        assertEquals(1, warnings.stream().filter(w -> w.contains("[ADJ503]")).count(), result::describe);
    }

    /** javac warns about options no processor declares: the processor declares this one. */
    @Test
    void optionIsDeclared() {
        assertTrue(new AdjointProcessor().getSupportedOptions().contains("adjoint.report"));
    }

    @Test
    void generatedCodeIsTheSameWithAndWithoutTheReport() {
        Compilation.Result plain = Compilation.processOnly(GeneratedSourceTest.SPEC_LOSSES);
        assertEquals(plain.generated, processed.generated);
    }
}
