package dev.adjoint.processor.emit;

import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Liveness-based buffer reuse: intermediates whose lifetimes do not overlap share one workspace
 * field, so a method's footprint is the largest set of matrices alive at once rather than one
 * matrix per expression (and the buffers it touches stay in cache). A value is alive from the
 * statement that computes it to its last reader, inclusive, so a statement's result never shares
 * a buffer with one of its operands (EJML's products must not write into an operand).
 */
final class StoragePlan {
    private StoragePlan() {}

    /**
     * Assigns a slot to every live node that {@code poolable} accepts, in the emission order
     * (node order), reusing the lowest slot whose last value is dead.
     *
     * @return node id → slot, slots numbered from 0
     */
    static Map<Integer, Integer> plan(Graph graph, BitSet live, IntPredicate poolable) {
        int[] lastUse = new int[graph.size()];
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            lastUse[id] = Math.max(lastUse[id], id);
            for (int in : graph.node(id).inputs()) {
                lastUse[in] = Math.max(lastUse[in], id);
            }
        }
        Map<Integer, Integer> slots = new HashMap<>();
        List<Integer> busyUntil = new ArrayList<>(); // slot → last use of the value it holds
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            if (!poolable.test(node.id())) {
                continue;
            }
            int slot = -1;
            for (int s = 0; s < busyUntil.size() && slot < 0; s++) {
                if (busyUntil.get(s) < id) {
                    slot = s;
                }
            }
            if (slot < 0) {
                slot = busyUntil.size();
                busyUntil.add(lastUse[id]);
            } else {
                busyUntil.set(slot, lastUse[id]);
            }
            slots.put(id, slot);
        }
        return slots;
    }
}
