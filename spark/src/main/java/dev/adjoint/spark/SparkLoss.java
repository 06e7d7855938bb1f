package dev.adjoint.spark;

import dev.adjoint.runtime.Arguments;
import dev.adjoint.runtime.DifferentiableFunction;
import dev.adjoint.runtime.Parameter;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import scala.Tuple2;

/**
 * A generated loss evaluated data-parallel on Apache Spark: the data matrices (the parameters
 * whose columns are samples) are split into column blocks held in a cached RDD, and each
 * {@link #gradient} call broadcasts the other arguments, evaluates the generated class on every
 * block (one instance per executor thread, made by a {@link FunctionFactory}, its workspace
 * reused) and sums values and gradients with {@code treeAggregate}, as Spark MLlib's L-BFGS does.
 *
 * <p>It is itself a {@link DifferentiableFunction}, whose parameters are those of the generated
 * function <em>without the data parameters</em>, so the optimizers of
 * {@code dev.adjoint.runtime.optim} drive it like a local function:
 *
 * <pre>{@code
 * try (JavaSparkContext sc = AdjointSpark.context("mlp", null);          // local[*] unless spark-submit set a master
 *      SparkLoss loss = SparkLoss.builder(Losses_Mlp::new, Reduction.MEAN)
 *              .data("X", "Y")
 *              .build(sc, X, Y)) {
 *     Object[] args = {W1, b1, W2, b2};                                   // the non-data parameters, in order
 *     Lbfgs opt = new Lbfgs(Objective.minimize(loss, args));
 *     while (!opt.converged()) opt.step();                                // W1..b2 updated in place
 * }
 * }</pre>
 *
 * <p>The value is the one the generated function has on all the data: with {@link Reduction#SUM}
 * the sum of the block values, with {@link Reduction#MEAN} their mean weighted by column counts
 * (a mean over all samples is the weighted mean of block means). {@link #minibatches} gives a view
 * that evaluates a few blocks per call, for {@code Adam} and {@code GradientDescent}.
 *
 * <p>Not thread-safe (like the generated classes): one driver thread calls it.
 * {@link #close()} releases the cached blocks.
 */
public final class SparkLoss implements DifferentiableFunction, AutoCloseable {

    private static final int TREE_DEPTH = 2;

    /** What every view of the same data shares. */
    private static final class Data {
        final JavaSparkContext sc;
        final JavaRDD<Block> blocks;
        final int[] blockColumns;
        final long samples;
        final Task task;

        Data(JavaSparkContext sc, JavaRDD<Block> blocks, int[] blockColumns, Task task) {
            this.sc = sc;
            this.blocks = blocks;
            this.blockColumns = blockColumns;
            long n = 0;
            for (int c : blockColumns) {
                n += c;
            }
            this.samples = n;
            this.task = task;
        }
    }

    private final Data data;
    private final String name;
    private final List<Parameter> parameters;
    private final Reduction reduction;
    private final List<String> dataNames;
    private final Sampler sampler;
    private final DMatrixRMaj[] gradients;
    private long evaluations;
    private long lastSamples;

    private SparkLoss(Data data, String name, List<Parameter> parameters, Reduction reduction,
                      List<String> dataNames, Sampler sampler) {
        this.data = data;
        this.name = name;
        this.parameters = parameters;
        this.reduction = reduction;
        this.dataNames = dataNames;
        this.sampler = sampler;
        this.gradients = new DMatrixRMaj[parameters.size()];
        for (int i = 0; i < gradients.length; i++) {
            if (parameters.get(i).wrt()) {
                gradients[i] = new DMatrixRMaj(1, 1);
            }
        }
    }

    /**
     * Starts describing a data-parallel loss.
     *
     * @param factory   makes an instance of the generated class, e.g. {@code Losses_Mlp::new}
     * @param reduction whether the loss is a sum or a mean over the samples
     */
    public static Builder builder(FunctionFactory factory, Reduction reduction) {
        if (factory == null || reduction == null) {
            throw new NullPointerException("factory and reduction must not be null");
        }
        return new Builder(factory, reduction);
    }

    /** The generated function's name, e.g. {@code "demo.Losses.mlp"}. */
    @Override
    public String name() {
        return name;
    }

    /** The generated function's parameters without the data parameters, in declaration order. */
    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    /** The data parameters, in the order their matrices are given. */
    public List<String> dataNames() {
        return dataNames;
    }

    /** Whether the loss is a sum or a mean over samples. */
    public Reduction reduction() {
        return reduction;
    }

    /** Number of samples (columns of each data matrix) over all blocks. */
    public long samples() {
        return data.samples;
    }

    /** Number of column blocks. */
    public int blockCount() {
        return data.blockColumns.length;
    }

    /** Number of columns in each block, by block index. */
    public int[] blockColumns() {
        return data.blockColumns.clone();
    }

    /** Number of Spark jobs ({@link #value} and {@link #gradient} calls) this view has run. */
    public long evaluations() {
        return evaluations;
    }

    /**
     * Number of samples the last {@link #value} or {@link #gradient} call evaluated: all of them
     * for the full batch, those of the sampled blocks for a {@link #minibatches} view (0 before
     * any call).
     */
    public long lastSamples() {
        return lastSamples;
    }

    /** Whether this view evaluates all blocks (false for a {@link #minibatches} view). */
    public boolean fullBatch() {
        return sampler == null;
    }

    /**
     * A view of the same data that evaluates {@code blocksPerEvaluation} blocks per call: each
     * call takes the next blocks of a random order of all blocks, drawn again once every block has
     * been used (an epoch), like minibatches of a shuffled data set. The value is then the mean
     * over the sampled samples for a {@link Reduction#MEAN} loss, and for a {@link Reduction#SUM}
     * loss the sum over them scaled by (all samples / sampled samples): either way an estimate of
     * the full-batch value. For {@code Adam} and {@code GradientDescent}; not for {@code Lbfgs}.
     *
     * @param seed seed of the block order
     */
    public SparkLoss minibatches(int blocksPerEvaluation, long seed) {
        if (blocksPerEvaluation < 1 || blocksPerEvaluation > blockCount()) {
            throw new IllegalArgumentException("blocks per evaluation must be in 1.." + blockCount()
                    + " (the number of blocks) but is " + blocksPerEvaluation);
        }
        return new SparkLoss(data, name, parameters, reduction, dataNames,
                new Sampler(blockCount(), blocksPerEvaluation, seed));
    }

    /** A view of the same data that evaluates every block on each call (the full batch). */
    public SparkLoss fullBatchView() {
        return new SparkLoss(data, name, parameters, reduction, dataNames, null);
    }

    /**
     * Number of calls of a {@link #minibatches} view that use every block once (1 for the full
     * batch).
     */
    public int evaluationsPerEpoch() {
        return sampler == null ? 1 : (blockCount() + sampler.perCall - 1) / sampler.perCall;
    }

    @Override
    public double value(Object... arguments) {
        return evaluate(arguments, false);
    }

    @Override
    public double gradient(Object... arguments) {
        return evaluate(arguments, true);
    }

    @Override
    public DMatrixRMaj gradientOf(int parameterIndex) {
        if (parameterIndex < 0 || parameterIndex >= parameters.size()) {
            throw new IllegalArgumentException("parameter index " + parameterIndex + " out of range 0.."
                    + (parameters.size() - 1));
        }
        if (!parameters.get(parameterIndex).wrt()) {
            throw new IllegalArgumentException("parameter '" + parameters.get(parameterIndex).name() + "' of "
                    + name + " is not differentiated (not in wrt)");
        }
        return gradients[parameterIndex];
    }

    /** Releases the cached blocks (all views of the same data share them). */
    @Override
    public void close() {
        data.blocks.unpersist(false);
    }

    @Override
    public String toString() {
        return name + " on Spark: " + data.samples + " samples in " + blockCount() + " blocks, "
                + (sampler == null ? "full batch" : sampler.perCall + " blocks per evaluation");
    }

    private double evaluate(Object[] arguments, boolean withGradient) {
        Arguments.count(arguments, parameters.size(), name);
        int k = parameters.size();
        Object[] values = new Object[k];
        int[] offsets = new int[k + 1];
        for (int i = 0; i < k; i++) {
            Parameter p = parameters.get(i);
            int size = 0;
            switch (p.kind()) {
                case MATRIX -> {
                    DMatrixRMaj m = Arguments.matrix(arguments, i, p.name()).copy();
                    values[i] = m;
                    size = m.getNumElements();
                    if (p.wrt()) {
                        gradients[i].reshape(m.numRows, m.numCols);
                    }
                }
                case SCALAR -> {
                    values[i] = Arguments.scalar(arguments, i, p.name());
                    size = 1;
                    if (p.wrt()) {
                        gradients[i].reshape(1, 1);
                    }
                }
                case INTEGER -> values[i] = Arguments.integer(arguments, i, p.name());
            }
            offsets[i + 1] = offsets[i] + (p.wrt() ? size : 0);
        }
        int[] chosen = sampler == null ? null : sampler.next();
        long columns = 0;
        if (chosen == null) {
            columns = data.samples;
        } else {
            for (int b : chosen) {
                columns += data.blockColumns[b];
            }
        }
        evaluations++;
        Broadcast<Object[]> broadcast = data.sc.broadcast(values);
        Partial total;
        try {
            Evaluate seq = new Evaluate(data.task, broadcast, chosen, withGradient, offsets, reduction == Reduction.MEAN);
            total = data.blocks.treeAggregate(new Partial(), seq, Partial::merge, TREE_DEPTH);
        } catch (Exception e) { // Scala code throws the checked SparkException undeclared
            throw unwrap(e);
        } finally {
            broadcast.destroy();
        }
        if (total.columns != columns) {
            throw new IllegalStateException(name + ": evaluated " + total.columns + " samples but expected " + columns
                    + " (were blocks lost?)");
        }
        lastSamples = columns;
        double scale = reduction == Reduction.MEAN ? 1.0 / columns : (double) data.samples / columns;
        if (withGradient) {
            for (int i = 0; i < k; i++) {
                if (!parameters.get(i).wrt()) {
                    continue;
                }
                DMatrixRMaj g = gradients[i];
                int off = offsets[i];
                for (int e = 0; e < offsets[i + 1] - off; e++) {
                    g.data[e] = total.gradient == null ? 0 : scale * total.gradient[off + e];
                }
            }
        }
        return scale * total.value;
    }

    /**
     * The user-facing cause of a failed Spark job: a bad argument (a shape error from the generated
     * code, with the block it happened on) is rethrown as such, anything else as an
     * {@code IllegalStateException} carrying Spark's message.
     */
    private RuntimeException unwrap(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException) {
                return new IllegalArgumentException(t.getMessage(), e);
            }
        }
        if (e instanceof RuntimeException r && !(e.getCause() instanceof SparkException)) {
            return r;
        }
        return new IllegalStateException(name + ": Spark job failed: " + e.getMessage(), e);
    }

    /** What the executors need to evaluate a block: serializable, no reference to the RDD. */
    private static final class Task implements Serializable {
        private static final long serialVersionUID = 1L;

        final String id;
        final FunctionFactory factory;
        final String functionName;
        final int arity;
        /** Function parameter index of each data matrix, in data order. */
        final int[] dataIndex;
        /** Function parameter index of each of the loss's parameters. */
        final int[] parameterIndex;

        Task(String id, FunctionFactory factory, String functionName, int arity, int[] dataIndex, int[] parameterIndex) {
            this.id = id;
            this.factory = factory;
            this.functionName = functionName;
            this.arity = arity;
            this.dataIndex = dataIndex;
            this.parameterIndex = parameterIndex;
        }
    }

    /** The seqOp of treeAggregate: adds one block's weighted value and gradient. */
    private static final class Evaluate implements Function2<Partial, Block, Partial> {
        private static final long serialVersionUID = 1L;

        private final Task task;
        private final Broadcast<Object[]> values;
        private final int[] chosen;
        private final boolean withGradient;
        private final int[] offsets;
        private final boolean mean;

        Evaluate(Task task, Broadcast<Object[]> values, int[] chosen, boolean withGradient, int[] offsets, boolean mean) {
            this.task = task;
            this.values = values;
            this.chosen = chosen;
            this.withGradient = withGradient;
            this.offsets = offsets;
            this.mean = mean;
        }

        @Override
        public Partial call(Partial partial, Block block) {
            if (chosen != null && Arrays.binarySearch(chosen, block.index()) < 0) {
                return partial;
            }
            Workers.Worker worker = Workers.get(task.id, task.factory, task.arity);
            Object[] args = worker.arguments();
            Object[] v = values.value();
            for (int i = 0; i < task.parameterIndex.length; i++) {
                args[task.parameterIndex[i]] = v[i];
            }
            DMatrixRMaj[] d = block.data();
            for (int j = 0; j < task.dataIndex.length; j++) {
                args[task.dataIndex[j]] = d[j];
            }
            DifferentiableFunction f = worker.function();
            int columns = block.columns();
            double weight = mean ? columns : 1;
            double value;
            try {
                value = withGradient ? f.gradient(args) : f.value(args);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(task.functionName + " on data block " + block.index() + " ("
                        + columns + " columns): " + e.getMessage(), e);
            } finally {
                Arrays.fill(args, null); // hold no block or broadcast value between tasks
            }
            partial.value += weight * value;
            partial.columns += columns;
            partial.blocks++;
            if (withGradient) {
                if (partial.gradient == null) {
                    partial.gradient = new double[offsets[offsets.length - 1]];
                }
                double[] out = partial.gradient;
                for (int i = 0; i < task.parameterIndex.length; i++) {
                    int n = offsets[i + 1] - offsets[i];
                    if (n == 0) {
                        continue;
                    }
                    DMatrixRMaj g = f.gradientOf(task.parameterIndex[i]);
                    if (g.getNumElements() != n) {
                        throw new IllegalStateException(task.functionName + ": gradient of parameter "
                                + task.parameterIndex[i] + " has " + g.getNumElements() + " entries, expected " + n);
                    }
                    int off = offsets[i];
                    for (int e = 0; e < n; e++) {
                        out[off + e] += weight * g.data[e];
                    }
                }
            }
            return partial;
        }
    }

    /** Block order for minibatches: a random permutation, consumed in slices, redrawn each epoch. */
    private static final class Sampler {
        final int perCall;
        final Random random;
        final int[] order;
        int position;

        Sampler(int blocks, int perCall, long seed) {
            this.perCall = perCall;
            this.random = new Random(seed);
            this.order = new int[blocks];
            for (int i = 0; i < blocks; i++) {
                order[i] = i;
            }
            position = blocks; // shuffle on first use
        }

        int[] next() {
            if (position >= order.length) {
                for (int i = order.length - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                position = 0;
            }
            int n = Math.min(perCall, order.length - position);
            int[] chosen = Arrays.copyOfRange(order, position, position + n);
            position += n;
            Arrays.sort(chosen);
            return chosen;
        }
    }

    /** Describes a {@link SparkLoss}: the data parameters, the block size and the partitions. */
    public static final class Builder {
        private final FunctionFactory factory;
        private final Reduction reduction;
        private String[] dataNames = new String[0];
        private int blockColumns;
        private int partitions;

        private Builder(FunctionFactory factory, Reduction reduction) {
            this.factory = factory;
            this.reduction = reduction;
        }

        /**
         * The data parameters: matrices whose columns are samples (e.g. {@code "X", "Y"}). They
         * must not be {@code wrt} parameters of the function.
         */
        public Builder data(String... names) {
            this.dataNames = names.clone();
            return this;
        }

        /**
         * Columns per block when the data are given as matrices (the last block may have fewer).
         * Default: the samples spread over four blocks per partition. With {@link #minibatches},
         * this is the minibatch granularity.
         */
        public Builder blockColumns(int columns) {
            if (columns < 1) {
                throw new IllegalArgumentException("block columns must be positive but is " + columns);
            }
            this.blockColumns = columns;
            return this;
        }

        /**
         * Number of RDD partitions when the data are given as matrices. Default: the context's
         * default parallelism.
         */
        public Builder partitions(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be positive but is " + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        /**
         * Splits driver-side data matrices (one per data parameter, in the order of {@link #data})
         * into column blocks and distributes them (a parallelized, cached RDD). For data that fit
         * the driver: the partitions of a parallelized collection hold the data, and every job's
         * tasks carry them along. For larger data, build the blocks on the cluster and use
         * {@link #build(JavaRDD)}.
         *
         * @throws IllegalArgumentException if a data name is wrong or the matrices have different
         *                                  column counts
         */
        public SparkLoss build(JavaSparkContext sc, DMatrixRMaj... matrices) {
            Layout layout = layout();
            if (matrices.length != dataNames.length) {
                throw new IllegalArgumentException(matrices.length + " data matrices given for the " + dataNames.length
                        + " data parameters " + Arrays.toString(dataNames) + "; give one per name, in that order");
            }
            int n = matrices[0].numCols;
            for (int j = 0; j < matrices.length; j++) {
                if (matrices[j].numCols != n) {
                    throw new IllegalArgumentException("data matrices must have one column per sample, the same in each: "
                            + dataNames[0] + " has " + n + " columns but " + dataNames[j] + " has "
                            + matrices[j].numCols);
                }
            }
            if (n == 0) {
                throw new IllegalArgumentException("the data matrices have no columns (no samples)");
            }
            int parts = partitions > 0 ? partitions : Math.max(1, sc.defaultParallelism());
            int width = blockColumns > 0 ? blockColumns : Math.max(1, (n + 4 * parts - 1) / (4 * parts));
            List<Block> list = new ArrayList<>();
            for (int from = 0, index = 0; from < n; from += width, index++) {
                int to = Math.min(n, from + width);
                DMatrixRMaj[] block = new DMatrixRMaj[matrices.length];
                for (int j = 0; j < matrices.length; j++) {
                    block[j] = CommonOps_DDRM.extract(matrices[j], 0, matrices[j].numRows, from, to);
                }
                list.add(new Block(index, block));
            }
            int[] columns = list.stream().mapToInt(Block::columns).toArray();
            JavaRDD<Block> rdd = sc.parallelize(list, Math.min(parts, list.size()));
            rdd.persist(StorageLevel.MEMORY_ONLY());
            rdd.setName(layout.name + " data blocks");
            rdd.count(); // materialize the cache now, not in the first evaluation
            return layout.loss(sc, rdd, columns);
        }

        /**
         * Uses data already distributed: each element is one column block, the matrices of the
         * data parameters (in the order of {@link #data}) with the same number of columns. The
         * blocks are indexed and cached; one job checks their shapes.
         *
         * @throws IllegalArgumentException if a data name is wrong or a block is malformed
         */
        public SparkLoss build(JavaRDD<DMatrixRMaj[]> blocks) {
            Layout layout = layout();
            int count = dataNames.length;
            JavaRDD<Block> rdd = blocks.zipWithIndex().map(t -> new Block(Math.toIntExact(t._2()), t._1()));
            rdd.persist(StorageLevel.MEMORY_ONLY());
            rdd.setName(layout.name + " data blocks");
            List<Tuple2<Integer, int[]>> shapes;
            try {
                shapes = rdd.map(b -> {
                    int[] s = new int[1 + b.data().length];
                    s[0] = b.data().length == count ? b.columns() : -1;
                    for (int j = 0; j < b.data().length; j++) {
                        s[1 + j] = b.data()[j] == null ? -1 : b.data()[j].numRows;
                        if (b.data()[j] == null || b.data()[j].numCols != s[0]) {
                            s[0] = -1;
                        }
                    }
                    return new Tuple2<>(b.index(), s);
                }).collect();
            } catch (RuntimeException e) {
                rdd.unpersist(false);
                throw e;
            }
            if (shapes.isEmpty()) {
                rdd.unpersist(false);
                throw new IllegalArgumentException("the RDD has no blocks (no samples)");
            }
            int[] columns = new int[shapes.size()];
            int[] rows = null;
            for (Tuple2<Integer, int[]> t : shapes) {
                int[] s = t._2();
                String problem = null;
                if (s[0] < 0) {
                    problem = "block " + t._1() + " must have " + count + " non-null matrices for "
                            + Arrays.toString(dataNames) + ", all with the same number of columns";
                } else if (s[0] == 0) {
                    problem = "block " + t._1() + " has no columns";
                } else if (rows != null && !Arrays.equals(rows, 0, count, s, 1, 1 + count)) {
                    problem = "block " + t._1() + " has rows " + Arrays.toString(Arrays.copyOfRange(s, 1, 1 + count))
                            + " for " + Arrays.toString(dataNames) + " but block 0 has " + Arrays.toString(rows);
                }
                if (problem != null) {
                    rdd.unpersist(false);
                    throw new IllegalArgumentException(problem);
                }
                if (rows == null) {
                    rows = Arrays.copyOfRange(s, 1, 1 + count);
                }
                columns[t._1()] = s[0];
            }
            return layout.loss(JavaSparkContext.fromSparkContext(blocks.context()), rdd, columns);
        }

        /** The checked correspondence between the function's parameters and the data. */
        private final class Layout {
            final String name;
            final List<Parameter> lossParameters;
            final Task task;

            Layout(String name, List<Parameter> lossParameters, Task task) {
                this.name = name;
                this.lossParameters = lossParameters;
                this.task = task;
            }

            SparkLoss loss(JavaSparkContext sc, JavaRDD<Block> rdd, int[] columns) {
                return new SparkLoss(new Data(sc, rdd, columns, task), name, lossParameters, reduction,
                        List.of(dataNames), null);
            }
        }

        private Layout layout() {
            DifferentiableFunction prototype = factory.get();
            if (prototype == null) {
                throw new IllegalArgumentException("the function factory returned null");
            }
            String name = prototype.name();
            List<Parameter> params = prototype.parameters();
            if (dataNames.length == 0) {
                throw new IllegalArgumentException("name the data parameters of " + name
                        + " (matrices whose columns are samples) with data(...); its parameters are "
                        + params.stream().map(Parameter::name).toList());
            }
            int[] dataIndex = new int[dataNames.length];
            for (int j = 0; j < dataNames.length; j++) {
                String d = dataNames[j];
                int index = -1;
                for (int i = 0; i < params.size(); i++) {
                    if (params.get(i).name().equals(d)) {
                        index = i;
                    }
                }
                if (index < 0) {
                    throw new IllegalArgumentException(name + " has no parameter named '" + d + "'; its parameters are "
                            + params.stream().map(Parameter::name).toList());
                }
                Parameter p = params.get(index);
                if (p.kind() != Parameter.Kind.MATRIX) {
                    throw new IllegalArgumentException("data parameter '" + d + "' of " + name + " is a "
                            + p.kind().name().toLowerCase(java.util.Locale.ROOT)
                            + " parameter; data are matrices whose columns are samples");
                }
                if (p.wrt()) {
                    throw new IllegalArgumentException("data parameter '" + d + "' of " + name
                            + " is differentiated (in wrt): data are split into blocks and never optimized, so "
                            + "leave it out of wrt, e.g. @Differentiable(wrt = "
                            + params.stream().filter(q -> q.wrt() && !Arrays.asList(dataNames).contains(q.name()))
                                    .map(q -> "\"" + q.name() + "\"").toList().toString()
                                    .replace('[', '{').replace(']', '}') + ")");
                }
                for (int i = 0; i < j; i++) {
                    if (dataIndex[i] == index) {
                        throw new IllegalArgumentException("data parameter '" + d + "' is named twice");
                    }
                }
                dataIndex[j] = index;
            }
            List<Parameter> lossParameters = new ArrayList<>();
            List<Integer> parameterIndex = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) {
                final int fi = i;
                if (Arrays.stream(dataIndex).noneMatch(x -> x == fi)) {
                    lossParameters.add(params.get(i));
                    parameterIndex.add(i);
                }
            }
            if (lossParameters.stream().noneMatch(Parameter::wrt)) {
                throw new IllegalArgumentException(name + " has no wrt parameter left once the data "
                        + Arrays.toString(dataNames) + " are taken out: nothing to optimize");
            }
            Task task = new Task(UUID.randomUUID().toString(), factory, name, params.size(), dataIndex,
                    parameterIndex.stream().mapToInt(Integer::intValue).toArray());
            return new Layout(name, List.copyOf(lossParameters), task);
        }
    }
}
