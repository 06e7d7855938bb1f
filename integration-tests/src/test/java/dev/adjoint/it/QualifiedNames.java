package dev.adjoint.it;

import dev.adjoint.Differentiable;
import org.ejml.simple.SimpleMatrix;

/** Fully qualified spellings of Ops, SimpleMatrix and Math calls. */
@SuppressWarnings("deprecation") // numRows() is the SPEC's spelling
final class QualifiedNames {
    private QualifiedNames() {
    }

    @Differentiable
    static double fullyQualified(org.ejml.simple.SimpleMatrix A, double s) {
        org.ejml.simple.SimpleMatrix I = org.ejml.simple.SimpleMatrix.identity(A.numRows());
        return dev.adjoint.runtime.Ops.sumSquares(dev.adjoint.runtime.Ops.tanh(A.plus(s, I)))
                + java.lang.Math.log(s * s + 1) + java.lang.Math.PI * s;
    }
}
