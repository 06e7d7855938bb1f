package dev.adjoint.runtime.optim;

/**
 * An iterative optimizer over an {@link Objective}: each {@link #step()} reads the variables from
 * the argument array, evaluates the generated function and its gradient there, and writes the
 * updated variables back in place.
 *
 * <p>Implementations allocate all their state when they are created (its size is
 * {@link Objective#dimension()}), so steps allocate nothing beyond what the function itself
 * does (generated functions allocate nothing once argument shapes repeat). Like the functions
 * they drive, optimizers are not thread-safe.
 *
 * <pre>{@code
 * Object[] args = {W, X};
 * Optimizer opt = new Lbfgs(Objective.minimize(new Losses_TiedAutoencoder(), args, "W"));
 * for (int i = 0; i < 500 && !opt.converged(); i++) {
 *     double loss = opt.step();
 * }
 * }</pre>
 */
public interface Optimizer {

    /** What this optimizer works on. */
    Objective objective();

    /**
     * Takes one step.
     *
     * @return the function's value (as the function computes it, not negated when maximizing) at
     *         the point where the step started, i.e. the value whose gradient the step used
     */
    double step();

    /** Euclidean norm of the gradient at the point where the last step started (NaN before any). */
    double gradientNorm();

    /**
     * Whether further steps are pointless: the gradient vanished, or (for optimizers with a line
     * search) no step could decrease the cost any more. First-order methods with a fixed learning
     * rate only report an exactly zero gradient.
     */
    default boolean converged() {
        return gradientNorm() == 0;
    }

    /** Forgets accumulated state (moments, curvature history, step counts). */
    void reset();
}
