package dev.adjoint.processor;

import com.sun.source.util.Trees;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import javax.annotation.processing.ProcessingEnvironment;

/**
 * Finds javac's {@link Trees} for a processing environment. Build tools may wrap javac's
 * environment (Gradle for incremental processors, IntelliJ's build in a proxy); like Lombok, we
 * look for the wrapped environment reflectively. Compilers without the tree API (Eclipse's) get
 * one clear message instead of a stack trace.
 */
final class JavacTrees {
    private JavacTrees() {}

    static Trees find(ProcessingEnvironment env) {
        ProcessingEnvironment current = env;
        for (int depth = 0; depth < 5 && current != null; depth++) {
            try {
                return Trees.instance(current);
            } catch (IllegalArgumentException | NoClassDefFoundError e) {
                current = unwrap(current);
            }
        }
        throw new IllegalStateException("Adjoint needs javac's tree API (com.sun.source.util.Trees) to read method bodies, "
                + "but this compiler's processing environment (" + env.getClass().getName() + ") does not provide it. "
                + "Compile with javac (Maven, Gradle or the JDK's javac); the Eclipse compiler is not supported.");
    }

    /** The environment a wrapper delegates to, or null. */
    private static ProcessingEnvironment unwrap(ProcessingEnvironment env) {
        Object target = env;
        if (Proxy.isProxyClass(env.getClass())) {
            target = Proxy.getInvocationHandler(env);
        }
        for (Class<?> c = target.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                // Gradle: a ProcessingEnvironment field "delegate"; IntelliJ: an Object field
                // "val$delegateTo" in the proxy's handler. Any field holding one will do.
                if (!f.getType().isPrimitive() && !java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                    try {
                        f.setAccessible(true);
                        Object value = f.get(target);
                        if (value instanceof ProcessingEnvironment inner && inner != env) {
                            return inner;
                        }
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        // Not accessible: try the next field.
                    }
                }
            }
        }
        return null;
    }
}
