package dev.adjoint.processor;

import com.sun.source.tree.MethodTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import dev.adjoint.Derivative;
import dev.adjoint.processor.diag.Code;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.parse.BodyParser;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeMirror;
import javax.tools.Diagnostic;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * Checks {@code @Derivative} rules where they are compiled (every problem a positioned error) and
 * writes, per class with rules, the resource {@code p/C.adjoint-rules} next to {@code p/C.class}: one line per
 * rule, {@code function, parameter kinds, parameter names, wrt index, rule}, tab-separated. A
 * downstream compilation reads it for the functions' parameter names (a class file compiled
 * without {@code -parameters} has none), and {@code GradientChecker.checkRule} to find a rule by
 * its function and parameter at run time ({@code @Derivative} has class retention).
 */
final class DerivativeRules {
    private final Trees trees;
    private final ProcessingEnvironment env;

    DerivativeRules(Trees trees, ProcessingEnvironment env) {
        this.trees = trees;
        this.env = env;
    }

    static String resourceName(String binaryClassName) {
        // Next to the class file: javac's file manager skips jar directories that are not Java
        // identifiers (such as META-INF) when it looks a resource up on the class path.
        return binaryClassName.replace('.', '/') + ".adjoint-rules";
    }

    /** Validates the rules of one round, grouped by class, and writes each class's resource. */
    void process(Iterable<? extends Element> annotated) {
        Map<TypeElement, List<ExecutableElement>> byClass = new LinkedHashMap<>();
        for (Element e : annotated) {
            if (e.getKind() == ElementKind.METHOD) {
                byClass.computeIfAbsent((TypeElement) e.getEnclosingElement(), k -> new ArrayList<>()).add((ExecutableElement) e);
            }
        }
        byClass.forEach(this::processClass);
    }

    private void processClass(TypeElement owner, List<ExecutableElement> rules) {
        StringBuilder resource = new StringBuilder();
        Set<String> seen = new HashSet<>();
        for (ExecutableElement rule : rules) {
            String line = validate(owner, rule, seen);
            if (line != null) {
                resource.append(line).append('\n');
            }
        }
        if (resource.isEmpty()) {
            return;
        }
        String name = resourceName(env.getElementUtils().getBinaryName(owner).toString());
        try {
            FileObject file = env.getFiler().createResource(StandardLocation.CLASS_OUTPUT, "", name, owner);
            try (Writer w = file.openWriter()) {
                w.write(resource.toString());
            }
        } catch (IOException e) {
            env.getMessager().printMessage(Diagnostic.Kind.ERROR, Code.ADJ903.format("could not write " + name + ": " + e.getMessage()), owner);
        }
    }

    /** The rule's resource line, or null after reporting what is wrong with it. */
    private String validate(TypeElement owner, ExecutableElement rule, Set<String> seen) {
        Derivative d = rule.getAnnotation(Derivative.class);
        String usage = "@Derivative(of = \"f\", wrt = \"A\") static <type of A> rule(<f's parameters>, <type of f's result> ct)";
        if (!rule.getModifiers().contains(Modifier.STATIC)) {
            error(Code.ADJ216, rule, null, "@Derivative rule " + rule.getSimpleName() + " must be static: " + usage);
            return null;
        }
        List<ExecutableElement> candidates = new ArrayList<>();
        for (Element e : owner.getEnclosedElements()) {
            if (e.getKind() == ElementKind.METHOD && e.getSimpleName().contentEquals(d.of()) && !e.equals(rule)) {
                candidates.add((ExecutableElement) e);
            }
        }
        if (candidates.isEmpty()) {
            error(Code.ADJ211, rule, "of", "@Derivative(of = \"" + d.of() + "\") names no method of " + owner.getSimpleName()
                    + ": the function must be a static method of the rule's own class");
            return null;
        }
        List<? extends VariableElement> rp = rule.getParameters();
        ExecutableElement f = null;
        for (ExecutableElement c : candidates) {
            if (c.getParameters().size() + 1 == rp.size() && samePrefix(c, rule)) {
                f = c;
            }
        }
        if (f == null) {
            ExecutableElement only = candidates.get(0);
            String expected = expectedSignature(only);
            Element where = rule;
            if (candidates.size() == 1) {
                for (int i = 0; i < Math.min(only.getParameters().size(), rp.size()); i++) {
                    if (!env.getTypeUtils().isSameType(only.getParameters().get(i).asType(), rp.get(i).asType())) {
                        where = rp.get(i);
                        break;
                    }
                }
            }
            error(Code.ADJ213, where, null, "the parameters of @Derivative rule " + rule.getSimpleName() + " must be those of "
                    + d.of() + " (same types, same order) followed by the cotangent of its result: " + expected);
            return null;
        }
        ValueType result = BodyParser.valueType(env.getTypeUtils(), f.getReturnType());
        if (!f.getModifiers().contains(Modifier.STATIC) || result == null || result == ValueType.INT) {
            error(Code.ADJ216, rule, "of", d.of() + " must be a static method returning SimpleMatrix or double to have "
                    + "@Derivative rules (it is " + (f.getModifiers().contains(Modifier.STATIC) ? "" : "not static, ")
                    + "returning " + f.getReturnType() + ")");
            return null;
        }
        for (VariableElement p : f.getParameters()) {
            if (BodyParser.valueType(env.getTypeUtils(), p.asType()) == null) {
                error(Code.ADJ216, rule, "of", "parameter " + p.getSimpleName() + " of " + d.of() + " has type " + p.asType()
                        + "; a function with @Derivative rules takes only SimpleMatrix, double and int parameters");
                return null;
            }
        }
        VariableElement ct = rp.get(rp.size() - 1);
        if (BodyParser.valueType(env.getTypeUtils(), ct.asType()) != result) {
            error(Code.ADJ213, ct, null, "the last parameter of @Derivative rule " + rule.getSimpleName()
                    + " is the cotangent of " + d.of() + "'s result, so its type is " + f.getReturnType() + ", not " + ct.asType()
                    + ": " + expectedSignature(f));
            return null;
        }
        List<String> names = f.getParameters().stream().map(p -> p.getSimpleName().toString()).toList();
        int index = names.indexOf(d.wrt());
        if (index < 0) {
            error(Code.ADJ212, rule, "wrt", "@Derivative(wrt = \"" + d.wrt() + "\") names no parameter of " + d.of()
                    + "; its parameters are " + names);
            return null;
        }
        TypeMirror wrtType = f.getParameters().get(index).asType();
        if (BodyParser.valueType(env.getTypeUtils(), wrtType) == ValueType.INT) {
            error(Code.ADJ212, rule, "wrt", "@Derivative(wrt = \"" + d.wrt() + "\") names int parameter " + d.wrt()
                    + ": sizes are constants for differentiation and have no derivative");
            return null;
        }
        if (!env.getTypeUtils().isSameType(rule.getReturnType(), wrtType)) {
            errorOnReturnType(rule, "@Derivative rule " + rule.getSimpleName() + " returns the gradient with respect to "
                    + d.wrt() + ", so its return type is " + wrtType + ", not " + rule.getReturnType());
            return null;
        }
        if (!seen.add(f.getSimpleName() + "#" + kinds(f) + "#" + index)) {
            error(Code.ADJ215, rule, "wrt", "a second @Derivative rule for parameter " + d.wrt() + " of " + d.of()
                    + ": keep one rule per function and parameter");
            return null;
        }
        return String.join("\t", f.getSimpleName(), kinds(f), String.join(",", names), Integer.toString(index),
                rule.getSimpleName());
    }

    private boolean samePrefix(ExecutableElement f, ExecutableElement rule) {
        for (int i = 0; i < f.getParameters().size(); i++) {
            if (!env.getTypeUtils().isSameType(f.getParameters().get(i).asType(), rule.getParameters().get(i).asType())) {
                return false;
            }
        }
        return true;
    }

    private static String expectedSignature(ExecutableElement f) {
        List<String> params = new ArrayList<>();
        for (VariableElement p : f.getParameters()) {
            params.add(simple(p.asType()) + " " + p.getSimpleName());
        }
        params.add(simple(f.getReturnType()) + " ct");
        return "(" + String.join(", ", params) + ")";
    }

    private static String simple(TypeMirror type) {
        return type.toString().replaceAll(".*\\.", "");
    }

    private String kinds(ExecutableElement f) {
        StringBuilder s = new StringBuilder();
        for (VariableElement p : f.getParameters()) {
            ValueType t = BodyParser.valueType(env.getTypeUtils(), p.asType());
            s.append(t == ValueType.MATRIX ? 'M' : t == ValueType.SCALAR ? 'D' : 'I');
        }
        return s.toString();
    }

    /** The parameter names a class's rules resource records for a function, or null. */
    static List<String> parameterNames(ProcessingEnvironment env, String binaryClassName, String function, List<ValueType> kinds) {
        String text = CallResolver.readText(env, resourceName(binaryClassName));
        if (text == null) {
            return null;
        }
        StringBuilder k = new StringBuilder();
        for (ValueType t : kinds) {
            k.append(t == ValueType.MATRIX ? 'M' : t == ValueType.SCALAR ? 'D' : 'I');
        }
        for (String line : text.split("\n")) {
            String[] fields = line.split("\t");
            if (fields.length == 5 && fields[0].equals(function) && fields[1].equals(k.toString())) {
                return fields[2].isEmpty() ? List.of() : List.of(fields[2].split(","));
            }
        }
        return null;
    }

    private void errorOnReturnType(ExecutableElement rule, String message) {
        TreePath path = trees.getPath(rule);
        if (path != null && path.getLeaf() instanceof MethodTree m && m.getReturnType() != null) {
            trees.printMessage(Diagnostic.Kind.ERROR, Code.ADJ214.format(message), m.getReturnType(), path.getCompilationUnit());
        } else {
            env.getMessager().printMessage(Diagnostic.Kind.ERROR, Code.ADJ214.format(message), rule);
        }
    }

    /** An error on {@code element}, or on the named element of its {@code @Derivative} annotation. */
    private void error(Code code, Element element, String annotationElement, String message) {
        message = code.format(message);
        if (annotationElement != null) {
            for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
                if (((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName().contentEquals(Derivative.class.getCanonicalName())) {
                    for (var entry : mirror.getElementValues().entrySet()) {
                        if (entry.getKey().getSimpleName().contentEquals(annotationElement)) {
                            env.getMessager().printMessage(Diagnostic.Kind.ERROR, message, element, mirror, entry.getValue());
                            return;
                        }
                    }
                }
            }
        }
        env.getMessager().printMessage(Diagnostic.Kind.ERROR, message, element);
    }
}
