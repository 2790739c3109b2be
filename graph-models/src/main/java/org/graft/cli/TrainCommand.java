package org.graft.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Graft;
import org.graft.dsl.Program;
import org.graft.models.data.CorruptDataException;
import org.graft.models.data.Data;
import org.graft.models.data.DataSets;
import org.graft.models.data.Preprocessing;
import org.graft.models.train.Confusion;
import org.graft.models.train.Model;
import org.graft.models.train.RunFolder;
import org.graft.models.train.RunSettings;
import org.graft.models.train.StepEngine;
import org.graft.models.train.Trainer;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code graft train MODEL --data DATASET}: trains the objective, with a progress bar, a checkpoint, metrics and pictures. */
@Command(name = "train",
        description = {"Trains the objective of FILE on a data set.",
                "",
                "The features go to the model's input x and the targets (one-hot rows for classes) to its input y. "
                        + "Each epoch makes one step per full batch of a fresh shuffle, then computes the objective "
                        + "and every metric on the test split.",
                "",
                "A data set of sequences (lorenz, sine-seq, csv-seq:FILE) feeds x and y time first, steps by sequences "
                        + "by values: a batch, the shuffle and --valid count whole sequences. Each of these sets is one-step "
                        + "prediction, and the run ends with the test split's mean squared error of persistence, each step "
                        + "predicted to be the one before: the baseline to beat.",
                "",
                "--valid N holds the last N training examples out, or that fraction of them for N in (0, 1) (MNIST's "
                        + "last 10,000 are the tutorials' validation set); each epoch is then measured on them, the params of the epoch with the best validation "
                        + "objective are kept (OUT/best.npz), and the test split is measured once, at the end, with them. "
                        + "--patience P stops the run when P epochs pass without a better validation objective; with "
                        + "--patience-increase F, the Theano tutorials' rule instead: the run trains at least P epochs, an epoch e "
                        + "that improves the validation objective by 0.5%% or more (--improvement-threshold 0.995) makes it at "
                        + "least e F epochs.",
                "",
                "--lr-schedule SPEC sets each epoch's learning rate as PyTorch's scheduler of that kind does, stepped "
                        + "after each epoch, and writes it to metrics.csv (a column lr). SPEC is one of:",
                "  step:S[:G]                   StepLR; G is 0.1 if not given",
                "  exponential:G                ExponentialLR; --lr-decay G is the same",
                "  cosine:T_MAX[:ETA_MIN]       CosineAnnealingLR; ETA_MIN is 0 if not given",
                "  plateau[:PATIENCE[:FACTOR]]  ReduceLROnPlateau on the validation objective,",
                "                               or the training objective without --valid;",
                "                               PATIENCE is 10, FACTOR 0.1 if not given",
                "  warmup:E[,SCHEDULE]          a linear warm-up over E epochs, then SCHEDULE",
                "",
                "--stop-rel-change EPS stops the run after an epoch whose mean training objective changed by less "
                        + "than EPS times its value the epoch before; --stop-grad-norm EPS after an epoch at whose end the "
                        + "gradient of the mean objective over the training split has a norm below EPS (a metrics.csv column, "
                        + "grad_norm). Both work with or without --valid. A run that stops early says why, and writes it to "
                        + "OUT/run.json.",
                "",
                "--preprocess standardize|pca-whiten|zca-whiten transforms the features of every split by statistics of "
                        + "the training split alone (after --valid is held out): mean zero and unit variance per feature, or "
                        + "the covariance whitened, decorrelated with variances equalized, with --whiten-eps EPS added to its "
                        + "eigenvalues. For sequences every step of every sequence is an example of the features, and the "
                        + "targets, their next steps, are transformed alike (so are the losses, R², trajectories.png and the "
                        + "persistence baseline); other targets stay as they are. The checkpoint keeps the transform for --resume.",
                "",
                "OUT gets metrics.csv (one row per epoch), checkpoint.npz (every param and the optimizer's state, "
                        + "readable by numpy.load), run.json (the settings) and PNG pictures: the learning curve, and for "
                        + "images the first layer's filters, reconstructions (a binding recon) and samples (a binding "
                        + "samples), for sequences their predictions (a binding predicted). The first output shaped as "
                        + "the targets is the model's prediction: for classes, OUT gets the test split's confusion matrix once "
                        + "trained (confusion.csv, per_class.csv, confusion.png); for real targets, sequences too (every step of "
                        + "every sequence an example), its R² is a figure of each epoch (test_r2). "
                        + "--resume OUT continues such a run exactly as if it had not stopped; it is an error "
                        + "when the checkpoint already holds the --epochs asked for (--epochs counts every epoch of the run).",
                "",
                "OUT is checked before training: a folder that can be written, created if need be. It is held by one "
                        + "run at a time through OUT/graft.lock, which names the run's process; a second run is refused, "
                        + "and a lock whose process has ended (killed with kill -9) is taken over with a warning. A folder "
                        + "with another run's files is refused unless the run resumes it or --overwrite is given. Without "
                        + "--out, runs/MODEL, or runs/MODEL-2, -3, ... when it holds another run.",
                "",
                "--spark MASTER makes the steps on Apache Spark, with graph-spark's jar (docs/spark.md): each batch is split "
                        + "over --partitions P, each partition computes its share's gradient, the driver sums them and applies "
                        + "the optimizer: the steps of one machine, up to the order of summation. --average-every K is local SGD "
                        + "instead, the params averaged every K steps. --spark-train PATH reads the training split from CSV files "
                        + "(features, then the target) on the cluster. The run folder is the same, with the seconds per step of "
                        + "computing, communicating and updating in metrics.csv; either kind of run resumes the other's.",
                "",
                "Ctrl-C (SIGINT), SIGTERM or SIGHUP stops the run after its current step: it saves the checkpoint "
                        + "and the metrics, part of an epoch included, prints the command that resumes it, and exits with "
                        + "130, 143 or 129. A second one stops at once, without saving."},
        footer = {"", "DATASET is one of:"}) // the forms themselves are added by GraftCli, from DataSets.FORMS
final class TrainCommand implements Callable<Integer> {

    @Mixin
    SourceFile source;

    @Option(names = "--data", paramLabel = "DATASET", required = true,
            description = "The data set: digits, mnist:DIR, ... (listed below).")
    String data;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", description = "Epochs to train (default: ${DEFAULT-VALUE}).")
    int epochs;

    /** The batch size when none is given, or the whole training set when it is smaller. */
    static final int DEFAULT_BATCH = 32;

    @Option(names = "--batch", paramLabel = "B",
            description = "Examples per step (default: " + DEFAULT_BATCH + ", or all the training examples if fewer).")
    Integer batch;

    @Mixin
    SeedOption seed;

    @Option(names = "--lr", paramLabel = "RATE", description = "The learning rate, in place of the one the objective's optimizer gives.")
    String lr;   // as given: RunSettings.learningRate reads and checks it, so that nan is refused in the words 0 is

    @Option(names = "--lr-decay", paramLabel = "GAMMA", defaultValue = "1",
            description = "Multiplies the learning rate by GAMMA after each epoch, in (0, 1] (default: ${DEFAULT-VALUE}, a constant rate).")
    double lrDecay;

    @Option(names = "--lr-schedule", paramLabel = "SPEC",
            description = "The learning rate's schedule, one of the forms above (default: none).")
    String lrSchedule;   // as given: RunSettings.lrSchedule reads and checks it

    @Option(names = "--valid", paramLabel = "N",
            description = "Hold the last N training examples out as a validation split, or that fraction of them for N in (0, 1) "
                    + "(default: none; each epoch is measured on the test split).")
    String valid;   // as given: RunSettings.validation reads it, RunSettings.validCount counts it against the data

    @Option(names = "--patience", paramLabel = "P", defaultValue = "0",
            description = "With --valid: stop when P epochs pass without a better validation objective (default: 0, "
                    + "train every epoch).")
    int patience;

    @Option(names = "--patience-increase", paramLabel = "F",
            description = "With --patience: the Theano tutorials' rule, the patience P epochs at least, raised to e F by an "
                    + "epoch e that improves the best validation objective by 1 - T of it or more (default: none).")
    String patienceIncrease;        // as given: RunSettings.patienceIncrease reads and checks it

    @Option(names = "--improvement-threshold", paramLabel = "T",
            description = "With --patience-increase: the T of an improvement that raises the patience, in (0, 1] (default: "
                    + RunSettings.IMPROVEMENT_THRESHOLD + ", an improvement of 0.5%% or more).")
    String improvementThreshold;    // as given: RunSettings.improvementThreshold reads and checks it

    @Option(names = "--stop-rel-change", paramLabel = "EPS",
            description = "Stop after an epoch whose mean training objective changed by less than EPS times its "
                    + "value the epoch before (default: none).")
    String stopRelChange;   // as given: RunSettings.stopRelChange reads and checks it

    @Option(names = "--stop-grad-norm", paramLabel = "EPS",
            description = "Stop after an epoch at whose end the gradient of the mean objective over the training split, "
                    + "every trained param's as one vector, has a norm below EPS (default: none).")
    String stopGradNorm;    // as given: RunSettings.stopGradNorm reads and checks it

    @Option(names = "--preprocess", paramLabel = "KIND",
            description = "standardize, pca-whiten or zca-whiten the features, fitted on the training split (default: none).")
    String preprocess;      // as given: RunSettings.preprocess checks it

    @Option(names = "--whiten-eps", paramLabel = "EPS",
            description = "With pca-whiten or zca-whiten: added to each eigenvalue of the training split's covariance "
                    + "(default: " + Preprocessing.DEFAULT_EPS + ").")
    String whitenEps;       // as given: RunSettings.whitenEps reads and checks it

    @Option(names = "--out", paramLabel = "OUT",
            description = "Where the run's files go (default: runs/MODEL or the next free runs/MODEL-N, or the --resume folder).")
    Path out;

    @Option(names = "--resume", paramLabel = "OUT",
            description = "Continue the run saved in OUT, with the same FILE, data and settings; --epochs may grow.")
    Path resume;

    @Option(names = "--overwrite",
            description = "Train into OUT even though it holds another run: the files a run writes, and nothing else, are "
                    + "removed before training starts.")
    boolean overwrite;

    @Mixin
    NanGuardOption nanGuard;

    @Option(names = "--dtype", paramLabel = "DTYPE",
            description = "f32 or f64: compile the model with every type and number in DTYPE (default: as written; "
                    + "the bundled models are f64).")
    String dtype;


    @Mixin
    SparkOptions spark;

    @Mixin
    SetOptions set;

    @Mixin
    RewriteOptions rewriting;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Options options = rewriting.options();
        checked(() -> RunSettings.requireEpochs(epochs));
        if (batch != null) checked(() -> RunSettings.requireBatch(batch));
        checked(() -> RunSettings.requireLrDecay(lrDecay));
        String schedule = lrSchedule == null ? null : checked(() -> RunSettings.lrSchedule(lrSchedule, lrDecay));
        OptionalDouble rate = lr == null ? OptionalDouble.empty() : OptionalDouble.of(checked(() -> RunSettings.learningRate(lr)));
        if (valid != null) checked(() -> RunSettings.validation(valid));
        checked(() -> RunSettings.requirePatience(patience, valid != null));
        double increase = patienceIncrease == null ? 0 : checked(() -> RunSettings.patienceIncrease(patienceIncrease, patience));
        double threshold = checked(() -> RunSettings.improvementThreshold(improvementThreshold, patienceIncrease != null));
        double relChange = stopRelChange == null ? 0 : checked(() -> RunSettings.stopRelChange(stopRelChange));
        double gradNorm = stopGradNorm == null ? 0 : checked(() -> RunSettings.stopGradNorm(stopGradNorm));
        if (preprocess != null) checked(() -> RunSettings.preprocess(preprocess));
        double eps = checked(() -> RunSettings.whitenEps(whitenEps, preprocess));
        if (resume != null && out != null && !out.equals(resume)) {
            throw new ParameterException(spec.commandLine(), "--out " + out + " and --resume " + resume
                    + ": a resumed run stays in its folder");
        }
        if (resume != null && overwrite) {
            throw new ParameterException(spec.commandLine(), "--overwrite and --resume " + resume
                    + ": a resumed run continues its files, it does not replace them");
        }
        StepEngine.Provider cluster = spark.provider(valid != null ? "--valid" : preprocess != null ? "--preprocess"
                : stopGradNorm != null ? "--stop-grad-norm" : null);
        DType forced = dtype == null ? null : dtype(dtype, spec);
        Map<String, Tensor> values = set.values();
        SourceFile.Source text = source.read();
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        // the handlers first, so that a Ctrl-C while the data load still leaves a run to resume
        try (var interrupts = Interrupts.install(stderr); RunFolder folder = folder(modelName(text.name()), stderr);
             StepEngine.Cluster engines = cluster == null ? null : cluster.connect(spark.request())) {
            Program program = Graft.compile(text.name(), text.text(), values, forced);
            Data dataset = spark.trainFiles == null ? load(data)
                    : spark.filesTrained(load(data), engines, batch != null ? batch : DEFAULT_BATCH);
            Model model = ProgramModel.of(program, dataset);
            DType computes = model.cost().type().dtype();
            int held = valid == null ? 0 : checked(() -> RunSettings.validCount(valid, dataset.train().size(), dataset.name()));
            int training = (engines == null ? dataset.train().size() : engines.trainingSize(dataset.train())) - held;
            int batch = this.batch != null ? this.batch : Math.min(DEFAULT_BATCH, training);
            var run = new RunSettings(text.name(), text.text(), data, epochs, batch, seed.seed, rate,
                    lrDecay, jsonTexts(), rewriting.describe(), nanGuard.on, computes).validating(held, patience)
                    .increasingPatience(increase, threshold).stopping(relChange, gradNorm).preprocessing(preprocess, eps)
                    .scheduling(schedule);
            var trainer = new Trainer(model, dataset, run, options, folder.path(), engines);
            if (resume != null) {
                trainer.resume();
                Trainer.Position at = trainer.position();
                stdout.println(at.steps() == 0 ? String.format("resuming %s after epoch %d", folder.path(), at.epochs())
                        : String.format("resuming %s at step %d of %d of epoch %d", folder.path(), at.steps() + 1,
                                trainer.stepsPerEpoch(), at.epochs() + 1));
            }
            if (overwrite) folder.clear();
            String examples = dataset.train().isSequences() ? String.format("sequences of %,d steps", dataset.train().steps())
                    : "examples";
            stdout.printf("%s on %s: %,d training%s and %,d test %s, %d epoch%s of %,d steps of %d%s%s%n", text.name(),
                    dataset.name(), training, held == 0 ? "" : String.format(", %,d validation", held), dataset.test().size(), examples,
                    epochs, epochs == 1 ? "" : "s", training / batch, batch, computes == DType.F64 ? "" : ", in " + computes,
                    preprocess == null ? "" : ", " + preprocess + " by the training split's statistics"
                            + (eps == 0 ? "" : " (eps " + RunSettings.epsText(eps) + ")"));
            stdout.flush();
            boolean finished;
            try (var report = new Report(stdout, stderr, epochs, trainer.columns(), trainer::stoppedEarly)) {
                finished = trainer.train(report, interrupts::requested);
            }
            if (!finished) {
                Trainer.Position at = trainer.position();
                stderr.printf("%s: stopped %s, all saved in %s%n", interrupts.signal(), at.equals(new Trainer.Position(0, 0))
                        ? "before the first step" : "after " + at.describe(trainer.stepsPerEpoch()), folder.path());
                stderr.printf("continue with: %s%n", resumeCommand(folder.path()));
                return interrupts.status();
            }
            Confusion confusion = trainer.confusion();
            stdout.printf("%s holds metrics.csv, checkpoint.npz%s%s and the pictures%n", folder.path(), held == 0 ? "" : ", best.npz",
                    confusion == null ? "" : ", confusion.csv, per_class.csv");
            List<Trainer.Epoch> history = trainer.history();
            if (trainer.stoppedEarly()) stdout.printf("stopped early after epoch %d: %s%n", history.size(), trainer.stopped());
            if (held > 0) {
                int best = trainer.bestEpoch();
                stdout.printf("best epoch: %d of %d, by its %s%n", best, history.size(),
                        trainer.columns().heldOut().get(0).replace('_', ' '));
                history.get(best - 1).heldOut().forEach(this::printFigure);
                stdout.printf("the test split, measured once, with epoch %d's params:%n", best);
            }
            // the last lines: a confusion matrix's recalls before the test figures, which a one-step prediction set's baseline follows
            if (confusion != null) stdout.println(recallByClass(confusion));
            (held == 0 ? history.get(history.size() - 1).heldOut() : trainer.testFigures()).forEach(this::printFigure);
            trainer.persistenceMse().ifPresent(mse -> stdout.printf("%s: %.4g%n", PERSISTENCE, mse));
            return 0;
        } catch (CorruptDataException e) {   // a checkpoint to resume that is damaged
            throw new DataError(e.getMessage());
        } catch (IOException e) {            // a file that could not be read or saved: a full disk, a folder removed
            throw new DataError(RunFolder.describe(e));
        }
    }

    /** Each class's accuracy on the test split, its recall: {@code test recall by class: 0 1.000, 1 0.9459, ...}. */
    static String recallByClass(Confusion confusion) {
        var line = new StringBuilder("test recall by class:");
        for (int c = 0; c < confusion.classes(); c++) line.append(String.format("%s %d %.4g", c == 0 ? "" : ",", c, confusion.recall(c)));
        return line.toString();
    }

    /** What the last line of a run on a one-step prediction set names: the test split's error of predicting each step by the one before. */
    static final String PERSISTENCE = "persistence baseline (x[t+1] = x[t]) test mse";

    /** A figure of the last lines, {@code test accuracy: 0.9749}. */
    private void printFigure(String column, double value) {
        spec.commandLine().getOut().printf("%s: %.4g%n", column.replace('_', ' '), value);
    }

    /**
     * The run's folder, checked and held: --resume's, --out's, or by default runs/MODEL, or the
     * first of runs/MODEL-2, runs/MODEL-3, ... that holds no other run, so that running the same
     * command twice keeps both runs, as YOLO's runs/train, runs/train2 do (--overwrite replaces
     * runs/MODEL instead).
     */
    private RunFolder folder(String model, PrintWriter stderr) {
        Consumer<String> warning = message -> {
            stderr.println("warning: " + message);
            stderr.flush();
        };
        if (resume != null) return RunFolder.take(resume, RunFolder.Use.RESUME, "--resume " + resume, warning);
        RunFolder.Use use = overwrite ? RunFolder.Use.OVERWRITE : RunFolder.Use.NEW;
        if (out != null) return RunFolder.take(out, use, "--out " + out, warning);
        Path folder = overwrite ? Path.of("runs", model) : defaultFolder(Path.of("runs"), model);
        return RunFolder.take(folder, use, folder.toString(), warning);
    }

    /** {@code runs/MODEL}, or the first of {@code runs/MODEL-2}, {@code -3}, ... that no other run has taken. */
    static Path defaultFolder(Path runs, String model) {
        Path folder = runs.resolve(model);
        for (int n = 2; RunFolder.taken(folder); n++) folder = runs.resolve(model + "-" + n);
        return folder;
    }

    /**
     * The command that resumes this run: the command line as given, without --out, --resume and
     * --overwrite, then --resume FOLDER; each argument quoted for a POSIX shell where it needs to
     * be. The command's name is the one the graft script was run by ({@code graft.command}).
     */
    private String resumeCommand(Path folder) {
        var words = new ArrayList<String>();
        words.add(System.getProperty("graft.command", "graft"));
        List<String> given = spec.root().commandLine().getParseResult().originalArgs();
        for (int i = 0; i < given.size(); i++) {
            String word = given.get(i);
            if (word.equals("--overwrite") || word.startsWith("--out=") || word.startsWith("--resume=")) continue;
            if (word.equals("--out") || word.equals("--resume")) {
                i++;   // and its value
                continue;
            }
            words.add(word);
        }
        words.add("--resume");
        words.add(folder.toString());
        return words.stream().map(TrainCommand::quoted).collect(Collectors.joining(" "));
    }

    /** A word as a POSIX shell reads it back: as it is when it holds nothing special, else in single quotes. */
    static String quoted(String word) {
        if (!word.isEmpty() && word.matches("[A-Za-z0-9_@%+=:,./-]+")) return word;
        return "'" + word.replace("'", "'\\''") + "'";
    }


    /** {@code check}'s value; its refusal as a usage error, checked before any folder is touched. */
    private <T> T checked(Supplier<T> check) {
        try {
            return check.get();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The dtype a {@code --dtype} names, or a usage error of the command {@code spec}. */
    static DType dtype(String name, CommandSpec spec) {
        for (DType d : DType.values()) if (d.toString().equals(name)) return d;
        throw new ParameterException(spec.commandLine(), "--dtype: expected f32 or f64, found " + name);
    }

    private Data load(String spec) {
        try {
            return DataSets.load(spec);
        } catch (IllegalArgumentException e) { // a name that is no data set: a wrong command line
            throw new ParameterException(this.spec.commandLine(), "--data " + spec + ": " + e.getMessage());
        } catch (IOException e) {
            throw new DataError("--data " + spec + ": " + e.getMessage());
        }
    }

    private Map<String, String> jsonTexts() {
        var texts = new LinkedHashMap<String, String>();
        for (SetOptions.Binding b : set.bindings) texts.put(b.name(), b.json());
        return texts;
    }

    private static String modelName(String file) {
        String name = Path.of(file).getFileName().toString();
        return name.endsWith(".graft") ? name.substring(0, name.length() - ".graft".length()) : name;
    }

    /** Prints a line per epoch, and draws a progress bar on standard error when it is a terminal. */
    private static final class Report implements Trainer.Listener, AutoCloseable {
        private final PrintWriter out;
        private final PrintWriter err;
        private final int epochs;
        private final String train;
        private final boolean lr;               // the line shows the learning rate, which the run schedules
        private final boolean gradNorm;         // the line shows the gradient's norm, which the run measures
        private final BooleanSupplier last;     // whether the epoch finished is the last, the run having stopped early
        private ProgressBar bar;
        private int batch;
        private long lastLine;

        Report(PrintWriter out, PrintWriter err, int epochs, Trainer.Columns columns, BooleanSupplier last) {
            this.out = out;
            this.err = err;
            this.epochs = epochs;
            this.train = columns.train().replace('_', ' ');
            this.lr = columns.lr();
            this.gradNorm = columns.gradNorm();
            this.last = last;
        }

        @Override
        public void started(int epoch, int done, int steps, int batch) {
            this.batch = batch;
            if (System.console() == null) return; // no bar in a pipe or a log file: the epoch lines say enough
            bar = new ProgressBarBuilder().setTaskName(String.format("epoch %d/%d", epoch, epochs))
                    .setInitialMax((long) steps * batch).startsFrom((long) done * batch, java.time.Duration.ZERO).setUnit(" ex", 1).showSpeed()
                    .setStyle(ProgressBarStyle.ASCII).clearDisplayOnFinish()
                    .setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
        }

        @Override
        public void step(int done, double objective) {
            if (bar == null) return;
            bar.stepBy(batch);
            bar.setExtraMessage(String.format(" %s %.4g", train, objective)); // the batch's, not the epoch's mean
        }

        @Override
        public void finished(Trainer.Epoch epoch) {
            if (bar != null) bar.close();
            bar = null;
            long now = System.nanoTime();
            // a line an epoch, but not a thousand lines a second when epochs are one step each
            if (epoch.epoch() > 1 && epoch.epoch() < epochs && !last.getAsBoolean() && now - lastLine < 1_000_000_000L) return;
            lastLine = now;
            var line = new StringBuilder(String.format("epoch %d/%d", epoch.epoch(), epochs));
            if (lr) line.append(String.format("  lr %.4g", epoch.lr()));
            line.append(String.format("  %s %.4f", train, epoch.train()));
            if (gradNorm) line.append(String.format("  grad norm %.4g", epoch.gradNorm()));
            epoch.heldOut().forEach((column, value) -> line.append(String.format("  %s %.4g", column.replace('_', ' '), value)));
            line.append(String.format("  %.1f s", epoch.seconds()));
            out.println(line);
            out.flush();
        }

        /** Closes the bar of an epoch that did not finish: the run stopped or failed within it. */
        @Override
        public void close() {
            if (bar != null) bar.close();
            bar = null;
        }

        @Override
        public void warning(String message) {
            err.println("warning: " + message);
            err.flush();
        }
    }
}
