package org.graft.models.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file all at once or not at all: the content goes to a temporary file in the same
 * directory, is forced to the disk, and is then renamed over the target in one atomic step.
 * A reader, or a run that crashed half-way, sees either the old file or the new one, never
 * part of one. Checkpoints ({@link Npz}) and pictures ({@code org.graft.models.plot}) are
 * written this way.
 */
public final class AtomicFile {
    private AtomicFile() {}

    /** What goes into the file, written to a stream that {@link #write} opens and closes (closing it early does no harm). */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code content} to {@code file}, replacing a file that is there. The directory
     * must exist. If {@code content} throws, or the rename fails, the temporary file is
     * deleted, the target is left as it was, and the exception is passed on.
     *
     * <p>The temporary file is {@code .NAME.RANDOM.tmp} beside the target; it is created with
     * the permissions any new file gets (not the owner-only ones of
     * {@link Files#createTempFile}), so the renamed file has them too. A target that is a
     * symbolic link is replaced by the new file, not written through.
     *
     * @throws java.nio.file.AtomicMoveNotSupportedException on a file system that cannot
     *     rename atomically; nothing is then written
     */
    public static void write(Path file, Content content) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null) throw new IOException(file + ": expected a file name, found a root directory");
        Path temp = create(dir, target.getFileName().toString());
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                // closing the stream would close the channel before it is forced; the channel's try closes it
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16) {
                    @Override
                    public void close() throws IOException { flush(); }
                };
                content.writeTo(out);
                out.flush();
                // on the disk before the rename, so a crash right after it cannot leave an empty file
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) Files.deleteIfExists(temp);
        }
    }

    private static Path create(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve("." + name + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                return Files.createFile(temp);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) throw e;
            }
        }
    }
}
