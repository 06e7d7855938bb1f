package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Loop;
import dev.adjoint.processor.ops.Regions.Region;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lowering: a loop's backward pass reads each iteration's new carried matrices from the tape
 * instead of recomputing them. The tape holds every iteration's starting state, so the state
 * after iteration s is the start of s + 1 (and, after the last, the loop's result, which the
 * forward loop then saves too). A tanh RNN's backward step needs h′ = tanh(W·h + U·x + b) only
 * for tanh′ = 1 − h′², so it no longer multiplies by W and U to recompute it.
 *
 * <p>The pullback region starts with a copy of the body (ids as in the body), so a carried
 * output is substituted only when that copy is still node for node the body's computation of
 * it (no pass has rewritten the pullback yet); otherwise the loop is left as it is.
 */
public final class LoopStateReuse implements Pass {
    @Override
    public boolean insideRegions() {
        return true; // an inner loop's backward pass, inside the outer loop's pullback
    }

    @Override
    public String name() {
        return "loop-state-reuse";
    }

    @Override
    public String description() {
        return "a loop's backward pass reads each iteration's new carried matrices from the tape instead of recomputing them";
    }

    @Override
    public Program apply(Program program, PassContext context) {
        Graph graph = program.graph();
        return Rewriter.rewrite(program, (b, node, in, map) -> {
            if (!(node.op() instanceof Loop.ReverseLoop reverse) || !reverse.next().isEmpty()
                    || !(graph.node(node.input(0)).op() instanceof Loop loop)) {
                return -1;
            }
            Region body = loop.body();
            Region pullback = reverse.pullback();
            Map<Integer, Integer> replaced = new HashMap<>(); // pullback node → the input that now holds it
            List<Integer> next = new ArrayList<>();
            for (int k = 0; k < loop.carried(); k++) {
                int out = body.outputs().get(k);
                if (loop.outputType(k) == ValueType.MATRIX && !body.graph().node(out).op().isLeaf()
                        && !replaced.containsKey(out) && sameComputation(body.graph(), pullback.graph(), out)) {
                    replaced.put(out, pullback.inputCount() + next.size());
                    next.add(k);
                }
            }
            if (next.isEmpty()) {
                return -1;
            }
            return b.apply(new Loop.ReverseLoop(substitute(pullback, replaced), reverse.stateTypes(), reverse.labels(), next),
                    node.origin(), in);
        });
    }

    /** Whether node {@code id} and all it reads are the same nodes in both graphs. */
    private static boolean sameComputation(Graph body, Graph pullback, int id) {
        BitSet ancestors = body.ancestors(List.of(id));
        for (int a = ancestors.nextSetBit(0); a >= 0; a = ancestors.nextSetBit(a + 1)) {
            if (a >= pullback.size() || !body.node(a).equals(pullback.node(a))) {
                return false;
            }
        }
        return true;
    }

    /** {@code region} with each node of {@code replaced} turned into a new input (its key's value), named h′ for h. */
    private static Region substitute(Region region, Map<Integer, Integer> replaced) {
        Map<Integer, Integer> inputOf = new HashMap<>(replaced);
        for (int k = 0; k < region.inputCount(); k++) {
            if (region.inputLeaves().get(k) >= 0) {
                inputOf.put(region.inputLeaves().get(k), k);
            }
        }
        List<ValueType> types = new ArrayList<>(region.inputTypes());
        for (int i = 0; i < replaced.size(); i++) {
            types.add(ValueType.MATRIX);
        }
        return region.withInputs(inputOf, types, "′"); // h′, the value after the step
    }
}
