package dev.adjoint;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares the shape of a {@code SimpleMatrix} parameter of a {@link Differentiable} method:
 * exactly two entries, rows then columns, each a symbol ({@code "m"}) or an integer literal
 * ({@code "1"}). Symbols must bind consistently across parameters; this is checked at compile
 * time across the whole body and at run time on the actual arguments.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.PARAMETER)
public @interface Shape {
    String[] value();
}
