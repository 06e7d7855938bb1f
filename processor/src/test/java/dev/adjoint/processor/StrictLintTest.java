package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A strict user build: {@code -Xlint:all -Werror -Xdoclint:all}, with the processors javac
 * discovers from the processor's {@code META-INF/services} (as Maven's
 * {@code annotationProcessorPaths} or a plain {@code javac -processorpath} would). Adjoint must
 * add no warning of its own: no "No processor claimed any of these annotations" for
 * {@code @Differentiable}, {@code @Shape} or the {@code @Generated} on its output, and generated
 * classes whose public members are fully documented ({@code @param}, {@code @return}).
 */
class StrictLintTest {

    static final List<String> STRICT = List.of("-Xlint:all", "-Werror", "-Xdoclint:all");

    /**
     * SPEC section 1, with {@code getNumRows()}/{@code getNumCols()}: EJML 0.44 deprecates
     * {@code numRows()}/{@code numCols()}, which {@code -Xlint:all} reports in the user's own code.
     */
    static final String SPEC_LOSSES = """
            package demo;

            import dev.adjoint.Differentiable;
            import org.ejml.simple.SimpleMatrix;
            import static dev.adjoint.runtime.Ops.*;

            /** The SPEC's three losses. */
            public final class Losses {
                /** Not instantiated. */
                private Losses() {
                }

                /**
                 * Tied-weight linear autoencoder.
                 *
                 * @param W weights, m x n
                 * @param x samples, n x N
                 * @return the loss
                 */
                @Differentiable(wrt = "W")
                static double tiedAutoencoder(SimpleMatrix W, SimpleMatrix x) {
                    SimpleMatrix r = W.transpose().mult(W).mult(x).minus(x);
                    return 0.5 * sumSquares(r);
                }

                /**
                 * Two-layer network, Swish hidden units, softmax cross-entropy.
                 *
                 * @param W1 first layer weights
                 * @param b1 first layer bias
                 * @param W2 second layer weights
                 * @param b2 second layer bias
                 * @param X inputs, one sample per column
                 * @param Y targets, one sample per column
                 * @return the loss
                 */
                @Differentiable(wrt = {"W1", "b1", "W2", "b2"})
                static double mlp(SimpleMatrix W1, SimpleMatrix b1, SimpleMatrix W2, SimpleMatrix b2,
                                  SimpleMatrix X, SimpleMatrix Y) {
                    SimpleMatrix h = swish(addColumn(W1.mult(X), b1));
                    return softmaxCrossEntropy(addColumn(W2.mult(h), b2), Y);
                }

                /**
                 * Linear-kernel GP-LVM log-likelihood without its constant.
                 *
                 * @param X latent points, N x q
                 * @param alpha kernel scale
                 * @param beta noise precision
                 * @param Y data, N x D
                 * @return the log-likelihood
                 */
                @SuppressWarnings("adjoint") // ADJ503: K.invert().mult(Y) kept as SPEC writes it, without its warning
                @Differentiable(wrt = {"X", "alpha", "beta"})
                static double gplvm(SimpleMatrix X, double alpha, double beta, SimpleMatrix Y) {
                    int n = X.getNumRows();
                    double d = Y.getNumCols();
                    SimpleMatrix K = X.mult(X.transpose()).scale(alpha).plus(SimpleMatrix.identity(n).divide(beta));
                    return -d / 2 * logDet(K) - 0.5 * K.invert().mult(Y).mult(Y.transpose()).trace();
                }
            }
            """;

    /** More forms: {@code @Shape}, int and double parameters, {@code name}, overloads, every kind of op. */
    static final String MORE_FORMS = """
            package demo;

            import dev.adjoint.Differentiable;
            import dev.adjoint.Shape;
            import dev.adjoint.runtime.Ops;
            import org.ejml.simple.SimpleMatrix;

            /** More DSL forms. */
            public final class Forms {
                /** Not instantiated. */
                private Forms() {
                }

                /**
                 * Entrywise functions and reductions.
                 *
                 * @param A a matrix
                 * @param B a matrix shaped like A
                 * @param s a scalar
                 * @return a scalar
                 */
                @SuppressWarnings("adjoint") // ADJ504: Math.log(Math.exp(s) + 1) is here as a form, not as advice
                @Differentiable(name = "Entrywise")
                static double entrywise(@Shape({"m", "n"}) SimpleMatrix A, @Shape({"m", "n"}) SimpleMatrix B, double s) {
                    SimpleMatrix C = Ops.sigmoid(A).elementMult(Ops.tanh(B)).plus(Ops.relu(A).scale(s))
                            .plus(Ops.softplus(B)).minus(s).elementDiv(B.elementExp().plus(1));
                    double t = C.elementSum() + C.normF() + Ops.mean(C) + Ops.logSumExp(C);
                    t += Math.log(Math.exp(s) + 1) * Math.sqrt(s * s + 1) + Math.pow(s, 2) + Math.tanh(s);
                    return t + Ops.sumSquares(Ops.addRow(C, Ops.columnSums(C))) + Ops.sumSquares(Ops.rowSums(C))
                            + A.elementPower(3).elementLog().elementSum() * Math.PI / Math.E;
                }

                /**
                 * Linear algebra.
                 *
                 * @param K a square matrix
                 * @param b a vector
                 * @param n the size of K
                 * @return a scalar
                 */
                @Differentiable(wrt = {"K", "b"})
                static double linear(SimpleMatrix K, SimpleMatrix b, int n) {
                    SimpleMatrix S = K.mult(K.transpose()).plus(SimpleMatrix.identity(n));
                    SimpleMatrix y = S.solve(b);
                    return Ops.logDet(S) + K.determinant() + y.dot(b) + S.invert().trace()
                            + SimpleMatrix.ones(n, 1).plus(2.0, b).negative().elementSum()
                            + SimpleMatrix.filled(1, 1, 0.5).elementSum() / (double) n;
                }

                /**
                 * One overload.
                 *
                 * @param A a matrix
                 * @return a scalar
                 */
                @Differentiable(name = "OverloadOne")
                static double overload(SimpleMatrix A) {
                    return Ops.sumSquares(A);
                }

                /**
                 * Another overload.
                 *
                 * @param A a matrix
                 * @param s a scalar
                 * @return a scalar
                 */
                @Differentiable(name = "OverloadTwo")
                static double overload(SimpleMatrix A, double s) {
                    return Ops.sumSquares(A.divide(s));
                }
            }
            """;

    @Test
    void strictBuildOfSpecLossesAndMoreFormsHasNoWarnings() {
        Compilation.Result result = Compilation.compileDiscovering(STRICT, SPEC_LOSSES, MORE_FORMS);
        assertEquals(List.of(), result.diagnostics.stream()
                .filter(d -> d.getKind() != javax.tools.Diagnostic.Kind.NOTE)
                .map(Compilation::format).toList(), result::describe);
        assertTrue(result.success, result::describe);
        assertEquals(List.of("demo/Entrywise.java", "demo/Forms_Linear.java", "demo/Losses_Gplvm.java", "demo/Losses_Mlp.java",
                "demo/Losses_TiedAutoencoder.java", "demo/OverloadOne.java", "demo/OverloadTwo.java"),
                List.copyOf(result.generated.keySet()), result::describe);
    }

    /**
     * Without {@link GeneratedClaim}, javac warns about the {@code @Generated} on Adjoint's output
     * (nobody claims it): the warning the claim exists for. Adjoint's own annotations stay claimed.
     */
    @Test
    void withoutTheClaimJavacWarnsAboutGenerated() {
        Compilation.Result result = Compilation.run(List.of(new AdjointProcessor()), false, List.of("-Xlint:all"),
                SPEC_LOSSES);
        List<String> warnings = result.warnings().stream().map(d -> d.getMessage(java.util.Locale.ROOT)).toList();
        assertEquals(1, warnings.size(), result::describe);
        assertTrue(warnings.get(0).contains("No processor claimed any of these annotations")
                && warnings.get(0).contains("javax.annotation.processing.Generated")
                && !warnings.get(0).contains("dev.adjoint"), result::describe);
    }

    /** The same with the processors set explicitly (no discovery), one fresh instance each. */
    @Test
    void strictBuildWithExplicitProcessorsHasNoWarnings() {
        Compilation.Result result = Compilation.run(List.of(new AdjointProcessor(), new GeneratedClaim()), false, STRICT,
                SPEC_LOSSES, MORE_FORMS);
        assertEquals(List.of(), result.diagnostics.stream()
                .filter(d -> d.getKind() != javax.tools.Diagnostic.Kind.NOTE)
                .map(Compilation::format).toList(), result::describe);
        assertTrue(result.success, result::describe);
    }
}
