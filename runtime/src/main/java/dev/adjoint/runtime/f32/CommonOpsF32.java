package dev.adjoint.runtime.f32;

import org.ejml.UtilEjml;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.CommonOps_FDRM;

/**
 * The methods of EJML's {@link CommonOps_DDRM} that generated code calls, for generated float32
 * classes: the same names, parameter order, reshaping and exceptions, on {@link FMatrixRMaj}.
 * Unlike {@link CommonOps_FDRM}, scalar parameters are {@code double} (generated code keeps scalars
 * in double locals; each entry is computed in double and rounded once) and the scalar results
 * {@link #elementSum} and {@link #trace} are {@code double}, accumulated in double. The exponentials
 * and logarithms widen their input a chunk at a time first, for speed (see {@code Widened}).
 */
public final class CommonOpsF32 {

    private CommonOpsF32() {
    }

    /** c = a + b (c reshaped; EJML's {@code MatrixDimensionException} if a and b differ in shape). */
    public static FMatrixRMaj add(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        return CommonOps_FDRM.add(a, b, c);
    }

    /** c = a + s entrywise (c reshaped). */
    public static FMatrixRMaj add(FMatrixRMaj a, double s, FMatrixRMaj c) {
        c = UtilEjml.reshapeOrDeclare(c, a);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            c.data[i] = (float) (a.data[i] + s);
        }
        return c;
    }

    /** a = a + b. */
    public static void addEquals(FMatrixRMaj a, FMatrixRMaj b) {
        CommonOps_FDRM.addEquals(a, b);
    }

    /** a = a + beta·b. */
    public static void addEquals(FMatrixRMaj a, double beta, FMatrixRMaj b) {
        UtilEjml.checkSameShape(a, b, true);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            a.data[i] = (float) (a.data[i] + beta * b.data[i]);
        }
    }

    /** out = −a (out reshaped). */
    public static FMatrixRMaj changeSign(FMatrixRMaj a, FMatrixRMaj out) {
        return CommonOps_FDRM.changeSign(a, out);
    }

    /** out = a / s entrywise (out reshaped). */
    public static FMatrixRMaj divide(FMatrixRMaj a, double s, FMatrixRMaj out) {
        out = UtilEjml.reshapeOrDeclare(out, a);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = (float) (a.data[i] / s);
        }
        return out;
    }

    /** c = a ./ b entrywise (c reshaped). */
    public static FMatrixRMaj elementDiv(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        return CommonOps_FDRM.elementDiv(a, b, c);
    }

    /** out = e^a entrywise (out reshaped), computed in double. */
    public static FMatrixRMaj elementExp(FMatrixRMaj a, FMatrixRMaj out) {
        out = UtilEjml.reshapeOrDeclare(out, a);
        int n = a.getNumElements();
        double[] w = Widened.buffer();
        for (int start = 0; start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(a.data, start, n, w); i < count; i++) {
                out.data[start + i] = (float) Math.exp(w[i]);
            }
        }
        return out;
    }

    /** out = ln a entrywise (out reshaped), computed in double. */
    public static FMatrixRMaj elementLog(FMatrixRMaj a, FMatrixRMaj out) {
        out = UtilEjml.reshapeOrDeclare(out, a);
        int n = a.getNumElements();
        double[] w = Widened.buffer();
        for (int start = 0; start < n; start += Widened.CHUNK) {
            for (int i = 0, count = Widened.load(a.data, start, n, w); i < count; i++) {
                out.data[start + i] = (float) Math.log(w[i]);
            }
        }
        return out;
    }

    /** c = a ∘ b entrywise (c reshaped). */
    public static FMatrixRMaj elementMult(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        return CommonOps_FDRM.elementMult(a, b, c);
    }

    /** Σ a_ij, accumulated in double. */
    public static double elementSum(FMatrixRMaj a) {
        double total = 0;
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            total += a.data[i];
        }
        return total;
    }

    /** out = s·a (out reshaped). */
    public static void scale(double s, FMatrixRMaj a, FMatrixRMaj out) {
        out.reshape(a.numRows, a.numCols);
        int n = a.getNumElements();
        for (int i = 0; i < n; i++) {
            out.data[i] = (float) (s * a.data[i]);
        }
    }

    /** c = a − b (c reshaped). */
    public static FMatrixRMaj subtract(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        return CommonOps_FDRM.subtract(a, b, c);
    }

    /** a = a − b. */
    public static void subtractEquals(FMatrixRMaj a, FMatrixRMaj b) {
        CommonOps_FDRM.subtractEquals(a, b);
    }

    /** Σ a_ii over the main diagonal (square or not, as EJML), accumulated in double. */
    public static double trace(FMatrixRMaj a) {
        int n = Math.min(a.numRows, a.numCols);
        double total = 0;
        for (int i = 0, index = 0; i < n; i++, index += a.numCols + 1) {
            total += a.data[index];
        }
        return total;
    }

    /** out = aᵀ (out reshaped). */
    public static FMatrixRMaj transpose(FMatrixRMaj a, FMatrixRMaj out) {
        return CommonOps_FDRM.transpose(a, out);
    }
}
