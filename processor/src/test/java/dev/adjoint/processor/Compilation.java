package dev.adjoint.processor;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.annotation.processing.Processor;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles Java sources in-process with the system javac and a fresh {@link AdjointProcessor},
 * collecting diagnostics and the generated sources. Sources are written to real files in a
 * temporary directory, so diagnostics carry real file names and line numbers.
 */
final class Compilation {

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "^public\\s+(?:final\\s+|abstract\\s+)*(?:class|interface|enum|record)\\s+(\\w+)", Pattern.MULTILINE);
    private static final Pattern ANY_TYPE = Pattern.compile(
            "^(?:final\\s+|abstract\\s+)*(?:class|interface|enum|record)\\s+(\\w+)", Pattern.MULTILINE);

    /** Lint flags of the project build (parent pom), so "no warnings" means what it means in Maven. */
    static final List<String> LINT = List.of("-Xlint:all,-processing,-serial");

    private Compilation() {
    }

    /** The outcome of one javac run. */
    static final class Result {
        final boolean success;
        final List<Diagnostic<? extends JavaFileObject>> diagnostics;
        /** Generated sources by path relative to the -s directory, e.g. {@code demo/Losses_Mlp.java}. */
        final Map<String, String> generated;
        final Path root;

        Result(boolean success, List<Diagnostic<? extends JavaFileObject>> diagnostics, Map<String, String> generated,
               Path root) {
            this.success = success;
            this.diagnostics = diagnostics;
            this.generated = generated;
            this.root = root;
        }

        List<Diagnostic<? extends JavaFileObject>> ofKind(Diagnostic.Kind kind) {
            return diagnostics.stream().filter(d -> d.getKind() == kind).toList();
        }

        List<Diagnostic<? extends JavaFileObject>> errors() {
            return ofKind(Diagnostic.Kind.ERROR);
        }

        /** WARNING and MANDATORY_WARNING. */
        List<Diagnostic<? extends JavaFileObject>> warnings() {
            return diagnostics.stream()
                    .filter(d -> d.getKind() == Diagnostic.Kind.WARNING || d.getKind() == Diagnostic.Kind.MANDATORY_WARNING)
                    .toList();
        }

        /** The generated source at {@code path} (e.g. {@code demo/Losses_Mlp.java}), or null. */
        String generatedSource(String path) {
            return generated.get(path);
        }

        /**
         * Loads a class compiled by this (full, not {@code -proc:only}) compilation from its output
         * directory, in a fresh class loader whose parent is the test's (which has EJML and the runtime).
         */
        Class<?> loadClass(String binaryName) throws ClassNotFoundException {
            try {
                URLClassLoader loader = new URLClassLoader(new URL[] {root.resolve("classes").toUri().toURL()},
                        Compilation.class.getClassLoader());
                return Class.forName(binaryName, true, loader);
            } catch (MalformedURLException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Every diagnostic, one per line, for assertion messages. */
        String describe() {
            StringBuilder sb = new StringBuilder();
            sb.append("success=").append(success).append(", generated=").append(generated.keySet()).append('\n');
            for (Diagnostic<? extends JavaFileObject> d : diagnostics) {
                sb.append(format(d)).append('\n');
            }
            return sb.toString();
        }
    }

    static String format(Diagnostic<? extends JavaFileObject> d) {
        String file = d.getSource() == null ? "-" : new File(d.getSource().getName()).getName();
        return d.getKind() + " " + file + ":" + d.getLineNumber() + ":" + d.getColumnNumber() + " "
                + d.getMessage(Locale.ROOT);
    }

    /** Annotation processing only ({@code -proc:only}): fast, for diagnostics and generated text. */
    static Result processOnly(String... sources) {
        return run(true, List.of(), sources);
    }

    /** Processing and full compilation of the sources and the generated classes, with the project's lint flags. */
    static Result compile(String... sources) {
        return run(false, LINT, sources);
    }

    /** Full compilation without any annotation processor, with the project's lint flags: javac's own verdict. */
    static Result compileWithoutProcessor(String... sources) {
        List<String> options = new ArrayList<>(LINT);
        options.add("-proc:none");
        return run(false, options, sources);
    }

    static Result run(boolean procOnly, List<String> extraOptions, String... sources) {
        return run(extraOptions.contains("-proc:none") ? null : new AdjointProcessor(), procOnly, extraOptions, sources);
    }

    /**
     * Like {@link #run(boolean, List, String...)} with the given processor instead of a fresh
     * {@link AdjointProcessor} (e.g. one that hands Adjoint a wrapped processing environment);
     * {@code processor} must be null exactly when {@code extraOptions} contains {@code -proc:none}.
     */
    static Result run(Processor processor, boolean procOnly, List<String> extraOptions, String... sources) {
        return run(processor == null ? null : List.of(processor), procOnly, extraOptions, sources);
    }

    /**
     * Full compilation with the processors javac discovers itself on the class path (through
     * {@code META-INF/services/javax.annotation.processing.Processor}), as a user's build finds
     * them: every processor the processor jar declares, in the declared order.
     */
    static Result compileDiscovering(List<String> extraOptions, String... sources) {
        return run((List<Processor>) null, false, extraOptions, sources);
    }

    /**
     * Compiles {@code sources}; {@code processors} null means javac's own discovery (or none with
     * {@code -proc:none} in {@code extraOptions}).
     */
    static Result run(List<? extends Processor> processors, boolean procOnly, List<String> extraOptions, String... sources) {
        return run(processors, procOnly, extraOptions, List.of(), sources);
    }

    /**
     * Full compilation with Adjoint and the project's lint flags, with {@code extraClassPath} (e.g. an
     * earlier compilation's {@code classes} directory, or a jar of it) after the test class path.
     */
    static Result compileAgainst(List<Path> extraClassPath, String... sources) {
        return run(List.of(new AdjointProcessor()), false, LINT, extraClassPath, sources);
    }

    static Result run(List<? extends Processor> processors, boolean procOnly, List<String> extraOptions, List<Path> extraClassPath,
            String... sources) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no system Java compiler: run the tests on a JDK");
        }
        try {
            Path root = Files.createTempDirectory("adjoint-compilation");
            deleteOnExit(root);
            Path src = Files.createDirectories(root.resolve("src"));
            Path gen = Files.createDirectories(root.resolve("generated"));
            Path classes = Files.createDirectories(root.resolve("classes"));
            List<Path> files = new ArrayList<>();
            for (String source : sources) {
                Path file = src.resolve(relativePath(source));
                Files.createDirectories(file.getParent());
                Files.writeString(file, source, StandardCharsets.UTF_8);
                files.add(file);
            }

            List<String> options = new ArrayList<>();
            options.add("--release");
            options.add("17");
            options.add("-encoding");
            options.add("UTF-8");
            options.add("-classpath");
            StringBuilder classPath = new StringBuilder(classPath());
            for (Path p : extraClassPath) {
                classPath.append(File.pathSeparator).append(p);
            }
            options.add(classPath.toString());
            options.add("-d");
            options.add(classes.toString());
            options.add("-s");
            options.add(gen.toString());
            if (procOnly) {
                options.add("-proc:only");
            }
            options.addAll(extraOptions);

            DiagnosticCollector<JavaFileObject> collector = new DiagnosticCollector<>();
            StringWriter out = new StringWriter();
            boolean success;
            try (StandardJavaFileManager fm = javac.getStandardFileManager(collector, Locale.ROOT, StandardCharsets.UTF_8)) {
                JavaCompiler.CompilationTask task = javac.getTask(out, fm, collector, options, null,
                        fm.getJavaFileObjectsFromPaths(files));
                if (processors != null) {
                    task.setProcessors(processors);
                }
                task.setLocale(Locale.ROOT);
                success = task.call();
            }
            if (!out.toString().isBlank()) {
                // javac's own output (e.g. a processor stack trace) is a diagnostic too: never drop it.
                throw new AssertionError("javac wrote to its output stream:\n" + out);
            }
            return new Result(success, List.copyOf(collector.getDiagnostics()), readTree(gen), root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final List<Path> TEMPORARY = new ArrayList<>();

    /** Removes the temporary directories of all compilations when the test JVM exits. */
    private static synchronized void deleteOnExit(Path root) {
        if (TEMPORARY.isEmpty()) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                synchronized (Compilation.class) {
                    for (Path dir : TEMPORARY) {
                        try (Stream<Path> walk = Files.walk(dir)) {
                            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                                Files.deleteIfExists(p);
                            }
                        } catch (IOException | UncheckedIOException e) {
                            // Best effort: a leftover temporary directory is harmless.
                        }
                    }
                }
            }));
        }
        TEMPORARY.add(root);
    }

    /**
     * The test class path. Surefire may launch the JVM through a manifest-only jar, in which case
     * {@code java.class.path} is just that jar and the real path is in {@code surefire.test.class.path}.
     */
    static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        if (surefire != null && !surefire.isBlank()) {
            return surefire;
        }
        return System.getProperty("java.class.path");
    }

    /** {@code p/q/Name.java} from the source's package and its public (or else first) top-level type. */
    static String relativePath(String source) {
        Matcher pkg = PACKAGE.matcher(source);
        String dir = pkg.find() ? pkg.group(1).replace('.', '/') + "/" : "";
        Matcher type = PUBLIC_TYPE.matcher(source);
        if (!type.find()) {
            type = ANY_TYPE.matcher(source);
            if (!type.find()) {
                throw new IllegalArgumentException("no top-level type in source:\n" + source);
            }
        }
        return dir + type.group(1) + ".java";
    }

    private static Map<String, String> readTree(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList()) {
                String key = dir.relativize(p).toString().replace(File.separatorChar, '/');
                files.put(key, Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        return files;
    }

    /** 1-based number of the (only) line of {@code source} that contains {@code marker}. */
    static long lineOf(String source, String marker) {
        String[] lines = source.split("\n", -1);
        long found = -1;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(marker)) {
                if (found != -1) {
                    throw new IllegalArgumentException("marker " + marker + " occurs on more than one line");
                }
                found = i + 1;
            }
        }
        if (found == -1) {
            throw new IllegalArgumentException("marker " + marker + " not in source");
        }
        return found;
    }

    /** All 1-based line numbers of {@code source} that contain {@code marker}. */
    static List<Long> linesOf(String source, String marker) {
        String[] lines = source.split("\n", -1);
        List<Long> found = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(marker)) {
                found.add((long) i + 1);
            }
        }
        return found;
    }

    /** Whether the diagnostic is in a generated file (under the {@code -s} directory) or has no source. */
    static boolean inGeneratedSource(Diagnostic<? extends JavaFileObject> d) {
        return d.getSource() == null || d.getSource().toUri().getPath().contains("/generated/");
    }

    /** Messages of all diagnostics, for "never an internal error" checks. */
    static String allMessages(Result result) {
        return result.diagnostics.stream().map(d -> d.getMessage(Locale.ROOT)).collect(Collectors.joining("\n"));
    }
}
