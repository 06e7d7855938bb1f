package dev.adjoint.processor.report;

import com.palantir.javapoet.JavaFile;
import dev.adjoint.processor.ad.ReverseMode;
import dev.adjoint.processor.emit.ClassEmitter;
import dev.adjoint.processor.emit.FormulaPrinter;
import dev.adjoint.processor.ir.Graph;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ops.LinearAlgebra;
import dev.adjoint.processor.ops.LinearCombination;
import dev.adjoint.processor.ops.MatrixAlgebra;
import dev.adjoint.processor.ops.Primitive;
import dev.adjoint.processor.opt.Pass;
import dev.adjoint.processor.opt.PassContext;
import dev.adjoint.processor.opt.PassManager;
import dev.adjoint.processor.shape.ShapeInference;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The derivation of one {@code @Differentiable} method, as one section of the report. It reruns
 * the processor's pipelines (parse result → {@code FORWARD} → differentiate → {@code GRADIENT} /
 * {@code VALUE} → {@code LOWER}) pass by pass to see which passes changed the program; the passes
 * are pure functions, so the programs are the ones the generated class was emitted from.
 */
final class FunctionReport {
    /** One pass run: the pipeline stage, the pass, and whether it changed the program (null: disabled). */
    record PassRun(String stage, String pass, String description, Boolean changed) {}

    final String method;
    final String generatedClass;
    final String source;
    final Sizes sizes;
    final List<PassRun> passRuns = new ArrayList<>();
    final Program documented;
    final Program gradient;
    final Program value;
    final ShapeInference gradientShapes;
    final ShapeInference valueShapes;
    final Workspace workspace;
    final Costs.Total valueCost;
    final Costs.Total gradientCost;
    /** Whether rerunning the pipelines gave the programs the processor emitted (else the pass table may not describe them). */
    final boolean rerunMatches;

    FunctionReport(String method, String source, Program parsed, PassContext context, Set<String> disabled,
            ClassEmitter.Programs programs, JavaFile generated) {
        this.method = method;
        this.source = source;
        this.generatedClass = (generated.packageName().isEmpty() ? "" : generated.packageName() + ".") + generated.typeSpec().name();
        // Which passes changed what: the pipelines again, pass by pass, from the parsed program.
        Program forward = run("forward", PassManager.FORWARD, parsed, context, disabled);
        Program differentiated = ReverseMode.differentiate(forward.graph(), forward.parameters(), forward.wrt(), forward.result());
        Program rerunGradient = run("gradient lowering", PassManager.LOWER,
                run("gradient", PassManager.GRADIENT, differentiated, context, disabled), context, disabled);
        Program rerunValue = run("value lowering", PassManager.LOWER, run("value", PassManager.VALUE, forward, context, disabled),
                context, disabled);
        // Everything else from the programs the class was emitted from.
        documented = programs.documented();
        gradient = programs.gradient();
        value = programs.value();
        gradientShapes = programs.gradientShapes();
        valueShapes = programs.valueShapes();
        rerunMatches = canonical(rerunGradient).equals(canonical(gradient)) && canonical(rerunValue).equals(canonical(value));
        sizes = new Sizes(documented, context.shapes(documented));
        workspace = new Workspace(generated, sizes, gradient, gradientShapes, value, valueShapes);
        // The low-rank versions' workspaces (the woodbury pass) are fields of the class too.
        if (programs.gradientLowRank() != null) {
            workspace.index(programs.gradientLowRank(), programs.gradientLowRankShapes());
        }
        if (programs.valueLowRank() != null) {
            workspace.index(programs.valueLowRank(), programs.valueLowRankShapes());
        }
        workspace.describeFields(generated);
        valueCost = Costs.of(value, valueShapes, sizes);
        gradientCost = Costs.of(gradient, gradientShapes, sizes);
    }

    private Program run(String stage, List<Pass> pipeline, Program program, PassContext context, Set<String> disabled) {
        for (Pass pass : pipeline) {
            if (disabled.contains(pass.name())) {
                passRuns.add(new PassRun(stage, pass.name(), pass.description(), null));
                continue;
            }
            Program after = pass.apply(program, context);
            passRuns.add(new PassRun(stage, pass.name(), pass.description(), !canonical(program).equals(canonical(after))));
            program = after;
        }
        return program;
    }

    /** The live program with nodes renumbered in order: equal for programs that compute the same way. */
    static String canonical(Program program) {
        Graph graph = program.graph();
        BitSet live = program.gradientNodes();
        Map<Integer, Integer> number = new LinkedHashMap<>();
        StringBuilder out = new StringBuilder();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            number.put(id, number.size());
            out.append(node.op()).append(node.inputs().stream().map(number::get).toList()).append('\n');
        }
        out.append(number.get(program.result()));
        program.gradients().forEach((p, id) -> out.append(' ').append(p).append(number.get(id)));
        return out.toString();
    }

    // ---- rendering ---------------------------------------------------------------------------

    String anchor() {
        return method.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    String toHtml() {
        StringBuilder h = new StringBuilder();
        h.append("<section class=\"function\" id=\"").append(Html.escape(anchor())).append("\">\n");
        h.append("<h2><code>").append(Html.escape(method)).append("</code></h2>\n");
        h.append("<p class=\"generated\">generates <code>").append(Html.escape(generatedClass)).append("</code></p>\n");
        h.append("<h3>Source</h3>\n<pre class=\"source\">").append(Html.escape(source.strip())).append("</pre>\n");
        sizesHtml(h);
        gradientsHtml(h);
        optimizationsHtml(h);
        workspaceHtml(h);
        costHtml(h);
        h.append("</section>\n");
        return h.toString();
    }

    private void sizesHtml(StringBuilder h) {
        if (sizes.meanings().isEmpty()) {
            return;
        }
        h.append("<h3>Sizes</h3>\n<ul class=\"sizes\">\n");
        sizes.meanings().forEach((symbol, dims) -> h.append("<li>").append(MathMl.math(MathMl.identifier(symbol), false))
                .append(" = ").append(Html.escape(String.join(" = ", dims.stream().map(FunctionReport::readable).toList())))
                .append("</li>\n"));
        h.append("</ul>\n");
    }

    private static String readable(String paramDim) {
        return paramDim.startsWith("rows(") ? "rows of " + paramDim.substring(5, paramDim.length() - 1)
                : "columns of " + paramDim.substring(5, paramDim.length() - 1);
    }

    private void gradientsHtml(StringBuilder h) {
        Graph graph = documented.graph();
        Map<Integer, String> shared = FormulaPrinter.sharedNames(graph, documented.gradients().values(), documented.cotangentOf());
        MathMlPrinter printer = new MathMlPrinter(graph, shared);
        h.append("<h3>Loss and gradients</h3>\n");
        Set<Integer> mentioned = new LinkedHashSet<>();
        MathMl loss = printer.print(documented.result(), mentioned);
        h.append("<div class=\"formula loss\">").append(MathMl.math(MathMl.row(MathMl.mi("L"), MathMl.mo("="), loss), true))
                .append("</div>\n");
        for (String wrt : documented.wrt()) {
            Integer node = documented.gradients().get(wrt);
            MathMl lhs = MathMl.frac(MathMl.row(MathMl.mo("∂"), MathMl.mi("L")), MathMl.row(MathMl.mo("∂"), MathMl.identifier(wrt)));
            MathMl rhs = node == null ? MathMl.mn("0") : printer.print(node, mentioned);
            h.append("<div class=\"formula gradient\" data-wrt=\"").append(Html.escape(wrt)).append("\">")
                    .append(MathMl.math(MathMl.row(lhs, MathMl.mo("="), rhs), true));
            if (node == null) {
                h.append("<p class=\"note\">").append(Html.escape(wrt)).append(" does not affect the loss.</p>");
            }
            h.append("</div>\n");
        }
        List<MathMl> where = printer.definitions(mentioned);
        if (!where.isEmpty()) {
            h.append("<p>where</p>\n<ul class=\"where\">\n");
            for (MathMl definition : where) {
                h.append("<li>").append(MathMl.math(definition, false)).append("</li>\n");
            }
            h.append("</ul>\n");
        }
    }

    private void optimizationsHtml(StringBuilder h) {
        h.append("<h3>Optimizations</h3>\n");
        h.append("<table class=\"passes\">\n<tr><th>program</th><th>pass</th><th>effect</th><th>what it does</th></tr>\n");
        for (PassRun run : passRuns) {
            String effect = run.changed() == null ? "disabled" : run.changed() ? "changed the program" : "no change";
            h.append("<tr class=\"").append(run.changed() == null ? "disabled" : run.changed() ? "changed" : "unchanged")
                    .append("\"><td>").append(Html.escape(run.stage())).append("</td><td><code>").append(Html.escape(run.pass()))
                    .append("</code></td><td>").append(effect).append("</td><td>").append(Html.escape(run.description()))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
        if (!rerunMatches) {
            h.append("<p class=\"note\">The processor's pipeline differs from the one this table reran; the passes listed may not"
                    + " be exactly those that produced the generated code.</p>\n");
        }

        List<String> items = new ArrayList<>();
        chainItems(items, "gradient()", gradient, gradientShapes);
        chainItems(items, "value()", value, valueShapes);
        factorizationItems(items, "gradient()", gradient, gradientShapes);
        factorizationItems(items, "value()", value, valueShapes);
        fusionItems(items, "gradient()", gradient);
        fusionItems(items, "value()", value);
        valueRewriteItems(items);
        if (items.isEmpty()) {
            items.add("No run-time chain orders, factorizations or fusions.");
        }
        h.append("<ul class=\"optimizations\">\n");
        for (String item : items) {
            h.append("<li>").append(item).append("</li>\n");
        }
        h.append("</ul>\n");
    }

    /** A matrix by its name when the user named it, else its formula. */
    private static MathMl label(Program program, int id) {
        String name = program.graph().names().get(id);
        return name != null ? MathMl.identifier(name) : formula(program, id);
    }

    /** {@code m×n}, literals as numbers. */
    static MathMl shapeOf(String[] d) {
        return MathMl.row(dimension(d[0]), MathMl.mo("×"), dimension(d[1]));
    }

    static MathMl dimension(String d) {
        return d.matches("\\d+") ? MathMl.mn(d) : MathMl.identifier(d);
    }

    private static MathMl formula(Program program, int id) {
        return new MathMlPrinter(program.graph(), Map.of()).print(id, new LinkedHashSet<>());
    }

    private static String inline(MathMl m) {
        return MathMl.math(m, false);
    }

    private void chainItems(List<String> items, String where, Program program, ShapeInference shapes) {
        BitSet live = program.gradientNodes();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = program.graph().node(id);
            if (node.op() instanceof MatrixAlgebra.MatMulChain || node.op() instanceof MatrixAlgebra.GramOuterAdjoint) {
                Costs.Total cost = Costs.ofNode(program, shapes, sizes, id);
                Costs.Alternative choice = cost.alternatives().get(0);
                boolean chain = node.op() instanceof MatrixAlgebra.MatMulChain;
                items.add("<span class=\"kind\">chain order</span> (" + where + "): " + inline(formula(program, id))
                        + (chain ? " is associated at run time, (A⋅B)⋅C or A⋅(B⋅C), whichever costs fewer multiply-adds: "
                                : " is computed at run time as A⋅(u⋅vᵀ + v⋅uᵀ) or (A⋅u)⋅vᵀ + (A⋅v)⋅uᵀ, whichever costs fewer multiply-adds: ")
                        + inline(choice.a().toMathMl()) + " or " + inline(choice.b().toMathMl()));
            }
        }
    }

    private void factorizationItems(List<String> items, String where, Program program, ShapeInference shapes) {
        Map<String, List<String>> users = new LinkedHashMap<>();
        Map<String, Integer> matrices = new LinkedHashMap<>();
        BitSet live = program.gradientNodes();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = program.graph().node(id);
            String kind = factorKind(node.op());
            if (kind == null) {
                continue;
            }
            String key = kind + ":" + node.input(0);
            matrices.put(key, node.input(0));
            users.computeIfAbsent(key, k -> new ArrayList<>()).add(inline(formula(program, id)));
        }
        for (Map.Entry<String, List<String>> e : users.entrySet()) {
            boolean chol = e.getKey().startsWith("Cholesky");
            int matrix = matrices.get(e.getKey());
            String m = inline(label(program, matrix));
            String[] d = sizes.dims(shapes, matrix);
            String text = "<span class=\"kind\">" + (e.getValue().size() > 1 ? "shared factorization" : "factorization") + "</span> ("
                    + where + "): one " + (chol ? "Cholesky" : "LU") + " factorization of " + m + " ("
                    + inline(shapeOf(d)) + "), used by "
                    + String.join(", ", e.getValue());
            items.add(text);
            if (chol) {
                items.add("<span class=\"kind\">structure</span> (" + where + "): " + m
                        + " is symmetric by construction and its log det is taken, so it is symmetric positive definite:"
                        + " its inverse and solves use the Cholesky factor");
            }
        }
    }

    private static String factorKind(Primitive op) {
        if (op instanceof LinearAlgebra.LogDet || op instanceof LinearAlgebra.SpdInverse || op instanceof LinearAlgebra.SpdSolve
                || op instanceof LinearAlgebra.SpdQuadraticForm) {
            return "Cholesky";
        }
        if (op instanceof LinearAlgebra.Determinant || op instanceof LinearAlgebra.Inverse || op instanceof LinearAlgebra.Solve
                || op instanceof LinearAlgebra.SolveTranspose) {
            return "LU";
        }
        return null;
    }

    private void fusionItems(List<String> items, String where, Program program) {
        BitSet live = program.gradientNodes();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = program.graph().node(id);
            if (node.op() instanceof LinearCombination lc) {
                String name = program.graph().names().get(id);
                MathMl f = name == null ? formula(program, id) : MathMl.row(MathMl.identifier(name), MathMl.mo("="), formula(program, id));
                items.add("<span class=\"kind\">fusion</span> (" + where + "): " + inline(f) + " is one accumulation of "
                        + lc.terms().size() + (lc.terms().size() == 1 ? " scaled product" : " terms") + " into one buffer");
            }
        }
    }

    private void valueRewriteItems(List<String> items) {
        boolean changed = passRuns.stream().anyMatch(r -> r.stage().equals("value") && r.pass().equals("inverse-to-solve")
                && Boolean.TRUE.equals(r.changed()));
        if (!changed) {
            return;
        }
        BitSet live = value.gradientNodes();
        boolean inverse = false;
        List<String> solves = new ArrayList<>();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Primitive op = value.graph().node(id).op();
            inverse |= op instanceof LinearAlgebra.Inverse || op instanceof LinearAlgebra.SpdInverse;
            if (op instanceof LinearAlgebra.Solve || op instanceof LinearAlgebra.SpdSolve || op instanceof LinearAlgebra.SpdQuadraticForm) {
                solves.add(inline(formula(value, id)));
            }
        }
        items.add("<span class=\"kind\">value() rewrite</span>: inverse-to-solve computes " + String.join(", ", solves)
                + (inverse ? "" : "; value() never forms an inverse"));
    }

    private void workspaceHtml(StringBuilder h) {
        h.append("<h3>Workspace</h3>\n<table class=\"workspace\">\n<tr><th>field</th><th>holds</th><th>shape</th></tr>\n");
        for (Workspace.Field f : workspace.matrices) {
            h.append("<tr><td><code>").append(Html.escape(f.name())).append("</code></td><td>").append(Html.escape(f.holds()))
                    .append("</td><td>").append(shape(f)).append("</td></tr>\n");
        }
        h.append("</table>\n");
        h.append("<p class=\"total workspace-total\">").append(workspace.matrices.size()).append(" DMatrixRMaj fields, in all ")
                .append(MathMl.math(workspace.total.toMathMl(), false)).append(" doubles")
                .append(workspace.total.alternatives().isEmpty() ? "" : " (max: a buffer is as large as the largest of the matrices it holds in turn, a run-time product order's or a shared workspace's)")
                .append(".</p>\n");
        if (!workspace.factorizations.isEmpty()) {
            h.append("<p>Factorizations, reused across calls:</p>\n<ul>\n");
            for (Workspace.Field f : workspace.factorizations) {
                h.append("<li><code>").append(Html.escape(f.name())).append("</code>: ").append(Html.escape(f.holds())).append(", ")
                        .append(shape(f)).append("</li>\n");
            }
            h.append("</ul>\n");
        }
    }

    private static String shape(Workspace.Field f) {
        List<String> options = new ArrayList<>();
        for (String[] d : f.shapes()) {
            options.add(MathMl.math(shapeOf(d), false));
        }
        return String.join(" or ", options);
    }

    private void costHtml(StringBuilder h) {
        h.append("<h3>Cost</h3>\n<p>Multiply-adds per call (leading order; one multiply-add is two FLOPs):</p>\n<ul class=\"flops\">\n");
        h.append("<li class=\"flops-value\"><code>value()</code>: ").append(MathMl.math(valueCost.toMathMl(), false)).append("</li>\n");
        h.append("<li class=\"flops-gradient\"><code>gradient()</code>: ").append(MathMl.math(gradientCost.toMathMl(), false))
                .append("</li>\n</ul>\n");
    }
}
