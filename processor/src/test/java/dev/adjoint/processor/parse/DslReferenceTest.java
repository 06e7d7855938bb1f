package dev.adjoint.processor.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The repository's own DSL reference ({@code docs/dsl.md}) lists every form the processor accepts,
 * and the user-facing documents link only to files inside the repository.
 */
class DslReferenceTest {

    /** The repository root: surefire runs in the module directory. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyAcceptedFormIsInTheReference() throws IOException {
        String reference = Files.readString(ROOT.resolve("docs/dsl.md"), StandardCharsets.UTF_8);
        List<String> forms = DslSurface.nearest("", "", false, List.of(), Integer.MAX_VALUE);
        assertTrue(forms.size() > 40, () -> "DslSurface lists only " + forms);
        List<String> missing = forms.stream().filter(form -> !reference.contains("`" + form + "`")).toList();
        assertEquals(List.of(), missing, "forms the processor accepts but docs/dsl.md does not list");
    }

    @Test
    void documentsLinkOnlyInsideTheRepository() throws IOException {
        List<String> problems = new ArrayList<>();
        for (String document : List.of("README.md", "docs/dsl.md", "docs/errors.md", "benchmarks/README.md")) {
            Path file = ROOT.resolve(document);
            if (!Files.exists(file)) {
                continue;
            }
            Matcher link = Pattern.compile("\\]\\(([^)\\s]+)\\)").matcher(Files.readString(file, StandardCharsets.UTF_8));
            while (link.find()) {
                String target = link.group(1);
                if (target.startsWith("http://") || target.startsWith("https://") || target.startsWith("#")) {
                    continue;
                }
                Path resolved = file.getParent().resolve(target.replaceAll("#.*", "")).normalize();
                if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
                    problems.add(document + ": " + target);
                }
            }
        }
        assertEquals(List.of(), problems, "links that leave the repository or point to nothing");
    }
}
