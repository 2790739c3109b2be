package org.graft.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

import org.graft.core.print.DebugPrint;
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
                "The graph is printed as written: graph rewrites do not exist yet, so -O0 changes nothing today "
                        + "and --rewrites reports that no rewrite fired."})
final class PrintCommand implements Callable<Integer> {

    @Mixin
    SourceFile source;

    @Option(names = "-O0", description = "Do not rewrite the graph.")
    boolean noRewrites;

    @Option(names = "--rewrites", description = "After the graph, list which rewrite rule fired where.")
    boolean rewrites;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Program program = source.compile(Map.of());
        ProgramGraph.Rewritten graph = ProgramGraph.rewrite(program.roots(), !noRewrites);
        PrintWriter out = spec.commandLine().getOut();
        out.print(DebugPrint.debugprint(graph.roots()));
        if (rewrites) {
            if (graph.log().isEmpty()) out.println("no rewrites fired");
            graph.log().forEach(out::println);
        }
        return 0;
    }
}
