package dev.adjoint.processor.ir;

/**
 * Where a node came from in the user's source: the DSL expression text and its line. Generated
 * code quotes it in comments and in run-time error messages.
 *
 * @param text the expression as written (javac's rendering of the tree)
 * @param file the source file's simple name, e.g. {@code Losses.java}
 * @param line 1-based line, or 0 when unknown
 */
public record Origin(String text, String file, long line) implements java.io.Serializable {
    public static final Origin NONE = new Origin("", "", 0);

    /** {@code W.mult(x) at Losses.java:12}, for run-time messages. */
    public String describe() {
        return line > 0 ? text + " at " + file + ":" + line : text;
    }
}
