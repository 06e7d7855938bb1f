package dev.adjoint.processor.ops;

import dev.adjoint.processor.ad.ForwardMode;
import dev.adjoint.processor.ad.ReverseMode;
import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Regions.Region;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A branch ({@code if}/{@code else}, {@code ?:}): ONE node of the enclosing graph. Operands: the
 * condition, then the values either branch reads. Each branch is a {@link Region} over those
 * values yielding the branch's results (for {@code if}, the locals either branch assigns; for
 * {@code ?:}, its value); only the branch the condition selects runs. The adjoint is a branch on
 * the same condition between the two branches' pullbacks, so the gradient is that of the path
 * taken, also where the condition depends on a wrt parameter.
 */
public record Cond(Region then, Region otherwise, List<String> names) implements Regions.TupleOp {
    public Cond {
        names = List.copyOf(names);
    }

    @Override
    public String toString() {
        return "Cond[results=" + names + "]";
    }

    @Override
    public ValueType outputType(int k) {
        return then.outputType(k);
    }

    @Override
    public List<Region> regions() {
        return List.of(then, otherwise);
    }

    @Override
    public Cond withRegions(List<Region> regions) {
        return new Cond(regions.get(0), regions.get(1), names);
    }

    @Override
    public void shape(ShapeContext ctx, Node node) {
        List<int[]> in = Loop.operandShapes(ctx, node, 1, 1);
        List<int[]> a = ctx.region(then, in);
        List<int[]> e = ctx.region(otherwise, in);
        for (int k = 0; k < names.size(); k++) {
            if (outputType(k) == ValueType.MATRIX) {
                ctx.unify(a.get(k)[0], e.get(k)[0], node, "rows of " + names.get(k) + " in the two branches");
                ctx.unify(a.get(k)[1], e.get(k)[1], node, "columns of " + names.get(k) + " in the two branches");
            }
        }
        ctx.setTupleShapes(node, a);
    }

    @Override
    public void emit(EmitContext ctx, Node node) {
        List<String> vars = new ArrayList<>();
        List<ValueType> types = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            ValueType t = outputType(k);
            String v = ctx.fresh(names.get(k), t, names.get(k) + " as the branch taken by " + ctx.describe(node) + " leaves it");
            if (t != ValueType.MATRIX) {
                ctx.statement("$T $L", Loop.javaType(t), v);
            }
            vars.add(v);
            types.add(t);
        }
        List<String> bind = new ArrayList<>();
        for (int k = 1; k < node.inputs().size(); k++) {
            bind.add(ctx.ref(node.input(k)));
        }
        ctx.beginControlFlow("if ($L)", ctx.ref(node.input(0)));
        branch(ctx, then, bind, vars, types);
        ctx.nextControlFlow("else");
        branch(ctx, otherwise, bind, vars, types);
        ctx.endControlFlow();
        ctx.setOutputs(node, vars);
    }

    private static void branch(EmitContext ctx, Region region, List<String> bind, List<String> vars, List<ValueType> types) {
        List<String> outs = ctx.region(region, bind);
        for (int k = 0; k < vars.size(); k++) {
            if (types.get(k) == ValueType.MATRIX) {
                ctx.statement("$T.copy($L, $L)", Ejml.KERNELS, outs.get(k), vars.get(k));
            } else {
                ctx.statement("$L = $L", vars.get(k), outs.get(k));
            }
        }
    }

    @Override
    public void adjoint(AdjointContext ctx, Node node, List<Integer> cts) {
        Builder b = ctx.builder();
        int m = node.inputs().size() - 1;
        List<Integer> seeds = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            if (cts.get(k) >= 0 && outputType(k).differentiable()) {
                seeds.add(k);
            }
        }
        List<Integer> wrt = new ArrayList<>();
        for (int j = 0; j < m; j++) {
            if (ctx.needs(1 + j) && then.inputTypes().get(j).differentiable()) {
                wrt.add(j);
            }
        }
        if (seeds.isEmpty() || wrt.isEmpty()) {
            return;
        }
        Region a = ReverseMode.pullback(then, seeds, wrt, Set.of());
        Region e = ReverseMode.pullback(otherwise, seeds, wrt, Set.of());
        List<Integer> inputs = new ArrayList<>(node.inputs());
        for (int k : seeds) {
            inputs.add(cts.get(k));
        }
        List<String> labels = new ArrayList<>();
        for (int j : wrt) {
            labels.add("∂" + Loop.inputName(then.inputLeaves().get(j) >= 0 ? then : otherwise, j) + " through "
                    + (node.origin().text().isEmpty() ? "the branch" : node.origin().text()));
        }
        int reverse = b.apply(new Cond(a, e, labels), dev.adjoint.processor.ir.Origin.NONE, inputs);
        for (int i = 0; i < wrt.size(); i++) {
            int j = wrt.get(i);
            ctx.accumulate(1 + j, b.apply(new Regions.Out(i, then.inputTypes().get(j), labels.get(i)), reverse));
        }
    }

    /**
     * The tangent of a branch is a branch on the same condition between the two sides' tangent
     * regions ({@link ForwardMode#tangentRegion}): its results are the
     * tangents of this branch's results, read through {@link Regions.Out} like the results. The
     * condition is piecewise constant, so it has no tangent. Branches the backward pass made
     * (between two pullbacks) are differentiated the same way, so a method with branches can be
     * {@code order = 2}.
     */
    @Override
    public int jvp(JvpContext ctx, Node node) {
        int m = node.inputs().size() - 1;
        List<Boolean> withTangent = new ArrayList<>();
        List<Integer> inputs = new ArrayList<>(node.inputs());
        for (int j = 0; j < m; j++) {
            boolean has = ctx.has(1 + j) && then.inputTypes().get(j).differentiable();
            withTangent.add(has);
            if (has) {
                inputs.add(ctx.tangent(1 + j));
            }
        }
        Region a = ForwardMode.tangentRegion(then, withTangent, ctx);
        Region e = ForwardMode.tangentRegion(otherwise, withTangent, ctx);
        List<String> labels = names.stream().map(ForwardMode::directionName).toList();
        return ctx.builder().apply(new Cond(a, e, labels), node.origin(), inputs);
    }

    @Override
    public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
        return Formula.atom("branch(" + ctx.print(node.input(0)).text() + ")");
    }
}
