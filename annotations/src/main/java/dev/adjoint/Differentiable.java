package dev.adjoint;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a static {@code double} method over EJML {@code SimpleMatrix} values as a loss whose
 * gradient Adjoint generates at compile time, or a static {@code SimpleMatrix} method as a
 * <em>helper</em> that other {@code @Differentiable} methods call.
 *
 * <p>A {@code @Differentiable} method may call any other {@code @Differentiable} method, in the
 * same class, another class or package, or another module compiled with Adjoint's processor
 * earlier: the callee is inlined into the caller, so the caller's {@link #wrt()} governs and
 * optimization crosses the call. No class is generated for a helper (a method returning
 * {@code SimpleMatrix}); its {@code wrt} is ignored. Recursion is a compile error. Methods with
 * arbitrary bodies can be called too when they have {@link Derivative} rules.
 *
 * <p>For a method {@code m} in class {@code p.C} the processor writes {@code p.C_M} (nested
 * classes joined by {@code _}, {@code M} is {@code m} capitalized), or {@code p.<name>} when
 * {@link #name()} is set.
 *
 * <p>The forms the method body may use, the generated class's API and the gradient conventions
 * are in the DSL reference, {@code docs/dsl.md} in the Adjoint repository.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Differentiable {
    /**
     * The parameters to differentiate with respect to. Empty means every {@code SimpleMatrix}
     * and {@code double} parameter.
     */
    String[] wrt() default {};

    /** The simple name of the generated class; empty for the default {@code C_M}. */
    String name() default "";

    /**
     * The highest derivative order to generate: 1 (value and gradient) or 2, which adds
     * {@code hessianVectorProduct(...)} (H·d for each {@code wrt} parameter, with accessors
     * {@code hvpX()}) and {@code hessian(...)} (the full Hessian with respect to all {@code wrt}
     * parameters stacked), derived at compile time by forward-mode differentiation of the
     * generated gradient.
     */
    int order() default 1;

    /**
     * The precisions to generate: {@link Precision#DOUBLE} writes {@code C_M} on
     * {@code DMatrixRMaj} and {@code double}; {@link Precision#FLOAT} writes {@code C_M_F32} (or
     * {@code <name>_F32}) with the same methods on {@code FMatrixRMaj} and {@code float}.
     */
    Precision[] precision() default {Precision.DOUBLE};
}
