package dev.adjoint.processor.opt;

import dev.adjoint.processor.ir.IrPrinter;
import dev.adjoint.processor.ir.Program;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The optimization pipelines, in order, and the driver that runs them: each pass that is not
 * disabled runs, then {@link IrVerifier} checks the result (types and shapes re-inferred), and
 * with {@code -Aadjoint.dumpIr} the IR is printed before the first pass and after each one.
 *
 * <ul>
 *   <li>{@link #FORWARD}: on the parsed forward program, before differentiation (rewrites whose
 *       derivative is better than the original's);</li>
 *   <li>{@link #GRADIENT}: on the differentiated program that {@code gradient(...)} computes;</li>
 *   <li>{@link #VALUE}: on the forward program that {@code value(...)} computes, which needs
 *       nothing for a backward pass (an inverse that only multiplies becomes a solve);</li>
 *   <li>{@link #LOWER}: on both, last: rewrites for speed that make formulas harder to read
 *       (sums distributed over their uses, run-time product association, fusions towards the
 *       kernels the emitter calls). The class Javadoc's formulas are printed from the gradient
 *       program before lowering.</li>
 * </ul>
 */
public final class PassManager {
    /** Option: print the IR before and after every pass ({@code -Aadjoint.dumpIr}). */
    public static final String DUMP_OPTION = "adjoint.dumpIr";
    /** Option: comma-separated names of passes not to run ({@code -Aadjoint.disablePasses=chain-fusion}). */
    public static final String DISABLE_OPTION = "adjoint.disablePasses";

    public static final List<Pass> FORWARD = List.of(new TraceOfProduct());
    public static final List<Pass> GRADIENT = List.of(new Symmetry(), new ProductReuse());
    public static final List<Pass> VALUE = List.of(new Symmetry(), new InverseToSolve());
    /** Lowering towards the kernel vocabulary, on both programs after their own pipelines. */
    public static final List<Pass> LOWER = List.of(new LoopStateReuse(), new SumDistribution(), new AffineFusion(), new ChainFusion(),
            new LinearCombinationFusion(), new SoftmaxSharing());

    /**
     * The low-rank version of a program, lowered by {@link #LOWER} after it: identity-plus-low-rank
     * matrices through their capacitance matrix, then {@link MatrixFree} (no N×N matrix formed,
     * sums of products expanded into their uses), {@link Symmetry} again (the blocks it forms, such
     * as Xᵀ·X and the capacitance inverse, are symmetric: no transposes of them), then
     * {@link #LOW_RANK_LOWER}. The generated method runs it when the low-rank
     * factor has fewer columns than rows.
     */
    public static final List<Pass> LOW_RANK = List.of(new Woodbury(), new MatrixFree(), new Symmetry());
    /** {@link #LOWER} after {@link #LOW_RANK}, which has distributed the sums already. */
    public static final List<Pass> LOW_RANK_LOWER = LOWER.stream().filter(p -> !(p instanceof SumDistribution)).toList();

    private final Set<String> disabled;
    private final Consumer<String> dump;

    /**
     * @param disabled names of passes to skip
     * @param dump receives each IR dump, or null for none
     */
    public PassManager(Set<String> disabled, Consumer<String> dump) {
        this.disabled = Set.copyOf(disabled);
        this.dump = dump;
    }

    /** Every pass name any pipeline uses, for validating the option. */
    public static Set<String> passNames() {
        Set<String> names = new LinkedHashSet<>();
        for (List<Pass> pipeline : List.of(FORWARD, GRADIENT, VALUE, LOWER, LOW_RANK)) {
            for (Pass pass : pipeline) {
                names.add(pass.name());
            }
        }
        return names;
    }

    /** Parses the value of {@link #DISABLE_OPTION}; unknown names are returned in {@code unknown}. */
    public static Set<String> parseDisabled(String option, List<String> unknown) {
        Set<String> names = new LinkedHashSet<>();
        if (option == null) {
            return names;
        }
        for (String part : option.split(",")) {
            String name = part.strip();
            if (name.isEmpty()) {
                continue;
            }
            if (passNames().contains(name)) {
                names.add(name);
            } else {
                unknown.add(name);
            }
        }
        return names;
    }

    /**
     * Runs {@code pipeline} over {@code program}. {@code stage} labels the dumps and the
     * verifier's messages ("value", "gradient", ...).
     */
    public Program run(String stage, List<Pass> pipeline, Program program, PassContext context) {
        IrVerifier.verify(program, context, "building the " + stage + " program");
        if (dump != null) {
            dump.accept("== " + stage + ": before passes\n" + IrPrinter.print(program));
        }
        List<String> skipped = new ArrayList<>();
        for (Pass pass : pipeline) {
            if (disabled.contains(pass.name())) {
                skipped.add(pass.name());
                continue;
            }
            program = pass.apply(program, context);
            if (pass.insideRegions()) {
                program = InsideRegions.apply(pass, program, context);
            }
            IrVerifier.verify(program, context, "pass " + pass.name() + " (" + stage + ")");
            if (dump != null) {
                dump.accept("== " + stage + ": after " + pass.name() + "\n" + IrPrinter.print(program));
            }
        }
        if (dump != null && !skipped.isEmpty()) {
            dump.accept("== " + stage + ": disabled " + String.join(", ", skipped) + "\n");
        }
        return program;
    }
}
