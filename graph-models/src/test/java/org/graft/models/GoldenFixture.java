package org.graft.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * The fixtures that {@code scripts/golden/} writes for this module's tests: one case per block of
 * lines, blocks separated by an empty line, each line a key, a space and a value; a tensor's value
 * is {@code NAME DIMS VALUES}, DIMS comma-separated ({@code -} for a scalar) and VALUES
 * space-separated, row-major, as Python's repr writes them, so that they read back exactly
 * ({@link #numbers}).
 */
public final class GoldenFixture {
    private GoldenFixture() {}

    /** One line of a block: its key and the rest of the line. */
    public record Line(String key, String value) {}

    /** The blocks of the fixture at the resource {@code path}, each as its lines. */
    public static List<List<Line>> blocks(String path) throws IOException {
        var blocks = new ArrayList<List<Line>>();
        for (String block : resource(path).strip().split("\n\n")) {
            var lines = new ArrayList<Line>();
            for (String line : block.split("\n")) {
                int space = line.indexOf(' ');
                lines.add(new Line(line.substring(0, space), line.substring(space + 1)));
            }
            blocks.add(lines);
        }
        return blocks;
    }

    /** A tensor's {@code NAME DIMS VALUES}, put into {@code into} by its name. */
    public static void put(Map<String, Tensor> into, String value) {
        String[] parts = value.split(" ");
        int[] dims = parts[1].equals("-") ? new int[0] : Arrays.stream(parts[1].split(",")).mapToInt(Integer::parseInt).toArray();
        double[] values = Arrays.stream(parts, 2, parts.length).mapToDouble(GoldenFixture::number).toArray();
        into.put(parts[0], Tensor.of(Shape.of(dims), values));
    }

    /** Space-separated numbers as Python's repr writes them. */
    public static double[] numbers(String text) { return Arrays.stream(text.split(" ")).mapToDouble(GoldenFixture::number).toArray(); }

    /** A number as Python's repr writes it: as Java writes it, but for {@code nan}, {@code inf} and {@code -inf}. */
    private static double number(String repr) {
        return switch (repr) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(repr);
        };
    }

    /** The text of the resource {@code path}. */
    public static String resource(String path) throws IOException {
        try (InputStream in = GoldenFixture.class.getResourceAsStream(path)) {
            if (in == null) throw new IOException("no resource " + path);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
