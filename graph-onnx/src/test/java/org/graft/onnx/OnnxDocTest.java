package org.graft.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import org.graft.ops.Registry;

/**
 * The table of {@code docs/onnx.md} is the exporter's: each op of the registry, in the order of
 * {@code docs/ops.md}, with the ONNX op(s) it becomes or the note that it does not export, so the
 * docs cannot drift from {@link Lowerings}. After changing what exports, rewrite it with
 * {@code mvn -B -o -pl graph-onnx -am test -Dtest=OnnxDocTest -Dsurefire.failIfNoSpecifiedTests=false -Dgraft.docs.write=true}.
 */
class OnnxDocTest {
    static final String BEGIN = "<!-- generated from the exporter's table (OnnxDocTest): edit Lowerings, not this table -->";
    static final String END = "<!-- end of the generated table -->";

    @Test
    void theDocsTableIsTheExporters() throws IOException {
        Path file = Path.of("../docs/onnx.md");
        String text = Files.readString(file);
        int begin = text.indexOf(BEGIN), end = text.indexOf(END);
        if (begin < 0 || end < begin) throw new AssertionError("docs/onnx.md has no table between " + BEGIN + " and " + END);
        String written = text.substring(0, begin) + BEGIN + "\n" + table() + text.substring(end);
        if (Boolean.getBoolean("graft.docs.write")) {
            Files.writeString(file, written);
            return;
        }
        assertEquals(written, text, "docs/onnx.md's table differs from the exporter's; rewrite it as OnnxDocTest's Javadoc says");
    }

    static String table() {
        var out = new StringBuilder("| Graft | ONNX (opset " + Onnx.OPSET + ") |\n|---|---|\n");
        Registry.Section section = null;
        for (Registry.Entry e : Registry.all()) {
            if (e.section() != section) {
                section = e.section();
                out.append("| **").append(section.title).append("** | |\n");
            }
            String graft = e.builtin().written().isEmpty() ? e.builtin().java() : e.builtin().written();
            out.append("| ").append(graft).append(" | ").append(Onnx.onnxOf(e.op()).orElse("—")).append(" |\n");
        }
        return out.toString();
    }
}
