package dev.adjoint.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.adjoint.runtime.Products;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The fan-out, combination, chain-order, DSL-form and allocation suites again with every matrix product on
 * the system BLAS (threshold 0), so the native path is gradient-checked against finite
 * differences like the pure-Java one. Skipped on a machine without {@code libblas.so.3}.
 */
class OnSystemBlasTest {
    private static long threshold;

    @BeforeAll
    static void everyProductNative() {
        assumeTrue(Products.nativeAvailable(), "no system BLAS (libblas.so.3) on this machine");
        threshold = Products.nativeThreshold();
        Products.setNativeThreshold(0);
    }

    @AfterAll
    static void restore() {
        if (Products.nativeAvailable()) {
            Products.setNativeThreshold(threshold);
        }
    }

    @Nested
    class FanOut extends FanOutTest {}

    @Nested
    class Combos extends CombosTest {}

    @Nested
    class ChainOrder extends ChainOrderTest {}

    @Nested
    class DslForms extends DslFormsGradientTest {}

    /** No allocation per call on the native path either (netlib's JNI path pins the arrays). */
    @Nested
    class Allocation extends AllocationTest {}
}
