package org.graft.cli;

import java.util.Map;
import java.util.concurrent.Callable;

import org.graft.core.print.Dot;
import org.graft.dsl.Program;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code graft dot FILE}: the graph {@code graft print} shows, in Graphviz DOT. */
@Command(name = "dot",
        description = {"Prints the graph of FILE in Graphviz DOT.",
                "",
                "The same graph graft print shows; graft dot mlp | dot -Tsvg > mlp.svg draws it.",
                "",
                "Graph rewrites do not exist yet, so -O0 changes nothing today."})
final class DotCommand implements Callable<Integer> {

    @Mixin
    SourceFile source;

    @Option(names = "-O0", description = "Do not rewrite the graph.")
    boolean noRewrites;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Program program = source.compile(Map.of());
        spec.commandLine().getOut().print(Dot.dot(ProgramGraph.rewrite(program.roots(), !noRewrites).roots()));
        return 0;
    }
}
