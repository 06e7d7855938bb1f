package dev.adjoint;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a user-defined derivative rule: the vector-Jacobian product of a static method
 * {@link #of() f} of the same class with respect to one of its parameters, {@link #wrt() A}.
 * With a rule for every parameter that a loss differentiates through, {@code f} may be called
 * from a {@link Differentiable} method although its body is arbitrary Java.
 *
 * <p>{@code f} is static, returns {@code SimpleMatrix} or {@code double} and takes
 * {@code SimpleMatrix}, {@code double} and {@code int} parameters. The rule is a static method
 * in the same class whose parameters are {@code f}'s parameters (same types, same order)
 * followed by the cotangent {@code ct} of {@code f}'s result (a {@code SimpleMatrix} shaped like
 * the result, or a {@code double}), and which returns the type of parameter {@code A}: the
 * gradient of ⟨ct, f(...)⟩ with respect to {@code A}, i.e. Σᵢⱼ ctᵢⱼ·∂f(...)ᵢⱼ/∂A.
 *
 * <pre>{@code
 * static SimpleMatrix softsign(SimpleMatrix A) { ... any Java ... }
 *
 * @Derivative(of = "softsign", wrt = "A")
 * static SimpleMatrix softsignGrad(SimpleMatrix A, SimpleMatrix ct) {
 *     // d/da a/(1 + |a|) = 1/(1 + |a|)²
 *     ...
 * }
 * }</pre>
 *
 * <p>Generated code calls {@code f} and the rule through {@code SimpleMatrix}, so a user function
 * allocates its result on every call (everything else in generated code stays allocation-free);
 * neither may modify its arguments. There is no second-order rule: a method declared
 * {@code @Differentiable(order = 2)} cannot call a user function. Check a rule against finite
 * differences with {@code dev.adjoint.runtime.GradientChecker.checkRule}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Derivative {
    /** The name of the function this rule differentiates: a static method of the same class. */
    String of();

    /** The name of the parameter of {@link #of()} this rule differentiates with respect to. */
    String wrt();
}
