package dev.adjoint.it;

import dev.adjoint.Derivative;

/** A deliberately wrong rule: the checker must catch it. */
final class WrongRules {
    private WrongRules() {
    }

    static double cube(double x) {
        return x * x * x;
    }

    /** Wrong: the derivative of x³ is 3x², not 2x². */
    @Derivative(of = "cube", wrt = "x")
    static double cubeX(double x, double ct) {
        return 2 * x * x * ct;
    }
}
