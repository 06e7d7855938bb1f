package dev.adjoint.sample;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.ejml.data.DMatrixRMaj;

/**
 * The UCI handwritten digits (Alpaydin and Kaynak, 1998; CC BY 4.0): 8×8 images with pixel
 * values 0..16 and a label 0..9. The file is CSV without a header, one image per line: 64 pixel
 * values (row-major) and then the label.
 */
public final class Digits {

    /** Pixels per image. */
    public static final int PIXELS = 64;
    /** Side of an image. */
    public static final int SIDE = 8;
    /** Largest pixel value. */
    public static final int MAX_PIXEL = 16;
    /** Number of classes. */
    public static final int CLASSES = 10;
    /** The copy shipped with the sample application, on the class path. */
    public static final String RESOURCE = "digits.csv.gz";

    private final DMatrixRMaj pixels;
    private final int[] labels;

    private Digits(DMatrixRMaj pixels, int[] labels) {
        this.pixels = pixels;
        this.labels = labels;
    }

    /** The 1797 images shipped with the sample application. */
    public static Digits load() {
        InputStream in = Digits.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IllegalStateException("resource " + RESOURCE + " is missing from the class path");
        }
        try (InputStream gz = new GZIPInputStream(new BufferedInputStream(in))) {
            return read(new InputStreamReader(gz, StandardCharsets.US_ASCII), RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** Reads a file, gzip-compressed if its name ends in {@code .gz}. */
    public static Digits load(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file));
        if (file.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in);
        }
        try (Reader reader = new InputStreamReader(in, StandardCharsets.US_ASCII)) {
            return read(reader, file.toString());
        }
    }

    /**
     * Parses CSV text. Blank lines at the end are ignored; anything else that is not 64 pixel
     * values in 0..16 and a label in 0..9 is rejected.
     *
     * @param source named in error messages
     * @throws MalformedDataException naming the source, line and field of the first problem
     */
    public static Digits read(Reader reader, String source) throws IOException {
        BufferedReader lines = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        List<double[]> rows = new ArrayList<>();
        List<Integer> labelList = new ArrayList<>();
        int blankSince = 0;
        int lineNumber = 0;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            lineNumber++;
            if (line.isBlank()) {
                if (blankSince == 0) {
                    blankSince = lineNumber;
                }
                continue;
            }
            if (blankSince != 0) {
                throw new MalformedDataException(source, blankSince, "blank line in the middle of the data");
            }
            String[] fields = line.split(",", -1);
            if (fields.length != PIXELS + 1) {
                throw new MalformedDataException(source, lineNumber, "expected " + (PIXELS + 1)
                        + " comma-separated values (" + PIXELS + " pixels and a label) but found " + fields.length);
            }
            double[] row = new double[PIXELS];
            for (int j = 0; j < PIXELS; j++) {
                row[j] = integer(fields[j], 0, MAX_PIXEL, "pixel " + (j + 1), source, lineNumber);
            }
            labelList.add(integer(fields[PIXELS], 0, CLASSES - 1, "label (field " + (PIXELS + 1) + ")", source,
                    lineNumber));
            rows.add(row);
        }
        if (rows.isEmpty()) {
            throw new MalformedDataException(source, Math.max(lineNumber, 1), "no data: the file is empty");
        }
        DMatrixRMaj pixels = new DMatrixRMaj(rows.size(), PIXELS);
        int[] labels = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, pixels.data, i * PIXELS, PIXELS);
            labels[i] = labelList.get(i);
        }
        return new Digits(pixels, labels);
    }

    private static int integer(String field, int min, int max, String what, String source, int line) {
        String text = field.strip();
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new MalformedDataException(source, line, what + " is '" + field + "', not an integer");
        }
        if (value < min || value > max) {
            throw new MalformedDataException(source, line, what + " is " + value + ", outside " + min + ".." + max);
        }
        return value;
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    /** Label of image i. */
    public int label(int i) {
        return labels[i];
    }

    /** A copy of the labels. */
    public int[] labels() {
        return labels.clone();
    }

    /** Raw pixel value (0..16) of pixel j of image i. */
    public double pixel(int i, int j) {
        return pixels.data[i * PIXELS + j];
    }

    /** The first {@code n} images. */
    public Digits first(int n) {
        if (n < 1 || n > size()) {
            throw new IllegalArgumentException("asked for the first " + n + " of " + size() + " images");
        }
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return subset(idx);
    }

    /** The images at the given indices, in that order. */
    public Digits subset(int[] indices) {
        DMatrixRMaj p = new DMatrixRMaj(indices.length, PIXELS);
        int[] l = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(pixels.data, indices[k] * PIXELS, p.data, k * PIXELS, PIXELS);
            l[k] = labels[indices[k]];
        }
        return new Digits(p, l);
    }

    /** Pixels scaled to [0, 1]: an N×64 matrix, one image per row. */
    public DMatrixRMaj scaledRows() {
        DMatrixRMaj out = pixels.copy();
        for (int i = 0; i < out.getNumElements(); i++) {
            out.data[i] /= MAX_PIXEL;
        }
        return out;
    }

    /** Mean image (scaled to [0, 1]) as 64 values. */
    public double[] scaledMean() {
        double[] mean = new double[PIXELS];
        for (int i = 0; i < size(); i++) {
            for (int j = 0; j < PIXELS; j++) {
                mean[j] += pixel(i, j) / MAX_PIXEL;
            }
        }
        for (int j = 0; j < PIXELS; j++) {
            mean[j] /= size();
        }
        return mean;
    }

    /**
     * Pixels scaled to [0, 1] with {@code mean} subtracted from every image: an N×64 matrix, one
     * image per row.
     */
    public DMatrixRMaj centredRows(double[] mean) {
        DMatrixRMaj out = scaledRows();
        for (int i = 0; i < size(); i++) {
            for (int j = 0; j < PIXELS; j++) {
                out.data[i * PIXELS + j] -= mean[j];
            }
        }
        return out;
    }

    /** One-hot labels: a 10×N matrix, one column per image. */
    public DMatrixRMaj oneHotColumns() {
        DMatrixRMaj y = new DMatrixRMaj(CLASSES, size());
        for (int i = 0; i < size(); i++) {
            y.set(labels[i], i, 1);
        }
        return y;
    }

    /** A data file that is not 64 pixel values and a label per line. */
    public static final class MalformedDataException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int line;

        MalformedDataException(String source, int line, String problem) {
            super(source + ", line " + line + ": " + problem);
            this.line = line;
        }

        /** The 1-based line of the problem. */
        public int line() {
            return line;
        }
    }
}
