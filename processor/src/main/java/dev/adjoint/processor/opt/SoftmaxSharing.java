package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ops.Reductions;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Lowering: when a program computes a softmax cross-entropy and its gradient with respect to the
 * scores, both read one column softmax of the scores, computed once with one exponential per
 * score; the loss then needs one logarithm per column and the gradient none (the separate
 * kernels take three exponentials per score). The MLP's loss and backward pass share it.
 */
public final class SoftmaxSharing implements Pass {
    @Override
    public boolean insideRegions() {
        return true;
    }

    @Override
    public String name() {
        return "softmax-sharing";
    }

    @Override
    public String description() {
        return "a softmax cross-entropy and its gradient share one column softmax (one exp per score)";
    }

    @Override
    public Program apply(Program program, PassContext context) {
        Graph graph = program.graph();
        BitSet live = program.gradientNodes();
        Set<List<Integer>> withGradient = new HashSet<>();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            if (node.op() instanceof Reductions.SoftmaxCrossEntropyBackward backward && backward.wrtScores()) {
                withGradient.add(List.of(node.input(0), node.input(1)));
            }
        }
        Set<List<Integer>> shared = new HashSet<>();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            if (node.op() instanceof Reductions.SoftmaxCrossEntropy && withGradient.contains(node.inputs())) {
                shared.add(node.inputs());
            }
        }
        if (shared.isEmpty()) {
            return program;
        }
        return Rewriter.rewrite(program, (b, node, in, map) -> {
            if (node.inputs().size() < 2 || !shared.contains(List.of(node.input(0), node.input(1)))) {
                return -1;
            }
            if (node.op() instanceof Reductions.SoftmaxCrossEntropy) {
                int p = b.apply(new Reductions.ColumnSoftmax(), in.get(0));
                return b.apply(new Reductions.SoftmaxCrossEntropyFromSoftmax(), node.origin(), in.get(0), in.get(1), p);
            }
            if (node.op() instanceof Reductions.SoftmaxCrossEntropyBackward backward && backward.wrtScores()) {
                int p = b.apply(new Reductions.ColumnSoftmax(), in.get(0));
                return b.apply(new Reductions.SoftmaxCrossEntropyBackwardFromSoftmax(), node.origin(), p, in.get(1), in.get(2));
            }
            return -1;
        });
    }
}
