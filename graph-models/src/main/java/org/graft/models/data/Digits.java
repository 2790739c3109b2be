package org.graft.models.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.graft.core.SourcePos;
import org.graft.core.tensor.Tensor;

/**
 * The 8x8 handwritten digits of scikit-learn ({@code load_digits}; the test part of UCI's
 * optdigits, Alpaydin and Kaynak 1998): 1,797 images by 13 writers. Graft ships the file so
 * that an example can train at once.
 *
 * <p>The file is gzipped ASCII, one image a line: 64 pixels in row-major order, each the
 * count 0..16 of ink pixels in a 4x4 block, then the label 0..9, comma-separated. The features
 * are the counts divided by 16, in [0, 1].
 */
public final class Digits {
    private Digits() {}

    public static final int IMAGES = 1797;
    /** Rows and columns of an image. */
    public static final int SIDE = 8;
    public static final int PIXELS = SIDE * SIDE;
    public static final int CLASSES = 10;
    static final int MAX_COUNT = 16;

    private static final String BUNDLED = "digits.csv.gz";

    /** The copy bundled with Graft. */
    public static Dataset load() throws IOException {
        InputStream in = Digits.class.getResourceAsStream(BUNDLED);
        if (in == null) throw new IOException(BUNDLED + " is missing from the classpath, next to " + Digits.class.getName());
        try (in) {
            return read(in, BUNDLED);
        }
    }

    /** A copy of the file, say the one in the shared data directory. */
    public static Dataset load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /**
     * Reads the gzipped file from {@code in}, naming it {@code source} in errors. Either every
     * line is well formed and there are 1,797 of them, or nothing is returned.
     */
    public static Dataset read(InputStream in, String source) throws IOException {
        var text = new BufferedReader(new InputStreamReader(Gzip.open(in, source), StandardCharsets.US_ASCII));
        double[] x = new double[IMAGES * PIXELS];
        int[] labels = new int[IMAGES];
        int line = 0;
        for (String row; (row = Gzip.readLine(text, source, line + 1)) != null; ) {
            line++;
            if (line > IMAGES) {
                throw new CorruptDataException(new SourcePos(source, line, 1),
                        "expected the end of the data after " + IMAGES + " images, found another line");
            }
            String[] fields = row.split(",", -1);
            if (fields.length != PIXELS + 1) {
                throw new CorruptDataException(new SourcePos(source, line, 1), "expected " + (PIXELS + 1)
                        + " comma-separated fields (" + PIXELS + " pixels, then the label), found " + fields.length);
            }
            int column = 1;
            for (int j = 0; j < PIXELS; j++) {
                int count = parse(fields[j], MAX_COUNT, "pixel " + j, new SourcePos(source, line, column));
                x[(line - 1) * PIXELS + j] = count / (double) MAX_COUNT;
                column += fields[j].length() + 1;
            }
            labels[line - 1] = parse(fields[PIXELS], CLASSES - 1, "label", new SourcePos(source, line, column));
        }
        if (line < IMAGES) {
            throw new CorruptDataException(new SourcePos(source, line + 1, 1),
                    "expected image " + (line + 1) + " of " + IMAGES + ", found the end of the data");
        }
        return Dataset.classification(Tensor.of(x, IMAGES, PIXELS), labels, CLASSES);
    }

    /** A decimal integer in {@code 0..max}; only digits, so {@code "+1"}, {@code " 1"} and {@code "1.0"} are refused. */
    private static int parse(String field, int max, String what, SourcePos pos) throws CorruptDataException {
        boolean digits = !field.isEmpty() && field.length() <= 9 && field.chars().allMatch(c -> c >= '0' && c <= '9');
        int value = digits ? Integer.parseInt(field) : -1;
        if (value < 0 || value > max) {
            throw new CorruptDataException(pos, what + ": expected an integer 0.." + max + ", found \"" + field + "\"");
        }
        return value;
    }
}
