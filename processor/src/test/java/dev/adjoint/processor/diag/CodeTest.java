package dev.adjoint.processor.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The codes of {@link Code}, docs/errors.md and the processor's report sites agree. */
class CodeTest {
    /** The repository root: surefire runs in the module directory. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static final Pattern HEADING = Pattern.compile("^### (ADJ\\d{3})\\s*$", Pattern.MULTILINE);

    @Test
    void everyCodeIsDocumentedAndEveryDocumentedCodeExists() throws IOException {
        String doc = Files.readString(ROOT.resolve("docs/errors.md"), StandardCharsets.UTF_8);
        List<String> documented = new ArrayList<>();
        Matcher m = HEADING.matcher(doc);
        while (m.find()) {
            documented.add(m.group(1));
        }
        List<String> codes = Arrays.stream(Code.values()).map(Code::name).toList();
        assertEquals(codes, documented, "docs/errors.md must have one '### ADJnnn' section per Code, in the enum's order");
        for (String code : codes) {
            String section = doc.substring(doc.indexOf("### " + code));
            int next = section.indexOf("\n### ", 4);
            String body = next < 0 ? section : section.substring(0, next);
            assertTrue(body.contains("**Cause**") && body.contains("**Fix**"), () -> code + " needs a cause and a fix: " + body);
        }
    }

    @Test
    void codesAreWellFormedAndInTheirKindsRange() {
        for (Code code : Code.values()) {
            assertTrue(code.name().matches("ADJ\\d{3}"), code.name());
            char range = code.name().charAt(3);
            char expected = switch (code.kind()) {
                case SIGNATURE -> '1';
                case ANNOTATION -> '2';
                case BODY -> '3';
                case SHAPE -> '4';
                case WARNING -> '5';
                case ENVIRONMENT -> '9';
            };
            assertEquals(expected, range, code + " is in the wrong range for " + code.kind());
            assertTrue(!code.summary().isBlank() && !code.summary().contains("\n"), code.name());
            assertEquals("[" + code.name() + "] x", code.format("x"));
        }
    }

    /** Every code is reported somewhere: the enum has no dead entries (docs would describe a message nobody sees). */
    @Test
    void everyCodeIsUsedByTheProcessor() throws IOException {
        StringBuilder sources = new StringBuilder();
        try (Stream<Path> files = Files.walk(ROOT.resolve("processor/src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("Code.java")).toList()) {
                sources.append(Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        for (Code code : Code.values()) {
            assertTrue(sources.indexOf("Code." + code.name()) >= 0, () -> code + " is never reported");
        }
    }

    @Test
    void readmeTroubleshootingLinksTheCodes() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        String troubleshooting = readme.substring(readme.indexOf("## Troubleshooting"));
        troubleshooting = troubleshooting.substring(0, troubleshooting.indexOf("\n## ", 5));
        assertTrue(troubleshooting.contains("(docs/errors.md)"), "README Troubleshooting must link docs/errors.md");
        Matcher m = Pattern.compile("\\[(ADJ\\d{3})]\\(docs/errors\\.md#(adj\\d{3})\\)").matcher(troubleshooting);
        List<String> named = new ArrayList<>();
        while (m.find()) {
            named.add(m.group(1));
            assertEquals(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2), "the link's anchor is the code's section");
        }
        assertTrue(named.size() >= 20, () -> "README Troubleshooting shows the codes: found only " + named);
        for (String code : named) {
            assertTrue(Arrays.stream(Code.values()).anyMatch(c -> c.name().equals(code)), () -> "README names unknown code " + code);
        }
    }
}
