package dev.adjoint.processor.ir;

import java.util.BitSet;
import java.util.List;

/**
 * A textual rendering of a {@link Program}, one node per line, for {@code -Aadjoint.dumpIr}:
 * <pre>
 *   %7 = MatMul[transA=false, transB=true](%0, %0) : MATRIX   // X.mult(X.transpose())
 * </pre>
 * Nodes no root needs are marked {@code (dead)}; the last lines name the result and the
 * gradients.
 */
public final class IrPrinter {
    private IrPrinter() {}

    /** The regions of a loop or branch, indented under it. */
    private static void regions(Node node, String indent, StringBuilder out) {
        java.util.Map<String, dev.adjoint.processor.ops.Regions.Region> regions = new java.util.LinkedHashMap<>();
        if (node.op() instanceof dev.adjoint.processor.ops.Loop loop) {
            regions.put("cond", loop.cond());
            regions.put("body", loop.body());
        } else if (node.op() instanceof dev.adjoint.processor.ops.Loop.ReverseLoop reverse) {
            regions.put("pullback", reverse.pullback());
        } else if (node.op() instanceof dev.adjoint.processor.ops.Cond cond) {
            regions.put("then", cond.then());
            regions.put("else", cond.otherwise());
        }
        regions.forEach((label, region) -> {
            out.append(indent).append(label).append(" (inputs ").append(region.inputLeaves()).append("):\n");
            for (Node inner : region.graph().nodes()) {
                out.append(indent).append("  %").append(inner.id()).append(" = ").append(inner.op()).append(inner.inputs()
                        .stream().map(i -> "%" + i).toList().toString().replace('[', '(').replace(']', ')'))
                        .append(" : ").append(inner.type());
                String name = region.graph().names().get(inner.id());
                if (name != null) {
                    out.append("  \"").append(name).append('"');
                }
                out.append('\n');
                regions(inner, indent + "    ", out);
            }
            out.append(indent).append("  yield ").append(region.outputs().stream().map(i -> "%" + i).toList()).append('\n');
        });
    }

    public static String print(Program program) {
        Graph graph = program.graph();
        BitSet live = program.gradientNodes();
        StringBuilder out = new StringBuilder();
        for (Node node : graph.nodes()) {
            out.append(live.get(node.id()) ? "  " : "  (dead) ").append('%').append(node.id()).append(" = ")
                    .append(node.op()).append('(');
            List<Integer> inputs = node.inputs();
            for (int i = 0; i < inputs.size(); i++) {
                out.append(i == 0 ? "%" : ", %").append(inputs.get(i));
            }
            out.append(") : ").append(node.type());
            String name = graph.names().get(node.id());
            if (name != null) {
                out.append("  \"").append(name).append('"');
            }
            Integer primal = program.cotangentOf().get(node.id());
            if (primal != null) {
                out.append("  ∂L/∂%").append(primal);
            }
            if (!node.origin().text().isEmpty()) {
                out.append("   // ").append(node.origin().text().replace('\n', ' '));
            }
            out.append('\n');
            regions(node, "      ", out);
        }
        out.append("  result %").append(program.result()).append('\n');
        program.gradients().forEach((p, id) -> out.append("  ∂L/∂").append(p).append(" %").append(id).append('\n'));
        program.hessianVectorProducts().forEach((p, id) -> out.append("  H·d for ").append(p).append(" %").append(id).append('\n'));
        return out.toString();
    }
}
