package dev.adjoint.runtime.f32;

/**
 * Float entries widened to double a chunk at a time, for kernels that call {@link Math#exp},
 * {@link Math#log}, {@link Math#tanh} or {@link Math#pow} per entry.
 *
 * <p>Why: HotSpot (measured on JDK 17, x86-64) compiles {@code Math.exp(x[i])} over a {@code float[]}
 * to a float-to-double conversion that waits on the previous call's result register, so the calls
 * run one after another: 3–4× slower than the same loop over a {@code double[]}. Widening a chunk
 * first (a separate loop, which the JIT vectorizes) and then calling {@code exp} on the doubles
 * brings the float kernels back to the double kernels' speed. The buffer is one small array per
 * thread, made on the thread's first call: nothing is allocated per call.
 */
final class Widened {
    /** Entries widened at a time: the buffer stays in L1. */
    static final int CHUNK = 256;
    private static final ThreadLocal<double[]> BUFFER = ThreadLocal.withInitial(() -> new double[CHUNK]);

    private Widened() {
    }

    /** This thread's buffer of {@link #CHUNK} doubles. */
    static double[] buffer() {
        return BUFFER.get();
    }

    /**
     * Widens {@code src[start ..]} (at most {@link #CHUNK} entries, stopping at {@code end}) into
     * {@code dst}; returns how many.
     */
    static int load(float[] src, int start, int end, double[] dst) {
        int count = Math.min(CHUNK, end - start);
        for (int i = 0; i < count; i++) {
            dst[i] = src[start + i];
        }
        return count;
    }

    /** Widens {@code count} (at most {@link #CHUNK}) entries of {@code src} from {@code start} with {@code stride} into {@code dst}. */
    static void loadStrided(float[] src, int start, int stride, int count, double[] dst) {
        for (int i = 0, index = start; i < count; i++, index += stride) {
            dst[i] = src[index];
        }
    }
}
