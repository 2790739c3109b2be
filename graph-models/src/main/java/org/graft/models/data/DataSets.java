package org.graft.models.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The data sets {@code graft train --data SPEC} names. A SPEC is one of:
 * <ul>
 * <li>{@code digits}: the bundled 8x8 digits ({@link Digits}), features the counts / 16, split
 *     with {@link Dataset#split} at {@link #TEST_FRACTION} and {@link #SPLIT_SEED} into 1,438
 *     training and 359 test images (the split {@code DigitsMlp} has always used); 8x8 images.
 * <li>{@code mnist:DIR}, {@code fashion-mnist:DIR} (or {@code fashion:DIR}): the four IDX files
 *     {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 *     {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte} in DIR, each gzipped
 *     ({@code .gz}, looked for first) or raw; 60,000 training and 10,000 test 28x28 images with
 *     features p / 255 in [0, 1] and labels 0..9. Checked whole before use: the IDX structure;
 *     the files listed in {@code DIR/SHA256SUMS}, if there is one (only in DIR itself, not its
 *     parent); and a file with the official number of records against the SHA-256 of the
 *     official file's uncompressed content, for both data sets and all four files.
 * <li>{@code csv:FILE}: numbers, one example a line, the last column the target, an optional
 *     header; gzipped if FILE ends in {@code .gz}. Integer targets 0..k-1 (2 &lt;= k &lt;= 1000)
 *     with an example of every class make a classification set of k classes, any other targets
 *     a regression set [n, 1], which says where its targets fail to be classes;
 *     {@link #TEST_FRACTION} of the rows, chosen with {@link #SPLIT_SEED}, are for testing.
 *     Features are used as written.
 * <li>{@code csv-seq:FILE}: sequences in CSV, a line per time step: the sequence's id (a
 *     number), then its values at that step; the lines of a sequence consecutive and in time
 *     order, every sequence of the same length, at least 2 steps, and an optional header
 *     ({@link Csv#sequences}). One-step prediction: x the steps 0..T-1, y the steps 1..T.
 *     {@link #TEST_FRACTION} of the sequences, chosen with {@link #SPLIT_SEED}, are for testing;
 *     values are used as written.
 * <li>{@code xor}: the four points (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0 as a regression set
 *     with targets [4, 1]; the test set is the same four points, as there is nothing else.
 * <li>{@code sine}: 200 training x uniform in [0, 2π] with targets sin x + N(0, 0.1²); the test
 *     set is 200 evenly spaced x from 0 to 2π with the clean sin x, so its error is against the
 *     sine itself. The feature is x, unscaled.
 * <li>{@code donut}: points of the plane, a disk r &lt; 1 (target 0) inside a ring 1.5 &lt; r &lt; 2.5
 *     (target 1), uniform over their areas, half of each; 1,000 training and 500 test points.
 *     The target is a [n, 1] column of 0 and 1, for a net with one sigmoid output, so the set
 *     is a regression set ({@code classes() == 0}) and not one-hot.
 * <li>{@code lorenz}: trajectories of the Lorenz system (σ 10, ρ 28, β 8/3) by fourth-order
 *     Runge-Kutta with a step of 0.01, each after a burn-in of 1,000 steps from a random point,
 *     divided by 20: 256 training and 64 test sequences, one-step prediction
 *     ({@link Dataset#nextStep}) over 100 steps, x and y {@code [100, n, 3]}.
 * <li>{@code sine-seq}: sines of random frequency (0.1 to 0.3 radians a step) and phase, x with
 *     noise N(0, 0.1²) and y the clean next step, {@code [100, n, 1]}: 256 training and 64 test
 *     sequences.
 * </ul>
 * The generated sets (xor, sine, donut, lorenz, sine-seq) come from a {@link java.util.Random}
 * with seed 1, so they are the same on every run. A DIR or FILE starting with {@code ~/} is in
 * the user's home.
 */
public final class DataSets {
    private DataSets() {}

    /** The part of the digits and of a CSV file that is held out for testing. */
    public static final double TEST_FRACTION = 0.2;

    /** The seed of the digits' and a CSV file's training/test split. */
    public static final long SPLIT_SEED = 20240601L;

    /** Each accepted form with what it loads, one per line, for {@code graft train --help}. */
    public static final List<String> FORMS = List.of(
            "digits             the bundled 8x8 digits: 1,438 training, 359 test images",
            "mnist:DIR          MNIST's four IDX files in DIR, .gz or raw: 60,000 + 10,000",
            "fashion-mnist:DIR  Fashion-MNIST likewise (also fashion:DIR)",
            "csv:FILE           numbers, the target last, a header or not; 20% for testing",
            "csv-seq:FILE       sequences, a line a step: id, then values; 20% for testing",
            "xor                the four XOR points, targets [4, 1], also the test set",
            "sine               200 noisy samples of sin x, x in [0, 2pi]; tested on sin x",
            "donut              a disk (0) in a ring (1), targets [n, 1]: 1,000 + 500",
            "lorenz             Lorenz trajectories / 20, x and y [100, n, 3]: 256 + 64",
            "sine-seq           noisy sines, y the clean next step, [100, n, 1]: 256 + 64");

    private static final String EXPECTED = "expected one of digits, mnist:DIR, fashion-mnist:DIR (or fashion:DIR), "
            + "csv:FILE, csv-seq:FILE, xor, sine, donut, lorenz, sine-seq";

    /**
     * Loads the data set {@code spec} names (see the class comment).
     *
     * @throws CorruptDataException for a damaged or malformed file, saying where, what was expected and what was found
     * @throws IOException for a missing or unreadable file or directory
     * @throws IllegalArgumentException for a malformed spec; its message lists the valid forms
     */
    public static Data load(String spec) throws IOException {
        int colon = spec.indexOf(':');
        String name = (colon < 0 ? spec : spec.substring(0, colon)).toLowerCase(Locale.ROOT);
        String argument = colon < 0 ? null : spec.substring(colon + 1);
        switch (name) {
            case "digits", "xor", "sine", "donut", "lorenz", "sine-seq" -> {
                if (argument != null) {
                    throw new IllegalArgumentException("data set \"" + spec + "\": " + name + " takes nothing after it; "
                            + EXPECTED);
                }
            }
            case "mnist", "fashion-mnist", "fashion", "csv", "csv-seq" -> {
                String what = name.startsWith("csv") ? "FILE" : "DIR";
                if (argument == null || argument.isEmpty()) {
                    throw new IllegalArgumentException("data set \"" + spec + "\": expected " + name + ":" + what
                            + ", with the " + (what.equals("FILE") ? "file" : "directory") + " after the colon; " + EXPECTED);
                }
            }
            default -> throw new IllegalArgumentException("unknown data set \"" + spec + "\"; " + EXPECTED);
        }
        return switch (name) {
            case "digits" -> digits();
            case "xor" -> Synthetic.xor();
            case "sine" -> Synthetic.sine();
            case "donut" -> Synthetic.donut();
            case "lorenz" -> Synthetic.lorenz();
            case "sine-seq" -> Synthetic.sineSequences();
            case "mnist" -> Idx.load(path(argument), Idx.Source.MNIST);
            case "fashion-mnist", "fashion" -> Idx.load(path(argument), Idx.Source.FASHION_MNIST);
            case "csv-seq" -> csvSequences(path(argument));
            default -> csv(path(argument));
        };
    }

    private static Data digits() throws IOException {
        var split = Digits.load().split(TEST_FRACTION, SPLIT_SEED);
        return new Data("digits", split.train(), split.test(), Digits.SIDE, Digits.SIDE);
    }

    private static Data csv(Path file) throws IOException {
        Csv.Table table = Csv.read(file);
        var split = splitForTesting(table.examples(), file);
        return new Data(file.getFileName().toString(), split.train(), split.test(), 0, 0, table.notClasses());
    }

    private static Data csvSequences(Path file) throws IOException {
        var split = splitForTesting(Csv.sequences(file), file);
        return new Data(file.getFileName().toString(), split.train(), split.test(), 0, 0);
    }

    /** A file's examples split at {@link #TEST_FRACTION} with {@link #SPLIT_SEED}, or refused if too few to split. */
    private static Dataset.Split splitForTesting(Dataset all, Path file) throws CorruptDataException {
        int test = (int) Math.round(TEST_FRACTION * all.size());
        if (test < 1 || test >= all.size()) {
            throw new CorruptDataException(file.toString(), "expected at least 3 " + (all.isSequences() ? "sequences" : "rows")
                    + ", so that " + Math.round(TEST_FRACTION * 100) + "% of them can be held out for testing, found " + all.size());
        }
        return all.split(TEST_FRACTION, SPLIT_SEED);
    }

    private static Path path(String argument) {
        if (argument.equals("~") || argument.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + argument.substring(1));
        }
        return Path.of(argument);
    }
}
