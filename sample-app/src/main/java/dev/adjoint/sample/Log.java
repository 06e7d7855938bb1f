package dev.adjoint.sample;

import java.io.PrintStream;

/** Where experiments report what they do (standard output, or nowhere with {@code --quiet}). */
@FunctionalInterface
public interface Log {
    /** One line. */
    void info(String line);

    /** Discards everything. */
    Log NONE = line -> { };

    /** Prints each line to {@code out}. */
    static Log to(PrintStream out) {
        return out::println;
    }
}
