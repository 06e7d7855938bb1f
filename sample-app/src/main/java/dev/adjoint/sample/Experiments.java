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
     * Generated Hessian-vector products pass their check ({@code GradientChecker.checkHessianVectorProducts}:
     * central differences of the generated gradient) when the largest relative error is at most this.
     * Looser than {@link #GRADIENT_TOLERANCE} because that check's step is 10⁻⁵·max(1, largest |argument|),
     * and the GP-LVM's β ≈ 20 makes it 2·10⁻⁴: its O(h²) truncation error is then ~10⁻⁶ (measured:
     * 2.5·10⁻⁶ at β ≈ 20, 10⁻⁹ at β = 1, falling 100-fold per 10-fold smaller step).
     */
    public static final double HESSIAN_VECTOR_TOLERANCE = 1e-5;

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
