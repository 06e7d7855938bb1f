package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.shape.ShapeInference;

/**
 * What a pass may know besides the program: the method's declared {@code @Shape}s, from which
 * shape-aware passes infer the shapes of the program in front of them.
 */
public record PassContext(ShapeInference.Declarations declarations) {
    /** The shapes of {@code program}'s nodes, inferred afresh (passes change the graph). */
    public ShapeInference shapes(Program program) {
        return ShapeInference.run(program.graph(), declarations);
    }
}
