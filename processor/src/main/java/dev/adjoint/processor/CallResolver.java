package dev.adjoint.processor;

import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import dev.adjoint.Derivative;
import dev.adjoint.Differentiable;
import dev.adjoint.Shape;
import dev.adjoint.processor.diag.Code;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.UserFunctions;
import dev.adjoint.processor.parse.BodyParser;
import dev.adjoint.processor.parse.DslError;
import dev.adjoint.processor.parse.InlineIr;
import dev.adjoint.processor.parse.OpRegistry;
import dev.adjoint.processor.parse.ParsedFunction;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * Parses {@code @Differentiable} bodies against one {@link OpRegistry} for the whole compilation,
 * and finds for it what a body calls outside the registry ({@link OpRegistry.Discovery}): another
 * {@code @Differentiable} method, parsed from source when it is in this compilation and otherwise
 * read from the resource its own compilation wrote next to its class ({@link InlineIr}), or a user
 * function with {@code @Derivative} rules, found through the annotations of its class (source or
 * class file), which the registry then keeps like a built-in form. Keeps the chain of methods being
 * inlined to report recursion, and caches each callee's IR.
 */
final class CallResolver implements OpRegistry.Discovery {
    private final Trees trees;
    private final ProcessingEnvironment env;
    /** Built-in forms and every user function discovered so far in this compilation. */
    private final OpRegistry ops = new OpRegistry(this);
    private final Map<String, InlineIr> cache = new HashMap<>();
    /** The methods being parsed, innermost first: a call of one of them is recursion. */
    private final Deque<String> inlining = new ArrayDeque<>();
    private final Deque<String> inliningNames = new ArrayDeque<>();

    CallResolver(Trees trees, ProcessingEnvironment env) {
        this.trees = trees;
        this.env = env;
    }

    /** The registry the bodies are parsed against. */
    OpRegistry ops() {
        return ops;
    }

    /** Parses a {@code @Differentiable} method's body, resolving its calls through {@link #ops()}. */
    ParsedFunction parse(ExecutableElement method, TreePath path) {
        inlining.push(key(method));
        inliningNames.push(display(method));
        try {
            BodyParser.attribute(trees, path);
            return BodyParser.parse(trees, env.getTypeUtils(), path, method, ops);
        } finally {
            inlining.pop();
            inliningNames.pop();
        }
    }

    /** The IR of a parsed method, for callers (cached, so a callee is parsed once). */
    InlineIr remember(ExecutableElement method, ParsedFunction parsed) {
        List<List<String>> shapes = new ArrayList<>();
        for (VariableElement p : method.getParameters()) {
            Shape shape = p.getAnnotation(Shape.class);
            shapes.add(shape == null ? List.of() : List.of(shape.value()));
        }
        String qualified = ((TypeElement) method.getEnclosingElement()).getQualifiedName() + "." + method.getSimpleName();
        InlineIr ir = InlineIr.of(qualified, parsed.graph(), parsed.parameters(), parsed.result(), shapes);
        cache.put(key(method), ir);
        return ir;
    }

    /** {@code p/C.m.MD.adj} for a method. */
    String resourceName(ExecutableElement method) {
        return InlineIr.resourceName(binaryName(method), method.getSimpleName().toString(), kinds(method));
    }

    @Override
    public InlineIr inlined(ExecutableElement method, Tree call) {
        if (method.getAnnotation(Differentiable.class) == null) {
            return null;
        }
        String key = key(method);
        if (inlining.contains(key)) {
            List<String> chain = new ArrayList<>(inliningNames);
            java.util.Collections.reverse(chain);
            chain = new ArrayList<>(chain.subList(chain.indexOf(display(method)), chain.size()));
            chain.add(display(method));
            throw new DslError(Code.ADJ330, call, "recursion: " + String.join(" → ", chain) + "; Adjoint inlines every call "
                    + "of a @Differentiable method, so a method cannot call itself, directly or through other helpers "
                    + "(write the repetition out, or as a matrix operation)");
        }
        InlineIr cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        TreePath path = trees.getPath(method);
        if (path == null) {
            return fromClassPath(method, call);
        }
        if (!callable(method)) {
            throw new DslError(Code.ADJ332, call, display(method) + " cannot be inlined: its signature has errors (reported on it)");
        }
        ParsedFunction parsed = parse(method, path);
        for (DslError e : parsed.errors()) {
            if (e.code() == Code.ADJ330) {
                throw new DslError(Code.ADJ330, call, e.getMessage());
            }
        }
        if (!parsed.errors().isEmpty()) {
            throw new DslError(Code.ADJ332, call, display(method) + " cannot be inlined: its body has errors (reported on it); "
                    + "fix them first");
        }
        return remember(method, parsed);
    }

    private InlineIr fromClassPath(ExecutableElement method, Tree call) {
        String name = resourceName(method);
        byte[] data;
        try {
            FileObject file = env.getFiler().getResource(StandardLocation.CLASS_PATH, "", name);
            try (InputStream in = file.openInputStream()) {
                data = in.readAllBytes();
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new DslError(Code.ADJ333, call, display(method) + " is @Differentiable but only its class file is available, "
                    + "without the IR Adjoint inlines (" + name + "): compile the library that declares it with Adjoint's "
                    + "processor (on its annotationProcessorPaths), then rebuild this module");
        }
        try {
            InlineIr ir = InlineIr.deserialize(data);
            cache.put(key(method), ir);
            return ir;
        } catch (IOException e) {
            throw new DslError(Code.ADJ333, call, display(method) + "'s inlining IR (" + name + ") was written by another "
                    + "version of Adjoint (" + e.getMessage() + "): recompile the library with this version of Adjoint's processor");
        }
    }

    /** Whether a callee's signature is one a caller can inline (its own errors are reported on it). */
    private boolean callable(ExecutableElement method) {
        ValueType result = BodyParser.valueType(env.getTypeUtils(), method.getReturnType());
        if (!method.getModifiers().contains(Modifier.STATIC) || result == null || result == ValueType.INT) {
            return false;
        }
        for (VariableElement p : method.getParameters()) {
            if (BodyParser.valueType(env.getTypeUtils(), p.asType()) == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * The user function a static method is, with its well-formed {@code @Derivative} rules, or null
     * if it has no rule or a signature Adjoint cannot call (reported on its rules).
     */
    @Override
    public UserFunctions.Function userFunction(ExecutableElement f) {
        if (!callable(f)) {
            return null;
        }
        TypeElement owner = (TypeElement) f.getEnclosingElement();
        List<String> rules = new ArrayList<>();
        f.getParameters().forEach(p -> rules.add(""));
        boolean any = false;
        boolean accessible = f.getModifiers().contains(Modifier.PUBLIC) && publicType(owner);
        List<String> names = parameterNames(f);
        for (Element e : owner.getEnclosedElements()) {
            Derivative rule = e.getAnnotation(Derivative.class);
            if (rule == null || e.getKind() != ElementKind.METHOD || !rule.of().equals(f.getSimpleName().toString())) {
                continue;
            }
            ExecutableElement r = (ExecutableElement) e;
            int index = names.indexOf(rule.wrt());
            if (!ruleMatches(f, r) || index < 0 || !rules.get(index).isEmpty()) {
                continue; // reported where the rule is compiled
            }
            rules.set(index, r.getSimpleName().toString());
            accessible &= r.getModifiers().contains(Modifier.PUBLIC);
            any = true;
        }
        if (!any) {
            return null;
        }
        PackageElement pkg = env.getElementUtils().getPackageOf(owner);
        List<String> classNames = new ArrayList<>();
        for (Element e = owner; e instanceof TypeElement; e = e.getEnclosingElement()) {
            classNames.add(0, e.getSimpleName().toString());
        }
        return new UserFunctions.Function(pkg.getQualifiedName().toString(), classNames, f.getSimpleName().toString(), names,
                kinds(f), BodyParser.valueType(env.getTypeUtils(), f.getReturnType()), rules, accessible);
    }

    /** Whether {@code rule}'s signature is {@code f}'s parameters, then the cotangent, returning a parameter's type. */
    boolean ruleMatches(ExecutableElement f, ExecutableElement rule) {
        List<? extends VariableElement> fp = f.getParameters();
        List<? extends VariableElement> rp = rule.getParameters();
        if (!rule.getModifiers().contains(Modifier.STATIC) || rp.size() != fp.size() + 1) {
            return false;
        }
        for (int i = 0; i < fp.size(); i++) {
            if (!env.getTypeUtils().isSameType(fp.get(i).asType(), rp.get(i).asType())) {
                return false;
            }
        }
        ValueType ct = BodyParser.valueType(env.getTypeUtils(), rp.get(fp.size()).asType());
        return ct != null && ct == BodyParser.valueType(env.getTypeUtils(), f.getReturnType());
    }

    /**
     * A function's parameter names as its rules' {@code wrt} spell them. From a class file compiled
     * without {@code -parameters} javac sees {@code arg0, arg1, ...}: the names then come from the
     * rules resource that Adjoint wrote next to the class ({@link DerivativeRules}).
     */
    private List<String> parameterNames(ExecutableElement f) {
        List<String> names = f.getParameters().stream().map(p -> p.getSimpleName().toString()).toList();
        if (trees.getPath(f) != null) {
            return names;
        }
        List<String> recorded = DerivativeRules.parameterNames(env, binaryName(f), f.getSimpleName().toString(), kinds(f));
        return recorded != null ? recorded : names;
    }

    private static boolean publicType(TypeElement type) {
        for (Element e = type; e instanceof TypeElement; e = e.getEnclosingElement()) {
            if (!e.getModifiers().contains(Modifier.PUBLIC)) {
                return false;
            }
        }
        return true;
    }

    private List<ValueType> kinds(ExecutableElement method) {
        return method.getParameters().stream().map(p -> BodyParser.valueType(env.getTypeUtils(), p.asType())).toList();
    }

    private String binaryName(ExecutableElement method) {
        return env.getElementUtils().getBinaryName((TypeElement) method.getEnclosingElement()).toString();
    }

    private String key(ExecutableElement method) {
        return binaryName(method) + "#" + method.getSimpleName() + kinds(method);
    }

    static String display(ExecutableElement method) {
        return method.getEnclosingElement().getSimpleName() + "." + method.getSimpleName();
    }

    /** Reads a class path resource as text, or null if there is none. */
    static String readText(ProcessingEnvironment env, String name) {
        try {
            FileObject file = env.getFiler().getResource(StandardLocation.CLASS_PATH, "", name);
            try (InputStream in = file.openInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
