package dev.adjoint.processor.diag;

import java.util.Locale;

/**
 * Every diagnostic Adjoint reports carries one of these stable codes as a prefix of its message,
 * e.g. {@code [ADJ301] Ops.foo is not differentiable by Adjoint; ...}. A code never changes meaning
 * and is never reused; {@code docs/errors.md} lists each one with its cause, an example and the fix
 * (a test keeps the two lists equal).
 *
 * <p>Ranges: {@code ADJ1xx} signature, {@code ADJ2xx} the annotations ({@code wrt}, {@code name},
 * {@code @Shape}), {@code ADJ3xx} the method body (forms outside the DSL), {@code ADJ4xx} shapes,
 * {@code ADJ5xx} warnings (numerical lint, suppressible with {@code @SuppressWarnings("adjoint")}
 * on the method), {@code ADJ9xx} the environment and internal errors.
 */
public enum Code {
    // Signature.
    ADJ101(Kind.SIGNATURE, "the @Differentiable method is not static"),
    ADJ102(Kind.SIGNATURE, "the @Differentiable method returns neither double (a loss) nor SimpleMatrix (a helper)"),
    ADJ103(Kind.SIGNATURE, "a parameter is not SimpleMatrix, double or int"),
    ADJ104(Kind.SIGNATURE, "the @Differentiable method is not declared in a class, interface, enum or record"),
    ADJ105(Kind.SIGNATURE, "the method has no SimpleMatrix or double parameter to differentiate"),
    ADJ106(Kind.SIGNATURE, "the parameter types of the method could not be resolved"),

    // Annotations.
    ADJ201(Kind.ANNOTATION, "wrt names something that is not a parameter"),
    ADJ202(Kind.ANNOTATION, "wrt names an int parameter"),
    ADJ203(Kind.ANNOTATION, "wrt names a parameter twice"),
    ADJ204(Kind.ANNOTATION, "@Differentiable(name) is not a valid Java class name"),
    ADJ205(Kind.ANNOTATION, "two methods would generate the same class"),
    ADJ206(Kind.ANNOTATION, "the class to generate already exists"),
    ADJ207(Kind.ANNOTATION, "@Shape on a parameter that is not a SimpleMatrix"),
    ADJ208(Kind.ANNOTATION, "@Shape does not have exactly two entries"),
    ADJ209(Kind.ANNOTATION, "a @Shape entry is neither a symbol nor a non-negative int literal"),
    ADJ210(Kind.ANNOTATION, "@Differentiable(order) is neither 1 nor 2"),
    ADJ211(Kind.ANNOTATION, "@Derivative(of) names no static method of the rule's class with the rule's parameters"),
    ADJ212(Kind.ANNOTATION, "@Derivative(wrt) names no parameter of the function, or an int parameter"),
    ADJ213(Kind.ANNOTATION, "a @Derivative rule's parameters are not the function's parameters followed by the cotangent"),
    ADJ214(Kind.ANNOTATION, "a @Derivative rule does not return the type of its wrt parameter"),
    ADJ215(Kind.ANNOTATION, "two @Derivative rules for the same function and parameter"),
    ADJ216(Kind.ANNOTATION, "a @Derivative rule or its function is not static, or the function's types are not SimpleMatrix, double, int"),
    ADJ220(Kind.ANNOTATION, "@Differentiable(precision) is empty or names a precision twice"),

    // The body.
    ADJ301(Kind.BODY, "a call of an EJML, Ops or Math method that is not part of the DSL"),
    ADJ302(Kind.BODY, "a call of a method that is neither @Differentiable nor has a @Derivative rule"),
    ADJ303(Kind.BODY, "a loop"),
    ADJ304(Kind.BODY, "a branch (if, switch, ?:)"),
    ADJ305(Kind.BODY, "try, throw or synchronized"),
    ADJ306(Kind.BODY, "a lambda or method reference"),
    ADJ307(Kind.BODY, "a field access other than Math.PI and Math.E"),
    ADJ308(Kind.BODY, "an assignment to a parameter, a field or an array element"),
    ADJ309(Kind.BODY, "a compound assignment to a matrix, or one other than += -= *= /="),
    ADJ310(Kind.BODY, "creating an object or an array"),
    ADJ311(Kind.BODY, "a Java operator applied to a matrix"),
    ADJ312(Kind.BODY, "a cast other than (double)"),
    ADJ313(Kind.BODY, "a call whose result is discarded"),
    ADJ314(Kind.BODY, "the method does not end with one return of a double"),
    ADJ315(Kind.BODY, "the exponent of elementPower depends on a wrt parameter"),
    ADJ316(Kind.BODY, "a local without an initializer, or of a type other than SimpleMatrix, double, int"),
    ADJ317(Kind.BODY, "a value of the wrong kind (matrix, double, int) for where it is used"),
    ADJ318(Kind.BODY, "another statement or expression outside the DSL (++, --, %, blocks, arrays, float or long literals, ...)"),
    ADJ319(Kind.BODY, "a construct without a second-order rule in a method declared order = 2"),
    ADJ330(Kind.BODY, "a @Differentiable method calls itself, directly or through other helpers"),
    ADJ331(Kind.BODY, "a wrt-dependent value flows into a parameter of a user function that has no @Derivative rule"),
    ADJ332(Kind.BODY, "a call of a @Differentiable method whose own body has errors"),
    ADJ333(Kind.BODY, "a call of a @Differentiable method from a library that was not compiled with Adjoint's processor"),
    ADJ334(Kind.BODY, "a user function or rule that the generated class cannot access"),
    ADJ335(Kind.BODY, "a size read from a matrix whose shape is known only when a user function runs"),
    ADJ336(Kind.BODY, "a user function in a method that generates a float32 class"),
    ADJ340(Kind.BODY, "a for loop outside the supported form (one int variable, a condition, a constant or int step)"),
    ADJ341(Kind.BODY, "a local read where it might not have been assigned"),
    ADJ342(Kind.BODY, "a return inside a loop or a branch"),
    ADJ343(Kind.BODY, "a condition that is not a boolean over int and double values"),
    ADJ344(Kind.BODY, "a labeled break or continue, or one outside a loop"),

    // Shapes.
    ADJ401(Kind.SHAPE, "declared @Shapes prove a shape mismatch"),
    ADJ420(Kind.SHAPE, "an index, block or range that the shapes prove out of range"),

    // Warnings.
    ADJ501(Kind.WARNING, "a wrt parameter does not affect the result"),
    ADJ502(Kind.WARNING, "Math.log(A.determinant()): use Ops.logDet(A)"),
    ADJ503(Kind.WARNING, "A.invert().mult(B): use A.solve(B)"),
    ADJ504(Kind.WARNING, "Math.log(1 + Math.exp(x)): use softplus"),
    ADJ505(Kind.WARNING, "Math.log(A.elementExp().elementSum()): use Ops.logSumExp(A)"),
    ADJ506(Kind.WARNING, "Math.sqrt(Ops.sumSquares(A)): use A.normF()"),
    ADJ507(Kind.WARNING, "A.normF() squared: use Ops.sumSquares(A)"),

    // Environment and internal.
    ADJ901(Kind.ENVIRONMENT, "the compiler has no javac tree API (e.g. Eclipse's compiler)"),
    ADJ902(Kind.ENVIRONMENT, "the source of the method is not available"),
    ADJ903(Kind.ENVIRONMENT, "a file could not be written"),
    ADJ904(Kind.ENVIRONMENT, "-Aadjoint.disablePasses names an unknown pass"),
    ADJ905(Kind.ENVIRONMENT, "the IR dump requested with -Aadjoint.dumpIr (a note)"),
    ADJ906(Kind.ENVIRONMENT, "-Aadjoint.report is given without a file to write"),
    ADJ999(Kind.ENVIRONMENT, "an internal error in Adjoint");

    /** What a code is about. */
    public enum Kind {
        SIGNATURE, ANNOTATION, BODY, SHAPE, WARNING, ENVIRONMENT
    }

    /** The value of {@code @SuppressWarnings} that silences Adjoint's warnings on a method. */
    public static final String SUPPRESS = "adjoint";

    private final Kind kind;
    private final String summary;

    Code(Kind kind, String summary) {
        this.kind = kind;
        this.summary = summary;
    }

    public Kind kind() {
        return kind;
    }

    /** One line saying what the code is about (docs/errors.md has the cause, an example and the fix). */
    public String summary() {
        return summary;
    }

    /** The message as reported: {@code [ADJ301] message}. */
    public String format(String message) {
        return "[" + name() + "] " + message;
    }

    @Override
    public String toString() {
        return name().toUpperCase(Locale.ROOT);
    }
}
