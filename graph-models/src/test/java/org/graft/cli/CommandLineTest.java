package org.graft.cli;

import static org.graft.cli.Run.graft;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import net.jqwik.api.Example;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

import org.graft.core.GraftException;
import org.graft.core.SourcePos;

import picocli.CommandLine.Command;

/** The command line itself: help, usage errors (status 2), data and internal errors (status 1). */
class CommandLineTest {

    // ---- help ------------------------------------------------------------------------------------

    static final String ROOT = """
            Usage: graft [-hV] [--debug] [COMMAND]
            Checks, prints, evaluates, gradient-checks, trains and exports programs in the
            Graft language.

            Options:
                  --debug     Show the stack trace of an error.
              -h, --help      Show this help and exit.
              -V, --version   Show Graft's version and the matrix-product back end, and
                                exit.

            Commands:
              check      Parses and type-checks FILE and prints a one-line summary of it,
                           or the first error.
              print      Prints the graph of FILE as indented text.
              dot        Prints the graph of FILE in Graphviz DOT.
              eval       Evaluates the outputs of FILE and prints them as JSON.
              gradcheck  Checks the gradient of FILE's objective against finite differences.
              train      Trains the objective of FILE on a data set.
              export     Writes the inference graph of FILE as an ONNX model (opset 17),
                           with the params of a training run.
              models     Lists the models bundled with Graft.
              info       Prints Graft's version, the matrix-product back end, the Java
                           version and the number of cores.

            FILE is a .graft file or the name of a bundled model. Exit status: 0 on
            success, 1 on an error in the program or its data, 2 on a wrong command line,
            130, 143 or 129 when train is stopped by SIGINT (Ctrl-C), SIGTERM or SIGHUP
            after saving the run.
            """;

    static final String CHECK = """
            Usage: graft check [-h] [--debug] FILE
            Parses and type-checks FILE and prints a one-line summary of it, or the first
            error.

            Arguments:
                  FILE      A .graft file, or the name of a bundled model (graft models
                              lists them).

            Options:
                  --debug   Show the stack trace of an error.
              -h, --help    Show this help and exit.
            """;

    static final String PRINT = """
            Usage: graft print [-h] [--debug] [-O0] [--rewrites] [--skip=PHASE]... FILE
            Prints the graph of FILE as indented text.

            One line per node, each operand indented under its consumer (like Theano's
            debugprint).

            The graph is that of the outputs, then of the objective's cost if it is not
            among them. A program with neither shows its top-level bindings that no other
            binding uses.

            The graph is shown rewritten, as a compiled function runs it: the rewrite
            phases run in order, each to a fixpoint. -O0 shows it as written; --skip leaves
            a phase out. --rewrites lists after the graph every rule that fired, one line
            each: where, the phase, the rule, and the node before => after.

            Arguments:
                  FILE           A .graft file, or the name of a bundled model (graft
                                   models lists them).

            Options:
                  --debug        Show the stack trace of an error.
              -h, --help         Show this help and exit.
                  -O0            Do not rewrite the graph.
                  --rewrites     After the graph, list which rewrite rule fired where.
                  --skip=PHASE   Leaves out the rewrite phase PHASE, one of: canonicalize,
                                   stabilize, specialize. Repeatable.
            """;

    static final String DOT = """
            Usage: graft dot [-h] [--debug] [-O0] [--skip=PHASE]... FILE
            Prints the graph of FILE in Graphviz DOT.

            The same graph graft print shows, rewritten unless -O0; graft dot mlp | dot
            -Tsvg > mlp.svg draws it.

            Arguments:
                  FILE           A .graft file, or the name of a bundled model (graft
                                   models lists them).

            Options:
                  --debug        Show the stack trace of an error.
              -h, --help         Show this help and exit.
                  -O0            Do not rewrite the graph.
                  --skip=PHASE   Leaves out the rewrite phase PHASE, one of: canonicalize,
                                   stabilize, specialize. Repeatable.
            """;

    static final String EVAL = """
            Usage: graft eval [-h] [--debug] [--nan-guard] [-O0] [--seed=N]
                              [--set=NAME=VALUE]... [--skip=PHASE]... FILE
            Evaluates the outputs of FILE and prints them as JSON.

            One JSON object: for each output, in order, "NAME": {"shape": [d...], "data":
            [row-major numbers]}; {} for a program without outputs.

            Numbers are written as Java's Double.toString writes them (2.0, 1.0E-5), so
            they read back exactly; non-finite values are the strings "NaN", "Infinity" and
            "-Infinity".

            Every input the outputs read needs a value from --set. Params not set take
            their initializer's values, drawn from --seed. The outputs are computed from
            the rewritten graph, as graft print shows it; -O0 computes them from the graph
            as written.

            Arguments:
                  FILE               A .graft file, or the name of a bundled model (graft
                                       models lists them).

            Options:
                  --debug            Show the stack trace of an error.
              -h, --help             Show this help and exit.
                  --nan-guard        Stop at the first NaN or infinity, naming the op that
                                       made it and where it is written.
                  -O0                Do not rewrite the graph.
                  --seed=N           Seeds the params' initializers and the random ops
                                       (default: 0).
                  --set=NAME=VALUE   Binds an input, overrides a param or a const, or
                                       replaces a named binding with a fixed value (before
                                       any grad). VALUE is JSON: a number or nested arrays
                                       of numbers, e.g. --set x='[[1, 2], [3, 4]]'; "NaN",
                                       "Infinity" and "-Infinity" are those values.
                                       Repeatable.
                  --skip=PHASE       Leaves out the rewrite phase PHASE, one of:
                                       canonicalize, stabilize, specialize. Repeatable.
            """;

    static final String GRADCHECK = """
            Usage: graft gradcheck [-h] [--debug] [-O0] [--seed=N] [--set=NAME=VALUE]...
                                   [--skip=PHASE]... FILE
            Checks the gradient of FILE's objective against finite differences.

            Compares the symbolic gradient of the objective (its minimize or maximize cost)
            with central finite differences, for every trained param (state set by an
            update statement is not trained), and prints one line per param: its name, the
            absolute and relative error, and ok or FAILED. Exits with status 1 if any fails.

            Each param is checked along one random direction, with its elements stepped in
            proportion to their size; a check fails only when both the absolute (1e-7) and
            the relative (1e-6) error exceed their tolerance. Every input the cost reads
            needs a value from --set; params not set take their initializer's values.
            --seed draws those values, the directions and the random ops' samples (the same
            at every evaluation).

            The cost and its gradient are checked as a training step computes them, after
            rewriting; -O0 checks the graph as written, that is, the ops' own gradients.

            The check runs in f64: a program written in f32 is compiled in f64 for it
            (finite differences in f32 are too coarse for these tolerances), and a first
            line says so.

            Arguments:
                  FILE               A .graft file, or the name of a bundled model (graft
                                       models lists them).

            Options:
                  --debug            Show the stack trace of an error.
              -h, --help             Show this help and exit.
                  -O0                Do not rewrite the graph.
                  --seed=N           Seeds the params' initializers and the random ops
                                       (default: 0).
                  --set=NAME=VALUE   Binds an input, overrides a param or a const, or
                                       replaces a named binding with a fixed value (before
                                       any grad). VALUE is JSON: a number or nested arrays
                                       of numbers, e.g. --set x='[[1, 2], [3, 4]]'; "NaN",
                                       "Infinity" and "-Infinity" are those values.
                                       Repeatable.
                  --skip=PHASE       Leaves out the rewrite phase PHASE, one of:
                                       canonicalize, stabilize, specialize. Repeatable.
            """;

    static final String MODELS = """
            Usage: graft models [-h] [--debug]
            Lists the models bundled with Graft.

            One per line: its name and the first comment line of its source. Any FILE
            argument accepts a bundled model's name (mlp or mlp.graft) in place of a path;
            a path that exists wins.

            Options:
                  --debug   Show the stack trace of an error.
              -h, --help    Show this help and exit.
            """;

    static final String TRAIN = """
            Usage: graft train [-h] [--debug] [--nan-guard] [-O0] [--overwrite]
                               [--average-every=K] [--batch=B] --data=DATASET
                               [--dtype=DTYPE] [--epochs=N] [--improvement-threshold=T]
                               [--lr=RATE] [--lr-decay=GAMMA] [--lr-schedule=SPEC]
                               [--out=OUT] [--partitions=P] [--patience=P]
                               [--patience-increase=F] [--preprocess=KIND] [--resume=OUT]
                               [--seed=N] [--spark=MASTER] [--spark-train=PATH]
                               [--stop-grad-norm=EPS] [--stop-rel-change=EPS] [--valid=N]
                               [--whiten-eps=EPS] [--set=NAME=VALUE]... [--skip=PHASE]...
                               FILE
            Trains the objective of FILE on a data set.

            The features go to the model's input x and the targets (one-hot rows for
            classes) to its input y. Each epoch makes one step per full batch of a fresh
            shuffle, then computes the objective and every metric on the test split.

            A data set of sequences (lorenz, sine-seq, csv-seq:FILE) feeds x and y time
            first, steps by sequences by values: a batch, the shuffle and --valid count
            whole sequences. Each of these sets is one-step prediction, and the run ends
            with the test split's mean squared error of persistence, each step predicted to
            be the one before: the baseline to beat.

            --valid N holds the last N training examples out, or that fraction of them for
            N in (0, 1) (MNIST's last 10,000 are the tutorials' validation set); each epoch
            is then measured on them, the params of the epoch with the best validation
            objective are kept (OUT/best.npz), and the test split is measured once, at the
            end, with them. --patience P stops the run when P epochs pass without a better
            validation objective; with --patience-increase F, the Theano tutorials' rule
            instead: the run trains at least P epochs, an epoch e that improves the
            validation objective by 0.5% or more (--improvement-threshold 0.995) makes it
            at least e F epochs.

            --lr-schedule SPEC sets each epoch's learning rate as PyTorch's scheduler of
            that kind does, stepped after each epoch, and writes it to metrics.csv (a
            column lr). SPEC is one of:
              step:S[:G]                   StepLR; G is 0.1 if not given
              exponential:G                ExponentialLR; --lr-decay G is the same
              cosine:T_MAX[:ETA_MIN]       CosineAnnealingLR; ETA_MIN is 0 if not given
              plateau[:PATIENCE[:FACTOR]]  ReduceLROnPlateau on the validation objective,
                                           or the training objective without --valid;
                                           PATIENCE is 10, FACTOR 0.1 if not given
              warmup:E[,SCHEDULE]          a linear warm-up over E epochs, then SCHEDULE

            --stop-rel-change EPS stops the run after an epoch whose mean training
            objective changed by less than EPS times its value the epoch before;
            --stop-grad-norm EPS after an epoch at whose end the gradient of the mean
            objective over the training split has a norm below EPS (a metrics.csv column,
            grad_norm). Both work with or without --valid. A run that stops early says why,
            and writes it to OUT/run.json.

            --preprocess standardize|pca-whiten|zca-whiten transforms the features of every
            split by statistics of the training split alone (after --valid is held out):
            mean zero and unit variance per feature, or the covariance whitened,
            decorrelated with variances equalized, with --whiten-eps EPS added to its
            eigenvalues. For sequences every step of every sequence is an example of the
            features, and the targets, their next steps, are transformed alike (so are the
            losses, R², trajectories.png and the persistence baseline); other targets stay
            as they are. The checkpoint keeps the transform for --resume.

            OUT gets metrics.csv (one row per epoch), checkpoint.npz (every param and the
            optimizer's state, readable by numpy.load), run.json (the settings) and PNG
            pictures: the learning curve, and for images the first layer's filters,
            reconstructions (a binding recon) and samples (a binding samples), for
            sequences their predictions (a binding predicted). The first output shaped as
            the targets is the model's prediction: for classes, OUT gets the test split's
            confusion matrix once trained (confusion.csv, per_class.csv, confusion.png);
            for real targets, sequences too (every step of every sequence an example), its
            R² is a figure of each epoch (test_r2). --resume OUT continues such a run
            exactly as if it had not stopped; it is an error when the checkpoint already
            holds the --epochs asked for (--epochs counts every epoch of the run).

            OUT is checked before training: a folder that can be written, created if need
            be. It is held by one run at a time through OUT/graft.lock, which names the
            run's process; a second run is refused, and a lock whose process has ended
            (killed with kill -9) is taken over with a warning. A folder with another run's
            files is refused unless the run resumes it or --overwrite is given. Without
            --out, runs/MODEL, or runs/MODEL-2, -3, ... when it holds another run.

            --spark MASTER makes the steps on Apache Spark, with graph-spark's jar
            (docs/spark.md): each batch is split over --partitions P, each partition
            computes its share's gradient, the driver sums them and applies the optimizer:
            the steps of one machine, up to the order of summation. --average-every K is
            local SGD instead, the params averaged every K steps. --spark-train PATH reads
            the training split from CSV files (features, then the target) on the cluster.
            The run folder is the same, with the seconds per step of computing,
            communicating and updating in metrics.csv; either kind of run resumes the
            other's.

            Ctrl-C (SIGINT), SIGTERM or SIGHUP stops the run after its current step: it
            saves the checkpoint and the metrics, part of an epoch included, prints the
            command that resumes it, and exits with 130, 143 or 129. A second one stops at
            once, without saving.

            Arguments:
                  FILE                   A .graft file, or the name of a bundled model
                                           (graft models lists them).

            Options:
                  --average-every=K      With --spark: local SGD instead, each partition
                                           stepping on its share of each batch, the params
                                           averaged every K steps: less communication, not
                                           the steps of one machine (default: none).
                  --batch=B              Examples per step (default: 32, or all the
                                           training examples if fewer).
                  --data=DATASET         The data set: digits, mnist:DIR, ... (listed
                                           below).
                  --debug                Show the stack trace of an error.
                  --dtype=DTYPE          f32 or f64: compile the model with every type and
                                           number in DTYPE (default: as written; the
                                           bundled models are f64).
                  --epochs=N             Epochs to train (default: 10).
              -h, --help                 Show this help and exit.
                  --improvement-threshold=T
                                         With --patience-increase: the T of an improvement
                                           that raises the patience, in (0, 1] (default:
                                           0.995, an improvement of 0.5% or more).
                  --lr=RATE              The learning rate, in place of the one the
                                           objective's optimizer gives.
                  --lr-decay=GAMMA       Multiplies the learning rate by GAMMA after each
                                           epoch, in (0, 1] (default: 1, a constant rate).
                  --lr-schedule=SPEC     The learning rate's schedule, one of the forms
                                           above (default: none).
                  --nan-guard            Stop at the first NaN or infinity, naming the op
                                           that made it and where it is written.
                  -O0                    Do not rewrite the graph.
                  --out=OUT              Where the run's files go (default: runs/MODEL or
                                           the next free runs/MODEL-N, or the --resume
                                           folder).
                  --overwrite            Train into OUT even though it holds another run:
                                           the files a run writes, and nothing else, are
                                           removed before training starts.
                  --partitions=P         With --spark: the partitions of the training
                                           split, over which each batch is split (default:
                                           the cluster's default parallelism).
                  --patience=P           With --valid: stop when P epochs pass without a
                                           better validation objective (default: 0, train
                                           every epoch).
                  --patience-increase=F  With --patience: the Theano tutorials' rule, the
                                           patience P epochs at least, raised to e F by an
                                           epoch e that improves the best validation
                                           objective by 1 - T of it or more (default: none).
                  --preprocess=KIND      standardize, pca-whiten or zca-whiten the
                                           features, fitted on the training split (default:
                                           none).
                  --resume=OUT           Continue the run saved in OUT, with the same FILE,
                                           data and settings; --epochs may grow.
                  --seed=N               Seeds the params' initializers and the random ops
                                           (default: 0).
                  --set=NAME=VALUE       Binds an input, overrides a param or a const, or
                                           replaces a named binding with a fixed value
                                           (before any grad). VALUE is JSON: a number or
                                           nested arrays of numbers, e.g. --set x='[[1, 2],
                                           [3, 4]]'; "NaN", "Infinity" and "-Infinity" are
                                           those values. Repeatable.
                  --skip=PHASE           Leaves out the rewrite phase PHASE, one of:
                                           canonicalize, stabilize, specialize. Repeatable.
                  --spark=MASTER         Train on Apache Spark at MASTER (local[2], spark:
                                           //HOST:7077, yarn): data-parallel SGD whose
                                           steps are those of one machine; run by
                                           graph-spark's jar (docs/spark.md).
                  --spark-train=PATH     With --spark: the training split read by Spark
                                           from the CSV files at PATH (any Hadoop file
                                           system path), a line an example, its features
                                           then its target, in place of --data's (default:
                                           none).
                  --stop-grad-norm=EPS   Stop after an epoch at whose end the gradient of
                                           the mean objective over the training split,
                                           every trained param's as one vector, has a norm
                                           below EPS (default: none).
                  --stop-rel-change=EPS  Stop after an epoch whose mean training objective
                                           changed by less than EPS times its value the
                                           epoch before (default: none).
                  --valid=N              Hold the last N training examples out as a
                                           validation split, or that fraction of them for N
                                           in (0, 1) (default: none; each epoch is measured
                                           on the test split).
                  --whiten-eps=EPS       With pca-whiten or zca-whiten: added to each
                                           eigenvalue of the training split's covariance
                                           (default: 0.1).

            DATASET is one of:
              digits             the bundled 8x8 digits: 1,438 training, 359 test images
              mnist:DIR          MNIST's four IDX files in DIR, .gz or raw: 60,000 + 10,000
              fashion-mnist:DIR  Fashion-MNIST likewise (also fashion:DIR)
              csv:FILE           numbers, the target last, a header or not; 20% for testing
              csv-seq:FILE       sequences, a line a step: id, then values; 20% for testing
              xor                the four XOR points, targets [4, 1], also the test set
              sine               200 noisy samples of sin x, x in [0, 2pi]; tested on sin x
              donut              a disk (0) in a ring (1), targets [n, 1]: 1,000 + 500
              lorenz             Lorenz trajectories / 20, x and y [100, n, 3]: 256 + 64
              sine-seq           noisy sines, y the clean next step, [100, n, 1]: 256 + 64
            """;

    @Example
    void graftHelpListsTheCommands() {
        assertEquals(new Run(0, ROOT, ""), graft("--help"));
        assertEquals(new Run(0, ROOT, ""), graft("-h"));
    }

    @Example
    void checkHelpSaysWhatItPrints() { assertEquals(new Run(0, CHECK, ""), graft("check", "--help")); }

    @Example
    void printHelpSaysWhichGraphItShowsAndHowRewritesAreShown() {
        assertEquals(new Run(0, PRINT, ""), graft("print", "--help"));
    }

    @Example
    void dotHelpSaysItShowsTheGraphOfPrint() { assertEquals(new Run(0, DOT, ""), graft("dot", "-h")); }

    @Example
    void evalHelpSaysHowNumbersAreWritten() { assertEquals(new Run(0, EVAL, ""), graft("eval", "--help")); }

    @Example
    void gradcheckHelpSaysHowTheCheckDecides() {
        assertEquals(new Run(0, GRADCHECK, ""), graft("gradcheck", "--help"));
    }

    @Example
    void modelsHelpSaysNamesStandForFiles() { assertEquals(new Run(0, MODELS, ""), graft("models", "--help")); }

    @Example
    void trainHelpSaysHowTheFolderIsHeldAndWhatAnInterruptDoes() { assertEquals(new Run(0, TRAIN, ""), graft("train", "--help")); }

    @Example
    void helpWinsOverAMissingFile() { assertEquals(new Run(0, EVAL, ""), graft("eval", "--set", "x=1", "--help")); }

    // ---- usage errors: status 2, the message, then where the command's usage is -----------------------

    @Example
    void noCommandIsAUsageError() {
        assertEquals(new Run(2, "", "Missing required command: one of check, print, dot, eval, gradcheck, train, "
                + "models, info\nTry 'graft --help' for more.\n"), graft());
    }

    @Example
    void anUnknownCommandIsAUsageError() {
        assertEquals(new Run(2, "", "Unmatched arguments from index 0: 'frobnicate', 'mlp'\nTry 'graft --help' for more.\n"),
                graft("frobnicate", "mlp"));
    }

    @Example
    void anUnknownFlagIsAUsageError() {
        assertEquals(new Run(2, "", "Unknown option: '--bogus'\nTry 'graft eval --help' for more.\n"), graft("eval", "--bogus", "mlp"));
    }

    @Example
    void aMissingFileIsAUsageError() {
        assertEquals(new Run(2, "", "Missing required parameter: 'FILE'\nTry 'graft check --help' for more.\n"), graft("check"));
    }

    @Example
    void aSecondFileIsAUsageError() {
        assertEquals(new Run(2, "", "Unmatched argument at index 2: 'other'\nTry 'graft check --help' for more.\n"), graft("check", "mlp", "other"));
    }

    @Example
    void aSetWithoutEqualsIsAUsageError() {
        assertEquals(new Run(2, "", "Invalid value for option '--set' (NAME=VALUE): expected NAME=VALUE, found 'x'\n"
                + "Try 'graft eval --help' for more.\n"), graft("eval", "mlp", "--set", "x"));
    }

    @Example
    void aSetWithoutANameIsAUsageError() {
        assertEquals(new Run(2, "", "Invalid value for option '--set' (NAME=VALUE): expected a name before '=' "
                + "in '=[1]'\nTry 'graft gradcheck --help' for more.\n"), graft("gradcheck", "mlp", "--set", "=[1]"));
    }

    @Example
    void aNameSetTwiceIsAUsageError() {
        assertEquals(new Run(2, "", "--set x is given twice\nTry 'graft eval --help' for more.\n"),
                graft("eval", "mlp", "--set", "x=1", "--set", "x=[2]"));
    }

    @Example
    void aSeedThatIsNotANumberIsAUsageError() {
        assertEquals(new Run(2, "", "Invalid value for option '--seed': '1.5' is not a long\nTry 'graft eval --help' for more.\n"),
                graft("eval", "mlp", "--seed", "1.5"));
    }

    @Example
    void aFlagOfAnotherCommandIsAUsageError() {
        assertEquals(new Run(2, "", "Unknown option: '--rewrites'\nTry 'graft dot --help' for more.\n"), graft("dot", "--rewrites", "mlp"));
    }

    // ---- data errors: status 1, error: MESSAGE ---------------------------------------------------------

    @Example
    void aFileThatIsNeitherAPathNorABundledModelIsAnError() {
        assertEquals(new Run(1, "", "error: no such file or bundled model: no/such.graft (graft models lists the "
                + "bundled models)\n"), graft("check", "no/such.graft"));
    }

    private Path dir;

    @BeforeTry
    void makeDirectory() throws IOException { dir = Files.createTempDirectory("graft-cli-test"); }

    @AfterTry
    void removeDirectory() throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    @Example
    void aDirectoryIsNotASource() {
        assertEquals(new Run(1, "", "error: " + dir + ": expected a .graft file or the name of a bundled model, found a directory"
                + " (graft models lists the bundled models)\n"), graft("print", dir.toString()));
    }

    @Example
    void aFileThatIsNotUtf8IsRefused() throws IOException {
        Path file = Files.write(dir.resolve("latin1.graft"), new byte[] {'#', ' ', (byte) 0xe9, '\n'});
        assertEquals(new Run(1, "", "error: cannot read " + file + ": it is not UTF-8 text\n"), graft("check", file.toString()));
    }

    @Example
    void aSetValueThatIsNotJsonIsADataError() {
        assertEquals(new Run(1, "", "error: --set x: the JSON ends too early near column 6\n"),
                graft("eval", "mlp", "--set", "x=[1, 2"));
    }

    @Example
    void aRaggedSetValueIsADataErrorNamingThePlace() {
        assertEquals(new Run(1, "", "error: --set x: ragged array: x[1] has 1 items but x[0] has 2\n"),
                graft("gradcheck", "mlp", "--set", "x=[[1, 2], [3]]"));
    }

    // ---- program and internal errors -----------------------------------------------------------------

    /** A command that does whatever it is given, to fail in ways the real ones should not. */
    @Command(name = "boom")
    record Boom(Runnable action) implements Callable<Integer> {
        public Integer call() {
            action.run();
            return 0;
        }
    }

    private static Run boom(Runnable action, String... args) {
        return graft(cli -> cli.addSubcommand(new Boom(action)), args);
    }

    private static final String HINT = "This is a bug in Graft; rerun with --debug to see where it happened.\n";

    @Example
    void aProgramErrorIsFileLineColumnErrorMessage() {
        assertEquals(new Run(1, "", "m.graft:3:14: error: matmul: inner dimensions differ: [n, 128] @ [64, 10]\n"),
                boom(() -> {
                    throw new GraftException(new SourcePos("m.graft", 3, 14), "matmul: inner dimensions differ: [n, 128] @ [64, 10]");
                }, "boom"));
    }

    @Example
    void aProgramErrorWithoutAPositionIsErrorMessage() {
        assertEquals(new Run(1, "", "error: no objective\n"), boom(() -> {
            throw new GraftException("no objective");
        }, "boom"));
    }

    @Example
    void anInternalErrorShowsNoStackTraceWithoutDebug() {
        assertEquals(new Run(1, "", "internal error: java.lang.IllegalStateException: broken\n" + HINT), boom(() -> {
            throw new IllegalStateException("broken");
        }, "boom"));
    }

    @Example
    void aStackOverflowIsAnInternalErrorWithoutATrace() {
        assertEquals(new Run(1, "", "internal error: java.lang.StackOverflowError\n" + HINT),
                boom(CommandLineTest::recurse, "boom"));
    }

    private static void recurse() { recurse(); }

    @Example
    void debugBeforeTheCommandShowsTheStackTrace() {
        Run run = boom(() -> {
            throw new IllegalStateException("broken");
        }, "--debug", "boom");
        assertEquals(1, run.status());
        assertTrue(run.err().startsWith("internal error: java.lang.IllegalStateException: broken\n"
                + "java.lang.IllegalStateException: broken\n\tat org.graft.cli."), run.err());
    }

    @Example
    void debugAfterTheCommandShowsTheStackTraceToo() {
        Run run = boom(() -> {
            throw new GraftException(new SourcePos("m.graft", 1, 1), "bad");
        }, "boom", "--debug");
        assertEquals(1, run.status());
        assertTrue(run.err().startsWith("m.graft:1:1: error: bad\norg.graft.core.GraftException: m.graft:1:1: bad\n\tat "),
                run.err());
    }
}
