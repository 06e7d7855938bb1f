package dev.adjoint.processor;

import dev.adjoint.Differentiable;
import dev.adjoint.Shape;
import dev.adjoint.processor.diag.Code;
import dev.adjoint.processor.diag.Reporter;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.parse.BodyParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Types;

/**
 * The checks of a {@code @Differentiable} method's declaration, before its body is read: its
 * signature, its annotation's options and {@code wrt} list, and its parameters' {@code @Shape}s. Each problem is an error on
 * the element (or annotation element) at fault, saying what to write instead.
 */
final class SignatureChecks {
    private final Types types;
    private final Reporter reporter;

    SignatureChecks(Types types, Reporter reporter) {
        this.types = types;
        this.reporter = reporter;
    }

    /** The method's modifiers, return type, parameter types, enclosing element and generated class name (ADJ101–104, ADJ204). */
    boolean validate(ExecutableElement method) {
        boolean ok = true;
        if (!method.getModifiers().contains(Modifier.STATIC)) {
            reporter.error(Code.ADJ101, method, "@Differentiable method " + method.getSimpleName() + " must be static: "
                    + "declare it as static double " + method.getSimpleName() + "(...)");
            ok = false;
        }
        ValueType returns = valueType(method.getReturnType());
        if (returns != ValueType.SCALAR && returns != ValueType.MATRIX) {
            reporter.error(Code.ADJ102, method, "@Differentiable method " + method.getSimpleName() + " must return double (a loss) or "
                    + "SimpleMatrix (a helper that other @Differentiable methods call), not " + method.getReturnType());
            ok = false;
        }
        for (VariableElement p : method.getParameters()) {
            if (valueType(p.asType()) == null) {
                reporter.error(Code.ADJ103, p, "parameter " + p.getSimpleName() + " has type " + p.asType()
                        + "; a @Differentiable method takes only SimpleMatrix, double and int parameters");
                ok = false;
            }
        }
        if (method.getEnclosingElement().getKind() != ElementKind.CLASS
                && method.getEnclosingElement().getKind() != ElementKind.INTERFACE
                && method.getEnclosingElement().getKind() != ElementKind.ENUM
                && method.getEnclosingElement().getKind() != ElementKind.RECORD) {
            reporter.error(Code.ADJ104, method, "@Differentiable methods must be declared in a class");
            ok = false;
        }
        String name = method.getAnnotation(Differentiable.class).name();
        if (!name.isEmpty() && !SourceVersion.isName(name)) {
            reporter.errorOnAnnotation(Code.ADJ204, method, "name", "@Differentiable(name = \"" + name + "\") is not a valid Java class name");
            ok = false;
        }
        return ok;
    }

    /** The annotation's {@code order} and {@code precision} (ADJ210, ADJ220). */
    boolean validateOptions(ExecutableElement method, Differentiable annotation) {
        boolean orderOk = annotation.order() == 1 || annotation.order() == 2;
        boolean precisionOk = annotation.precision().length > 0
                && java.util.EnumSet.copyOf(List.of(annotation.precision())).size() == annotation.precision().length;
        if (!precisionOk) {
            reporter.errorOnAnnotation(Code.ADJ220, method, "precision", "@Differentiable(precision) must name each precision to "
                    + "generate once: {Precision.DOUBLE} (the default), {Precision.FLOAT} or {Precision.DOUBLE, Precision.FLOAT}");
        }
        if (!orderOk) {
            reporter.errorOnAnnotation(Code.ADJ210, method, "order", "@Differentiable(order = " + annotation.order()
                    + ") is not supported: write order = 1 (value and gradient) or order = 2 (also Hessian-vector products and the Hessian)");
        }
        return orderOk && precisionOk;
    }

    /**
     * The parameters to differentiate, in declaration order: {@code wrt}'s, or every SimpleMatrix and
     * double parameter; null after reporting an error (ADJ105, ADJ201–203).
     */
    List<String> wrtParameters(ExecutableElement method, Differentiable annotation) {
        Map<String, VariableElement> byName = new HashMap<>();
        for (VariableElement p : method.getParameters()) {
            byName.put(p.getSimpleName().toString(), p);
        }
        List<String> wrt = new ArrayList<>();
        if (annotation.wrt().length == 0) {
            for (VariableElement p : method.getParameters()) {
                if (valueType(p.asType()) != ValueType.INT) {
                    wrt.add(p.getSimpleName().toString());
                }
            }
            if (wrt.isEmpty()) {
                reporter.error(Code.ADJ105, method, "@Differentiable method " + method.getSimpleName() + " has no SimpleMatrix or double parameter to differentiate");
                return null;
            }
            return wrt;
        }
        boolean ok = true;
        for (String name : annotation.wrt()) {
            VariableElement p = byName.get(name);
            if (p == null) {
                reporter.errorOnAnnotation(Code.ADJ201, method, "wrt", "wrt names \"" + name + "\", which is not a parameter of " + method.getSimpleName()
                        + "; parameters are " + byName.keySet().stream().sorted().toList());
                ok = false;
            } else if (valueType(p.asType()) == ValueType.INT) {
                reporter.errorOnAnnotation(Code.ADJ202, method, "wrt", "wrt names int parameter \"" + name + "\": only SimpleMatrix and double parameters can be differentiated");
                ok = false;
            } else if (wrt.contains(name)) {
                reporter.errorOnAnnotation(Code.ADJ203, method, "wrt", "wrt names \"" + name + "\" twice");
                ok = false;
            } else {
                wrt.add(name);
            }
        }
        if (!ok) {
            return null;
        }
        // Declaration order, whatever order wrt lists them in.
        List<String> ordered = new ArrayList<>();
        for (VariableElement p : method.getParameters()) {
            if (wrt.contains(p.getSimpleName().toString())) {
                ordered.add(p.getSimpleName().toString());
            }
        }
        return ordered;
    }

    /** Parameter name → its {@code @Shape} entries; null after reporting an error (ADJ207–209). */
    Map<String, List<String>> declaredShapes(ExecutableElement method) {
        Map<String, List<String>> shapes = new HashMap<>();
        boolean ok = true;
        for (VariableElement p : method.getParameters()) {
            Shape shape = p.getAnnotation(Shape.class);
            if (shape == null) {
                continue;
            }
            if (valueType(p.asType()) != ValueType.MATRIX) {
                reporter.error(Code.ADJ207, p, "@Shape applies to SimpleMatrix parameters only");
                ok = false;
            } else if (shape.value().length != 2) {
                reporter.error(Code.ADJ208, p, "@Shape takes exactly two entries, rows then columns, e.g. @Shape({\"n\", \"1\"})");
                ok = false;
            } else {
                for (String entry : shape.value()) {
                    if (!isSizeLiteral(entry) && !SourceVersion.isIdentifier(entry)) {
                        reporter.error(Code.ADJ209, p, "@Shape entry \"" + entry + "\" must be a symbol such as \"n\" or a non-negative int literal such as \"1\"");
                        ok = false;
                    }
                }
                shapes.put(p.getSimpleName().toString(), List.of(shape.value()));
            }
        }
        return ok ? shapes : null;
    }

    private static boolean isSizeLiteral(String entry) {
        if (!entry.matches("\\d+")) {
            return false;
        }
        try {
            Integer.parseInt(entry);
            return true;
        } catch (NumberFormatException e) {
            return false; // larger than any matrix dimension can be
        }
    }

    private ValueType valueType(TypeMirror type) {
        return BodyParser.valueType(types, type);
    }
}
