package org.graft.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fixtures scripts/golden writes as blocks: a line {@code case NAME}, then lines
 * {@code KEY VALUE...} (space-separated numbers, printed so they read back exactly, or a word),
 * a blank line between blocks. Read by the golden tests of conv2d and of scan.
 */
final class GoldenBlocks {
    private GoldenBlocks() {}

    /** One block: its name and its fields, as written. */
    record Block(String name, Map<String, String> fields) {
        double[] numbers(String key) {
            return Arrays.stream(fields.get(key).split(" ")).mapToDouble(Double::parseDouble).toArray();
        }

        int[] integers(String key) { return Arrays.stream(numbers(key)).mapToInt(v -> (int) v).toArray(); }

        int integer(String key) { return Integer.parseInt(fields.get(key)); }

        String word(String key) { return fields.get(key); }

        boolean has(String key) { return fields.containsKey(key); }

        @Override
        public String toString() { return name; }
    }

    /** The blocks of a fixture on the test class path, such as {@code /torch/scan.txt}. */
    static List<Block> read(String resource) throws IOException {
        String text;
        try (InputStream in = GoldenBlocks.class.getResourceAsStream(resource)) {
            assertTrue(in != null, resource + " is on the test class path");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var blocks = new ArrayList<Block>();
        for (String block : text.strip().split("\n\n")) {
            String[] lines = block.split("\n");
            var fields = new LinkedHashMap<String, String>();
            for (String line : Arrays.asList(lines).subList(1, lines.length)) {
                int space = line.indexOf(' ');
                fields.put(line.substring(0, space), line.substring(space + 1));
            }
            blocks.add(new Block(lines[0].substring("case ".length()), fields));
        }
        return blocks;
    }
}
