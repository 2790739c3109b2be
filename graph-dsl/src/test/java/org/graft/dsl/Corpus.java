package org.graft.dsl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The folders of test programs under {@code src/test/resources}, read from the test classpath. */
final class Corpus {
    private Corpus() {}

    /** The folder {@code name} as the build copied it next to the test classes. */
    static Path folder(String name) {
        var url = Corpus.class.getResource("/" + name);
        if (url == null) throw new IllegalStateException("no folder " + name + " on the test classpath");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The files in {@code folder} whose names end in {@code suffix}, sorted by name. */
    static List<Path> files(String folder, String suffix) {
        try (Stream<Path> files = Files.list(folder(folder))) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file's name without its extension: {@code mlp} for {@code mlp.graft}. */
    static String stem(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.lastIndexOf('.'));
    }

    /** The sibling of {@code file} with another extension. */
    static Path sibling(Path file, String extension) { return file.resolveSibling(stem(file) + extension); }
}
