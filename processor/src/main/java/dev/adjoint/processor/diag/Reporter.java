package dev.adjoint.processor.diag;

import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import dev.adjoint.Differentiable;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;

/**
 * Where the processor's diagnostics go: each one carries its {@link Code} and points at the
 * exact place, a sub-expression of a method's body (through javac's trees), an element, or one
 * element of its {@code @Differentiable} annotation.
 */
public final class Reporter {
    private final Trees trees;
    private final Messager messager;

    /** @param trees javac's trees, or null where the compiler has none (then only elements are pointed at) */
    public Reporter(Trees trees, Messager messager) {
        this.trees = trees;
        this.messager = messager;
    }

    /** A diagnostic on {@code tree}, a part of {@code method}'s body; on the method when the tree is unknown. */
    public void report(Code code, Diagnostic.Kind kind, String message, Tree tree, ExecutableElement method) {
        message = code.format(message);
        TreePath path = trees == null ? null : trees.getPath(method);
        if (tree != null && path != null) {
            trees.printMessage(kind, message, tree, path.getCompilationUnit());
        } else {
            messager.printMessage(kind, message, method);
        }
    }

    /** An error on {@code element}. */
    public void error(Code code, Element element, String message) {
        messager.printMessage(Diagnostic.Kind.ERROR, code.format(message), element);
    }

    /** An error on one element of the method's {@code @Differentiable} annotation, e.g. its {@code wrt}. */
    public void errorOnAnnotation(Code code, ExecutableElement method, String elementName, String message) {
        message = code.format(message);
        for (AnnotationMirror mirror : method.getAnnotationMirrors()) {
            if (((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName().contentEquals(Differentiable.class.getCanonicalName())) {
                for (var entry : mirror.getElementValues().entrySet()) {
                    if (entry.getKey().getSimpleName().contentEquals(elementName)) {
                        messager.printMessage(Diagnostic.Kind.ERROR, message, method, mirror, entry.getValue());
                        return;
                    }
                }
                break; // the element is not written out: point at the method
            }
        }
        messager.printMessage(Diagnostic.Kind.ERROR, message, method);
    }
}
