package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.diag.Code;
import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Origin;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.ops.MatrixAlgebra;
import dev.adjoint.processor.ops.ScalarOps;
import dev.adjoint.processor.ops.UserFunctions;
import dev.adjoint.processor.parse.DslError;
import dev.adjoint.processor.parse.InlineIr;
import dev.adjoint.processor.parse.OpRegistry;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.ElementFilter;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Built-in forms and user functions with {@code @Derivative} rules are one kind of thing, found by
 * one lookup: the registry the processor parses every body against.
 */
class OpRegistryTest {
    private static final String SIMPLE_BASE = "org.ejml.simple.SimpleBase";
    private static final String CONST_MATRIX = "org.ejml.simple.ConstMatrix";
    private static final String SIMPLE_MATRIX = "org.ejml.simple.SimpleMatrix";

    private static final String RULES = """
            package demo;

            import dev.adjoint.Derivative;
            import org.ejml.simple.SimpleMatrix;

            public final class Rules {
                public static SimpleMatrix softsign(SimpleMatrix A, double s, int n) {
                    return A;
                }

                @Derivative(of = "softsign", wrt = "A")
                public static SimpleMatrix softsignGrad(SimpleMatrix A, double s, int n, SimpleMatrix ct) {
                    return ct;
                }

                static SimpleMatrix plain(SimpleMatrix A) {
                    return A;
                }
            }
            """;

    @Test
    void aBuiltInAndAUserFunctionResolveThroughTheSameRegistry() {
        Map<String, Object> seen = withProcessor((resolver, methods, mult) -> {
            OpRegistry ops = resolver.ops();
            List<String> softsignTypes = List.of(SIMPLE_MATRIX, "double", "int");
            Map<String, Object> out = new TreeMap<>();
            out.put("userBefore", ops.find("demo.Rules", "softsign", softsignTypes));
            out.put("builtIn", ops.resolve(mult, List.of(CONST_MATRIX), null));
            out.put("user", ops.resolve(methods.get("softsign"), softsignTypes, null));
            out.put("userAfter", ops.find("demo.Rules", "softsign", softsignTypes));
            out.put("plain", ops.resolve(methods.get("plain"), List.of(SIMPLE_MATRIX), null));
            return out;
        });
        assertNull(seen.get("userBefore"), "a user function enters the registry when a body first calls it");
        OpRegistry.Form builtIn = (OpRegistry.Form) seen.get("builtIn");
        OpRegistry.Form user = (OpRegistry.Form) seen.get("user");
        assertNotNull(builtIn);
        assertNotNull(user);
        assertSame(user, seen.get("userAfter"), "once discovered, the user function is a registered form like a built-in");
        assertNull(seen.get("plain"), "a method without rules is not an op (ADJ302 at the call)");
        assertEquals("Rules.softsign(A, s, n)", user.usage());

        // The built-in lowers to its primitive.
        LoweringCalls calls = new LoweringCalls();
        int a = calls.b.apply(new Leaves.Param(0, "A", ValueType.MATRIX));
        int x = calls.b.apply(new Leaves.Param(1, "x", ValueType.MATRIX));
        int product = builtIn.lowering().lower(calls, a, List.of(x));
        assertInstanceOf(MatrixAlgebra.MatMul.class, calls.b.node(product).op());
        assertEquals(List.of(a, x), calls.b.node(product).inputs());

        // The user function lowers to one UserFunctions.Call, each argument converted to its parameter's kind.
        int i = calls.b.apply(new Leaves.Param(2, "i", ValueType.INT));
        int n = calls.b.apply(new Leaves.Param(3, "n", ValueType.INT));
        int call = user.lowering().lower(calls, -1, List.of(a, i, n));
        Node node = calls.b.node(call);
        UserFunctions.Call op = assertInstanceOf(UserFunctions.Call.class, node.op());
        assertEquals("softsign", op.function().name());
        assertEquals(List.of("softsignGrad", "", ""), op.function().rules());
        assertEquals(List.of(ValueType.MATRIX, ValueType.SCALAR, ValueType.INT), calls.requested);
        assertEquals(a, node.inputs().get(0));
        assertInstanceOf(ScalarOps.FromInt.class, calls.b.node(node.inputs().get(1)).op(), "an int widened for a double parameter");
        assertEquals(n, node.inputs().get(2));
    }

    @Test
    void aMethodHasOneDefinition() {
        OpRegistry ops = OpRegistry.builtIns();
        OpRegistry.Form mult = ops.find(SIMPLE_BASE, "mult", List.of(CONST_MATRIX));
        assertNotNull(mult);
        ops.register(mult); // the same definition again is harmless
        OpRegistry.Form other = new OpRegistry.Form(SIMPLE_BASE, "mult", List.of(CONST_MATRIX), "A.mult(B)", (c, r, args) -> r);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ops.register(other));
        assertTrue(e.getMessage().contains("two definitions"), e.getMessage());
    }

    @Test
    void aRegisteredUserFunctionIsFoundByTheBuiltInLookup() {
        OpRegistry ops = OpRegistry.builtIns();
        UserFunctions.Function f = new UserFunctions.Function("demo", List.of("Rules"), "twice", List.of("A"),
                List.of(ValueType.MATRIX), ValueType.MATRIX, List.of("twiceGrad"), true);
        ops.register(OpRegistry.userFunction("demo.Rules", List.of(SIMPLE_MATRIX), f));
        OpRegistry.Form form = ops.find("demo.Rules", "twice", List.of(SIMPLE_MATRIX));
        LoweringCalls calls = new LoweringCalls();
        int a = calls.b.apply(new Leaves.Param(0, "A", ValueType.MATRIX));
        int node = form.lowering().lower(calls, -1, List.of(a));
        assertEquals(new UserFunctions.Call(f), calls.b.node(node).op());
        assertNull(ops.find("demo.Rules", "twice", List.of(SIMPLE_MATRIX, "double")), "another overload is another op");
    }

    /** A lowering's view of a call, as the parser gives it, over a bare builder. */
    private static final class LoweringCalls implements OpRegistry.Calls {
        final Builder b = new Builder();
        final List<ValueType> requested = new ArrayList<>();

        @Override
        public Builder builder() {
            return b;
        }

        @Override
        public Origin origin() {
            return new Origin("call", "Test.java", 1);
        }

        @Override
        public int scalar(int node) {
            return b.type(node) == ValueType.INT ? b.apply(new ScalarOps.FromInt(), origin(), node) : node;
        }

        @Override
        public int argument(List<Integer> args, int index, ValueType kind) {
            requested.add(kind);
            return kind == ValueType.SCALAR ? scalar(args.get(index)) : args.get(index);
        }

        @Override
        public int inline(InlineIr ir, List<Integer> args) {
            throw new AssertionError("no helper here");
        }

        @Override
        public DslError error(Code code, String message) {
            return new DslError(code, null, message);
        }
    }

    @FunctionalInterface
    private interface WithElements {
        Map<String, Object> run(CallResolver resolver, Map<String, ExecutableElement> methods, ExecutableElement mult);
    }

    /** Runs {@code body} inside javac (annotation processing only) with the processor's own resolver. */
    private static Map<String, Object> withProcessor(WithElements body) {
        Map<String, Object> result = new TreeMap<>();
        AbstractProcessor probe = new AbstractProcessor() {
            @Override
            public Set<String> getSupportedAnnotationTypes() {
                return Set.of("*");
            }

            @Override
            public SourceVersion getSupportedSourceVersion() {
                return SourceVersion.latestSupported();
            }

            @Override
            public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
                if (round.processingOver()) {
                    return false;
                }
                TypeElement rules = processingEnv.getElementUtils().getTypeElement("demo.Rules");
                Map<String, ExecutableElement> methods = new TreeMap<>();
                for (ExecutableElement m : ElementFilter.methodsIn(rules.getEnclosedElements())) {
                    methods.put(m.getSimpleName().toString(), m);
                }
                ExecutableElement mult = null;
                for (Element e : processingEnv.getElementUtils().getTypeElement(SIMPLE_BASE).getEnclosedElements()) {
                    if (e instanceof ExecutableElement m && m.getSimpleName().contentEquals("mult") && m.getParameters().size() == 1) {
                        mult = m;
                    }
                }
                result.putAll(body.run(new CallResolver(JavacTrees.find(processingEnv), processingEnv), methods, mult));
                return false;
            }
        };
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        JavaFileObject source = new SimpleJavaFileObject(URI.create("string:///demo/Rules.java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return RULES;
            }
        };
        JavaCompiler.CompilationTask task = javac.getTask(null, null, null,
                List.of("-proc:only", "-classpath", System.getProperty("java.class.path")), null, List.of(source));
        task.setProcessors(List.of(probe));
        assertTrue(task.call(), "javac failed on the test source");
        assertTrue(!result.isEmpty(), "the probe processor did not run");
        return result;
    }
}
