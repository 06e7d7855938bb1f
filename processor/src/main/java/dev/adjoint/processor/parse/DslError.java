package dev.adjoint.processor.parse;

import com.sun.source.tree.Tree;
import dev.adjoint.processor.diag.Code;

/** A construct outside the DSL, reported as a javac error on {@code tree}, with its stable code. */
public final class DslError extends RuntimeException {
    private final transient Tree tree;
    private final Code code;

    public DslError(Code code, Tree tree, String message) {
        super(message, null, false, false);
        this.tree = tree;
        this.code = code;
    }

    public Tree tree() {
        return tree;
    }

    public Code code() {
        return code;
    }
}
