package dev.adjoint.processor.parse;

import com.sun.source.tree.Tree;
import dev.adjoint.processor.diag.Code;
import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Origin;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.Primitive;
import dev.adjoint.processor.ops.UserFunctions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;

/**
 * Every method a {@code @Differentiable} body can call, one {@link Form} per resolved method,
 * keyed by its owner, name and erased parameter types. It starts with the built-in forms of the
 * DSL ({@link DslSurface}); a user function with {@code @Derivative} rules is registered the first
 * time a body calls it (discovered in this compilation's sources or in a dependency's class file)
 * and from then on is found by the same lookup as a built-in. The parser resolves every call here.
 *
 * <p>A call of another {@code @Differentiable} method is not registered: it is answered per call
 * by {@link Discovery#inlined}, because whether it can be inlined depends on which methods are
 * being parsed at that moment (recursion).
 */
public final class OpRegistry {
    /** Lowers one call: {@code receiver} is -1 for static methods; arguments are already lowered. */
    @FunctionalInterface
    public interface Lowering {
        int lower(Calls calls, int receiver, List<Integer> args);
    }

    /** What a lowering can use: the builder, the call's origin, conversions and errors positioned on the call. */
    public interface Calls {
        Builder builder();

        Origin origin();

        default int apply(Primitive op, Integer... inputs) {
            return builder().apply(op, origin(), List.of(inputs));
        }

        /** The value as a double (an int is widened like Java does); an error on the call otherwise. */
        int scalar(int node);

        /**
         * Argument {@code index} of {@code args} as a value of {@code kind} (an int is widened to a
         * double like Java does); an error on that argument otherwise.
         */
        int argument(List<Integer> args, int index, ValueType kind);

        /** Replays a {@code @Differentiable} helper's IR with these arguments for its parameters; its result. */
        int inline(InlineIr ir, List<Integer> args);

        /** An error on the call being lowered. */
        DslError error(Code code, String message);
    }

    /** A callable op: how it is written (for messages) and how a call of it lowers to IR. */
    public record Form(String owner, String name, List<String> parameterTypes, String usage, Lowering lowering) {
        public Form {
            parameterTypes = List.copyOf(parameterTypes);
        }

        String key() {
            return key(owner, name, parameterTypes);
        }

        static String key(String owner, String name, List<String> parameterTypes) {
            return owner + "#" + name + "(" + String.join(",", parameterTypes) + ")";
        }
    }

    /**
     * Finds what a body calls outside the registry. The processor implements it: it knows the
     * class path, the annotations of other classes and which methods are being inlined.
     */
    public interface Discovery {
        /** Nothing outside the built-in forms: every other call is an error. */
        Discovery NONE = new Discovery() {
            @Override
            public InlineIr inlined(ExecutableElement method, Tree call) {
                return null;
            }

            @Override
            public UserFunctions.Function userFunction(ExecutableElement method) {
                return null;
            }
        };

        /**
         * The IR to replay for a call of {@code method} if it is {@code @Differentiable}, else null.
         *
         * @throws DslError on {@code call} when the method cannot be inlined (recursion, errors in
         *     its body, a library compiled without Adjoint)
         */
        InlineIr inlined(ExecutableElement method, Tree call);

        /** The user function {@code method} is, with its well-formed {@code @Derivative} rules, or null. */
        UserFunctions.Function userFunction(ExecutableElement method);
    }

    private final Map<String, Form> forms = new LinkedHashMap<>();
    private final Discovery discovery;

    /** A registry of the built-in forms that asks {@code discovery} about any other static method. */
    public OpRegistry(Discovery discovery) {
        this.discovery = discovery;
        DslSurface.forms().forEach(this::register);
    }

    /** The built-in forms only. */
    public static OpRegistry builtIns() {
        return new OpRegistry(Discovery.NONE);
    }

    /** Adds a form; a method has one definition, so a second form for the same method is a bug. */
    public void register(Form form) {
        Form previous = forms.putIfAbsent(form.key(), form);
        if (previous != null && previous != form) {
            throw new IllegalStateException("two definitions of " + form.key() + ": " + previous.usage() + " and " + form.usage());
        }
    }

    /** The registered form of a method (built in or registered), or null. */
    public Form find(String owner, String name, List<String> parameterTypes) {
        return forms.get(Form.key(owner, name, parameterTypes));
    }

    /**
     * The form a call of {@code method} lowers through, or null when Adjoint cannot differentiate
     * it. A static method not registered yet is asked about: a {@code @Differentiable} one gets a
     * form for this call (its IR replayed), a user function is registered and then found like any
     * other form.
     *
     * @param parameterTypes the method's erased parameter types, as the registry keys them
     * @throws DslError on {@code call} when a {@code @Differentiable} callee cannot be inlined
     */
    public Form resolve(ExecutableElement method, List<String> parameterTypes, Tree call) {
        String owner = ((TypeElement) method.getEnclosingElement()).getQualifiedName().toString();
        String name = method.getSimpleName().toString();
        Form form = find(owner, name, parameterTypes);
        if (form != null || !method.getModifiers().contains(Modifier.STATIC)) {
            return form;
        }
        InlineIr ir = discovery.inlined(method, call);
        if (ir != null) {
            return inlined(owner, name, parameterTypes, ir);
        }
        UserFunctions.Function function = discovery.userFunction(method);
        if (function != null) {
            register(userFunction(owner, parameterTypes, function));
        }
        return find(owner, name, parameterTypes);
    }

    /** The form of a user function: one {@link UserFunctions.Call} node on the arguments. */
    public static Form userFunction(String owner, List<String> parameterTypes, UserFunctions.Function function) {
        String usage = function.display() + "(" + String.join(", ", function.parameterNames()) + ")";
        return new Form(owner, function.name(), parameterTypes, usage, (c, r, a) ->
                c.builder().apply(new UserFunctions.Call(function), c.origin(), arguments(c, a, function.parameters())));
    }

    /** The form of one call of a {@code @Differentiable} helper: its IR replayed in place of the call. */
    private static Form inlined(String owner, String name, List<String> parameterTypes, InlineIr ir) {
        List<ValueType> kinds = ir.parameters().stream().map(p -> ir.nodes().get(p).type()).toList();
        return new Form(owner, name, parameterTypes, ir.method() + "(...)", (c, r, a) -> c.inline(ir, arguments(c, a, kinds)));
    }

    /** Every argument as its parameter's kind. */
    private static List<Integer> arguments(Calls c, List<Integer> args, List<ValueType> kinds) {
        List<Integer> converted = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            converted.add(c.argument(args, i, kinds.get(i)));
        }
        return converted;
    }
}
