package dev.adjoint.spark;

import dev.adjoint.runtime.DifferentiableFunction;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One instance of each generated function per executor thread, reused by every task the thread
 * runs (so its workspace is allocated once), with the argument array it is called with. Keyed by
 * the {@link SparkLoss}'s id; a thread keeps the few most recently used.
 */
final class Workers {
    private Workers() {}

    private static final int KEPT_PER_THREAD = 8;

    /** A function instance and its reusable argument array. */
    record Worker(DifferentiableFunction function, Object[] arguments) {}

    private static final ThreadLocal<Map<String, Worker>> CACHE = ThreadLocal.withInitial(
            () -> new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Worker> eldest) {
                    return size() > KEPT_PER_THREAD;
                }
            });

    static Worker get(String id, FunctionFactory factory, int arity) {
        Map<String, Worker> cache = CACHE.get();
        Worker w = cache.get(id);
        if (w == null) {
            DifferentiableFunction f = factory.get();
            if (f == null || f.parameters().size() != arity) {
                throw new IllegalStateException("the function factory made " + (f == null ? "null"
                        : f.name() + " with " + f.parameters().size() + " parameters") + " on an executor, but "
                        + arity + " parameters were expected: the factory must create the same generated class every time");
            }
            w = new Worker(f, new Object[arity]);
            cache.put(id, w);
        }
        return w;
    }
}
