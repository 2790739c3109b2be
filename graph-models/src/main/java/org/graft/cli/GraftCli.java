package org.graft.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.graft.core.GraftException;
import org.graft.core.blas.Blas;
import org.graft.dsl.Graft;
import org.graft.models.data.DataSets;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExecutionException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code graft} command: parses the command line, runs one subcommand, and turns every
 * failure into a message and an exit status.
 *
 * <ul>
 *   <li>0: success;</li>
 *   <li>1: an error in the program ({@code FILE:LINE:COL: error: MESSAGE}), in the data given
 *       to it, in a file it reads or writes (a damaged checkpoint, a full disk) or in the
 *       settings of the matrix-product back end ({@code error: MESSAGE}), or an internal error
 *       ({@code internal error: ...}), which only a bug in Graft causes;</li>
 *   <li>2: a wrong command line, with picocli's message and where to read the command's usage;</li>
 *   <li>130, 143, 129: {@code graft train} stopped by SIGINT, SIGTERM or SIGHUP, having saved
 *       the run (128 + the signal's number, as a process killed by it).</li>
 * </ul>
 *
 * Nothing thrown, not even a {@link StackOverflowError}, escapes as a stack trace unless
 * {@code --debug} is given.
 */
@Command(name = "graft",
        description = "Checks, prints, evaluates, gradient-checks, trains and exports programs in the Graft language.",
        subcommands = {CheckCommand.class, PrintCommand.class, DotCommand.class, EvalCommand.class,
                GradcheckCommand.class, TrainCommand.class, ExportCommand.class, ModelsCommand.class, InfoCommand.class},
        versionProvider = InfoCommand.Version.class,
        footer = {"", "FILE is a .graft file or the name of a bundled model. Exit status: 0 on success, "
                + "1 on an error in the program or its data, 2 on a wrong command line, 130, 143 or 129 when train is "
                + "stopped by SIGINT (Ctrl-C), SIGTERM or SIGHUP after saving the run."})
public final class GraftCli implements Callable<Integer> {

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Show the stack trace of an error.")
    boolean debug;

    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT,
            description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true,
            description = "Show Graft's version and the matrix-product back end, and exit.")
    boolean version;

    @Spec
    CommandSpec spec;

    /** Runs {@code graft} with these arguments and exits with its status. */
    public static void main(String[] args) {
        var out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        var err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8));
        int status;
        try {
            status = run(commandLine(out, err, CommandLine.Help.Ansi.AUTO), args);
        } catch (Throwable e) { // the commands themselves are broken; say so without a trace
            status = report(e, err, false);
        }
        out.flush();
        err.flush();
        System.exit(status);
    }

    /** {@code graft} writing to {@code out} and {@code err}, with colours as {@code ansi} says. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, CommandLine.Help.Ansi ansi) {
        var cli = new GraftCli();
        var commandLine = new CommandLine(cli);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(ansi));
        commandLine.setExecutionExceptionHandler((e, failed, parsed) -> report(e, commandLine.getErr(), cli.debug));
        commandLine.setParameterExceptionHandler(GraftCli::usageError);
        var commands = new ArrayList<>(commandLine.getSubcommands().values());
        commands.add(commandLine);
        for (CommandLine c : commands) {
            c.getCommandSpec().usageMessage().parameterListHeading("%nArguments:%n")
                    .optionListHeading("%nOptions:%n").commandListHeading("%nCommands:%n");
        }
        var train = commandLine.getSubcommands().get("train").getCommandSpec().usageMessage();
        var footer = new ArrayList<>(List.of(train.footer()));
        for (String form : DataSets.FORMS) footer.add("  " + form.replace("%", "%%")); // footers are format strings
        train.footer(footer.toArray(new String[0]));
        return commandLine;
    }

    /** Runs the command line and gives its exit status; every failure is reported on its error writer. */
    static int run(CommandLine commandLine, String... args) {
        try {
            return commandLine.execute(args);
        } catch (Throwable e) { // an Error thrown by a command passes picocli by
            return report(e, commandLine.getErr(), ((GraftCli) commandLine.getCommand()).debug);
        } finally {
            commandLine.getOut().flush();
            commandLine.getErr().flush();
        }
    }

    /**
     * A wrong command line, said in two lines: picocli's message, then where the usage is
     * ({@code Try 'graft eval --help' for more.}), rather than the command's whole help.
     */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine wrong = e.getCommandLine();
        PrintWriter err = wrong.getErr();
        err.println(e.getMessage());
        err.println("Try '" + wrong.getCommandSpec().qualifiedName() + " --help' for more.");
        return wrong.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Without a command, {@code graft} is a wrong command line. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing required command: one of check, print, dot, eval, "
                + "gradcheck, train, models, info");
    }

    /**
     * What is said when the heap runs out: the user's model or data is larger than the heap,
     * which is not a bug; the heap's size, and a larger one to ask for (twice this one, within
     * three quarters of the machine's memory when that is known, {@code physical} < 0 if not).
     */
    static String outOfMemory(long heap, long physical) {
        long gib = 1L << 30;
        long wanted = Math.max(2 * heap, heap + gib);
        if (physical > 0) wanted = Math.min(wanted, physical * 3 / 4);
        String more = wanted > heap ? "run with a larger heap, e.g. GRAFT_JAVA_OPTS=-Xmx" + Math.max(1, wanted / gib) + "g"
                : "the heap is already most of this machine's memory: use smaller sizes (a smaller batch, fewer units)";
        return "error: out of memory: the Java heap holds at most " + Math.round(heap / (double) (1 << 20)) + " MiB"
                + (physical > 0 ? " (this machine has " + Math.round(physical / (double) gib) + " GiB)" : "") + "; " + more;
    }

    /** The machine's memory in bytes, or -1 where the JVM does not say. */
    private static long physicalMemory() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getTotalMemorySize() : -1;
    }

    private static int report(Throwable thrown, PrintWriter err, boolean debug) {
        Throwable e = thrown instanceof ExecutionException && thrown.getCause() != null ? thrown.getCause() : thrown;
        if (e instanceof GraftException g) {
            err.println(Graft.format(g));
        } else if (e instanceof DataError || e instanceof Blas.SettingException) {
            err.println("error: " + e.getMessage());
        } else if (e instanceof IOException io) { // a file that is damaged or cannot be read or written: the user's, not a bug
            err.println("error: " + DataError.describe(io));
        } else if (e instanceof OutOfMemoryError) {
            err.println(outOfMemory(Runtime.getRuntime().maxMemory(), physicalMemory()));
        } else {
            err.println("internal error: " + e);
            if (!debug) err.println("This is a bug in Graft; rerun with --debug to see where it happened.");
        }
        if (debug) e.printStackTrace(err);
        return 1;
    }
}
