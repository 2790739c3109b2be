package org.graft.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

import org.graft.core.print.DebugPrint;
import org.graft.core.runtime.Options;
import org.graft.dsl.Program;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code graft print FILE}: the program's graph as indented text, like Theano's debugprint. */
@Command(name = "print",
        description = {"Prints the graph of FILE as indented text.",
                "",
                "One line per node, each operand indented under its consumer (like Theano's debugprint).",
                "",
                "The graph is that of the outputs, then of the objective's cost if it is not among them. A program "
                        + "with neither shows its top-level bindings that no other binding uses.",
                "",
                "The graph is shown rewritten, as a compiled function runs it: the rewrite phases run in order, "
                        + "each to a fixpoint. -O0 shows it as written; --skip leaves a phase out. --rewrites lists "
                        + "after the graph every rule that fired, one line each: where, the phase, the rule, and "
                        + "the node before => after."})
final class PrintCommand implements Callable<Integer> {

    @Mixin
    SourceFile source;

    @Mixin
    RewriteOptions rewriting;

    @Option(names = "--rewrites", description = "After the graph, list which rewrite rule fired where.")
    boolean rewrites;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Options options = rewriting.options(); // a wrong --skip is a usage error before anything runs
        Program program = source.compile(Map.of());
        ProgramGraph.Rewritten graph = ProgramGraph.rewrite(program.roots(), options);
        PrintWriter out = spec.commandLine().getOut();
        out.print(DebugPrint.debugprint(graph.roots()));
        if (rewrites) {
            if (graph.log().isEmpty()) out.println("no rewrites fired");
            graph.log().forEach(out::println);
        }
        return 0;
    }
}
