package org.graft.models.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir Path dir;

    @Test
    void writesANewFileAndLeavesNothingElse() throws IOException {
        Path file = dir.resolve("out.bin");
        AtomicFile.write(file, out -> out.write("new".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("new", Files.readString(file));
        assertEquals(List.of(file), list());
    }

    @Test
    void replacesAnExistingFile() throws IOException {
        Path file = Files.writeString(dir.resolve("out.bin"), "old and longer");
        AtomicFile.write(file, out -> out.write("new".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("new", Files.readString(file));
        assertEquals(List.of(file), list());
    }

    @Test
    void aWriterThatFailsHalfWayLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path file = Files.writeString(dir.resolve("out.bin"), "old");
        var failure = new IOException("disk full");
        var e = assertThrows(IOException.class, () -> AtomicFile.write(file, out -> {
            out.write(new byte[100_000]);
            throw failure;
        }));
        assertSame(failure, e);
        assertEquals("old", Files.readString(file));
        assertEquals(List.of(file), list());
    }

    @Test
    void aWriterThatClosesTheStreamStillGetsItsFileWritten() throws IOException {
        Path file = dir.resolve("out.bin");
        AtomicFile.write(file, out -> {
            out.write(7);
            out.close();
        });
        assertEquals(1, Files.size(file));
    }

    @Test
    void theNewFileHasTheUsualPermissionsNotOwnerOnly() throws IOException {
        Path file = dir.resolve("out.bin");
        AtomicFile.write(file, out -> out.write(1));
        Path plain = Files.createFile(dir.resolve("plain.bin"));
        Set<PosixFilePermission> usual = Files.getPosixFilePermissions(plain);
        assertEquals(usual, Files.getPosixFilePermissions(file));
    }

    @Test
    void aMissingDirectoryIsAnErrorAndCreatesNothing() {
        assertThrows(IOException.class, () -> AtomicFile.write(dir.resolve("no/such/out.bin"), out -> out.write(1)));
        assertEquals(List.of(), list());
    }

    private List<Path> list() {
        try (var files = Files.list(dir)) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
