package dev.adjoint.processor.emit;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ops.Ejml;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.shape.ShapeInference;
import dev.adjoint.processor.shape.ShapeInference.Anchor;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * The generated {@code checkArguments(...)}: the run-time shape checks and index ranges that shape
 * inference could not settle at compile time, each failure naming the DSL expression that needs
 * the shapes to agree and the arguments' actual shapes.
 */
final class ArgumentChecks {
    private final PublicApi api;
    private final MethodBodies bodies;
    /** The gradient program, whose shapes hold the checks. */
    private final MethodUnit gradientUnit;
    private final Graph graph;
    private final ShapeInference shapes;
    private final List<Node> parameters;

    ArgumentChecks(FieldLayout layout, PublicApi api, MethodBodies bodies) {
        this.api = api;
        this.bodies = bodies;
        this.gradientUnit = layout.gradientUnit;
        this.graph = gradientUnit.graph;
        this.shapes = gradientUnit.shapes;
        this.parameters = layout.parameters;
    }

    /** A size as the error message names it: {@code X.numRows()}, a constant, the user's int local. */
    private String anchorLabel(Anchor a) {
        if (a instanceof Anchor.ParameterDim p) {
            return p.parameter() + (p.axis() == 0 ? ".numRows()" : ".numCols()");
        } else if (a instanceof Anchor.Constant c) {
            return Integer.toString(c.value());
        } else if (a instanceof Anchor.IntValue v) {
            return graph.names().getOrDefault(v.node(), graph.node(v.node()).origin().text());
        } else if (a instanceof Anchor.Derived) {
            return shapes.render(a, this::anchorLabel).replace("dev.adjoint.runtime.Kernels.", "");
        }
        return ((Anchor.Symbol) a).name();
    }

    /** Whether a class with these shapes has {@code checkArguments}, which every entry point then calls first. */
    static boolean needed(dev.adjoint.processor.shape.ShapeInference shapes) {
        return !shapes.checks().isEmpty() || !shapes.ranges().isEmpty();
    }

    /** {@code checkArguments(...)}, or nothing when the shapes need no run-time check. */
    Optional<MethodSpec> method() {
        if (!needed(shapes)) {
            return Optional.empty();
        }
        MethodSpec.Builder m = MethodSpec.methodBuilder("checkArguments").addModifiers(Modifier.PRIVATE, Modifier.STATIC);
        m.addJavadoc("Checks that the arguments' shapes agree, naming the DSL expression that needs them to.\n\n");
        api.documentParameters(m);
        for (Node p : parameters) {
            m.addParameter(api.javaType(p), ((Leaves.Param) p.op()).name());
        }
        // Integer locals used by checks are recomputed here from the arguments.
        BitSet ints = new BitSet();
        for (ShapeInference.Check c : shapes.checks()) {
            for (Anchor a : List.of(c.left(), c.right())) {
                ints.or(graph.ancestors(shapes.intNodes(a)));
            }
        }
        for (ShapeInference.Range r : shapes.ranges()) {
            for (Anchor a : List.of(r.low(), r.high(), r.limit(), r.rows(), r.cols())) {
                ints.or(graph.ancestors(shapes.intNodes(a)));
            }
        }
        CodeBlock.Builder code = bodies.sizes(gradientUnit, ints);
        // Index ranges first: a block out of range is reported as such, not as the shapes it would have.
        for (ShapeInference.Range r : shapes.ranges()) {
            String low = gradientUnit.anchor(r.low());
            String high = gradientUnit.anchor(r.high());
            String limit = gradientUnit.anchor(r.limit());
            List<String> failures = new ArrayList<>();
            if (r.checkLow()) failures.add(low + " < 0");
            if (r.checkOrder()) failures.add(low + " > " + high);
            if (r.checkHigh()) failures.add(high + " > " + limit);
            code.beginControlFlow("if ($L)", String.join(" || ", failures))
                    .addStatement(r.single()
                            ? "throw new $T($S + $L + $S + $L + $S + $L + $S)"
                            : "throw new $T($S + $L + $S + $L + $S + $L + $S + $L + $S)", r.single()
                            ? new Object[] {IndexOutOfBoundsException.class, r.node().origin().describe() + ": "
                                    + (r.what().endsWith("s") ? r.what().substring(0, r.what().length() - 1) : r.what()) + " ", low,
                                    " is out of range for the ", gradientUnit.anchor(r.rows()), "x", gradientUnit.anchor(r.cols()), " matrix"}
                            : new Object[] {IndexOutOfBoundsException.class, r.node().origin().describe() + ": " + r.what() + " ", low, "..",
                                    high, " is out of range for the ", gradientUnit.anchor(r.rows()), "x", gradientUnit.anchor(r.cols()),
                                    " matrix"})
                    .endControlFlow();
        }
        for (ShapeInference.Check c : shapes.checks()) {
            String left = gradientUnit.anchor(c.left());
            String right = gradientUnit.anchor(c.right());
            if (left.equals(right)) continue;
            CodeBlock.Builder message = CodeBlock.builder();
            String symbol = c.symbol() == null ? "" : " (" + c.symbol().name() + ")";
            String where = c.node().op() instanceof Leaves.Param
                    ? "argument " + c.node().origin().text() + ": " + c.what() + ": "
                    : c.node().origin().describe() + ": " + c.what() + " differ: ";
            if (c.left() instanceof Anchor.Constant || c.right() instanceof Anchor.Constant) {
                Anchor variable = c.left() instanceof Anchor.Constant ? c.right() : c.left();
                String expected = c.left() instanceof Anchor.Constant ? left : right;
                message.add("$S + $L", where.replace(" differ: ", ": ") + anchorLabel(variable) + " must be " + expected
                        + " but is ", gradientUnit.anchor(variable));
            } else {
                message.add("$S + $L + $S + $L", where + anchorLabel(c.left()) + symbol + " = ", left,
                        " but " + anchorLabel(c.right()) + symbol + " = ", right);
            }
            Set<String> mentioned = new LinkedHashSet<>();
            for (Anchor a : List.of(c.left(), c.right())) {
                if (a instanceof Anchor.ParameterDim p) mentioned.add(p.parameter());
            }
            boolean first = true;
            for (String p : mentioned) {
                message.add(" + $S + $T.shape($L)", (first ? " (" : ", ") + p + " is ", Ejml.KERNELS, p);
                first = false;
            }
            if (!first) message.add(" + $S", ")");
            code.beginControlFlow("if ($L != $L)", left, right)
                    .addStatement("throw new $T($L)", IllegalArgumentException.class, message.build())
                    .endControlFlow();
        }
        return Optional.of(m.addCode(code.build()).build());
    }
}
