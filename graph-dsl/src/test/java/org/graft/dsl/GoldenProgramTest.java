package org.graft.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import org.graft.core.Graph;
import org.graft.core.Node;
import org.graft.core.print.DebugPrint;
import org.graft.core.runtime.Compiler;

/**
 * The golden programs: each {@code src/test/resources/golden/NAME.graft} compiles, and its
 * graph, as {@code DebugPrint.debugprint(program.roots())} writes it, is exactly
 * {@code NAME.print}. Together the programs use every statement form and every built-in.
 *
 * <p>After a deliberate change to what the compiler builds or how graphs print, rewrite the
 * expected files from the actual output with
 * <pre>
 * mvn -B -o -q -pl graph-dsl -am verify -Dtest=GoldenProgramTest -Dsurefire.failIfNoSpecifiedTests=false -Dgraft.golden.update=true
 * </pre>
 * which writes {@code src/test/resources/golden/*.print} (relative to the module, where
 * Maven runs the tests) and passes; then read every rewritten file ({@code git diff}) before
 * committing it.
 */
class GoldenProgramTest {

    private static final boolean UPDATE = Boolean.getBoolean("graft.golden.update");

    @TestFactory
    Stream<DynamicTest> eachProgramPrintsItsGoldenGraph() {
        return programs().stream().map(p -> dynamicTest(p.getFileName() + " prints its golden graph", p.toUri(), () -> printsAsExpected(p)));
    }

    @TestFactory
    Stream<DynamicTest> eachProgramCompilesIntoAFunction() {
        return programs().stream().map(p -> dynamicTest(p.getFileName() + " compiles into a function", p.toUri(), () -> {
            Program program = Graft.compile(p.getFileName().toString(), Corpus.read(p));
            var f = Compiler.compile(program.inputs(), program.roots());
            assertEquals(program.roots().size(), f.outputs().size());
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyNodeOfEachProgramKnowsWhereTheSourceWroteIt() {
        return programs().stream().map(p -> dynamicTest(p.getFileName() + " places every node", p.toUri(), () -> {
            Program program = Graft.compile(p.getFileName().toString(), Corpus.read(p));
            var roots = new ArrayList<Node>(program.roots());
            roots.addAll(program.bindings().values());
            for (Node n : Graph.topologicalOrder(roots)) {
                assertTrue(n.pos().isKnown() && n.pos().file().equals(p.getFileName().toString()), () -> n + " has no position");
            }
        }));
    }

    @Test
    void theProgramsUseEveryBuiltInInitializerAndOptimizer() {
        var names = new TreeSet<String>();
        for (Path p : programs()) {
            var lexer = new GraftLexer(CharStreams.fromString(Corpus.read(p)));
            for (Token t = lexer.nextToken(); t.getType() != Token.EOF; t = lexer.nextToken()) {
                if (t.getType() == GraftLexer.NAME) names.add(t.getText());
            }
        }
        var unused = new TreeSet<String>();
        for (var table : List.of(Builtins.FUNCTIONS, Builtins.INITIALIZERS, Builtins.OPTIMIZERS)) unused.addAll(table.keySet());
        unused.removeAll(names);
        assertEquals(Set.of(), unused);
    }

    @Test
    void theProgramsUseEveryStatementForm() {
        var forms = new TreeSet<String>();
        for (Path p : programs()) {
            var work = new ArrayList<ParseTree>(List.of(Parsing.parse(p.getFileName().toString(), Corpus.read(p))));
            while (!work.isEmpty()) {
                ParseTree t = work.remove(work.size() - 1);
                if (t instanceof GraftParser.StatementContext s) forms.add(form(s));
                for (int i = 0; i < t.getChildCount(); i++) work.add(t.getChild(i));
            }
        }
        assertEquals(new TreeSet<>(List.of("input", "param", "const", "fn =", "fn { }", "binding", "destructuring", "output",
                "minimize", "maximize", "update", "metric")), forms);
        assertTrue(programs().size() >= 12, "there are " + programs().size() + " golden programs");
    }

    private static String form(GraftParser.StatementContext s) {
        if (s instanceof GraftParser.InputStmtContext) return "input";
        if (s instanceof GraftParser.ParamStmtContext) return "param";
        if (s instanceof GraftParser.ConstStmtContext) return "const";
        if (s instanceof GraftParser.FnStmtContext) return "fn =";
        if (s instanceof GraftParser.FnBlockStmtContext) return "fn { }";
        if (s instanceof GraftParser.BindStmtContext) return "binding";
        if (s instanceof GraftParser.DestructureStmtContext) return "destructuring";
        if (s instanceof GraftParser.OutputStmtContext) return "output";
        if (s instanceof GraftParser.UpdateStmtContext) return "update";
        if (s instanceof GraftParser.MetricStmtContext) return "metric";
        return ((GraftParser.ObjectiveStmtContext) s).direction.getText();
    }

    private static List<Path> programs() { return Corpus.files("golden", ".graft"); }

    private static void printsAsExpected(Path program) throws IOException {
        String actual = DebugPrint.debugprint(Graft.compile(program.getFileName().toString(), Corpus.read(program)).roots());
        if (UPDATE) {
            Path source = Path.of("src", "test", "resources", "golden", Corpus.stem(program) + ".print");
            Files.writeString(source, actual, StandardCharsets.UTF_8);
            return;
        }
        Path expected = Corpus.sibling(program, ".print");
        assertTrue(Files.exists(expected), () -> "no " + expected.getFileName() + "; the program prints:\n" + actual);
        assertEquals(Corpus.read(expected), actual, () -> program.getFileName() + " prints:\n" + actual);
    }
}
