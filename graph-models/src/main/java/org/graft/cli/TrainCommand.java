package org.graft.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Graft;
import org.graft.dsl.Program;
import org.graft.models.data.Data;
import org.graft.models.data.DataSets;
import org.graft.models.train.RunSettings;
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
                "OUT gets metrics.csv (one row per epoch), checkpoint.npz (every param and the optimizer's state, "
                        + "readable by numpy.load), run.json (the settings) and PNG pictures: the learning curve, and for "
                        + "images the first layer's filters, reconstructions (a binding recon) and samples (a binding "
                        + "samples). --resume OUT continues such a run exactly as if it had not stopped."},
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
    Double lr;

    @Option(names = "--lr-decay", paramLabel = "GAMMA", defaultValue = "1",
            description = "Multiplies the learning rate by GAMMA after each epoch, in (0, 1] (default: ${DEFAULT-VALUE}, a constant rate).")
    double lrDecay;

    @Option(names = "--out", paramLabel = "OUT", description = "Where the run's files go (default: runs/MODEL, or the --resume folder).")
    Path out;

    @Option(names = "--resume", paramLabel = "OUT",
            description = "Continue the run saved in OUT, with the same FILE, data and settings; --epochs may grow.")
    Path resume;

    @Option(names = "--nan-guard", description = "Stop at the first NaN or infinity, naming the op that made it and where it is written.")
    boolean nanGuard;

    @Option(names = "--dtype", paramLabel = "DTYPE",
            description = "f32 or f64: compile the model with every type and number in DTYPE (default: as written; "
                    + "the bundled models are f64).")
    String dtype;

    @Mixin
    SetOptions set;

    @Mixin
    RewriteOptions rewriting;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Options options = rewriting.options();
        if (epochs < 1) throw new ParameterException(spec.commandLine(), "--epochs: expected at least 1, found " + epochs);
        if (batch != null && batch < 1) throw new ParameterException(spec.commandLine(), "--batch: expected at least 1, found " + batch);
        if (lr != null && !(lr > 0 && Double.isFinite(lr))) {
            throw new ParameterException(spec.commandLine(), "--lr: expected a positive number, found " + lr);
        }
        if (!(lrDecay > 0 && lrDecay <= 1)) {
            throw new ParameterException(spec.commandLine(), "--lr-decay: expected a number in (0, 1], found " + lrDecay);
        }
        if (resume != null && out != null && !out.equals(resume)) {
            throw new ParameterException(spec.commandLine(), "--out " + out + " and --resume " + resume
                    + ": a resumed run stays in its folder");
        }
        DType forced = dtype == null ? null : dtype(dtype);
        Map<String, Tensor> values = set.values();
        SourceFile.Source text = source.read();
        Program program = Graft.compile(text.name(), text.text(), values, forced);
        // the dtype the run computes in: the cost's (the trainer refuses a program without one)
        DType computes = program.objective().map(o -> o.cost().type().dtype()).orElse(DType.F64);
        Data dataset = load(data);
        int batch = this.batch != null ? this.batch : Math.min(DEFAULT_BATCH, dataset.train().size());
        Path folder = resume != null ? resume : out != null ? out : Path.of("runs", modelName(text.name()));
        var run = new RunSettings(text.name(), text.text(), data, epochs, batch, seed.seed, lr,
                lrDecay, jsonTexts(), rewriting.describe(), nanGuard, computes);
        var trainer = new Trainer(program, dataset, run, options, folder);
        PrintWriter stdout = spec.commandLine().getOut();
        if (resume != null) {
            trainer.resume();
            Trainer.Position at = trainer.position();
            stdout.println(at.steps() == 0 ? String.format("resuming %s after epoch %d", folder, at.epochs())
                    : String.format("resuming %s at step %d of %d of epoch %d", folder, at.steps() + 1, trainer.stepsPerEpoch(),
                            at.epochs() + 1));
        }
        stdout.printf("%s on %s: %,d training and %,d test examples, %d epoch%s of %,d steps of %d%s%n", text.name(),
                dataset.name(), dataset.train().size(), dataset.test().size(), epochs, epochs == 1 ? "" : "s",
                dataset.train().size() / batch, batch, computes == DType.F64 ? "" : ", in " + computes);
        stdout.flush();
        trainer.train(new Report(stdout, spec.commandLine().getErr(), epochs, trainer.columns().get(1).replace('_', ' ')),
                () -> false);
        stdout.printf("%s holds metrics.csv, checkpoint.npz and the pictures%n", folder);
        List<Trainer.Epoch> history = trainer.history();
        history.get(history.size() - 1).test()
                .forEach((column, value) -> stdout.printf("%s: %.4g%n", column.replace('_', ' '), value));
        return 0;
    }

    private DType dtype(String name) {
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
    private static final class Report implements Trainer.Listener {
        private final PrintWriter out;
        private final PrintWriter err;
        private final int epochs;
        private final String train;
        private ProgressBar bar;
        private int batch;
        private long lastLine;

        Report(PrintWriter out, PrintWriter err, int epochs, String train) {
            this.out = out;
            this.err = err;
            this.epochs = epochs;
            this.train = train;
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
            if (epoch.epoch() > 1 && epoch.epoch() < epochs && now - lastLine < 1_000_000_000L) return;
            lastLine = now;
            var line = new StringBuilder(String.format("epoch %d/%d  %s %.4f", epoch.epoch(), epochs, train, epoch.train()));
            epoch.test().forEach((column, value) -> line.append(String.format("  %s %.4g", column.replace('_', ' '), value)));
            line.append(String.format("  %.1f s", epoch.seconds()));
            out.println(line);
            out.flush();
        }

        @Override
        public void warning(String message) {
            err.println("warning: " + message);
            err.flush();
        }
    }
}
