package org.graft.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import org.graft.core.GraftException;

/**
 * The error corpus: each {@code src/test/resources/errors/TOPIC-error-WHAT.graft} fails to
 * compile with exactly the one-line diagnostic in its sibling {@code .expected} file,
 * {@code FILE:LINE:COL: error: MESSAGE}, where FILE is the program's file name.
 */
class ErrorCorpusTest {

    /** Every error class the corpus covers; a topic is the part of a file name before {@code -error-}. */
    private static final Set<String> TOPICS = Set.of(
            "syntax", "type", "name", "arity", "shape", "expr", "const", "fn", "objective", "output", "init", "grad", "iterate",
            "update", "metric", "conv", "scan");

    @TestFactory
    Stream<DynamicTest> eachProgramFailsWithItsExpectedDiagnostic() {
        return programs().stream().map(p -> dynamicTest(p.getFileName().toString(), p.toUri(), () -> failsAsExpected(p)));
    }

    @Test
    void everyProgramHasAnExpectedDiagnosticAndEveryDiagnosticAProgram() {
        var programs = new TreeSet<String>();
        programs().forEach(p -> programs.add(Corpus.stem(p)));
        var expected = new TreeSet<String>();
        Corpus.files("errors", ".expected").forEach(p -> expected.add(Corpus.stem(p)));
        assertEquals(programs, expected);
    }

    @Test
    void everyFileIsNamedByItsTopicAndCoversEveryErrorClass() {
        var topics = new TreeSet<String>();
        for (Path p : Corpus.files("errors", "")) {
            String name = p.getFileName().toString();
            assertTrue(name.matches("[a-z]+-error-[a-z0-9-]+\\.(graft|expected)"), name + " is not named TOPIC-error-WHAT");
            topics.add(name.substring(0, name.indexOf("-error-")));
        }
        assertEquals(new TreeSet<>(TOPICS), topics);
        assertTrue(programs().size() >= 35, "the corpus has " + programs().size() + " programs");
    }

    private static List<Path> programs() { return Corpus.files("errors", ".graft"); }

    private static void failsAsExpected(Path program) throws Exception {
        String file = program.getFileName().toString();
        String source = Corpus.read(program);
        String expected = Files.readString(Corpus.sibling(program, ".expected")).strip();
        assertFalse(expected.contains("\n"), "an expected diagnostic is one line");

        var e = assertThrows(GraftException.class, () -> Graft.compile(file, source));
        assertEquals(expected, Graft.format(e));

        // the position is a place in the source: a line of it, and a column on that line or just past its end
        String[] lines = source.split("\r\n|\r|\n", -1);
        int line = e.pos().line(), column = e.pos().column();
        assertTrue(line >= 1 && line <= lines.length, "line " + line + " of " + lines.length);
        assertTrue(column >= 1 && column <= lines[line - 1].length() + 1, "column " + column + " of a line of " + lines[line - 1].length());
    }
}
