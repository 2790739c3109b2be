package org.graft.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The model sources that ship with Graft: the {@code .graft} resources in {@value #FOLDER}.
 * They are found by listing that folder, in the classes directory or in the jar, so adding a
 * model is adding its file.
 */
final class BundledModels {
    private BundledModels() {}

    static final String FOLDER = "org/graft/models/sources/";
    static final String EXTENSION = ".graft";

    /** A bundled model: its name ({@code mlp}) and the text of its first comment line. */
    record Model(String name, String description) {
        String fileName() { return name + EXTENSION; }
    }

    /** Every bundled model, by name. */
    static List<Model> all() {
        var models = new ArrayList<Model>();
        for (String fileName : fileNames()) {
            String name = fileName.substring(0, fileName.length() - EXTENSION.length());
            models.add(new Model(name, description(text(fileName))));
        }
        models.sort(Comparator.comparing(Model::name));
        return models;
    }

    /** The model called {@code name}, with or without its {@code .graft}. */
    static Optional<Model> find(String name) {
        String bare = name.endsWith(EXTENSION) ? name.substring(0, name.length() - EXTENSION.length()) : name;
        return all().stream().filter(m -> m.name().equals(bare)).findFirst();
    }

    static String source(Model model) { return text(model.fileName()); }

    /** The first comment line without its {@code #}, or "" if there is none. */
    static String description(String source) {
        return source.lines().map(String::strip).filter(l -> l.startsWith("#"))
                .map(l -> l.replaceFirst("^#+", "").strip()).findFirst().orElse("");
    }

    private static String text(String fileName) {
        try (InputStream in = BundledModels.class.getClassLoader().getResourceAsStream(FOLDER + fileName)) {
            if (in == null) throw new IllegalStateException("bundled model " + fileName + " is listed but cannot be read");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> fileNames() {
        URL folder = BundledModels.class.getClassLoader().getResource(FOLDER);
        if (folder == null) return List.of();
        try {
            URLConnection connection = folder.openConnection();
            if (connection instanceof JarURLConnection jar) {
                connection.setUseCaches(false); // our own JarFile, which we may close
                try (JarFile file = jar.getJarFile()) {
                    return file.stream().map(JarEntry::getName)
                            .filter(n -> n.startsWith(FOLDER) && n.endsWith(EXTENSION) && n.indexOf('/', FOLDER.length()) < 0)
                            .map(n -> n.substring(FOLDER.length())).toList();
                }
            }
            try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
                return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(EXTENSION)).toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("bundled models folder at " + folder, e);
        }
    }
}
