package dev.adjoint.processor.ops;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeName;
import dev.adjoint.processor.ad.ForwardMode;
import dev.adjoint.processor.ad.ReverseMode;
import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Regions.Region;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A loop ({@code for} or {@code while}, with {@code break} and {@code continue} lowered to
 * flags): ONE node of the enclosing graph. Operands: the initial value of each loop-carried local
 * ({@code carried} of them: the loop variable, the user's locals the body assigns, the break
 * flag), then the loop-invariant values the body reads. {@code cond} maps those to the
 * condition, tested before every iteration; {@code body} maps them to the carried values of the
 * next iteration. Results: the carried values after the last iteration.
 *
 * <p><b>Storage plan.</b> When the gradient is needed, the loop saves the carried values at the
 * start of every iteration (and the carried matrices after the last, when the backward pass
 * reads them: {@code loop-state-reuse}) in a tape (one growable array per carried value, a field of the
 * generated class: it grows only when a trip count exceeds every earlier one, and each saved
 * matrix is reshaped in place, so repeated calls allocate nothing). It saves nothing else: the
 * {@link ReverseLoop} recomputes each iteration's intermediates from its saved state (the
 * body's pullback starts with the body itself). That stores c matrices per iteration instead of
 * every intermediate of the body (an RNN step has four or five), at the price of one more
 * forward pass of the body; the generated code stays one loop whatever the trip count.
 */
public record Loop(Region cond, Region body, List<String> names) implements Regions.TupleOp {
    static final ClassName MATRIX_TAPE = ClassName.get("dev.adjoint.runtime", "MatrixTape");
    static final ClassName SCALAR_TAPE = ClassName.get("dev.adjoint.runtime", "ScalarTape");

    public Loop {
        names = List.copyOf(names);
    }

    @Override
    public String toString() {
        return "Loop[carried=" + names + "]";
    }

    @Override
    public List<Region> regions() {
        return List.of(cond, body);
    }

    @Override
    public Loop withRegions(List<Region> regions) {
        return new Loop(regions.get(0), regions.get(1), names);
    }

    /**
     * The tangent of a loop is a loop that carries each differentiable value together with its
     * tangent: operands [carried, their tangents, invariants, the invariants' tangents], the
     * condition as before, and the body's tangent region ({@link ForwardMode#tangentRegion})
     * yielding the next values and their tangents. Its results are the loop's results, then their
     * tangents ({@link #tangentIndex}); the backward loop's tangent ({@link ReverseLoop#jvp})
     * reads its tape.
     */
    @Override
    public int jvp(JvpContext ctx, Node node) {
        Builder b = ctx.builder();
        int c = carried();
        int m = node.inputs().size() - c;
        List<Integer> tangentCarried = differentiableCarried();
        List<Integer> tangentInvariants = new ArrayList<>();
        for (int j = 0; j < m; j++) {
            if (ctx.has(c + j) && body.inputTypes().get(c + j).differentiable()) {
                tangentInvariants.add(j);
            }
        }
        int c2 = tangentCarried.size();
        int m2 = tangentInvariants.size();
        // tangentRegion's inputs: [c carried, m invariants, carried tangents, invariant tangents]
        List<Boolean> withTangent = new ArrayList<>();
        for (int i = 0; i < c + m; i++) {
            withTangent.add(i < c ? tangentCarried.contains(i) : tangentInvariants.contains(i - c));
        }
        // → [c carried, c2 their tangents, m invariants, m2 their tangents]
        int[] order = tangentsAfterTheirGroups(new int[] {c, m}, new int[] {c2, m2});
        Region tangent = ForwardMode.tangentRegion(body, withTangent, ctx);
        List<Integer> outputs = new ArrayList<>(body.outputs());
        for (int k : tangentCarried) {
            outputs.add(tangent.outputs().get(k));
        }
        List<ValueType> types = reordered(tangent.inputTypes(), order);
        Region body2 = tangent.withOutputs(outputs).renumberInputs(order, types);
        Region cond2 = cond.renumberInputs(Arrays.copyOf(order, c + m), types);
        List<Integer> operands = new ArrayList<>(node.inputs().subList(0, c));
        List<String> names2 = new ArrayList<>(names);
        for (int k : tangentCarried) {
            operands.add(ctx.has(k) ? ctx.tangent(k) : ReverseMode.zero(b, node.input(k)));
            names2.add(ForwardMode.directionName(names.get(k)));
        }
        operands.addAll(node.inputs().subList(c, c + m));
        for (int j : tangentInvariants) {
            operands.add(ctx.tangent(c + j));
        }
        return b.apply(new Loop(cond2, body2, names2), node.origin(), operands);
    }

    /**
     * Where each input of a tangent region goes in a loop's operand order. {@link
     * ForwardMode#tangentRegion} lists the values, group after group, then the tangents in the same
     * group order; a loop's operands put each group's tangents right after the group. {@code
     * order[i]} is the new position of input {@code i}.
     */
    static int[] tangentsAfterTheirGroups(int[] groupSizes, int[] tangentCounts) {
        int values = Arrays.stream(groupSizes).sum();
        int[] order = new int[values + Arrays.stream(tangentCounts).sum()];
        int position = 0;
        int value = 0;
        int tangent = values;
        for (int g = 0; g < groupSizes.length; g++) {
            for (int i = 0; i < groupSizes[g]; i++) {
                order[value++] = position++;
            }
            for (int i = 0; i < tangentCounts[g]; i++) {
                order[tangent++] = position++;
            }
        }
        return order;
    }

    /** {@code types} with element {@code i} moved to position {@code order[i]}. */
    private static List<ValueType> reordered(List<ValueType> types, int[] order) {
        ValueType[] out = new ValueType[order.length];
        for (int i = 0; i < order.length; i++) {
            out[order[i]] = types.get(i);
        }
        return List.of(out);
    }

    /** The carried values that have tangents (doubles and matrices), in order. */
    List<Integer> differentiableCarried() {
        List<Integer> ks = new ArrayList<>();
        for (int k = 0; k < carried(); k++) {
            if (outputType(k).differentiable()) {
                ks.add(k);
            }
        }
        return ks;
    }

    @Override
    public int tangentIndex(int k) {
        return carried() + differentiableCarried().indexOf(k);
    }

    /** The number of loop-carried values (and of results). */
    public int carried() {
        return names.size();
    }

    @Override
    public ValueType outputType(int k) {
        return body.inputTypes().get(k);
    }

    @Override
    public void shape(ShapeContext ctx, Node node) {
        List<int[]> in = operandShapes(ctx, node, 0, carried());
        ctx.region(cond, in);
        List<int[]> out = ctx.region(body, in);
        List<int[]> results = new ArrayList<>();
        for (int k = 0; k < carried(); k++) {
            int[] start = in.get(k);
            if (outputType(k) == ValueType.MATRIX) {
                int[] end = out.get(k);
                ctx.unify(end[0], start[0], node, "rows of " + names.get(k) + " before and after an iteration");
                ctx.unify(end[1], start[1], node, "columns of " + names.get(k) + " before and after an iteration");
                results.add(start);
            } else {
                results.add(null);
            }
        }
        ctx.setTupleShapes(node, results);
    }

    /**
     * The shapes of a control-flow op's operands as region inputs: rows and columns of matrices;
     * for an {@code int} operand from position {@code invariantFrom} on, its value.
     */
    static List<int[]> operandShapes(ShapeContext ctx, Node node, int first, int invariantFrom) {
        List<int[]> in = new ArrayList<>();
        for (int k = first; k < node.inputs().size(); k++) {
            int operand = node.input(k);
            ValueType t = ctx.typeOf(operand);
            if (t == ValueType.MATRIX) {
                in.add(new int[] {ctx.dim(operand, 0), ctx.dim(operand, 1)});
            } else if (t == ValueType.INT && k >= invariantFrom) {
                in.add(new int[] {ctx.intValue(operand)});
            } else {
                in.add(null);
            }
        }
        return in;
    }

    @Override
    public void emit(EmitContext ctx, Node node) {
        int c = carried();
        boolean taped = ctx.readBy(node, ReverseLoop.class);
        List<String> vars = new ArrayList<>();
        List<ValueType> types = new ArrayList<>();
        for (int k = 0; k < c; k++) {
            ValueType t = outputType(k);
            String v = ctx.fresh(names.get(k), t, "loop-carried " + names.get(k) + " of " + ctx.describe(node));
            if (t == ValueType.MATRIX) {
                ctx.statement("$T.copy($L, $L)", Ejml.KERNELS, ctx.ref(node.input(k)), v);
            } else {
                ctx.statement("$L $L = $L", javaType(t), v, ctx.ref(node.input(k)));
            }
            vars.add(v);
            types.add(t);
        }
        String count = null;
        List<String> tapes = new ArrayList<>();
        if (taped) {
            count = ctx.fresh("iterations", ValueType.INT, null);
            ctx.statement("int $L = 0", count);
            for (int k = 0; k < c; k++) {
                int carried = k;
                // Only what the backward pass reads: a running loss, say, is carried but never read back.
                boolean read = ctx.readBy(node, ReverseLoop.class, reverse -> reverse.reads(carried));
                tapes.add(!read ? "" : ctx.field(names.get(k) + "Tape", outputType(k) == ValueType.MATRIX ? MATRIX_TAPE : SCALAR_TAPE,
                        "The value of " + names.get(k) + " at the start of each iteration of " + ctx.describe(node)
                                + ", for the backward pass; grows only when a trip count exceeds the earlier ones."));
            }
        }
        List<String> bind = new ArrayList<>(vars);
        for (int k = c; k < node.inputs().size(); k++) {
            bind.add(ctx.ref(node.input(k)));
        }
        ctx.beginControlFlow("while (true)");
        String test = ctx.region(cond, bind).get(0);
        if (!test.equals("true")) {
            ctx.beginControlFlow("if (!($L))", test);
            ctx.statement("break");
            ctx.endControlFlow();
        }
        if (taped) {
            for (int k = 0; k < c; k++) {
                if (!tapes.get(k).isEmpty()) {
                    ctx.statement("$L.save($L, $L)", tapes.get(k), count,
                            types.get(k) == ValueType.BOOLEAN ? "(" + vars.get(k) + " ? 1 : 0)" : vars.get(k));
                }
            }
            ctx.statement("$L++", count);
        }
        List<String> outs = ctx.region(body, bind);
        assign(ctx, vars, outs, types, node, names);
        ctx.endControlFlow();
        if (taped && ctx.readBy(node, ReverseLoop.class, reverse -> !reverse.next().isEmpty())) {
            // The state after the last iteration, which the backward pass reads as that iteration's result.
            for (int k = 0; k < c; k++) {
                if (types.get(k) == ValueType.MATRIX && !tapes.get(k).isEmpty()) {
                    ctx.statement("$L.save($L, $L)", tapes.get(k), count, vars.get(k));
                }
            }
        }
        List<String> outputs = new ArrayList<>(vars);
        if (taped) {
            outputs.add(count);
            outputs.addAll(tapes);
        }
        ctx.setOutputs(node, outputs);
    }

    static TypeName javaType(ValueType t) {
        return switch (t) {
            case SCALAR -> TypeName.DOUBLE;
            case INT -> TypeName.INT;
            case BOOLEAN -> TypeName.BOOLEAN;
            case MATRIX -> Ejml.MATRIX;
            case TUPLE -> throw new IllegalStateException("a tuple is not a Java value");
        };
    }

    /**
     * {@code vars[k] = outs[k]} for every k at once: an output that is another carried variable
     * (a swap) goes through a temporary first. Matrices that would change shape are an error
     * naming the local ({@code names}, null for none).
     */
    static void assign(EmitContext ctx, List<String> vars, List<String> outs, List<ValueType> types, Node node,
            List<String> names) {
        List<Integer> deferred = new ArrayList<>();
        List<String> temps = new ArrayList<>();
        for (int k = 0; k < vars.size(); k++) {
            String out = outs.get(k);
            if (out.equals(vars.get(k)) || !vars.contains(out)) {
                continue;
            }
            String tmp = ctx.fresh(vars.get(k) + "Next", types.get(k), "the next value of " + vars.get(k));
            if (types.get(k) == ValueType.MATRIX) {
                ctx.statement("$T.copy($L, $L)", Ejml.KERNELS, out, tmp);
            } else {
                ctx.statement("$T $L = $L", javaType(types.get(k)), tmp, out);
            }
            deferred.add(k);
            temps.add(tmp);
        }
        for (int k = 0; k < vars.size(); k++) {
            String out = outs.get(k);
            if (out.equals(vars.get(k)) || vars.contains(out)) {
                continue;
            }
            copy(ctx, out, vars.get(k), types.get(k), node, names == null ? null : names.get(k));
        }
        for (int i = 0; i < deferred.size(); i++) {
            int k = deferred.get(i);
            copy(ctx, temps.get(i), vars.get(k), types.get(k), node, names == null ? null : names.get(k));
        }
    }

    private static void copy(EmitContext ctx, String from, String to, ValueType type, Node node, String name) {
        if (type != ValueType.MATRIX) {
            ctx.statement("$L = $L", to, from);
            return;
        }
        if (name != null) {
            // Shapes inferred for the loop's results assume a carried matrix keeps its shape.
            ctx.beginControlFlow("if ($L.numRows != $L.numRows || $L.numCols != $L.numCols)", from, to, from, to);
            ctx.statement("throw new $T($S + $T.shape($L) + $S + $T.shape($L))", IllegalArgumentException.class,
                    ctx.describe(node) + ": " + name + " must keep its shape across iterations, but goes from ",
                    Ejml.KERNELS, to, " to ", Ejml.KERNELS, from);
            ctx.endControlFlow();
        }
        ctx.statement("$T.copy($L, $L)", Ejml.KERNELS, from, to);
    }

    @Override
    public void adjoint(AdjointContext ctx, Node node, List<Integer> cts) {
        Builder b = ctx.builder();
        int c = carried();
        int m = node.inputs().size() - c;
        List<Integer> differentiable = new ArrayList<>();
        for (int k = 0; k < c; k++) {
            if (outputType(k).differentiable()) {
                differentiable.add(k);
            }
        }
        List<Integer> invariant = new ArrayList<>();
        for (int j = 0; j < m; j++) {
            if (ctx.needs(c + j) && body.inputTypes().get(c + j).differentiable()) {
                invariant.add(j);
            }
        }
        List<Integer> wrt = new ArrayList<>(differentiable);
        Set<Integer> accumulated = new HashSet<>();
        for (int j : invariant) {
            wrt.add(c + j);
            accumulated.add(c + j);
        }
        Region pullback = ReverseMode.pullback(body, differentiable, wrt, accumulated);
        List<Integer> inputs = new ArrayList<>();
        inputs.add(node.id());
        for (int j = 0; j < m; j++) {
            inputs.add(node.input(c + j));
        }
        List<ValueType> state = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        // Labels read in formulas and comments: ∂L/∂h0 = ∂h through the loop's iterations.
        String through = " through " + (node.origin().text().isEmpty() ? "the loop" : node.origin().text());
        for (int k : differentiable) {
            int ct = cts.get(k);
            inputs.add(ct >= 0 ? ct : ReverseMode.zero(b, b.apply(new Regions.Out(k, outputType(k), names.get(k)), node.id())));
            state.add(outputType(k));
            labels.add("∂" + names.get(k) + through);
        }
        for (int j : invariant) {
            inputs.add(ReverseMode.zero(b, node.input(c + j)));
            state.add(body.inputTypes().get(c + j));
            labels.add("∂" + inputName(body, c + j) + through);
        }
        int reverse = b.apply(new ReverseLoop(pullback, state, labels), dev.adjoint.processor.ir.Origin.NONE, inputs);
        for (int i = 0; i < differentiable.size(); i++) {
            int k = differentiable.get(i);
            if (ctx.needs(k)) {
                ctx.accumulate(k, b.apply(new Regions.Out(i, outputType(k), labels.get(i)), reverse));
            }
        }
        for (int i = 0; i < invariant.size(); i++) {
            int j = invariant.get(i);
            int at = differentiable.size() + i;
            ctx.accumulate(c + j, b.apply(new Regions.Out(at, state.get(at), labels.get(at)), reverse));
        }
    }

    /**
     * The outputs of a region that can be computed straight into the variable of the state they
     * replace (output k over input {@code firstState + k}), so that an accumulator
     * Σ∂W ← Σ∂W + G·hᵀ is one multAdd into Σ∂W rather than a product into a buffer, a sum and a
     * copy back. Safe when the output is a matrix computed in the region for that state alone,
     * the old value is no state's next value, every other reader of it comes before the output,
     * and the output reads it only as the term it accumulates onto
     * ({@link Primitive#accumulatesOnto}).
     */
    static List<Integer> inPlace(Region region, int firstState) {
        dev.adjoint.processor.ir.Graph g = region.graph();
        java.util.BitSet live = g.ancestors(region.outputs());
        List<Integer> result = new ArrayList<>();
        for (int k = 0; k < region.outputs().size(); k++) {
            int out = region.outputs().get(k);
            Node node = g.node(out);
            int old = region.inputLeaves().get(firstState + k);
            if (node.type() != ValueType.MATRIX || node.op().isLeaf() || node.op().inline(node) != null
                    || region.outputs().indexOf(out) != k || region.outputs().lastIndexOf(out) != k) {
                continue;
            }
            boolean safe = !region.outputs().contains(old) // the old value is another state's next one
                    && (!node.inputs().contains(old) || node.op().accumulatesOnto(node, old));
            for (int id = live.nextSetBit(out + 1); id >= 0 && safe && old >= 0; id = live.nextSetBit(id + 1)) {
                safe = !g.node(id).inputs().contains(old);
            }
            if (safe) {
                result.add(k);
            }
        }
        return result;
    }

    /** The local name a region's input stands for, or {@code in<k>}. */
    static String inputName(Region region, int k) {
        int leaf = region.inputLeaves().get(k);
        String name = leaf < 0 ? null : region.graph().names().get(leaf);
        return name != null ? name : "in" + k;
    }

    @Override
    public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
        return Formula.atom("loop(" + String.join(", ", names) + ")");
    }

    /**
     * The backward pass of a {@link Loop}: runs the body's pullback over the saved iterations in
     * reverse order. Operands: the forward loop (its tape and trip count), the loop-invariant
     * values, then the initial state: the cotangents of the carried results (doubles and matrices),
     * then zero accumulators for the invariant values the gradient needs. Results: the final
     * state, i.e. the cotangents of the carried initial values and of those invariant values.
     *
     * <p>The pullback's inputs are the body's (carried, then invariant), the state, then for each
     * carried index in {@code next} that matrix after the iteration, read from the tape instead of
     * recomputed ({@code opt.LoopStateReuse}).
     */
    public record ReverseLoop(Region pullback, List<ValueType> stateTypes, List<String> labels, List<Integer> next)
            implements Regions.TupleOp {
        public ReverseLoop {
            stateTypes = List.copyOf(stateTypes);
            labels = List.copyOf(labels);
            next = List.copyOf(next);
        }

        /** A backward pass that recomputes every iteration's intermediates from its saved state. */
        public ReverseLoop(Region pullback, List<ValueType> stateTypes, List<String> labels) {
            this(pullback, stateTypes, labels, List.of());
        }

        @Override
        public ValueType outputType(int k) {
            return stateTypes.get(k);
        }

        @Override
        public String toString() {
            return "ReverseLoop[state=" + labels + "]";
        }

        @Override
        public List<Region> regions() {
            return List.of(pullback);
        }

        @Override
        public ReverseLoop withRegions(List<Region> regions) {
            return new ReverseLoop(regions.get(0), stateTypes, labels, next);
        }

        /** Whether the backward pass reads the saved value of carried {@code k} (at an iteration's start or end). */
        boolean reads(int k) {
            int leaf = pullback.inputLeaves().get(k);
            return next.contains(k) || leaf >= 0 && pullback.graph().ancestors(pullback.outputs()).get(leaf);
        }

        private int invariantCount(Node node) {
            return node.inputs().size() - 1 - stateTypes.size();
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {
            int first = 1 + invariantCount(node);
            List<int[]> results = new ArrayList<>();
            for (int k = 0; k < stateTypes.size(); k++) {
                results.add(stateTypes.get(k) == ValueType.MATRIX
                        ? new int[] {ctx.dim(node.input(first + k), 0), ctx.dim(node.input(first + k), 1)}
                        : null);
            }
            ctx.setTupleShapes(node, results);
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            int m = invariantCount(node);
            int c = pullback.inputCount() - m - stateTypes.size() - next.size();
            List<String> forward = ctx.outputs(node.input(0));
            String count = forward.get(c);
            List<String> tapes = forward.subList(c + 1, c + 1 + c);
            List<String> vars = new ArrayList<>();
            for (int k = 0; k < stateTypes.size(); k++) {
                ValueType t = stateTypes.get(k);
                String v = ctx.fresh("ct", t, labels.get(k) + ", accumulated over the iterations in reverse");
                String init = ctx.ref(node.input(1 + m + k));
                if (t == ValueType.MATRIX) {
                    ctx.statement("$T.copy($L, $L)", Ejml.KERNELS, init, v);
                } else {
                    ctx.statement("double $L = $L", v, init);
                }
                vars.add(v);
            }
            String step = ctx.fresh("step", ValueType.INT, null);
            ctx.beginControlFlow("for (int $L = $L - 1; $L >= 0; $L--)", step, count, step, step);
            List<String> bind = new ArrayList<>();
            for (int k = 0; k < c; k++) {
                ValueType t = pullback.inputTypes().get(k);
                if (tapes.get(k).isEmpty()) { // not taped: the pullback does not read it
                    bind.add("");
                    continue;
                }
                String read = tapes.get(k) + ".get(" + step + ")";
                bind.add(switch (t) {
                    case MATRIX, SCALAR -> read;
                    case INT -> "((int) " + read + ")";
                    case BOOLEAN -> "(" + read + " != 0)";
                    case TUPLE -> throw new IllegalStateException();
                });
            }
            for (int j = 0; j < m; j++) {
                bind.add(ctx.ref(node.input(1 + j)));
            }
            bind.addAll(vars);
            for (int k : next) { // the carried value after this iteration, saved as the next one's start
                bind.add(tapes.get(k) + ".get(" + step + " + 1)");
            }
            java.util.Map<Integer, String> into = new java.util.HashMap<>();
            for (int k : inPlace(pullback, c + m)) {
                into.put(k, vars.get(k));
            }
            List<String> outs = ctx.region(pullback, bind, into);
            assign(ctx, vars, outs, stateTypes, node, null);
            ctx.endControlFlow();
            ctx.setOutputs(node, vars);
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, List<Integer> cts) {
            throw new IllegalStateException("the backward pass of a loop is not differentiated again");
        }

        /**
         * The tangent of the backward pass (forward over reverse): a backward loop over the tangent
         * loop's tape (carried values and their tangents, {@link Loop#jvp}) whose state is this
         * one's state and its tangent, and whose pullback is this pullback's tangent region.
         */
        @Override
        public int jvp(JvpContext ctx, Node node) {
            if (!next.isEmpty() || !ctx.has(0)) {
                return ctx.noRule(node); // lowering has not run yet; the forward loop has a tangent when this runs
            }
            Builder b = ctx.builder();
            Loop loop = (Loop) b.node(node.input(0)).op();
            int c = loop.carried();
            int m = invariantCount(node);
            int states = stateTypes.size();
            List<Integer> tangentCarried = loop.differentiableCarried();
            List<Integer> tangentInvariants = new ArrayList<>();
            for (int j = 0; j < m; j++) {
                if (ctx.has(1 + j) && pullback.inputTypes().get(c + j).differentiable()) {
                    tangentInvariants.add(j);
                }
            }
            int c2 = tangentCarried.size();
            int m2 = tangentInvariants.size();
            List<Boolean> withTangent = new ArrayList<>();
            for (int i = 0; i < c + m + states; i++) {
                withTangent.add(i < c ? tangentCarried.contains(i) : i < c + m ? tangentInvariants.contains(i - c) : true);
            }
            // → [c carried, c2 their tangents, m invariants, m2 their tangents, states, their tangents]
            int[] order = tangentsAfterTheirGroups(new int[] {c, m, states}, new int[] {c2, m2, states});
            Region tangent = ForwardMode.tangentRegion(pullback, withTangent, ctx);
            List<Integer> outputs = new ArrayList<>(pullback.outputs());
            outputs.addAll(tangent.outputs());
            Region pullback2 = tangent.withOutputs(outputs).renumberInputs(order, reordered(tangent.inputTypes(), order));
            List<Integer> operands = new ArrayList<>();
            operands.add(ctx.tangent(0));
            operands.addAll(node.inputs().subList(1, 1 + m));
            for (int j : tangentInvariants) {
                operands.add(ctx.tangent(1 + j));
            }
            operands.addAll(node.inputs().subList(1 + m, 1 + m + states));
            List<ValueType> types2 = new ArrayList<>(stateTypes);
            List<String> labels2 = new ArrayList<>(labels);
            for (int i = 0; i < states; i++) {
                operands.add(ctx.has(1 + m + i) ? ctx.tangent(1 + m + i) : ReverseMode.zero(b, node.input(1 + m + i)));
                types2.add(stateTypes.get(i));
                labels2.add(ForwardMode.directionName(labels.get(i)));
            }
            return b.apply(new ReverseLoop(pullback2, types2, labels2), node.origin(), operands);
        }

        @Override
        public int tangentIndex(int k) {
            return stateTypes.size() + k;
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            return Formula.atom("backward pass of the loop");
        }
    }
}
