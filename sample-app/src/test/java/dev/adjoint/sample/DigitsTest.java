package dev.adjoint.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigitsTest {

    private static String row(int label, int... firstPixels) {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < Digits.PIXELS; j++) {
            sb.append(j < firstPixels.length ? firstPixels[j] : j % 17).append(',');
        }
        return sb.append(label).toString();
    }

    private static Digits.MalformedDataException malformed(String text) {
        return assertThrows(Digits.MalformedDataException.class,
                () -> Digits.read(new StringReader(text), "test.csv"));
    }

    @Test
    void loadsTheBundledData() {
        Digits d = Digits.load();
        assertEquals(1797, d.size());
        // First line of the file: 0,0,5,13,9,1,0,0,... label 0.
        assertEquals(5, d.pixel(0, 2));
        assertEquals(13, d.pixel(0, 3));
        assertEquals(0, d.label(0));
        int[] perClass = new int[Digits.CLASSES];
        for (int i = 0; i < d.size(); i++) {
            perClass[d.label(i)]++;
        }
        for (int c = 0; c < Digits.CLASSES; c++) {
            assertTrue(perClass[c] > 150, "class " + c + " has " + perClass[c] + " images");
        }
    }

    @Test
    void scalesAndCentres() {
        Digits d = Digits.load().first(50);
        DMatrixRMaj x = d.centredRows(d.scaledMean());
        for (int j = 0; j < Digits.PIXELS; j++) {
            double sum = 0;
            for (int i = 0; i < d.size(); i++) {
                sum += x.get(i, j);
            }
            assertEquals(0, sum, 1e-12, "column " + j + " is centred");
        }
        DMatrixRMaj scaled = d.scaledRows();
        assertEquals(13.0 / 16, scaled.get(0, 3), 0);
        DMatrixRMaj y = d.oneHotColumns();
        assertEquals(1, y.get(d.label(7), 7), 0);
        assertEquals(1, org.ejml.dense.row.CommonOps_DDRM.elementSum(y) / d.size(), 0);
    }

    @Test
    void readsWellFormedTextWithTrailingBlankLines() throws IOException {
        Digits d = Digits.read(new StringReader(row(3) + "\n" + row(9, 16) + "\n\n"), "ok.csv");
        assertEquals(2, d.size());
        assertEquals(9, d.label(1));
        assertEquals(16, d.pixel(1, 0));
    }

    @Test
    void rejectsAWrongNumberOfFieldsNamingTheLine() {
        String shortRow = row(1).substring(2); // drops the first field
        Digits.MalformedDataException e = malformed(row(0) + "\n" + row(1) + "\n" + shortRow + "\n" + row(2));
        assertEquals(3, e.line());
        assertEquals("test.csv, line 3: expected 65 comma-separated values (64 pixels and a label) but found 64",
                e.getMessage());
    }

    @Test
    void rejectsANonIntegerNamingLineAndField() {
        Digits.MalformedDataException e = malformed(row(0) + "\n" + row(1).replaceFirst("^0,1,", "0,x,"));
        assertEquals("test.csv, line 2: pixel 2 is 'x', not an integer", e.getMessage());
    }

    @Test
    void rejectsOutOfRangeValues() {
        assertEquals("test.csv, line 1: pixel 1 is 17, outside 0..16", malformed(row(0, 17)).getMessage());
        assertEquals("test.csv, line 2: label (field 65) is 10, outside 0..9",
                malformed(row(0) + "\n" + row(10)).getMessage());
    }

    @Test
    void rejectsABlankLineInTheMiddleAndAnEmptyFile() {
        assertEquals("test.csv, line 2: blank line in the middle of the data",
                malformed(row(0) + "\n\n" + row(1)).getMessage());
        assertEquals("test.csv, line 1: no data: the file is empty", malformed("").getMessage());
    }

    @Test
    void readsAndRejectsGzipFiles(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.csv.gz");
        Path bad = dir.resolve("bad.csv.gz");
        write(good, row(4) + "\n");
        write(bad, row(4) + "\n" + row(5) + ",7\n");
        assertEquals(4, Digits.load(good).label(0));
        Digits.MalformedDataException e = assertThrows(Digits.MalformedDataException.class, () -> Digits.load(bad));
        assertTrue(e.getMessage().startsWith(bad + ", line 2: expected 65"), e.getMessage());
    }

    private static void write(Path file, String text) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
        }
    }
}
