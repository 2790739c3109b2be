package org.graft.models.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.graft.core.Type;
import org.graft.core.check.Tensors;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.models.data.CorruptDataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class NpzTest {
    @TempDir Path dir;

    // what numpy 2.4.6 writes for np.save(f, np.array([[1., 2., 3.], [4., 5., 6.]])): magic,
    // version 1.0, header length 118 (0x76), then the header padded so the data starts at byte 128
    private static final String NUMPY_HEADER_2X3 =
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }                                                          \n";
    private static final String NUMPY_DATA_2X3 =
            "000000000000f03f00000000000000400000000000000840000000000000104000000000000014400000000000001840";
    // and for np.save(f, np.array([[1, 2, 3], [4, 5, 0.1]], dtype=np.float32)): the same header but '<f4'
    private static final String NUMPY_HEADER_2X3_F4 = NUMPY_HEADER_2X3.replace("<f8", "<f4");
    private static final String NUMPY_DATA_2X3_F4 = "0000803f0000004000004040000080400000a040cdcccc3d";
    // and for np.save(f, np.float64(2.5)): no growth padding for a scalar
    private static final String NUMPY_HEADER_SCALAR =
            "{'descr': '<f8', 'fortran_order': False, 'shape': (), }                                                              \n";

    @Test
    void roundTripKeepsScalarsVectorsMatricesRank3AndZeroSizeInOrder() throws IOException {
        var arrays = new LinkedHashMap<String, Tensor>();
        arrays.put("W1", Tensor.matrix(new double[] {1, 2, 3}, new double[] {4, 5, 6}));
        arrays.put("b1", Tensor.vector(0.5, -0.25));
        arrays.put("adam.beta1^t", Tensor.scalar(0.81));
        arrays.put("W1.m", Tensor.of(range(24), 2, 3, 4));
        arrays.put("empty", Tensor.zeros(Shape.of(0, 3)));
        arrays.put("a", Tensor.zeros(Shape.of(0)));
        Path file = dir.resolve("ckpt.npz");
        Npz.write(file, arrays);
        Map<String, Tensor> back = Npz.read(file);
        assertEquals(List.copyOf(arrays.keySet()), List.copyOf(back.keySet()));
        assertEquals(arrays, back);
    }

    @Test
    void roundTripKeepsTheBitsOfNanInfinitiesAndNegativeZero() throws IOException {
        double nanWithPayload = Double.longBitsToDouble(0x7ff8_0000_0000_0123L);
        double[] values = {Double.NaN, nanWithPayload, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0,
            Double.MIN_VALUE, -Double.MAX_VALUE};
        Path file = dir.resolve("special.npz");
        Npz.write(file, Map.of("x", Tensor.vector(values)));
        Tensor back = Npz.read(file).get("x");
        for (int i = 0; i < values.length; i++) {
            assertEquals(Double.doubleToRawLongBits(values[i]), Double.doubleToRawLongBits(back.getFlat(i)), "element " + i);
        }
    }

    @Property(tries = 60)
    void roundTripKeepsEveryBitOfAnyTensor(@ForAll("anyBits") Tensor t) throws IOException {
        // jqwik does not inject @TempDir
        Path file = Files.createTempFile("graft-npz-test", ".npz");
        Tensor back;
        try {
            Npz.write(file, Map.of("t", t));
            back = Npz.read(file).get("t");
        } finally {
            Files.delete(file);
        }
        assertEquals(t.shape(), back.shape());
        for (int i = 0; i < t.size(); i++) {
            assertEquals(Double.doubleToRawLongBits(t.getFlat(i)), Double.doubleToRawLongBits(back.getFlat(i)));
        }
    }

    @Provide
    Arbitrary<Tensor> anyBits() {
        return Tensors.shapes(3, 0, 4).flatMap(shape -> Arbitraries.longs().map(Double::longBitsToDouble)
                .list().ofSize(shape.size())
                .map(list -> Tensor.of(shape, list.stream().mapToDouble(Double::doubleValue).toArray())));
    }

    @Test
    void entryIsByteForByteWhatNumpySaveWrites() throws IOException {
        Path file = dir.resolve("m.npz");
        Npz.write(file, Map.of("m", Tensor.matrix(new double[] {1, 2, 3}, new double[] {4, 5, 6})));
        byte[] expected = concat(prefix(118), NUMPY_HEADER_2X3.getBytes(StandardCharsets.ISO_8859_1), HexFormat.of().parseHex(NUMPY_DATA_2X3));
        assertArrayEquals(expected, entryBytes(file, "m.npy"));
    }

    @Test
    void anF32EntryIsByteForByteWhatNumpySaveWritesForFloat32() throws IOException {
        Path file = dir.resolve("m.npz");
        Npz.write(file, Map.of("m", Tensor.of(DType.F32, Shape.of(2, 3), new double[] {1, 2, 3, 4, 5, 0.1})));
        byte[] expected = concat(prefix(118), NUMPY_HEADER_2X3_F4.getBytes(StandardCharsets.ISO_8859_1),
                HexFormat.of().parseHex(NUMPY_DATA_2X3_F4));
        assertArrayEquals(expected, entryBytes(file, "m.npy"));
    }

    @Test
    void roundTripKeepsEachDtypeAndEveryBitOfF32() throws IOException {
        float nanWithPayload = Float.intBitsToFloat(0x7fc0_0123);
        double[] values = {nanWithPayload, Float.POSITIVE_INFINITY, -0.0, Float.MIN_VALUE, -Float.MAX_VALUE, 0.1f};
        var arrays = new LinkedHashMap<String, Tensor>();
        arrays.put("f32", Tensor.of(DType.F32, Shape.of(6), values));
        arrays.put("f64", Tensor.vector(0.1, 2));
        Path file = dir.resolve("mixed.npz");
        Npz.write(file, arrays);
        Map<String, Tensor> back = Npz.read(file);
        assertEquals(arrays, back);
        assertEquals(DType.F32, back.get("f32").dtype());
        for (int i = 1; i < values.length; i++) { // a float NaN's payload does not survive the double it is held in
            assertEquals(Float.floatToRawIntBits((float) values[i]), Float.floatToRawIntBits((float) back.get("f32").getFlat(i)));
        }
        assertTrue(Double.isNaN(back.get("f32").getFlat(0)));
    }

    @Test
    void scalarHeaderIsWhatNumpySaveWrites() throws IOException {
        Path file = dir.resolve("s.npz");
        Npz.write(file, Map.of("s", Tensor.scalar(2.5)));
        byte[] entry = entryBytes(file, "s.npy");
        byte[] expected = concat(prefix(118), NUMPY_HEADER_SCALAR.getBytes(StandardCharsets.ISO_8859_1));
        assertArrayEquals(expected, Arrays.copyOf(entry, 128));
        assertEquals(136, entry.length);
    }

    @Test
    void dataStartsAtAMultipleOf64ForLongShapes() throws IOException {
        Path file = dir.resolve("long.npz");
        Npz.write(file, Map.of("t", Tensor.zeros(Shape.of(1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2))));
        byte[] entry = entryBytes(file, "t.npy");
        int headerLength = (entry[8] & 0xff) | (entry[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLength) % 64);
        assertEquals('\n', entry[10 + headerLength - 1]);
    }

    @Test
    void entriesAreStoredUncompressedWithAFixedTime() throws IOException {
        Path file = dir.resolve("ckpt.npz");
        Npz.write(file, Map.of("W", Tensor.vector(1, 2)));
        try (var zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry("W.npy");
            assertEquals(ZipEntry.STORED, entry.getMethod());
            assertEquals(LocalDateTime.of(1980, 1, 1, 0, 0, 2), entry.getTimeLocal());
            assertEquals(null, entry.getExtra(), "no extra field, such as a time stamp that depends on the time zone");
        }
    }

    @Test
    void writingTheSameArraysTwiceGivesTheSameBytes() throws IOException {
        var arrays = new LinkedHashMap<String, Tensor>();
        arrays.put("W", Tensor.of(range(12), 3, 4));
        arrays.put("b", Tensor.vector(1, 2, 3));
        Path first = dir.resolve("first.npz"), second = dir.resolve("second.npz");
        Npz.write(first, arrays);
        Npz.write(second, arrays);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void theBytesDoNotDependOnTheTimeZone() throws IOException {
        TimeZone saved = TimeZone.getDefault();
        Path utc = dir.resolve("utc.npz"), pacific = dir.resolve("pacific.npz");
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
            Npz.write(utc, Map.of("W", Tensor.vector(1, 2)));
            TimeZone.setDefault(TimeZone.getTimeZone("America/Los_Angeles"));
            Npz.write(pacific, Map.of("W", Tensor.vector(1, 2)));
        } finally {
            TimeZone.setDefault(saved);
        }
        assertArrayEquals(Files.readAllBytes(utc), Files.readAllBytes(pacific));
    }

    @Test
    void readsWhatNumpySavezWroteConvertingEachDtype() throws IOException {
        assertNumpyArrays(Npz.read(resource("savez.npz")));
    }

    @Test
    void readsWhatNumpySavezCompressedWrote() throws IOException {
        assertNumpyArrays(Npz.read(resource("savez_compressed.npz")));
    }

    /** The arrays of savez.npz and savez_compressed.npz, made with NumPy 2.4.6. */
    private static void assertNumpyArrays(Map<String, Tensor> a) {
        assertEquals(List.of("W1", "W1.m", "adam.beta1^t", "step", "labels", "pixels", "mask", "empty"), List.copyOf(a.keySet()));
        assertEquals(Tensor.matrix(new double[] {1.5, -2.0, 3.0}, new double[] {0.25, -0.0, Double.POSITIVE_INFINITY}), a.get("W1"));
        assertEquals(Tensor.of(DType.F32, Shape.of(3), new double[] {0.5, -1.25, 0.1}), a.get("W1.m")); // '<f4', as f32
        assertEquals(Tensor.scalar(0.81), a.get("adam.beta1^t"));
        assertEquals(Tensor.scalar(7), a.get("step"));                               // '<i8'
        assertEquals(Tensor.vector(-3, 0, Integer.MAX_VALUE), a.get("labels"));      // '<i4'
        assertEquals(Tensor.matrix(new double[] {0, 128}, new double[] {255, 1}), a.get("pixels")); // '|u1', unsigned
        assertEquals(Tensor.vector(1, 0, 1), a.get("mask"));                         // '|b1'
        assertEquals(Tensor.zeros(Shape.of(0, 4)), a.get("empty"));
    }

    @Test
    void anExistingFileIsReplacedAndNoTemporaryFileIsLeft() throws IOException {
        Path file = dir.resolve("ckpt.npz");
        Files.writeString(file, "an old checkpoint");
        Npz.write(file, Map.of("W", Tensor.vector(3, 4)));
        assertEquals(Tensor.vector(3, 4), Npz.read(file).get("W"));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    // ---- refusals when writing ------------------------------------------------------------

    @Test
    void anEmptyNameIsRefusedAndNothingIsWritten() {
        Path file = dir.resolve("ckpt.npz");
        var e = assertThrows(IllegalArgumentException.class, () -> Npz.write(file, Map.of("", Tensor.scalar(1))));
        assertEquals("array name: expected a non-empty name without '/', found an empty name", e.getMessage());
        assertFalse(Files.exists(file));
    }

    @Test
    void aNameWithASlashIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Npz.write(dir.resolve("ckpt.npz"), Map.of("layer/W", Tensor.scalar(1))));
        assertEquals("array name: expected a non-empty name without '/', found \"layer/W\"", e.getMessage());
    }

    // ---- refusals when reading ------------------------------------------------------------

    @Test
    void aTruncatedFileIsRefused() throws IOException {
        Path file = dir.resolve("ckpt.npz");
        Npz.write(file, Map.of("W", Tensor.of(range(100), 10, 10)));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        var e = assertThrows(CorruptDataException.class, () -> Npz.read(file));
        assertTrue(e.detail().startsWith("expected a zip archive (an .npz) that ends with its directory, found a zip archive cut short (is it truncated?)"),
                e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    }

    @Test
    void anEmptyFileIsRefused() throws IOException {
        Path file = Files.createFile(dir.resolve("empty.npz"));
        var e = assertThrows(CorruptDataException.class, () -> Npz.read(file));
        assertTrue(e.detail().contains("found an empty file"), e.getMessage());
    }

    @Test
    void aSingleNpyFileIsRefusedAsOne() throws IOException {
        Path file = dir.resolve("w.npz");
        Files.write(file, npy(NUMPY_HEADER_SCALAR, new byte[8]));
        var e = assertThrows(CorruptDataException.class, () -> Npz.read(file));
        assertTrue(e.detail().contains("found a single .npy array"), e.getMessage());
    }

    @Test
    void anEntryThatIsNotAnArrayIsRefused() throws IOException {
        Path file = zip(Map.of("README.txt", "hello".getBytes(StandardCharsets.US_ASCII)));
        assertDetail("entry 'README.txt': expected only arrays, entries named NAME.npy, found another file", file);
    }

    @Test
    void anEntryWithABadMagicIsRefused() throws IOException {
        Path file = zip(Map.of("w.npy", "PK not numpy".getBytes(StandardCharsets.US_ASCII)));
        assertDetail("entry 'w.npy': expected an .npy array, starting with the bytes 93 4e 55 4d 50 59 (\\x93NUMPY), "
                + "found the bytes 50 4b 20 6e 6f 74", file);
    }

    @Test
    void anUnknownFormatVersionIsRefused() throws IOException {
        byte[] bytes = npy(NUMPY_HEADER_SCALAR, new byte[8]);
        bytes[6] = 4;
        assertDetail("entry 'w.npy': expected .npy format version 1.0, 2.0 or 3.0, found 4.0", zip(Map.of("w.npy", bytes)));
    }

    @Test
    void aHeaderThatDoesNotParseIsRefused() throws IOException {
        Path file = zip(Map.of("w.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3}\n", new byte[48])));
        var e = assertThrows(CorruptDataException.class, () -> Npz.read(file));
        assertTrue(e.detail().startsWith("entry 'w.npy': header: expected ',' at character 56 of {'descr'"), e.getMessage());
        assertTrue(e.detail().endsWith("found \"}\\n\""), e.getMessage());
    }

    @Test
    void aHeaderWithoutTheShapeIsRefused() throws IOException {
        Path file = zip(Map.of("w.npy", npy("{'descr': '<f8', 'fortran_order': False}\n", new byte[8])));
        assertDetail("entry 'w.npy': header: expected the keys 'descr', 'fortran_order' and 'shape', found {'descr', 'fortran_order'}", file);
    }

    @Test
    void aHeaderThatIsCutShortIsRefused() throws IOException {
        byte[] bytes = Arrays.copyOf(npy(NUMPY_HEADER_SCALAR, new byte[0]), 60);
        assertDetail("entry 'w.npy': expected a header of 118 bytes, found 50", zip(Map.of("w.npy", bytes)));
    }

    @Test
    void dataShorterThanTheShapeIsRefused() throws IOException {
        Path file = zip(Map.of("w.npy", npy(NUMPY_HEADER_2X3, new byte[40])));
        assertDetail("entry 'w.npy': expected an entry of 176 bytes (a header of 128, then data for shape (2, 3) of '<f8'), "
                + "found a size of 168 in the zip directory", file);
    }

    @Test
    void moreElementsThanATensorHoldsAreRefused() throws IOException {
        String huge = "{'descr': '|u1', 'fortran_order': False, 'shape': (65536, 65536, 65536), }\n";
        assertDetail("entry 'w.npy': expected at most 2147483647 elements, counting the dims from the left, found shape (65536, 65536, 65536)",
                zip(Map.of("w.npy", npy(huge, new byte[0]))));
        String empty = "{'descr': '|u1', 'fortran_order': False, 'shape': (65536, 65536, 0), }\n";
        assertDetail("entry 'w.npy': expected at most 2147483647 elements, counting the dims from the left, found shape (65536, 65536, 0)",
                zip(Map.of("w.npy", npy(empty, new byte[0]))));
        String fine = "{'descr': '|u1', 'fortran_order': False, 'shape': (0, 65536, 65536), }\n";
        assertEquals(Shape.of(0, 65536, 65536), Npz.read(zip(Map.of("w.npy", npy(fine, new byte[0])))).get("w").shape());
    }

    @Test
    void dataLongerThanTheShapeIsRefused() throws IOException {
        Path file = zip(Map.of("w.npy", npy(NUMPY_HEADER_2X3, new byte[56])));
        assertDetail("entry 'w.npy': expected an entry of 176 bytes (a header of 128, then data for shape (2, 3) of '<f8'), "
                + "found a size of 184 in the zip directory", file);
    }

    @Test
    void anArrayInFortranOrderIsRefused() throws IOException {
        assertDetail("entry 'w.npy': expected an array in C order (fortran_order False), found fortran_order True", resource("fortran.npz"));
    }

    @Test
    void aBigEndianArrayIsRefused() throws IOException {
        assertDetail("entry 'w.npy': expected the dtype '<f8', '<f4', '<i8', '<i4', '|u1', '|b1', found '>f8', big-endian", resource("big_endian.npz"));
    }

    @Test
    void anObjectArrayIsRefused() throws IOException {
        assertDetail("entry 'w.npy': expected the dtype '<f8', '<f4', '<i8', '<i4', '|u1', '|b1', "
                + "found '|O', an object array (pickled Python objects)", resource("object.npz"));
    }

    @Test
    void aComplexArrayIsRefused() throws IOException {
        assertDetail("entry 'w.npy': expected the dtype '<f8', '<f4', '<i8', '<i4', '|u1', '|b1', found '<c16'", resource("complex.npz"));
    }

    @Test
    void anArrayNamedTwiceIsRefused() throws IOException {
        assertDetail("entry 'w.npy': expected each array once, found 'w' twice", resource("duplicate.npz"));
    }

    @Test
    void anEntryNamedWithASlashIsRefused() throws IOException {
        Path file = zip(Map.of("layer/W.npy", npy(NUMPY_HEADER_SCALAR, new byte[8])));
        assertDetail("entry 'layer/W.npy': expected an array name that is not empty and has no '/', found \"layer/W\"", file);
    }

    @Test
    void damagedStoredDataIsRefusedByItsChecksum() throws IOException {
        Path file = dir.resolve("ckpt.npz");
        Npz.write(file, Map.of("W", Tensor.vector(1, 2, 3)));
        byte[] bytes = Files.readAllBytes(file);
        int at = indexOf(bytes, HexFormat.of().parseHex("000000000000f03f"));   // the 1.0
        bytes[at + 7] = 0x40;                                                   // now 2.0
        Files.write(file, bytes);
        var e = assertThrows(CorruptDataException.class, () -> Npz.read(file));
        assertTrue(e.detail().startsWith("entry 'W.npy': expected data with CRC-32 "), e.getMessage());
        assertTrue(e.detail().endsWith("(the file is damaged)"), e.getMessage());
    }

    @Test
    void damagedDeflatedDataIsRefusedNamingTheEntry() throws IOException {
        byte[] bytes = Files.readAllBytes(resource("savez_compressed.npz"));
        // the first entry's deflate stream starts after the local header (30 bytes and the name W1.npy)
        for (int i = 30 + 6 + 10; i < 30 + 6 + 40; i++) bytes[i] ^= 0x5a;
        Path file = dir.resolve("damaged.npz");
        Files.write(file, bytes);
        var e = assertThrows(CorruptDataException.class, () -> Npz.read(file));
        assertTrue(e.detail().startsWith("entry 'W1.npy': expected "), e.getMessage());
    }

    // ---- refusals of what the reader does not expect, before any data is read ---------------

    @Test
    void aShapeOtherThanTheExpectedIsRefusedBeforeItsDataIsRead() throws IOException {
        // a header of 3.2 GB over 8 bytes, the zip directory agreeing with the header: the
        // shape is refused from the header, where reading would find only 8 bytes
        String huge = "{'descr': '<f8', 'fortran_order': False, 'shape': (20000, 20000), }\n";
        Path file = zip(Map.of("W1.npy", npy(huge, new byte[8])));
        declareSize(file, "W1.npy", 10L + huge.length() + 20000L * 20000 * 8);
        var e = assertThrows(CorruptDataException.class, () -> Npz.read(file, Map.of("W1", Type.f64(64, 8))));
        assertEquals("entry 'W1.npy': expected shape (64, 8), found (20000, 20000)", e.detail());
        assertEquals(file + ": entry 'W1.npy': expected shape (64, 8), found (20000, 20000)", e.getMessage());
    }

    @Test
    void aDtypeOtherThanTheExpectedIsRefused() throws IOException {
        Path file = zip(Map.of("m.npy", npy(NUMPY_HEADER_2X3_F4, HexFormat.of().parseHex(NUMPY_DATA_2X3_F4))));
        var e = assertThrows(CorruptDataException.class, () -> Npz.read(file, Map.of("m", Type.f64(2, 3))));
        assertEquals("entry 'm.npy': expected dtype '<f8', found '<f4'", e.detail());
        assertEquals(Tensor.of(DType.F32, Shape.of(2, 3), new double[] {1, 2, 3, 4, 5, 0.1}),
                Npz.read(file, Map.of("m", Type.f32(2, 3))).get("m"));
    }

    @Test
    void anIntegerArrayIsNotWhatAnF64ArrayIsExpectedToBe() throws IOException {
        // savez.npz's 'step' is '<i8': read(file) converts it, an expectation of f64 wants what write writes
        Path file = resource("savez.npz");
        var expected = new LinkedHashMap<String, Type>();
        for (var e : Npz.read(file).entrySet()) expected.put(e.getKey(), Type.of(e.getValue()));
        var e = assertThrows(CorruptDataException.class, () -> Npz.read(file, expected));
        assertEquals("entry 'step.npy': expected dtype '<f8', found '<i8'", e.detail());
    }

    @Test
    void anArrayThatIsNotExpectedIsRefusedByItsName() throws IOException {
        Path file = dir.resolve("ckpt.npz");
        Npz.write(file, Map.of("W", Tensor.vector(1, 2)));
        var e = assertThrows(CorruptDataException.class, () -> Npz.read(file, Map.of("V", Type.f64(2))));
        assertEquals("entry 'W.npy': expected only the arrays 'V', found 'W'", e.detail());
    }

    @Test
    void anExpectedArrayThatIsMissingIsRefused() throws IOException {
        Path file = dir.resolve("ckpt.npz");
        Npz.write(file, Map.of("W", Tensor.vector(1, 2)));
        var expected = new LinkedHashMap<String, Type>();
        expected.put("W", Type.f64(2));
        expected.put("b", Type.f64());
        var e = assertThrows(CorruptDataException.class, () -> Npz.read(file, expected));
        assertEquals("expected an array 'b' (an entry 'b.npy'), found none", e.detail());
    }

    @Test
    void theExpectedArraysAreReadInTheOrderOfTheFile() throws IOException {
        var arrays = new LinkedHashMap<String, Tensor>();
        arrays.put("W", Tensor.of(DType.F32, Shape.of(2, 2), new double[] {1, 2, 3, 4}));
        arrays.put("graft.epoch", Tensor.scalar(3));
        Path file = dir.resolve("ckpt.npz");
        Npz.write(file, arrays);
        var expected = new LinkedHashMap<String, Type>();
        expected.put("graft.epoch", Type.f64());
        expected.put("W", Type.f32(2, 2));
        assertEquals(arrays, Npz.read(file, expected));
        assertEquals(List.of("W", "graft.epoch"), List.copyOf(Npz.read(file, expected).keySet()));
    }

    @Test
    void aTruncatedFileIsRefusedWhateverIsExpected() throws IOException {
        Path file = dir.resolve("ckpt.npz");
        Npz.write(file, Map.of("W", Tensor.of(range(100), 10, 10)));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 30));
        var e = assertThrows(CorruptDataException.class, () -> Npz.read(file, Map.of("W", Type.f64(10, 10))));
        assertTrue(e.detail().startsWith("expected a zip archive (an .npz) that ends with its directory, found a zip archive cut short"),
                e.getMessage());
    }

    // ---- the zip directory's sizes ------------------------------------------------------------

    @Test
    void aHeaderLargerThanItsEntryIsRefusedBeforeItsDataIsRead() throws IOException {
        String header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2000000000,), }\n";
        Path file = zip(Map.of("w.npy", npy(header, new byte[8])));
        assertDetail("entry 'w.npy': expected an entry of 16000000077 bytes (a header of 77, then data for shape (2000000000,) "
                + "of '<f8'), found a size of 85 in the zip directory", file);
    }

    @Test
    void anEntryThatHoldsMoreThanItsDirectoryDeclaresIsReadNoFurther() throws IOException {
        // 48 bytes of data as the header says, then 10 MB more (10 KB deflated); the directory
        // declares the size the header implies, so the reader must stop there rather than inflate it all
        byte[] data = concat(HexFormat.of().parseHex(NUMPY_DATA_2X3), new byte[10 << 20]);
        Path file = zip(Map.of("w.npy", npy(NUMPY_HEADER_2X3, data)));
        assertTrue(Files.size(file) < 20_000, "a small file: " + Files.size(file));
        declareSize(file, "w.npy", 128 + 48);
        assertDetail("entry 'w.npy': expected 48 bytes of data for shape (2, 3) of '<f8', the size the zip directory declares, "
                + "found more", file);
    }

    @Test
    void anEntryThatHoldsLessThanItsDirectoryDeclaresIsRefused() throws IOException {
        Path file = zip(Map.of("w.npy", npy(NUMPY_HEADER_2X3, new byte[40])));
        declareSize(file, "w.npy", 128 + 48);
        assertDetail("entry 'w.npy': expected 48 bytes of data for shape (2, 3) of '<f8', found 40", file);
    }

    @Test
    void aMissingFileIsNotCalledCorrupt() {
        var e = assertThrows(IOException.class, () -> Npz.read(dir.resolve("missing.npz")));
        assertFalse(e instanceof CorruptDataException);
    }

    // ---- helpers ---------------------------------------------------------------------------

    private void assertDetail(String expected, Path file) {
        var e = assertThrows(CorruptDataException.class, () -> Npz.read(file));
        assertEquals(expected, e.detail());
        assertEquals(file.toString(), e.pos().file());
    }

    private Path resource(String name) throws IOException {
        Path file = dir.resolve(name);
        try (InputStream in = NpzTest.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException(name + " is missing from the test resources");
            Files.copy(in, file);
        }
        return file;
    }

    /** A zip of the given entries, deflated, in the iteration order of {@code entries}. */
    private Path zip(Map<String, byte[]> entries) throws IOException {
        Path file = Files.createTempFile(dir, "crafted", ".npz");
        try (var out = new ZipOutputStream(Files.newOutputStream(file))) {
            for (var e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return file;
    }

    /**
     * Makes the zip directory declare {@code size} bytes for {@code entry} once uncompressed,
     * whatever it holds: the central directory's "uncompressed size" field, which ZipFile reads.
     */
    private static void declareSize(Path file, String entry, long size) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        byte[] signature = {'P', 'K', 1, 2};
        byte[] name = entry.getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at + 46 + name.length <= bytes.length; at++) {
            if (Arrays.equals(bytes, at, at + 4, signature, 0, 4) && Arrays.equals(bytes, at + 46, at + 46 + name.length, name, 0, name.length)) {
                for (int i = 0; i < 4; i++) bytes[at + 24 + i] = (byte) (size >>> 8 * i);
                Files.write(file, bytes);
                return;
            }
        }
        throw new AssertionError("no directory entry " + entry + " in " + file);
    }

    /** An .npy file, version 1.0, with {@code header} as its header text, as is. */
    private static byte[] npy(String header, byte[] data) {
        return concat(prefix(header.length()), header.getBytes(StandardCharsets.ISO_8859_1), data);
    }

    private static byte[] prefix(int headerLength) {
        return concat(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) headerLength, (byte) (headerLength >> 8)});
    }

    private static byte[] entryBytes(Path file, String entry) throws IOException {
        try (var zip = new ZipFile(file.toFile()); var in = zip.getInputStream(zip.getEntry(entry))) {
            return in.readAllBytes();
        }
    }

    private static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found: " + HexFormat.of().formatHex(needle));
    }

    private static double[] range(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i;
        return x;
    }
}
