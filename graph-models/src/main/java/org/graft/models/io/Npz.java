package org.graft.models.io;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.graft.core.Type;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.models.data.CorruptDataException;

/**
 * Named arrays in NumPy's {@code .npz} format, the checkpoint format of Graft: a zip archive
 * holding one {@code NAME.npy} per array. {@code numpy.load(file)} opens what {@link #write}
 * writes, and {@link #read} opens what {@code numpy.savez} and {@code numpy.savez_compressed}
 * write.
 *
 * <p>Names are kept as given and may hold dots and carets ({@code W1}, {@code W1.m},
 * {@code adam.beta1^t}); a name must not be empty or contain {@code /}, which the zip would
 * read as a directory.
 */
public final class Npz {
    private Npz() {}

    private static final String SUFFIX = ".npy";

    // A fixed time makes equal arrays give equal files. Set as a local date-time it is stored
    // as is, whatever the machine's time zone, but not 1980-01-01 00:00:00, the first time a zip
    // can hold: the JDK reads that as "before 1980" and adds an extra field with the instant,
    // which depends on the time zone. Two seconds later is the next time the zip can hold.
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 1, 1, 0, 0, 2);

    private static final int CHUNK = 1 << 16;            // bytes encoded or decoded at a time; a multiple of 8
    private static final int MAX_HEADER = 1 << 16;       // NumPy itself refuses headers over 10,000 characters
    private static final int MAGIC_AND_VERSION = NpyHeader.MAGIC.length + 2;

    /**
     * Writes {@code arrays} to {@code file} as an uncompressed {@code .npz}, one entry
     * {@code NAME.npy} per array in the map's iteration order (pass a {@code LinkedHashMap} or
     * a {@code TreeMap}, not {@code Map.of}, for a file that is the same from run to run).
     * Each entry is {@code .npy} format 1.0, C order, with the header bytes {@code numpy.save}
     * writes, of {@code '<f8'} for an f64 tensor and {@code '<f4'} for an f32 one; the bits of
     * every value are kept, {@code -0.0} and NaN included.
     *
     * <p>The file is written whole to a temporary file beside it and then renamed over it
     * ({@link AtomicFile}), so a crash never leaves a half-written checkpoint. Equal arrays in
     * the same order give the same bytes: the entries carry a fixed time.
     *
     * @throws IllegalArgumentException for a name that is empty or contains {@code /}; nothing is written
     */
    public static void write(Path file, Map<String, Tensor> arrays) throws IOException {
        for (var e : arrays.entrySet()) {
            String problem = problemWith(e.getKey());
            if (problem != null) throw new IllegalArgumentException("array name: expected a non-empty name without '/', found " + problem);
            Objects.requireNonNull(e.getValue(), () -> "array '" + e.getKey() + "' is null");
        }
        var entries = List.copyOf(arrays.entrySet());
        AtomicFile.write(file, out -> {
            var zip = new ZipOutputStream(out);
            for (var e : entries) {
                Tensor t = e.getValue();
                Dtype dtype = Dtype.of(t.dtype());
                byte[] header = NpyHeader.of(dtype.descr, t.shape().dims());
                // a stored entry names its size and CRC before its data: one pass to sum, one to write
                var crc = new CRC32();
                crc.update(header);
                encode(t, dtype, crc::update);
                long size = header.length + (long) dtype.size * t.size();
                var entry = new ZipEntry(e.getKey() + SUFFIX);
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(size);
                entry.setCompressedSize(size);
                entry.setCrc(crc.getValue());
                entry.setTimeLocal(ENTRY_TIME);
                zip.putNextEntry(entry);
                zip.write(header);
                encode(t, dtype, zip::write);
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    /**
     * Reads every array of an {@code .npz}, in the order of its entries, named without
     * {@code .npy}. Entries may be stored or deflated. The dtypes {@code '<f8'}, {@code '<f4'},
     * {@code '<i8'}, {@code '<i4'}, {@code '|u1'} and {@code '|b1'} are read: {@code '<f4'} as
     * an f32 tensor, the others converted to f64 (integers beyond 2<sup>53</sup> are rounded;
     * booleans are 0 and 1); the data must be in C order. The file is read whole before
     * anything is returned.
     *
     * <p>An array is as large as its header says, up to the largest tensor; the zip directory
     * must declare the size that header implies, and no more than that is read. A file from
     * elsewhere can still declare, honestly, an array larger than the memory at hand (a few
     * megabytes of deflated zeros hold gigabytes): read such a file with
     * {@link #read(Path, Map)}, which refuses what it does not expect before allocating.
     *
     * @throws CorruptDataException for a file that is not a whole zip archive (truncated, say),
     *     a damaged entry, an entry that is not an {@code .npy} array, a bad magic, a header that
     *     does not parse, data shorter or longer than its shape, an entry whose declared size
     *     is not that of its header and data, a repeated or invalid name, and for arrays Graft
     *     does not read: Fortran order, big-endian data, object arrays and any other dtype. The
     *     message names the file and the entry, what was expected and what was found.
     */
    public static Map<String, Tensor> read(Path file) throws IOException { return read(file, null); }

    /**
     * Reads exactly the arrays {@code expected} names, each of its type: the file is untrusted,
     * so every entry's name, dtype and shape are compared with what is expected before any of
     * its data is read or any memory is allocated for it. An f64 array must be {@code '<f8'}
     * and an f32 one {@code '<f4'}, the dtypes {@link #write} writes; a type's dims must all be
     * known. The arrays come back in the order of the file's entries.
     *
     * <p>With {@code expected} null, every array is read, as {@link #read(Path)} does.
     *
     * @throws CorruptDataException for everything {@link #read(Path)} refuses, and for an entry
     *     that {@code expected} does not name, an array it names that the file lacks, and an
     *     array of another dtype or shape, naming the file, the entry, what was expected and
     *     what was found
     */
    public static Map<String, Tensor> read(Path file, Map<String, Type> expected) throws IOException {
        String source = file.toString();
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new CorruptDataException(source, "expected a zip archive (an .npz) that ends with its directory, found "
                    + notAZip(file) + " (" + e.getMessage() + ")");
        }
        try (zip) {
            // the directory first: a file that holds other arrays is refused before any data is read
            var entries = new LinkedHashMap<String, ZipEntry>();
            for (var all = zip.entries(); all.hasMoreElements(); ) {
                ZipEntry entry = all.nextElement();
                String name = name(entry, source);
                if (entries.containsKey(name)) {
                    throw new CorruptDataException(source, "entry '" + entry.getName() + "': expected each array once, found '"
                            + name + "' twice");
                }
                if (expected != null && !expected.containsKey(name)) {
                    throw new CorruptDataException(source, "entry '" + entry.getName() + "': expected only the arrays "
                            + list(expected.keySet()) + ", found '" + name + "'");
                }
                entries.put(name, entry);
            }
            if (expected != null) {
                for (String name : expected.keySet()) {
                    if (!entries.containsKey(name)) {
                        throw new CorruptDataException(source, "expected an array '" + name + "' (an entry '" + name + SUFFIX
                                + "'), found none");
                    }
                }
            }
            var arrays = new LinkedHashMap<String, Tensor>();
            for (var e : entries.entrySet()) {
                arrays.put(e.getKey(), entry(zip, e.getValue(), source, expected == null ? null : expected.get(e.getKey())));
            }
            return arrays;
        }
    }

    /** Names in quotes, the first few of them when there are many. */
    private static String list(Collection<String> names) {
        int shown = 8;
        String quoted = names.stream().limit(shown).map(n -> "'" + n + "'").collect(Collectors.joining(", "));
        return names.size() <= shown ? quoted : quoted + " and " + (names.size() - shown) + " more";
    }

    /** Why a name cannot be an array's name, quoted; null when it can. */
    private static String problemWith(String name) {
        if (name == null) return "null";
        if (name.isEmpty()) return "an empty name";
        if (name.indexOf('/') >= 0) return "\"" + name + "\"";
        return null;
    }

    private static String name(ZipEntry entry, String source) throws CorruptDataException {
        String entryName = entry.getName();
        if (entry.isDirectory() || !entryName.endsWith(SUFFIX)) {
            throw new CorruptDataException(source, "entry '" + entryName + "': expected only arrays, entries named NAME.npy, found "
                    + (entry.isDirectory() ? "a directory" : "another file"));
        }
        String name = entryName.substring(0, entryName.length() - SUFFIX.length());
        String problem = problemWith(name);
        if (problem != null) {
            throw new CorruptDataException(source, "entry '" + entryName + "': expected an array name that is not empty and has no '/', found " + problem);
        }
        return name;
    }

    private static Tensor entry(ZipFile zip, ZipEntry entry, String source, Type expected) throws IOException {
        String where = "entry '" + entry.getName() + "': ";
        var crc = new CRC32();
        Tensor t;
        // no more than the directory declares is inflated, whatever the data holds
        try (InputStream in = new CheckedInputStream(new Bounded(zip.getInputStream(entry), entry.getSize()), crc)) {
            t = npy(in, entry.getSize(), source, where, expected);
        } catch (ZipException | EOFException e) {
            throw new CorruptDataException(source, where + "expected intact " + method(entry) + " data, found damaged data ("
                    + e.getMessage() + ")");
        }
        if (entry.getCrc() != -1 && crc.getValue() != entry.getCrc()) {
            throw new CorruptDataException(source, where + String.format("expected data with CRC-32 %08x, found %08x (the file is damaged)",
                    entry.getCrc(), crc.getValue()));
        }
        return t;
    }

    /**
     * One .npy array, read to its end, from an entry whose directory declares {@code declared}
     * bytes (-1: unknown), of the type {@code expected} (null: any).
     */
    private static Tensor npy(InputStream in, long declared, String source, String where, Type expected) throws IOException {
        byte[] magic = in.readNBytes(NpyHeader.MAGIC.length);
        if (!Arrays.equals(magic, NpyHeader.MAGIC)) {
            throw new CorruptDataException(source, where + "expected an .npy array, starting with the bytes 93 4e 55 4d 50 59 (\\x93NUMPY), found "
                    + (magic.length == 0 ? "no bytes" : "the bytes " + hex(magic)));
        }
        int major = in.read(), minor = in.read();
        if (major < 1 || major > 3 || minor != 0) {
            throw new CorruptDataException(source, where + "expected .npy format version 1.0, 2.0 or 3.0, found "
                    + (minor < 0 ? "the end of the entry" : major + "." + minor));
        }
        byte[] length = in.readNBytes(major == 1 ? 2 : 4);
        if (length.length < (major == 1 ? 2 : 4)) throw new CorruptDataException(source, where + "expected the header length, found the end of the entry");
        long headerLength = 0;
        for (int i = length.length - 1; i >= 0; i--) headerLength = headerLength << 8 | (length[i] & 0xff);
        if (headerLength > MAX_HEADER) {
            throw new CorruptDataException(source, where + "expected a header of at most " + MAX_HEADER + " bytes, found a length of " + headerLength);
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw new CorruptDataException(source, where + "expected a header of " + headerLength + " bytes, found " + headerBytes.length);
        }
        NpyHeader header;
        try {
            header = NpyHeader.parse(new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1));
        } catch (IllegalArgumentException e) {
            throw new CorruptDataException(source, where + "header: " + e.getMessage());
        }
        Dtype dtype = dtype(header.descr, source, where);
        if (expected != null) {
            Dtype wanted = Dtype.of(expected.dtype());
            if (dtype != wanted) throw new CorruptDataException(source, where + "expected dtype '" + wanted.descr + "', found '" + dtype.descr + "'");
            int[] shape = expected.shape().dims();
            if (!Arrays.equals(shape, header.shape)) {
                throw new CorruptDataException(source, where + "expected shape " + NpyHeader.tuple(shape) + ", found "
                        + NpyHeader.tuple(header.shape));
            }
        }
        if (header.fortranOrder) {
            throw new CorruptDataException(source, where + "expected an array in C order (fortran_order False), found fortran_order True");
        }
        // Shape multiplies the dims in int from the left, so every partial product must fit,
        // even one that a later 0 would bring back down; each factor is below 2^31, so none overflows a long
        long count = 1;
        for (int d : header.shape) {
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw new CorruptDataException(source, where + "expected at most " + Integer.MAX_VALUE
                        + " elements, counting the dims from the left, found shape " + NpyHeader.tuple(header.shape));
            }
        }
        long bytes = count * dtype.size;
        long whole = MAGIC_AND_VERSION + length.length + headerLength + bytes;
        if (declared >= 0 && declared != whole) {
            throw new CorruptDataException(source, where + "expected an entry of " + whole + " bytes (a header of "
                    + (whole - bytes) + ", then data for shape " + NpyHeader.tuple(header.shape) + " of '" + dtype.descr
                    + "'), found a size of " + declared + " in the zip directory");
        }
        // grown as the data arrives, so that a header claiming a huge shape over a short entry
        // is refused for its length rather than by running out of memory
        double[] data = new double[(int) Math.min(count, CHUNK)];
        var buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        int i = 0;
        for (long left = bytes; left > 0; ) {
            int n = (int) Math.min(CHUNK, left);
            int got = in.readNBytes(buffer.array(), 0, n);
            if (got < n) {
                throw new CorruptDataException(source, where + "expected " + bytes + " bytes of data for shape " + NpyHeader.tuple(header.shape)
                        + " of '" + dtype.descr + "', found " + (bytes - left + got));
            }
            if (i + n / dtype.size > data.length) data = Arrays.copyOf(data, (int) Math.min(count, 2L * data.length + n));
            buffer.clear().limit(n);
            while (buffer.hasRemaining()) data[i++] = dtype.decode(buffer);
            left -= n;
        }
        if (in.read() >= 0) { // only where the directory lies: it declared what the header implies
            throw new CorruptDataException(source, where + "expected " + bytes + " bytes of data for shape " + NpyHeader.tuple(header.shape)
                    + " of '" + dtype.descr + "', the size the zip directory declares, found more");
        }
        return Tensor.of(dtype == Dtype.F4 ? DType.F32 : DType.F64, Shape.of(header.shape), data);
    }

    /** The dtypes Graft reads: little-endian, plain numbers. */
    private enum Dtype {
        F8("<f8", 8) { double decode(ByteBuffer b) { return b.getDouble(); } },
        F4("<f4", 4) { double decode(ByteBuffer b) { return b.getFloat(); } },
        I8("<i8", 8) { double decode(ByteBuffer b) { return b.getLong(); } },
        I4("<i4", 4) { double decode(ByteBuffer b) { return b.getInt(); } },
        U1("|u1", 1) { double decode(ByteBuffer b) { return b.get() & 0xff; } },
        B1("|b1", 1) { double decode(ByteBuffer b) { return b.get() != 0 ? 1 : 0; } };

        final String descr;
        final int size;

        Dtype(String descr, int size) {
            this.descr = descr;
            this.size = size;
        }

        /** How {@link #write} writes a tensor of {@code dtype}. */
        static Dtype of(DType dtype) { return dtype == DType.F32 ? F4 : F8; }

        abstract double decode(ByteBuffer b);
    }

    private static Dtype dtype(String descr, String source, String where) throws CorruptDataException {
        for (Dtype d : Dtype.values()) if (d.descr.equals(descr)) return d;
        String known = Arrays.stream(Dtype.values()).map(d -> "'" + d.descr + "'").collect(Collectors.joining(", "));
        String found;
        if (descr == null) found = "a structured dtype";
        else if (descr.startsWith(">")) found = "'" + descr + "', big-endian";
        else if (descr.endsWith("O")) found = "'" + descr + "', an object array (pickled Python objects)";
        else found = "'" + descr + "'";
        throw new CorruptDataException(source, where + "expected the dtype " + known + ", found " + found);
    }

    /** What a file that is not a zip archive holds, from its first bytes. */
    private static String notAZip(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] start = in.readNBytes(NpyHeader.MAGIC.length);
            if (start.length == 0) return "an empty file";
            if (Arrays.equals(start, NpyHeader.MAGIC)) return "a single .npy array";
            if (start.length >= 4 && start[0] == 'P' && start[1] == 'K') return "a zip archive cut short (is it truncated?)";
            return "a file starting with the bytes " + hex(start);
        } catch (IOException e) {
            return "a file that cannot be read";
        }
    }

    private static String method(ZipEntry entry) { return entry.getMethod() == ZipEntry.DEFLATED ? "deflated" : "stored"; }

    private static String hex(byte[] bytes) {
        var sb = new StringBuilder();
        for (byte b : bytes) sb.append(sb.length() == 0 ? "" : " ").append(String.format("%02x", b & 0xff));
        return sb.toString();
    }

    /**
     * An entry's data up to the size its zip directory declares, and one byte more, so that a
     * reader can tell that it goes on without inflating the rest (a few megabytes of deflated
     * zeros hold gigabytes). A limit below 0 is none.
     */
    private static final class Bounded extends FilterInputStream {
        private long left;

        Bounded(InputStream in, long declared) {
            super(in);
            left = declared < 0 ? Long.MAX_VALUE : declared + 1;
        }

        @Override
        public int read() throws IOException {
            if (left == 0) return -1;
            int b = in.read();
            if (b >= 0) left--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) left -= n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(Math.min(n, left));
            left -= skipped;
            return skipped;
        }

        @Override
        public int available() throws IOException { return (int) Math.min(in.available(), left); }
    }

    @FunctionalInterface
    private interface Sink {
        void accept(byte[] bytes, int offset, int length) throws IOException;
    }

    /**
     * The values of {@code t} as little-endian {@code '<f8'} or {@code '<f4'}, bit for bit (an
     * f32 tensor's values are floats already), a chunk at a time.
     */
    private static void encode(Tensor t, Dtype dtype, Sink sink) throws IOException {
        var buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < t.size(); i++) {
            if (!buffer.hasRemaining()) {
                sink.accept(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            if (dtype == Dtype.F4) buffer.putInt(Float.floatToRawIntBits((float) t.getFlat(i)));
            else buffer.putLong(Double.doubleToRawLongBits(t.getFlat(i)));
        }
        if (buffer.position() > 0) sink.accept(buffer.array(), 0, buffer.position());
    }
}
