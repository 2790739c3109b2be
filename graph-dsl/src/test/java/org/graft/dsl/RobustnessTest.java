package org.graft.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.GraftException;
import org.graft.core.print.DebugPrint;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * No source text, however malformed, gets anything out of {@link Graft#compile} but a program
 * or a {@link GraftException} placed in the source: not another exception, not a stack
 * overflow, not a message over several lines.
 */
class RobustnessTest {

    /** The language's own words, names it knows, and characters it has no use for. */
    private static final List<String> VOCABULARY = List.of(
            "input", "param", "const", "fn", "return", "output", "minimize", "maximize", "with", "true", "false",
            "update", "metric",
            "x", "y", "W", "n", "f", "a", "b", "h", "loss", "T", "axis", "keepdims", "lr",
            "sum", "mean", "exp", "relu", "grad", "split", "concat", "reshape", "iterate", "softmax_cross_entropy",
            "stop_gradient", "one_hot", "bernoulli", "argmax", "zeros", "normal", "glorot_uniform", "adam", "sgd", "f32", "f64",
            "0", "1", "2", "3", "-1", "0.5", "1e-3", "1e999", "2.5", ".5", "1.", "1e", "007",
            "(", ")", "[", "]", "{", "}", ",", ":", "=", ".", "+", "-", "*", "/", "@", "^",
            "<", "<=", ">", ">=", "==", "!=", "\n", "\n", "\n", "\r\n", "\r", "# comment\n", "#",
            "$", "\"", "'", ";", "`", "\\", "!", "é", "\u0000", "\u00a0", "\ufeff", "\uD83D\uDE00", "\t");

    /** Tokens of a program as the mutations see them: runs of word characters, runs of spaces, or one other character. */
    private static final Pattern TOKEN = Pattern.compile("\\w+|[ \\t]+|[\\s\\S]");

    @Property(tries = 400)
    void randomTokenSequencesCompileOrFailWithAPlacedDiagnostic(@ForAll("tokenSequences") String source) {
        compilesOrFailsCleanly(source);
    }

    @Property(tries = 400)
    void mutatedGoldenProgramsCompileOrFailWithAPlacedDiagnostic(@ForAll("mutants") String source) {
        compilesOrFailsCleanly(source);
    }

    @Provide
    Arbitrary<String> tokenSequences() {
        Arbitrary<String> token = Arbitraries.of(VOCABULARY);
        Arbitrary<String> gap = Arbitraries.of("", " ", " ");
        return Combinators.combine(token, gap).as(String::concat).list().ofMaxSize(40).map(ts -> String.join("", ts));
    }

    /** A mutation: what it does, whether to whole tokens or to characters, and where (taken modulo the length). */
    record Mutation(Kind kind, boolean tokens, int at, int other) {}

    enum Kind { DROP, DUPLICATE, SWAP }

    @Provide
    Arbitrary<String> mutants() {
        Arbitrary<String> program = Arbitraries.of(Corpus.files("golden", ".graft").stream().map(Corpus::read).toList());
        Arbitrary<Integer> place = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        Arbitrary<Mutation> mutation = Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.of(true, false), place, place)
                .as(Mutation::new);
        return Combinators.combine(program, mutation.list().ofMinSize(1).ofMaxSize(3)).as(RobustnessTest::mutate);
    }

    private static String mutate(String source, List<Mutation> mutations) {
        for (Mutation m : mutations) {
            List<String> parts = m.tokens() ? tokens(source) : source.codePoints().mapToObj(Character::toString).toList();
            if (parts.isEmpty()) continue;
            var out = new ArrayList<>(parts);
            int i = m.at() % out.size(), j = m.other() % out.size();
            switch (m.kind()) {
                case DROP -> out.remove(i);
                case DUPLICATE -> out.add(i, out.get(i));
                case SWAP -> out.set(j, out.set(i, out.get(j)));
            }
            source = String.join("", out);
        }
        return source;
    }

    private static List<String> tokens(String source) {
        var out = new ArrayList<String>();
        Matcher m = TOKEN.matcher(source);
        while (m.find()) out.add(m.group());
        return out;
    }

    private static void compilesOrFailsCleanly(String source) {
        try {
            Graft.compile("fuzz.graft", source);
        } catch (GraftException e) {
            assertPlaced(e, source);
        }
    }

    /** The error is one line and has a position in the source: a line of it, and a column on that line or just past its end. */
    private static void assertPlaced(GraftException e, String source) {
        String message = Graft.format(e);
        assertFalse(message.contains("\n") || message.contains("\r"), () -> "a message of several lines: " + message);
        assertTrue(e.pos().isKnown(), () -> "no position: " + message);
        String[] lines = source.split("\r\n|\r|\n", -1);
        int line = e.pos().line(), column = e.pos().column();
        assertTrue(line <= lines.length && column <= lines[line - 1].length() + 1, () -> "no such place: " + message);
    }

    // ---- depth ---------------------------------------------------------------------------------

    private static final int DEEP = 10_000;

    @Example
    void tenThousandNestedBracketsAreRefusedCleanly() {
        String source = "y = " + "(".repeat(DEEP) + "1" + ")".repeat(DEEP) + "\n";
        var e = assertThrows(GraftException.class, () -> Graft.compile("deep.graft", source));
        assertEquals("deep.graft:1:" + (5 + Parsing.MAX_NESTING) + ": error: brackets nest more than " + Parsing.MAX_NESTING + " deep",
                Graft.format(e));
    }

    @Example
    void tenThousandNestedArraysAndCallsAreRefusedCleanly() {
        for (String source : List.of("y = " + "[".repeat(DEEP) + "1" + "]".repeat(DEEP),
                                     "input x: [2]\ny = " + "exp(".repeat(DEEP) + "x" + ")".repeat(DEEP))) {
            assertPlaced(assertThrows(GraftException.class, () -> Graft.compile("deep.graft", source)), source);
        }
    }

    @Example
    void nestingUpToTheLimitCompiles() {
        int depth = Parsing.MAX_NESTING;
        Program p = Graft.compile("deep.graft", "y = " + "(".repeat(depth) + "1" + ")".repeat(depth) + "\n");
        assertEquals(1.0, evaluate(p, "y").item());
    }

    @Example
    void tenThousandAdditionsInARowCompileAndAddUp() {
        Program p = Graft.compile("long.graft", "y = " + String.join(" + ", Collections.nCopies(DEEP, "1")) + "\n");
        assertEquals(DEEP, evaluate(p, "y").item());
    }

    @Example
    void tenThousandMinusSignsInARowCompileOrAreRefusedCleanly() {
        // an even number of negations of 1 is 1
        compilesOrFailsCleanly("y = " + "- ".repeat(DEEP) + "1\n", p -> assertEquals(1.0, evaluate(p, "y").item()));
        compilesOrFailsCleanly("input x: [2]\ny = " + "-".repeat(DEEP) + "x\n", p -> { });
    }

    @Example
    void tenThousandPowersInARowCompileOrAreRefusedCleanly() {
        // x ^ x ^ ... ^ x with x = 1 is 1
        String source = "input x: [2]\ny = " + String.join(" ^ ", Collections.nCopies(DEEP, "x")) + "\n";
        compilesOrFailsCleanly(source, p -> {
            var x = Tensor.ones(Shape.of(2));
            assertEquals(x, Compiler.compile(p.inputs(), List.of(p.bindings().get("y"))).call(x).get(0));
        });
    }

    @Example
    void tenThousandPostfixOperationsInARowCompileOrAreRefusedCleanly() {
        compilesOrFailsCleanly("input x: [2, 2]\ny = x" + ".T".repeat(DEEP) + "\n", p -> { });
        compilesOrFailsCleanly("input x: [2]\ny = x" + "[:]".repeat(DEEP) + "\n", p -> { });
    }

    @Example
    void tenThousandStatementsCompile() {
        var source = new StringBuilder("v0 = 0\n");
        for (int i = 1; i < DEEP; i++) source.append("v").append(i).append(" = v").append(i - 1).append(" + 1\n");
        Program p = Graft.compile("long.graft", source.toString());
        assertEquals(DEEP - 1, evaluate(p, "v" + (DEEP - 1)).item());
    }

    @Example
    void aChainOfThousandsOfFnsCompiles() {
        var source = new StringBuilder("fn f0(v) = v + 1\n");
        for (int i = 1; i < 2_000; i++) source.append("fn f").append(i).append("(v) = f").append(i - 1).append("(v) + 1\n");
        source.append("y = f1999(0)\n");
        assertEquals(2_000.0, evaluate(Graft.compile("fns.graft", source.toString()), "y").item());
    }

    // ---- line endings and odd text --------------------------------------------------------------

    @Example
    void windowsAndOldMacLineEndingsGiveTheSameGraph() {
        Path mlp = Corpus.folder("golden").resolve("mlp.graft");
        String unix = Corpus.read(mlp);
        String expected = DebugPrint.debugprint(Graft.compile("mlp.graft", unix).roots());
        for (String ending : List.of("\r\n", "\r")) {
            assertEquals(expected, DebugPrint.debugprint(Graft.compile("mlp.graft", unix.replace("\n", ending)).roots()));
        }
    }

    @Example
    void anEmptyProgramAndOneOfBlankLinesAndCommentsCompileToNothing() {
        for (String source : List.of("", "\n\n\n", "# only a comment", "  # indented\n\t\n")) {
            Program p = Graft.compile("empty.graft", source);
            assertTrue(p.roots().isEmpty() && p.outputs().isEmpty() && p.objective().isEmpty());
        }
    }

    @Example
    void aByteOrderMarkAtTheStartIsSkippedAndPositionsCountAfterIt() {
        // editors on Windows write one; it is invisible there, so columns do not count it
        Path mlp = Corpus.folder("golden").resolve("mlp.graft");
        String source = Corpus.read(mlp);
        assertEquals(DebugPrint.debugprint(Graft.compile("mlp.graft", source).roots()),
                DebugPrint.debugprint(Graft.compile("mlp.graft", "\ufeff" + source).roots()));
        assertEquals("bom.graft:1:5: error: expected an expression but found end of line",
                Graft.format(assertThrows(GraftException.class, () -> Graft.compile("bom.graft", "\ufeffy = \n"))));
    }

    @Example
    void aByteOrderMarkElsewhereOrANulIsNamedByItsCodePoint() {
        assertEquals("bom.graft:2:1: error: unexpected character U+FEFF: it is not part of the language",
                Graft.format(assertThrows(GraftException.class, () -> Graft.compile("bom.graft", "y = 1\n\ufeffz = 2\n"))));
        assertEquals("nul.graft:1:6: error: unexpected character U+0000: it is not part of the language",
                Graft.format(assertThrows(GraftException.class, () -> Graft.compile("nul.graft", "y = 1\u0000\n"))));
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private interface Check { void on(Program p); }

    private static void compilesOrFailsCleanly(String source, Check ifCompiled) {
        Program p;
        try {
            p = Graft.compile("long.graft", source);
        } catch (GraftException e) {
            assertPlaced(e, source);
            return;
        }
        ifCompiled.on(p);
    }

    private static Tensor evaluate(Program p, String name) {
        return Compiler.compile(p.inputs(), List.of(p.bindings().get(name))).call().get(0);
    }
}
