package org.graft.models.train;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.ObjIntConsumer;
import java.util.stream.IntStream;

import org.graft.core.Apply;
import org.graft.core.GraftException;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.SourcePos;
import org.graft.core.Type;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.runtime.NonFiniteError;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.models.data.Data;
import org.graft.models.data.Dataset;
import org.graft.models.data.Preprocessing;
import org.graft.models.io.AtomicFile;
import org.graft.ops.Neural;
import org.graft.ops.Ops;
import org.graft.ops.Reduce;

/**
 * Trains a {@link Model}'s objective on a data set, epoch by epoch, as {@code graft train} does.
 *
 * <p>The features are fed to the model's input {@code x} and the targets (one-hot rows for a
 * classification set) to its input {@code y}, if it reads targets: a {@code y} of rank 1 takes
 * the class labels instead, whole numbers in a vector, and the number of classes is the size of
 * the dim {@value #CLASSES}. Any other input it reads takes its fixed value. For a set of
 * sequences ({@link Dataset#isSequences()}) an example is a whole sequence: x takes
 * {@code [t, batch, d]} and y {@code [t, batch, k]}, the batches, the shuffle and the splits
 * being along that axis. Each epoch shuffles the training set and makes one step per full batch:
 * the examples of a last, partial batch wait for another epoch's shuffle, so that every step
 * sees the same batch shape (a persistent chain has one row per batch row). After the epoch
 * the objective and every {@code metric} are computed on the whole held-out split, in batches, as
 * means weighted by batch size: the test split, or with {@link RunSettings#valid()} the
 * validation split, the last examples of the training set, held out of training. A run with a
 * validation split keeps the params of its best epoch, the one with the best validation
 * objective (the first, on a tie), stops when {@link RunSettings#patience()} epochs pass without
 * a better one (or, with {@link RunSettings#patienceIncrease()}, by the Theano tutorials' rule),
 * and measures the test split once, at the end, with the best epoch's params: no figure of the
 * test split chooses anything. With or without a validation split, a run stops
 * after an epoch whose mean training objective changed by less than
 * {@link RunSettings#stopRelChange()} of the epoch before's, or at whose end the norm of the
 * objective's gradient over the whole training split is below {@link RunSettings#stopGradNorm()};
 * the epoch that stops a run is saved and counts as any other. Each epoch trains at the rate
 * {@link RunSettings#schedule()} gives it, which a plateau decides from the validation objective
 * (the training objective without a validation split). A model's prediction of y, the first of
 * its outputs shaped as the targets, is scored too: for real targets its R² is a held-out figure
 * of each epoch (over every step of every sequence, for sequences); for classes the test split's {@link Confusion} matrix is taken once trained,
 * with the params of the final test figures.
 *
 * <p>With {@link RunSettings#preprocessing()}, the features of every split are transformed
 * before the first step, by a transform fitted on the training split alone (after the
 * validation split is held out of it): the validation and test splits are transformed with the
 * training split's statistics, the test split only when it is measured. The checkpoint holds
 * the transform, and a resumed run applies that one rather than fitting it again. Of sequences,
 * every step of every sequence is an example of the features. The targets are not transformed,
 * but those of a one-step prediction set, the next steps of the features: the objective, the
 * prediction's R², the pictures and the persistence baseline are then all in the new units.
 *
 * <p>The run computes in the dtype of the model's cost. The data sets are f64 in memory;
 * an f32 model is fed each batch converted to the dtype of the input it goes to, as it is
 * taken from the set (a copy of the batch, never of the whole set), and its learning rate param
 * {@value #LR} is f32 too.
 *
 * <p>Everything random in epoch {@code e} is drawn from streams seeded by the run's seed and
 * {@code e} alone: the shuffle and the test pass from one per epoch, the training step's random
 * ops from one per step (seeded by the epoch's seed and the step), so that a run resumes exactly
 * at a step as well as between epochs. A run resumed from a checkpoint computes exactly what the
 * uninterrupted run computes.
 *
 * <p>{@link #train} can be asked to stop between two steps (on Ctrl-C, say); it then saves the
 * run where it stands, part of an epoch included, and a resumed run continues with the next step.
 */
public final class Trainer {

    /**
     * One epoch: the learning rate it trained with (NaN for a run without
     * {@link RunSettings#lrSchedule()}, which does not write it), the mean objective over its
     * training steps, the norm of the objective's gradient over the training split at its end
     * ({@link #gradientNorm}; NaN for a run that does not measure it, without
     * {@link RunSettings#stopGradNorm()}), the held-out split's figures by column, the
     * seconds it took, and with a {@link StepEngine} the seconds per step of its parts
     * ({@link StepEngine.Timing#NONE} on one machine).
     */
    public record Epoch(int epoch, double lr, double train, double gradNorm, Map<String, Double> heldOut, double seconds,
                        StepEngine.Timing timing) {
        /** An epoch trained on one machine, whose steps are not timed by part. */
        public Epoch(int epoch, double lr, double train, double gradNorm, Map<String, Double> heldOut, double seconds) {
            this(epoch, lr, train, gradNorm, heldOut, seconds, StepEngine.Timing.NONE);
        }

        /** An epoch whose learning rate is not written and whose gradient's norm is not measured. */
        public Epoch(int epoch, double train, Map<String, Double> heldOut, double seconds) {
            this(epoch, Double.NaN, train, Double.NaN, heldOut, seconds);
        }
    }

    /**
     * The columns of {@code metrics.csv}, by what they hold: {@value #EPOCH}, {@value #LR} if
     * {@code lr}, {@code train}, {@value #GRAD_NORM} if {@code gradNorm}, the {@code heldOut}
     * columns, {@value #SECONDS}.
     *
     * @param lr whether the file holds {@link Epoch#lr()}: only with {@link RunSettings#lrSchedule()},
     *     so that other runs' files stay as they were
     * @param train the mean objective over an epoch's steps, {@code train_OBJ}
     * @param gradNorm whether the run measures {@link Epoch#gradNorm()}: only with
     *     {@link RunSettings#stopGradNorm()}, so that other runs' files stay as they were
     * @param heldOut the figures of the held-out split: {@code test_OBJ} (unless the objective reads
     *     state), then {@code test_METRIC} for each metric in order, or {@code valid_OBJ} and
     *     {@code valid_METRIC} with a validation split; the keys of {@link Epoch#heldOut()}
     * @param timing whether the file ends with {@link Epoch#timing()}, {@link #TIMING}: only for a
     *     run whose steps a {@link StepEngine} makes, so that other runs' files stay as they were
     */
    public record Columns(boolean lr, String train, boolean gradNorm, List<String> heldOut, boolean timing) {
        public static final String EPOCH = "epoch";
        public static final String LR = "lr";
        public static final String GRAD_NORM = "grad_norm";
        public static final String SECONDS = "seconds";
        /** Seconds per step computing gradients, communicating, and updating on the driver: {@link StepEngine.Timing}'s parts. */
        public static final List<String> TIMING = List.of("step_compute_s", "step_communication_s", "step_update_s");

        public Columns {
            heldOut = List.copyOf(heldOut);
        }

        /** The columns of a run on one machine. */
        public Columns(boolean lr, String train, boolean gradNorm, List<String> heldOut) {
            this(lr, train, gradNorm, heldOut, false);
        }

        /** The columns of a run that neither writes its learning rate nor measures the gradient's norm. */
        public Columns(String train, List<String> heldOut) {
            this(false, train, false, heldOut);
        }

        /** These columns with the timing of the steps by part, or without. */
        public Columns timed(boolean timed) { return new Columns(lr, train, gradNorm, heldOut, timed); }

        /** Every column, in the order of the file. */
        public List<String> all() {
            var all = new ArrayList<String>();
            all.add(EPOCH);
            if (lr) all.add(LR);
            all.add(train);
            if (gradNorm) all.add(GRAD_NORM);
            all.addAll(heldOut);
            all.add(SECONDS);
            if (timing) all.addAll(TIMING);
            return all;
        }
    }

    /** What a trainer reports as it goes. */
    public interface Listener {
        /** Epoch {@code epoch}, of {@code steps} steps of {@code batch} examples, starts after {@code done} of them (0 unless resumed). */
        default void started(int epoch, int done, int steps, int batch) {}

        /** A step of the epoch is done; {@code objective} is its batch's value. */
        default void step(int done, double objective) {}

        /** The epoch is done and measured on the held-out split (and saved, when it is time to). */
        default void finished(Epoch epoch) {}

        /** Something that does not stop training went wrong, such as a picture that could not be drawn. */
        default void warning(String message) {}
    }

    /**
     * The symbolic dim that takes the number of classes when y is a vector of labels, so that a
     * param {@code [hidden, k]} gets the width a one-hot {@code y: [n, k]} would give it.
     */
    public static final String CLASSES = "k";

    /** The name of the learning rate's param: the step reads it, so checkpoints hold it. */
    public static final String LR = "graft.lr";

    /** The prefix of the held-out split's columns: the test split's, or with {@code --valid} the validation split's. */
    public static final String TEST = "test_", VALID = "valid_";

    /** The prefix of the training objective's column. */
    public static final String TRAIN = "train_";

    private final Model model;
    private Data data;                          // the training examples and the split measured each epoch, preprocessed once trained
    private final Dataset testSet;              // with a validation split, the test split, measured once at the end; else null
    private final Preprocessing preprocessing;  // null for none
    private Preprocessing.Transform transform;  // fitted on the training split, or the checkpoint's; null until then and without one
    private boolean preprocessed;               // whether data holds the features transformed
    private OptionalDouble persistence;         // the test split's persistence MSE, for a one-step prediction set, as trained
    private final RunSettings run;
    private final Path out;                     // null for a run that writes nothing
    private final Input x;
    private final Input y;                      // null when the model does not read targets
    private final boolean labels;               // y is a vector, fed the class labels, not one-hot rows
    private final List<Input> fed;              // x, y, then the fixed inputs
    private final double baseLr;
    private final LrSchedule schedule;
    private final DType dtype;                  // the objective's, which the run computes in
    private final Param lr;                     // the step's learning rate, set each epoch by the schedule
    private final Function step;
    private final StepEngine engine;            // where the steps run when not in step; null on one machine
    private final int trainSize;                // the training examples the steps draw from: the split's, or the engine's own
    private StepEngine.Timing epochTiming = StepEngine.Timing.NONE;   // the last epoch's, per step, with an engine
    private final Function test;
    private final Function gradient;            // with --stop-grad-norm, the objective's gradient w.r.t. every trained param; else null
    private final List<String> measured;        // what the test function computes: OBJ (unless it reads state), then the metrics
    private final Node prediction;              // the model's prediction of y, which the test function computes after them; or null
    private final boolean rSquared;             // whether the held-out figures end with the prediction's R² (for real targets)
    private final Columns columns;
    private final Map<String, Param> saved;     // every param a step reads or changes, by name
    private final Map<String, Param> evaluated; // every param the measured figures and the prediction read, by name: what the best epoch keeps
    private final Options options;              // the pictures' functions are compiled with them
    private RunPictures pictures;               // of the data as trained, made once preprocessed; null for a run that writes nothing
    private final List<Epoch> history = new ArrayList<>();
    private int epochsDone;
    private int stepsDone;              // of epoch epochsDone + 1, when a run stopped within it
    private double objectiveSum;        // the objectives of those steps, summed in their order
    private double seconds;             // their training time
    private Position savedAt;           // what the checkpoint in out holds, null when there is none
    private long lastSave = System.nanoTime();
    private int bestEpoch;              // with a validation split, the epoch of the best validation objective so far; 0 before
    private Map<String, Tensor> best;   // the evaluated params' values at its end (their initial values before)
    private String stopped;             // why the run ended before its last epoch (patience ran out, say); null while it goes on
    private Map<String, Double> testFigures = Map.of();   // the test split's, with the best params, once trained
    private Confusion confusion;        // for classes, the test split's of the params the final figures are of, once trained

    /** Where a run stands: {@code epochs} whole epochs done, then {@code steps} steps of the next (0 between epochs). */
    public record Position(int epochs, int steps) {
        /** {@code 3 epochs}, {@code 3 epochs and 12 of the 44 steps of epoch 4}, or {@code 12 of the 44 steps of epoch 1}. */
        public String describe(int stepsPerEpoch) {
            String whole = epochs == 1 ? "1 epoch" : epochs + " epochs";
            if (steps == 0) return whole;
            String part = steps + " of the " + stepsPerEpoch + " steps of epoch " + (epochs + 1);
            return epochs == 0 ? part : whole + " and " + part;
        }
    }

    /**
     * A run saves its checkpoint, metrics and pictures after its last epoch and after any epoch
     * that ends this long after the last save: each epoch when epochs take seconds, and not a
     * thousand times over when XOR trains for a thousand epochs of one step.
     */
    static final long SAVE_INTERVAL_NANOS = 10_000_000_000L;

    /**
     * Prepares {@code model} to train on {@code data}, saving the run in {@code out}: binds its
     * dims to the data's, gives its params their initial values, and compiles the training step
     * and the test function. Nothing is written until {@link #train} runs.
     *
     * @throws GraftException if the model and the data do not fit each other
     */
    public Trainer(Model model, Data data, RunSettings run, Options options, Path out) {
        this(model, data, run, options, out, null);
    }

    /**
     * The same with the training steps made by an engine that {@code engines} starts once the
     * step is compiled (null: on this machine); {@code metrics.csv} then has the steps' timing.
     */
    public Trainer(Model model, Data data, RunSettings run, Options options, Path out, StepEngine.Factory engines) {
        this.model = model;
        if (run.valid() > 0) {
            RunSettings.validCount(Integer.toString(run.valid()), data.train().size(), data.name());
            Dataset.Split held = data.train().holdOut(run.valid());
            this.data = new Data(data.name(), held.train(), held.test(), data.height(), data.width(), data.notClasses());
            testSet = data.test();
        } else {
            this.data = data;
            testSet = null;
        }
        data = this.data;   // from here on, the data as trained
        trainSize = engines == null ? data.train().size() : engines.trainingSize(data.train());
        this.run = run;
        preprocessing = run.preprocessing();
        this.out = out;
        x = model.x();
        y = model.y().orElse(null);
        Node cost = model.cost();
        labels = y != null && y.type().rank() == 1;
        if (labels && !data.train().isClassification()) {
            throw notClasses(y.pos(), "input y: " + y.type() + " takes a class label per example");
        }
        if (y != null && !data.train().isClassification()) {
            Apply use = classesUse(cost);
            if (use != null) throw notClasses(use.pos(), Apply.call(use.op(), use.inputs()) + " reads y as classes");
        }
        int batch = run.batch();
        if (trainSize < batch) {
            throw new GraftException("--batch " + batch + " is larger than the " + trainSize + " training "
                    + data.train().unit() + " of " + data.name() + (run.valid() > 0 ? " left by --valid " + run.valid() : ""));
        }

        var dims = new HashMap<String, Integer>();
        bind(x, inBatch(data.train().features(), batch), "features", dims);
        if (labels) {
            bind(y, Shape.of(batch), "labels", dims);
            dims.putIfAbsent(CLASSES, data.train().classes());
        } else if (y != null) {
            bind(y, inBatch(data.train().targets(), batch), "targets", dims);
        }
        fed = new ArrayList<>(y == null ? List.of(x) : List.of(x, y));
        fed.addAll(model.fixed().keySet());
        model.initialization().initialize(run.seed(), dims);

        baseLr = run.lr().orElse(model.lr());
        schedule = run.schedule();
        dtype = cost.type().dtype();
        lr = new Param(LR, Tensor.scalar(dtype, baseLr));
        // simultaneous, as every update of one compiled step: each new value is computed from the values before it
        Map<Param, Node> trainedUpdates = model.updates().at(lr);
        var updates = new LinkedHashMap<>(trainedUpdates);
        updates.putAll(model.stateUpdates());
        step = Compiler.compile(fed, List.of(cost), updates, options).guardNonFinite(run.nanGuard());
        // The objective is measured on held-out data too, unless it reads state: the RBM's
        // persistent chain has the training batch's shape, and its cost means nothing on other data.
        Set<Node> reads = Collections.newSetFromMap(new IdentityHashMap<>());
        reads.addAll(Graph.topologicalOrder(List.of(cost)));
        boolean heldOutObjective = model.stateUpdates().keySet().stream().noneMatch(reads::contains);
        if (!heldOutObjective && run.valid() > 0) {
            throw new GraftException(cost.pos(), "--valid " + run.valid() + ": expected an objective that can be measured on the"
                    + " validation split to choose the best epoch, found one that reads state updated by each step");
        }
        var nodes = new LinkedHashMap<String, Node>();
        if (heldOutObjective) nodes.put(model.objective(), cost);
        nodes.putAll(model.metrics());
        measured = List.copyOf(nodes.keySet());
        prediction = y == null ? null : Prediction.of(model.outputs(), inBatch(data.train().targets(), batch), dims, fed).orElse(null);
        // R² beside the program's own figures, unless one of them has its name
        rSquared = prediction != null && !data.train().isClassification() && !measured.contains(Prediction.R2);
        if (!heldOutObjective && run.stopGradNorm() > 0) {
            throw new GraftException(cost.pos(), "--stop-grad-norm " + RunSettings.epsText(run.stopGradNorm()) + ": expected an objective"
                    + " whose gradient can be measured on the whole training split, found one that reads state updated by each step");
        }
        columns = new Columns(run.lrSchedule() != null, TRAIN + model.objective(), run.stopGradNorm() > 0,
                prefixed(run.valid() > 0 ? VALID : TEST), engines != null);
        var computed = new ArrayList<>(nodes.values());
        if (prediction != null) computed.add(prediction);
        test = Compiler.compile(fed, computed, options);
        gradient = run.stopGradNorm() > 0 ? Compiler.compile(fed, Ops.grad(cost, trained(cost, trainedUpdates)), options) : null;
        saved = saved(cost, updates);
        evaluated = new LinkedHashMap<>();
        for (Node n : Graph.topologicalOrder(computed)) if (n instanceof Param p) evaluated.put(p.label(), p);
        best = values(evaluated);
        this.options = options;
        persistence = testPersistence();
        engine = engines == null ? null
                : engines.start(new StepEngine.Setup(model, run, options, trained(cost, trainedUpdates), saved, lr, data.train()));
    }

    /**
     * The same for a run that writes nothing: no checkpoint, metrics file or pictures, and so
     * nothing to {@link #resume}; the epochs are in {@link #history()}.
     */
    public Trainer(Model model, Data data, RunSettings run, Options options) {
        this(model, data, run, options, null);
    }

    /** The columns of {@code metrics.csv}. */
    public Columns columns() { return columns; }

    /** The epochs done so far, by this trainer or by the run it resumed. */
    public List<Epoch> history() { return Collections.unmodifiableList(history); }

    /** With a validation split, the epoch of the best validation objective so far (the first, on a tie); 0 before any. */
    public int bestEpoch() { return bestEpoch; }

    /**
     * Whether the run ended before its last epoch: {@link RunSettings#patience()} epochs passed
     * without a better validation objective, or a stopping criterion was met.
     */
    public boolean stoppedEarly() { return stopped != null; }

    /** Why the run ended before its last epoch, as printed and written to run.json; null when it did not. */
    public String stopped() { return stopped; }

    /**
     * Why the run ends after the last of {@code epochs}, the best of which is {@code best}; null
     * when it goes on. Patience, then the relative change of the training objective, then its
     * gradient's norm: when more than one is met on one epoch, the first names the reason.
     */
    private String stopReason(List<Epoch> epochs, int best) {
        int e = epochs.size();
        if (run.patience() > 0 && best > 0) {
            if (run.patienceIncrease() > 0) {
                Patience patience = increasedPatience(epochs);
                if (e >= patience.epochs()) return increasedPatienceRanOut(patience);
            } else if (e - best >= run.patience()) {
                return patienceRanOut(best);
            }
        }
        if (run.stopRelChange() > 0 && e >= 2) {
            double change = relativeChange(epochs.get(e - 2).train(), epochs.get(e - 1).train());
            if (change < run.stopRelChange()) {
                return String.format("%s changed by %.3g of its value since epoch %d (--stop-rel-change %s)",
                        columns.train().replace('_', ' '), change, e - 1, RunSettings.epsText(run.stopRelChange()));
            }
        }
        if (run.stopGradNorm() > 0 && e >= 1 && epochs.get(e - 1).gradNorm() < run.stopGradNorm()) {
            return String.format("the gradient of the %s over the training split has norm %.3g (--stop-grad-norm %s)",
                    model.objective(), epochs.get(e - 1).gradNorm(), RunSettings.epsText(run.stopGradNorm()));
        }
        return null;
    }

    /**
     * |now - before| / |before|, the notes' rate of change of the mean objective per epoch: 0 when
     * the two are equal (both 0 included), infinite when only {@code before} is 0, NaN when either is.
     */
    static double relativeChange(double before, double now) {
        return now == before ? 0 : Math.abs(now - before) / Math.abs(before);
    }

    /**
     * Why patience ends a run whose best epoch is {@code best}, as printed and written to run.json:
     * {@code valid loss has not improved for 2 epochs since epoch 13 (--patience 2)}.
     */
    private String patienceRanOut(int best) {
        return String.format("%s has not improved for %d epochs since epoch %d (--patience %d)",
                columns.heldOut().get(0).replace('_', ' '), run.patience(), best, run.patience());
    }

    /**
     * The tutorials' patience after some epochs: {@code epochs} epochs, the most of
     * {@code --patience} and {@code extendedBy} times the {@code --patience-increase} factor.
     *
     * @param extendedBy the last epoch whose validation objective beat the best before it by at
     *     least 1 - {@code --improvement-threshold} of it
     */
    private record Patience(double epochs, int extendedBy) {}

    /**
     * The Theano tutorials' early stopping (logistic_sgd.py, mlp.py), counted in epochs where they
     * count steps, as the validation split is measured once an epoch: the patience starts at
     * {@code --patience}; an epoch e whose validation objective beats the best before it by at
     * least {@code 1 - threshold} of it (below {@code best * threshold} for a positive loss; the
     * first epoch always, the best before it being none) raises it to at least e times the
     * factor. Replayed from the first epoch, so that a resumed run has it from metrics.csv.
     */
    private Patience increasedPatience(List<Epoch> epochs) {
        double patience = run.patience();
        int extendedBy = 0;
        Epoch best = null;
        for (Epoch epoch : epochs) {
            if (best != null && !improves(epoch, best, 0)) continue;
            if (best == null || improves(epoch, best, 1 - run.improvementThreshold())) {
                patience = Math.max(patience, epoch.epoch() * run.patienceIncrease());
                extendedBy = epoch.epoch();
            }
            best = epoch;
        }
        return new Patience(patience, extendedBy);
    }

    /**
     * Why the tutorials' patience ends a run, as printed and written to run.json: {@code valid loss
     * last improved by 0.5% or more at epoch 13, so patience ran out after max(10, 13 × 2) = 26
     * epochs (--patience 10 --patience-increase 2)}.
     */
    private String increasedPatienceRanOut(Patience patience) {
        String percent = BigDecimal.ONE.subtract(BigDecimal.valueOf(run.improvementThreshold())).movePointRight(2).stripTrailingZeros()
                .toPlainString();
        String factor = RunSettings.epsText(run.patienceIncrease());
        String epochs = BigDecimal.valueOf(patience.epochs()).round(new MathContext(6)).stripTrailingZeros().toPlainString();
        return String.format("%s last improved by %s%% or more at epoch %d, so patience ran out after max(%d, %d × %s) = %s epochs"
                + " (--patience %d --patience-increase %s)", columns.heldOut().get(0).replace('_', ' '), percent, patience.extendedBy(),
                run.patience(), patience.extendedBy(), factor, epochs, run.patience(), factor);
    }

    /**
     * With a validation split, the test split's figures ({@code test_OBJ}, {@code test_METRIC}) with
     * the best epoch's params, measured once when training has ended; empty before, and without a
     * validation split (then the test figures are each epoch's).
     */
    public Map<String, Double> testFigures() { return testFigures; }

    /**
     * For a one-step prediction set ({@link Dataset#isNextStep()}), the baseline a model must
     * beat: the test split's mean squared error of the persistence forecast {@code x[t+1] = x[t]},
     * {@link Dataset#persistenceMse()}, of the split as preprocessed once {@link #train} has
     * preprocessed it, as the test loss is; empty for other sets.
     */
    public OptionalDouble persistenceMse() { return persistence; }

    /** Where the run stands now. */
    public Position position() { return new Position(epochsDone, stepsDone); }

    /** The training steps of an epoch: one per full batch. */
    public int stepsPerEpoch() { return trainSize / run.batch(); }

    /**
     * Continues from the checkpoint in {@code out}: the params, the optimizer's state and the
     * metrics of the epochs done, checked against this run's settings and params. The folder
     * is checked whole first: if anything in it is wrong, nothing is changed.
     *
     * @throws GraftException if the checkpoint is of another run, or if it holds every epoch the
     *     run is asked for: resuming would do nothing
     * @throws org.graft.models.data.CorruptDataException if a file is damaged or does not fit this model
     */
    public void resume() throws IOException {
        if (out == null) throw new IllegalStateException("a run that writes nothing has no checkpoint to resume");
        var expected = new LinkedHashMap<String, Type>();
        for (var p : saved.entrySet()) expected.put(p.getKey(), Type.of(p.getValue().value()));
        if (run.valid() > 0) for (var p : evaluated.entrySet()) expected.put(Checkpoint.BEST + p.getKey(), Type.of(p.getValue().value()));
        if (preprocessing != null) {
            int features = data.train().featureWidth();
            expected.put(Checkpoint.PREPROCESS_MEAN, Type.f64(features));
            expected.put(matrixEntry(), preprocessing.whitens() ? Type.f64(features, features) : Type.f64(features));
        }
        Checkpoint.Saved found = Checkpoint.read(out, run, expected, columns());
        Checkpoint.Progress at = found.progress();
        if (at.steps() >= stepsPerEpoch()) {
            throw new GraftException("--resume " + out + ": expected fewer than the " + stepsPerEpoch() + " steps of an epoch in "
                    + Checkpoint.STEP + ", found " + at.steps() + " in " + out.resolve(Checkpoint.PARAMS));
        }
        if (run.epochs() <= at.epochs()) {
            throw new GraftException("--resume " + out + ": the checkpoint holds " + at.position().describe(stepsPerEpoch())
                    + ", and --epochs " + run.epochs() + " leaves nothing to train; --epochs counts every epoch of the run,"
                    + " so give --epochs " + (at.epochs() + 1) + " or more");
        }
        int foundBest = 0;
        for (Epoch e : found.epochs()) if (foundBest == 0 || improves(e, found.epochs().get(foundBest - 1))) foundBest = e.epoch();
        String ended = at.steps() == 0 ? stopReason(found.epochs(), foundBest) : null;
        if (ended != null) {
            throw new GraftException("--resume " + out + ": the run stopped early after epoch " + at.epochs() + ": " + ended
                    + "; there is nothing to train");
        }
        for (var p : saved.entrySet()) p.getValue().set(found.params().get(p.getKey()));
        if (run.valid() > 0) for (String name : evaluated.keySet()) best.put(name, found.params().get(Checkpoint.BEST + name));
        if (preprocessing != null) {
            transform = new Preprocessing.Transform(preprocessing, found.params().get(Checkpoint.PREPROCESS_MEAN),
                    found.params().get(matrixEntry()));
        }
        bestEpoch = foundBest;
        history.clear();
        history.addAll(found.epochs());
        epochsDone = at.epochs();
        stepsDone = at.steps();
        objectiveSum = at.objectiveSum();
        seconds = at.seconds();
        savedAt = at.position();
    }

    /**
     * Trains up to the run's number of epochs, saving as it goes (see {@link #SAVE_INTERVAL_NANOS}).
     * {@code stop} is asked before every step; when it says yes, the run is saved where it stands
     * (the checkpoint and the metrics, not the pictures, to be quick) and training ends.
     *
     * @return true when every epoch is done, false when {@code stop} ended the run at {@link #position()}
     */
    public boolean train(Listener listener, BooleanSupplier stop) throws IOException {
        preprocess();
        if (out != null && pictures == null) pictures = new RunPictures(model, data, run.batch(), options);
        Evaluation reported = null;   // of the test split with the params the final figures are of
        for (int e = epochsDone + 1; e <= run.epochs() && stopped == null; e++) {
            long seed = epochSeed(run.seed(), e);
            double rate = learningRate(e);
            if (!trainEpoch(e, seed, rate, listener, stop)) {
                if (out != null && !position().equals(savedAt)) save();
                return false;
            }
            double gradNorm = gradient == null ? Double.NaN : gradientNorm(seed);
            Evaluation heldOut = evaluate(data.test(), seed, columns.heldOut());
            if (testSet == null) reported = heldOut;   // the test split, the last epoch's
            var epoch = new Epoch(e, columns.lr() ? rate : Double.NaN, objectiveSum / stepsPerEpoch(), gradNorm, heldOut.figures(),
                    seconds, epochTiming);
            history.add(epoch);
            if (run.valid() > 0 && (bestEpoch == 0 || improves(epoch, history.get(bestEpoch - 1)))) {
                bestEpoch = e;
                best = values(evaluated);
            }
            stopped = stopReason(history, bestEpoch);
            epochsDone = e;
            stepsDone = 0;
            objectiveSum = 0;
            seconds = 0;
            long now = System.nanoTime();
            if (out != null && (e == run.epochs() || stopped != null || now - lastSave >= SAVE_INTERVAL_NANOS)) {
                save();
                pictures.draw(out, columns(), history, bestEpoch, seed, listener);
                lastSave = now;
            }
            listener.finished(epoch);
        }
        if (testSet != null) {
            reported = testWithBest();
            testFigures = reported.figures();
            if (out != null) pictures.curve(out, columns, history, bestEpoch, testFigures, listener);
        }
        if (reported != null && reported.predicted() != null && data.train().isClassification()) {
            Dataset tested = testSet != null ? testSet : data.test();
            int classes = tested.classes();
            confusion = Confusion.of(tested.labels(), Confusion.predicted(reported.predicted(), classes), classes);
            if (out != null) {
                byte[] counts = confusion.csv().getBytes(StandardCharsets.UTF_8);
                byte[] perClass = confusion.perClassCsv().getBytes(StandardCharsets.UTF_8);
                AtomicFile.write(out.resolve(Confusion.CSV), o -> o.write(counts));
                AtomicFile.write(out.resolve(Confusion.PER_CLASS), o -> o.write(perClass));
                pictures.confusion(out, confusion, listener);
            }
        }
        return true;
    }

    /**
     * For a data set of classes and a model with a prediction, the confusion matrix of the test
     * split, measured with the params the final test figures are of: with a validation split the
     * best epoch's, else the last epoch's; null before the run has trained every epoch it will.
     */
    public Confusion confusion() { return confusion; }

    /**
     * Whether {@code epoch}'s validation objective is better than {@code than}'s: lower, or higher
     * for an objective maximized. Strictly, as in the Theano tutorials' {@code this_validation_loss
     * < best_validation_loss}, so the first of equal epochs stays the best.
     */
    private boolean improves(Epoch epoch, Epoch than) { return improves(epoch, than, 0); }

    /**
     * Whether {@code epoch}'s validation objective is better than {@code than}'s by more than
     * {@code by} of its magnitude: below {@code than - by |than|} (above {@code than + by |than|} for
     * an objective maximized). An infinite {@code than} is beaten by any finite value, as the
     * tutorials' {@code inf * improvement_threshold} is.
     */
    private boolean improves(Epoch epoch, Epoch than, double by) {
        String objective = columns.heldOut().get(0);
        double bar = than.heldOut().get(objective);
        if (by != 0 && Double.isFinite(bar)) bar += (model.maximize() ? by : -by) * Math.abs(bar);
        int order = Double.compare(epoch.heldOut().get(objective), bar);
        return model.maximize() ? order > 0 : order < 0;
    }

    /**
     * With a preprocessing, transforms the training split and the one measured each epoch, once:
     * by the checkpoint's transform when the run resumed, else by one fitted now on the training
     * split. The test split of a run with a validation split is transformed when it is measured.
     */
    private void preprocess() {
        if (preprocessing == null || preprocessed) return;
        if (transform == null) transform = preprocessing.fit(data.train().features(), run.whitenEps());
        data = new Data(data.name(), transform.apply(data.train()), transform.apply(data.test()), data.height(), data.width(),
                data.notClasses());
        preprocessed = true;
        persistence = testPersistence();
    }

    /**
     * The test split's persistence error, for a one-step prediction set, in the units the model
     * is measured in: of the split as preprocessed, whose targets are too, when the run preprocesses.
     */
    private OptionalDouble testPersistence() {
        Dataset tested = testSet == null ? data.test() : transform == null ? testSet : transform.apply(testSet);
        return tested.isNextStep() ? OptionalDouble.of(tested.persistenceMse()) : OptionalDouble.empty();
    }

    /** The checkpoint's entry of the preprocessing's matrix: the scale per feature of standardizing, the whitening matrix. */
    private String matrixEntry() { return preprocessing.whitens() ? Checkpoint.PREPROCESS_MATRIX : Checkpoint.PREPROCESS_SCALE; }

    /**
     * The test split's figures with the best epoch's params, measured with that epoch's seed so
     * that a resumed run measures what an uninterrupted one does; the params are then set back to
     * the last epoch's, which the checkpoint holds.
     */
    private Evaluation testWithBest() {
        Map<String, Tensor> last = values(evaluated);
        evaluated.forEach((name, p) -> p.set(best.get(name)));
        try {
            return evaluate(transform == null ? testSet : transform.apply(testSet), epochSeed(run.seed(), bestEpoch), prefixed(TEST));
        } finally {
            evaluated.forEach((name, p) -> p.set(last.get(name)));
        }
    }

    /**
     * The steps of an epoch from {@link #stepsDone} on, over the training set shuffled by the
     * epoch's seed, at the learning rate {@code rate}; false if {@code stop} said to stop before one of them.
     */
    private boolean trainEpoch(int epoch, long seed, double rate, Listener listener, BooleanSupplier stop) {
        Dataset train = data.train();
        int batch = run.batch();
        int steps = stepsPerEpoch();
        int[] order = Dataset.permutation(trainSize, Function.randomStream(seed));
        // each step's batch is gathered into the same arrays, converted as feed converts it; an
        // engine gathers its own from the rows
        Dataset.Batches batches = engine != null ? null
                : train.batches(batch, x.type().dtype(), y == null ? null : y.type().dtype(), labels);
        Tensor[] inputs = batches == null ? null : feedArray(batches);
        lr.set(Tensor.scalar(dtype, rate));
        listener.started(epoch, stepsDone, steps, batch);
        long start = System.nanoTime();
        int first = stepsDone;
        StepEngine.Timing before = engine == null ? null : engine.timing();
        try {
            for (int s = stepsDone; s < steps; s++) {
                if (stop.getAsBoolean()) return false;
                double value;
                try {
                    if (engine != null) {
                        value = engine.step(Arrays.copyOfRange(order, s * batch, (s + 1) * batch), stepSeed(seed, s));
                    } else {
                        step.seed(stepSeed(seed, s));
                        batches.gather(order, s * batch);
                        step.run(inputs);
                        value = step.scalar(0);
                    }
                } catch (NonFiniteError e) {
                    throw NanGuard.stopped(e, "epoch " + epoch + " at step " + (s + 1) + " of " + steps + "; "
                            + (savedAt == null ? "no checkpoint was written" : out.resolve(Checkpoint.PARAMS) + " holds "
                            + savedAt.describe(steps)));
                }
                objectiveSum += value;
                stepsDone = s + 1;
                listener.step(s + 1, value);
            }
            return true;
        } finally {
            if (engine != null) engine.settle();
            seconds += (System.nanoTime() - start) / 1e9;
            if (engine != null && stepsDone > first) epochTiming = engine.timing().perStep(before, stepsDone - first);
        }
    }

    /**
     * Writes the checkpoint and the metrics of the run as it stands; with a validation split, the
     * best epoch's params too, in the checkpoint (so that the two are always of the same moment)
     * and in {@value Checkpoint#BEST_FILE} for the user.
     */
    private void save() throws IOException {
        var params = new LinkedHashMap<>(values(saved));
        if (run.valid() > 0) best.forEach((name, value) -> params.put(Checkpoint.BEST + name, value));
        if (transform != null) {
            params.put(Checkpoint.PREPROCESS_MEAN, transform.mean());
            params.put(matrixEntry(), transform.matrix());
        }
        Checkpoint.write(out, run, new Checkpoint.Progress(epochsDone, stepsDone, objectiveSum, seconds), params, columns(),
                history, stopped, persistenceMse());
        if (bestEpoch > 0) Checkpoint.writeBest(out, best, bestEpoch);   // not read by a resume, which takes the checkpoint's
        savedAt = position();
    }

    /**
     * A split's figures by column, and the model's prediction of each of its examples, row-major
     * and laid out as the split's targets, {@code [n, k]} or {@code [t, n, k]} (null for a model
     * without one).
     */
    private record Evaluation(Map<String, Double> figures, double[] predicted) {}

    /**
     * The figures of {@code split}, named by {@code columns} in the order of {@link #measured}:
     * means over its batches, weighted by their sizes; then, for real targets, the prediction's R²
     * over the whole split (every step of every sequence an example, for sequences).
     */
    private Evaluation evaluate(Dataset split, long seed, List<String> columns) {
        if (columns.isEmpty() && prediction == null) return new Evaluation(Map.of(), null);
        test.seed(~seed);   // a stream apart from the training step's
        double[] sums = new double[measured.size()];
        double[] predicted = prediction == null ? null : new double[split.targets().size()];
        // a batch's examples are a slice of the example axis: the columns from..from+count-1 of
        // each of the t steps of sequences [t, n, k], one run of rows of [n, k] (t = 1)
        int width = split.targetWidth(), stride = split.size() * width;
        int[] from = {0};
        inBatches(test, split, (values, count) -> {
            for (int k = 0; k < sums.length; k++) sums[k] += values.get(k).item() * count;
            if (predicted == null) return;
            Tensor batch = values.get(sums.length);   // [count, k], or [t, count, k]
            int step = count * width;
            for (int i = 0; i < batch.size(); i++) predicted[(i / step) * stride + from[0] * width + i % step] = batch.getFlat(i);
            from[0] += count;
        });
        var figures = new LinkedHashMap<String, Double>();
        for (int k = 0; k < sums.length; k++) figures.put(columns.get(k), sums[k] / split.size());
        if (rSquared) figures.put(columns.get(sums.length), Prediction.rSquared(split.targets(), predicted));
        return new Evaluation(figures, predicted);
    }

    /**
     * The norm of the gradient of the mean objective over the whole training split, at the params
     * as they are: the training examples in their order, in batches (the last one partial), each
     * batch's gradient weighted by its share of the examples, the params held fixed throughout;
     * every trained param's gradient taken together as one vector. Random ops draw from a stream
     * of the epoch's seed apart from its steps' and the held-out split's.
     */
    private double gradientNorm(long seed) {
        Dataset train = data.train();
        gradient.seed(stepSeed(seed, -1));   // the steps' streams are stepSeed(seed, 0), stepSeed(seed, 1), ...: never -1's
        var sums = new ArrayList<double[]>();
        inBatches(gradient, train, (grads, count) -> {
            for (int k = 0; k < grads.size(); k++) {
                if (sums.size() == k) sums.add(new double[grads.get(k).size()]);
                double[] sum = sums.get(k);
                for (int i = 0; i < sum.length; i++) sum[i] += grads.get(k).getFlat(i) * count;
            }
        });
        double squares = 0;
        for (double[] sum : sums) for (double g : sum) squares += (g / train.size()) * (g / train.size());
        return Math.sqrt(squares);
    }

    /**
     * Calls {@code f} on {@code split} in order, in batches of the run's size (the last one
     * partial), handing {@code take} each call's outputs and its batch's size.
     */
    private void inBatches(Function f, Dataset split, ObjIntConsumer<List<Tensor>> take) {
        int batch = run.batch();
        for (int from = 0; from < split.size(); from += batch) {
            int count = Math.min(batch, split.size() - from);
            take.accept(f.call(feed(split.rows(IntStream.range(from, from + count).toArray()))), count);
        }
    }

    /** The measured figures' columns for a split: {@code test_loss}, {@code valid_accuracy}, ..., {@code test_r2}. */
    private List<String> prefixed(String split) {
        var names = new ArrayList<>(measured);
        if (rSquared) names.add(Prediction.R2);
        return names.stream().map(name -> split + name).toList();
    }

    /** The values of the inputs, in their order, for steps on the batches gathered by {@code batches}. */
    private Tensor[] feedArray(Dataset.Batches batches) {
        var values = new Tensor[fed.size()];
        for (int i = 0; i < values.length; i++) {
            Input in = fed.get(i);
            values[i] = in == x ? batches.features() : in == y ? batches.targets() : model.fixed().get(in);
        }
        return values;
    }

    /** The values of a call on {@code batch}: its features, its targets if the model reads them, and the fixed inputs. */
    private Map<Input, Tensor> feed(Dataset batch) {
        var feed = new LinkedHashMap<Input, Tensor>(model.fixed());
        feed.put(x, batch.features().astype(x.type().dtype()));
        if (y != null) feed.put(y, (labels ? batch.labelVector() : batch.targets()).astype(y.type().dtype()));
        return feed;
    }

    /** The params' values, by name: snapshots, which later steps leave as they are. */
    private static Map<String, Tensor> values(Map<String, Param> params) {
        var values = new LinkedHashMap<String, Tensor>();
        for (var p : params.entrySet()) values.put(p.getKey(), p.getValue().value());
        return values;
    }

    /**
     * The learning rate of epoch {@code epoch} (from 1), once the epochs before it are in the
     * history: the schedule's, from the base rate and the value a plateau watches after each
     * epoch, the validation objective with a validation split and the training objective
     * without (the test split chooses nothing).
     */
    private double learningRate(int epoch) {
        double[] watched = history.stream()
                .mapToDouble(e -> run.valid() > 0 ? e.heldOut().get(columns.heldOut().get(0)) : e.train()).toArray();
        return schedule.rates(baseLr, epoch, watched, model.maximize())[epoch - 1];
    }

    /**
     * The seed of everything random in epoch {@code epoch}: the run's seed and the epoch mixed
     * (by the golden-ratio increment of SplitMix64), so that neighbouring epochs and seeds get
     * unrelated streams.
     */
    static long epochSeed(long seed, int epoch) { return mix(seed, epoch); }

    /** The seed of the random ops of step {@code step} (from 0) of the epoch whose seed is {@code epochSeed}. */
    static long stepSeed(long epochSeed, int step) { return mix(epochSeed, step + 1); }

    private static long mix(long seed, int index) {
        long z = seed + index * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The params the optimizer trains, of those the objective reads: not its own state, not the state params the step sets. */
    private static List<Param> trained(Node cost, Map<Param, Node> trainedUpdates) {
        var trained = new ArrayList<Param>();
        for (Node n : Graph.topologicalOrder(List.of(cost))) if (n instanceof Param p && trainedUpdates.containsKey(p)) trained.add(p);
        return trained;
    }

    /** Every param the step reads or updates, by name: what a checkpoint holds. */
    private static Map<String, Param> saved(Node cost, Map<Param, Node> updates) {
        var roots = new ArrayList<Node>();
        roots.add(cost);
        roots.addAll(updates.values());
        Set<Param> params = Collections.newSetFromMap(new IdentityHashMap<>());
        var byName = new LinkedHashMap<String, Param>();
        var all = new ArrayList<Param>();
        for (Node n : Graph.topologicalOrder(roots)) if (n instanceof Param p && params.add(p)) all.add(p);
        for (Param p : updates.keySet()) if (params.add(p)) all.add(p);
        for (Param p : all) {
            Param other = byName.putIfAbsent(p.label(), p);
            if (other != null) throw new GraftException(p.pos(), "two params are named " + p.label() + ": a checkpoint cannot tell them apart");
        }
        return byName;
    }

    /**
     * The first node of the objective, then of the metrics, that takes y as classes: the targets
     * of softmax_cross_entropy, or what argmax reads (an accuracy); null when there is none. On
     * targets that are not classes, such a model computes nonsense that looks fine: softmax over
     * one column is 1, its cross-entropy 0 and its accuracy 1.
     */
    private Apply classesUse(Node cost) {
        var roots = new ArrayList<Node>();
        roots.add(cost);
        roots.addAll(model.metrics().values());
        for (Node n : Graph.topologicalOrder(roots)) {
            if (n instanceof Apply a && (a.op() instanceof Neural.SoftmaxCrossEntropy && a.inputs().get(1) == y
                    || a.op() instanceof Reduce.ArgMax && a.inputs().get(0) == y)) {
                return a;
            }
        }
        return null;
    }

    /**
     * The error for a model that takes y as classes (as {@code reads}, written at {@code at}
     * says) on a data set whose targets are not: where they fail, when the data say.
     */
    private GraftException notClasses(SourcePos at, String reads) {
        Data.NotClasses why = data.notClasses();
        if (why != null) {
            return new GraftException(why.pos(), "expected class labels, whole numbers 0..k-1 with an example of every class, as "
                    + at + " " + reads + "; found " + why.found());
        }
        int width = data.train().targetWidth();
        return new GraftException(at, reads + ": expected a data set of classes, found " + data.name()
                + ", whose targets are real numbers (" + width + (width == 1 ? " column)" : " columns)"));
    }

    /** Binds the dims of {@code in} to a batch of the data, or says how the two disagree. */
    private void bind(Input in, Shape batch, String what, Map<String, Integer> dims) {
        String wrong = in.type().bind(batch, dims);
        if (wrong != null) {
            throw new GraftException(in.pos(), "input " + in.label() + ": " + data.name() + " gives " + what
                    + " of shape " + batch + " in batches of " + run.batch() + ", but " + wrong);
        }
    }

    /** The shape of a batch of {@code count} examples of the training set's features or targets: [count, d], or [t, count, d]. */
    private Shape inBatch(Tensor all, int count) {
        int[] dims = all.shape().dims();
        dims[data.train().exampleAxis()] = count;
        return Shape.of(dims);
    }
}
