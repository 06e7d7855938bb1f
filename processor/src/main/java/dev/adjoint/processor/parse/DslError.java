package dev.adjoint.processor.parse;

import com.sun.source.tree.Tree;

/** A construct outside the DSL, reported as a javac error on {@code tree}. */
public final class DslError extends RuntimeException {
    private final transient Tree tree;

    public DslError(Tree tree, String message) {
        super(message, null, false, false);
        this.tree = tree;
    }

    public Tree tree() {
        return tree;
    }
}
