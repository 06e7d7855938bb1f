package dev.adjoint.spark;

import dev.adjoint.runtime.DifferentiableFunction;
import java.io.Serializable;
import java.util.function.Supplier;

/**
 * Creates instances of a generated class on the executors: pass its constructor, e.g.
 * {@code Losses_Mlp::new}. Serializable so that Spark can ship it; a method reference or lambda
 * whose target type is this interface is serializable.
 */
@FunctionalInterface
public interface FunctionFactory extends Supplier<DifferentiableFunction>, Serializable {
}
