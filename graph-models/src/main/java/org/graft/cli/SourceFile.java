package org.graft.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Graft;
import org.graft.dsl.Program;

import picocli.CommandLine.Parameters;

/**
 * The FILE argument of a command: a path, or the name of a bundled model. A file that exists
 * wins, so a file called {@code mlp} in the current directory is read rather than the bundled
 * {@code mlp}; a directory does not (a run's folder is often named after its model).
 */
final class SourceFile {

    @Parameters(index = "0", paramLabel = "FILE",
            description = "A .graft file, or the name of a bundled model (graft models lists them).")
    String file;

    /** The name diagnostics use and the source text. */
    record Source(String name, String text) {}

    Source read() {
        Optional<Path> path = existing(file);
        if (path.isPresent()) {
            try {
                return new Source(file, Files.readString(path.get()));
            } catch (IOException e) { // a NoSuchFileException too: the file was removed since it was seen
                throw new DataError("cannot read " + file + ": " + DataError.reason(e));
            }
        }
        Optional<BundledModels.Model> model = BundledModels.find(file);
        if (model.isPresent()) {
            return new Source(model.get().fileName(), BundledModels.source(model.get()));
        }
        if (isDirectory(file)) {
            throw new DataError(file + ": expected a .graft file or the name of a bundled model, found a directory"
                    + " (graft models lists the bundled models)");
        }
        throw new DataError("no such file or bundled model: " + file + " (graft models lists the bundled models)");
    }

    /** Reads and compiles the program, with the {@code --set} values. */
    Program compile(Map<String, Tensor> set) { return compile(set, null); }

    /** Reads and compiles the program, with the {@code --set} values, in {@code dtype} (null: as written). */
    Program compile(Map<String, Tensor> set, DType dtype) {
        Source source = read();
        return Graft.compile(source.name(), source.text(), set, dtype);
    }

    private static Optional<Path> existing(String file) {
        try {
            Path path = Path.of(file);
            return Files.exists(path) && !Files.isDirectory(path) ? Optional.of(path) : Optional.empty();
        } catch (InvalidPathException e) { // not a path at all, such as one with a NUL in it
            return Optional.empty();
        }
    }

    private static boolean isDirectory(String file) {
        try {
            return Files.isDirectory(Path.of(file));
        } catch (InvalidPathException e) {
            return false;
        }
    }
}
