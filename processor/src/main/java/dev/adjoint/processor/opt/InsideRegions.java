package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ops.Regions.Region;
import dev.adjoint.processor.ops.Regions.TupleOp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a pass inside the bodies of loops and branches too: every {@link Region} of every
 * {@link TupleOp} (nested ones first) is viewed as a program whose parameters are its inputs and
 * whose kept results are its outputs, the pass rewrites it, and the op is rebuilt around the
 * result. The verifier that follows the pass re-infers the regions' shapes through their ops'
 * shape rules, as it does for the enclosing program.
 */
final class InsideRegions {
    private InsideRegions() {}

    static Program apply(Pass pass, Program program, PassContext context) {
        return Rewriter.rewrite(program, (b, node, in, map) -> {
            if (!(node.op() instanceof TupleOp op) || op.regions().isEmpty()) {
                return -1;
            }
            List<Region> rewritten = new ArrayList<>();
            boolean changed = false;
            for (Region region : op.regions()) {
                Region r = rewrite(pass, region, context);
                changed |= r != region;
                rewritten.add(r);
            }
            return changed ? b.apply(op.withRegions(rewritten), node.origin(), in) : -1;
        });
    }

    /** {@code region} after {@code pass}, in it and in the regions nested in it; the same object if unchanged. */
    private static Region rewrite(Pass pass, Region region, PassContext context) {
        if (region.outputs().isEmpty()) {
            return region;
        }
        Program before = asProgram(region);
        Program after = pass.apply(apply(pass, before, context), context);
        if (after.graph().equals(before.graph())) {
            return region;
        }
        List<Integer> leaves = new ArrayList<>();
        int p = 0;
        for (int leaf : region.inputLeaves()) {
            leaves.add(leaf < 0 ? -1 : after.parameters().get(p++));
        }
        return new Region(after.graph(), region.inputTypes(), leaves, List.copyOf(after.gradients().values()));
    }

    /**
     * A region as a program: its input leaves are the parameters, its outputs the values kept
     * whole (as gradients named {@code #0}, {@code #1}, ... in order), nothing differentiated.
     */
    private static Program asProgram(Region region) {
        Map<String, Integer> outputs = new LinkedHashMap<>();
        for (int k = 0; k < region.outputs().size(); k++) {
            outputs.put("#" + k, region.outputs().get(k));
        }
        List<Integer> parameters = region.inputLeaves().stream().filter(leaf -> leaf >= 0).toList();
        return new Program(region.graph(), parameters, List.of(), region.outputs().get(0), outputs, Map.of());
    }
}
