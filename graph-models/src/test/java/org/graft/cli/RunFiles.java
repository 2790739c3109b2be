package org.graft.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** What tests read of a run's folder, and the command lines they build. */
final class RunFiles {
    private RunFiles() {}

    /** The column {@code name} of the run's metrics file, a number per epoch. */
    static double[] column(Path out, String name) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("metrics.csv"));
        int column = List.of(lines.get(0).split(",")).indexOf(name);
        assertTrue(column >= 0, name + " in " + lines.get(0));
        return lines.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[column])).toArray();
    }

    /** The metrics file without its last column, the seconds, which no two runs share. */
    static List<String> withoutSeconds(Path out) throws IOException {
        return Files.readAllLines(out.resolve("metrics.csv")).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    static String[] concat(String[] first, String... rest) {
        String[] all = Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }
}
