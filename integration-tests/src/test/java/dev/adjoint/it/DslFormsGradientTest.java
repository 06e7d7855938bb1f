package dev.adjoint.it;

import static dev.adjoint.it.TestSupport.awayFromZero;
import static dev.adjoint.it.TestSupport.dim;
import static dev.adjoint.it.TestSupport.scalar;
import static dev.adjoint.it.TestSupport.sm;
import static dev.adjoint.it.TestSupport.spd;
import static dev.adjoint.it.TestSupport.sw;
import static dev.adjoint.it.TestSupport.uniform;
import static dev.adjoint.it.TestSupport.verify;
import static dev.adjoint.it.TestSupport.wellConditioned;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.it.TestSupport.Seeds;
import dev.adjoint.runtime.DifferentiableFunction;
import dev.adjoint.runtime.GradientChecker;
import dev.adjoint.runtime.Parameter;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * Every form of SPEC section 3, compiled by the real processor: gradient-checked against finite
 * differences, value compared with the method run eagerly, arguments checked to be untouched.
 */
class DslFormsGradientTest {

    // ------------------------------------------------------------------ transpose, mult

    @Seeds
    void transposeMinus(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), B = uniform(r, n, m);
        var f = new DslForms_TransposeMinus();
        verify(f, () -> DslForms.transposeMinus(sm(A), sm(B)), () -> f.value(A, B), () -> f.gradient(sw(A), sw(B)), A, B);
    }

    @Seeds
    void transposeMult(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r), k = dim(r);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, k);
        var f = new DslForms_TransposeMult();
        verify(f, () -> DslForms.transposeMult(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void mult(long seed) {
        Random r = new Random(seed);
        int m = dim(r), k = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, k), B = uniform(r, k, n);
        var f = new DslForms_Mult();
        verify(f, () -> DslForms.mult(sm(A), sm(B)), () -> f.value(A, B), () -> f.gradient(sw(A), sw(B)), A, B);
    }

    @Seeds
    void multChain(long seed) {
        Random r = new Random(seed);
        int m = dim(r), k = dim(r), n = dim(r), p = dim(r);
        DMatrixRMaj A = uniform(r, m, k), B = uniform(r, k, n), C = uniform(r, n, p);
        var f = new DslForms_MultChain();
        verify(f, () -> DslForms.multChain(sm(A), sm(B), sm(C)), () -> f.value(A, B, C),
                () -> f.gradient(sw(A), sw(B), sw(C)), A, B, C);
    }

    // ------------------------------------------------------------------ plus / minus

    @Seeds
    void plus(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), B = uniform(r, m, n), C = uniform(r, m, n);
        var f = new DslForms_Plus();
        verify(f, () -> DslForms.plus(sm(A), sm(B), sm(C)), () -> f.value(A, B, C), () -> f.gradient(sw(A), sw(B), sw(C)),
                A, B, C);
    }

    @Seeds
    void minus(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), B = uniform(r, m, n), C = uniform(r, m, n);
        var f = new DslForms_Minus();
        verify(f, () -> DslForms.minus(sm(A), sm(B), sm(C)), () -> f.value(A, B, C), () -> f.gradient(sw(A), sw(B), sw(C)),
                A, B, C);
    }

    @Seeds
    void plusScaled(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), B = uniform(r, m, n);
        double s = scalar(r, -2, 2);
        var f = new DslForms_PlusScaled();
        verify(f, () -> DslForms.plusScaled(sm(A), s, sm(B)), () -> f.value(A, s, B), () -> f.gradient(sw(A), s, sw(B)),
                A, s, B);
    }

    @Seeds
    void plusScaledLiteral(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), B = uniform(r, m, n), C = uniform(r, m, n);
        var f = new DslForms_PlusScaledLiteral();
        verify(f, () -> DslForms.plusScaledLiteral(sm(A), sm(B), sm(C)), () -> f.value(A, B, C),
                () -> f.gradient(sw(A), sw(B), sw(C)), A, B, C);
    }

    @Seeds
    void plusScalar(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, n);
        double s = scalar(r, -2, 2);
        var f = new DslForms_PlusScalar();
        verify(f, () -> DslForms.plusScalar(sm(A), s, sm(C)), () -> f.value(A, s, C), () -> f.gradient(sw(A), s, sw(C)),
                A, s, C);
    }

    @Seeds
    void minusScalar(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, n);
        double s = scalar(r, -2, 2);
        var f = new DslForms_MinusScalar();
        verify(f, () -> DslForms.minusScalar(sm(A), s, sm(C)), () -> f.value(A, s, C), () -> f.gradient(sw(A), s, sw(C)),
                A, s, C);
    }

    @Seeds
    void plusMinusLiteral(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, n);
        var f = new DslForms_PlusMinusLiteral();
        verify(f, () -> DslForms.plusMinusLiteral(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    // ------------------------------------------------------------------ scale, divide, negative

    @Seeds
    void scale(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, n);
        double s = scalar(r, -2, 2);
        var f = new DslForms_Scale();
        verify(f, () -> DslForms.scale(sm(A), s, sm(C)), () -> f.value(A, s, C), () -> f.gradient(sw(A), s, sw(C)), A, s, C);
    }

    @Seeds
    void divide(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, n);
        double s = awayFromZero(r, 0.5, 2);
        var f = new DslForms_Divide();
        verify(f, () -> DslForms.divide(sm(A), s, sm(C)), () -> f.value(A, s, C), () -> f.gradient(sw(A), s, sw(C)), A, s, C);
    }

    @Seeds
    void negative(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, n);
        var f = new DslForms_Negative();
        verify(f, () -> DslForms.negative(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    // ------------------------------------------------------------------ Hadamard

    @Seeds
    void elementMult(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), B = uniform(r, m, n), C = uniform(r, m, n);
        var f = new DslForms_ElementMult();
        verify(f, () -> DslForms.elementMult(sm(A), sm(B), sm(C)), () -> f.value(A, B, C),
                () -> f.gradient(sw(A), sw(B), sw(C)), A, B, C);
    }

    @Seeds
    void elementDiv(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), B = awayFromZero(r, m, n, 0.5, 1.5), C = uniform(r, m, n);
        var f = new DslForms_ElementDiv();
        verify(f, () -> DslForms.elementDiv(sm(A), sm(B), sm(C)), () -> f.value(A, B, C),
                () -> f.gradient(sw(A), sw(B), sw(C)), A, B, C);
    }

    // ------------------------------------------------------------------ elementPower

    @Seeds
    void elementPowerConstant(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n, -2, 2), C = uniform(r, m, n);
        var f = new DslForms_ElementPowerConstant();
        verify(f, () -> DslForms.elementPowerConstant(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)),
                A, C);
    }

    @Seeds
    void elementPowerFractional(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n, -2, 2), C = uniform(r, m, n);
        var f = new DslForms_ElementPowerFractional();
        verify(f, () -> DslForms.elementPowerFractional(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)),
                A, C);
    }

    @Seeds
    void elementPowerComputed(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n, -2, 2), C = uniform(r, m, n);
        double q = scalar(r, 0.5, 2.5);
        var f = new DslForms_ElementPowerComputed();
        verify(f, () -> DslForms.elementPowerComputed(sm(A), q, sm(C)), () -> f.value(A, q, C),
                () -> f.gradient(sw(A), q, sw(C)), A, q, C);
    }

    @Seeds
    void elementPowerIntParameter(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n, -2, 2), C = uniform(r, m, n);
        int k = 1 + r.nextInt(4);
        var f = new DslForms_ElementPowerIntParameter();
        verify(f, () -> DslForms.elementPowerIntParameter(sm(A), k, sm(C)), () -> f.value(A, k, C),
                () -> f.gradient(sw(A), k, sw(C)), A, k, C);
    }

    @Seeds
    void elementPowerScalarInBase(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n, -2, 2), C = uniform(r, m, n);
        double s = scalar(r, 0.2, 2);
        var f = new DslForms_ElementPowerScalarInBase();
        verify(f, () -> DslForms.elementPowerScalarInBase(sm(A), s, sm(C)), () -> f.value(A, s, C),
                () -> f.gradient(sw(A), s, sw(C)), A, s, C);
    }

    // ------------------------------------------------------------------ exp, log

    @Seeds
    void elementExp(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, n);
        var f = new DslForms_ElementExp();
        verify(f, () -> DslForms.elementExp(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void elementLog(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n, -2, 2), C = uniform(r, m, n);
        var f = new DslForms_ElementLog();
        verify(f, () -> DslForms.elementLog(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void elementLogPositive(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj P = uniform(r, m, n, 0.5, 2), C = uniform(r, m, n);
        var f = new DslForms_ElementLogPositive();
        verify(f, () -> DslForms.elementLogPositive(sm(P), sm(C)), () -> f.value(P, C), () -> f.gradient(sw(P), sw(C)), P, C);
    }

    // ------------------------------------------------------------------ reductions

    @Seeds
    void elementSum(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, n);
        var f = new DslForms_ElementSum();
        verify(f, () -> DslForms.elementSum(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void trace(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj A = uniform(r, n, n), B = uniform(r, n, n);
        var f = new DslForms_Trace();
        verify(f, () -> DslForms.trace(sm(A), sm(B)), () -> f.value(A, B), () -> f.gradient(sw(A), sw(B)), A, B);
    }

    @Seeds
    void normF(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, n);
        var f = new DslForms_NormF();
        verify(f, () -> DslForms.normF(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void dotColumns(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), x = uniform(r, n, 1), y = uniform(r, m, 1);
        var f = new DslForms_DotColumns();
        verify(f, () -> DslForms.dotColumns(sm(A), sm(x), sm(y)), () -> f.value(A, x, y),
                () -> f.gradient(sw(A), sw(x), sw(y)), A, x, y);
    }

    @Seeds
    void dotRows(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj u = uniform(r, 1, n), v = uniform(r, 1, n);
        var f = new DslForms_DotRows();
        verify(f, () -> DslForms.dotRows(sm(u), sm(v)), () -> f.value(u, v), () -> f.gradient(sw(u), sw(v)), u, v);
    }

    @Seeds
    void dotRowColumn(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj u = uniform(r, 1, n), v = uniform(r, n, 1);
        var f = new DslForms_DotRowColumn();
        verify(f, () -> DslForms.dotRowColumn(sm(u), sm(v)), () -> f.value(u, v), () -> f.gradient(sw(u), sw(v)), u, v);
    }

    // ------------------------------------------------------------------ det, invert, solve

    @Seeds
    void determinant(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj A = wellConditioned(r, n);
        var f = new DslForms_Determinant();
        verify(f, () -> DslForms.determinant(sm(A)), () -> f.value(A), () -> f.gradient(sw(A)), A);
    }

    /** 6..8: EJML switches from minor expansion to LU above 6. */
    @Seeds
    void determinantLarge(long seed) {
        Random r = new Random(seed);
        int n = 6 + r.nextInt(3);
        DMatrixRMaj A = wellConditioned(r, n);
        var f = new DslForms_Determinant();
        verify(f, () -> DslForms.determinant(sm(A)), () -> f.value(A), () -> f.gradient(sw(A)), A);
    }

    @Seeds
    void determinantOfProduct(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj A = wellConditioned(r, n), B = wellConditioned(r, n);
        var f = new DslForms_DeterminantOfProduct();
        verify(f, () -> DslForms.determinantOfProduct(sm(A), sm(B)), () -> f.value(A, B), () -> f.gradient(sw(A), sw(B)),
                A, B);
    }

    @Seeds
    void invert(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj A = wellConditioned(r, n), C = uniform(r, n, n, -0.3, 0.3);
        var f = new DslForms_Invert();
        verify(f, () -> DslForms.invert(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void invertTrace(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj A = wellConditioned(r, n), B = uniform(r, n, n);
        var f = new DslForms_InvertTrace();
        verify(f, () -> DslForms.invertTrace(sm(A), sm(B)), () -> f.value(A, B), () -> f.gradient(sw(A), sw(B)), A, B);
    }

    @Seeds
    void solve(long seed) {
        Random r = new Random(seed);
        int n = dim(r), k = dim(r);
        DMatrixRMaj A = wellConditioned(r, n), B = uniform(r, n, k), C = uniform(r, n, k, -0.3, 0.3);
        var f = new DslForms_Solve();
        verify(f, () -> DslForms.solve(sm(A), sm(B), sm(C)), () -> f.value(A, B, C), () -> f.gradient(sw(A), sw(B), sw(C)),
                A, B, C);
    }

    // ------------------------------------------------------------------ shapes and constants

    @Seeds
    void shapeQueries(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n);
        double s = scalar(r, -2, 2);
        var f = new DslForms_ShapeQueries();
        verify(f, () -> DslForms.shapeQueries(sm(A), s), () -> f.value(A, s), () -> f.gradient(sw(A), s), A, s);
    }

    @Seeds
    void identity(long seed) {
        Random r = new Random(seed);
        int n = dim(r), k = dim(r);
        DMatrixRMaj A = uniform(r, n, n), B = uniform(r, n, k);
        var f = new DslForms_Identity();
        verify(f, () -> DslForms.identity(sm(A), sm(B)), () -> f.value(A, B), () -> f.gradient(sw(A), sw(B)), A, B);
    }

    @Seeds
    void identityIntParameter(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj A = uniform(r, n, n), C = uniform(r, n, n);
        var f = new DslForms_IdentityIntParameter();
        verify(f, () -> DslForms.identityIntParameter(sm(A), n, sm(C)), () -> f.value(A, n, C),
                () -> f.gradient(sw(A), n, sw(C)), A, n, C);
    }

    @Seeds
    void ones(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, 2);
        var f = new DslForms_Ones();
        verify(f, () -> DslForms.ones(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void filled(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, n);
        double v = scalar(r, -2, 2);
        var f = new DslForms_Filled();
        verify(f, () -> DslForms.filled(sm(A), v, sm(C)), () -> f.value(A, v, C), () -> f.gradient(sw(A), v, sw(C)), A, v, C);
    }

    // ------------------------------------------------------------------ Ops entrywise

    @Seeds
    void opsSigmoid(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n, -3, 3), C = uniform(r, m, n);
        var f = new DslForms_OpsSigmoid();
        verify(f, () -> DslForms.opsSigmoid(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void opsTanh(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n, -3, 3), C = uniform(r, m, n);
        var f = new DslForms_OpsTanh();
        verify(f, () -> DslForms.opsTanh(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void opsRelu(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = awayFromZero(r, m, n, 0.1, 2), C = uniform(r, m, n);
        var f = new DslForms_OpsRelu();
        verify(f, () -> DslForms.opsRelu(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void opsSwish(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n, -3, 3), C = uniform(r, m, n);
        var f = new DslForms_OpsSwish();
        verify(f, () -> DslForms.opsSwish(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void opsSoftplus(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n, -3, 3), C = uniform(r, m, n);
        var f = new DslForms_OpsSoftplus();
        verify(f, () -> DslForms.opsSoftplus(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    /** Entries of magnitude ~800: exp would overflow, the stable forms must not. */
    @Seeds
    void opsSoftplusAndSigmoidStableAtLargeInputs(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = awayFromZero(r, m, n, 750, 850), C = uniform(r, m, n);
        var f = new DslForms_OpsSoftplus();
        verify(f, () -> DslForms.opsSoftplus(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
        var g = new DslForms_OpsSigmoid();
        verify(g, () -> DslForms.opsSigmoid(sm(A), sm(C)), () -> g.value(A, C), () -> g.gradient(sw(A), sw(C)), A, C);
    }

    // ------------------------------------------------------------------ Ops reductions

    @Seeds
    void opsSumSquares(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r));
        var f = new DslForms_OpsSumSquares();
        verify(f, () -> DslForms.opsSumSquares(sm(A)), () -> f.value(A), () -> f.gradient(sw(A)), A);
    }

    @Seeds
    void opsMean(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), C = uniform(r, m, n);
        var f = new DslForms_OpsMean();
        verify(f, () -> DslForms.opsMean(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void opsLogDet(long seed) {
        Random r = new Random(seed);
        int n = dim(r), k = dim(r);
        DMatrixRMaj B = uniform(r, n, k);
        double c = scalar(r, 0.5, 2);
        var f = new DslForms_OpsLogDet();
        verify(f, () -> DslForms.opsLogDet(sm(B), c), () -> f.value(B, c), () -> f.gradient(sw(B), c), B, c);
    }

    @Seeds
    void opsLogDetWrtB(long seed) {
        Random r = new Random(seed);
        int n = dim(r), k = dim(r);
        DMatrixRMaj B = uniform(r, n, k);
        double c = scalar(r, 0.5, 2);
        var f = new DslForms_OpsLogDetWrtB();
        verify(f, () -> DslForms.opsLogDetWrtB(sm(B), c), () -> f.value(B, c), () -> f.gradient(sw(B), c), B, c);
    }

    @Seeds
    void opsLogDetDirect(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj S = spd(r, dim(r));
        var f = new DslForms_OpsLogDetDirect();
        verify(f, () -> DslForms.opsLogDetDirect(sm(S)), () -> f.value(S), () -> f.gradient(sw(S)), S);
    }

    /** logDet is defined on the symmetric part (A + Aᵀ)/2, so a non-symmetric argument works. */
    @Seeds
    void opsLogDetNonSymmetricArgument(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj S = spd(r, n);
        DMatrixRMaj skew = uniform(r, n, n, -0.3, 0.3);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                S.add(i, j, skew.get(i, j) - skew.get(j, i));
            }
        }
        var f = new DslForms_OpsLogDetDirect();
        verify(f, () -> DslForms.opsLogDetDirect(sm(S)), () -> f.value(S), () -> f.gradient(sw(S)), S);
    }

    @Seeds
    void opsRowSums(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), v = uniform(r, m, 1);
        var f = new DslForms_OpsRowSums();
        verify(f, () -> DslForms.opsRowSums(sm(A), sm(v)), () -> f.value(A, v), () -> f.gradient(sw(A), sw(v)), A, v);
    }

    @Seeds
    void opsColumnSums(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), u = uniform(r, 1, n);
        var f = new DslForms_OpsColumnSums();
        verify(f, () -> DslForms.opsColumnSums(sm(A), sm(u)), () -> f.value(A, u), () -> f.gradient(sw(A), sw(u)), A, u);
    }

    @Seeds
    void opsAddColumn(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), v = uniform(r, m, 1), C = uniform(r, m, n);
        var f = new DslForms_OpsAddColumn();
        verify(f, () -> DslForms.opsAddColumn(sm(A), sm(v), sm(C)), () -> f.value(A, v, C),
                () -> f.gradient(sw(A), sw(v), sw(C)), A, v, C);
    }

    @Seeds
    void opsAddRow(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n), u = uniform(r, 1, n), C = uniform(r, m, n);
        var f = new DslForms_OpsAddRow();
        verify(f, () -> DslForms.opsAddRow(sm(A), sm(u), sm(C)), () -> f.value(A, u, C),
                () -> f.gradient(sw(A), sw(u), sw(C)), A, u, C);
    }

    /** Y is not one-hot and its columns do not sum to 1; the gradient wrt Y is checked too. */
    @Seeds
    void opsSoftmaxCrossEntropy(long seed) {
        Random r = new Random(seed);
        int k = 1 + dim(r), n = dim(r);
        DMatrixRMaj Z = uniform(r, k, n, -2, 2), Y = uniform(r, k, n, 0, 1);
        var f = new DslForms_OpsSoftmaxCrossEntropy();
        verify(f, () -> DslForms.opsSoftmaxCrossEntropy(sm(Z), sm(Y)), () -> f.value(Z, Y), () -> f.gradient(sw(Z), sw(Y)),
                Z, Y);
    }

    /** One-hot-free, and with logits around ±1000 where an unshifted softmax overflows. */
    @Seeds
    void opsSoftmaxCrossEntropyStableAtLargeLogits(long seed) {
        Random r = new Random(seed);
        int k = 1 + dim(r), n = dim(r);
        DMatrixRMaj Z = uniform(r, k, n, -2, 2), Y = uniform(r, k, n, 0, 1);
        for (int i = 0; i < Z.getNumElements(); i++) {
            Z.data[i] += (i % 2 == 0 ? 1000 : -1000);
        }
        var f = new DslForms_OpsSoftmaxCrossEntropy();
        double expected = DslForms.opsSoftmaxCrossEntropy(sm(Z), sm(Y));
        assertTrue(Double.isFinite(expected), "eager softmaxCrossEntropy is finite: " + expected);
        TestSupport.assertRelativelyClose(expected, f.gradient(Z, Y), 1e-12, "value at large logits");
        // Relative step 1e-8 so h = 1e-5 at |z| = 1000: the default 1e-5 would give h = 0.01.
        GradientChecker.check(f, new Object[] {Z, Y}, 1e-8).assertBelow(1e-5);
    }

    @Seeds
    void opsSoftmaxCrossEntropyComposed(long seed) {
        Random r = new Random(seed);
        int k = 1 + dim(r), d = dim(r), n = dim(r);
        DMatrixRMaj W = uniform(r, k, d), X = uniform(r, d, n, -2, 2), Y = uniform(r, k, n);
        var f = new DslForms_OpsSoftmaxCrossEntropyComposed();
        verify(f, () -> DslForms.opsSoftmaxCrossEntropyComposed(sm(W), sm(X), sm(Y)), () -> f.value(W, X, Y),
                () -> f.gradient(sw(W), sw(X), sw(Y)), W, X, Y);
    }

    @Seeds
    void opsLogSumExp(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n, -2, 2), C = uniform(r, m, n);
        var f = new DslForms_OpsLogSumExp();
        verify(f, () -> DslForms.opsLogSumExp(sm(A), sm(C)), () -> f.value(A, C), () -> f.gradient(sw(A), sw(C)), A, C);
    }

    @Seeds
    void opsLogSumExpStableAtLargeInputs(long seed) {
        Random r = new Random(seed);
        int m = dim(r), n = dim(r);
        DMatrixRMaj A = uniform(r, m, n, 999, 1001), C = uniform(r, m, n, 0.5, 1);
        var f = new DslForms_OpsLogSumExp();
        double expected = DslForms.opsLogSumExp(sm(A), sm(C));
        assertTrue(Double.isFinite(expected), "eager logSumExp is finite: " + expected);
        TestSupport.assertRelativelyClose(expected, f.gradient(A, C), 1e-12, "value at large inputs");
        GradientChecker.check(f, new Object[] {A, C}, 1e-8).assertBelow(1e-5);
    }

    // ------------------------------------------------------------------ scalar arithmetic

    @Seeds
    void scalarArithmetic(long seed) {
        Random r = new Random(seed);
        double a = scalar(r, -2, 2), b = awayFromZero(r, 0.5, 2), c = scalar(r, -2, 2);
        var f = new DslForms_ScalarArithmetic();
        verify(f, () -> DslForms.scalarArithmetic(a, b, c), () -> f.value(a, b, c), () -> f.gradient(a, b, c), a, b, c);
    }

    @Seeds
    void scalarOnMatrix(long seed) {
        Random r = new Random(seed);
        int n = dim(r);
        DMatrixRMaj A = uniform(r, n, n);
        double s = scalar(r, -2, 2);
        var f = new DslForms_ScalarOnMatrix();
        verify(f, () -> DslForms.scalarOnMatrix(sm(A), s), () -> f.value(A, s), () -> f.gradient(sw(A), s), A, s);
    }

    @Seeds
    void casts(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r));
        double s = scalar(r, -2, 2);
        var f = new DslForms_Casts();
        verify(f, () -> DslForms.casts(sm(A), s), () -> f.value(A, s), () -> f.gradient(sw(A), s), A, s);
    }

    // ------------------------------------------------------------------ Math functions and constants

    @Seeds
    void mathLog(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r));
        double t = scalar(r, -2, 2);
        var f = new DslForms_MathLog();
        verify(f, () -> DslForms.mathLog(sm(A), t), () -> f.value(A, t), () -> f.gradient(sw(A), t), A, t);
    }

    @Seeds
    void mathExp(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r));
        double t = scalar(r, -2, 2);
        var f = new DslForms_MathExp();
        verify(f, () -> DslForms.mathExp(sm(A), t), () -> f.value(A, t), () -> f.gradient(sw(A), t), A, t);
    }

    @Seeds
    void mathSqrt(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r));
        double t = scalar(r, -2, 2);
        var f = new DslForms_MathSqrt();
        verify(f, () -> DslForms.mathSqrt(sm(A), t), () -> f.value(A, t), () -> f.gradient(sw(A), t), A, t);
    }

    @Seeds
    void mathPowConstant(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r));
        double t = scalar(r, -2, 2);
        var f = new DslForms_MathPowConstant();
        verify(f, () -> DslForms.mathPowConstant(sm(A), t), () -> f.value(A, t), () -> f.gradient(sw(A), t), A, t);
    }

    @Seeds
    void mathPowVariable(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r));
        double t = scalar(r, 0.5, 2), u = scalar(r, -1.5, 1.5);
        var f = new DslForms_MathPowVariable();
        verify(f, () -> DslForms.mathPowVariable(sm(A), t, u), () -> f.value(A, t, u), () -> f.gradient(sw(A), t, u),
                A, t, u);
    }

    @Seeds
    void mathTanh(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r), -0.5, 0.5);
        double t = scalar(r, -1, 1);
        var f = new DslForms_MathTanh();
        verify(f, () -> DslForms.mathTanh(sm(A), t), () -> f.value(A, t), () -> f.gradient(sw(A), t), A, t);
    }

    @Seeds
    void mathConstants(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r));
        double t = scalar(r, -2, 2);
        var f = new DslForms_MathConstants();
        verify(f, () -> DslForms.mathConstants(sm(A), t), () -> f.value(A, t), () -> f.gradient(sw(A), t), A, t);
    }

    // ------------------------------------------------------------------ locals

    @Seeds
    void compoundAssignments(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r));
        double s = scalar(r, -2, 2);
        var f = new DslForms_CompoundAssignments();
        verify(f, () -> DslForms.compoundAssignments(sm(A), s), () -> f.value(A, s), () -> f.gradient(sw(A), s), A, s);
    }

    @Seeds
    void varLocals(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r));
        double s = scalar(r, -2, 2);
        var f = new DslForms_VarLocals();
        verify(f, () -> DslForms.varLocals(sm(A), s), () -> f.value(A, s), () -> f.gradient(sw(A), s), A, s);
    }

    @Seeds
    void intLocals(long seed) {
        Random r = new Random(seed);
        DMatrixRMaj A = uniform(r, dim(r), dim(r));
        double s = scalar(r, -2, 2);
        var f = new DslForms_IntLocals();
        verify(f, () -> DslForms.intLocals(sm(A), s), () -> f.value(A, s), () -> f.gradient(sw(A), s), A, s);
    }

    // ------------------------------------------------------------------ the generated API itself

    @Test
    void interfaceDescribesParameters() {
        DifferentiableFunction f = new DslForms_ElementPowerComputed();
        assertEquals("dev.adjoint.it.DslForms.elementPowerComputed", f.name());
        assertEquals(List.of(new Parameter("A", Parameter.Kind.MATRIX, true),
                        new Parameter("q", Parameter.Kind.SCALAR, false),
                        new Parameter("C", Parameter.Kind.MATRIX, true)),
                f.parameters());
        DifferentiableFunction g = new DslForms_ElementPowerIntParameter();
        assertEquals(List.of(new Parameter("A", Parameter.Kind.MATRIX, true),
                        new Parameter("k", Parameter.Kind.INTEGER, false),
                        new Parameter("C", Parameter.Kind.MATRIX, true)),
                g.parameters());
        DifferentiableFunction h = new DslForms_PlusScaled();
        assertEquals(List.of(new Parameter("A", Parameter.Kind.MATRIX, true),
                        new Parameter("s", Parameter.Kind.SCALAR, true),
                        new Parameter("B", Parameter.Kind.MATRIX, true)),
                h.parameters());
    }

    @Test
    void gradientOfRejectsNonWrtParameters() {
        Random r = new Random(7);
        DMatrixRMaj A = uniform(r, 2, 3), C = uniform(r, 2, 3);
        var f = new DslForms_ElementPowerComputed();
        f.gradient(A, 1.5, C);
        assertThrows(IllegalArgumentException.class, () -> f.gradientOf(1));
        assertThrows(IllegalArgumentException.class, () -> f.gradientOf("q"));
        assertThrows(IllegalArgumentException.class, () -> f.gradientOf("nope"));
    }

    /** Typed accessors agree with gradientOf, are owned by the instance and overwritten by the next call. */
    @Test
    void typedAccessorsMatchGradientOfAndAreReused() {
        Random r = new Random(11);
        DMatrixRMaj A = uniform(r, 3, 2), C = uniform(r, 3, 2);
        var f = new DslForms_Scale();
        f.gradient(A, 0.7, C);
        DMatrixRMaj gA = f.gradA();
        double[] first = Arrays.copyOf(gA.data, gA.getNumElements());
        assertArrayEquals(first, Arrays.copyOf(f.gradientOf(0).data, 6), 0.0);
        assertEquals(f.gradS(), f.gradientOf("s").get(0, 0), 0.0);
        assertArrayEquals(Arrays.copyOf(f.gradC().data, 6), Arrays.copyOf(f.gradientOf("C").data, 6), 0.0);

        f.gradient(A, -1.3, C);
        assertSame(gA, f.gradA(), "gradA() is owned by the instance");
        assertFalse(Arrays.equals(first, Arrays.copyOf(f.gradA().data, 6)), "gradA() is overwritten by the next call");
        // d/dA ‖sA − C‖² = 2s(sA − C)
        DMatrixRMaj expected = new DMatrixRMaj(3, 2);
        for (int i = 0; i < 6; i++) {
            expected.data[i] = 2 * -1.3 * (-1.3 * A.data[i] - C.data[i]);
        }
        TestSupport.assertMatrixClose(expected, f.gradA(), 1e-14, "closed form of d/dA ‖sA − C‖²");
    }

    /** The Object... overloads take SimpleMatrix for matrices and any Number for doubles and ints. */
    @Test
    void objectArgumentsAcceptSimpleMatrixAndAnyNumber() {
        Random r = new Random(17);
        DMatrixRMaj A = uniform(r, 3, 4), C = uniform(r, 3, 4);
        var f = new DslForms_ElementPowerScalarInBase();
        double expected = f.gradient(A, 2.0, C);
        DMatrixRMaj gA = f.gradA().copy();
        double gS = f.gradS();
        assertEquals(expected, f.value(new Object[] {sw(A), 2, sw(C)}), 0.0);
        assertEquals(expected, f.gradient(sw(A), 2.0f, C), 0.0);
        assertArrayEquals(gA.data, Arrays.copyOf(f.gradA().data, gA.data.length), 0.0);
        assertEquals(gS, f.gradientOf("s").get(0, 0), 0.0);
        var g = new DslForms_ElementPowerIntParameter();
        assertEquals(g.value(A, 3, C), g.value(A, Long.valueOf(3), C), 0.0);
        assertThrows(IllegalArgumentException.class, () -> g.value(A, 2.5, C), "2.5 is not an int");
        assertThrows(IllegalArgumentException.class, () -> g.value(A, 3), "wrong argument count");
        assertThrows(IllegalArgumentException.class, () -> g.value(A, "3", C), "a String is not a number");
    }

    /** One instance reused across changing shapes gives the same results as fresh instances. */
    @Test
    void instanceReusedAcrossShapes() {
        Random r = new Random(13);
        var reused = new DslForms_Solve();
        for (int trial = 0; trial < 6; trial++) {
            int n = dim(r), k = dim(r);
            DMatrixRMaj A = wellConditioned(r, n), B = uniform(r, n, k), C = uniform(r, n, k);
            var fresh = new DslForms_Solve();
            assertEquals(fresh.gradient(A, B, C), reused.gradient(A, B, C), 0.0);
            assertArrayEquals(Arrays.copyOf(fresh.gradA().data, n * n), Arrays.copyOf(reused.gradA().data, n * n), 0.0);
            assertArrayEquals(Arrays.copyOf(fresh.gradB().data, n * k), Arrays.copyOf(reused.gradB().data, n * k), 0.0);
            assertEquals(n + "x" + n, reused.gradA().numRows + "x" + reused.gradA().numCols);
            assertEquals(n + "x" + k, reused.gradB().numRows + "x" + reused.gradB().numCols);
        }
    }
}
