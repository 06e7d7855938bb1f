package dev.adjoint.processor;

import static dev.adjoint.processor.CompileErrorsTest.assertNoInternalError;
import static dev.adjoint.processor.CompileErrorsTest.numbered;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import javax.annotation.processing.Completion;
import javax.annotation.processing.Filer;
import javax.annotation.processing.Messager;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.Diagnostic;
import javax.tools.FileObject;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * SPEC section 5 and the engineering notes on javac's tree API: when the {@link ProcessingEnvironment}
 * is wrapped (Gradle's incremental processing keeps javac's in a field named {@code delegate};
 * IntelliJ's build uses a {@link Proxy}), Adjoint still finds javac's, keeps using the wrapper's
 * {@link Filer}, and reports errors on the right lines. A compiler without the tree API gets one clear
 * error saying so, never a stack trace.
 */
class ProcessingEnvironmentTest {

    static final String SOURCE = """
            package p;

            import static dev.adjoint.runtime.Ops.*;

            import dev.adjoint.Differentiable;
            import org.ejml.simple.SimpleMatrix;

            public class Losses {
                @Differentiable(wrt = "W")
                static double tiedAutoencoder(SimpleMatrix W, SimpleMatrix x) {
                    SimpleMatrix r = W.transpose().mult(W).mult(x).minus(x);
                    return 0.5 * sumSquares(r);
                }

                @Differentiable
                static double ridge(SimpleMatrix A, SimpleMatrix b, double lambda) {
                    return sumSquares(A.mult(b)) + lambda * sumSquares(b);
                }
            }
            """;

    static final String BAD = """
            package p;

            import dev.adjoint.Differentiable;
            import org.ejml.simple.SimpleMatrix;

            public class Bad {
                @Differentiable
                static double f(SimpleMatrix A) {
                    double s = A.elementSum();
                    do { // <<
                        s = -s;
                    } while (s > 0);
                    return s;
                }
            }
            """;

    /**
     * A processor as a build tool runs it: it gets javac's environment, and hands Adjoint
     * {@code wrap.apply(env)} instead.
     */
    static final class WrappingProcessor implements Processor {
        final AdjointProcessor adjoint = new AdjointProcessor();
        final UnaryOperator<ProcessingEnvironment> wrap;

        WrappingProcessor(UnaryOperator<ProcessingEnvironment> wrap) {
            this.wrap = wrap;
        }

        @Override
        public Set<String> getSupportedOptions() {
            return adjoint.getSupportedOptions();
        }

        @Override
        public Set<String> getSupportedAnnotationTypes() {
            return adjoint.getSupportedAnnotationTypes();
        }

        @Override
        public SourceVersion getSupportedSourceVersion() {
            return adjoint.getSupportedSourceVersion();
        }

        @Override
        public void init(ProcessingEnvironment processingEnv) {
            adjoint.init(wrap.apply(processingEnv));
        }

        @Override
        public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment roundEnv) {
            return adjoint.process(annotations, roundEnv);
        }

        @Override
        public Iterable<? extends Completion> getCompletions(Element element, AnnotationMirror annotation,
                                                             ExecutableElement member, String userText) {
            return adjoint.getCompletions(element, annotation, member, userText);
        }
    }

    /** Like Gradle's {@code IncrementalProcessingEnvironment}: javac's environment in {@code delegate}, its own Filer. */
    static final class GradleLikeEnvironment implements ProcessingEnvironment {
        private final ProcessingEnvironment delegate;
        private final CountingFiler filer;

        GradleLikeEnvironment(ProcessingEnvironment delegate) {
            this.delegate = delegate;
            this.filer = new CountingFiler(delegate.getFiler());
        }

        @Override
        public Map<String, String> getOptions() {
            return delegate.getOptions();
        }

        @Override
        public Messager getMessager() {
            return delegate.getMessager();
        }

        @Override
        public Filer getFiler() {
            return filer;
        }

        @Override
        public Elements getElementUtils() {
            return delegate.getElementUtils();
        }

        @Override
        public Types getTypeUtils() {
            return delegate.getTypeUtils();
        }

        @Override
        public SourceVersion getSourceVersion() {
            return delegate.getSourceVersion();
        }

        @Override
        public Locale getLocale() {
            return delegate.getLocale();
        }

        @Override
        public boolean isPreviewEnabled() {
            return delegate.isPreviewEnabled();
        }
    }

    /** A Filer that counts the source files created through it (Gradle's records originating elements). */
    static final class CountingFiler implements Filer {
        private final Filer delegate;
        final AtomicInteger sourceFiles = new AtomicInteger();

        CountingFiler(Filer delegate) {
            this.delegate = delegate;
        }

        @Override
        public JavaFileObject createSourceFile(CharSequence name, Element... originatingElements) throws IOException {
            sourceFiles.incrementAndGet();
            return delegate.createSourceFile(name, originatingElements);
        }

        @Override
        public JavaFileObject createClassFile(CharSequence name, Element... originatingElements) throws IOException {
            return delegate.createClassFile(name, originatingElements);
        }

        @Override
        public FileObject createResource(JavaFileManager.Location location, CharSequence moduleAndPkg,
                                         CharSequence relativeName, Element... originatingElements) throws IOException {
            return delegate.createResource(location, moduleAndPkg, relativeName, originatingElements);
        }

        @Override
        public FileObject getResource(JavaFileManager.Location location, CharSequence moduleAndPkg,
                                      CharSequence relativeName) throws IOException {
            return delegate.getResource(location, moduleAndPkg, relativeName);
        }
    }

    /** A dynamic proxy whose invocation handler keeps javac's environment in a field named {@code delegate}. */
    static ProcessingEnvironment proxyOf(ProcessingEnvironment target) {
        return (ProcessingEnvironment) Proxy.newProxyInstance(ProcessingEnvironmentTest.class.getClassLoader(),
                new Class<?>[] {ProcessingEnvironment.class}, new ForwardingHandler(target));
    }

    static final class ForwardingHandler implements InvocationHandler {
        private final Object delegate;

        ForwardingHandler(Object delegate) {
            this.delegate = delegate;
        }

        @Override
        public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(delegate, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /**
     * Shaped like IntelliJ IDEA's build (2020.3 and later, {@code org.jetbrains.jps.javac.APIWrappers}):
     * a proxy whose handler is an anonymous class capturing the generic {@code delegateTo}, so javac's
     * environment sits in the synthetic field {@code val$delegateTo}, of erased type {@code Object}.
     * Lombok and others unwrap exactly this field.
     */
    static <T> T intellijLikeProxy(Class<T> iface, T delegateTo) {
        return iface.cast(Proxy.newProxyInstance(ProcessingEnvironmentTest.class.getClassLoader(), new Class<?>[] {iface},
                new InvocationHandler() {
                    @Override
                    public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args) throws Throwable {
                        try {
                            return method.invoke(delegateTo, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }
                }));
    }

    /**
     * A compiler's environment without javac's tree API (as Eclipse's): it offers the standard
     * services, taken from javac's, but is not javac's class and holds no reference to javac's environment.
     */
    static final class ForeignEnvironment implements ProcessingEnvironment {
        private final Map<String, String> options;
        private final Messager messager;
        private final Filer filer;
        private final Elements elements;
        private final Types types;
        private final SourceVersion sourceVersion;
        private final Locale locale;

        ForeignEnvironment(ProcessingEnvironment javac) {
            this.options = javac.getOptions();
            this.messager = javac.getMessager();
            this.filer = javac.getFiler();
            this.elements = javac.getElementUtils();
            this.types = javac.getTypeUtils();
            this.sourceVersion = javac.getSourceVersion();
            this.locale = javac.getLocale();
        }

        @Override
        public Map<String, String> getOptions() {
            return options;
        }

        @Override
        public Messager getMessager() {
            return messager;
        }

        @Override
        public Filer getFiler() {
            return filer;
        }

        @Override
        public Elements getElementUtils() {
            return elements;
        }

        @Override
        public Types getTypeUtils() {
            return types;
        }

        @Override
        public SourceVersion getSourceVersion() {
            return sourceVersion;
        }

        @Override
        public Locale getLocale() {
            return locale;
        }
    }

    static Compilation.Result processWith(Processor processor, String... sources) {
        return Compilation.run(processor, true, List.of(), sources);
    }

    static Compilation.Result compileWith(Processor processor, String... sources) {
        return Compilation.run(processor, false, Compilation.LINT, sources);
    }

    static final List<String> EXPECTED = List.of("p/Losses_Ridge.java", "p/Losses_TiedAutoencoder.java");

    // ---- wrapped environments ------------------------------------------------------------------

    /** Control: javac's own environment, unwrapped, through the same wrapping processor. */
    @Test
    void unwrappedEnvironmentGeneratesBothClasses() {
        Compilation.Result r = processWith(new WrappingProcessor(env -> env), SOURCE);
        assertNoInternalError(r);
        assertTrue(r.success && r.diagnostics.isEmpty(), r::describe);
        assertEquals(EXPECTED, List.copyOf(r.generated.keySet()), r::describe);
    }

    @Test
    void gradleLikeWrapperStillGeneratesAndCompiles() {
        GradleLikeEnvironment[] wrapper = new GradleLikeEnvironment[1];
        Compilation.Result r = compileWith(new WrappingProcessor(env -> wrapper[0] = new GradleLikeEnvironment(env)), SOURCE);
        assertNoInternalError(r);
        assertTrue(r.success, r::describe);
        assertTrue(r.errors().isEmpty(), r::describe);
        assertTrue(r.warnings().isEmpty(), r::describe);
        assertEquals(EXPECTED, List.copyOf(r.generated.keySet()), r::describe);
        // Generated through the wrapper's Filer, so the build tool can track what came from where.
        assertEquals(2, wrapper[0].filer.sourceFiles.get(), "sources created through the wrapper's Filer");
    }

    /** The generated text does not depend on how the environment was handed over. */
    @Test
    void gradleLikeWrapperGeneratesTheSameSourceAsJavacsEnvironment() {
        Compilation.Result plain = Compilation.processOnly(SOURCE);
        Compilation.Result wrapped = processWith(new WrappingProcessor(GradleLikeEnvironment::new), SOURCE);
        assertTrue(plain.success, plain::describe);
        assertTrue(wrapped.success, wrapped::describe);
        assertEquals(plain.generated, wrapped.generated);
    }

    @Test
    void proxyWrapperStillGenerates() {
        Compilation.Result r = compileWith(new WrappingProcessor(ProcessingEnvironmentTest::proxyOf), SOURCE);
        assertNoInternalError(r);
        assertTrue(r.success && r.errors().isEmpty(), r::describe);
        assertEquals(EXPECTED, List.copyOf(r.generated.keySet()), r::describe);
    }

    /** The handler's synthetic field really is {@code val$delegateTo} of type Object (what the test relies on). */
    @Test
    void intellijLikeProxyHasTheShapeItClaims() throws Exception {
        Object proxy = intellijLikeProxy(Runnable.class, () -> { });
        java.lang.reflect.Field field = Proxy.getInvocationHandler(proxy).getClass().getDeclaredField("val$delegateTo");
        assertEquals(Object.class, field.getType());
    }

    /** IntelliJ IDEA runs javac, which has the tree API: Adjoint must find it behind IntelliJ's proxy. */
    @Test
    void intellijLikeProxyStillGenerates() {
        Compilation.Result r = processWith(new WrappingProcessor(env -> intellijLikeProxy(ProcessingEnvironment.class, env)),
                SOURCE);
        assertNoInternalError(r);
        assertTrue(r.success && r.errors().isEmpty(), r::describe);
        assertEquals(EXPECTED, List.copyOf(r.generated.keySet()), r::describe);
    }

    /** A wrapper of a wrapper: Gradle's incremental environment inside an IDE's proxy. */
    @Test
    void nestedWrappersStillGenerate() {
        Compilation.Result r = processWith(new WrappingProcessor(env -> proxyOf(new GradleLikeEnvironment(env))), SOURCE);
        assertNoInternalError(r);
        assertTrue(r.success && r.errors().isEmpty(), r::describe);
        assertEquals(EXPECTED, List.copyOf(r.generated.keySet()), r::describe);
    }

    /** Through a wrapper, a DSL error is still one error on the offending line, and the good class is still generated. */
    @Test
    void gradleLikeWrapperReportsDslErrorsOnTheRightLine() {
        Compilation.Result r = processWith(new WrappingProcessor(GradleLikeEnvironment::new), SOURCE, BAD);
        assertNoInternalError(r);
        assertFalse(r.success, r::describe);
        assertEquals(1, r.errors().size(), () -> numbered(BAD) + r.describe());
        Diagnostic<? extends JavaFileObject> d = r.errors().get(0);
        assertTrue(d.getSource() != null && d.getSource().getName().endsWith("Bad.java"), r::describe);
        assertEquals(Compilation.lineOf(BAD, "// <<"), d.getLineNumber(), () -> numbered(BAD) + r.describe());
        assertEquals(EXPECTED, List.copyOf(r.generated.keySet()), r::describe);
    }

    // ---- no tree API ---------------------------------------------------------------------------

    static void assertOneClearNoTreesError(Compilation.Result r) {
        assertNoInternalError(r);
        assertFalse(r.success, r::describe);
        List<Diagnostic<? extends JavaFileObject>> errors = r.errors();
        assertEquals(1, errors.size(), r::describe);
        assertEquals(1, r.diagnostics.size(), () -> "nothing but the one error\n" + r.describe());
        String message = errors.get(0).getMessage(Locale.ROOT);
        assertTrue(message.startsWith("[ADJ901] "), message);
        String lower = message.toLowerCase(Locale.ROOT);
        assertTrue(lower.contains("tree api"), () -> "the error does not mention javac's tree API: " + message);
        assertTrue(lower.contains("javac"), () -> "the error does not mention javac: " + message);
        // Never a stack trace (Compilation also fails if javac printed anything to its output).
        assertFalse(message.contains("Exception"), message);
        assertFalse(message.contains("\tat "), message);
        assertFalse(message.matches("(?s).*\\n\\s+at [\\w.$]+\\(.*"), message);
        assertTrue(r.generated.isEmpty(), r::describe);
    }

    @Test
    void environmentWithoutTreeApiGetsOneClearError() {
        Compilation.Result r = processWith(new WrappingProcessor(ForeignEnvironment::new), SOURCE);
        assertOneClearNoTreesError(r);
    }

    /** One error per compilation, not one per method or per class. */
    @Test
    void environmentWithoutTreeApiGetsOneErrorForManyMethodsAndClasses() {
        String other = """
                package q;

                import dev.adjoint.Differentiable;
                import org.ejml.simple.SimpleMatrix;

                public class Other {
                    @Differentiable
                    static double g(SimpleMatrix A) {
                        return A.trace();
                    }
                }
                """;
        Compilation.Result r = processWith(new WrappingProcessor(ForeignEnvironment::new), SOURCE, other, BAD);
        assertOneClearNoTreesError(r);
    }

    /** A proxy that cannot be unwrapped (its handler holds no environment) is the same as no tree API. */
    @Test
    void opaqueProxyGetsOneClearError() {
        Compilation.Result r = processWith(new WrappingProcessor(env -> {
            ForeignEnvironment foreign = new ForeignEnvironment(env);
            return (ProcessingEnvironment) Proxy.newProxyInstance(ProcessingEnvironmentTest.class.getClassLoader(),
                    new Class<?>[] {ProcessingEnvironment.class}, (proxy, method, args) -> {
                        try {
                            return method.invoke(foreign, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }), SOURCE);
        assertOneClearNoTreesError(r);
    }

    /** Without any @Differentiable method there is nothing to report, tree API or not. */
    @Test
    void environmentWithoutTreeApiIsSilentWithoutDifferentiableMethods() {
        String plain = """
                package p;

                public class Plain {
                    static double f(double x) {
                        return x * x;
                    }
                }
                """;
        Compilation.Result r = processWith(new WrappingProcessor(ForeignEnvironment::new), plain);
        assertTrue(r.success && r.diagnostics.isEmpty(), r::describe);
        assertTrue(r.generated.isEmpty(), r::describe);
    }
}
