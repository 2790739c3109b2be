package org.graft.models.train;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.argmax;
import static org.graft.ops.Ops.equal;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.softmaxCrossEntropy;
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
    private static Model softmaxRegressionMeasuringX() {
        Model m = softmaxRegression();
        var metrics = new LinkedHashMap<>(m.metrics());
        metrics.put("x_mean", mean(m.x()));
        return new Model(m.name(), m.x(), m.y(), m.fixed(), m.objective(), m.cost(), m.maximize(), m.lr(), m.updates(), m.stateUpdates(),
                metrics, m.params(), m.initialization(), m.recon(), m.samples());
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
}
