package org.graft.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import org.graft.core.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IDX loader on tiny files written here: 3 training and 2 test images of 28x28. */
class IdxTest {
    static final int PIXELS = 28 * 28;
    static final int[] TRAIN_LABELS = {5, 0, 9};
    static final int[] TEST_LABELS = {7, 2};

    @TempDir Path dir;

    byte[] trainPixels;
    byte[] testPixels;

    @BeforeEach
    void writeAValidSet() throws IOException {
        trainPixels = pixels(3, 1);
        testPixels = pixels(2, 2);
        write("train-images-idx3-ubyte.gz", gzip(images(3, 28, 28, trainPixels)));
        write("train-labels-idx1-ubyte.gz", gzip(labels(TRAIN_LABELS)));
        write("t10k-images-idx3-ubyte.gz", gzip(images(2, 28, 28, testPixels)));
        write("t10k-labels-idx1-ubyte.gz", gzip(labels(TEST_LABELS)));
    }

    @Test
    void readsGzippedFilesBackExactly() throws IOException {
        Data data = DataSets.load("mnist:" + dir);
        assertEquals("mnist", data.name());
        assertTrue(data.isImages());
        assertEquals(28, data.height());
        assertEquals(28, data.width());
        assertEquals(Tensor.of(scaled(trainPixels), 3, PIXELS), data.train().features());
        assertEquals(Tensor.of(scaled(testPixels), 2, PIXELS), data.test().features());
        assertArrayEquals(TRAIN_LABELS, data.train().labels());
        assertArrayEquals(TEST_LABELS, data.test().labels());
        assertEquals(10, data.train().classes());
        assertEquals(1.0, data.train().targets().get(2, 9));
    }

    @Test
    void pixelsAreBytesOver255() throws IOException {
        Tensor x = DataSets.load("mnist:" + dir).train().features();
        assertEquals(0.0, x.get(0, 0));
        assertEquals(1.0, x.get(0, 255));
        assertEquals(128 / 255.0, x.get(0, 128));
    }

    @Test
    void readsRawFilesAsTheGzippedOnes() throws IOException {
        Data gzipped = DataSets.load("mnist:" + dir);
        Files.delete(dir.resolve("train-images-idx3-ubyte.gz"));
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        write("train-images-idx3-ubyte", images(3, 28, 28, trainPixels));
        write("t10k-labels-idx1-ubyte", labels(TEST_LABELS));
        assertEquals(gzipped, DataSets.load("mnist:" + dir));
    }

    @Test
    void prefersTheGzippedFileWhenBothAreThere() throws IOException {
        write("train-labels-idx1-ubyte", new byte[] {1, 2, 3});
        assertArrayEquals(TRAIN_LABELS, DataSets.load("mnist:" + dir).train().labels());
    }

    @Test
    void fashionMnistReadsTheSameLayoutUnderItsOwnName() throws IOException {
        Data fashion = DataSets.load("fashion-mnist:" + dir);
        assertEquals("fashion-mnist", fashion.name());
        assertEquals(DataSets.load("mnist:" + dir).train(), fashion.train());
        assertEquals(fashion, DataSets.load("fashion:" + dir));
    }

    @Test
    void refusesAMissingFileNamingTheDirectoryAndTheNamesLookedFor() throws IOException {
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        var e = assertThrows(IOException.class, () -> DataSets.load("mnist:" + dir));
        assertFalse(e instanceof CorruptDataException);
        assertEquals(dir + ": no t10k-labels-idx1-ubyte.gz or t10k-labels-idx1-ubyte; expected the four MNIST files "
                + "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, "
                + "each gzipped (.gz) or raw", e.getMessage());
    }

    @Test
    void pointsToDebiansPackageWhenFashionMnistsTrainingSetIsMissing() throws IOException {
        Files.delete(dir.resolve("train-images-idx3-ubyte.gz"));
        Files.delete(dir.resolve("train-labels-idx1-ubyte.gz"));
        var e = assertThrows(IOException.class, () -> DataSets.load("fashion:" + dir));
        assertTrue(e.getMessage().startsWith(dir + ": no train-images-idx3-ubyte.gz or train-images-idx3-ubyte, "
                + "no train-labels-idx1-ubyte.gz or train-labels-idx1-ubyte; expected the four Fashion-MNIST files"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(Debian's package dataset-fashion-mnist installs all four in "
                + "/usr/share/datasets/fashion-mnist)"), e.getMessage());
    }

    @Test
    void refusesAMissingDirectory() {
        var e = assertThrows(IOException.class, () -> DataSets.load("mnist:" + dir.resolve("nowhere")));
        assertTrue(e.getMessage().startsWith(dir.resolve("nowhere") + ": no such directory; expected a directory holding"),
                e.getMessage());
    }

    @Test
    void refusesABadMagicNumberSayingWhatTheFileLooksLike() throws IOException {
        write("train-images-idx3-ubyte.gz", gzip(labels(TRAIN_LABELS)));
        assertRefused("train-images-idx3-ubyte.gz", "expected the IDX magic number 0x00000803 (unsigned bytes in 3 "
                + "dimensions: images, rows, columns), found 0x00000801 (a label file?)");
    }

    @Test
    void refusesAMagicNumberThatDoesNotStartWithTwoZeros() throws IOException {
        write("t10k-labels-idx1-ubyte.gz", gzip(ascii("label,image\n")));
        assertRefused("t10k-labels-idx1-ubyte.gz", "expected the IDX magic number 0x00000801 (unsigned bytes in 1 "
                + "dimension: labels), found 0x6c616265");
    }

    @Test
    void refusesAnotherDataType() throws IOException {
        byte[] floats = images(3, 28, 28, trainPixels);
        floats[2] = 0x0d;
        write("train-images-idx3-ubyte.gz", gzip(floats));
        assertRefused("train-images-idx3-ubyte.gz",
                "expected data type 0x08 (unsigned byte) in byte 2 of the magic number 0x00000803, found 0x0d (float)");
    }

    @Test
    void refusesImagesThatAreNot28By28() throws IOException {
        write("t10k-images-idx3-ubyte.gz", gzip(images(2, 32, 32, new byte[2 * 32 * 32])));
        assertRefused("t10k-images-idx3-ubyte.gz", "expected images of 28x28 pixels, found 32x32");
    }

    @Test
    void refusesFewerLabelsThanImages() throws IOException {
        write("train-labels-idx1-ubyte.gz", gzip(labels(5, 0)));
        assertRefused("train-labels-idx1-ubyte.gz", "expected 3 labels, one per image of train-images-idx3-ubyte.gz, found 2");
    }

    @Test
    void refusesATruncatedImageFile() throws IOException {
        write("train-images-idx3-ubyte.gz", gzip(Arrays.copyOf(images(3, 28, 28, trainPixels), 16 + 2000)));
        assertRefused("train-images-idx3-ubyte.gz",
                "expected 2,352 pixel bytes after the header (3 images of 28x28), found 2,000 (is the file truncated?)");
    }

    @Test
    void refusesBytesAfterTheData() throws IOException {
        write("t10k-labels-idx1-ubyte", Arrays.copyOf(labels(TEST_LABELS), 8 + 2 + 5));
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        assertRefused("t10k-labels-idx1-ubyte", "expected 2 label bytes after the header, found 7 (5 bytes too many)");
    }

    @Test
    void refusesAHeaderCutShort() throws IOException {
        write("train-images-idx3-ubyte.gz", gzip(Arrays.copyOf(images(3, 28, 28, trainPixels), 10)));
        assertRefused("train-images-idx3-ubyte.gz", "expected a header of 16 bytes (the magic number, then 3 sizes of "
                + "4 bytes), found only 10 bytes (is the file truncated?)");
    }

    @Test
    void refusesAFileOfNoImages() throws IOException {
        write("train-images-idx3-ubyte.gz", gzip(images(0, 28, 28, new byte[0])));
        assertRefused("train-images-idx3-ubyte.gz", "expected at least one image, found a count of 0");
    }

    @Test
    void refusesAnEmptyFile() throws IOException {
        write("train-labels-idx1-ubyte.gz", gzip(new byte[0]));
        assertRefused("train-labels-idx1-ubyte.gz", "expected the IDX magic number 0x00000801 (unsigned bytes in 1 "
                + "dimension: labels), found an empty file");
    }

    @Test
    void refusesALabelOutside0To9() throws IOException {
        write("t10k-labels-idx1-ubyte.gz", gzip(labels(7, 10)));
        assertRefused("t10k-labels-idx1-ubyte.gz", "expected labels 0..9, found 10 for record 1 (byte 9)");
    }

    @Test
    void refusesGzipDataWithABadChecksum() throws IOException {
        byte[] gz = gzip(images(3, 28, 28, trainPixels));
        gz[gz.length - 8] ^= 1;   // the trailer's CRC-32 of the uncompressed data
        write("train-images-idx3-ubyte.gz", gz);
        assertRefused("train-images-idx3-ubyte.gz", "expected valid gzip data, found corrupt data (Corrupt GZIP trailer)");
    }

    @Test
    void refusesATruncatedGzipFile() throws IOException {
        byte[] gz = gzip(images(3, 28, 28, trainPixels));
        write("train-images-idx3-ubyte.gz", Arrays.copyOf(gz, gz.length / 2));
        assertRefused("train-images-idx3-ubyte.gz", "expected more gzip data, found the end of the file (is it truncated?)");
    }

    @Test
    void refusesAGzNameHoldingRawData() throws IOException {
        write("t10k-images-idx3-ubyte.gz", images(2, 28, 28, testPixels));
        assertRefused("t10k-images-idx3-ubyte.gz", "expected gzip data, which starts with bytes 1f 8b, found bytes 00 00");
    }

    @Test
    void refusesARawNameHoldingGzipData() throws IOException {
        Files.move(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-images-idx3-ubyte"));
        assertRefused("t10k-images-idx3-ubyte", "expected a raw IDX file, which starts with bytes 00 00, found gzip data "
                + "(name it t10k-images-idx3-ubyte.gz)");
    }

    @Test
    void checksFilesThatSha256SumsListsAndIgnoresOthers() throws IOException {
        Files.writeString(dir.resolve("SHA256SUMS"),
                sha256("train-labels-idx1-ubyte.gz") + "  train-labels-idx1-ubyte.gz\n"
                + sha256("t10k-images-idx3-ubyte.gz") + " *./t10k-images-idx3-ubyte.gz\n"
                + "0".repeat(64) + "  mnist/train-images-idx3-ubyte.gz\n");
        assertArrayEquals(TRAIN_LABELS, DataSets.load("mnist:" + dir).train().labels());
    }

    @Test
    void refusesAFileWhoseChecksumDiffersFromSha256Sums() throws IOException {
        String listed = "ab".repeat(32);
        Files.writeString(dir.resolve("SHA256SUMS"), sha256("train-images-idx3-ubyte.gz")
                + "  train-images-idx3-ubyte.gz\n" + listed + "  train-labels-idx1-ubyte.gz\n");
        assertRefused("train-labels-idx1-ubyte.gz", "expected sha256 " + listed + " (as " + dir.resolve("SHA256SUMS")
                + ":2:1 lists), found " + sha256("train-labels-idx1-ubyte.gz"));
    }

    @Test
    void refusesAMalformedSha256SumsLine() throws IOException {
        Files.writeString(dir.resolve("SHA256SUMS"), sha256("train-images-idx3-ubyte.gz") + "  train-images-idx3-ubyte.gz\n"
                + "1234  train-labels-idx1-ubyte.gz\n");
        var e = assertThrows(CorruptDataException.class, () -> DataSets.load("mnist:" + dir));
        assertEquals(dir.resolve("SHA256SUMS") + ":2:1: expected 64 hex digits, two spaces and a file name, found "
                + "\"1234  train-labels-idx1-ubyte.gz\"", e.getMessage());
    }

    @Test
    void refusesAFileWithTheOfficialCountThatIsNotTheOfficialFile() throws IOException {
        int[] sixtyThousand = new int[60_000];
        for (int i = 0; i < sixtyThousand.length; i++) sixtyThousand[i] = i % 10;
        byte[] idx = labels(sixtyThousand);
        write("train-labels-idx1-ubyte.gz", gzip(idx));
        assertRefused("train-labels-idx1-ubyte.gz", "expected sha256 65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5, "
                + "that of the official MNIST train-labels-idx1-ubyte (60,000 records), found " + Sha256Sums.sha256(idx)
                + " for the uncompressed content");
    }

    // ---- writing IDX files ----------------------------------------------------------------------

    /** Pixel {@code i} is {@code step * i} mod 256: with step 1 the first image holds every byte value in turn. */
    private static byte[] pixels(int images, int step) {
        byte[] p = new byte[images * PIXELS];
        for (int i = 0; i < p.length; i++) p[i] = (byte) (step * i % 256);
        return p;
    }

    private static double[] scaled(byte[] pixels) {
        double[] x = new double[pixels.length];
        for (int i = 0; i < x.length; i++) x[i] = (pixels[i] & 0xff) / 255.0;
        return x;
    }

    private static byte[] images(int n, int rows, int cols, byte[] pixels) {
        return ByteBuffer.allocate(16 + pixels.length).putInt(0x803).putInt(n).putInt(rows).putInt(cols).put(pixels).array();
    }

    private static byte[] labels(int... labels) {
        var b = ByteBuffer.allocate(8 + labels.length).putInt(0x801).putInt(labels.length);
        for (int label : labels) b.put((byte) label);
        return b.array();
    }

    private static byte[] ascii(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    private static byte[] gzip(byte[] content) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }

    private void write(String name, byte[] content) throws IOException { Files.write(dir.resolve(name), content); }

    private String sha256(String name) throws IOException { return Sha256Sums.sha256(Files.readAllBytes(dir.resolve(name))); }

    private void assertRefused(String file, String detail) {
        var e = assertThrows(CorruptDataException.class, () -> DataSets.load("mnist:" + dir));
        assertEquals(dir.resolve(file) + ": " + detail, e.getMessage());
    }
}
