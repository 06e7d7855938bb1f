package dev.adjoint.runtime.f32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.runtime.Kernels;
import dev.adjoint.runtime.LuFactorization;
import dev.adjoint.runtime.Products;
import dev.adjoint.runtime.SpdFactorization;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.junit.jupiter.api.Test;

/**
 * The float32 classes are the double ones with DMatrixRMaj replaced by FMatrixRMaj and nothing else
 * changed (names, parameter order, scalar and other types, static-ness): generated float32 code is
 * the double code with the class names substituted, so a missing or reshaped method would only show
 * up as a compile error in a user's build.
 */
class ApiMirrorTest {

    private static Class<?> toFloat(Class<?> type) {
        return type == DMatrixRMaj.class ? FMatrixRMaj.class : type;
    }

    /** Every public method of {@code dbl} exists in {@code flt} with mapped parameters and the same result type. */
    private static void assertMirrors(Class<?> dbl, Class<?> flt) {
        List<String> missing = new ArrayList<>();
        int count = 0;
        for (Method m : dbl.getDeclaredMethods()) {
            if (!Modifier.isPublic(m.getModifiers())) {
                continue;
            }
            count++;
            Class<?>[] params = Arrays.stream(m.getParameterTypes()).map(ApiMirrorTest::toFloat).toArray(Class<?>[]::new);
            try {
                Method f = flt.getMethod(m.getName(), params);
                assertEquals(toFloat(m.getReturnType()), f.getReturnType(), m.toString());
                assertEquals(Modifier.isStatic(m.getModifiers()), Modifier.isStatic(f.getModifiers()), m.toString());
                assertEquals(Arrays.asList(m.getExceptionTypes()), Arrays.asList(f.getExceptionTypes()), m.toString());
            } catch (NoSuchMethodException e) {
                missing.add(m.toString());
            }
        }
        assertTrue(count > 0);
        assertEquals(List.of(), missing, flt.getSimpleName() + " lacks");
        long floatPublic = Arrays.stream(flt.getDeclaredMethods()).filter(m -> Modifier.isPublic(m.getModifiers())).count();
        assertEquals(count, floatPublic, flt.getSimpleName() + " has public methods its double counterpart lacks");
    }

    @Test
    void kernels() {
        assertMirrors(Kernels.class, KernelsF32.class);
        // 56, the more forms' 32 (entries, blocks, concatenation, diag, kron, extrema, abs/sqrt/sin/cos, max/min),
        // plus capacitance (Woodbury) and broadcastColumn(v, cols, out) (affine layers); A.getColumn(j)
        // is a block, so no column kernels.
        assertEquals(90, Arrays.stream(KernelsF32.class.getDeclaredMethods()).filter(m -> Modifier.isPublic(m.getModifiers())).count());
    }

    @Test
    void loopTapes() {
        assertMirrors(dev.adjoint.runtime.MatrixTape.class, MatrixTapeF32.class);
    }

    @Test
    void products() {
        assertMirrors(Products.class, ProductsF32.class);
    }

    @Test
    void factorizations() {
        assertMirrors(SpdFactorization.class, SpdFactorizationF32.class);
        assertMirrors(LuFactorization.class, LuFactorizationF32.class);
    }

    /**
     * Each CommonOpsF32 / NormOpsF32 method has a CommonOps_DDRM / NormOps_DDRM overload of the same
     * name that accepts DMatrixRMaj where it takes FMatrixRMaj, the same scalar types elsewhere, and
     * whose result is double where ours is double (void and matrix results as EJML's).
     */
    @Test
    void ejmlFacades() {
        assertFacade(CommonOps_DDRM.class, CommonOpsF32.class, 16);
        assertFacade(NormOps_DDRM.class, NormOpsF32.class, 1);
    }

    private static void assertFacade(Class<?> ejml, Class<?> facade, int expectedCount) {
        int count = 0;
        for (Method f : facade.getDeclaredMethods()) {
            if (!Modifier.isPublic(f.getModifiers())) {
                continue;
            }
            count++;
            assertTrue(Modifier.isStatic(f.getModifiers()), f.toString());
            Method match = null;
            for (Method d : ejml.getMethods()) {
                if (d.getName().equals(f.getName()) && d.getParameterCount() == f.getParameterCount()
                        && parametersCorrespond(d.getParameterTypes(), f.getParameterTypes())) {
                    match = d;
                }
            }
            if (match == null) {
                fail(ejml.getSimpleName() + " has no overload matching " + f);
            }
            Class<?> r = f.getReturnType();
            if (r == void.class || r == double.class) {
                assertEquals(r, match.getReturnType(), f.toString());
            } else {
                assertEquals(FMatrixRMaj.class, r, f.toString());
                assertTrue(match.getReturnType().isAssignableFrom(DMatrixRMaj.class), match.toString());
            }
        }
        assertEquals(expectedCount, count, facade.getSimpleName() + " public methods");
    }

    private static boolean parametersCorrespond(Class<?>[] ejml, Class<?>[] ours) {
        for (int i = 0; i < ours.length; i++) {
            boolean ok = ours[i] == FMatrixRMaj.class ? ejml[i].isAssignableFrom(DMatrixRMaj.class) && ejml[i] != Object.class
                    : ejml[i] == ours[i];
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
