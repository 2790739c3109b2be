package org.graft.cli;

import java.util.Map;
import java.util.concurrent.Callable;

import org.graft.core.print.Dot;
import org.graft.core.runtime.Options;
import org.graft.dsl.Program;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code graft dot FILE}: the graph {@code graft print} shows, in Graphviz DOT. */
@Command(name = "dot",
        description = {"Prints the graph of FILE in Graphviz DOT.",
                "",
                "The same graph graft print shows, rewritten unless -O0; graft dot mlp | dot -Tsvg > mlp.svg "
                        + "draws it."})
final class DotCommand implements Callable<Integer> {

    @Mixin
    SourceFile source;

    @Mixin
    RewriteOptions rewriting;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Options options = rewriting.options(); // a wrong --skip is a usage error before anything runs
        Program program = source.compile(Map.of());
        spec.commandLine().getOut().print(Dot.dot(ProgramGraph.rewrite(program.roots(), options).roots()));
        return 0;
    }
}
