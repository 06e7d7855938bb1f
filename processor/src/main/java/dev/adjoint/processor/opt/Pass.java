package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Program;

/**
 * One optimization pass: a function from a program to an equivalent program. Passes are listed
 * in {@link PassManager}, run in that order, and the IR is verified after each one.
 */
public interface Pass {
    /** A short, stable, kebab-case name: what {@code -Aadjoint.disablePasses} and IR dumps use. */
    String name();

    /** One line on what the pass does, for the processor's help and the dumps. */
    String description();

    Program apply(Program program, PassContext context);

    /**
     * Whether the pass also runs inside the bodies of loops and branches ({@link InsideRegions}).
     * Only passes that need no shape inference may: a region's input shapes come from its op.
     */
    default boolean insideRegions() {
        return false;
    }
}
