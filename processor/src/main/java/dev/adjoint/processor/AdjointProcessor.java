package dev.adjoint.processor;

import com.google.auto.service.AutoService;
import com.palantir.javapoet.JavaFile;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import dev.adjoint.Derivative;
import dev.adjoint.Differentiable;
import dev.adjoint.Shape;
import dev.adjoint.processor.ad.ForwardMode;
import dev.adjoint.processor.ad.ReverseMode;
import dev.adjoint.processor.diag.Code;
import dev.adjoint.processor.diag.Reporter;
import dev.adjoint.processor.diag.NumericalLint;
import dev.adjoint.processor.emit.ClassEmitter;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Leaves;
import dev.adjoint.processor.ops.UserFunctions;
import dev.adjoint.processor.opt.PassContext;
import dev.adjoint.processor.opt.PassManager;
import dev.adjoint.processor.parse.BodyParser;
import dev.adjoint.processor.parse.DslError;
import dev.adjoint.processor.parse.InlineIr;
import dev.adjoint.processor.parse.ParsedFunction;
import dev.adjoint.processor.report.DerivationReport;
import dev.adjoint.processor.shape.ShapeInference;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeKind;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;

/**
 * The Adjoint annotation processor. For each {@code @Differentiable} method it runs the
 * pipeline {@code parse → differentiate → optimize → shape inference → emit} and writes one
 * class. Every problem is a javac diagnostic on the exact element or sub-expression; one bad
 * method never stops the others.
 */
@AutoService(Processor.class)
public final class AdjointProcessor extends AbstractProcessor {
    private Trees trees;
    private String treesProblem;
    private boolean reportedNoTrees;
    private boolean reportedUnknownPasses;
    /** Methods whose parameter types were not resolved yet (a type generated this round). */
    private final Set<String> deferred = new LinkedHashSet<>();
    /** Generated class name → the method it was generated for, to report clashes clearly. */
    private final Map<String, String> generated = new HashMap<>();
    /** {@code -Aadjoint.report}: the derivation report, written at the last round; or null. */
    private DerivationReport report;
    /** Resolves calls of other @Differentiable methods and of user functions; caches callees' IR. */
    private CallResolver calls;
    private DerivativeRules rules;
    private Reporter reporter;
    private SignatureChecks signatures;

    /**
     * Adjoint's own annotations, which it claims: no other processor acts on them, and an unclaimed
     * annotation is a warning under {@code -Xlint:processing} (an error with {@code -Werror}).
     */
    @Override
    public Set<String> getSupportedAnnotationTypes() {
        return Set.of(Differentiable.class.getCanonicalName(), Shape.class.getCanonicalName(), Derivative.class.getCanonicalName());
    }

    @Override
    public Set<String> getSupportedOptions() {
        return Set.of(PassManager.DUMP_OPTION, PassManager.DISABLE_OPTION, DerivationReport.OPTION);
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public synchronized void init(javax.annotation.processing.ProcessingEnvironment env) {
        super.init(env);
        report = DerivationReport.fromOptions(env.getOptions(), env.getMessager());
        try {
            trees = JavacTrees.find(env);
            calls = new CallResolver(trees, env);
        } catch (IllegalStateException e) {
            treesProblem = e.getMessage();
        }
        rules = new DerivativeRules(trees, env);
        reporter = new Reporter(trees, env.getMessager());
        signatures = new SignatureChecks(env.getTypeUtils(), reporter);
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        rules.process(round.getElementsAnnotatedWith(Derivative.class));
        List<ExecutableElement> methods = new ArrayList<>();
        for (Element e : round.getElementsAnnotatedWith(Differentiable.class)) {
            if (e.getKind() == ElementKind.METHOD) {
                methods.add((ExecutableElement) e);
            }
        }
        for (String key : List.copyOf(deferred)) {
            ExecutableElement m = lookUp(key);
            if (m != null && !methods.contains(m)) {
                methods.add(m);
            }
        }
        deferred.clear();
        for (ExecutableElement method : methods) {
            if (trees == null) {
                if (!reportedNoTrees) {
                    reportedNoTrees = true;
                    reporter.error(Code.ADJ901, method, treesProblem);
                }
                continue;
            }
            try {
                processMethod(method, round.processingOver());
            } catch (DslError e) {
                reporter.report(e.code(), Diagnostic.Kind.ERROR, e.getMessage(), e.tree(), method);
            } catch (RuntimeException e) {
                // A bug in Adjoint must not crash javac or emit wrong code: say so, on the method.
                if (Boolean.getBoolean("adjoint.debug")) {
                    e.printStackTrace();
                }
                reporter.error(Code.ADJ999, method, "Adjoint internal error while processing " + method.getSimpleName() + ": " + e
                        + " — please report it with this method's source");
            }
        }
        if (round.processingOver()) {
            if (report != null) {
                report.write(processingEnv.getMessager());
            }
            for (String key : deferred) {
                ExecutableElement m = lookUp(key);
                if (m != null) {
                    reporter.error(Code.ADJ106, m, "parameter types of this method could not be resolved");
                }
            }
        }
        return true;
    }

    /** The pipeline for one method: check the signature, parse, check, differentiate, optimize, emit. */
    private void processMethod(ExecutableElement method, boolean lastRound) {
        for (VariableElement p : method.getParameters()) {
            if (p.asType().getKind() == TypeKind.ERROR && !lastRound) {
                deferred.add(key(method));
                return;
            }
        }
        // Signature, annotation and body problems are all reported in one compilation.
        boolean signatureOk = signatures.validate(method);
        Differentiable annotation = method.getAnnotation(Differentiable.class);
        List<String> wrt = signatures.wrtParameters(method, annotation);
        Map<String, List<String>> declaredShapes = signatures.declaredShapes(method);
        boolean optionsOk = signatures.validateOptions(method, annotation);

        TreePath path = trees.getPath(method);
        if (path == null) {
            reporter.error(Code.ADJ902, method, "the source of this method is not available to Adjoint (compile it from source with javac)");
            return;
        }
        ParsedFunction parsed = calls.parse(method, path);
        Set<String> reportedErrors = new java.util.HashSet<>();
        for (DslError e : parsed.errors()) {
            // Independent errors of one expression are all reported, but never the same one twice.
            long position = e.tree() == null ? -1 : trees.getSourcePositions().getStartPosition(path.getCompilationUnit(), e.tree());
            if (reportedErrors.add(position + "|" + e.code() + "|" + e.getMessage())) {
                reporter.report(e.code(), Diagnostic.Kind.ERROR, e.getMessage(), e.tree(), method);
            }
        }
        if (!signatureOk || !optionsOk || wrt == null || declaredShapes == null || !parsed.errors().isEmpty()) {
            return;
        }
        if (!warningsSuppressed(method)) {
            for (NumericalLint.Finding finding : NumericalLint.check(trees, path)) {
                reporter.report(finding.code(), Diagnostic.Kind.WARNING, finding.message(), finding.tree(), method);
            }
        }
        // Every @Differentiable method can be called by others, here or in a downstream module.
        writeInlineIr(method, calls.remember(method, parsed));
        ShapeInference.Declarations declarations = new ShapeInference.Declarations(declaredShapes);
        if (isHelper(method)) {
            // No class: callers inline it, and their wrt decides what is differentiated.
            checkShapes(method, parsed, declarations);
            return;
        }
        ShapeInference forwardShapes = checkParsed(method, parsed, wrt, declarations);
        if (forwardShapes == null) {
            return;
        }

        // Simplification and common-subexpression elimination happen as nodes are built (Builder);
        // shape-aware rewrites of the forward program, then differentiation, then passes over the
        // whole program, then shapes of the final program for emission.
        PassContext context = new PassContext(declarations, forwardShapes.callSiteChecks());
        PassManager passes = passManager(method);
        Program parsedProgram = new Program(parsed.graph(), parsed.parameters(), wrt, parsed.result(), Map.of(), Map.of());
        Program forward = passes.run("forward", PassManager.FORWARD, parsedProgram, context);
        Program differentiated = ReverseMode.differentiate(forward.graph(), forward.parameters(), wrt, forward.result());
        Program program = passes.run("gradient", PassManager.GRADIENT, differentiated, context);
        Program secondOrder = null;
        Program loweredSecondOrder = null;
        if (annotation.order() == 2) {
            // Forward over reverse, on the gradient program after its structure passes (an inverse
            // known SPD is then one node, so its tangent is formed once), then the same pipelines again.
            ForwardMode.Result hvp = ForwardMode.hessianVectorProducts(program, parameterNames(method));
            if (!hvp.unsupported().isEmpty()) {
                reportMissingSecondOrderRules(method, parsed, hvp.unsupported());
                return;
            }
            secondOrder = passes.run("hessian-vector product", PassManager.GRADIENT, hvp.program(), context);
            loweredSecondOrder = passes.run("hessian-vector product lowering", PassManager.LOWER, secondOrder, context);
        }
        Program value = passes.run("value", PassManager.VALUE, forward, context);
        Program loweredGradient = passes.run("gradient lowering", PassManager.LOWER, program, context);
        Program loweredValue = passes.run("value lowering", PassManager.LOWER, value, context);
        // Program versioning: a low-rank version of each program, which the method runs when the sizes favour it.
        Program lowRankGradient = lowRank(passes, "gradient", program, context);
        Program lowRankValue = lowRank(passes, "value", value, context);
        Program lowRankSecondOrder = secondOrder == null ? null : lowRank(passes, "hessian-vector product", secondOrder, context);
        warnAboutUnusedWrt(method, parsed, wrt, program);
        ClassEmitter.Programs programs = new ClassEmitter.Programs(program, loweredGradient, context.shapes(loweredGradient),
                loweredValue, context.shapes(loweredValue), secondOrder, loweredSecondOrder,
                loweredSecondOrder == null ? null : context.shapes(loweredSecondOrder),
                lowRankGradient, lowRankGradient == null ? null : context.shapes(lowRankGradient),
                lowRankValue, lowRankValue == null ? null : context.shapes(lowRankValue),
                lowRankSecondOrder, lowRankSecondOrder == null ? null : context.shapes(lowRankSecondOrder));
        java.util.EnumSet<dev.adjoint.Precision> precisions = java.util.EnumSet.noneOf(dev.adjoint.Precision.class);
        precisions.addAll(List.of(annotation.precision()));
        JavaFile file = precisions.contains(dev.adjoint.Precision.DOUBLE) ? write(method, annotation, path, programs, false) : null;
        if (precisions.contains(dev.adjoint.Precision.FLOAT)) {
            write(method, annotation, path, programs, true);
        }
        if (report != null && file != null) {
            report.add(((TypeElement) method.getEnclosingElement()).getQualifiedName() + "." + method.getSimpleName(),
                    methodSource(path), parsedProgram, context, programs, file);
        }
    }

    private static Set<String> parameterNames(ExecutableElement method) {
        Set<String> names = new java.util.HashSet<>();
        for (var p : method.getParameters()) {
            names.add(p.getSimpleName().toString());
        }
        return names;
    }

    /**
     * ADJ319, once per construct: a node of the differentiated program whose op has no
     * forward-mode rule. A node the user wrote is reported at its expression; one the backward
     * pass introduced, at the method.
     */
    private void reportMissingSecondOrderRules(ExecutableElement method, ParsedFunction parsed, List<Node> unsupported) {
        Set<String> reported = new java.util.HashSet<>();
        for (Node node : unsupported) {
            if (node.op() instanceof dev.adjoint.processor.ops.Regions.TupleOp && node.origin().text().isEmpty()) {
                continue; // the backward pass of a loop or branch the user wrote: reported at that loop or branch
            }
            String what = node.origin().text().isEmpty() ? node.op().toString() : node.origin().text();
            if (!reported.add(what)) {
                continue;
            }
            Tree tree = node.id() < parsed.graph().size() && parsed.graph().node(node.id()).origin().equals(node.origin())
                    ? parsed.trees().get(node.id()) : null;
            for (int id = 0; tree == null && id < parsed.graph().size(); id++) {
                // Passes renumber nodes: the user's expression is the parsed node with the same origin.
                if (!node.origin().text().isEmpty() && parsed.graph().node(id).origin().equals(node.origin())) {
                    tree = parsed.trees().get(id);
                }
            }
            for (var entry : parsed.regionTrees().entrySet()) { // a node of a loop body or a branch
                if (tree == null && !node.origin().text().isEmpty() && entry.getKey().origin().equals(node.origin())) {
                    tree = entry.getValue();
                }
            }
            UserFunctions.Function function = node.op() instanceof UserFunctions.Call call ? call.function()
                    : node.op() instanceof UserFunctions.Rule rule ? rule.function() : null;
            if (function != null) {
                reporter.report(Code.ADJ319, Diagnostic.Kind.ERROR, function.display() + " is a user function: its @Derivative rules give "
                        + "first derivatives only, so a method declared @Differentiable(order = 2) cannot call it; write it with "
                        + "DSL forms in a @Differentiable helper, or declare this method order = 1", tree, method);
            } else {
                reporter.report(Code.ADJ319, Diagnostic.Kind.ERROR, what + " has no second-order rule, so @Differentiable(order = 2) cannot "
                        + "derive its Hessian; declare the method order = 1, or write it with forms that have one", tree, method);
            }
        }
    }

    /**
     * The low-rank version of {@code program} ({@link PassManager#LOW_RANK}, then
     * {@link PassManager#LOW_RANK_LOWER}), or null when no matrix in it has identity-plus-low-rank structure.
     */
    private static Program lowRank(PassManager passes, String stage, Program program, PassContext context) {
        if (!dev.adjoint.processor.opt.Woodbury.applies(program)) {
            return null;
        }
        Program structured = passes.run(stage + " low-rank", PassManager.LOW_RANK, program, context);
        if (!dev.adjoint.processor.opt.Woodbury.applied(structured)) {
            return null;
        }
        return passes.run(stage + " low-rank lowering", PassManager.LOW_RANK_LOWER, structured, context);
    }

    /**
     * The pass manager for one method, from the processor options: {@code -Aadjoint.disablePasses}
     * (unknown names are reported once, as a warning listing the passes) and
     * {@code -Aadjoint.dumpIr} (the IR after each pass, as notes on the method, or, with a
     * directory as value, one file per generated class there, {@code <GeneratedClass>.ir.txt}).
     */
    private PassManager passManager(ExecutableElement method) {
        Map<String, String> options = processingEnv.getOptions();
        List<String> unknown = new ArrayList<>();
        Set<String> disabled = PassManager.parseDisabled(options.get(PassManager.DISABLE_OPTION), unknown);
        if (!unknown.isEmpty() && !reportedUnknownPasses) {
            reportedUnknownPasses = true;
            processingEnv.getMessager().printMessage(Diagnostic.Kind.WARNING, Code.ADJ904.format("-A" + PassManager.DISABLE_OPTION
                    + " names unknown passes " + unknown + "; the passes are " + PassManager.passNames()));
        }
        if (!options.containsKey(PassManager.DUMP_OPTION)) {
            return new PassManager(disabled, null);
        }
        String target = options.get(PassManager.DUMP_OPTION);
        String title = ((TypeElement) method.getEnclosingElement()).getQualifiedName() + "." + method.getSimpleName();
        if (target == null || target.isBlank() || target.equals("true")) {
            return new PassManager(disabled, text -> processingEnv.getMessager().printMessage(Diagnostic.Kind.NOTE,
                    Code.ADJ905.format("Adjoint IR of " + title + "\n" + text), method));
        }
        Differentiable annotation = method.getAnnotation(Differentiable.class);
        String generatedName = annotation.name().isEmpty()
                ? defaultName((TypeElement) method.getEnclosingElement(), method) : annotation.name();
        java.nio.file.Path file = java.nio.file.Path.of(target, generatedName + ".ir.txt");
        try {
            java.nio.file.Files.createDirectories(file.getParent());
            java.nio.file.Files.writeString(file, "");
        } catch (IOException e) {
            reporter.error(Code.ADJ903, method, "-A" + PassManager.DUMP_OPTION + ": cannot write " + file + ": " + e.getMessage());
            return new PassManager(disabled, null);
        }
        return new PassManager(disabled, text -> {
            try {
                java.nio.file.Files.writeString(file, text + "\n", java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** A {@code @Differentiable} method returning {@code SimpleMatrix}: inlined by callers, no class of its own. */
    private boolean isHelper(ExecutableElement method) {
        return BodyParser.valueType(processingEnv.getTypeUtils(), method.getReturnType()) == ValueType.MATRIX;
    }

    /** Writes the IR that callers in downstream compilations inline ({@link InlineIr}), next to the class. */
    private void writeInlineIr(ExecutableElement method, InlineIr ir) {
        String name = calls.resourceName(method);
        try {
            javax.tools.FileObject file = processingEnv.getFiler().createResource(javax.tools.StandardLocation.CLASS_OUTPUT, "",
                    name, method);
            try (java.io.OutputStream out = file.openOutputStream()) {
                out.write(ir.serialize());
            }
        } catch (IOException e) {
            reporter.error(Code.ADJ903, method, "could not write " + name + ": " + e.getMessage());
        }
    }

    /** Shape errors that declared @Shapes prove; returns the shapes, or null if any error was reported. */
    private ShapeInference checkShapes(ExecutableElement method, ParsedFunction parsed, ShapeInference.Declarations declarations) {
        ShapeInference forwardShapes = ShapeInference.run(parsed.graph(), declarations, parsed.callSites());
        Set<Integer> reported = new java.util.HashSet<>();
        boolean ok = true;
        for (ShapeInference.Problem problem : forwardShapes.problems()) {
            if (reported.add(problem.node().id())) { // one error per expression, even if rows and columns both disagree
                reporter.report(problem.outOfRange() ? Code.ADJ420 : Code.ADJ401, Diagnostic.Kind.ERROR,
                        (problem.outOfRange() ? "index out of range in " : "shape mismatch in ") + problem.node().origin().text() + ": "
                                + problem.message(),
                        parsed.treeOf(problem.node()), method);
                ok = false;
            }
        }
        for (Node node : parsed.graph().nodes()) {
            // A size a loop or branch leaves is read where its matrix is computed, not before any work.
            if (node.op() instanceof dev.adjoint.processor.ops.IntOps.ShapeQuery && !forwardShapes.dynamic(node.id())) {
                try {
                    forwardShapes.valueOf(node);
                } catch (IllegalStateException e) {
                    reporter.report(Code.ADJ335, Diagnostic.Kind.ERROR, node.origin().text() + " reads a size of a matrix that comes from a "
                            + "user function, known only when the function runs, while Adjoint computes every size from the "
                            + "arguments' shapes before any matrix work: pass the size as an int parameter, or read it from an "
                            + "argument", parsed.trees().get(node.id()), method);
                    ok = false;
                }
            }
        }
        return ok ? forwardShapes : null;
    }

    /**
     * User functions called with a wrt-dependent argument where they have no rule (ADJ331), or
     * that the generated class, in another package, cannot call (ADJ334).
     */
    private boolean checkUserFunctions(ExecutableElement method, ParsedFunction parsed, List<String> wrt) {
        java.util.BitSet active = ReverseMode.activeNodes(parsed.graph(), parsed.parameters(), wrt);
        String pkg = processingEnv.getElementUtils().getPackageOf(method).getQualifiedName().toString();
        boolean ok = true;
        for (Node node : parsed.graph().nodes()) {
            if (!(node.op() instanceof UserFunctions.Call call)) {
                continue;
            }
            UserFunctions.Function f = call.function();
            Tree tree = parsed.trees().get(node.id());
            for (int i = 0; i < node.inputs().size(); i++) {
                if (active.get(node.input(i)) && !f.hasRule(i)) {
                    String p = f.parameterNames().get(i);
                    String type = f.parameters().get(i) == ValueType.MATRIX ? "SimpleMatrix" : "double";
                    reporter.report(Code.ADJ331, Diagnostic.Kind.ERROR, "argument " + p + " of " + f.display() + " depends on a wrt "
                            + "parameter, but " + f.name() + " has no @Derivative rule for " + p + ": add @Derivative(of = \""
                            + f.name() + "\", wrt = \"" + p + "\") static " + type + " " + f.name()
                            + Character.toUpperCase(p.charAt(0)) + p.substring(1) + "(..., ct) to " + f.classNames().get(f.classNames().size() - 1)
                            + ", or pass a value that does not depend on " + wrt, tree, method);
                    ok = false;
                }
            }
            if (List.of(method.getAnnotation(Differentiable.class).precision()).contains(dev.adjoint.Precision.FLOAT)) {
                reporter.report(Code.ADJ336, Diagnostic.Kind.ERROR, f.display() + " is a user function, which takes and returns double "
                        + "SimpleMatrix values, so it has no float32 counterpart: generate this method in double precision only "
                        + "(precision = Precision.DOUBLE), or write the function with DSL forms in a @Differentiable helper", tree, method);
                ok = false;
            }
            if (!f.accessible() && !f.packageName().equals(pkg)) {
                reporter.report(Code.ADJ334, Diagnostic.Kind.ERROR, "the generated class, in package " + (pkg.isEmpty() ? "(unnamed)" : pkg)
                        + ", calls " + f.display() + " and its rules from package " + f.packageName()
                        + ": make the class, " + f.name() + " and its @Derivative rules public", tree, method);
                ok = false;
            }
        }
        return ok;
    }

    /** Compile-time checks on the parsed forward graph: its shapes, or null if any error was reported. */
    private ShapeInference checkParsed(ExecutableElement method, ParsedFunction parsed, List<String> wrt,
            ShapeInference.Declarations declarations) {
        boolean ok = checkUserFunctions(method, parsed, wrt);
        for (Node node : ReverseMode.nonDifferentiableUses(parsed.graph(), parsed.parameters(), wrt)) {
            reporter.report(Code.ADJ315, Diagnostic.Kind.ERROR, "the exponent of elementPower depends on a wrt parameter; Adjoint "
                    + "differentiates A^p only in A. Write the power as exp(p·log A): A.elementLog().scale(p).elementExp()",
                    parsed.treeOf(node), method);
            ok = false;
        }
        ShapeInference forwardShapes = checkShapes(method, parsed, declarations);
        return ok && forwardShapes != null ? forwardShapes : null;
    }

    /**
     * Whether Adjoint's warnings ({@code ADJ5xx}) are silenced for this method: {@code @SuppressWarnings("adjoint")}
     * on it or on a class that encloses it, as javac scopes its own lint suppression.
     */
    static boolean warningsSuppressed(Element method) {
        for (Element e = method; e != null && !(e instanceof PackageElement); e = e.getEnclosingElement()) {
            SuppressWarnings suppress = e.getAnnotation(SuppressWarnings.class);
            if (suppress != null && List.of(suppress.value()).contains(Code.SUPPRESS)) {
                return true;
            }
        }
        return false;
    }

    private void warnAboutUnusedWrt(ExecutableElement method, ParsedFunction parsed, List<String> wrt, Program program) {
        if (warningsSuppressed(method)) {
            return;
        }
        for (int i = 0; i < parsed.parameters().size(); i++) {
            Leaves.Param p = (Leaves.Param) parsed.graph().node(parsed.parameters().get(i)).op();
            if (wrt.contains(p.name()) && !program.gradients().containsKey(p.name())) {
                processingEnv.getMessager().printMessage(Diagnostic.Kind.WARNING, Code.ADJ501.format("wrt parameter " + p.name()
                        + " does not affect the result, so its gradient is always zero; remove it from wrt"),
                        method.getParameters().get(i));
            }
        }
    }

    /** Writes the generated class; returns it, or null if it was not written. */
    private JavaFile write(ExecutableElement method, Differentiable annotation, TreePath path, ClassEmitter.Programs programs,
            boolean float32) {
        TypeElement owner = (TypeElement) method.getEnclosingElement();
        String packageName = processingEnv.getElementUtils().getPackageOf(owner).getQualifiedName().toString();
        String generatedName = (annotation.name().isEmpty() ? defaultName(owner, method) : annotation.name()) + (float32 ? "_F32" : "");
        String qualified = packageName.isEmpty() ? generatedName : packageName + "." + generatedName;
        String clash = generated.get(qualified);
        if (clash != null) {
            reporter.errorOnAnnotation(Code.ADJ205, method, "name", "this method would generate " + qualified + ", which " + clash
                    + " already generates; give one of them its own class name with @Differentiable(name = \"...\")");
            return null;
        }
        TypeElement existing = processingEnv.getElementUtils().getTypeElement(qualified);
        if (existing != null && trees.getPath(existing) != null && !generatedByAdjoint(existing)) {
            reporter.errorOnAnnotation(Code.ADJ206, method, "name", "this method would generate " + qualified
                    + ", but that class already exists; choose another name with @Differentiable(name = \"...\")");
            return null;
        }
        generated.put(qualified, owner.getSimpleName() + "." + method.getSimpleName() + method.getParameters().stream()
                .map(p -> p.asType().toString().replaceAll(".*\\.", "")).toList().toString().replace('[', '(').replace(']', ')'));

        ClassEmitter.Source source = new ClassEmitter.Source(packageName, generatedName,
                owner.getQualifiedName() + "." + method.getSimpleName(), methodSource(path), AdjointProcessor.class.getName(),
                float32);
        JavaFile file = ClassEmitter.emit(programs, source);
        try {
            JavaFileObject out = processingEnv.getFiler().createSourceFile(qualified, method);
            try (Writer writer = out.openWriter()) {
                if (float32) {
                    writer.write(dev.adjoint.processor.emit.Float32.translate(file.toString()));
                } else {
                    file.writeTo(writer);
                }
            }
        } catch (IOException e) {
            reporter.error(Code.ADJ903, method, "could not write " + qualified + ": " + e.getMessage());
            return null;
        }
        return file;
    }

    /** {@code p.C_M}: enclosing classes joined by {@code _}, then the capitalized method name. */
    static String defaultName(TypeElement owner, ExecutableElement method) {
        List<String> parts = new ArrayList<>();
        Element e = owner;
        while (e != null && !(e instanceof PackageElement)) {
            parts.add(0, e.getSimpleName().toString());
            e = e.getEnclosingElement();
        }
        String m = method.getSimpleName().toString();
        return String.join("_", parts) + "_" + Character.toUpperCase(m.charAt(0)) + m.substring(1);
    }

    private String methodSource(TreePath path) {
        CompilationUnitTree unit = path.getCompilationUnit();
        MethodTree tree = (MethodTree) path.getLeaf();
        try {
            CharSequence text = unit.getSourceFile().getCharContent(true);
            long start = trees.getSourcePositions().getStartPosition(unit, tree);
            long end = trees.getSourcePositions().getEndPosition(unit, tree);
            if (start >= 0 && end > start && end <= text.length()) {
                return stripIndent(text.subSequence((int) start, (int) end).toString());
            }
        } catch (IOException e) {
            // Fall back to javac's rendering below.
        }
        return tree.toString();
    }

    private static String stripIndent(String method) {
        String[] lines = method.split("\n", -1);
        int indent = Integer.MAX_VALUE;
        for (int i = 1; i < lines.length; i++) {
            if (!lines[i].isBlank()) {
                indent = Math.min(indent, lines[i].length() - lines[i].stripLeading().length());
            }
        }
        StringBuilder out = new StringBuilder(lines[0]);
        for (int i = 1; i < lines.length; i++) {
            out.append('\n').append(lines[i].length() >= indent && indent != Integer.MAX_VALUE ? lines[i].substring(indent) : lines[i].strip());
        }
        return out.toString();
    }

    /** A source type carrying our {@code @Generated} (a stale output compiled as a source) is not a clash. */
    static boolean generatedByAdjoint(TypeElement type) {
        for (javax.lang.model.element.AnnotationMirror mirror : type.getAnnotationMirrors()) {
            if (mirror.getAnnotationType().toString().equals("javax.annotation.processing.Generated")
                    && mirror.getElementValues().values().toString().contains(AdjointProcessor.class.getName())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A deferred method's identity across rounds (elements of one round are not valid in the next):
     * its class, its name and its position among that class's {@code @Differentiable} methods of
     * that name, so overloads are distinct. Source order does not change between rounds.
     */
    private static String key(ExecutableElement method) {
        TypeElement owner = (TypeElement) method.getEnclosingElement();
        int position = 0;
        for (Element e : owner.getEnclosedElements()) {
            if (e.equals(method)) {
                break;
            }
            if (isDifferentiableNamed(e, method.getSimpleName())) {
                position++;
            }
        }
        return owner.getQualifiedName() + "#" + method.getSimpleName() + "#" + position;
    }

    private ExecutableElement lookUp(String key) {
        String[] parts = key.split("#");
        TypeElement type = processingEnv.getElementUtils().getTypeElement(parts[0]);
        if (type == null) {
            return null;
        }
        int position = Integer.parseInt(parts[2]);
        for (Element e : type.getEnclosedElements()) {
            if (isDifferentiableNamed(e, parts[1]) && position-- == 0) {
                return (ExecutableElement) e;
            }
        }
        return null;
    }

    private static boolean isDifferentiableNamed(Element e, CharSequence name) {
        return e.getKind() == ElementKind.METHOD && e.getSimpleName().contentEquals(name)
                && e.getAnnotation(Differentiable.class) != null;
    }
}
