package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.processor.ad.ForwardMode;
import dev.adjoint.processor.ir.Builder;
import dev.adjoint.processor.ir.Program;
import dev.adjoint.processor.ir.ValueType;
import dev.adjoint.processor.ops.LinearAlgebra;
import dev.adjoint.processor.ops.Leaves;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code @Differentiable(order = 2)}: the generated second-order surface and forward mode's bookkeeping. */
class SecondOrderTest {

    static final String LEAST_SQUARES = """
            package demo;

            import dev.adjoint.Differentiable;
            import org.ejml.simple.SimpleMatrix;
            import static dev.adjoint.runtime.Ops.*;

            public final class Fits {
                @Differentiable(wrt = "x", order = 2)
                static double leastSquares(SimpleMatrix A, SimpleMatrix x, SimpleMatrix b) {
                    return 0.5 * sumSquares(A.mult(x).minus(b));
                }

                @Differentiable(wrt = {"x", "lambda"}, order = 2)
                static double ridge(SimpleMatrix A, SimpleMatrix x, SimpleMatrix b, double lambda) {
                    return 0.5 * sumSquares(A.mult(x).minus(b)) + 0.5 * lambda * sumSquares(x);
                }

                @Differentiable(wrt = "x")
                static double firstOrder(SimpleMatrix A, SimpleMatrix x) {
                    return sumSquares(A.mult(x));
                }
            }
            """;

    @Test
    void leastSquaresDocumentsItsHessianVectorProductAsAtA() {
        Compilation.Result result = Compilation.compile(LEAST_SQUARES);
        assertTrue(result.errors().isEmpty(), () -> result.errors().toString());
        String source = result.generatedSource("demo/Fits_LeastSquares.java");
        // ½‖Ax − b‖²: H·d = AᵀA·d (the example), in the class Javadoc and on the accessor.
        assertTrue(source.contains("(H·d)_x = Aᵀ·A·dX"), source);
        assertTrue(source.contains("public double hessianVectorProduct(DMatrixRMaj A, DMatrixRMaj x, DMatrixRMaj b,"), source);
        assertTrue(source.contains("DMatrixRMaj dX)"), source);
        assertTrue(source.contains("public DMatrixRMaj hvpX()"), source);
        assertTrue(source.contains("public DMatrixRMaj hessian(DMatrixRMaj A, DMatrixRMaj x, DMatrixRMaj b)"), source);
        assertTrue(source.contains("public int order()"), source);
        assertTrue(source.contains("Kernels.checkDirection(dX, x, \"dX\", \"x\""), source);
    }

    @Test
    void aDoubleParameterGetsADoubleDirectionAndAccessor() {
        Compilation.Result result = Compilation.compile(LEAST_SQUARES);
        String source = result.generatedSource("demo/Fits_Ridge.java");
        assertTrue(source.contains("DMatrixRMaj dX, double dLambda)"), source);
        assertTrue(source.contains("public double hvpLambda()"), source);
        // H·d for λ = ⟨x, dX⟩ (from ½λ‖x‖²): the cross term, no second derivative in λ itself.
        assertTrue(source.contains("(H·d)_lambda = ⟨x, dX⟩"), source);
    }

    @Test
    void firstOrderClassesAreUnchanged() {
        Compilation.Result result = Compilation.compile(LEAST_SQUARES);
        String source = result.generatedSource("demo/Fits_FirstOrder.java");
        assertFalse(source.contains("hessianVectorProduct"), source);
        assertFalse(source.contains("hessian("), source);
    }

    @Test
    void forwardModeReportsOpsWithoutARule() {
        // The Cholesky quadratic form is formed for value() only and has no forward-mode rule.
        Builder b = new Builder();
        int a = b.apply(new Leaves.Param(0, "A", ValueType.MATRIX));
        int x = b.apply(new Leaves.Param(1, "x", ValueType.MATRIX));
        int q = b.apply(new LinearAlgebra.SpdQuadraticForm(), a, x);
        Program program = new Program(b.build(), List.of(a, x), List.of("x"), q, Map.of(), Map.of());
        ForwardMode.Result result = ForwardMode.hessianVectorProducts(program, Set.of("A", "x"));
        assertEquals(1, result.unsupported().size());
        assertTrue(result.unsupported().get(0).op() instanceof LinearAlgebra.SpdQuadraticForm);
    }

    @Test
    void directionNamesAvoidParameters() {
        Builder b = new Builder();
        int x = b.apply(new Leaves.Param(0, "x", ValueType.MATRIX));
        b.apply(new Leaves.Param(1, "dX", ValueType.MATRIX));
        int s = b.apply(new dev.adjoint.processor.ops.Reductions.SumSquares(), x);
        Program program = new Program(b.build(), List.of(0, 1), List.of("x"), s, Map.of(), Map.of());
        Program second = ForwardMode.hessianVectorProducts(program, Set.of("x", "dX")).program();
        Leaves.Direction d = (Leaves.Direction) second.graph().node(second.directions().get(0)).op();
        assertEquals("dX_", d.name());
        assertEquals("x", d.parameter());
    }
}
