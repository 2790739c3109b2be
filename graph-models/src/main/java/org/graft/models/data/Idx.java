package org.graft.models.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.graft.core.tensor.Tensor;

/**
 * MNIST and Fashion-MNIST: four files in the IDX format in one directory. An IDX file is a
 * big-endian header (the magic number {@code 00 00 08 rank}, where 08 says unsigned bytes, then
 * one 32-bit size per dimension) followed by the bytes row-major and nothing else.
 *
 * <p>Each file is looked for gzipped ({@code NAME.gz}) first, then raw ({@code NAME}). Every
 * file is checked whole before anything is handed out: header, image size 28x28, exact length,
 * labels 0..9, one label per image; the files that {@code DIR/SHA256SUMS} lists against it;
 * and a file with the official count (60,000 training or 10,000 test records) against the
 * SHA-256 of the official file's uncompressed content, which holds for any gzip container
 * (LeCun's downloads, Debian's, a recompressed copy) and for a raw file alike.
 */
final class Idx {
    private Idx() {}

    static final int SIDE = 28;
    static final int CLASSES = 10;
    static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    private static final int UNSIGNED_BYTE = 0x08;
    private static final int IMAGES_RANK = 3;
    private static final int LABELS_RANK = 1;

    /** Pixel value p as the feature p / 255, by table rather than a division per pixel. */
    private static final double[] LEVELS = new double[256];

    static {
        for (int p = 0; p < 256; p++) LEVELS[p] = p / 255.0;
    }

    /** A data set in this layout, with the SHA-256 of the uncompressed content of its official files. */
    enum Source {
        MNIST("mnist", "MNIST", 60_000, 10_000, Map.of(
                TRAIN_IMAGES, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                TRAIN_LABELS, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                TEST_IMAGES, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                TEST_LABELS, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")),
        FASHION_MNIST("fashion-mnist", "Fashion-MNIST", 60_000, 10_000, Map.of(
                TRAIN_IMAGES, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                TRAIN_LABELS, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                TEST_IMAGES, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                TEST_LABELS, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"));

        final String spec;
        final String title;
        final int trainCount;
        final int testCount;
        final Map<String, String> sha256;

        Source(String spec, String title, int trainCount, int testCount, Map<String, String> sha256) {
            this.spec = spec;
            this.title = title;
            this.trainCount = trainCount;
            this.testCount = testCount;
            this.sha256 = sha256;
        }

        int officialCount(String file) { return file.startsWith("train") ? trainCount : testCount; }
    }

    /** Images and their labels from one pair of files. */
    private record Part(Tensor features, int[] labels) {}

    static Data load(Path dir, Source source) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": " + (Files.exists(dir) ? "not a directory" : "no such directory")
                    + "; expected a directory holding the " + source.title + " files " + String.join(", ", FILES));
        }
        var paths = new ArrayList<Path>();
        var missing = new ArrayList<String>();
        for (String name : FILES) {
            Path gz = dir.resolve(name + ".gz");
            Path raw = dir.resolve(name);
            if (Files.exists(gz)) paths.add(gz);
            else if (Files.exists(raw)) paths.add(raw);
            else missing.add(name + ".gz or " + name);
        }
        if (!missing.isEmpty()) {
            String hint = source == Source.FASHION_MNIST ? " (Debian's package dataset-fashion-mnist installs all four "
                    + "in /usr/share/datasets/fashion-mnist)" : "";
            throw new IOException(dir + ": no " + String.join(", no ", missing) + "; expected the four " + source.title
                    + " files " + String.join(", ", FILES) + ", each gzipped (.gz) or raw" + hint);
        }
        Sha256Sums sums = Sha256Sums.in(dir);
        Part train = part(paths.get(0), paths.get(1), source, sums);
        Part test = part(paths.get(2), paths.get(3), source, sums);
        return new Data(source.spec, Dataset.classification(train.features, train.labels, CLASSES),
                Dataset.classification(test.features, test.labels, CLASSES), SIDE, SIDE);
    }

    private static Part part(Path imagesFile, Path labelsFile, Source source, Sha256Sums sums) throws IOException {
        byte[] imagesIdx = content(imagesFile, sums);
        Tensor features = images(imagesIdx, imagesFile.toString());
        checkOfficial(imagesIdx, imagesFile, source);
        byte[] labelsIdx = content(labelsFile, sums);
        int[] labels = labels(labelsIdx, labelsFile.toString());
        checkOfficial(labelsIdx, labelsFile, source);
        int images = features.shape().dim(0);
        if (labels.length != images) {
            throw new CorruptDataException(labelsFile.toString(), String.format(Locale.ROOT,
                    "expected %,d labels, one per image of %s, found %,d", images, imagesFile.getFileName(), labels.length));
        }
        return new Part(features, labels);
    }

    /** The file's IDX bytes, checked against {@code SHA256SUMS} as stored and decompressed if gzipped. */
    private static byte[] content(Path file, Sha256Sums sums) throws IOException {
        byte[] stored = Files.readAllBytes(file);
        String name = file.getFileName().toString();
        sums.check(name, stored, file.toString());
        if (name.endsWith(".gz")) return Gzip.gunzip(stored, file.toString());
        if (Gzip.isGzip(stored)) {
            throw new CorruptDataException(file.toString(), "expected a raw IDX file, which starts with bytes 00 00,"
                    + " found gzip data (name it " + name + ".gz)");
        }
        return stored;
    }

    /**
     * A sound file (its structure already checked) that holds the official number of records
     * must be the official file, byte for byte once uncompressed.
     */
    private static void checkOfficial(byte[] idx, Path file, Source source) throws CorruptDataException {
        String name = file.getFileName().toString().replaceFirst("\\.gz$", "");
        if (count(idx, 4) != source.officialCount(name)) return;
        String expected = source.sha256.get(name);
        String found = Sha256Sums.sha256(idx);
        if (!found.equals(expected)) {
            String hint = "";
            for (Source other : Source.values()) {
                if (other != source && found.equals(other.sha256.get(name))) {
                    hint = "; this is " + other.title + "'s " + name + ": load it as " + other.spec + ":DIR";
                }
            }
            throw new CorruptDataException(file.toString(), String.format(Locale.ROOT,
                    "expected sha256 %s, that of the official %s %s (%,d records), found %s for the uncompressed content%s",
                    expected, source.title, name, source.officialCount(name), found, hint));
        }
    }

    /** The images of an IDX file, [count, 28*28], pixels as p / 255. */
    static Tensor images(byte[] idx, String file) throws CorruptDataException {
        int header = header(idx, file, IMAGES_RANK, "images, rows, columns");
        long n = count(idx, 4);
        long rows = count(idx, 8);
        long cols = count(idx, 12);
        if (rows != SIDE || cols != SIDE) {
            throw new CorruptDataException(file, "expected images of " + SIDE + "x" + SIDE + " pixels, found "
                    + rows + "x" + cols);
        }
        if (n == 0) throw new CorruptDataException(file, "expected at least one image, found a count of 0");
        checkLength(idx, file, header, n * rows * cols, String.format(Locale.ROOT,
                "pixel bytes after the header (%,d images of %dx%d)", n, rows, cols));
        int pixels = SIDE * SIDE;
        double[] x = new double[(int) n * pixels];
        for (int i = 0; i < x.length; i++) x[i] = LEVELS[idx[header + i] & 0xff];
        return Tensor.of(x, (int) n, pixels);
    }

    /** The labels of an IDX file, each in 0..9. */
    static int[] labels(byte[] idx, String file) throws CorruptDataException {
        int header = header(idx, file, LABELS_RANK, "labels");
        long n = count(idx, 4);
        checkLength(idx, file, header, n, "label bytes after the header");
        int[] labels = new int[(int) n];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = idx[header + i] & 0xff;
            if (labels[i] >= CLASSES) {
                throw new CorruptDataException(file, String.format(Locale.ROOT,
                        "expected labels 0..%d, found %d for record %,d (byte %,d)", CLASSES - 1, labels[i], i, header + i));
            }
        }
        return labels;
    }

    /** The header's length, after checking the magic number: 00 00, unsigned bytes, {@code rank} dimensions. */
    private static int header(byte[] idx, String file, int rank, String dims) throws CorruptDataException {
        String magic = String.format("0x%08x", 0x800 | rank);
        String expected = "the IDX magic number " + magic + " (unsigned bytes in " + rank
                + (rank == 1 ? " dimension: " : " dimensions: ") + dims + ")";
        if (idx.length < 4) {
            throw new CorruptDataException(file, "expected " + expected + ", found "
                    + (idx.length == 0 ? "an empty file" : "only " + idx.length + " bytes"));
        }
        if (idx[0] != 0 || idx[1] != 0 || (idx[3] & 0xff) != rank) {
            String found = String.format("0x%08x", count(idx, 0));
            if (idx[0] == 0 && idx[1] == 0 && (idx[3] & 0xff) == (rank == 1 ? IMAGES_RANK : LABELS_RANK)) {
                found += rank == 1 ? " (an image file?)" : " (a label file?)";
            }
            throw new CorruptDataException(file, "expected " + expected + ", found " + found);
        }
        if ((idx[2] & 0xff) != UNSIGNED_BYTE) {
            throw new CorruptDataException(file, String.format("expected data type 0x08 (unsigned byte) in byte 2 of "
                    + "the magic number %s, found 0x%02x (%s)", magic, idx[2] & 0xff, typeName(idx[2] & 0xff)));
        }
        int length = 4 + 4 * rank;
        if (idx.length < length) {
            throw new CorruptDataException(file, "expected a header of " + length + " bytes (the magic number, then "
                    + rank + " sizes of 4 bytes), found only " + idx.length + " bytes (is the file truncated?)");
        }
        return length;
    }

    private static void checkLength(byte[] idx, String file, int header, long expected, String what)
            throws CorruptDataException {
        long found = idx.length - header;
        if (found != expected) {
            String why = found < expected ? "is the file truncated?" : String.format(Locale.ROOT, "%,d bytes too many", found - expected);
            throw new CorruptDataException(file, String.format(Locale.ROOT, "expected %,d %s, found %,d (%s)",
                    expected, what, found, why));
        }
    }

    /** The unsigned big-endian 32-bit number at {@code at}. */
    private static long count(byte[] b, int at) {
        return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xffL) << 16) | ((b[at + 2] & 0xffL) << 8) | (b[at + 3] & 0xffL);
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x09 -> "signed byte";
            case 0x0b -> "short";
            case 0x0c -> "int";
            case 0x0d -> "float";
            case 0x0e -> "double";
            default -> "no IDX type";
        };
    }
}
