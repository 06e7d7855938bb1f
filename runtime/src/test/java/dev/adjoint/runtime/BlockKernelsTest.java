package dev.adjoint.runtime;

import static dev.adjoint.runtime.TestMatrices.assertClose;
import static dev.adjoint.runtime.TestMatrices.assertSame;
import static dev.adjoint.runtime.TestMatrices.dirty;
import static dev.adjoint.runtime.TestMatrices.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.ejml.data.DMatrixRMaj;
import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernels of entries, blocks, concatenation, diag, kron, extremal entries, entrywise max/min
 * and abs/sqrt/sin/cos: forward results equal EJML's {@code SimpleMatrix} methods exactly (from a
 * dirty, oversized workspace), and each backward kernel is the adjoint of its forward kernel
 * (⟨G, f(A + h·E)⟩ by central differences), inputs untouched.
 */
class BlockKernelsTest {

    private static DMatrixRMaj numericGradient(ToDoubleFunction<DMatrixRMaj> f, DMatrixRMaj x) {
        DMatrixRMaj xc = x.copy();
        DMatrixRMaj g = new DMatrixRMaj(x.numRows, x.numCols);
        for (int e = 0; e < xc.getNumElements(); e++) {
            double orig = xc.data[e];
            double h = 1e-6 * Math.max(1, Math.abs(orig));
            xc.data[e] = orig + h;
            double fp = f.applyAsDouble(xc);
            xc.data[e] = orig - h;
            double fm = f.applyAsDouble(xc);
            xc.data[e] = orig;
            g.data[e] = (fp - fm) / (2 * h);
        }
        return g;
    }

    private static DMatrixRMaj ejml(SimpleMatrix m) {
        return m.getDDRM();
    }

    private static SimpleMatrix sm(DMatrixRMaj m) {
        return SimpleMatrix.wrap(m.copy());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void forwardKernelsEqualEjml(int seed) {
        Random rnd = new Random(seed);
        int r = 1 + rnd.nextInt(5), c = 1 + rnd.nextInt(5), p = 1 + rnd.nextInt(4), q = 1 + rnd.nextInt(4);
        DMatrixRMaj a = uniform(rnd, r, c, -2, 2), b = uniform(rnd, p, q, -2, 2);
        DMatrixRMaj out = dirty();
        int r0 = rnd.nextInt(r + 1), r1 = r0 + rnd.nextInt(r - r0 + 1), c0 = rnd.nextInt(c + 1), c1 = c0 + rnd.nextInt(c - c0 + 1);
        Kernels.extract(a, r0, r1, c0, c1, out);
        assertSame(ejml(sm(a).extractMatrix(r0, r1, c0, c1)), out);
        Kernels.diag(a, out);
        assertSame(ejml(sm(a).diag()), out);
        Kernels.kron(a, b, out);
        assertSame(ejml(sm(a).kron(sm(b))), out);
        DMatrixRMaj sameRows = uniform(rnd, r, q, -1, 1), sameCols = uniform(rnd, p, c, -1, 1);
        Kernels.concatColumns(a, sameRows, out, "e");
        assertSame(ejml(sm(a).concatColumns(sm(sameRows))), out);
        Kernels.concatRows(a, sameCols, out, "e");
        assertSame(ejml(sm(a).concatRows(sm(sameCols))), out);
        DMatrixRMaj positive = uniform(rnd, r, c, 0.1, 2), exponent = uniform(rnd, r, c, -2, 2);
        Kernels.elementPower(positive, exponent, out);
        assertSame(ejml(sm(positive).elementPower(sm(exponent))), out);
        assertEquals(sm(a).elementMax(), Kernels.extremum(a, Kernels.MAX), 0.0);
        assertEquals(sm(a).elementMin(), Kernels.extremum(a, Kernels.MIN), 0.0);
        assertEquals(sm(a).elementMaxAbs(), Kernels.extremum(a, Kernels.MAX_ABS), 0.0);
        assertEquals(sm(a).elementMinAbs(), Kernels.extremum(a, Kernels.MIN_ABS), 0.0);
        assertEquals(sm(a).diag().getNumRows(), Kernels.diagRows(r, c));
        assertEquals(sm(a).diag().getNumCols(), Kernels.diagCols(r, c));
    }

    @Test
    void extremaTieToTheFirstEntryLikeEjml() {
        DMatrixRMaj a = new DMatrixRMaj(2, 3, true, 2, -2, 1, 2, -2, 0);
        assertEquals(0, Kernels.extremumIndex(a, Kernels.MAX));
        assertEquals(1, Kernels.extremumIndex(a, Kernels.MIN));
        assertEquals(0, Kernels.extremumIndex(a, Kernels.MAX_ABS));
        assertEquals(5, Kernels.extremumIndex(a, Kernels.MIN_ABS));
        DMatrixRMaj out = dirty();
        Kernels.extremumBackward(a, Kernels.MIN_ABS, 3.0, out);
        assertSame(new DMatrixRMaj(2, 3), out); // |a|′(0) = 0
        Kernels.extremumBackward(a, Kernels.MIN, 3.0, out);
        assertSame(new DMatrixRMaj(2, 3, true, 0, 3, 0, 0, 0, 0), out);
        DMatrixRMaj t = new DMatrixRMaj(2, 3, true, 1, 2, 3, 4, 5, 6);
        assertEquals(2.0, Kernels.extremumTangent(a, Kernels.MIN, t), 0.0);
        assertThrows(IllegalArgumentException.class, () -> Kernels.extremum(new DMatrixRMaj(0, 3), Kernels.MAX));
    }

    @Test
    void concatenationOfMismatchedShapesNamesTheExpression() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Kernels.concatColumns(new DMatrixRMaj(2, 1), new DMatrixRMaj(3, 1), dirty(), "A.concatColumns(B) at F.java:3"));
        assertEquals("A.concatColumns(B) at F.java:3: concatColumns needs equal row counts, got 2x1 and 3x1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Kernels.concatRows(new DMatrixRMaj(2, 1), new DMatrixRMaj(2, 2), dirty(), "x"));
        assertEquals("x: concatRows needs equal column counts, got 2x1 and 2x2", e.getMessage());
    }

    /** Each backward kernel against finite differences of ⟨G, forward(A)⟩ in A (and in the other input). */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void backwardKernelsAreAdjoints(int seed) {
        Random rnd = new Random(seed);
        int r = 1 + rnd.nextInt(5), c = 1 + rnd.nextInt(5), p = 1 + rnd.nextInt(4), q = 1 + rnd.nextInt(4);
        DMatrixRMaj a = uniform(rnd, r, c, -2, 2), b = uniform(rnd, p, q, -2, 2);
        DMatrixRMaj before = a.copy(), bBefore = b.copy();
        DMatrixRMaj out = dirty();

        // diag
        DMatrixRMaj gDiag = uniform(rnd, Kernels.diagRows(r, c), Kernels.diagCols(r, c), -1, 1);
        Kernels.diagBackward(gDiag, a, out);
        assertClose(numericGradient(x -> { DMatrixRMaj y = dirty(); Kernels.diag(x, y); return Kernels.dot(gDiag, y); }, a), out, 1e-6);

        // block
        int r0 = rnd.nextInt(r), r1 = r0 + 1 + rnd.nextInt(r - r0), c0 = rnd.nextInt(c), c1 = c0 + 1 + rnd.nextInt(c - c0);
        DMatrixRMaj gBlock = uniform(rnd, r1 - r0, c1 - c0, -1, 1);
        Kernels.insertInZeros(gBlock, a, r0, c0, out);
        assertClose(numericGradient(x -> { DMatrixRMaj y = dirty(); Kernels.extract(x, r0, r1, c0, c1, y); return Kernels.dot(gBlock, y); },
                a), out, 1e-6);

        // kron, in each factor
        DMatrixRMaj gKron = uniform(rnd, r * p, c * q, -1, 1);
        Kernels.kronBackwardLeft(gKron, b, a, out);
        assertClose(numericGradient(x -> { DMatrixRMaj y = dirty(); Kernels.kron(x, b, y); return Kernels.dot(gKron, y); }, a), out, 1e-6);
        Kernels.kronBackwardRight(gKron, a, b, out);
        assertClose(numericGradient(x -> { DMatrixRMaj y = dirty(); Kernels.kron(a, x, y); return Kernels.dot(gKron, y); }, b), out, 1e-6);

        // concatenation: the two parts of G
        DMatrixRMaj other = uniform(rnd, r, q, -1, 1);
        DMatrixRMaj gCat = uniform(rnd, r, c + q, -1, 1);
        Kernels.blockLike(gCat, 0, 0, a, out);
        assertClose(numericGradient(x -> { DMatrixRMaj y = dirty(); Kernels.concatColumns(x, other, y, ""); return Kernels.dot(gCat, y); },
                a), out, 1e-6);
        Kernels.blockLike(gCat, 0, c, other, out);
        assertClose(numericGradient(x -> { DMatrixRMaj y = dirty(); Kernels.concatColumns(a, x, y, ""); return Kernels.dot(gCat, y); },
                other), out, 1e-6);

        // entry
        int k = rnd.nextInt(r * c);
        Kernels.entryInZeros(a, k, 2.5, out);
        assertClose(numericGradient(x -> 2.5 * x.data[k], a), out, 1e-6);

        // entrywise max/min, the first operand's part
        DMatrixRMaj other2 = uniform(rnd, r, c, -2, 2), g = uniform(rnd, r, c, -1, 1);
        for (boolean max : new boolean[] {true, false}) {
            Kernels.selectFirst(a, other2, max, g, out);
            assertClose(numericGradient(x -> { DMatrixRMaj y = dirty();
                if (max) Kernels.max(x, other2, y); else Kernels.min(x, other2, y);
                return Kernels.dot(g, y); }, a), out, 1e-6);
            Kernels.selectFirst(a, 0.3, max, g, out);
            assertClose(numericGradient(x -> { DMatrixRMaj y = dirty();
                if (max) Kernels.max(x, 0.3, y); else Kernels.min(x, 0.3, y);
                return Kernels.dot(g, y); }, a), out, 1e-6);
        }

        // entrywise functions
        DMatrixRMaj away = uniform(rnd, r, c, 0.2, 2);
        Kernels.absBackward(a, g, out);
        assertClose(numericGradient(x -> { DMatrixRMaj y = dirty(); Kernels.abs(x, y); return Kernels.dot(g, y); }, a), out, 1e-6);
        DMatrixRMaj root = dirty();
        Kernels.sqrt(away, root);
        Kernels.sqrtBackwardFromOutput(root, g, out);
        assertClose(numericGradient(x -> { DMatrixRMaj y = dirty(); Kernels.sqrt(x, y); return Kernels.dot(g, y); }, away), out, 1e-6);
        Kernels.sinBackward(a, g, out);
        assertClose(numericGradient(x -> { DMatrixRMaj y = dirty(); Kernels.sin(x, y); return Kernels.dot(g, y); }, a), out, 1e-6);
        Kernels.cosBackward(a, g, out);
        assertClose(numericGradient(x -> { DMatrixRMaj y = dirty(); Kernels.cos(x, y); return Kernels.dot(g, y); }, a), out, 1e-6);

        // extremum: the backward kernel is g at the chosen entry, away from ties
        for (int kind = Kernels.MAX; kind <= Kernels.MIN_ABS; kind++) {
            int kk = kind;
            Kernels.extremumBackward(a, kind, 1.5, out);
            assertClose(numericGradient(x -> 1.5 * Kernels.extremum(x, kk), a), out, 1e-6);
        }
        assertSame(before, a);
        assertSame(bBefore, b);
    }

    @Test
    void eagerOpsMatchTheKernels() {
        DMatrixRMaj a = new DMatrixRMaj(2, 2, true, -1, 4, 0, 9), b = new DMatrixRMaj(2, 2, true, 0, 5, 0, 1);
        SimpleMatrix A = SimpleMatrix.wrap(a), B = SimpleMatrix.wrap(b);
        assertSame(new DMatrixRMaj(2, 2, true, 1, 4, 0, 9), Ops.abs(A).getDDRM());
        assertSame(new DMatrixRMaj(2, 2, true, Double.NaN, 2, 0, 3), Ops.sqrt(A).getDDRM());
        assertSame(new DMatrixRMaj(2, 2, true, 0, 5, 0, 9), Ops.max(A, B).getDDRM());
        assertSame(new DMatrixRMaj(2, 2, true, -1, 4, 0, 1), Ops.min(A, B).getDDRM());
        assertSame(new DMatrixRMaj(2, 2, true, 0.5, 4, 0.5, 9), Ops.max(A, 0.5).getDDRM());
        assertSame(new DMatrixRMaj(2, 2, true, -1, 0.5, 0, 0.5), Ops.min(A, 0.5).getDDRM());
        assertEquals(Math.sin(4), Ops.sin(A).get(0, 1), 0.0);
        assertEquals(Math.cos(9), Ops.cos(A).get(1, 1), 0.0);
        assertThrows(IllegalArgumentException.class, () -> Ops.max(A, SimpleMatrix.wrap(new DMatrixRMaj(1, 2))));
    }
}
