package dev.adjoint.processor.ops;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.adjoint.processor.ir.Node;
import dev.adjoint.processor.ir.ValueType;
import java.util.ArrayList;
import java.util.List;

/**
 * Functions the user differentiates by hand: a static method {@code f} with arbitrary body and,
 * in the same class, {@code @Derivative(of = "f", wrt = "A")} rules giving the vector-Jacobian
 * product for some of its parameters. They enter the IR like built-in primitives: {@link Call}
 * computes {@code f(...)} and its adjoint applies the rules ({@link Rule}). Generated code calls
 * both through {@code SimpleMatrix} (which allocates their results: the one exception to
 * allocation-free generated code) and copies each result into its own workspace, so a user
 * method may return one of its arguments or a shared matrix without harm.
 */
public final class UserFunctions {
    private UserFunctions() {}

    private static final ClassName RUNTIME = ClassName.get("dev.adjoint.runtime", "UserFunctions");

    /**
     * A user function's identity and rules.
     *
     * @param packageName the declaring class's package
     * @param classNames the declaring class's simple names, outermost first
     * @param name the method's name
     * @param parameterNames its parameters' names
     * @param parameters its parameters' kinds
     * @param result its result's kind (matrix or double)
     * @param rules for each parameter, the name of its {@code @Derivative} rule, or "" for none
     * @param accessible whether the class, the method and every rule are public (else only
     *     generated classes in the same package can call them)
     */
    public record Function(String packageName, List<String> classNames, String name, List<String> parameterNames,
            List<ValueType> parameters, ValueType result, List<String> rules, boolean accessible)
            implements java.io.Serializable {
        public Function {
            classNames = List.copyOf(classNames);
            parameterNames = List.copyOf(parameterNames);
            parameters = List.copyOf(parameters);
            rules = List.copyOf(rules);
        }

        ClassName owner() {
            return ClassName.get(packageName, classNames.get(0), classNames.subList(1, classNames.size()).toArray(String[]::new));
        }

        /** {@code Rules.softsign}, for messages. */
        public String display() {
            return String.join(".", classNames) + "." + name;
        }

        public boolean hasRule(int parameter) {
            return !rules.get(parameter).isEmpty();
        }
    }

    /** {@code f(a₁, …, aₖ)} (inputs: the arguments). */
    public record Call(Function function) implements Primitive {
        @Override
        public ValueType type() {
            return function.result();
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {
            if (function.result() == ValueType.MATRIX) {
                // Known only when f has run: downstream operations check it then.
                ctx.setShape(node, ctx.unknown(), ctx.unknown());
            }
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            CodeBlock call = CodeBlock.of("$T.$L($L)", function.owner(), function.name(), arguments(ctx, node, node.inputs().size()));
            if (function.result() == ValueType.MATRIX) {
                ctx.statement("$T.result($L, $L, $S)", RUNTIME, call, ctx.ref(node.id()), function.display());
            } else {
                ctx.define(node, "$L", call);
            }
        }

        @Override
        public void adjoint(AdjointContext ctx, Node node, int ct) {
            for (int i = 0; i < node.inputs().size(); i++) {
                // A needed input without a rule was reported (ADJ331) before differentiation.
                if (ctx.needs(i) && function.hasRule(i)) {
                    List<Integer> inputs = new ArrayList<>(node.inputs());
                    inputs.add(ct);
                    ctx.accumulate(i, ctx.builder().apply(new Rule(function, i), node.origin(), inputs));
                }
            }
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.noRule(node); // a @Derivative rule is first order only
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula f = Formula.atom(function.name() + "(" + printed(ctx, node, node.inputs().size()) + ")");
            return transposed ? ctx.transposeOf(f) : f;
        }
    }

    /**
     * The rule for parameter {@code parameter}: ∂⟨Ḡ, f(a₁, …, aₖ)⟩/∂a_parameter (inputs: the
     * arguments of {@code f}, then the cotangent Ḡ of its result).
     */
    public record Rule(Function function, int parameter) implements BackwardOnly {
        @Override
        public ValueType type() {
            return function.parameters().get(parameter);
        }

        @Override
        public void shape(ShapeContext ctx, Node node) {
            if (type() == ValueType.MATRIX) {
                ctx.shapeLike(node, node.input(parameter));
            }
        }

        @Override
        public void emit(EmitContext ctx, Node node) {
            CodeBlock call = CodeBlock.of("$T.$L($L)", function.owner(), function.rules().get(parameter),
                    arguments(ctx, node, node.inputs().size()));
            if (type() == ValueType.MATRIX) {
                ctx.statement("$T.gradient($L, $L, $L, $S)", RUNTIME, call, ctx.ref(node.id()), ctx.ref(node.input(parameter)),
                        function.display() + "'s rule " + function.rules().get(parameter) + " for "
                                + function.parameterNames().get(parameter));
            } else {
                ctx.define(node, "$L", call);
            }
        }

        @Override
        public int jvp(JvpContext ctx, Node node) {
            return ctx.noRule(node);
        }

        @Override
        public Formula formula(FormulaContext ctx, Node node, boolean transposed) {
            Formula f = Formula.atom(function.rules().get(parameter) + "(" + printed(ctx, node, node.inputs().size()) + ")");
            return transposed ? ctx.transposeOf(f) : f;
        }
    }

    private static CodeBlock arguments(EmitContext ctx, Node node, int count) {
        List<CodeBlock> args = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String ref = ctx.ref(node.input(i));
            boolean matrix = i < node.inputs().size() && isMatrixInput(node, i);
            args.add(matrix ? CodeBlock.of("$T.wrap($L)", Ejml.SIMPLE_MATRIX, ref) : CodeBlock.of("$L", ref));
        }
        return CodeBlock.join(args, ", ");
    }

    private static boolean isMatrixInput(Node node, int i) {
        if (node.op() instanceof Call call) {
            return call.function().parameters().get(i) == ValueType.MATRIX;
        }
        Rule rule = (Rule) node.op();
        return i < rule.function().parameters().size()
                ? rule.function().parameters().get(i) == ValueType.MATRIX
                : rule.function().result() == ValueType.MATRIX;
    }

    private static String printed(FormulaContext ctx, Node node, int count) {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            args.add(ctx.print(node.input(i)).text());
        }
        return String.join(", ", args);
    }
}
