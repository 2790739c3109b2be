package org.graft.models.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.graft.core.GraftException;

/**
 * The folder a training run writes into, checked before anything is trained and held by one
 * run at a time.
 *
 * <p>{@link #take} creates the folder if need be and makes sure the run can write there, so that
 * an {@code --out} that is a file, a device or read-only is refused at once rather than at the
 * first save, ten seconds or a whole run later. A folder that holds another run's files is
 * refused unless the run resumes it or is told to overwrite it, which clears those files, and
 * only those, just before training ({@link #clear}).
 *
 * <p>The folder is held through {@value #LOCK}: a file that names the run holding it (its
 * process id and start time), locked with the operating system's file lock for as long as the
 * run lasts. The file lock keeps two runs out of each other's way without a race, and it goes
 * with the process however the process ends. The pid is there to name the holder when a second
 * run is refused, and to recognise a lock left by a run that was killed outright ({@code kill
 * -9}, a machine that went down): no process holds the file lock, and the one it names is gone,
 * so the next run says so and takes the folder over. On a file system without file locks the
 * pid alone decides. Releasing empties the file rather than deleting it: a run that had just
 * opened it could otherwise lock a file that is no longer in the folder, and hold nothing.
 */
public final class RunFolder implements AutoCloseable {

    /** The lock file's name. */
    public static final String LOCK = "graft.lock";

    /** The files a run writes; {@code --overwrite} clears these, their temporary files, and nothing else. */
    static final List<String> FILES = List.of(Checkpoint.PARAMS, Checkpoint.BEST_FILE, Checkpoint.METRICS, Checkpoint.RUN, RunPictures.CURVE,
            RunPictures.FILTERS, RunPictures.RECONSTRUCTIONS, RunPictures.SAMPLES, RunPictures.TRAJECTORIES, Confusion.CSV,
            Confusion.PER_CLASS, RunPictures.CONFUSION);

    /** What the run does with the folder. */
    public enum Use {
        /** A new run: the folder may not hold another run's files. */
        NEW,
        /** A new run that replaces the files of an earlier one ({@code --overwrite}). */
        OVERWRITE,
        /** A resumed run: the folder must exist; its files are the run's own. */
        RESUME
    }

    private final Path path;
    private final boolean created;
    private final FileChannel channel;  // the lock file's, which holds its file lock until it is closed

    private RunFolder(Path path, boolean created, FileChannel channel) {
        this.path = path;
        this.created = created;
        this.channel = channel;
    }

    /** The folder. */
    public Path path() { return path; }

    /**
     * Checks the folder for a run that uses it as {@code use} says, creating it if it does not
     * exist (unless the run resumes), and takes its lock.
     *
     * @param name how the folder is named in messages, e.g. {@code --out runs/mlp}
     * @param warning told when a lock left by a run that has ended is taken over
     * @throws GraftException if the folder cannot hold the run, another run holds it, or it
     *     holds an earlier run's files that the run may not replace
     */
    public static RunFolder take(Path path, Use use, String name, Consumer<String> warning) {
        boolean existed = Files.exists(path);
        if (existed && !Files.isDirectory(path)) {
            throw new GraftException(name + ": expected a folder for the run's files, found "
                    + (Files.isRegularFile(path) ? "a file" : "a device or other special file"));
        }
        if (!existed && use == Use.RESUME) {
            throw new GraftException(name + ": expected a training run's folder, found nothing there");
        }
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new GraftException(name + ": expected a folder that can be created, found that creating it fails: " + reason(e));
        }
        FileChannel channel = null;
        boolean held = false;           // by another run: then its lock file is not ours to remove
        RunFolder folder = null;
        try {
            channel = open(path, name);
            Path lockFile = path.resolve(LOCK);
            boolean locked;
            try {
                locked = channel.tryLock() != null;
            } catch (OverlappingFileLockException e) {   // another run in this JVM holds it
                locked = false;
            } catch (IOException e) {                    // no file locks on this file system (ENOLCK): the pid alone decides
                locked = true;
            }
            Optional<Owner> owner = Owner.read(channel);
            held = !locked || owner.filter(Owner::alive).isPresent();
            if (held) {
                throw new GraftException(name + ": expected a folder no other run is using, found " + lockFile + " held by "
                        + owner.map(Owner::toString).orElse("another run"));
            }
            if (owner.isPresent()) {
                warning.accept(lockFile + " names " + owner.get() + ", which has ended without releasing it; taking the folder over");
            }
            List<String> earlier = use == Use.NEW ? runFiles(path) : List.of();
            if (!earlier.isEmpty()) {
                throw new GraftException(name + ": expected a folder without another run's files, found " + String.join(", ", earlier)
                        + "; give --resume " + path + " to continue that run, or --overwrite to replace it");
            }
            Owner.current().write(channel);
            folder = new RunFolder(path, !existed, channel);
            return folder;
        } catch (IOException e) {
            throw new GraftException(name + ": expected a folder the run can write in, found that " + path.resolve(LOCK)
                    + " cannot be used: " + reason(e));
        } finally {
            if (folder == null) {   // refused
                if (channel != null) closeQuietly(channel);
                if (!existed && !held) removeIfEmpty(path);
            }
        }
    }

    /** The lock file's channel, once the folder has shown that the run can create files in it. */
    private static FileChannel open(Path path, String name) {
        try {
            // a file created and deleted: each save creates files (a temporary file renamed into place)
            Files.delete(Files.createTempFile(path, ".graft-", ".tmp"));
            return FileChannel.open(path.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new GraftException(name + ": expected a folder the run can write in, found that it cannot create files there: "
                    + reason(e));
        }
    }

    /** Whether a folder holds a run's files or a run holds it: a default folder that is taken is passed over for the next. */
    public static boolean taken(Path path) {
        try {
            return Files.isDirectory(path) && (!runFiles(path).isEmpty() || Files.size(path.resolve(LOCK)) > 0);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** The files of {@link #FILES} that are in the folder. */
    private static List<String> runFiles(Path path) {
        return FILES.stream().filter(f -> Files.exists(path.resolve(f))).toList();
    }

    /**
     * Removes the files a run writes, and the temporary files a run that was killed while
     * writing may have left ({@code .NAME.RANDOM.tmp}); anything else in the folder stays.
     */
    public void clear() throws IOException {
        var doomed = new ArrayList<Path>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(path)) {
            for (Path p : files) {
                String file = p.getFileName().toString();
                if (FILES.contains(file) || FILES.stream().anyMatch(f -> file.startsWith("." + f + ".") && file.endsWith(".tmp"))) {
                    doomed.add(p);
                }
            }
        }
        for (Path p : doomed) Files.deleteIfExists(p);
    }

    /**
     * Releases the folder: empties the lock file and lets go of its lock. A folder this run
     * created and left empty (it stopped before saving anything, at an error) is removed.
     */
    @Override
    public void close() {
        try {
            channel.truncate(0);
        } catch (IOException e) {
            // the file lock still goes with the channel; a pid left behind names a process that has ended
        }
        closeQuietly(channel);
        if (created) removeIfEmpty(path);
    }

    /** Removes a folder that holds nothing but an empty lock file. */
    private static void removeIfEmpty(Path path) {
        try {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(path)) {
                for (Path p : files) if (!p.getFileName().toString().equals(LOCK) || Files.size(p) > 0) return;
            }
            Files.deleteIfExists(path.resolve(LOCK));
            Files.delete(path);
        } catch (IOException e) {
            // left as it is: an empty folder does no harm
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();   // releases the file lock
        } catch (IOException e) {
            // nothing was written through it that could be lost
        }
    }

    /** A failed file operation as {@code FILE: REASON}. */
    public static String describe(IOException e) {
        return e instanceof FileSystemException f && f.getFile() != null ? f.getFile() + ": " + reason(e) : e.getMessage();
    }

    /** Why a file operation failed, in words: the operating system's reason when it gave one. */
    static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason().toLowerCase(java.util.Locale.ROOT);
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof FileAlreadyExistsException) return "file exists";
        if (e instanceof NotDirectoryException) return "not a directory";
        return e.getMessage();
    }

    /** The run that holds a folder: its process, and when that started (to tell it from a later process given the same pid). */
    record Owner(long pid, Instant started) {

        static Owner current() {
            ProcessHandle self = ProcessHandle.current();
            return new Owner(self.pid(), self.info().startInstant().orElse(null));
        }

        /** Whether the process is still running, the same one: a pid the system has given to another process since does not count. */
        boolean alive() {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .map(p -> started == null || p.info().startInstant().map(started::equals).orElse(true)).orElse(false);
        }

        /** The owner a lock file names: lines {@code pid N} and {@code started INSTANT}; empty when it names none. */
        static Optional<Owner> read(FileChannel channel) throws IOException {
            // read through the lock's own channel: closing another one on the same file would drop the lock (POSIX)
            var bytes = ByteBuffer.allocate((int) Math.min(channel.size(), 4096));
            channel.read(bytes, 0);
            Long pid = null;
            Instant started = null;
            for (String line : new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8).split("\n")) {
                try {
                    if (line.startsWith("pid ")) pid = Long.parseLong(line.substring(4).strip());
                    if (line.startsWith("started ")) started = Instant.parse(line.substring(8).strip());
                } catch (RuntimeException e) {
                    // a damaged line names nobody
                }
            }
            return pid == null ? Optional.empty() : Optional.of(new Owner(pid, started));
        }

        void write(FileChannel channel) throws IOException {
            String text = "pid " + pid + "\n" + (started == null ? "" : "started " + started + "\n");
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
        }

        @Override
        public String toString() {
            return "the run of process " + pid + (started == null ? "" : " (started " + started.truncatedTo(ChronoUnit.SECONDS) + ")");
        }
    }
}
