package org.graft.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Consumer;

import picocli.CommandLine;

/** One in-process run of {@code graft}: its exit status and everything it wrote. */
record Run(int status, String out, String err) {

    static Run graft(String... args) { return graft(c -> {}, args); }

    /** Runs {@code graft} after {@code setUp} has had the command line, e.g. to add a command. */
    static Run graft(Consumer<CommandLine> setUp, String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        CommandLine cli = GraftCli.commandLine(new PrintWriter(out), new PrintWriter(err), CommandLine.Help.Ansi.OFF);
        setUp.accept(cli);
        int status = GraftCli.run(cli, args);
        return new Run(status, out.toString(), err.toString());
    }
}
