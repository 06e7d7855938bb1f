package dev.adjoint.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.ejml.data.DMatrixRMaj;

/**
 * A ratio measurement for machines shared with other work, not a JMH benchmark: for each workload
 * it alternates short blocks (about 2 ms) of the generated call and the hand-written call on the
 * same inputs and reports the median, over block pairs, of the time ratio. Load that changes more
 * slowly than a block pair (other builds starting and stopping) cancels out of each ratio, where
 * separate JMH forks minutes apart each see a different load. Timings per call are printed too,
 * but only the ratios are meaningful on a busy machine; on a quiet one use the JMH suite.
 *
 * <pre>
 * java -cp benchmarks/target/adjoint-benchmarks.jar dev.adjoint.bench.Interleaved [seconds] [filter]
 * </pre>
 *
 * {@code seconds} (default 3) is the measurement time per comparison after 1.5 s of warm-up;
 * {@code filter} keeps the comparisons whose name contains it (e.g. {@code gplvm}, {@code rnn}).
 */
public final class Interleaved {
    private static double sink;

    private Interleaved() {}

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
        String filter = args.length > 1 ? args[1] : "";
        System.out.printf(Locale.ROOT, "%-22s %-16s %14s %14s %8s %7s%n",
                "workload", "comparison a/b", "a µs (median)", "b µs (median)", "a/b", "pairs");

        for (String shape : new String[] {"64x784x1", "64x784x256", "16x64x1"}) {
            String name = "autoencoder " + shape;
            if (!name.contains(filter)) {
                continue;
            }
            int[] s = Workloads.dims(shape, 3);
            Random random = new Random(42);
            DMatrixRMaj W = Agreement.gaussian(random, s[0], s[1], 1.0 / Math.sqrt(s[1]));
            DMatrixRMaj X = Agreement.gaussian(random, s[1], s[2], 1.0);
            var gen = new BenchLosses_TiedAutoencoder();
            var hand = new HandOptimalAutoencoder();
            Workloads.checkAutoencoder(gen, hand, W, X);
            compare(name, "value gen/hand", () -> gen.value(W, X), () -> hand.value(W, X), seconds);
            compare(name, "grad gen/hand", () -> gen.gradient(W, X), () -> hand.gradient(W, X), seconds);
        }
        for (String shape : new String[] {"784x256x10x128", "64x32x10x32"}) {
            String name = "mlp " + shape;
            if (!name.contains(filter)) {
                continue;
            }
            int[] s = Workloads.dims(shape, 4);
            DMatrixRMaj[] a = Workloads.mlpArguments(new Random(7), s[0], s[1], s[2], s[3]);
            var gen = new BenchLosses_Mlp();
            var hand = new HandOptimalMlp();
            Workloads.checkMlp(gen, hand, a);
            compare(name, "value gen/hand", () -> gen.value(a[0], a[1], a[2], a[3], a[4], a[5]),
                    () -> hand.value(a[0], a[1], a[2], a[3], a[4], a[5]), seconds);
            compare(name, "grad gen/hand", () -> gen.gradient(a[0], a[1], a[2], a[3], a[4], a[5]),
                    () -> hand.gradient(a[0], a[1], a[2], a[3], a[4], a[5]), seconds);
        }
        for (String variant : new String[] {"gplvm N=500", "gplvm N=100", "gplvmSolve N=500"}) {
            if (!variant.contains(filter)) {
                continue;
            }
            int n = variant.endsWith("500") ? 500 : 100;
            DMatrixRMaj[] a = Workloads.gplvmArguments(new Random(2024), n, GplvmBenchmark.Q, GplvmBenchmark.D);
            DMatrixRMaj X = a[0];
            DMatrixRMaj Y = a[1];
            double alpha = Workloads.ALPHA;
            double beta = Workloads.BETA;
            var hand = new HandOptimalGplvm();
            var dense = new HandWrittenDenseGplvm(n);
            if (variant.startsWith("gplvmSolve")) {
                var gen = new BenchLosses_GplvmSolve();
                Workloads.checkGplvm(gen, hand, dense, X, alpha, beta, Y);
                compare(variant, "value gen/hand", () -> gen.value(X, alpha, beta, Y), () -> hand.value(X, alpha, beta, Y), seconds);
                compare(variant, "grad gen/hand", () -> gen.gradient(X, alpha, beta, Y), () -> hand.gradient(X, alpha, beta, Y), seconds);
                compare(variant, "value gen/dense", () -> gen.value(X, alpha, beta, Y), () -> dense.value(X, alpha, beta, Y), seconds);
                compare(variant, "grad gen/dense", () -> gen.gradient(X, alpha, beta, Y), () -> dense.gradient(X, alpha, beta, Y), seconds);
            } else {
                var gen = new BenchLosses_Gplvm();
                Workloads.checkGplvm(gen, hand, dense, X, alpha, beta, Y);
                compare(variant, "value gen/hand", () -> gen.value(X, alpha, beta, Y), () -> hand.value(X, alpha, beta, Y), seconds);
                compare(variant, "grad gen/hand", () -> gen.gradient(X, alpha, beta, Y), () -> hand.gradient(X, alpha, beta, Y), seconds);
                compare(variant, "value gen/dense", () -> gen.value(X, alpha, beta, Y), () -> dense.value(X, alpha, beta, Y), seconds);
                compare(variant, "grad gen/dense", () -> gen.gradient(X, alpha, beta, Y), () -> dense.gradient(X, alpha, beta, Y), seconds);
            }
        }
        for (String shape : new String[] {"64x32x50", "16x8x20"}) {
            String name = "rnn " + shape;
            if (!name.contains(filter)) {
                continue;
            }
            int[] s = Workloads.dims(shape, 3);
            DMatrixRMaj[] a = Workloads.rnnArguments(new Random(11), s[0], s[1], s[2]);
            var gen = new BenchLosses_Rnn();
            var hand = new HandOptimalRnn();
            Workloads.checkRnn(gen, hand, a);
            compare(name, "value gen/hand", () -> gen.value(a[0], a[1], a[2], a[3], a[4]),
                    () -> hand.value(a[0], a[1], a[2], a[3], a[4]), seconds);
            compare(name, "grad gen/hand", () -> gen.gradient(a[0], a[1], a[2], a[3], a[4]),
                    () -> hand.gradient(a[0], a[1], a[2], a[3], a[4]), seconds);
        }
        if (sink == 0.123456789) {
            System.out.println(sink);
        }
    }

    /**
     * a = generated, b = hand-written ("hand" = hand-optimal, "dense" = {@link HandWrittenDenseGplvm}). Warms both up for 1.5 s, then alternates blocks of about
     * 2 ms of each (the order flips every pair) for {@code seconds}.
     */
    private static void compare(String workload, String what, DoubleSupplier a, DoubleSupplier b, double seconds) {
        long warmupEnd = System.nanoTime() + 1_500_000_000L;
        while (System.nanoTime() < warmupEnd) {
            sink += a.getAsDouble();
            sink += b.getAsDouble();
        }
        long t0 = System.nanoTime();
        int calls = 0;
        while (System.nanoTime() - t0 < 20_000_000L) {
            sink += a.getAsDouble();
            sink += b.getAsDouble();
            calls++;
        }
        long perPair = (System.nanoTime() - t0) / calls;
        int block = (int) Math.max(1, 4_000_000L / Math.max(1, perPair));

        List<Double> ta = new ArrayList<>();
        List<Double> tb = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        boolean aFirst = true;
        while (System.nanoTime() < end || ratios.size() < 11) {
            long x;
            long y;
            if (aFirst) {
                x = time(a, block);
                y = time(b, block);
            } else {
                y = time(b, block);
                x = time(a, block);
            }
            aFirst = !aFirst;
            ta.add(x / 1e3 / block);
            tb.add(y / 1e3 / block);
            ratios.add((double) x / y);
        }
        System.out.printf(Locale.ROOT, "%-22s %-16s %14.3f %14.3f %8.3f %7d%n", workload,
                what,
                median(ta), median(tb), median(ratios), ratios.size());
    }

    private static long time(DoubleSupplier f, int calls) {
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            sink += f.getAsDouble();
        }
        return System.nanoTime() - start;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : 0.5 * (sorted.get(n / 2 - 1) + sorted.get(n / 2));
    }
}
