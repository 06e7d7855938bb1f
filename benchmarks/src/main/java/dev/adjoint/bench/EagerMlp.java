package dev.adjoint.bench;

import org.ejml.simple.SimpleMatrix;
import org.ejml.simple.SimpleOperations;

/**
 * The MLP's gradient as a user without Adjoint writes it with {@link SimpleMatrix}: the SPEC's
 * closed form typed out directly, broadcasting by multiplying with a ones vector, σ by
 * {@code elementOp}, softmax per column with the column maximum subtracted. Every operation
 * returns a new matrix.
 */
public final class EagerMlp {
    private EagerMlp() {}

    /** Loss and gradients, freshly allocated. */
    public record Result(double loss, SimpleMatrix gradW1, SimpleMatrix gradB1,
                         SimpleMatrix gradW2, SimpleMatrix gradB2) {}

    public static Result gradient(SimpleMatrix W1, SimpleMatrix b1, SimpleMatrix W2, SimpleMatrix b2,
                                  SimpleMatrix X, SimpleMatrix Y) {
        int n = X.getNumCols();
        int classes = W2.getNumRows();
        SimpleMatrix onesRow = SimpleMatrix.ones(1, n);
        SimpleMatrix onesCol = SimpleMatrix.ones(n, 1);

        SimpleMatrix z1 = W1.mult(X).plus(b1.mult(onesRow));
        SimpleMatrix s1 = z1.elementOp((SimpleOperations.ElementOpReal) (r, c, v) -> 1.0 / (1.0 + Math.exp(-v)));
        SimpleMatrix h = z1.elementMult(s1);
        SimpleMatrix z2 = W2.mult(h).plus(b2.mult(onesRow));

        // Column-wise softmax, shifted by each column's maximum.
        SimpleMatrix colMax = new SimpleMatrix(1, n);
        for (int j = 0; j < n; j++) {
            colMax.set(0, j, z2.getColumn(j).elementMax());
        }
        SimpleMatrix e = z2.minus(SimpleMatrix.ones(classes, 1).mult(colMax)).elementExp();
        SimpleMatrix colSum = SimpleMatrix.ones(1, classes).mult(e);
        SimpleMatrix p = e.elementDiv(SimpleMatrix.ones(classes, 1).mult(colSum));
        double loss = -Y.elementMult(p.elementLog()).elementSum() / n;

        SimpleMatrix delta2 = p.minus(Y).divide(n);
        SimpleMatrix gradW2 = delta2.mult(h.transpose());
        SimpleMatrix gradB2 = delta2.mult(onesCol);
        SimpleMatrix swishPrime = s1.plus(z1.elementMult(s1).elementMult(s1.negative().plus(1.0)));
        SimpleMatrix delta1 = W2.transpose().mult(delta2).elementMult(swishPrime);
        SimpleMatrix gradW1 = delta1.mult(X.transpose());
        SimpleMatrix gradB1 = delta1.mult(onesCol);
        return new Result(loss, gradW1, gradB1, gradW2, gradB2);
    }
}
