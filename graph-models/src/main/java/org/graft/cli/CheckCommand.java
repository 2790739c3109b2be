package org.graft.cli;

import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code graft check FILE}: parses and type-checks, and prints the program's one-line summary. */
@Command(name = "check", description = "Parses and type-checks FILE and prints a one-line summary of it, or the first error.")
final class CheckCommand implements Callable<Integer> {

    @Mixin
    SourceFile source;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(source.compile(Map.of()).summary());
        return 0;
    }
}
