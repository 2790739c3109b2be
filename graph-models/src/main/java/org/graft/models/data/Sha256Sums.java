package org.graft.models.data;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.graft.core.SourcePos;

/**
 * The checksums of a directory's {@code SHA256SUMS} file, as {@code sha256sum} writes it: per
 * line 64 hex digits, a space, a space or {@code *}, and a file name. Only names of files in
 * the directory itself can match a file that is read (a leading {@code ./} is ignored); lines
 * naming files elsewhere are checked for form and otherwise ignored.
 */
final class Sha256Sums {
    static final String FILE = "SHA256SUMS";

    private static final Pattern LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](.+)");

    private record Entry(String sha256, SourcePos pos) {}

    private final Map<String, Entry> entries;

    private Sha256Sums(Map<String, Entry> entries) { this.entries = entries; }

    /** The checksums listed in {@code dir/SHA256SUMS}; none when there is no such file. */
    static Sha256Sums in(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        var entries = new HashMap<String, Entry>();
        if (!Files.exists(file)) return new Sha256Sums(entries);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new CorruptDataException(file.toString(), "expected lines of text, found bytes that are not UTF-8");
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            var m = LINE.matcher(line);
            if (!m.matches()) {
                throw new CorruptDataException(new SourcePos(file.toString(), i + 1, 1),
                        "expected 64 hex digits, two spaces and a file name, found \"" + line + "\"");
            }
            String name = m.group(2).startsWith("./") ? m.group(2).substring(2) : m.group(2);
            entries.put(name, new Entry(m.group(1).toLowerCase(Locale.ROOT), new SourcePos(file.toString(), i + 1, 1)));
        }
        return new Sha256Sums(entries);
    }

    /** Refuses {@code bytes}, the content of the file {@code name}, when it is listed with another checksum. */
    void check(String name, byte[] bytes, String source) throws CorruptDataException {
        Entry entry = entries.get(name);
        if (entry == null) return;
        String found = sha256(bytes);
        if (!found.equals(entry.sha256)) {
            throw new CorruptDataException(source, "expected sha256 " + entry.sha256 + " (as " + entry.pos
                    + " lists), found " + found);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every Java platform has SHA-256", e);
        }
    }
}
