package dev.adjoint.processor.parse;

import com.sun.source.tree.Tree;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.UserFunctions;
import java.util.List;
import javax.lang.model.element.ExecutableElement;

/**
 * Resolves calls of methods outside the DSL table: another {@code @Differentiable} method (inlined)
 * or a user function with {@code @Derivative} rules. The processor implements it (it knows the
 * class path, the rules and which methods are being inlined); the parser only lowers the answer.
 */
public interface Callees {
    /** No callees: every such call is an error. */
    Callees NONE = (method, call) -> null;

    /**
     * How a call of {@code method} lowers, or null when it is neither {@code @Differentiable} nor
     * has {@code @Derivative} rules.
     *
     * @throws DslError on {@code call} when the callee cannot be inlined (recursion, errors in
     *     its body, a library compiled without Adjoint)
     */
    Callee find(ExecutableElement method, Tree call);

    /** A callee the parser can lower. */
    sealed interface Callee {
        List<ValueType> parameters();
    }

    /** A {@code @Differentiable} method: its body is replayed in place of the call. */
    record Inline(InlineIr ir) implements Callee {
        @Override
        public List<ValueType> parameters() {
            return ir.parameters().stream().map(p -> ir.nodes().get(p).type()).toList();
        }
    }

    /** A method with {@code @Derivative} rules: one {@link UserFunctions.Call} node. */
    record User(UserFunctions.Function function) implements Callee {
        @Override
        public List<ValueType> parameters() {
            return function.parameters();
        }
    }
}
