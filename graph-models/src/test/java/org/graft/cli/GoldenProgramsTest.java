package org.graft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The language's golden programs (graph-dsl's {@code src/test/resources/golden}, where their
 * expected {@code graft print -O0} text is checked) run through the command line: each one's
 * {@code graft eval} JSON, with the inputs in its {@code .set} file (one {@code NAME=JSON} per
 * line), against its {@code .json} file; and {@code graft gradcheck} on each that has an
 * objective. Numbers are compared to 1e-12 relative, not as text, since the JDK's {@code Math}
 * functions may differ in the last place between machines.
 */
class GoldenProgramsTest {
    static final Path GOLDEN = Path.of("..", "graph-dsl", "src", "test", "resources", "golden");

    @TestFactory
    Stream<DynamicTest> evalPrintsTheExpectedJson() throws IOException {
        return programs().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            Run run = Run.graft(args("eval", p));
            assertEquals("", run.err());
            assertEquals(0, run.status());
            assertSameJson(JsonParser.parseString(Files.readString(sibling(p, ".json"))), JsonParser.parseString(run.out()), "");
        }));
    }

    @TestFactory
    Stream<DynamicTest> gradcheckPassesOnEveryObjective() throws IOException {
        return programs().filter(GoldenProgramsTest::hasObjective).map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            Run run = Run.graft(args("gradcheck", p));
            assertEquals(0, run.status(), run.out() + run.err());
            // an f32 program is checked in f64, as the first line says
            assertTrue(run.out().lines().allMatch(l -> l.endsWith("  ok") || l.startsWith("checked in f64: ")), run.out());
        }));
    }

    private static Stream<Path> programs() throws IOException {
        List<Path> all;
        try (Stream<Path> files = Files.list(GOLDEN)) {
            all = files.filter(f -> f.toString().endsWith(".graft")).sorted().toList();
        }
        assertTrue(all.size() >= 12, "golden programs found in " + GOLDEN.toAbsolutePath() + ": " + all.size());
        return all.stream();
    }

    private static String[] args(String command, Path program) throws IOException {
        var args = new ArrayList<>(List.of(command, program.toString()));
        for (String line : Files.readAllLines(sibling(program, ".set"))) {
            if (!line.isBlank()) args.addAll(List.of("--set", line));
        }
        return args.toArray(new String[0]);
    }

    private static boolean hasObjective(Path program) {
        try {
            return Files.readAllLines(program).stream().anyMatch(l -> l.startsWith("minimize ") || l.startsWith("maximize "));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path sibling(Path program, String extension) {
        String name = program.getFileName().toString();
        return program.resolveSibling(name.substring(0, name.length() - ".graft".length()) + extension);
    }

    private static void assertSameJson(JsonElement expected, JsonElement actual, String where) {
        if (expected.isJsonObject()) {
            JsonObject e = expected.getAsJsonObject(), a = actual.getAsJsonObject();
            assertEquals(List.copyOf(e.keySet()), List.copyOf(a.keySet()), where);
            for (Map.Entry<String, JsonElement> m : e.entrySet()) assertSameJson(m.getValue(), a.get(m.getKey()), where + "." + m.getKey());
        } else if (expected.isJsonArray()) {
            JsonArray e = expected.getAsJsonArray(), a = actual.getAsJsonArray();
            assertEquals(e.size(), a.size(), where);
            for (int i = 0; i < e.size(); i++) assertSameJson(e.get(i), a.get(i), where + "[" + i + "]");
        } else if (expected.getAsJsonPrimitive().isNumber()) {
            double e = expected.getAsDouble(), a = actual.getAsDouble();
            assertTrue(Math.abs(e - a) <= 1e-12 * Math.max(1, Math.abs(e)), where + ": expected " + e + ", found " + a);
        } else {
            assertEquals(expected, actual, where);
        }
    }
}
