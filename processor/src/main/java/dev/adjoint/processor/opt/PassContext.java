package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.shape.ShapeInference;

/**
 * What a pass may know besides the program: the method's declared {@code @Shape}s, from which
 * shape-aware passes infer the shapes of the program in front of them.
 */
public record PassContext(ShapeInference.Declarations declarations, java.util.List<ShapeInference.Check> callSiteChecks) {
    public PassContext(ShapeInference.Declarations declarations) {
        this(declarations, java.util.List.of());
    }

    /**
     * The shapes of {@code program}'s nodes, inferred afresh (passes change the graph), with the
     * checks the parsed method's helper calls add ({@link ShapeInference#callSiteChecks}).
     */
    public ShapeInference shapes(Program program) {
        ShapeInference shapes = ShapeInference.run(program.graph(), declarations);
        shapes.addChecks(callSiteChecks);
        return shapes;
    }
}
