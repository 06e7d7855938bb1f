package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The derivation report of the SPEC losses rendered by headless Chromium: the page loads, its
 * DOM keeps the MathML, and the screenshot is not blank. A probe page checks that this Chromium
 * typesets MathML natively (a fraction is stacked, not written out as text on one line).
 *
 * <p>Needs a Chromium binary (Debian: {@code apt-get install chromium}); skipped without one.
 * {@code -Dadjoint.chromium=/path/to/chromium} picks another. The page and the screenshot stay in
 * {@code target/derivation-report/} for a look.
 */
class DerivationReportRenderingTest {
    private static Path chromium;
    private static Path out;
    private static Path report;

    @BeforeAll
    static void setUp() throws IOException {
        chromium = findChromium();
        if (chromium == null) {
            return;
        }
        out = Path.of("target", "derivation-report").toAbsolutePath();
        Files.createDirectories(out);
        String page = DerivationReportTest.specReport(out);
        report = out.resolve("report.html");
        Files.writeString(report, page, StandardCharsets.UTF_8);
    }

    private static void assumeChromium() {
        Assumptions.assumeTrue(chromium != null, "no Chromium binary found (chromium, chromium-browser, google-chrome on PATH,"
                + " or -Dadjoint.chromium=PATH): install Debian's package with 'apt-get install -y chromium' to run this test");
    }

    private static Path findChromium() {
        String configured = System.getProperty("adjoint.chromium");
        if (configured != null && !configured.isBlank()) {
            return Files.isExecutable(Path.of(configured)) ? Path.of(configured) : null;
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String name : List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    private record Run(int exit, String stdout, String stderr) {}

    private static Run chromium(Path page, String... arguments) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(out, "profile");
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars", "--user-data-dir=" + profile));
        command.addAll(List.of(arguments));
        command.add(page.toUri().toString());
        Path stdout = Files.createTempFile(out, "stdout", ".txt");
        Path stderr = Files.createTempFile(out, "stderr", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish in 180 s: " + command);
        }
        Run run = new Run(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
        Files.delete(stdout);
        Files.delete(stderr);
        deleteTree(profile);
        return run;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (java.io.UncheckedIOException e) {
            // Chromium may still be writing its profile: leave the rest to mvn clean
        }
    }

    @Test
    void domKeepsTheMathMl() throws Exception {
        assumeChromium();
        Run run = chromium(report, "--dump-dom");
        assertEquals(0, run.exit(), run::stderr);
        String dom = run.stdout();
        assertEquals(3, dom.split("<section class=\"function\"", -1).length - 1, dom);
        for (String element : List.of("<math display=\"block\">", "<mfrac>", "<msup>", "<mrow>", "<mi>", "<mo>", "<mn>")) {
            assertTrue(dom.contains(element), () -> "the rendered DOM lacks " + element);
        }
        assertTrue(dom.contains("data-wrt=\"beta\""), dom);
    }

    @Test
    void screenshotIsNotBlank() throws Exception {
        assumeChromium();
        Path png = out.resolve("report.png");
        Files.deleteIfExists(png);
        Run run = chromium(report, "--screenshot=" + png, "--window-size=1200,2000");
        assertEquals(0, run.exit(), run::stderr);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1200, image.getWidth());
        double sum = 0;
        double squares = 0;
        long dark = 0;
        long pixels = (long) image.getWidth() * image.getHeight();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                double l = luminance(image.getRGB(x, y));
                sum += l;
                squares += l * l;
                if (l < 128) dark++;
            }
        }
        double mean = sum / pixels;
        double variance = squares / pixels - mean * mean;
        assertTrue(variance > 100, "screenshot looks blank: luminance variance " + variance);
        assertTrue(dark > pixels / 200, "too little text on the screenshot: " + dark + " dark pixels");
    }

    /** A fraction typeset by Chromium's MathML is taller than wide; as plain text "xy" it would be wider than tall. */
    @Test
    void chromiumTypesetsMathMlNatively() throws Exception {
        assumeChromium();
        Path probe = out.resolve("mfrac-probe.html");
        Files.writeString(probe, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head>"
                + "<body style=\"margin:40px;background:#fff;color:#000;font-size:80px\">"
                + "<math><mfrac><mi>x</mi><mi>y</mi></mfrac></math></body></html>", StandardCharsets.UTF_8);
        Path png = out.resolve("mfrac-probe.png");
        Files.deleteIfExists(png);
        Run run = chromium(probe, "--screenshot=" + png, "--window-size=400,400");
        assertEquals(0, run.exit(), run::stderr);
        BufferedImage image = ImageIO.read(png.toFile());
        int minX = Integer.MAX_VALUE, maxX = -1, minY = Integer.MAX_VALUE, maxY = -1;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (luminance(image.getRGB(x, y)) < 128) {
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                    minY = Math.min(minY, y);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        assertTrue(maxX >= 0, "nothing rendered");
        int width = maxX - minX + 1;
        int height = maxY - minY + 1;
        assertTrue(height > 1.3 * width, "x/y is not stacked as a fraction (" + width + "×" + height + " px): no native MathML");
    }

    private static double luminance(int rgb) {
        return 0.299 * ((rgb >> 16) & 0xff) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff);
    }
}
