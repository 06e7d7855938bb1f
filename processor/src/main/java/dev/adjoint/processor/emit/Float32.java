package dev.adjoint.processor.emit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The float32 backend: a class emitted for {@code Precision.FLOAT} (its API already in
 * {@code float}, see {@link ClassEmitter.Source#float32()}) is the double class's code with every
 * matrix type and kernel class replaced by its single-precision counterpart in
 * {@code dev.adjoint.runtime.f32}, which mirror the double ones method for method (scalar
 * arguments and results stay {@code double}, and reductions accumulate in double). So the two
 * classes compute the same program with the same statements, and one emitter serves both.
 */
public final class Float32 {
    private Float32() {}

    /** Double-precision class → its float32 counterpart, fully qualified. */
    static final Map<String, String> COUNTERPARTS = new LinkedHashMap<>();

    static {
        COUNTERPARTS.put("org.ejml.data.DMatrixRMaj", "org.ejml.data.FMatrixRMaj");
        COUNTERPARTS.put("org.ejml.dense.row.CommonOps_DDRM", "dev.adjoint.runtime.f32.CommonOpsF32");
        COUNTERPARTS.put("org.ejml.dense.row.NormOps_DDRM", "dev.adjoint.runtime.f32.NormOpsF32");
        COUNTERPARTS.put("dev.adjoint.runtime.Kernels", "dev.adjoint.runtime.f32.KernelsF32");
        COUNTERPARTS.put("dev.adjoint.runtime.Products", "dev.adjoint.runtime.f32.ProductsF32");
        COUNTERPARTS.put("dev.adjoint.runtime.SpdFactorization", "dev.adjoint.runtime.f32.SpdFactorizationF32");
        COUNTERPARTS.put("dev.adjoint.runtime.LuFactorization", "dev.adjoint.runtime.f32.LuFactorizationF32");
        COUNTERPARTS.put("dev.adjoint.runtime.MatrixTape", "dev.adjoint.runtime.f32.MatrixTapeF32");
    }

    /** The float32 class's source from the double-typed emission of it. */
    public static String translate(String source) {
        String out = source;
        for (Map.Entry<String, String> e : COUNTERPARTS.entrySet()) {
            String qualified = e.getKey();
            String simple = qualified.substring(qualified.lastIndexOf('.') + 1);
            String replacement = e.getValue();
            String replacementSimple = replacement.substring(replacement.lastIndexOf('.') + 1);
            // Imports and fully qualified uses first, then simple names as whole identifiers.
            out = out.replace(qualified, replacement);
            out = Pattern.compile("(?<![\\w.])" + Pattern.quote(simple) + "(?!\\w)").matcher(out)
                    .replaceAll(Matcher.quoteReplacement(replacementSimple));
        }
        return out.replace(".getDDRM()", ".getFDRM()");
    }
}
