package dev.adjoint.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How build tools find the processors: {@code META-INF/services} (javac, Maven) and Gradle's
 * {@code META-INF/gradle/incremental.annotation.processors}, which must declare every processor
 * as {@code isolating} (each generated class has exactly one originating element: the method; the
 * other processor generates nothing). Read from this module's own output, which is what its jar holds.
 */
class ProcessorRegistrationTest {

    static final List<String> PROCESSORS = List.of(AdjointProcessor.class.getName(), GeneratedClaim.class.getName());

    @Test
    void servicesFileListsBothProcessorsAdjointFirst() throws IOException {
        assertEquals(PROCESSORS, lines(resource("META-INF/services/javax.annotation.processing.Processor")));
    }

    @Test
    void gradleIncrementalFileDeclaresEveryProcessorIsolating() throws IOException {
        assertEquals(PROCESSORS.stream().map(p -> p + ",isolating").toList(),
                lines(resource("META-INF/gradle/incremental.annotation.processors")));
    }

    /** The copy in this module's classes directory, not one from another jar on the test class path. */
    private static URL resource(String name) throws IOException {
        URL own = AdjointProcessor.class.getProtectionDomain().getCodeSource().getLocation();
        for (URL url : java.util.Collections.list(AdjointProcessor.class.getClassLoader().getResources(name))) {
            if (url.toString().startsWith(own.toString())) {
                return url;
            }
        }
        throw new AssertionError(name + " is not in " + own);
    }

    private static List<String> lines(URL url) throws IOException {
        assertNotNull(url);
        try (InputStream in = url.openStream()) {
            return Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
    }
}
