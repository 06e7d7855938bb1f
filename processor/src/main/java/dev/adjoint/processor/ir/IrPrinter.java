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
        }
        out.append("  result %").append(program.result()).append('\n');
        program.gradients().forEach((p, id) -> out.append("  ∂L/∂").append(p).append(" %").append(id).append('\n'));
        program.hessianVectorProducts().forEach((p, id) -> out.append("  H·d for ").append(p).append(" %").append(id).append('\n'));
        return out.toString();
    }
}
