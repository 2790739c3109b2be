package org.graft.cli;

import static org.graft.cli.Run.graft;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import net.jqwik.api.Example;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** The commands on real programs, through the real compiler. */
class EndToEndTest {

    private static Path dir;

    @BeforeContainer
    static void makeDirectory() throws IOException { dir = Files.createTempDirectory("graft-e2e"); }

    @AfterContainer
    static void removeDirectory() throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** Writes a program to a fresh file and gives its path. */
    private static String program(String name, String source) {
        try {
            return Files.writeString(dir.resolve(name), source).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String LINE = """
            # a line through the origin
            input x: [n]
            param w: [] = constant(0.5)
            const k = 2
            y = k * w * x
            s = sum(y)
            output s, y
            """;

    private static final String LOGISTIC = """
            input x: [n, 2]
            input t: [n]
            param w: [2] = normal(0, 1)
            param b: [] = zeros
            p = sigmoid(x @ w + b)
            loss = mean(binary_cross_entropy(p, t))
            minimize loss with sgd(lr = 0.1)
            """;

    private static final String[] LOGISTIC_DATA = {"--set", "x=[[1, 2], [3, -4], [0.5, 0]]", "--set", "t=[1, 0, 1]"};

    private static String[] args(String[] head, String... tail) {
        var all = new java.util.ArrayList<>(List.of(head));
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }

    // ---- check, print, dot ---------------------------------------------------------------------------

    @Example
    void checkPrintsTheSummary() {
        String file = program("line.graft", LINE);
        assertEquals(new Run(0, file + ": ok: 1 input, 1 param (1 number), 2 outputs\n", ""), graft("check", file));
    }

    @Example
    void theBundledMlpCompiles() {
        assertEquals(new Run(0, "mlp.graft: ok: 2 inputs, 4 params, 2 outputs, 1 metric; minimizes loss with "
                + "adam(lr = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1e-8)\n", ""), graft("check", "mlp"));
    }

    private static final String LINE_GRAPH = """
            sum{axes=[0], keepdims=false} : []  's'
             |mul : [n]  'y'  #1
             | |mul : []
             | | |constant 2.0 : []  'k'
             | | |param w : []
             | |input x : [n]
            mul : [n]  'y'  #1 (above)
            """;

    @Example
    void printShowsTheOutputsGraphs() {
        String file = program("line.graft", LINE);
        assertEquals(new Run(0, LINE_GRAPH, ""), graft("print", file));
        assertEquals(new Run(0, LINE_GRAPH, ""), graft("print", "-O0", file));
    }

    @Example
    void printRewritesSaysWhenNoRewriteFired() {
        String file = program("line.graft", LINE);
        assertEquals(new Run(0, LINE_GRAPH + "no rewrites fired\n", ""), graft("print", "--rewrites", file));
    }

    /** A constant product to fold and a computation written twice to merge, which no rule should touch otherwise. */
    private static final String FOLDED = """
            input x: [2]
            s = sin(x) * (2 * 3)
            c = cos(x) + sin(x)
            output s, c
            """;

    private static final String FOLDED_AS_WRITTEN = """
            mul : [2]  's'
             |sin : [2]
             | |input x : [2]
             |mul : []
             | |constant 2.0 : []
             | |constant 3.0 : []
            add : [2]  'c'
             |cos : [2]
             | |input x : [2]
             |sin : [2]
             | |input x : [2]
            """;

    @Example
    void printShowsTheRewrittenGraphAndWithMinusO0TheGraphAsWritten() {
        String file = program("folded.graft", FOLDED);
        assertEquals(new Run(0, """
                mul : [2]  's'
                 |constant 6.0 : []
                 |sin : [2]  #1
                 | |input x : [2]
                add : [2]  'c'
                 |cos : [2]
                 | |input x : [2]
                 |sin : [2]  #1 (above)
                """, ""), graft("print", file));
        assertEquals(new Run(0, FOLDED_AS_WRITTEN, ""), graft("print", "-O0", file));
    }

    @Example
    void printRewritesListsEachFiringWithItsPositionPhaseAndRule() {
        String file = program("folded.graft", FOLDED);
        Run run = graft("print", "--rewrites", file);
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().endsWith(" |sin : [2]  #1 (above)\n" + file + ":2:17  canonicalize  constant folding  "
                + "mul(2, 3) => 6\n" + file + ":2:12  canonicalize  x * c -> c * x  mul(sin, 6) => mul(6, sin)\n"
                + file + ":3:14  canonicalize  merge  sin(x) => sin(x) at " + file + ":2:5\n"), run.out());
        assertEquals(new Run(0, FOLDED_AS_WRITTEN + "no rewrites fired\n", ""), graft("print", "-O0", "--rewrites", file));
    }

    @Example
    void skipLeavesAPhaseOutAndSkippingEveryPhaseIsMinusO0() {
        String file = program("folded.graft", FOLDED);
        String out = graft("print", "--skip", "canonicalize", file).out();
        assertTrue(out.contains(" |mul : []\n | |constant 2.0 : []\n"), out);   // not folded
        assertEquals(graft("print", "-O0", file), graft("print", "--skip=canonicalize", "--skip=stabilize",
                "--skip=specialize", file));
    }

    @Example
    void skippingAPhaseThatDoesNotExistIsAUsageErrorNamingThePhases() {
        Run run = graft("print", "--skip", "fusion", "mlp");
        assertEquals(2, run.status());
        assertEquals("--skip fusion: there is no rewrite phase fusion; the phases are canonicalize, stabilize, specialize\n"
                + "Try 'graft print --help' for more.\n", run.err());
        assertEquals(2, graft("eval", "mlp", "--skip", "Canonicalize").status());
    }

    @Example
    void printShowsTheObjectiveAfterTheOutputs() {
        String file = program("both.graft", LINE + "minimize sum(w * x) with sgd(lr = 1)\n");
        String out = graft("print", file).out();
        assertTrue(out.startsWith(LINE_GRAPH + "sum{axes=[0], keepdims=false} : []\n |mul : [n]\n"), out);
    }

    @Example
    void withoutOutputsOrObjectivePrintShowsTheBindingsNothingUses() {
        String file = program("free.graft", "input x: [3]\na = exp(x)\nb = a + 1\nc = log(x)\n");
        assertEquals(new Run(0, """
                add : [3]  'b'
                 |constant 1.0 : []
                 |exp : [3]  'a'
                 | |input x : [3]
                log : [3]  'c'
                 |input x : [3]
                """, ""), graft("print", file));
    }

    @Example
    void dotShowsTheSameGraphForGraphviz() {
        String file = program("line.graft", LINE);
        Run run = graft("dot", file);
        assertEquals(0, run.status());
        assertTrue(run.out().startsWith("digraph graft {\n"), run.out());
        assertTrue(run.out().contains("[label=\"mul : [n]  'y'\""), run.out());
        assertTrue(run.out().endsWith("}\n"), run.out());
        assertEquals(run, graft("dot", "-O0", file));
    }

    @Example
    void dotShowsTheRewrittenGraphUnlessMinusO0() {
        String file = program("folded.graft", FOLDED);
        assertTrue(graft("dot", file).out().contains("[label=\"constant 6.0 : []\""), graft("dot", file).out());
        String asWritten = graft("dot", "-O0", file).out();
        assertTrue(asWritten.contains("[label=\"constant 2.0 : []\"") && !asWritten.contains("6.0"), asWritten);
        assertEquals(asWritten, graft("dot", "--skip", "canonicalize", "--skip", "stabilize", "--skip", "specialize", file).out());
    }

    // ---- eval -------------------------------------------------------------------------------------------

    @Example
    void evalPrintsEachOutputAsShapeAndData() {
        String file = program("line.graft", LINE);
        Run expected = new Run(0, "{\"s\": {\"shape\": [], \"data\": [3.0]}, \"y\": {\"shape\": [2], \"data\": [1.0, 2.0]}}\n", "");
        assertEquals(expected, graft("eval", file, "--set", "x=[1, 2]"));
        assertEquals(expected, graft("eval", "-O0", file, "--set=x=[1, 2]"));
    }

    @Example
    void evalGivesTheSameNumbersWithAndWithoutRewrites() {
        String file = program("folded.graft", FOLDED);
        Run rewritten = graft("eval", file, "--set", "x=[0.5, -2]");
        assertEquals(0, rewritten.status(), rewritten.err());
        assertEquals(rewritten, graft("eval", "-O0", file, "--set", "x=[0.5, -2]"));
        assertEquals(rewritten, graft("eval", "--skip", "stabilize", file, "--set", "x=[0.5, -2]"));
    }

    @Example
    void setOverridesConstsAndParams() {
        String file = program("line.graft", LINE);
        assertEquals(new Run(0, "{\"s\": {\"shape\": [], \"data\": [9.0]}, \"y\": {\"shape\": [2], \"data\": [3.0, 6.0]}}\n", ""),
                graft("eval", file, "--set", "x=[1, 2]", "--set", "k=3", "--set", "w=1"));
    }

    @Example
    void setReplacesANamedBindingBeforeDifferentiation() {
        String file = program("givens.graft", """
                input x: []
                h = x * x
                y = h * x
                g = grad(y, x)
                output y, g
                """);
        // with h fixed at 4, y = 4x and dy/dx = 4, not 3x^2
        assertEquals(new Run(0, "{\"y\": {\"shape\": [], \"data\": [8.0]}, \"g\": {\"shape\": [], \"data\": [4.0]}}\n", ""),
                graft("eval", file, "--set", "x=2", "--set", "h=4"));
    }

    @Example
    void nonFiniteResultsAreStrings() {
        String file = program("logs.graft", "input x: [3]\ny = log(x)\nz = 1 / x\noutput y, z\n");
        assertEquals(new Run(0, "{\"y\": {\"shape\": [3], \"data\": [\"-Infinity\", \"NaN\", 0.0]}, "
                        + "\"z\": {\"shape\": [3], \"data\": [\"Infinity\", -1.0, 1.0]}}\n", ""),
                graft("eval", file, "--set", "x=[0, -1, 1]"));
    }

    @Example
    void theNanGuardOfEvalNamesTheOpThatMadeTheNanAndWhereItIsWrittenAsTrainsDoes() {
        String file = program("nan.graft", "input x: [2]\nh = log(x - 1)\ny = 2 * h\noutput y\n");
        assertEquals(new Run(0, "{\"y\": {\"shape\": [2], \"data\": [\"NaN\", 0.0]}}\n", ""), graft("eval", file, "--set", "x=[0.5, 2]"));
        assertEquals(new Run(1, "", file + ":2:5: error: log(sub) gave NaN at [0] (--nan-guard stopped the evaluation; no output "
                + "was printed)\n"), graft("eval", file, "--set", "x=[0.5, 2]", "--nan-guard"));
        assertEquals(new Run(1, "", file + ":1:7: error: input x holds Infinity at [1] (--nan-guard stopped the evaluation; no "
                + "output was printed)\n"), graft("eval", file, "--set", "x=[0.5, \"Infinity\"]", "--nan-guard"));
    }

    @Example
    void aProgramWithoutOutputsEvaluatesToAnEmptyObject() {
        String file = program("free.graft", "input x: [3]\na = exp(x)\n");
        assertEquals(new Run(0, "{}\n", ""), graft("eval", file));
    }

    @Example
    void unboundInputsTheOutputsReadAreNamed() {
        String file = program("two.graft", "input x: [n]\ninput y: [n]\ninput unused: []\ns = sum(x * y)\noutput s\n");
        assertEquals(new Run(1, "", file + ":2:7: error: no value for input y: give one with --set y=VALUE\n"),
                graft("eval", file, "--set", "x=[1]"));
        assertEquals(new Run(1, "", file + ":1:7: error: no values for inputs x, y: give them with --set NAME=VALUE\n"),
                graft("eval", file));
        assertEquals(0, graft("eval", file, "--set", "x=[1]", "--set", "y=[2]").status()); // unused needs none
    }

    @Example
    void paramsAreDrawnFromTheSeedAndZeroIsTheDefault() {
        String file = program("draw.graft", "param w: [4] = normal(0, 1)\noutput w\n");
        String seed0 = graft("eval", file, "--seed", "0").out();
        assertEquals(seed0, graft("eval", file).out());
        assertNotEquals(seed0, graft("eval", file, "--seed", "1").out());
        assertEquals(graft("eval", file, "--seed", "1").out(), graft("eval", file, "--seed", "1").out());
    }

    @Example
    void randomOpsDrawFromTheSeed() {
        String file = program("noise.graft", "input x: [5]\ne = normal_like(x)\noutput e\n");
        String seed7 = graft("eval", file, "--set", "x=[0, 0, 0, 0, 0]", "--seed", "7").out();
        assertEquals(seed7, graft("eval", file, "--set", "x=[0, 0, 0, 0, 0]", "--seed", "7").out());
        assertNotEquals(seed7, graft("eval", file, "--set", "x=[0, 0, 0, 0, 0]", "--seed", "8").out());
    }

    @Example
    void theBundledMlpEvaluatesOnAFewDigits() {
        String x = IntStream.range(0, 3).mapToObj(r -> IntStream.range(0, 64).mapToObj(c -> Integer.toString((r * 7 + c) % 17))
                .collect(Collectors.joining(", ", "[", "]"))).collect(Collectors.joining(", ", "[", "]"));
        String y = "[[1, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]]";
        Run run = graft("eval", "mlp", "--set", "x=" + x, "--set", "y=" + y);
        assertEquals("", run.err());
        JsonObject out = JsonParser.parseString(run.out()).getAsJsonObject();
        assertEquals(List.of("loss", "logits"), List.copyOf(out.keySet()));
        assertEquals("[3,10]", out.getAsJsonObject("logits").get("shape").toString());
        assertEquals(30, out.getAsJsonObject("logits").getAsJsonArray("data").size());
        double loss = out.getAsJsonObject("loss").getAsJsonArray("data").get(0).getAsDouble();
        assertTrue(loss > 0 && Double.isFinite(loss), run.out());
    }

    @Example
    void aByteOrderMarkAtTheStartOfAFileIsSkippedByEveryCommand() {
        // Windows editors write one; line 1 then starts after it
        String file = program("bom.graft", "\ufeff" + LINE);
        assertEquals(new Run(0, file + ": ok: 1 input, 1 param (1 number), 2 outputs\n", ""), graft("check", file));
        assertEquals(new Run(0, LINE_GRAPH, ""), graft("print", file));
        assertEquals(new Run(0, "{\"s\": {\"shape\": [], \"data\": [3.0]}, \"y\": {\"shape\": [2], \"data\": [1.0, 2.0]}}\n", ""),
                graft("eval", file, "--set", "x=[1, 2]"));
        String bad = program("bombad.graft", "\ufeffx = 1 +\n");
        assertEquals(new Run(1, "", bad + ":1:8: error: expected an expression but found end of line\n"), graft("check", bad));
        Run train = graft("train", program("bomxor.graft", "\ufeff" + BundledModels.source(BundledModels.find("xor").orElseThrow())),
                "--data", "xor", "--epochs", "1", "--out", dir.resolve("bomxor").toString());
        assertEquals(0, train.status(), train.err());
    }

    @Example
    void aProgramErrorIsReportedAtItsPositionWithNothingOnStdout() {
        String file = program("bad.graft", "x = 1 +\n");
        assertEquals(new Run(1, "", file + ":1:8: error: expected an expression but found end of line\n"),
                graft("eval", file));
    }

    @Example
    void aSetValueOfTheWrongShapeIsAProgramError() {
        String file = program("line.graft", LINE);
        Run run = graft("eval", file, "--set", "x=[[1, 2]]");
        assertEquals(1, run.status());
        assertTrue(run.err().startsWith(file + ":2:7: error: --set x: expected [n]"), run.err());
    }

    // ---- gradcheck --------------------------------------------------------------------------------------

    private static final String CHECKED = "(w|b) +abs error \\d\\.\\d\\de-\\d\\d  rel error \\d\\.\\d\\de[-+]\\d\\d  ok";

    @Example
    void gradcheckPassesOnAGoodGradientWithOneLinePerParam() {
        String file = program("logistic.graft", LOGISTIC);
        Run run = graft(args(new String[] {"gradcheck", file}, LOGISTIC_DATA));
        assertEquals(0, run.status(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(2, lines.size(), run.out());
        assertTrue(lines.get(0).startsWith("w  ") && lines.get(0).matches(CHECKED), lines.get(0));
        assertTrue(lines.get(1).startsWith("b  ") && lines.get(1).matches(CHECKED), lines.get(1));
    }

    @Example
    void gradcheckChecksAnF32ProgramInF64AndSaysSo() {
        String file = program("logistic32.graft", LOGISTIC.replace("[", "f32["));
        Run run = graft(args(new String[] {"gradcheck", file}, LOGISTIC_DATA));
        assertEquals(0, run.status(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals("checked in f64: " + file + " is written in f32, and finite differences in f32 are too coarse", lines.get(0));
        assertEquals(2, lines.stream().filter(l -> l.matches(CHECKED)).count(), run.out());
        // the same numbers as the program written in f64
        String f64 = program("logistic.graft", LOGISTIC);
        assertEquals(graft(args(new String[] {"gradcheck", f64}, LOGISTIC_DATA)).out(), String.join("\n", lines.subList(1, 3)) + "\n");
    }

    @Example
    void evalWritesF32NumbersAsFloatsWrite() {
        String file = program("tenth.graft", "input x: f32[2]\ny = x / 10\noutput y\n");
        assertEquals(new Run(0, "{\"y\": {\"shape\": [2], \"data\": [0.1, 0.3]}}\n", ""), graft("eval", file, "--set", "x=[1, 3]"));
    }

    @Example
    void gradcheckChecksTheGraphAsWrittenWithMinusO0() {
        String file = program("logistic.graft", LOGISTIC);
        Run run = graft(args(new String[] {"gradcheck", "-O0", file}, LOGISTIC_DATA));
        assertEquals(0, run.status(), run.err());
        assertEquals(2, run.out().lines().filter(l -> l.matches(CHECKED)).count(), run.out());
    }

    @Example
    void gradcheckFailsAtAKinkWhereFiniteDifferencesSeeBothSides() {
        // relu'(0) is 0 by choice, while the central difference at 0 sees the slope 1 on one side
        String file = program("kink.graft", "param w: [3] = zeros\nloss = sum(relu(w))\nminimize loss with sgd(lr = 1)\n");
        Run run = graft("gradcheck", file);
        assertEquals(1, run.status());
        assertTrue(run.out().matches("w  abs error \\S+  rel error 1\\.00e\\+00  FAILED\n"), run.out());
        assertEquals("error: the gradient check failed for w\n", run.err());
    }

    @Example
    void gradcheckHoldsTheSamplesOfRandomOpsFixed() {
        String file = program("noisy.graft", "param w: [4] = ones\nloss = sum(w * normal_like(w))\n"
                + "maximize loss with sgd(lr = 1)\n");
        Run run = graft("gradcheck", file);
        assertEquals(0, run.status(), run.out() + run.err());
    }

    @Example
    void gradcheckNeedsAnObjective() {
        String file = program("line.graft", LINE);
        assertEquals(new Run(1, "", "error: " + file + " has no objective to check: gradcheck needs a minimize or "
                + "maximize statement\n"), graft("gradcheck", file, "--set", "x=[1]"));
    }

    @Example
    void gradcheckNamesTheInputsTheCostNeeds() {
        String file = program("logistic.graft", LOGISTIC);
        assertEquals(new Run(1, "", file + ":2:7: error: no value for input t: give one with --set t=VALUE\n"),
                graft("gradcheck", file, "--set", "x=[[1, 2]]"));
    }
}
