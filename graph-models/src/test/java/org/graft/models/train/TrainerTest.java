package org.graft.models.train;

import static org.graft.ops.Ops.abs;
import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.argmax;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.equal;
import static org.graft.ops.Ops.expandDims;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.max;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.min;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.oneHot;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.softmaxCrossEntropy;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.models.data.Data;
import org.graft.models.data.DataSets;
import org.graft.models.data.Dataset;
import org.graft.models.data.Preprocessing;
import org.graft.models.io.Npz;
import org.graft.ops.optim.Optimizer;

/** The trainer on a model built with the Java API alone, no Graft program anywhere. */
class TrainerTest {

    @TempDir
    Path dir;

    static Data digits;

    @BeforeAll
    static void load() throws IOException {
        digits = DataSets.load("digits");
    }

    /** Softmax regression of the digits: logits = x W + b, the mean cross-entropy minimized by SGD, the accuracy measured. */
    private static Model softmaxRegression() { return softmaxRegression(Optimizer.sgd(0.5)); }

    /** The same, minimized by {@code optimizer}. */
    private static Model softmaxRegression(Optimizer optimizer) {
        Input x = input("x", "n", 64);
        Input y = input("y", "n", 10);
        Param W = param("W", Tensor.zeros(Shape.of(64, 10)));
        Param b = param("b", Tensor.zeros(Shape.of(10)));
        Node logits = add(matmul(x, W), b);
        Node loss = mean(softmaxCrossEntropy(logits, y));
        Node accuracy = mean(equal(argmax(logits, 1), argmax(y, 1)));
        return Model.of("softmax", x, y, "loss", loss, optimizer, List.of(W, b), Map.of("accuracy", accuracy));
    }

    /** The same, with the mean of every feature of a batch as a metric: on a split, the mean of all its features as fed. */
    private static Model softmaxRegressionMeasuringX() { return measuringX(softmaxRegression()); }

    /** {@code m} with a metric {@code x_mean}, the mean of every feature of a batch: on a split, the mean of all its features as fed. */
    private static Model measuringX(Model m) {
        var metrics = new LinkedHashMap<>(m.metrics());
        metrics.put("x_mean", mean(m.x()));
        return new Model(m.name(), m.x(), m.y(), m.fixed(), m.objective(), m.cost(), m.maximize(), m.lr(), m.updates(), m.stateUpdates(),
                metrics, m.params(), m.initialization(), m.recon(), m.samples(), m.outputs(), m.predicted());
    }

    private static RunSettings epochs(int epochs) {
        return new RunSettings("softmax", "", "digits", epochs, 32, 7, OptionalDouble.empty(), 1, Map.of(), "default", false,
                DType.F64);
    }

    @Test
    void aModelBuiltWithTheJavaApiTrainsSavesAndResumesAsAProgramDoes() throws IOException {
        Path whole = dir.resolve("whole");
        var trainer = new Trainer(softmaxRegression(), digits, epochs(3), Options.DEFAULT, whole);
        assertEquals(new Trainer.Columns("train_loss", List.of("test_loss", "test_accuracy")), trainer.columns());
        assertTrue(trainer.train(new Trainer.Listener() {}, () -> false));
        Trainer.Epoch last = trainer.history().get(2);
        assertTrue(last.heldOut().get("test_accuracy") > 0.9, "test accuracy " + last.heldOut().get("test_accuracy"));
        assertTrue(last.train() < trainer.history().get(0).train(), "the loss falls: " + trainer.history());
        assertEquals("epoch,train_loss,test_loss,test_accuracy,seconds", Files.readAllLines(whole.resolve("metrics.csv")).get(0));
        assertEquals(Tensor.scalar(0.5), Npz.read(whole.resolve("checkpoint.npz")).get(Trainer.LR));

        // two epochs, then a fresh trainer of a fresh model resumes the third from the checkpoint
        Path split = dir.resolve("split");
        assertTrue(new Trainer(softmaxRegression(), digits, epochs(2), Options.DEFAULT, split).train(new Trainer.Listener() {}, () -> false));
        var resumed = new Trainer(softmaxRegression(), digits, epochs(3), Options.DEFAULT, split);
        resumed.resume();
        assertTrue(resumed.train(new Trainer.Listener() {}, () -> false));
        for (int e = 0; e < 3; e++) {
            assertEquals(trainer.history().get(e).train(), resumed.history().get(e).train());
            assertEquals(trainer.history().get(e).heldOut(), resumed.history().get(e).heldOut());
        }
        assertEquals(Npz.read(whole.resolve("checkpoint.npz")).get("W"), Npz.read(split.resolve("checkpoint.npz")).get("W"));
    }

    /**
     * The test split is never read before the final evaluation: a test split of NaN features,
     * which poisons any figure it enters, leaves every epoch, the choice of the best one and the
     * checkpoints exactly as a clean test split does, and shows only in the final test figures.
     */
    @Test
    void theTestSplitIsReadOnlyOnceTrainingHasEndedAndChoosesNothing() throws IOException {
        Dataset test = digits.test();
        double[] nan = new double[test.size() * 64];
        Arrays.fill(nan, Double.NaN);
        var poisoned = new Data("digits", digits.train(), Dataset.classification(Tensor.of(nan, test.size(), 64), test.labels(), 10),
                8, 8);
        RunSettings run = epochs(30).validating(300, 1);
        Path clean = dir.resolve("clean"), poison = dir.resolve("poison");
        var cleanRun = new Trainer(softmaxRegression(), digits, run, Options.DEFAULT, clean);
        assertTrue(cleanRun.train(new Trainer.Listener() {}, () -> false));
        var poisonedRun = new Trainer(softmaxRegression(), poisoned, run, Options.DEFAULT, poison);
        var seen = new ArrayList<Trainer.Epoch>();
        assertTrue(poisonedRun.train(new Trainer.Listener() {
            @Override
            public void finished(Trainer.Epoch epoch) {
                assertEquals(Map.of(), poisonedRun.testFigures(), "test figures before the end");
                seen.add(epoch);
            }
        }, () -> false));

        assertEquals(List.of("valid_loss", "valid_accuracy"), poisonedRun.columns().heldOut());
        assertTrue(seen.stream().allMatch(e -> e.heldOut().values().stream().allMatch(Double::isFinite)), seen.toString());
        assertTrue(cleanRun.stoppedEarly() && cleanRun.history().size() < 30, "patience ended the run: " + cleanRun.history());
        assertEquals(cleanRun.bestEpoch(), poisonedRun.bestEpoch());
        assertEquals(cleanRun.history().size(), poisonedRun.history().size());
        for (int e = 0; e < seen.size(); e++) {
            assertEquals(cleanRun.history().get(e).train(), seen.get(e).train());
            assertEquals(cleanRun.history().get(e).heldOut(), seen.get(e).heldOut());
        }
        for (String file : List.of("checkpoint.npz", "best.npz")) {
            assertEquals(Npz.read(clean.resolve(file)), Npz.read(poison.resolve(file)), file);
        }
        assertTrue(cleanRun.testFigures().get("test_accuracy") > 0.9, cleanRun.testFigures().toString());
        assertTrue(Double.isNaN(poisonedRun.testFigures().get("test_loss")), poisonedRun.testFigures().toString());
    }

    /** Stopped within an epoch after the best one, as Ctrl-C stops it, the run resumes its early stopping where it stood. */
    @Test
    void aRunStoppedWithinAnEpochOfEarlyStoppingResumesToTheSameEnd() throws IOException {
        RunSettings run = epochs(30).validating(300, 1);
        Path whole = dir.resolve("whole"), split = dir.resolve("split");
        var uninterrupted = new Trainer(softmaxRegression(), digits, run, Options.DEFAULT, whole);
        assertTrue(uninterrupted.train(new Trainer.Listener() {}, () -> false));
        int epochs = uninterrupted.history().size();
        assertTrue(uninterrupted.stoppedEarly() && uninterrupted.bestEpoch() == epochs - 1, "stopped 1 epoch after the best");

        // stopped 10 steps into the last epoch, after the best one
        var stopped = new Trainer(softmaxRegression(), digits, run, Options.DEFAULT, split);
        int stepsBefore = (epochs - 1) * stopped.stepsPerEpoch() + 10;
        int[] steps = {0};
        assertFalse(stopped.train(new Trainer.Listener() {}, () -> steps[0]++ == stepsBefore));
        assertEquals(new Trainer.Position(epochs - 1, 10), stopped.position());
        var resumed = new Trainer(softmaxRegression(), digits, run, Options.DEFAULT, split);
        resumed.resume();
        assertEquals(epochs - 1, resumed.bestEpoch());
        assertTrue(resumed.train(new Trainer.Listener() {}, () -> false));

        assertTrue(resumed.stoppedEarly());
        assertEquals(uninterrupted.testFigures(), resumed.testFigures());
        for (String file : List.of("checkpoint.npz", "best.npz")) {
            assertEquals(Npz.read(whole.resolve(file)), Npz.read(split.resolve(file)), file);
        }
        for (int e = 0; e < epochs; e++) assertEquals(uninterrupted.history().get(e).heldOut(), resumed.history().get(e).heldOut());
    }

    /**
     * The gradient's norm a run measures after each epoch, in batches of 32 with a partial last
     * one, is that of the mean objective over the whole training split taken in one batch, at the
     * params the epoch ended with, every trained param's gradient in one vector.
     */
    @Test
    void theGradientsNormIsThatOfTheMeanObjectiveOverTheWholeTrainingSplitAtTheEpochsEnd() throws IOException {
        Model model = softmaxRegression();
        assertTrue(digits.train().size() % 32 != 0, "a partial last batch");
        var trainer = new Trainer(model, digits, epochs(2).stopping(0, 1e-12), Options.DEFAULT);
        assertTrue(trainer.columns().gradNorm());
        assertTrue(trainer.train(new Trainer.Listener() {}, () -> false));

        Function grads = Compiler.compile(List.of(model.x(), model.y().orElseThrow()), grad(model.cost(), model.params()),
                Options.DEFAULT);
        double squares = 0;
        for (Tensor g : grads.call(digits.train().features(), digits.train().targets())) {
            for (double v : g.toArray()) squares += v * v;
        }
        double gradNorm = trainer.history().get(1).gradNorm();
        assertEquals(Math.sqrt(squares), gradNorm, 1e-12 * gradNorm);
        assertTrue(gradNorm > 0.01, "a gradient to measure: " + gradNorm);
    }

    /** |J_e - J_(e-1)| / |J_(e-1)|, with J_(e-1) = 0 meaning no change when J_e is 0 too and an unbounded one otherwise. */
    @Test
    void theRelativeChangeOfTheObjectiveIsZeroBetweenEqualValuesAndUnboundedFromZero() {
        assertEquals(0.25, Trainer.relativeChange(-2, -1.5));
        assertEquals(0.0, Trainer.relativeChange(0, 0));
        assertEquals(Double.POSITIVE_INFINITY, Trainer.relativeChange(0, 1e-300));
        assertTrue(Double.isNaN(Trainer.relativeChange(1, Double.NaN)), "a NaN objective stops nothing: NaN < EPS is false");
    }

    /**
     * Standardized with the statistics of the training split left by --valid alone: the mean of
     * the validation split's features as fed, and of the test split's, is what those statistics
     * give them, computed here by hand; fitted on the split itself it would be 0. The checkpoint
     * holds those statistics.
     */
    @Test
    void theValidationAndTestSplitsAreTransformedWithTheTrainingSplitsStatistics() throws IOException {
        int valid = 300, kept = digits.train().size() - valid, d = 64;
        double[] x = digits.train().features().toArray();
        double[] mean = new double[d], scale = new double[d];
        for (int i = 0; i < kept; i++) for (int j = 0; j < d; j++) mean[j] += x[i * d + j];
        for (int j = 0; j < d; j++) mean[j] /= kept;
        for (int j = 0; j < d; j++) {
            double squares = 0;
            for (int i = 0; i < kept; i++) squares += (x[i * d + j] - mean[j]) * (x[i * d + j] - mean[j]);
            scale[j] = squares == 0 ? 1 : 1 / Math.sqrt(squares / kept);
        }
        Path out = dir.resolve("run");
        var trainer = new Trainer(softmaxRegressionMeasuringX(), digits, epochs(1).validating(valid, 0).preprocessing("standardize", 0),
                Options.DEFAULT, out);
        assertTrue(trainer.train(new Trainer.Listener() {}, () -> false));

        double validMean = meanStandardized(x, kept, digits.train().size(), mean, scale);
        double testMean = meanStandardized(digits.test().features().toArray(), 0, digits.test().size(), mean, scale);
        assertTrue(Math.abs(validMean) > 1e-3 && Math.abs(testMean) > 1e-3, "far from the 0 of a split fitted on itself: "
                + validMean + ", " + testMean);
        assertEquals(validMean, trainer.history().get(0).heldOut().get("valid_x_mean"), 1e-12);
        assertEquals(testMean, trainer.testFigures().get("test_x_mean"), 1e-12);
        Map<String, Tensor> checkpoint = Npz.read(out.resolve("checkpoint.npz"));
        assertTrue(Tensor.of(mean, d).allClose(checkpoint.get("graft.preprocess.mean"), 1e-15, 0), "the mean");
        assertTrue(Tensor.of(scale, d).allClose(checkpoint.get("graft.preprocess.scale"), 1e-15, 0), "the scale");
    }

    /** The mean of every feature of rows {@code from} to {@code to} of {@code x}, each standardized by {@code mean} and {@code scale}. */
    private static double meanStandardized(double[] x, int from, int to, double[] mean, double[] scale) {
        int d = mean.length;
        double sum = 0;
        for (int i = from; i < to; i++) for (int j = 0; j < d; j++) sum += (x[i * d + j] - mean[j]) * scale[j];
        return sum / ((to - from) * d);
    }

    /**
     * A resumed run applies the checkpoint's transform, not one fitted again: the checkpoint's
     * means moved by 1 move every standardized feature of the next epoch by minus its scale.
     */
    @Test
    void aResumedRunAppliesTheTransformInItsCheckpoint() throws IOException {
        RunSettings run = epochs(2).validating(300, 0).preprocessing("standardize", 0);
        var whole = new Trainer(softmaxRegressionMeasuringX(), digits, run, Options.DEFAULT, dir.resolve("whole"));
        assertTrue(whole.train(new Trainer.Listener() {}, () -> false));
        Path split = dir.resolve("split");
        RunSettings first = epochs(1).validating(300, 0).preprocessing("standardize", 0);
        assertTrue(new Trainer(softmaxRegressionMeasuringX(), digits, first, Options.DEFAULT, split).train(new Trainer.Listener() {},
                () -> false));
        Path file = split.resolve("checkpoint.npz");
        var arrays = new LinkedHashMap<>(Npz.read(file));
        Tensor scale = arrays.get("graft.preprocess.scale");
        arrays.put("graft.preprocess.mean", arrays.get("graft.preprocess.mean").add(Tensor.ones(Shape.of(64))));
        Npz.write(file, arrays);
        var resumed = new Trainer(softmaxRegressionMeasuringX(), digits, run, Options.DEFAULT, split);
        resumed.resume();
        assertTrue(resumed.train(new Trainer.Listener() {}, () -> false));
        double moved = scale.sum() / 64;
        assertEquals(whole.history().get(1).heldOut().get("valid_x_mean") - moved, resumed.history().get(1).heldOut().get("valid_x_mean"),
                1e-12);
        assertTrue(moved > 1, "a move to see: " + moved);
    }

    @Test
    void anOptimizersStateIsSavedWithTheRunAndResumedExactly() throws IOException {
        // Adagrad with a decay keeps a sum per param and a step count all params share: both must come back
        Optimizer adagrad = new Optimizer.Adagrad(0.5, 0.01, 1e-4, 0.1, 1e-10);
        Path whole = dir.resolve("whole"), split = dir.resolve("split");
        assertTrue(new Trainer(softmaxRegression(adagrad), digits, epochs(3), Options.DEFAULT, whole).train(new Trainer.Listener() {}, () -> false));
        assertTrue(new Trainer(softmaxRegression(adagrad), digits, epochs(2), Options.DEFAULT, split).train(new Trainer.Listener() {}, () -> false));
        var resumed = new Trainer(softmaxRegression(adagrad), digits, epochs(3), Options.DEFAULT, split);
        resumed.resume();
        assertTrue(resumed.train(new Trainer.Listener() {}, () -> false));

        Map<String, Tensor> once = Npz.read(whole.resolve("checkpoint.npz")), twice = Npz.read(split.resolve("checkpoint.npz"));
        for (String name : List.of("W", "b", "W.sum", "b.sum", "adagrad.t")) assertEquals(once.get(name), twice.get(name), name);
        assertTrue(once.get("adagrad.t").item() > 100, "the steps of three epochs: " + once.get("adagrad.t"));
    }

    /** Series i at step s is (i, s) for {@code count} series of {@code steps + 1} steps: each sequence names itself in every step. */
    private static Dataset labelledSequences(int count, int steps) {
        double[] v = new double[(steps + 1) * count * 2];
        for (int s = 0; s <= steps; s++) {
            for (int i = 0; i < count; i++) {
                v[(s * count + i) * 2] = i;
                v[(s * count + i) * 2 + 1] = s;
            }
        }
        return Dataset.nextStep(Tensor.of(v, steps + 1, count, 2));
    }

    /** The per-step linear predictor y[t] = x[t] W + b on sequences [t, n, 2], its mean squared error minimized by Adam. */
    private static Model stepwiseLinear() { return stepwiseLinear(false); }

    /** The same, with its prediction as the output {@code predicted} when {@code scored}, so a run scores it (R²). */
    private static Model stepwiseLinear(boolean scored) {
        Input x = input("x", "t", "n", 2);
        Input y = input("y", "t", "n", 2);
        Param W = param("W", Tensor.matrix(new double[] {0.5, 0.1}, new double[] {-0.2, 0.3}));
        Param b = param("b", Tensor.zeros(Shape.of(2)));
        // [t, n, 2, 1] * [2, 2] summed over the inputs' axis: x[t] W for every step and sequence
        Node predicted = add(sum(mul(expandDims(x, -1), W), -2), b);
        Node loss = mean(square(sub(predicted, y)));
        if (!scored) return Model.of("stepwise", x, y, "loss", loss, Optimizer.adam(0.01), List.of(W, b), Map.of());
        return new Model("stepwise", x, Optional.of(y), Map.of(), "loss", loss, false, 0.01,
                lr -> Optimizer.adam(0.01).updates(loss, List.of(W, b), lr), Map.of(), Map.of(), List.of(W, b), (seed, dims) -> {},
                Optional.empty(), Optional.empty(), Map.of("predicted", predicted), Optional.of(predicted));
    }

    private static RunSettings sequenceRun(int epochs, int batch) {
        return new RunSettings("stepwise", "", "sequences", epochs, batch, 3, OptionalDouble.empty(), 1, Map.of(), "default", false,
                DType.F64);
    }

    /**
     * A step is fed whole sequences, features [t, batch, d] and their own targets, and an epoch
     * feeds each training sequence once: state updates count, per sequence, the batches it was in,
     * and sum how far each fed column strays from being one sequence.
     */
    @Test
    void aBatchOfSequencesIsWholeSequencesAndAnEpochFeedsEachOnce() throws IOException {
        int count = 12;
        Data data = new Data("labelled", labelledSequences(count, 5), labelledSequences(4, 5), 0, 0);
        Input x = input("x", "t", "n", 2);
        Input y = input("y", "t", "n", 2);
        Param w = param("w", Tensor.vector(1, 1));
        Node loss = mean(square(sub(mul(x, w), y)));
        Param visits = param("visits", Tensor.zeros(Shape.of(count)));
        Param strays = param("strays", Tensor.scalar(0));
        Node ids = sum(mul(x, constant(Tensor.vector(1, 0))), -1);                       // [t, n]: each column's names
        Node fedOnce = sum(oneHot(max(ids, 0), count), 0);                                // [count]: the sequences of the batch
        Node spread = sum(sub(max(ids, 0), min(ids, 0)));                                 // 0 when a column is one sequence
        Node misaligned = sum(abs(sub(sub(y, x), constant(Tensor.vector(0, 1)))));       // 0 when y[t] = x[t + 1] of the same sequence
        var model = new Model("counting", x, Optional.of(y), Map.of(), "loss", loss, false, 0.01,
                lr -> Optimizer.sgd(0.01).updates(loss, List.of(w), lr),
                Map.of(visits, add(visits, fedOnce), strays, add(strays, add(spread, misaligned))), Map.of(), List.of(w, visits, strays),
                (seed, dims) -> {}, Optional.empty(), Optional.empty(), Map.of(), Optional.empty());
        var trainer = new Trainer(model, data, sequenceRun(2, 4), Options.DEFAULT);
        assertEquals(3, trainer.stepsPerEpoch());
        assertTrue(trainer.train(new Trainer.Listener() {}, () -> false));
        assertEquals(Tensor.full(Shape.of(count), 2), visits.value(), "each sequence once in each of 2 epochs");
        assertEquals(Tensor.scalar(0), strays.value());
    }

    /** Stopped within an epoch and resumed by a fresh trainer, a run on sequences ends bit for bit where an uninterrupted one does. */
    @Test
    void aRunOnSequencesStoppedWithinAnEpochResumesExactly() throws IOException {
        var random = new java.util.Random(5);
        Data data = new Data("waves", waves(40, 30, random), waves(8, 30, random), 0, 0);
        RunSettings run = sequenceRun(3, 8);
        Path whole = dir.resolve("whole"), split = dir.resolve("split");
        var uninterrupted = new Trainer(stepwiseLinear(), data, run, Options.DEFAULT, whole);
        assertTrue(uninterrupted.train(new Trainer.Listener() {}, () -> false));

        var stopped = new Trainer(stepwiseLinear(), data, run, Options.DEFAULT, split);
        int[] steps = {0};
        assertFalse(stopped.train(new Trainer.Listener() {}, () -> steps[0]++ == 7));   // 2 of the 5 steps of epoch 2
        assertEquals(new Trainer.Position(1, 2), stopped.position());
        var resumed = new Trainer(stepwiseLinear(), data, run, Options.DEFAULT, split);
        resumed.resume();
        assertTrue(resumed.train(new Trainer.Listener() {}, () -> false));

        assertEquals(Npz.read(whole.resolve("checkpoint.npz")), Npz.read(split.resolve("checkpoint.npz")));
        assertEquals(Files.readAllLines(whole.resolve("metrics.csv")).stream().map(TrainerTest::withoutSeconds).toList(),
                Files.readAllLines(split.resolve("metrics.csv")).stream().map(TrainerTest::withoutSeconds).toList());
        List<Trainer.Epoch> epochs = uninterrupted.history();
        assertTrue(epochs.get(2).heldOut().get("test_loss") < epochs.get(0).heldOut().get("test_loss"), epochs.toString());
    }

    /**
     * On sequences every step of every training sequence is an example of the features: the
     * checkpoint's mean is theirs over t and n, [d]; the test split's features as fed have the
     * mean those statistics give them; the targets, the next steps of the features, are
     * standardized alike, and so is the persistence baseline; and a run stopped within an epoch
     * resumes with the checkpoint's transform exactly.
     */
    @Test
    void aRunOnSequencesStandardizesEveryStepByTheTrainingSequencesStatistics() throws IOException {
        var random = new java.util.Random(7);
        Data data = new Data("waves", waves(40, 30, random), waves(8, 30, random), 0, 0);
        RunSettings run = sequenceRun(2, 8).preprocessing("standardize", 0);
        Path whole = dir.resolve("whole"), split = dir.resolve("split");
        var uninterrupted = new Trainer(measuringX(stepwiseLinear()), data, run, Options.DEFAULT, whole);
        assertTrue(uninterrupted.train(new Trainer.Listener() {}, () -> false));

        double[] x = data.train().features().toArray(), mean = new double[2], scale = new double[2];
        int steps = x.length / 2;
        for (int i = 0; i < steps; i++) for (int j = 0; j < 2; j++) mean[j] += x[i * 2 + j] / steps;
        for (int j = 0; j < 2; j++) {
            double squares = 0;
            for (int i = 0; i < steps; i++) squares += (x[i * 2 + j] - mean[j]) * (x[i * 2 + j] - mean[j]);
            scale[j] = 1 / Math.sqrt(squares / steps);
        }
        Map<String, Tensor> checkpoint = Npz.read(whole.resolve("checkpoint.npz"));
        assertTrue(Tensor.of(mean, 2).allClose(checkpoint.get("graft.preprocess.mean"), 1e-12, 1e-15), "the mean");
        assertTrue(Tensor.of(scale, 2).allClose(checkpoint.get("graft.preprocess.scale"), 1e-12, 0), "the scale");
        double[] test = data.test().features().toArray();
        double testMean = meanStandardized(test, 0, test.length / 2, mean, scale);
        assertTrue(Math.abs(testMean) > 1e-3, "not the 0 of a split fitted on itself: " + testMean);
        assertEquals(testMean, uninterrupted.history().get(1).heldOut().get("test_x_mean"), 1e-12);
        // y - x standardized is (y - x) * scale, the mean being the same for both
        Tensor change = data.test().targets().sub(data.test().features()).mul(Tensor.of(scale, 2));
        double persistence = change.mul(change).sum() / change.size();
        assertEquals(persistence, uninterrupted.persistenceMse().orElseThrow(), 1e-12 * persistence);
        assertTrue(Math.abs(persistence - data.test().persistenceMse()) > 0.1 * persistence, "another figure than the raw one");

        var stopped = new Trainer(measuringX(stepwiseLinear()), data, run, Options.DEFAULT, split);
        int[] taken = {0};
        assertFalse(stopped.train(new Trainer.Listener() {}, () -> taken[0]++ == 7));   // 2 of the 5 steps of epoch 2
        var resumed = new Trainer(measuringX(stepwiseLinear()), data, run, Options.DEFAULT, split);
        resumed.resume();
        assertTrue(resumed.train(new Trainer.Listener() {}, () -> false));
        assertEquals(checkpoint, Npz.read(split.resolve("checkpoint.npz")));
        assertEquals(uninterrupted.persistenceMse(), resumed.persistenceMse());

        // with --valid, the test split the baseline is of is standardized by the statistics of the sequences left to train on
        var validating = new Trainer(stepwiseLinear(), data, run.validating(8, 0), Options.DEFAULT);
        assertTrue(validating.train(new Trainer.Listener() {}, () -> false));
        Dataset kept = data.train().holdOut(8).train();
        assertEquals(Preprocessing.STANDARDIZE.fit(kept.features(), 0).apply(data.test()).persistenceMse(),
                validating.persistenceMse().orElseThrow());
    }

    /**
     * On sequences the prediction's R² is over every step of every held-out sequence: measured in
     * batches of 3 of the 7 test sequences (3, 3, then 1), it is the R² of the whole split's
     * prediction [t, 7, 2] read as 30 * 7 rows, as each batch's columns land where its sequences are.
     */
    @Test
    void theRSquaredOfSequencesIsOverEveryStepOfEverySequenceHeldOut() throws IOException {
        var random = new java.util.Random(11);
        Data data = new Data("waves", waves(12, 30, random), waves(7, 30, random), 0, 0);
        Model model = stepwiseLinear(true);
        Input x = model.x();
        Node predicted = model.predicted().orElseThrow();
        var trainer = new Trainer(model, data, sequenceRun(2, 3), Options.DEFAULT);
        assertEquals(List.of("test_loss", "test_r2"), trainer.columns().heldOut());
        assertTrue(trainer.train(new Trainer.Listener() {}, () -> false));

        Dataset test = data.test();
        Tensor whole = Compiler.compile(List.of(x), List.of(predicted), Options.DEFAULT).call(test.features()).get(0);
        double r2 = trainer.history().get(1).heldOut().get("test_r2");
        assertEquals(Prediction.rSquared(test.targets(), whole.toArray()), r2, 1e-12);
        assertTrue(r2 > 0 && r2 < 1, "a linear map of 2 epochs explains some of the waves, not all: " + r2);
    }

    /** A metrics row without its last column, the seconds an epoch took, which no two runs share. */
    private static String withoutSeconds(String row) { return row.substring(0, row.lastIndexOf(',')); }

    /** Noisy sines and cosines of random phases and frequencies, one-step prediction, [steps, count, 2]. */
    private static Dataset waves(int count, int steps, java.util.Random random) {
        double[] v = new double[(steps + 1) * count * 2];
        for (int i = 0; i < count; i++) {
            double phase = 2 * Math.PI * random.nextDouble(), omega = 0.1 + 0.2 * random.nextDouble();
            for (int s = 0; s <= steps; s++) {
                v[(s * count + i) * 2] = Math.sin(omega * s + phase);
                v[(s * count + i) * 2 + 1] = Math.cos(omega * s + phase);
            }
        }
        return Dataset.nextStep(Tensor.of(v, steps + 1, count, 2));
    }
}
