package org.graft.models.data;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.regex.Pattern;

import org.graft.core.SourcePos;
import org.graft.core.tensor.Tensor;

/**
 * A CSV file of numbers, one example a line, the last column its target (gzipped when the name
 * ends in {@code .gz}). The first line is a header when any of its fields is not a number.
 * Fields are separated by commas and may have spaces around them; a field in double quotes may
 * hold commas (for a header's names). Blank lines may end the file but not interrupt it.
 * {@link #sequences} reads the same format with a line per time step instead (see there).
 *
 * <p>When every target is an integer (1 and 1.0 alike) in {@code 0..k-1} with {@code 2 <= k <=
 * 1000}, where {@code k} is the largest target plus one, and every one of the k classes has an
 * example, the file is a classification set of {@code k} classes. Otherwise it is a regression
 * set with targets [n, 1], and the reading says why the targets are not classes, at the target
 * that shows it (a label 7 among 0s and 1s is more likely a typo than 8 classes, 6 of them
 * empty): a model that needs classes reports it. The features are taken as written, not scaled.
 */
final class Csv {
    private Csv() {}

    static final int MAX_CLASSES = 1000;

    /** A decimal number: digits with an optional point and exponent, and nothing else (no NaN, no hex). */
    private static final Pattern NUMBER = Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");

    /** A field's text as written (quotes included) and the 1-based column it starts at. */
    private record Field(String text, int column) {
        /** Where the field's value starts, after any spaces. */
        int valueColumn() { return column + (text.length() - text.stripLeading().length()); }
    }

    /** A file's examples, and for a regression set why its targets are not classes (null for classes). */
    record Table(Dataset examples, Data.NotClasses notClasses) {}

    /** Every example of the file, with the targets inferred as above. */
    static Table read(Path file) throws IOException {
        var rows = new ArrayList<double[]>();
        var targetAt = new ArrayList<SourcePos>();   // where each row's target is written
        int columns = scan(file, "the features, then the target", (values, at) -> {
            rows.add(values);
            targetAt.add(at.apply(values.length - 1));
        });
        return table(rows, columns, targetAt);
    }

    /**
     * Sequences, a line per time step: the first column names the sequence the line belongs to
     * (a number, its id), the others are its values at that step. The lines of a sequence are
     * consecutive and in time order, and every sequence has as many steps as the first, at least
     * 2. The set is one-step prediction ({@link Dataset#nextStep}): from sequences of {@code T + 1}
     * steps, x is steps {@code 0..T-1} and y steps {@code 1..T}, both {@code [T, n, d]}, d being
     * the number of columns after the id. A header line is optional, as for {@link #read}.
     */
    static Dataset sequences(Path file) throws IOException {
        var steps = new ArrayList<double[]>();           // each line's values after the id, in file order
        var sequences = new ArrayList<Sequence>();       // in file order
        var startLines = new HashMap<Double, Integer>(); // the line each id starts on, to name a sequence written twice
        int columns = scan(file, "a sequence id, then its values", (values, at) -> {
            double id = values[0] + 0.0;   // -0 and 0 name one sequence, as == says within a run of lines
            Sequence last = sequences.isEmpty() ? null : sequences.get(sequences.size() - 1);
            if (last == null || last.id != id) {
                SourcePos pos = at.apply(0);
                Integer before = startLines.putIfAbsent(id, pos.line());
                if (before != null) {
                    throw new CorruptDataException(pos, "expected the lines of a sequence to be consecutive, found sequence "
                            + text(id) + " again after sequence " + text(last.id) + " (it started on line " + before + ")");
                }
                last = new Sequence(id, pos);
                sequences.add(last);
            }
            last.steps++;
            steps.add(Arrays.copyOfRange(values, 1, values.length));
        });
        Sequence first = sequences.get(0);
        for (Sequence q : sequences) {
            String which = "sequence " + text(q.id) + " (line " + q.start.line() + (q.steps == 1 ? ")" : " on)");
            if (first.steps < 2) {
                throw new CorruptDataException(q.start, "expected at least 2 steps in a sequence, x at steps 0..T-1 and y at 1..T, "
                        + "found 1 in " + which);
            }
            if (q.steps != first.steps) {
                throw new CorruptDataException(q.start, "expected every sequence to have the " + first.steps + " steps of the first, "
                        + "sequence " + text(first.id) + " (line " + first.start.line() + " on), found " + q.steps + " in " + which);
            }
        }
        int n = sequences.size(), points = first.steps, d = columns - 1;
        double[] series = new double[points * n * d];   // [points, n, d]: line s of sequence i is its step s
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < points; s++) System.arraycopy(steps.get(i * points + s), 0, series, (s * n + i) * d, d);
        }
        return Dataset.nextStep(Tensor.of(series, points, n, d));
    }

    /** A sequence as read: its id, where its first line writes it, and its lines so far. */
    private static final class Sequence {
        final double id;
        final SourcePos start;
        int steps;

        Sequence(double id, SourcePos start) {
            this.id = id;
            this.start = start;
        }
    }

    /** What a reading makes of each row of numbers: its values, and where its field j's value is written. */
    @FunctionalInterface
    private interface Rows {
        void row(double[] values, IntFunction<SourcePos> at) throws CorruptDataException;
    }

    /**
     * Reads every row of numbers of the file, checked, and hands each to {@code rows} in order;
     * returns the number of columns, at least 2, whose meaning {@code columns} gives for the message
     * about a file of one.
     */
    private static int scan(Path file, String columns, Rows rows) throws IOException {
        String source = file.toString();
        if (!Files.exists(file)) throw new IOException(source + ": no such file; expected a CSV file of numbers");
        if (Files.isDirectory(file)) throw new IOException(source + ": a directory; expected a CSV file of numbers");
        String name = file.getFileName().toString();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            boolean gzip = Gzip.isGzip(raw.readNBytes(2));
            raw.reset();
            if (gzip && !name.endsWith(".gz")) {
                throw new CorruptDataException(source, "expected text, found gzip data (name it " + name + ".gz)");
            }
            InputStream in = name.endsWith(".gz") ? Gzip.open(raw, source) : raw;
            return scan(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), source, columns, rows);
        }
    }

    private static int scan(BufferedReader text, String source, String meaning, Rows rows) throws IOException {
        int count = 0;
        int columns = 0;
        String shapeFrom = null;   // what fixed the number of columns, for the ragged-row message
        int blank = 0;             // the first blank line since the last row, 0 if none
        int line = 0;
        for (String row; (row = Gzip.readLine(text, source, line + 1)) != null; ) {
            line++;
            if (line == 1 && row.startsWith("\uFEFF")) row = row.substring(1);
            if (row.isBlank()) {
                if (blank == 0) blank = line;
                continue;
            }
            if (blank > 0) {
                throw new CorruptDataException(new SourcePos(source, blank, 1),
                        "expected a row of numbers, found an empty line (a blank line may only end the file)");
            }
            List<Field> fields = split(row, source, line);
            if (columns == 0) {
                if (fields.size() < 2) {
                    throw new CorruptDataException(new SourcePos(source, line, 1), "expected at least 2 comma-separated "
                            + "fields (" + meaning + "), found " + fields.size());
                }
                columns = fields.size();
                boolean header = !fields.stream().allMatch(f -> NUMBER.matcher(f.text.strip()).matches());
                shapeFrom = (header ? "the header" : "the first row") + " on line " + line;
                if (header) continue;
            }
            if (fields.size() != columns) {
                int column = fields.size() > columns ? fields.get(columns).column - 1 : row.length() + 1;
                throw new CorruptDataException(new SourcePos(source, line, column), "expected " + columns
                        + " comma-separated fields as in " + shapeFrom + ", found " + fields.size());
            }
            double[] values = new double[columns];
            for (int j = 0; j < columns; j++) values[j] = number(fields.get(j), source, line);
            int at = line;
            rows.row(values, j -> new SourcePos(source, at, fields.get(j).valueColumn()));
            count++;
        }
        if (count == 0) {
            String found = line == 0 ? "an empty file" : columns == 0 ? "only blank lines" : "only a header";
            throw new CorruptDataException(new SourcePos(source, columns == 0 ? 1 : line + 1, 1),
                    "expected rows of comma-separated numbers, found " + found);
        }
        return columns;
    }

    /** The fields of a line; a comma inside double quotes (doubled to stand for itself) does not split. */
    private static List<Field> split(String row, String source, int line) throws CorruptDataException {
        var fields = new ArrayList<Field>();
        int start = 0;
        boolean quoted = false;
        int quoteAt = 0;
        for (int i = 0; i <= row.length(); i++) {
            char c = i < row.length() ? row.charAt(i) : ',';
            if (c == '"') {
                if (!quoted) quoteAt = i;
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                fields.add(new Field(row.substring(start, i), start + 1));
                start = i + 1;
            } else if (i == row.length() && quoted) {
                break;
            }
        }
        if (quoted) {
            throw new CorruptDataException(new SourcePos(source, line, quoteAt + 1),
                    "expected a closing double quote for this one, found the end of the line");
        }
        return fields;
    }

    private static double number(Field field, String source, int line) throws CorruptDataException {
        String text = field.text.strip();
        var pos = new SourcePos(source, line, field.valueColumn());
        if (text.isEmpty()) throw new CorruptDataException(pos, "expected a number, found an empty field");
        if (!NUMBER.matcher(text).matches()) throw new CorruptDataException(pos, "expected a number, found \"" + text + "\"");
        double value = Double.parseDouble(text);
        if (Double.isInfinite(value)) {
            throw new CorruptDataException(pos, "expected a number within double precision (about 1.8e308), found " + text);
        }
        return value;
    }

    /** The rows as features and a target column: classification when the targets are the labels of 2..1000 classes, each with an example. */
    private static Table table(List<double[]> rows, int columns, List<SourcePos> targetAt) {
        int n = rows.size();
        int d = columns - 1;
        double[] x = new double[n * d];
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows.get(i), 0, x, i * d, d);
            t[i] = rows.get(i)[d];
        }
        Tensor features = Tensor.of(x, n, d);
        Data.NotClasses notClasses = notClasses(t, targetAt);
        if (notClasses == null) {
            int[] y = new int[n];
            int max = 0;
            for (int i = 0; i < n; i++) max = Math.max(max, y[i] = (int) t[i]);
            return new Table(Dataset.classification(features, y, max + 1), null);
        }
        return new Table(Dataset.regression(features, Tensor.of(t, n, 1)), notClasses);
    }

    /** Why the targets are not the labels of 2..1000 classes each with an example, at the target that shows it; null if they are. */
    private static Data.NotClasses notClasses(double[] t, List<SourcePos> targetAt) {
        var seen = new TreeSet<Integer>();
        int largest = 0;    // the row of the largest target
        for (int i = 0; i < t.length; i++) {
            double v = t[i];
            String wrong = v != Math.rint(v) ? "not a whole number" : v < 0 ? "below 0"
                    : v >= MAX_CLASSES ? "which makes more than the " + MAX_CLASSES + " classes a data set may have" : null;
            if (wrong != null) return new Data.NotClasses(targetAt.get(i), text(v) + ", " + wrong);
            seen.add((int) v);
            if (v > t[largest]) largest = i;
        }
        int k = (int) t[largest] + 1;
        if (k < 2) return new Data.NotClasses(targetAt.get(0), "only the class 0, in every row");
        if (seen.size() == k) return null;
        // the largest label is the one that made the classes without examples, so it is the likely typo
        var absent = new TreeSet<Integer>();
        for (int c = 0; c < k; c++) if (!seen.contains(c)) absent.add(c);
        return new Data.NotClasses(targetAt.get(largest), text(t[largest]) + ", and no example of the class"
                + (absent.size() == 1 ? " " : "es ") + ranges(absent) + " (classes seen: " + ranges(seen) + ")");
    }

    /** A target as written in a message: 7 rather than 7.0. */
    private static String text(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** {@code 0, 1, 7} or {@code 2 to 6}: sorted classes, runs of three or more as ranges. */
    private static String ranges(SortedSet<Integer> classes) {
        var parts = new ArrayList<String>();
        Integer from = null, to = null;
        for (int c : classes) {
            if (to != null && c == to + 1) {
                to = c;
                continue;
            }
            if (from != null) parts.add(range(from, to));
            from = to = c;
        }
        parts.add(range(from, to));
        return String.join(", ", parts);
    }

    private static String range(int from, int to) {
        return from == to ? Integer.toString(from) : to == from + 1 ? from + ", " + to : from + " to " + to;
    }
}
