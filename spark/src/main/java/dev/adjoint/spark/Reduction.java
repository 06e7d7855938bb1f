package dev.adjoint.spark;

/**
 * How a loss combines its samples (the columns of its data matrices), so that a
 * {@link SparkLoss} can combine the values of column blocks into the value the function would
 * have on all the data at once.
 */
public enum Reduction {
    /**
     * The loss is a sum over samples (e.g. {@code 0.5 * sumSquares(W.transpose().mult(W).mult(X).minus(X))}):
     * the total is the sum of the block values.
     */
    SUM,
    /**
     * The loss is a mean over samples (e.g. {@code softmaxCrossEntropy(Z, Y)}, the mean over
     * columns): the total is the mean of the block values weighted by their column counts.
     */
    MEAN
}
