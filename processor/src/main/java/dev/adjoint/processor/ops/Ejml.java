package dev.adjoint.processor.ops;

import com.palantir.javapoet.ClassName;

/** Classes that generated code calls. Named here once so emission rules read like EJML code. */
public final class Ejml {
    private Ejml() {}

    public static final ClassName COMMON_OPS = ClassName.get("org.ejml.dense.row", "CommonOps_DDRM");
    public static final ClassName NORM_OPS = ClassName.get("org.ejml.dense.row", "NormOps_DDRM");
    public static final ClassName MATRIX = ClassName.get("org.ejml.data", "DMatrixRMaj");
    public static final ClassName SIMPLE_MATRIX = ClassName.get("org.ejml.simple", "SimpleMatrix");
    public static final ClassName KERNELS = ClassName.get("dev.adjoint.runtime", "Kernels");
    /** Matrix products, EJML or the system BLAS by size: {@code dev.adjoint.runtime.Products}. */
    public static final ClassName PRODUCTS = ClassName.get("dev.adjoint.runtime", "Products");
    public static final ClassName SPD_FACTORIZATION = ClassName.get("dev.adjoint.runtime", "SpdFactorization");
    public static final ClassName LU_FACTORIZATION = ClassName.get("dev.adjoint.runtime", "LuFactorization");
}
