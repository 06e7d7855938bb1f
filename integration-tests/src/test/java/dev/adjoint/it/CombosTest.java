package dev.adjoint.it;

import static dev.adjoint.it.TestSupport.dim;
import static dev.adjoint.it.TestSupport.scalar;
import static dev.adjoint.it.TestSupport.sm;
import static dev.adjoint.it.TestSupport.sw;
import static dev.adjoint.it.TestSupport.uniform;
import static dev.adjoint.it.TestSupport.verify;
import static dev.adjoint.it.TestSupport.wellConditioned;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.it.TestSupport.Seeds;
import dev.adjoint.runtime.DifferentiableFunction;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** Combinations of forms, Java int semantics, and the naming rules. Same checks as DslFormsGradientTest. */
class CombosTest {

    @Seeds
    void multBothTransposed(long seed) {
        Random r = new Random(seed);
        int k = dim(r), m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, k, m), B = uniform(r, n, k);
        var f = new Combos_MultBothTransposed();
        verify(f, () -> Combos.multBothTransposed(sm(A), sm(B)), () -> f.value(A, B), () -> f.gradient(sw(A), sw(B)), A, B);
    }

    @Seeds
    void transposeOfTranspose(long seed) {
        Random r = new Random(seed);
        int m = dim(r), k = dim(r), n = dim(r), p = dim(r);
        DMatrixRMaj A = uniform(r, m, k), B = uniform(r, k, n), C = uniform(r, m, p);
        var f = new Combos_TransposeOfTranspose();
        verify(f, () -> Combos.transposeOfTranspose(sm(A), sm(B), sm(C)), () -> f.value(A, B, C),
                () -> f.gradient(sw(A), sw(B), sw(C)), A, B, C);
    }

    @Seeds
    void transposedFactorizations(long seed) {
        Random r = new Random(seed);
        int n = dim(r), k = dim(r);
        DMatrixRMaj A = wellConditioned(r, n), B = uniform(r, n, k);
        var f = new Combos_TransposedFactorizations();
        verify(f, () -> Combos.transposedFactorizations(sm(A), sm(B)), () -> f.value(A, B),
                () -> f.gradient(sw(A), sw(B)), A, B);
    }

    @Seeds
    void logDetOfTranspose(long seed) {
        Random r = new Random(seed);
        int n = dim(r), k = dim(r), j = dim(r);
        DMatrixRMaj B = uniform(r, n, k), C = uniform(r, n, j);
        var f = new Combos_LogDetOfTranspose();
        verify(f, () -> Combos.logDetOfTranspose(sm(B), sm(C)), () -> f.value(B, C), () -> f.gradient(sw(B), sw(C)), B, C);
    }

    @Seeds
    void sameOperandTwice(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj A = wellConditioned(r, n), B = uniform(r, n, n);
        var f = new Combos_SameOperandTwice();
        verify(f, () -> Combos.sameOperandTwice(sm(A), sm(B)), () -> f.value(A, B), () -> f.gradient(sw(A), sw(B)), A, B);
    }

    @Seeds
    void linearCombinations(long seed) {
        Random r = new Random(seed);
        int n = dim(r), k = dim(r);
        DMatrixRMaj A = uniform(r, n, k), B = uniform(r, k, n), C = uniform(r, n, n);
        double s = 0.5 + r.nextDouble();
        var f = new Combos_LinearCombinations();
        verify(f, () -> Combos.linearCombinations(sm(A), sm(B), sm(C), s), () -> f.value(A, B, C, s),
                () -> f.gradient(sw(A), sw(B), sw(C), s), A, B, C, s);
    }

    @org.junit.jupiter.api.Test
    void linearCombinationsAccumulateIntoOneBuffer() throws java.io.IOException {
        String source = java.nio.file.Files.readString(java.nio.file.Path.of(System.getProperty("basedir", "."))
                .resolve("target/generated-test-sources/test-annotations/dev/adjoint/it/Combos_LinearCombinations.java"));
        String gradient = source.substring(source.indexOf("public double gradient(DMatrixRMaj"));
        gradient = gradient.substring(0, gradient.indexOf("\n    }\n") + 6); // the method alone
        for (String call : java.util.List.of("Products.multAdd", "CommonOps_DDRM.addEquals", "Kernels.addToDiagonal",
                "CommonOps_DDRM.subtractEquals")) {
            org.junit.jupiter.api.Assertions.assertTrue(gradient.contains(call), call + " in\n" + gradient);
        }
        org.junit.jupiter.api.Assertions.assertFalse(gradient.contains("Kernels.identity("), gradient);
    }

    @Seeds
    void gradientIsAForwardIntermediate(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), D = uniform(r, n, n), B = uniform(r, n, n);
        var f = new Combos_GradientIsAForwardIntermediate();
        verify(f, () -> Combos.gradientIsAForwardIntermediate(sm(A), sm(D), sm(B)), () -> f.value(A, D, B),
                () -> f.gradient(sw(A), sw(D), sw(B)), A, D, B);
    }

    @Seeds
    void sharedFactorization(long seed) {
        Random r = new Random(seed);
        int n = dim(r), k = dim(r), j = dim(r);
        DMatrixRMaj A = uniform(r, n, k), B = uniform(r, n, j);
        var f = new Combos_SharedFactorization();
        verify(f, () -> Combos.sharedFactorization(sm(A), sm(B)), () -> f.value(A, B), () -> f.gradient(sw(A), sw(B)),
                A, B);
    }

    /** K = S + (N − Nᵀ) with S SPD: not symmetric, symmetric part positive definite. */
    private static DMatrixRMaj nonSymmetricWithSpdPart(Random r, int n) {
        DMatrixRMaj K = TestSupport.spd(r, n);
        DMatrixRMaj N = uniform(r, n, n, -0.5, 0.5);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                K.add(i, j, N.get(i, j) - N.get(j, i));
            }
        }
        return K;
    }

    @Seeds
    void logDetAndInverseOfNonSymmetric(long seed) {
        Random r = new Random(seed);
        int n = 2 + r.nextInt(4);
        DMatrixRMaj K = nonSymmetricWithSpdPart(r, n), C = uniform(r, n, n);
        var f = new Combos_LogDetAndInverseOfNonSymmetric();
        verify(f, () -> Combos.logDetAndInverseOfNonSymmetric(sm(K), sm(C)), () -> f.value(K, C),
                () -> f.gradient(sw(K), sw(C)), K, C);
    }

    @Seeds
    void inverseOfNonSymmetric(long seed) {
        Random r = new Random(seed);
        int n = 2 + r.nextInt(4);
        DMatrixRMaj K = nonSymmetricWithSpdPart(r, n), C = uniform(r, n, n);
        var f = new Combos_InverseOfNonSymmetric();
        verify(f, () -> Combos.inverseOfNonSymmetric(sm(K), sm(C)), () -> f.value(K, C), () -> f.gradient(sw(K), sw(C)),
                K, C);
    }

    @Seeds
    void helpersOnTranspose(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj A = uniform(r, n, n), v = uniform(r, n, 1), u = uniform(r, 1, n);
        var f = new Combos_HelpersOnTranspose();
        verify(f, () -> Combos.helpersOnTranspose(sm(A), sm(v), sm(u)), () -> f.value(A, v, u),
                () -> f.gradient(sw(A), sw(v), sw(u)), A, v, u);
    }

    /** EJML's trace of an m×n matrix sums the min(m, n) diagonal entries; the DSL must agree. */
    @Seeds
    void traceNonSquare(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = m + 1 + r.nextInt(3);
        if (r.nextBoolean()) {
            int t = m;
            m = n;
            n = t;
        }
        DMatrixRMaj A = uniform(r, m, n), B = uniform(r, n, dim(r));
        var f = new Combos_TraceNonSquare();
        verify(f, () -> Combos.traceNonSquare(sm(A), sm(B)), () -> f.value(A, B), () -> f.gradient(sw(A), sw(B)), A, B);
    }

    @Seeds
    void entrywiseChain(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r), -2, 2);
        double s = scalar(r, -2, 2);
        var f = new Combos_EntrywiseChain();
        verify(f, () -> Combos.entrywiseChain(sm(A), s), () -> f.value(A, s), () -> f.gradient(sw(A), s), A, s);
    }

    @Seeds
    void softmaxOfTranspose(long seed) {
        Random r = new Random(seed);
        int k = 1 + dim(r), n = dim(r);
        DMatrixRMaj Z = uniform(r, n, k, -2, 2), Y = uniform(r, k, n, 0, 1);
        var f = new Combos_SoftmaxOfTranspose();
        verify(f, () -> Combos.softmaxOfTranspose(sm(Z), sm(Y)), () -> f.value(Z, Y), () -> f.gradient(sw(Z), sw(Y)), Z, Y);
    }

    @Seeds
    void dotOfTransposes(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj a = uniform(r, n, 1), b = uniform(r, n, 1);
        var f = new Combos_DotOfTransposes();
        verify(f, () -> Combos.dotOfTransposes(sm(a), sm(b)), () -> f.value(a, b), () -> f.gradient(sw(a), sw(b)), a, b);
    }

    @Seeds
    void intDivision(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r));
        double s = scalar(r, -2, 2);
        var f = new Combos_IntDivision();
        verify(f, () -> Combos.intDivision(sm(A), s), () -> f.value(A, s), () -> f.gradient(sw(A), s), A, s);
    }

    @Seeds
    void literals(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r));
        double s = scalar(r, -2, 2);
        var f = new Combos_Literals();
        verify(f, () -> Combos.literals(sm(A), s), () -> f.value(A, s), () -> f.gradient(sw(A), s), A, s);
    }

    @Seeds
    void nestedMath(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r));
        double s = scalar(r, -2, 2);
        var f = new Combos_NestedMath();
        verify(f, () -> Combos.nestedMath(sm(A), s), () -> f.value(A, s), () -> f.gradient(sw(A), s), A, s);
    }

    @Seeds
    void onlyScalarsWrt(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj X = uniform(r, dim(r), dim(r));
        double alpha = scalar(r, -2, 2), beta = scalar(r, -2, 2);
        var f = new Combos_OnlyScalarsWrt();
        verify(f, () -> Combos.onlyScalarsWrt(sm(X), alpha, beta), () -> f.value(X, alpha, beta),
                () -> f.gradient(sw(X), alpha, beta), X, alpha, beta);
    }

    @Seeds
    void scalarFromMatrixBackIntoMatrix(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), B = uniform(r, m, n);
        var f = new Combos_ScalarFromMatrixBackIntoMatrix();
        verify(f, () -> Combos.scalarFromMatrixBackIntoMatrix(sm(A), sm(B)), () -> f.value(A, B),
                () -> f.gradient(sw(A), sw(B)), A, B);
    }

    @Seeds
    void reshapingReassignment(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj W = uniform(r, m, n), C = uniform(r, dim(r), m);
        var f = new Combos_ReshapingReassignment();
        verify(f, () -> Combos.reshapingReassignment(sm(W), sm(C)), () -> f.value(W, C), () -> f.gradient(sw(W), sw(C)),
                W, C);
    }

    @Seeds
    void intShapes(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r));
        int k = dim(r);
        double v = scalar(r, -2, 2);
        var f = new Combos_IntShapes();
        verify(f, () -> Combos.intShapes(sm(A), k, v), () -> f.value(A, k, v), () -> f.gradient(sw(A), k, v), A, k, v);
    }

    /** Shapes of 8..16, past EJML's small-matrix code paths (unrolled inverse/determinant, small mult). */
    @Seeds
    void largerShapes(long seed) {
        Random r = new Random(seed);
        int n = 8 + r.nextInt(9), k = 8 + r.nextInt(9);
        DMatrixRMaj A = wellConditioned(r, n), B = uniform(r, n, k), C = uniform(r, n, k, -0.1, 0.1);
        var solve = new DslForms_Solve();
        verify(solve, () -> DslForms.solve(sm(A), sm(B), sm(C)), () -> solve.value(A, B, C),
                () -> solve.gradient(sw(A), sw(B), sw(C)), A, B, C);
        DMatrixRMaj Ci = uniform(r, n, n, -0.1, 0.1);
        var invert = new DslForms_Invert();
        verify(invert, () -> DslForms.invert(sm(A), sm(Ci)), () -> invert.value(A, Ci), () -> invert.gradient(sw(A), sw(Ci)),
                A, Ci);
        var mult = new DslForms_MultChain();
        DMatrixRMaj D = uniform(r, k, n);
        verify(mult, () -> DslForms.multChain(sm(A), sm(B), sm(D)), () -> mult.value(A, B, D),
                () -> mult.gradient(sw(A), sw(B), sw(D)), A, B, D);
        var logDet = new DslForms_OpsLogDet();
        verify(logDet, () -> DslForms.opsLogDet(sm(B), 0.5), () -> logDet.value(B, 0.5), () -> logDet.gradient(sw(B), 0.5),
                B, 0.5);
    }

    @Seeds
    void compoundSelf(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r));
        double s = scalar(r, -1, 1);
        var f = new Combos_CompoundSelf();
        verify(f, () -> Combos.compoundSelf(sm(A), s), () -> f.value(A, s), () -> f.gradient(sw(A), s), A, s);
    }

    @Seeds
    void selfProductReassignment(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj W = uniform(r, n, n), C = uniform(r, n, n);
        var f = new Combos_SelfProductReassignment();
        verify(f, () -> Combos.selfProductReassignment(sm(W), sm(C)), () -> f.value(W, C), () -> f.gradient(sw(W), sw(C)),
                W, C);
    }

    @Seeds
    void customNamed(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r));
        double s = scalar(r, -2, 2);
        var f = new CustomNamedLoss();
        verify(f, () -> Combos.customNamed(sm(A), s), () -> f.value(A, s), () -> f.gradient(sw(A), s), A, s);
    }

    @Seeds
    void nestedClass(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r), k = dim(r);
        DMatrixRMaj A = uniform(r, m, n), B = uniform(r, k, n);
        var f = new Combos_Inner_NestedLoss();
        verify(f, () -> Combos.Inner.nestedLoss(sm(A), sm(B)), () -> f.value(A, B), () -> f.gradient(sw(A), sw(B)), A, B);
    }

    @Seeds
    void fullyQualifiedNames(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj A = uniform(r, n, n);
        double s = scalar(r, -2, 2);
        var f = new QualifiedNames_FullyQualified();
        verify(f, () -> QualifiedNames.fullyQualified(sm(A), s), () -> f.value(A, s), () -> f.gradient(sw(A), s), A, s);
    }

    @Test
    void namesOfNamedAndNestedFunctions() {
        DifferentiableFunction named = new CustomNamedLoss();
        assertEquals("dev.adjoint.it.Combos.customNamed", named.name());
        DifferentiableFunction nested = new Combos_Inner_NestedLoss();
        assertEquals("dev.adjoint.it.Combos.Inner.nestedLoss", nested.name());
    }
}
