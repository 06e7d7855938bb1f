package dev.adjoint.processor.report;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.processor.emit.ClassEmitter;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.opt.PassContext;
import dev.adjoint.processor.opt.PassManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.Messager;
import javax.tools.Diagnostic;

/**
 * The derivation report, {@code -Aadjoint.report=PATH}: one self-contained HTML page for the
 * whole compilation (every {@code @Differentiable} method of every round), written when
 * processing is over. Per function: its DSL source, the loss and every gradient typeset in MathML
 * (which browsers render natively: no scripts, no fonts or styles from the network), the
 * optimizations the passes chose (which passes changed the program, run-time chain orders,
 * shared factorizations, structure, fusions, value() rewrites), the workspace fields with their
 * symbolic shapes and total size, and multiply-add counts of value() and gradient() as
 * polynomials in the shapes. A reporting consumer of the IR: it changes nothing in generated code.
 */
public final class DerivationReport {
    /** The processor option naming the report's file. */
    public static final String OPTION = "adjoint.report";

    private final Path path;
    private final Set<String> disabled;
    private final List<String> sections = new ArrayList<>();
    private final List<String> toc = new ArrayList<>();

    private DerivationReport(Path path, Set<String> disabled) {
        this.path = path;
        this.disabled = disabled;
    }

    /** The report the options ask for, or null; {@code -Aadjoint.report} without a path is a warning. */
    public static DerivationReport fromOptions(Map<String, String> options, Messager messager) {
        if (!options.containsKey(OPTION)) {
            return null;
        }
        String target = options.get(OPTION);
        if (target == null || target.isBlank() || target.equals("true")) {
            messager.printMessage(Diagnostic.Kind.WARNING, dev.adjoint.processor.diag.Code.ADJ906.format("-A" + OPTION
                    + " needs a file to write the report to, e.g. -A" + OPTION + "=target/adjoint-report.html; no report is written"));
            return null;
        }
        return new DerivationReport(Path.of(target),
                PassManager.parseDisabled(options.get(PassManager.DISABLE_OPTION), new ArrayList<>()));
    }

    /**
     * Adds one method's section.
     *
     * @param method its qualified name, {@code demo.Losses.gplvm}
     * @param source its source text
     * @param parsed the parsed forward program, before any pass
     * @param context the pass context the processor used
     * @param programs the programs the class was emitted from
     * @param generated the class emitted for it
     */
    public void add(String method, String source, Program parsed, PassContext context, ClassEmitter.Programs programs,
            JavaFile generated) {
        try {
            FunctionReport report = new FunctionReport(method, source, parsed, context, disabled, programs, generated);
            sections.add(report.toHtml());
            toc.add("<li><a href=\"#" + Html.escape(report.anchor()) + "\"><code>" + Html.escape(method) + "</code></a></li>");
        } catch (RuntimeException e) {
            sections.add("<section class=\"function error\"><h2><code>" + Html.escape(method) + "</code></h2><p>The report could not "
                    + "describe this method: " + Html.escape(e.toString()) + "</p></section>\n");
        }
    }

    /** Writes the page (at the last round); a failure is a warning, never a failed compilation. */
    public void write(Messager messager) {
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(path, page(), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            messager.printMessage(Diagnostic.Kind.WARNING, dev.adjoint.processor.diag.Code.ADJ903.format("-A" + OPTION
                    + ": cannot write " + path + ": " + e.getMessage()));
        }
    }

    String page() {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Adjoint derivation report</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n")
                .append("<h1>Adjoint derivation report</h1>\n")
                .append("<p>").append(sections.size()).append(sections.size() == 1 ? " function" : " functions")
                .append(" differentiated in this compilation.</p>\n<ul class=\"toc\">\n");
        for (String entry : toc) {
            h.append(entry).append('\n');
        }
        h.append("</ul>\n");
        for (String section : sections) {
            h.append(section);
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static final String CSS = """
            body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em;
                   color: #1a1a1a; background: #fff; line-height: 1.45; }
            h1 { font-size: 1.6em; } h2 { font-size: 1.3em; border-top: 2px solid #ccc; padding-top: 1em; margin-top: 2em; }
            h3 { font-size: 1.05em; margin-bottom: 0.3em; }
            pre.source { background: #f6f8fa; border: 1px solid #ddd; padding: 0.8em; overflow-x: auto; }
            math { font-size: 1.15em; }
            math[display="block"] { margin: 0.4em 0; }
            .formula { padding: 0.2em 0.8em; border-left: 3px solid #5b8def; margin: 0.5em 0; overflow-x: auto; }
            table { border-collapse: collapse; margin: 0.3em 0; }
            th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; font-size: 0.92em; }
            tr.changed td:nth-child(3) { color: #0a6b2d; font-weight: bold; }
            tr.disabled td { color: #999; }
            .kind { font-weight: bold; }
            .generated, .note { color: #555; }
            """;
}
