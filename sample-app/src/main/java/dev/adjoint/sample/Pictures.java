package dev.adjoint.sample;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNG files the sample application writes: charts with XChart, and the 8×8 images (filters,
 * reconstructions) as plain pixel grids. Works headless.
 */
final class Pictures {
    private Pictures() {}

    /** Tableau's ten categorical colours, one per digit. */
    private static final Color[] DIGIT_COLORS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;

    /** Writes the autoencoder's pictures; returns the files written. */
    static List<Path> autoencoder(AutoencoderExperiment.Result r, Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        double[] it = indices(r.lossHistory().length);
        double[] excess = new double[it.length];
        for (int i = 0; i < it.length; i++) {
            excess[i] = positive(r.lossHistory()[i] - r.minimumLoss(), r.minimumLoss());
        }
        XYChart chart = lineChart(String.format(Locale.ROOT,
                "Tied linear autoencoder, m = %d, %d images: loss above its analytic minimum",
                r.config().components(), r.samples()), "L-BFGS iteration", "L − L_min  (L_min = ½·Σ_{j>m} λⱼ(XXᵀ))");
        chart.getStyler().setYAxisLogarithmic(true);
        line(chart, "L − L_min", it, excess, DIGIT_COLORS[0]);
        dashed(chart, "pass threshold: 1% of L_min", it, 0.01 * r.minimumLoss(), Color.DARK_GRAY);
        files.add(save(chart, dir.resolve("autoencoder-loss.png")));

        // Filters: the rows of W as 8×8 images.
        DMatrixRMaj w = r.weights();
        List<double[]> filters = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < w.numRows; i++) {
            double[] f = new double[Digits.PIXELS];
            System.arraycopy(w.data, i * w.numCols, f, 0, Digits.PIXELS);
            filters.add(f);
            captions.add("row " + (i + 1));
        }
        files.add(writeImage(grid("Autoencoder filters: the " + w.numRows + " rows of W as 8×8 images (red +, blue −)."
                        + " They span the top principal subspace; any rotation of them has the same loss.", filters, captions, Math.min(8, w.numRows), true),
                dir.resolve("autoencoder-filters.png")));

        // Reconstructions WᵀW·x (+ mean) beside the originals.
        int count = Math.min(10, r.centred().numCols);
        DMatrixRMaj wtw = new DMatrixRMaj(Digits.PIXELS, Digits.PIXELS);
        CommonOps_DDRM.multTransA(w, w, wtw);
        List<double[]> images = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int row = 0; row < 2; row++) {
            for (int j = 0; j < count; j++) {
                double[] original = new double[Digits.PIXELS];
                for (int p = 0; p < Digits.PIXELS; p++) {
                    original[p] = r.centred().get(p, j);
                }
                double[] image = new double[Digits.PIXELS];
                for (int p = 0; p < Digits.PIXELS; p++) {
                    double v = original[p];
                    if (row == 1) {
                        v = 0;
                        for (int k = 0; k < Digits.PIXELS; k++) {
                            v += wtw.get(p, k) * original[k];
                        }
                    }
                    image[p] = v + r.mean()[p];
                }
                images.add(image);
                labels.add(row == 0 ? "digit " + r.labels()[j] : "reconstruction");
            }
        }
        files.add(writeImage(grid("Top: original images. Bottom: WᵀW·x, their reconstructions from "
                + w.numRows + " numbers each", images, labels, count, false), dir.resolve("autoencoder-reconstructions.png")));
        return files;
    }

    /** Writes the MLP's loss curves. */
    static List<Path> mlp(MlpExperiment.Result r, Path dir) throws IOException {
        double[] epochs = indices(r.trainLoss().length);
        XYChart chart = lineChart(String.format(Locale.ROOT,
                "Swish MLP, %d hidden units: softmax cross-entropy (final test accuracy %.3f)",
                r.config().hidden(), r.testAccuracy()), "epoch", "cross-entropy");
        chart.getStyler().setYAxisLogarithmic(true);
        line(chart, "training (mean minibatch loss during the epoch; epoch 0: initial)", epochs, r.trainLoss(),
                DIGIT_COLORS[0]);
        line(chart, "test (after the epoch)", epochs, r.testLoss(), DIGIT_COLORS[1]);
        return List.of(save(chart, dir.resolve("mlp-loss.png")));
    }

    /** Writes the GP-LVM's likelihood curve and latent space. */
    static List<Path> gplvm(GplvmExperiment.Result r, Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        double[] it = indices(r.likelihoodHistory().length);
        double[] gap = new double[it.length];
        for (int i = 0; i < it.length; i++) {
            gap[i] = positive(r.optimum() - r.likelihoodHistory()[i], Math.abs(r.optimum()));
        }
        XYChart chart = lineChart(String.format(Locale.ROOT,
                "Linear GP-LVM, N = %d, q = %d: log-likelihood below its closed-form maximum L* = %.2f",
                r.latent().numRows, r.config().latent(), r.optimum()), "L-BFGS iteration", "L* − L");
        chart.getStyler().setYAxisLogarithmic(true);
        line(chart, "L* − L", it, gap, DIGIT_COLORS[0]);
        dashed(chart, "pass threshold: 1e-4·|L*|", it, GplvmExperiment.RELATIVE_GAP * Math.abs(r.optimum()),
                Color.DARK_GRAY);
        files.add(save(chart, dir.resolve("gplvm-likelihood.png")));

        DMatrixRMaj x = r.latent();
        XYChart scatter = new XYChartBuilder().width(760).height(680)
                .title("GP-LVM latent space: the first " + x.numRows + " digits, coloured by label")
                .xAxisTitle("latent dimension 1").yAxisTitle(x.numCols > 1 ? "latent dimension 2" : "").build();
        scatter.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        scatter.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        scatter.getStyler().setMarkerSize(9);
        scatter.getStyler().setChartBackgroundColor(Color.WHITE);
        for (int digit = 0; digit < Digits.CLASSES; digit++) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < x.numRows; i++) {
                if (r.labels()[i] == digit) {
                    xs.add(x.get(i, 0));
                    ys.add(x.numCols > 1 ? x.get(i, 1) : 0.0);
                }
            }
            if (!xs.isEmpty()) {
                XYSeries s = scatter.addSeries("digit " + digit, xs, ys);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setMarkerColor(DIGIT_COLORS[digit]);
            }
        }
        files.add(save(scatter, dir.resolve("gplvm-latent.png")));
        return files;
    }

    // ------------------------------------------------------------------ charts

    private static XYChart lineChart(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        Styler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.InsideNE);
        styler.setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setMarkerSize(0);
        return chart;
    }

    private static void line(XYChart chart, String name, double[] x, double[] y, Color color) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineWidth(2f);
    }

    private static void dashed(XYChart chart, String name, double[] x, double level, Color color) {
        XYSeries s = chart.addSeries(name, new double[] {x[0], x[x.length - 1]}, new double[] {level, level});
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(SeriesLines.DASH_DASH);
    }

    private static Path save(XYChart chart, Path file) throws IOException {
        return writeImage(BitmapEncoder.getBufferedImage(chart), file);
    }

    // ------------------------------------------------------------------ 8×8 image grids

    /**
     * Images in a grid with a caption under each: signed values on a blue-white-red scale
     * symmetric about 0 (per image), or grey levels 0 (white) .. 1 (black).
     */
    private static BufferedImage grid(String title, List<double[]> images, List<String> captions, int columns,
                                      boolean signed) {
        int cell = 20;
        int pad = 12;
        int captionHeight = 18;
        int titleHeight = 40;
        int side = Digits.SIDE * cell;
        int rows = (images.size() + columns - 1) / columns;
        int width = pad + columns * (side + pad);
        int height = titleHeight + rows * (side + captionHeight + pad) + pad;
        BufferedImage img = new BufferedImage(Math.max(width, 640), height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, pad, 26);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics metrics = g.getFontMetrics();
        for (int k = 0; k < images.size(); k++) {
            double[] image = images.get(k);
            int x0 = pad + (k % columns) * (side + pad);
            int y0 = titleHeight + (k / columns) * (side + captionHeight + pad);
            double scale = 0;
            for (double v : image) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int p = 0; p < Digits.PIXELS; p++) {
                g.setColor(signed ? diverging(scale == 0 ? 0 : image[p] / scale) : grey(image[p]));
                g.fillRect(x0 + (p % Digits.SIDE) * cell, y0 + (p / Digits.SIDE) * cell, cell, cell);
            }
            g.setColor(Color.LIGHT_GRAY);
            g.setStroke(new BasicStroke(1f));
            g.drawRect(x0, y0, side, side);
            g.setColor(Color.BLACK);
            String caption = captions.get(k);
            g.drawString(caption, x0 + (side - metrics.stringWidth(caption)) / 2, y0 + side + 14);
        }
        g.dispose();
        return img;
    }

    /** −1 blue, 0 white, +1 red. */
    private static Color diverging(double t) {
        t = Math.max(-1, Math.min(1, t));
        int fade = (int) Math.round(255 * (1 - Math.abs(t)));
        return t >= 0 ? new Color(255, fade, fade) : new Color(fade, fade, 255);
    }

    /** 0 white, 1 black (ink on paper). */
    private static Color grey(double v) {
        int level = (int) Math.round(255 * (1 - Math.max(0, Math.min(1, v))));
        return new Color(level, level, level);
    }

    private static Path writeImage(BufferedImage image, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer available");
        }
        return file;
    }

    private static double[] indices(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        return x;
    }

    /** Values for a logarithmic axis: at least a tiny fraction of the scale (rounding can make a gap ≤ 0). */
    private static double positive(double v, double scale) {
        return Math.max(v, 1e-15 * Math.abs(scale));
    }
}
