package dev.adjoint.sample;

import demo.Losses_Gplvm;
import demo.Losses_Mlp;
import demo.Losses_TiedAutoencoder;
import dev.adjoint.runtime.DifferentiableFunction;
import dev.adjoint.runtime.GradientChecker;
import dev.adjoint.runtime.Parameter;
import java.util.Locale;
import java.util.Random;
import org.ejml.dense.row.NormOps_DDRM;
import org.ejml.simple.SimpleMatrix;

/**
 * Runs the three SPEC losses through their generated classes on random inputs: prints each
 * value, the norm of each gradient, and the largest relative error against central finite
 * differences.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        Random random = new Random(args.length > 0 ? Long.parseLong(args[0]) : 42);
        boolean ok = true;

        SimpleMatrix w = SimpleMatrix.random_DDRM(4, 8, -1, 1, random);
        SimpleMatrix x = SimpleMatrix.random_DDRM(8, 16, -1, 1, random);
        ok &= report(new Losses_TiedAutoencoder(), w, x);

        int hidden = 6, inputs = 8, classes = 3, samples = 10;
        SimpleMatrix labels = new SimpleMatrix(classes, samples);
        for (int j = 0; j < samples; j++) {
            labels.set(random.nextInt(classes), j, 1);
        }
        ok &= report(new Losses_Mlp(),
                SimpleMatrix.random_DDRM(hidden, inputs, -0.5, 0.5, random),
                SimpleMatrix.random_DDRM(hidden, 1, -0.5, 0.5, random),
                SimpleMatrix.random_DDRM(classes, hidden, -0.5, 0.5, random),
                SimpleMatrix.random_DDRM(classes, 1, -0.5, 0.5, random),
                SimpleMatrix.random_DDRM(inputs, samples, -1, 1, random),
                labels);

        ok &= report(new Losses_Gplvm(),
                SimpleMatrix.random_DDRM(12, 2, -1, 1, random), 1.0, 2.0,
                SimpleMatrix.random_DDRM(12, 5, -1, 1, random));

        if (!ok) {
            System.err.println("A generated gradient disagreed with finite differences.");
            System.exit(1);
        }
    }

    private static boolean report(DifferentiableFunction f, Object... arguments) {
        double value = f.gradient(arguments);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-28s L = %12.6f", f.name(), value));
        for (int i = 0; i < f.parameters().size(); i++) {
            Parameter p = f.parameters().get(i);
            if (p.wrt()) {
                line.append(String.format(Locale.ROOT, "   ‖∂L/∂%s‖ = %.6f", p.name(), NormOps_DDRM.normF(f.gradientOf(i))));
            }
        }
        GradientChecker.Report check = GradientChecker.check(f, arguments);
        line.append(String.format(Locale.ROOT, "   finite-difference rel. error %.1e", check.maxRelativeError()));
        System.out.println(line);
        return check.maxRelativeError() < 1e-6;
    }
}
