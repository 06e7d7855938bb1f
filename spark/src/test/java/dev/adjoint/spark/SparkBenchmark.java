package dev.adjoint.spark;

import dev.adjoint.runtime.DifferentiableFunction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.ejml.data.DMatrixRMaj;

/**
 * Per-iteration time of a full-batch gradient on a large data set: the generated class on one
 * thread over all the data, then the same through {@link SparkLoss} on {@code local[1]} and
 * {@code local[2]} (and any other masters given). Run by hand (see the module's README); not a
 * test.
 *
 * <pre>
 * SparkBenchmark [--model mlp|autoencoder] [--samples N] [--block COLUMNS] [--partitions P]
 *                [--repeats R] [--masters local[1],local[2]] [--data digits.csv.gz]
 * </pre>
 *
 * The data are the UCI digits (pixels scaled to [0, 1]) replicated with Gaussian noise (σ = 0.05)
 * to N samples. On Spark each block is generated on an executor from its index, as data read from
 * distributed storage would be; on the single machine the same columns are generated locally.
 */
public final class SparkBenchmark {
    private SparkBenchmark() {}

    private static final int PIXELS = 64;
    private static final int CLASSES = 10;
    private static final double NOISE = 0.05;
    /** Evaluations before timing: the JIT compiles Spark's job path as well as the generated code. */
    private static final int WARM_UP = 4;

    public static void main(String[] argv) throws IOException {
        String model = "mlp";
        int samples = 200_000;
        int block = 2_000;
        int partitions = 8;
        int repeats = 7;
        String masters = "local[1],local[2]";
        Path data = Path.of("sample-app/src/main/resources/dev/adjoint/sample/digits.csv.gz");
        for (int i = 0; i < argv.length; i++) {
            switch (argv[i]) {
                case "--model" -> model = argv[++i];
                case "--samples" -> samples = Integer.parseInt(argv[++i]);
                case "--block" -> block = Integer.parseInt(argv[++i]);
                case "--partitions" -> partitions = Integer.parseInt(argv[++i]);
                case "--repeats" -> repeats = Integer.parseInt(argv[++i]);
                case "--masters" -> masters = argv[++i];
                case "--data" -> data = Path.of(argv[++i]);
                default -> throw new IllegalArgumentException("unknown option " + argv[i]);
            }
        }
        if (!model.equals("mlp") && !model.equals("autoencoder")) {
            throw new IllegalArgumentException("--model must be mlp or autoencoder");
        }
        double[][] digits = readDigits(data);
        int blocks = (samples + block - 1) / block;
        System.out.printf(Locale.ROOT, "%s, %d samples (UCI digits replicated with noise σ = %.2f), %d blocks of %d "
                + "columns in %d partitions; %d cores; median of %d full-batch gradient evaluations after %d warm-up%n",
                model, samples, NOISE, blocks, block, partitions, Runtime.getRuntime().availableProcessors(), repeats,
                WARM_UP);

        Random random = new Random(1);
        Object[] parameters = model.equals("mlp")
                ? new Object[] {gaussian(64, PIXELS, Math.sqrt(2.0 / PIXELS), random), new DMatrixRMaj(64, 1),
                    gaussian(CLASSES, 64, Math.sqrt(1.0 / 64), random), new DMatrixRMaj(CLASSES, 1)}
                : new Object[] {gaussian(16, PIXELS, 0.1, random)};
        FunctionFactory factory = model.equals("mlp") ? TestLosses_Mlp::new : TestLosses_TiedAutoencoder::new;
        Reduction reduction = model.equals("mlp") ? Reduction.MEAN : Reduction.SUM;
        String[] dataNames = model.equals("mlp") ? new String[] {"X", "Y"} : new String[] {"X"};

        List<String[]> rows = new ArrayList<>();
        double reference;
        {
            // Single machine: the generated class on all columns at once.
            DMatrixRMaj[] all = block(digits, 0, samples, model.equals("mlp"));
            Object[] args = concat(parameters, all);
            DifferentiableFunction f = factory.get();
            double[] times = time(() -> f.gradient(args), repeats);
            reference = f.gradient(args);
            rows.add(new String[] {"single machine (1 thread)", ms(median(times)), "", Double.toString(reference)});
            System.out.printf(Locale.ROOT, "  single machine: median %s ms%n", ms(median(times)));
        }
        double single = Double.parseDouble(rows.get(0)[1]);
        double firstSpark = Double.NaN;
        for (String master : masters.split(",")) {
            try (JavaSparkContext sc = AdjointSpark.context("adjoint-spark-benchmark", master.trim())) {
                sc.setLogLevel("WARN");
                final int n = samples;
                final int width = block;
                final boolean mlp = model.equals("mlp");
                // The digits reach the executors once, as a broadcast, not inside the RDD's lineage
                // (which every job's tasks would carry).
                var source = sc.broadcast(digits);
                JavaRDD<DMatrixRMaj[]> rdd = sc.parallelize(IntStream.range(0, blocks).boxed().toList(), partitions)
                        .map(b -> block(source.value(), b * width, Math.min(n, (b + 1) * width), mlp));
                try (SparkLoss loss = SparkLoss.builder(factory, reduction).data(dataNames).build(rdd)) {
                    for (var info : sc.sc().getRDDStorageInfo()) {
                        System.out.printf(Locale.ROOT, "    cached: %s, %d of %d partitions, %.0f MB in memory%n",
                                info.name(), info.numCachedPartitions(), info.numPartitions(), info.memSize() / 1e6);
                    }
                    double[] times = time(() -> loss.gradient(parameters), repeats);
                    double value = loss.gradient(parameters);
                    double t = median(times);
                    if (Double.isNaN(firstSpark)) {
                        firstSpark = t;
                    }
                    rows.add(new String[] {"Spark " + master.trim(), ms(t),
                        String.format(Locale.ROOT, "%.2fx", firstSpark / t), Double.toString(value)});
                    System.out.printf(Locale.ROOT, "  Spark %s: median %s ms (all: %s); value relative difference "
                            + "to single machine %.1e%n", master.trim(), ms(t), Arrays.toString(
                                    Arrays.stream(times).mapToObj(SparkBenchmark::ms).toArray()),
                            Math.abs(value - reference) / Math.abs(reference));
                }
            }
        }
        System.out.println();
        System.out.println("| run | ms per gradient (median) | speed-up over the first Spark run | loss |");
        System.out.println("|---|---|---|---|");
        for (String[] r : rows) {
            System.out.println("| " + String.join(" | ", r) + " |");
        }
        System.out.printf(Locale.ROOT, "single machine / first Spark run: %.2fx%n", single / firstSpark);
    }

    /** Columns [from, to) of the replicated data: X (64 × n) and, for the MLP, one-hot Y (10 × n). */
    static DMatrixRMaj[] block(double[][] digits, int from, int to, boolean withLabels) {
        int n = to - from;
        DMatrixRMaj x = new DMatrixRMaj(PIXELS, n);
        DMatrixRMaj y = new DMatrixRMaj(CLASSES, n);
        for (int c = 0; c < n; c++) {
            int sample = from + c;
            double[] d = digits[sample % digits.length];
            Random noise = new Random(sample * 0x9E3779B97F4A7C15L);
            for (int r = 0; r < PIXELS; r++) {
                x.data[r * n + c] = d[r] / 16 + NOISE * noise.nextGaussian();
            }
            y.data[(int) d[PIXELS] * n + c] = 1;
        }
        return withLabels ? new DMatrixRMaj[] {x, y} : new DMatrixRMaj[] {x};
    }

    private static double[][] readDigits(Path path) throws IOException {
        List<double[]> rows = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(path)), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    rows.add(Arrays.stream(line.split(",")).mapToDouble(Double::parseDouble).toArray());
                }
            }
        }
        return rows.toArray(double[][]::new);
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static DMatrixRMaj gaussian(int rows, int cols, double std, Random random) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = std * random.nextGaussian();
        }
        return m;
    }

    /** Wall times in ms; also prints the process CPU time per evaluation (how many cores it got). */
    private static double[] time(Runnable r, int repeats) {
        for (int i = 0; i < WARM_UP; i++) {
            r.run();
        }
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        double[] t = new double[repeats];
        long cpuStart = os.getProcessCpuTime();
        long wallStart = System.nanoTime();
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - start) * 1e-6;
        }
        double cpu = (os.getProcessCpuTime() - cpuStart) * 1e-6 / repeats;
        double wall = (System.nanoTime() - wallStart) * 1e-6 / repeats;
        System.out.printf(Locale.ROOT, "    process CPU time %.1f ms per evaluation, %.2f cores busy on average%n",
                cpu, cpu / wall);
        return t;
    }

    private static double median(double[] t) {
        double[] s = t.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }

    private static String ms(double milliseconds) {
        return String.format(Locale.ROOT, "%.1f", milliseconds);
    }
}
