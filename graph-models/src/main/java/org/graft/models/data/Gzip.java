package org.graft.models.data;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import org.graft.core.SourcePos;

/** Gzip for the loaders: a damaged stream becomes a {@link CorruptDataException} saying what was expected. */
final class Gzip {
    private Gzip() {}

    /** Whether {@code bytes} start as a gzip file does, with 1f 8b. */
    static boolean isGzip(byte[] bytes) {
        return bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
    }

    /** The decompressed stream, after checking that {@code in} starts like a gzip file. */
    static InputStream open(InputStream in, String source) throws IOException {
        var buffered = new BufferedInputStream(in);
        buffered.mark(2);
        byte[] magic = buffered.readNBytes(2);
        buffered.reset();
        if (!isGzip(magic)) {
            String found = magic.length == 0 ? "an empty file" : "bytes " + hex(magic);
            throw new CorruptDataException(source, "expected gzip data, which starts with bytes 1f 8b, found " + found);
        }
        try {
            return new GZIPInputStream(buffered, 1 << 16);
        } catch (ZipException | EOFException e) {
            throw new CorruptDataException(source, "expected a gzip header, found a broken one (" + e.getMessage() + ")");
        }
    }

    /** The whole decompressed content of a gzip file held in memory. */
    static byte[] gunzip(byte[] file, String source) throws IOException {
        try (InputStream in = open(new ByteArrayInputStream(file), source)) {
            return in.readAllBytes();
        } catch (EOFException e) {
            throw new CorruptDataException(source, "expected more gzip data, found the end of the file (is it truncated?)");
        } catch (ZipException e) {
            throw new CorruptDataException(source, "expected valid gzip data, found corrupt data (" + e.getMessage() + ")");
        }
    }

    /**
     * The next line, or null at the end. The reader decompresses ahead, so a damaged gzip stream
     * is noticed on the first line that is not wholly in the intact part: {@code line}.
     */
    static String readLine(BufferedReader text, String source, int line) throws IOException {
        try {
            return text.readLine();
        } catch (EOFException e) {
            throw new CorruptDataException(new SourcePos(source, line, 1),
                    "expected more gzip data, found the end of the file (is it truncated?)");
        } catch (ZipException e) {
            throw new CorruptDataException(new SourcePos(source, line, 1), "expected valid gzip data, found corrupt data ("
                    + e.getMessage() + ")");
        }
    }

    static String hex(byte[] bytes) {
        var sb = new StringBuilder();
        for (byte b : bytes) sb.append(sb.length() == 0 ? "" : " ").append(String.format("%02x", b & 0xff));
        return sb.toString();
    }
}
