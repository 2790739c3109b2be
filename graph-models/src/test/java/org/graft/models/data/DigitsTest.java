package org.graft.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.graft.core.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigitsTest {
    static Dataset digits;
    static List<String> lines;   // the bundled file's text, to corrupt one line at a time

    @TempDir Path dir;

    @BeforeAll
    static void load() throws IOException {
        digits = Digits.load();
        try (var in = new GZIPInputStream(bundled())) {
            lines = new String(in.readAllBytes(), StandardCharsets.US_ASCII).lines().toList();
        }
    }

    @Test
    void bundledFileIsTheSharedCopyByteForByte() throws IOException, NoSuchAlgorithmException {
        byte[] sha256;
        try (var in = bundled()) {
            sha256 = MessageDigest.getInstance("SHA-256").digest(in.readAllBytes());
        }
        assertEquals("46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a", HexFormat.of().formatHex(sha256));
    }

    @Test
    void has1797ImagesOf64PixelsAndTenClasses() {
        assertEquals(1797, digits.size());
        assertArrayEquals(new int[] {1797, 64}, digits.features().shape().dims());
        assertEquals(10, digits.classes());
    }

    @Test
    void labelCountsAreUcisPublishedOnes() {
        assertArrayEquals(new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, counts(digits));
    }

    @Test
    void firstTenLabelsAreZeroToNine() {
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, Arrays.copyOf(digits.labels(), 10));
    }

    @Test
    void pixelsAreCountsOutOf16() {
        double[] x = digits.features().toArray();
        assertEquals(0.0, Arrays.stream(x).min().orElseThrow());
        assertEquals(1.0, Arrays.stream(x).max().orElseThrow());
        assertEquals(0, Arrays.stream(x).filter(v -> v * 16 != Math.rint(v * 16)).count());
        // the first line starts 0,0,5,13,9,1,0,0
        assertEquals(13 / 16.0, digits.features().get(0, 3));
    }

    @Test
    void oneHotHasItsOneAtTheLabel() {
        Tensor t = digits.oneHot();
        assertArrayEquals(new int[] {1797, 10}, t.shape().dims());
        assertEquals(1797.0, t.sum());
        for (int i = 0; i < digits.size(); i++) assertEquals(1.0, t.get(i, digits.label(i)));
    }

    @Test
    void loadsTheSameFromAPath() throws IOException {
        Path file = dir.resolve("digits.csv.gz");
        try (var in = bundled()) {
            Files.write(file, in.readAllBytes());
        }
        assertEquals(digits, Digits.load(file));
    }

    @Test
    void splitKeepsEveryImageOnce() {
        var split = digits.split(0.2, 7);
        assertEquals(359, split.test().size());
        assertEquals(1438, split.train().size());
        assertEquals(digits.features().sum(), split.train().features().sum() + split.test().features().sum(), 1e-9);
        assertArrayEquals(counts(digits), add(counts(split.train()), counts(split.test())));
    }

    @Test
    void splitIsDeterminedBySeed() {
        assertEquals(digits.split(0.2, 7), digits.split(0.2, 7));
        assertNotEquals(digits.split(0.2, 7).test(), digits.split(0.2, 8).test());
    }

    @Test
    void batchesCoverTheDataOnceInTheirSize() {
        List<Dataset> batches = digits.batches(64, new Random(1));
        assertEquals(29, batches.size());   // 28 * 64 + 5
        assertEquals(5, batches.get(28).size());
        assertArrayEquals(counts(digits), batches.stream().map(DigitsTest::counts).reduce(DigitsTest::add).orElseThrow());
    }

    @Test
    void refusesALineWithAFieldMissing() {
        String line = lines.get(4);
        assertRefused(withLine(5, line.substring(line.indexOf(',') + 1)),
                ":5:1: expected 65 comma-separated fields (64 pixels, then the label), found 64");
    }

    @Test
    void refusesANonInteger() {
        assertRefused(withLine(7, "0,0,3.5" + lines.get(6).substring(5)),
                ":7:5: pixel 2: expected an integer 0..16, found \"3.5\"");
    }

    @Test
    void refusesAPixelAbove16() {
        assertRefused(withLine(9, "0,17" + lines.get(8).substring(3)),
                ":9:3: pixel 1: expected an integer 0..16, found \"17\"");
    }

    @Test
    void refusesALabelAbove9() {
        String line = lines.get(10);
        int column = line.lastIndexOf(',') + 2;
        assertRefused(withLine(11, line.substring(0, column - 1) + "10"),
                ":11:" + column + ": label: expected an integer 0..9, found \"10\"");
    }

    @Test
    void refusesAFileThatEndsEarly() {
        assertRefused(gzip(lines.subList(0, 1200)), ":1201:1: expected image 1201 of 1797, found the end of the data");
    }

    @Test
    void refusesAnExtraLine() {
        var more = new ArrayList<>(lines);
        more.add(lines.get(0));
        assertRefused(gzip(more), ":1798:1: expected the end of the data after 1797 images, found another line");
    }

    @Test
    void refusesAFileThatIsNotGzip() {
        assertRefused(String.join("\n", lines).getBytes(StandardCharsets.US_ASCII),
                ": expected gzip data, which starts with bytes 1f 8b, found bytes 30 2c");
    }

    @Test
    void refusesAnEmptyFile() {
        assertRefused(new byte[0], ": expected gzip data, which starts with bytes 1f 8b, found an empty file");
    }

    @Test
    void refusesATruncatedGzipStreamAtTheFirstLineItCuts() throws IOException {
        byte[] whole;
        try (var in = bundled()) {
            whole = in.readAllBytes();
        }
        var e = assertThrows(CorruptDataException.class, () -> read(Arrays.copyOf(whole, whole.length / 2)));
        assertEquals("expected more gzip data, found the end of the file (is it truncated?)", e.detail());
        // half the compressed bytes hold roughly half the lines
        int line = e.pos().line();
        assertEquals(true, line > 700 && line < 1100, "refused at line " + line);
    }

    private static int[] counts(Dataset data) {
        int[] counts = new int[data.classes()];
        for (int label : data.labels()) counts[label]++;
        return counts;
    }

    private static int[] add(int[] a, int[] b) {
        int[] sum = new int[a.length];
        for (int i = 0; i < a.length; i++) sum[i] = a[i] + b[i];
        return sum;
    }

    private static InputStream bundled() {
        return Digits.class.getResourceAsStream("digits.csv.gz");
    }

    private byte[] withLine(int number, String text) {
        var changed = new ArrayList<>(lines);
        changed.set(number - 1, text);
        return gzip(changed);
    }

    private static byte[] gzip(List<String> text) {
        var bytes = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(bytes)) {
            for (String line : text) out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }

    private Dataset read(byte[] file) throws IOException {
        Path path = dir.resolve("corrupt.csv.gz");
        Files.write(path, file);
        return Digits.load(path);
    }

    private void assertRefused(byte[] file, String message) {
        var e = assertThrows(CorruptDataException.class, () -> read(file));
        assertEquals(dir.resolve("corrupt.csv.gz") + message, e.getMessage());
    }
}
