package dev.adjoint.sample;

/** Shared thresholds and the summary-table row of every experiment. */
public final class Experiments {
    private Experiments() {}

    /**
     * A generated gradient passes its finite-difference check when the largest relative error
     * (GradientChecker's measure) is at most this.
     */
    public static final double GRADIENT_TOLERANCE = 1e-6;

    /**
     * One row of the summary table.
     *
     * @param model              subcommand name
     * @param criterion          the pass criterion, in words
     * @param achieved           the achieved value, in words
     * @param gradientCheckError max relative error of the finite-difference check
     * @param secondsPerGradient mean time of one generated gradient call during training
     * @param gradientCalls      gradient calls made during training
     * @param trainingSeconds    wall time of training
     * @param passed             whether the criterion and the gradient check both pass
     */
    public record Summary(String model, String criterion, String achieved, double gradientCheckError,
                          double secondsPerGradient, long gradientCalls, double trainingSeconds, boolean passed) {
    }
}
