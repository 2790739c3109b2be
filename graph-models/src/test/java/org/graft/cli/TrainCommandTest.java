package org.graft.cli;

import static org.graft.cli.Run.graft;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.models.data.DataSets;
import org.graft.models.io.Npz;
import org.graft.models.plot.Pictures;
import org.graft.models.train.RunSettings;

/** {@code graft train}: small models trained for real, checkpoints resumed, and every refusal. */
class TrainCommandTest {

    @TempDir
    Path dir;

    /** graph-models alone has no Spark: --spark is a usage error that says how to run the command, before any file is written. */
    @Test
    void sparkWithoutGraphSparksJarSaysHowToRunIt() {
        Run run = graft("train", "mlp", "--data", "digits", "--spark", "local[2]", "--out", dir.resolve("run").toString());
        assertEquals(2, run.status(), run.err());
        assertTrue(run.err().startsWith("--spark local[2]: this graft has no Spark in it; run the same command with graph-spark's jar"),
                run.err());
        assertFalse(run.err().contains("\tat "), run.err());
        assertFalse(Files.exists(dir.resolve("run")));
    }

    @Test
    void sparksOptionsAreRefusedWithoutSpark() {
        Run run = graft("train", "mlp", "--data", "digits", "--average-every", "4");
        assertEquals(2, run.status(), run.err());
        assertTrue(run.err().startsWith("--average-every: expected with --spark MASTER, found without"), run.err());
    }

    @Test
    void xorReachesAMeanSquaredErrorBelowOneHundredth() throws IOException {
        Run run = graft("train", "xor", "--data", "xor", "--epochs", "600", "--out", dir.toString());
        assertEquals(0, run.status(), run.err());
        double[] last = lastRow(dir);
        assertTrue(last[column(dir, "test_mse")] < 0.01, "test mse " + last[column(dir, "test_mse")]);
    }

    @Test
    void theSineFitIsWithinOneHundredthOfTheCleanSine() throws IOException {
        Run run = graft("train", "sine", "--data", "sine", "--epochs", "600", "--out", dir.toString());
        assertEquals(0, run.status(), run.err());
        double mse = lastRow(dir)[column(dir, "test_loss")];   // the sine set's test targets are the clean sine
        assertTrue(mse < 0.01, "test mse " + mse);
    }

    @Test
    void theDonutIsClassifiedRightAtLeast95TimesInAHundred() throws IOException {
        Run run = graft("train", "donut", "--data", "donut", "--epochs", "20", "--out", dir.toString());
        assertEquals(0, run.status(), run.err());
        double accuracy = lastRow(dir)[column(dir, "test_accuracy")];
        assertTrue(accuracy >= 0.95, "test accuracy " + accuracy);
    }

    /** The convolutional net trains on the digits, and its picture of filters shows the first layer's 8 filters as 3x3 tiles. */
    @Test
    void lenetsDigitsVariantTrainsAndDrawsItsFirstConvolutionsFilters() throws IOException {
        Run run = graft("train", "lenet_digits", "--data", "digits", "--epochs", "3", "--out", dir.toString());
        assertEquals(0, run.status(), run.err());
        double accuracy = lastRow(dir)[3];
        assertTrue(accuracy > 0.85, "test accuracy " + accuracy);
        Tensor filters = Npz.read(dir.resolve("checkpoint.npz")).get("W0");
        assertEquals(Shape.of(8, 1, 3, 3), filters.shape());
        Path expected = dir.resolve("expected.png");
        Pictures.imageGrid(expected, filters.reshape(Shape.of(8, 9)), 3, 3, 3);
        BufferedImage drawn = ImageIO.read(dir.resolve("filters.png").toFile()), want = ImageIO.read(expected.toFile());
        assertEquals(List.of(want.getWidth(), want.getHeight()), List.of(drawn.getWidth(), drawn.getHeight()));
        for (int x = 0; x < want.getWidth(); x++) {
            for (int y = 0; y < want.getHeight(); y++) assertEquals(want.getRGB(x, y), drawn.getRGB(x, y), "pixel " + x + ", " + y);
        }
    }

    @Test
    void oneEpochOfTheMlpOnTheDigitsLeavesMetricsACheckpointAndPictures() throws IOException {
        Run run = graft("train", "mlp", "--data", "digits", "--epochs", "2", "--out", dir.toString());
        assertEquals(0, run.status(), run.err());
        List<String> lines = Files.readAllLines(dir.resolve("metrics.csv"));
        assertEquals("epoch,train_loss,test_loss,test_accuracy,seconds", lines.get(0));
        assertEquals(3, lines.size());
        double accuracy = lastRow(dir)[3];
        assertTrue(accuracy > 0.85, "test accuracy " + accuracy);
        assertTrue(run.out().strip().endsWith(String.format("test accuracy: %.4g", accuracy)), run.out());

        Map<String, Tensor> saved = Npz.read(dir.resolve("checkpoint.npz"));
        assertEquals(Tensor.scalar(2), saved.get("graft.epoch"));
        assertEquals(List.of(64, 128), List.of(saved.get("W1").shape().dim(0), saved.get("W1").shape().dim(1)));
        assertTrue(saved.containsKey("W1.m") && saved.containsKey("adam.beta1^t"), "the optimizer's state: " + saved.keySet());
        for (String png : List.of("learning_curve.png", "filters.png")) assertTrue(Files.size(dir.resolve(png)) > 0, png);

        assertFalse(run.out().contains("persistence"), "no baseline for a set of rows: " + run.out());
        assertFalse(Files.exists(dir.resolve("trajectories.png")));
        assertFalse(strictJson(dir.resolve("run.json")).has("persistenceTestMse"));
    }

    @Test
    void persistentContrastiveDivergenceCarriesItsChainFromStepToStep() throws IOException {
        Run run = graft("train", "rbm", "--data", "digits", "--epochs", "1", "--batch", "20", "--set", "hidden=16",
                "--set", "k=2", "--out", dir.toString());
        assertEquals(0, run.status(), run.err());
        assertEquals("epoch,train_cost,test_pseudo_likelihood,seconds", Files.readAllLines(dir.resolve("metrics.csv")).get(0));
        double pseudoLikelihood = lastRow(dir)[2];
        assertTrue(pseudoLikelihood < 0 && pseudoLikelihood > -64 * Math.log(1e6), "pseudo-likelihood " + pseudoLikelihood);

        Tensor chain = Npz.read(dir.resolve("checkpoint.npz")).get("chain");   // state, saved with the params
        assertEquals(List.of(20, 64), List.of(chain.shape().dim(0), chain.shape().dim(1)));
        double[] bits = chain.toArray();
        assertTrue(Arrays.stream(bits).allMatch(b -> b == 0 || b == 1), "the chain holds samples of binary units");
        assertTrue(Arrays.stream(bits).anyMatch(b -> b == 1), "the chain moved from its zeros");
        for (String png : List.of("filters.png", "reconstructions.png")) assertTrue(Files.exists(dir.resolve(png)), png);
    }

    @Test
    void theVaeReportsItsTestElboAndDrawsSamples() throws IOException {
        Run run = graft("train", "vae", "--data", "digits", "--epochs", "1", "--set", "hidden=32", "--set", "latent=4",
                "--out", dir.toString());
        assertEquals(0, run.status(), run.err());
        assertEquals("epoch,train_elbo,test_elbo,test_kl_divergence,seconds", Files.readAllLines(dir.resolve("metrics.csv")).get(0));
        double[] row = lastRow(dir);
        assertTrue(row[2] < 0 && row[2] > -64 * Math.log(2), "a test elbo above that of coin flips: " + row[2]);
        assertTrue(row[3] >= 0, "a KL divergence is not negative: " + row[3]);
        for (String png : List.of("samples.png", "reconstructions.png", "filters.png")) assertTrue(Files.exists(dir.resolve(png)), png);
    }

    @Test
    void theDenoisingAutoencodersReconstructionErrorFallsEpochByEpoch() throws IOException {
        Run run = graft("train", "dae", "--data", "digits", "--epochs", "3", "--batch", "20", "--set", "hidden=32",
                "--out", dir.toString());
        assertEquals(0, run.status(), run.err());
        List<String> lines = Files.readAllLines(dir.resolve("metrics.csv"));
        int column = List.of(lines.get(0).split(",")).indexOf("test_recon_error");
        double[] errors = lines.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[column])).toArray();
        assertTrue(errors[0] > errors[1] && errors[1] > errors[2], Arrays.toString(errors));
    }

    @Test
    void aResumedRunComputesExactlyWhatAnUninterruptedOneDoes() throws IOException {
        Path whole = dir.resolve("whole");
        Path halves = dir.resolve("halves");
        String[] common = {"train", "mlp", "--data", "digits", "--seed", "7", "--set", "hidden=16"};
        assertEquals(0, graft(concat(common, "--epochs", "3", "--out", whole.toString())).status());
        assertEquals(0, graft(concat(common, "--epochs", "1", "--out", halves.toString())).status());
        Run resumed = graft(concat(common, "--epochs", "3", "--resume", halves.toString()));
        assertEquals(0, resumed.status(), resumed.err());
        assertTrue(resumed.out().startsWith("resuming " + halves + " after epoch 1"), resumed.out());

        assertEquals(withoutSeconds(whole), withoutSeconds(halves));
        assertEquals(Npz.read(whole.resolve("checkpoint.npz")), Npz.read(halves.resolve("checkpoint.npz")));
    }

    // ---- sequences ----

    /** The per-step perceptron of the test resources, a non-recurrent one-step predictor, written into the run's folder. */
    private Path nextStep() throws IOException {
        try (var in = TrainCommandTest.class.getResourceAsStream("next_step.graft")) {
            return Files.write(dir.resolve("next_step.graft"), in.readAllBytes());
        }
    }

    /**
     * On the Lorenz trajectories a per-step perceptron predicts the next step several times better
     * than persistence, and the run says how well persistence does on the test split, in its last
     * line and in run.json: the figure of the data set itself, which LorenzGoldenTest holds to NumPy's.
     */
    @Test
    void aPerStepPredictorOnLorenzBeatsThePersistenceBaselineItPrints() throws IOException {
        Path out = dir.resolve("run"), program = nextStep();
        Run run = graft("train", program.toString(), "--data", "lorenz", "--epochs", "20", "--out", out.toString());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().startsWith(program
                + " on lorenz: 256 training and 64 test sequences of 100 steps, 20 epochs of 8 steps of 32\n"), run.out());
        double baseline = DataSets.load("lorenz").test().persistenceMse();
        List<String> lines = run.out().lines().toList();
        assertEquals(String.format("persistence baseline (x[t+1] = x[t]) test mse: %.4g", baseline), lines.get(lines.size() - 1));
        assertEquals(baseline, strictJson(out.resolve("run.json")).get("persistenceTestMse").getAsDouble());
        double loss = lastRow(out)[column(out, "test_loss")];
        assertTrue(loss < baseline / 5, "test mse " + loss + " against persistence's " + baseline);
        BufferedImage picture = ImageIO.read(out.resolve("trajectories.png").toFile());
        assertEquals(List.of(4 * 360, 40 + 110 + 3 * 160), List.of(picture.getWidth(), picture.getHeight()), "4 sequences of 3 components");
    }

    /**
     * The bundled Elman network, trained by back-propagation through time through one scan node,
     * predicts the Lorenz system's next step ten times better than persistence (the bar;
     * 15 epochs give some 40 times); the LSTM trains on noisy sines, where its memory beats persistence.
     */
    @Test
    void theRecurrentNetsPredictTheNextStepFarBetterThanPersistence() throws IOException {
        Path rnn = dir.resolve("rnn"), lstm = dir.resolve("lstm");
        Run run = graft("train", "rnn", "--data", "lorenz", "--epochs", "15", "--out", rnn.toString());
        assertEquals(0, run.status(), run.err());
        double lorenz = DataSets.load("lorenz").test().persistenceMse();
        double loss = lastRow(rnn)[column(rnn, "test_loss")];
        assertTrue(loss < lorenz / 10, "rnn: test mse " + loss + " against persistence's " + lorenz);
        assertTrue(Files.exists(rnn.resolve("trajectories.png")));
        run = graft("train", "lstm", "--data", "sine-seq", "--epochs", "10", "--out", lstm.toString());
        assertEquals(0, run.status(), run.err());
        double sines = DataSets.load("sine-seq").test().persistenceMse();
        loss = lastRow(lstm)[column(lstm, "test_loss")];
        assertTrue(loss < sines / 2, "lstm: test mse " + loss + " against persistence's " + sines);
    }

    /** The picture of predictions is of x alone: a predicted that reads y, which a test sequence cannot give it, is not drawn. */
    @Test
    void aPredictionThatReadsTheTargetsIsNotDrawn() throws IOException {
        Path program = Files.writeString(dir.resolve("peek.graft"), Files.readString(nextStep()).replace("predicted = x +", "predicted = y +"));
        Run run = graft("train", program.toString(), "--data", "lorenz", "--epochs", "1", "--out", dir.resolve("run").toString());
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.err());
        assertFalse(Files.exists(dir.resolve("run").resolve("trajectories.png")));
        assertTrue(Files.exists(dir.resolve("run").resolve("learning_curve.png")));
    }

    @Test
    void aRunOnSequencesHoldsOutWholeSequencesAndResumesExactly() throws IOException {
        Path program = nextStep(), whole = dir.resolve("whole"), halves = dir.resolve("halves");
        String[] common = {"train", program.toString(), "--data", "sine-seq", "--seed", "3", "--batch", "16", "--valid", "0.2"};
        Run uninterrupted = graft(concat(common, "--epochs", "3", "--out", whole.toString()));
        assertEquals(0, uninterrupted.status(), uninterrupted.err());
        assertTrue(uninterrupted.out().startsWith(program + " on sine-seq: 205 training, 51 validation and 64 test sequences of "
                + "100 steps, 3 epochs of 12 steps of 16\n"), uninterrupted.out());
        assertEquals(0, graft(concat(common, "--epochs", "1", "--out", halves.toString())).status());
        Run resumed = graft(concat(common, "--epochs", "3", "--resume", halves.toString()));
        assertEquals(0, resumed.status(), resumed.err());

        assertEquals(withoutSeconds(whole), withoutSeconds(halves));
        for (String file : List.of("checkpoint.npz", "best.npz")) {
            assertEquals(Npz.read(whole.resolve(file)), Npz.read(halves.resolve(file)), file);
        }
        double baseline = DataSets.load("sine-seq").test().persistenceMse();   // the test split's, --valid or not
        assertEquals(baseline, strictJson(halves.resolve("run.json")).get("persistenceTestMse").getAsDouble());
    }

    @Test
    void aProgramOfRowsOnSequencesIsToldTheShapeTheDataGive() throws IOException {
        Run run = graft("train", "sine", "--data", "sine-seq", "--out", dir.toString());
        assertEquals(1, run.status());
        assertTrue(run.err().contains("input x: sine-seq gives features of shape [100, 32, 1] in batches of 32, but"), run.err());
    }

    // ---- a validation split and early stopping ----

    private static final String[] EARLY = {"train", "mlp", "--data", "digits", "--seed", "7", "--set", "hidden=16", "--valid", "288",
        "--patience", "2"};

    @Test
    void aValidationSplitChoosesTheBestEpochWhoseParamsAloneMeetTheTestSplit() throws IOException {
        Run run = graft(concat(EARLY, "--epochs", "30", "--out", dir.toString()));
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().startsWith("mlp.graft on digits: 1,150 training, 288 validation and 359 test examples"), run.out());
        List<String> lines = Files.readAllLines(dir.resolve("metrics.csv"));
        assertEquals("epoch,train_loss,valid_loss,valid_accuracy,seconds", lines.get(0));

        // the best epoch is the first of the lowest validation loss, and patience ran out 2 epochs after it
        double[] loss = lines.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[2])).toArray();
        int best = 0;
        for (int e = 1; e < loss.length; e++) if (loss[e] < loss[best]) best = e;
        int bestEpoch = best + 1;
        assertEquals(bestEpoch + 2, loss.length, "the epochs run: " + Arrays.toString(loss));
        assertTrue(loss.length < 30, "patience ended the run");
        assertTrue(run.out().contains("\nepoch " + loss.length + "/30  train loss "), "the last epoch's line: " + run.out());
        String reason = "valid loss has not improved for 2 epochs since epoch " + bestEpoch + " (--patience 2)";
        assertTrue(run.out().contains("stopped early after epoch " + loss.length + ": " + reason + "\nbest epoch: " + bestEpoch
                + " of " + loss.length + ", by its valid loss\n"), run.out());
        assertTrue(run.out().contains("the test split, measured once, with epoch " + bestEpoch + "'s params:\ntest recall by class: "),
                run.out());

        // best.npz holds the model's params of that epoch; the checkpoint the last epoch's, and the best ones beside them
        Map<String, Tensor> bestParams = Npz.read(dir.resolve("best.npz")), checkpoint = Npz.read(dir.resolve("checkpoint.npz"));
        assertEquals(Set.of("W1", "b1", "W2", "b2", "graft.epoch"), bestParams.keySet());
        assertEquals(Tensor.scalar(bestEpoch), bestParams.get("graft.epoch"));
        assertEquals(Tensor.scalar(loss.length), checkpoint.get("graft.epoch"));
        for (String name : List.of("W1", "b1", "W2", "b2")) {
            assertEquals(bestParams.get(name), checkpoint.get("graft.best." + name), name);
            assertFalse(bestParams.get(name).equals(checkpoint.get(name)), name + " moved on after the best epoch");
        }
        JsonObject settings = strictJson(dir.resolve("run.json"));
        assertEquals(288, settings.get("valid").getAsInt());
        assertEquals(2, settings.get("patience").getAsInt());
        assertEquals(reason, settings.get("stopped").getAsString());
    }

    @Test
    void aRunResumedInTheMiddleOfEarlyStoppingEndsExactlyAsAnUninterruptedOne() throws IOException {
        Path whole = dir.resolve("whole"), halves = dir.resolve("halves");
        Run uninterrupted = graft(concat(EARLY, "--epochs", "30", "--out", whole.toString()));
        assertEquals(0, uninterrupted.status(), uninterrupted.err());
        // stopped one epoch before the end: one epoch since the best, one of patience left, in the middle of early stopping
        List<String> rows = withoutSeconds(whole);
        int epochs = rows.size() - 1, waiting = epochs - 1;
        assertTrue(uninterrupted.out().contains("best epoch: " + (epochs - 2) + " of " + epochs), uninterrupted.out());

        assertResumedEndsAsUninterrupted(EARLY, waiting, 30, uninterrupted, whole, halves, "stopped early after epoch ");

        // a run that patience ended has nothing left to train
        Run again = graft(concat(EARLY, "--epochs", "40", "--resume", whole.toString()));
        assertEquals(1, again.status());
        assertTrue(again.err().startsWith("error: --resume " + whole + ": the run stopped early after epoch " + epochs
                + ": valid loss has not improved for 2 epochs since epoch "), again.err());
    }

    // ---- the tutorials' patience_increase ----

    private static final String[] INCREASING = concat(EARLY, "--patience-increase", "2");

    /**
     * With --patience-increase 2 the run stops where the tutorials' loop would, replayed here from
     * the validation losses in their form (patience = max(patience, iter * patience_increase) when
     * this_validation_loss < best_validation_loss * improvement_threshold, stop when patience <= iter,
     * iter counting epochs): later than --patience 2 alone stops it, on the same losses.
     */
    @Test
    void thePatienceIncreaseStopsTheRunWhereTheTutorialsLoopWouldAndLaterThanPatienceAlone() throws IOException {
        Run run = graft(concat(INCREASING, "--epochs", "60", "--out", dir.toString()));
        assertEquals(0, run.status(), run.err());
        double[] valid = columnValues(dir, "valid_loss");
        double patience = 2, best = Double.POSITIVE_INFINITY;
        int stop = 0, extendedBy = 0;
        for (int iter = 1; iter <= valid.length && stop == 0; iter++) {
            if (valid[iter - 1] < best) {
                if (valid[iter - 1] < best * 0.995) {
                    patience = Math.max(patience, iter * 2.0);
                    extendedBy = iter;
                }
                best = valid[iter - 1];
            }
            if (patience <= iter) stop = iter;
        }
        assertEquals(valid.length, stop, "the epochs run: " + Arrays.toString(valid));
        assertTrue(stop < 60 && stop > patienceRunsOut(valid, 2), "later than patience alone: " + stop + " against "
                + patienceRunsOut(valid, 2));
        String reason = "valid loss last improved by 0.5% or more at epoch " + extendedBy + ", so patience ran out after max(2, "
                + extendedBy + " × 2) = " + (extendedBy * 2) + " epochs (--patience 2 --patience-increase 2)";
        assertTrue(run.out().contains("stopped early after epoch " + stop + ": " + reason + "\nbest epoch: "), run.out());
        JsonObject settings = strictJson(dir.resolve("run.json"));
        assertEquals(reason, settings.get("stopped").getAsString());
        assertEquals(2.0, settings.get("patienceIncrease").getAsDouble());
        assertEquals(0.995, settings.get("improvementThreshold").getAsDouble());
    }

    @Test
    void aRunResumedWhileItsPatienceIsIncreasedEndsExactlyAsAnUninterruptedOne() throws IOException {
        Path whole = dir.resolve("whole"), halves = dir.resolve("halves");
        Run uninterrupted = graft(concat(INCREASING, "--epochs", "60", "--out", whole.toString()));
        assertEquals(0, uninterrupted.status(), uninterrupted.err());
        int epochs = withoutSeconds(whole).size() - 1;
        // stopped past the point where --patience 2 alone would have ended the run: only the increased patience carries it on
        int stoppedAt = patienceRunsOut(columnValues(whole, "valid_loss"), 2) + 2;
        assertTrue(stoppedAt < epochs, stoppedAt + " of " + epochs);

        assertResumedEndsAsUninterrupted(INCREASING, stoppedAt, 60, uninterrupted, whole, halves, "stopped early after epoch ");

        Run again = graft(concat(INCREASING, "--epochs", "70", "--resume", whole.toString()));
        assertEquals(1, again.status());
        assertTrue(again.err().startsWith("error: --resume " + whole + ": the run stopped early after epoch " + epochs + ": valid loss"
                + " last improved by 0.5% or more at epoch "), again.err());
        Run other = graft(concat(EARLY, "--epochs", "60", "--resume", halves.toString()));
        assertEquals("error: --resume " + halves + ": the checkpoint there is of another run: --patience-increase 2 there, (none) here\n",
                other.err());
        other = graft(concat(INCREASING, "--improvement-threshold", "0.99", "--epochs", "60", "--resume", halves.toString()));
        assertEquals("error: --resume " + halves + ": the checkpoint there is of another run: --improvement-threshold 0.995 there, 0.99"
                + " here\n", other.err());
    }

    @Test
    void aValidationSplitPatienceOrStoppingCriterionOutOfRangeIsAWrongCommandLine() {
        String[][] refusals = {
            {"--valid", "1438", "--valid 1438: expected from 1 to 1,437 examples, fewer than the 1,438 training examples of digits,"
                    + " found 1,438"},
            {"--valid", "0.0001", "--valid 0.0001: expected from 1 to 1,437 examples, fewer than the 1,438 training examples of"
                    + " digits, found 0"},
            {"--valid", "0", "--valid: expected a number of examples (a whole number, 1 or more) or a fraction of the training set"
                    + " in (0, 1), found 0"},
            {"--valid", "2.5", "--valid: expected a number of examples (a whole number, 1 or more) or a fraction of the training set"
                    + " in (0, 1), found 2.5"},
            {"--patience", "3", "--patience 3: expected --valid beside it (early stopping watches the validation objective), found"
                    + " no --valid"},
            {"--patience-increase", "2", "--patience-increase 2: expected --patience beside it (the tutorials' patience, in epochs,"
                    + " that it increases), found no --patience"},
            {"--improvement-threshold", "0.99", "--improvement-threshold 0.99: expected --patience-increase beside it, found no"
                    + " --patience-increase"},
            {"--stop-rel-change", "0", "--stop-rel-change: expected a finite number > 0, found 0"},
            {"--stop-rel-change", "-0.1", "--stop-rel-change: expected a finite number > 0, found -0.1"},
            {"--stop-rel-change", "NaN", "--stop-rel-change: expected a finite number > 0, found NaN"},
            {"--stop-rel-change", "1e999", "--stop-rel-change: expected a finite number > 0, found 1e999"},
            {"--stop-rel-change", "small", "--stop-rel-change: expected a finite number > 0, found small"},
            {"--stop-grad-norm", "0", "--stop-grad-norm: expected a finite number > 0, found 0"},
            {"--stop-grad-norm", "Infinity", "--stop-grad-norm: expected a finite number > 0, found Infinity"}};
        for (String[] bad : refusals) {
            Run run = graft("train", "mlp", "--data", "digits", bad[0], bad[1], "--out", dir.resolve("out").toString());
            assertEquals(new Run(2, "", bad[2] + "\nTry 'graft train --help' for more.\n"), run);
        }
        String[][] tutorials = {
            {"--patience-increase", "1", "--patience-increase: expected a finite number > 1, found 1"},
            {"--patience-increase", "inf", "--patience-increase: expected a finite number > 1, found inf"},
            {"--improvement-threshold", "0", "--improvement-threshold: expected a number in (0, 1], found 0"},
            {"--improvement-threshold", "1.5", "--improvement-threshold: expected a number in (0, 1], found 1.5"}};
        for (String[] bad : tutorials) {
            String[] args = bad[0].equals("--patience-increase") ? new String[] {bad[0], bad[1]}
                    : new String[] {"--patience-increase", "2", bad[0], bad[1]};
            Run run = graft(concat(new String[] {"train", "mlp", "--data", "digits", "--valid", "100", "--patience", "3", "--out",
                dir.resolve("out").toString()}, args));
            assertEquals(new Run(2, "", bad[2] + "\nTry 'graft train --help' for more.\n"), run);
        }
        assertFalse(Files.exists(dir.resolve("out")), "a refused run leaves no folder");
        Run run = graft("train", "rbm", "--data", "digits", "--valid", "100", "--out", dir.resolve("out").toString());
        assertEquals(1, run.status());
        assertTrue(run.err().endsWith(": error: --valid 100: expected an objective that can be measured on the validation split"
                + " to choose the best epoch, found one that reads state updated by each step\n"), run.err());
        run = graft("train", "rbm", "--data", "digits", "--stop-grad-norm", "0.1", "--out", dir.resolve("out").toString());
        assertEquals(1, run.status());
        assertTrue(run.err().endsWith(": error: --stop-grad-norm 0.1: expected an objective whose gradient can be measured on the"
                + " whole training split, found one that reads state updated by each step\n"), run.err());
    }

    // ---- the notes' stopping criteria ----

    private static final String[] CRITERIA_RUN = {"train", "mlp", "--data", "digits", "--seed", "7", "--set", "hidden=16"};
    private static final String[] REL_CHANGE = concat(CRITERIA_RUN, "--stop-rel-change", "0.05");
    private static final String[] GRAD_NORM = concat(CRITERIA_RUN, "--stop-grad-norm", "0.1");

    @Test
    void aRunStopsAfterTheFirstEpochWhoseTrainingObjectiveChangedByLessThanEpsRelative() throws IOException {
        Run run = graft(concat(REL_CHANGE, "--epochs", "30", "--out", dir.toString()));
        assertEquals(0, run.status(), run.err());
        double[] train = columnValues(dir, "train_loss");
        int stop = firstEpochMeeting(dir, "--stop-rel-change", 0.05);
        assertEquals(train.length, stop, "the epochs run: " + Arrays.toString(train));
        assertTrue(stop > 2 && stop < 30, "a run that stops, and not at its first chance: " + Arrays.toString(train));
        String reason = String.format("train loss changed by %.3g of its value since epoch %d (--stop-rel-change 0.05)",
                Math.abs(train[stop - 1] - train[stop - 2]) / Math.abs(train[stop - 2]), stop - 1);
        assertStoppedAt(run, stop, reason);
        assertEquals(0.05, strictJson(dir.resolve("run.json")).get("stopRelChange").getAsDouble());
        assertEquals("epoch,train_loss,test_loss,test_accuracy,seconds", Files.readAllLines(dir.resolve("metrics.csv")).get(0));
    }

    @Test
    void aRunStopsAfterTheFirstEpochAtWhoseEndTheGradientsNormIsBelowEps() throws IOException {
        Run run = graft(concat(GRAD_NORM, "--epochs", "30", "--out", dir.toString()));
        assertEquals(0, run.status(), run.err());
        assertEquals("epoch,train_loss,grad_norm,test_loss,test_accuracy,seconds", Files.readAllLines(dir.resolve("metrics.csv")).get(0));
        double[] norms = columnValues(dir, "grad_norm");
        int stop = firstEpochMeeting(dir, "--stop-grad-norm", 0.1);
        assertEquals(norms.length, stop, "the epochs run: " + Arrays.toString(norms));
        assertTrue(stop > 1 && stop < 30, "a run that stops, and not at its first chance: " + Arrays.toString(norms));
        String reason = String.format("the gradient of the loss over the training split has norm %.3g (--stop-grad-norm 0.1)",
                norms[stop - 1]);
        assertStoppedAt(run, stop, reason);
        assertTrue(run.out().contains(String.format("\nepoch 1/30  train loss %.4f  grad norm %.4g  test loss ",
                columnValues(dir, "train_loss")[0], norms[0])), run.out());
        assertEquals(0.1, strictJson(dir.resolve("run.json")).get("stopGradNorm").getAsDouble());
    }

    /** The run ended after epoch {@code stop}, whose line was printed and which the checkpoint holds, and said why. */
    private void assertStoppedAt(Run run, int stop, String reason) throws IOException {
        assertTrue(run.out().contains("\nepoch " + stop + "/30  train loss "), "the last epoch's line: " + run.out());
        assertTrue(run.out().contains("stopped early after epoch " + stop + ": " + reason + "\ntest recall by class: "), run.out());
        assertEquals(reason, strictJson(dir.resolve("run.json")).get("stopped").getAsString());
        assertEquals(Tensor.scalar(stop), Npz.read(dir.resolve("checkpoint.npz")).get("graft.epoch"), "the epoch that stops is saved");
    }

    @Test
    void aRunResumedBeforeItsStoppingEpochStopsWhereAnUninterruptedOneDoes() throws IOException {
        for (String[] criterion : List.of(REL_CHANGE, GRAD_NORM)) {
            String option = criterion[criterion.length - 2], eps = criterion[criterion.length - 1];
            Path whole = dir.resolve(option + "-whole"), halves = dir.resolve(option + "-halves");
            Run uninterrupted = graft(concat(criterion, "--epochs", "30", "--out", whole.toString()));
            assertEquals(0, uninterrupted.status(), uninterrupted.err());
            int epochs = withoutSeconds(whole).size() - 1;
            assertTrue(epochs < 30, option + " ended the run");

            assertResumedEndsAsUninterrupted(criterion, epochs - 1, 30, uninterrupted, whole, halves, "stopped early after epoch ");

            Run again = graft(concat(criterion, "--epochs", "40", "--resume", whole.toString()));
            assertEquals(1, again.status());
            assertTrue(again.err().startsWith("error: --resume " + whole + ": the run stopped early after epoch " + epochs + ": "),
                    again.err());
            assertTrue(again.err().endsWith("(" + option + " " + eps + "); there is nothing to train\n"), again.err());
            Run other = graft(concat(CRITERIA_RUN, "--epochs", "40", "--resume", halves.toString()));
            assertEquals("error: --resume " + halves + ": the checkpoint there is of another run: " + option + " " + eps
                    + " there, (none) here\n", other.err());
        }
    }

    /** With --valid and --patience beside them, whichever is met first ends the run. */
    @Test
    void aStoppingCriterionAndPatienceEndTheRunAtWhicheverComesFirst() throws IOException {
        var reasons = new ArrayList<String>();
        for (String[] criterion : List.of(new String[] {"--stop-rel-change", "0.05"}, new String[] {"--stop-rel-change", "0.001"},
                new String[] {"--stop-grad-norm", "0.13"})) {
            Path out = dir.resolve(criterion[0] + criterion[1]);
            Run run = graft(concat(EARLY, criterion[0], criterion[1], "--epochs", "30", "--out", out.toString()));
            assertEquals(0, run.status(), run.err());
            double[] valid = columnValues(out, "valid_loss");
            int byCriterion = firstEpochMeeting(out, criterion[0], Double.parseDouble(criterion[1]));
            int byPatience = patienceRunsOut(valid, 2);
            assertEquals(Math.min(byCriterion, byPatience), valid.length, Arrays.toString(criterion) + ": " + Arrays.toString(valid));
            String why = byCriterion < byPatience ? "(" + criterion[0] + " " : "valid loss has not improved for 2 epochs";
            String stopped = run.out().lines().filter(l -> l.startsWith("stopped early after epoch " + valid.length + ": "))
                    .findFirst().orElseThrow(() -> new AssertionError(run.out()));
            assertTrue(stopped.contains(why), Arrays.toString(criterion) + ": " + stopped);
            assertTrue(run.out().contains("the test split, measured once, with epoch "), run.out());
            reasons.add(why);
        }
        assertEquals(3, Set.copyOf(reasons).size(), "patience ends one of the runs, each criterion another: " + reasons);
    }

    /**
     * Trains {@code args} for {@code first} epochs into {@code halves}, resumes it to {@code epochs},
     * and asserts that it ends as {@code uninterrupted}, trained to {@code epochs} at once into
     * {@code whole}: the same metrics but for the seconds, the same checkpoint.npz and best.npz
     * (when the run keeps one) byte for byte, and the same last lines from {@code from} on.
     */
    private static void assertResumedEndsAsUninterrupted(String[] args, int first, int epochs, Run uninterrupted, Path whole, Path halves,
                                                         String from) throws IOException {
        String where = String.join(" ", args);
        assertEquals(0, graft(concat(args, "--epochs", Integer.toString(first), "--out", halves.toString())).status(), where);
        Run resumed = graft(concat(args, "--epochs", Integer.toString(epochs), "--resume", halves.toString()));
        assertEquals(0, resumed.status(), resumed.err());
        assertEquals(withoutSeconds(whole), withoutSeconds(halves), where);
        for (String file : List.of("checkpoint.npz", "best.npz")) {
            if (!Files.exists(whole.resolve(file))) continue;
            assertArrayEquals(Files.readAllBytes(whole.resolve(file)), Files.readAllBytes(halves.resolve(file)), where + ": " + file);
        }
        assertEquals(uninterrupted.out().substring(uninterrupted.out().indexOf(from)).replace(whole.toString(), "OUT"),
                resumed.out().substring(resumed.out().indexOf(from)).replace(halves.toString(), "OUT"), where);
    }

    /**
     * The epoch (from 1) after which {@code option} with {@code eps} stops the run whose metrics
     * are in {@code out}, computed from metrics.csv; one past the last epoch for none.
     * --stop-rel-change: the first from the second on whose mean training objective changed by
     * less than eps of the one before (0 for two equal ones); --stop-grad-norm: the first whose
     * grad_norm is below eps.
     */
    private static int firstEpochMeeting(Path out, String option, double eps) throws IOException {
        double[] train = columnValues(out, "train_loss");
        double[] norms = option.equals("--stop-grad-norm") ? columnValues(out, "grad_norm") : null;
        for (int e = 1; e <= train.length; e++) {
            double before = e == 1 ? 0 : train[e - 2], now = train[e - 1];
            boolean met = norms != null ? norms[e - 1] < eps
                    : e > 1 && (now == before ? 0 : Math.abs(now - before) / Math.abs(before)) < eps;
            if (met) return e;
        }
        return train.length + 1;
    }

    /** The epoch after which {@code patience} epochs have passed without a lower value of {@code valid}; {@code valid.length + 1} for none. */
    private static int patienceRunsOut(double[] valid, int patience) {
        int best = 1;
        for (int e = 2; e <= valid.length; e++) {
            if (valid[e - 1] < valid[best - 1]) best = e;
            if (e - best >= patience) return e;
        }
        return valid.length + 1;
    }

    @Test
    void theMlpTrainsInF32ToTheAccuracyItReachesInF64() throws IOException {
        Path f64 = dir.resolve("f64"), f32 = dir.resolve("f32");
        String[] common = {"train", "mlp", "--data", "digits", "--epochs", "5", "--seed", "3"};
        assertEquals(0, graft(concat(common, "--out", f64.toString())).status());
        Run run = graft(concat(common, "--dtype", "f32", "--out", f32.toString()));
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().lines().findFirst().orElseThrow().endsWith("steps of 32, in f32"), run.out());
        double accuracy64 = lastRow(f64)[column(f64, "test_accuracy")], accuracy32 = lastRow(f32)[column(f32, "test_accuracy")];
        assertTrue(accuracy32 > 0.93 && Math.abs(accuracy32 - accuracy64) <= 0.015, accuracy32 + " in f32, " + accuracy64 + " in f64");
        assertTrue(Files.readString(f32.resolve("run.json")).contains("\"dtype\": \"f32\""));
        assertTrue(Files.readString(f64.resolve("run.json")).contains("\"dtype\": \"f64\""));
    }

    @Test
    void anF32CheckpointHoldsFloat32ArraysAndResumesExactly() throws IOException {
        Path whole = dir.resolve("whole");
        Path halves = dir.resolve("halves");
        String[] common = {"train", "mlp", "--data", "digits", "--seed", "7", "--set", "hidden=16", "--dtype", "f32"};
        assertEquals(0, graft(concat(common, "--epochs", "3", "--out", whole.toString())).status());
        assertEquals(0, graft(concat(common, "--epochs", "1", "--out", halves.toString())).status());
        Map<String, Tensor> saved = Npz.read(halves.resolve("checkpoint.npz"));
        for (var e : saved.entrySet()) {   // Npz reads '<f4' as f32 and every other dtype as f64
            boolean progress = List.of("graft.epoch", "graft.step", "graft.objective_sum", "graft.seconds").contains(e.getKey());
            assertEquals(progress ? DType.F64 : DType.F32, e.getValue().dtype(), e.getKey());
        }
        Run resumed = graft(concat(common, "--epochs", "3", "--resume", halves.toString()));
        assertEquals(0, resumed.status(), resumed.err());
        assertEquals(withoutSeconds(whole), withoutSeconds(halves));
        assertEquals(Npz.read(whole.resolve("checkpoint.npz")), Npz.read(halves.resolve("checkpoint.npz")));
    }

    @Test
    void aRunResumesOnlyInItsOwnDtype() {
        assertEquals(0, graft("train", "mlp", "--data", "digits", "--epochs", "1", "--set", "hidden=8", "--dtype", "f32",
                "--out", dir.toString()).status());
        Run run = graft("train", "mlp", "--data", "digits", "--epochs", "2", "--set", "hidden=8", "--resume", dir.toString());
        assertEquals(1, run.status());
        assertEquals("error: --resume " + dir + ": the checkpoint there is of another run: --dtype f32 there, f64 here\n",
                run.err());
    }

    @Test
    void aParamLargerThanATensorCanBeIsAnErrorAtItsDeclaration() {
        Run run = graft("train", "mlp", "--data", "digits", "--set", "hidden=100000000", "--out", dir.toString());
        assertEquals(1, run.status());
        assertEquals("mlp.graft:17:7: error: param W1: [64, 100000000] would hold 6,400,000,000 elements; a tensor holds"
                + " at most 2,147,483,639, the most one Java array holds\n", run.err());
    }

    @Test
    void runningOutOfMemoryNamesTheHeapAndHowToAskForMore() {
        long mib = 1 << 20, gib = 1L << 30;
        assertEquals("error: out of memory: the Java heap holds at most 256 MiB (this machine has 24 GiB); run with a larger heap,"
                + " e.g. GRAFT_JAVA_OPTS=-Xmx1g", GraftCli.outOfMemory(256 * mib, 24 * gib));
        assertEquals("error: out of memory: the Java heap holds at most 6144 MiB (this machine has 24 GiB); run with a larger heap,"
                + " e.g. GRAFT_JAVA_OPTS=-Xmx12g", GraftCli.outOfMemory(6 * gib, 24 * gib));
        assertEquals("error: out of memory: the Java heap holds at most 18432 MiB (this machine has 24 GiB); the heap is already"
                + " most of this machine's memory: use smaller sizes (a smaller batch, fewer units)", GraftCli.outOfMemory(18 * gib, 24 * gib));
        assertEquals("error: out of memory: the Java heap holds at most 1024 MiB; run with a larger heap, e.g. GRAFT_JAVA_OPTS=-Xmx2g",
                GraftCli.outOfMemory(gib, -1));
    }

    @Test
    void aDtypeOtherThanF32OrF64IsAWrongCommandLine() {
        Run run = graft("train", "mlp", "--data", "digits", "--dtype", "f16", "--out", dir.toString());
        assertEquals(new Run(2, "", "--dtype: expected f32 or f64, found f16\nTry 'graft train --help' for more.\n"), run);
    }

    // ---- preprocessing ----

    private static final String[] PREPROCESSED = {"train", "mlp", "--data", "digits", "--seed", "7", "--set", "hidden=16", "--valid",
        "288"};

    /** Stopped after an epoch and resumed, a preprocessed run ends bit for bit as an uninterrupted one, in f64 and in f32. */
    @Test
    void aPreprocessedRunResumedEndsExactlyAsAnUninterruptedOne() throws IOException {
        for (String[] preprocess : List.of(new String[] {"--preprocess", "zca-whiten"},
                new String[] {"--preprocess", "pca-whiten", "--whiten-eps", "0.01", "--dtype", "f32"},
                new String[] {"--preprocess", "standardize"})) {
            String[] common = concat(PREPROCESSED, preprocess);
            Path whole = dir.resolve(preprocess[1] + "-whole"), halves = dir.resolve(preprocess[1] + "-halves");
            Run uninterrupted = graft(concat(common, "--epochs", "3", "--out", whole.toString()));
            assertEquals(0, uninterrupted.status(), uninterrupted.err());
            assertResumedEndsAsUninterrupted(common, 1, 3, uninterrupted, whole, halves, "best epoch: ");
        }
        JsonObject settings = strictJson(dir.resolve("pca-whiten-whole/run.json"));
        assertEquals("pca-whiten", settings.get("preprocess").getAsString());
        assertEquals(0.01, settings.get("whitenEps").getAsDouble());
        settings = strictJson(dir.resolve("zca-whiten-whole/run.json"));
        assertEquals(0.1, settings.get("whitenEps").getAsDouble(), "the default eps");
        Map<String, Tensor> checkpoint = Npz.read(dir.resolve("pca-whiten-whole/checkpoint.npz"));
        assertEquals(DType.F32, checkpoint.get("W1").dtype());
        assertEquals(Shape.of(64), checkpoint.get("graft.preprocess.mean").shape());
        assertEquals(Shape.of(64, 64), checkpoint.get("graft.preprocess.matrix").shape());
        assertEquals(DType.F64, checkpoint.get("graft.preprocess.matrix").dtype(), "the transform of an f32 run is f64, as the data");
        assertTrue(Npz.read(dir.resolve("standardize-whole/checkpoint.npz")).containsKey("graft.preprocess.scale"));
    }

    @Test
    void aRunResumesOnlyWithItsOwnPreprocessing() throws IOException {
        assertEquals(0, graft(concat(PREPROCESSED, "--preprocess", "zca-whiten", "--epochs", "1", "--out", dir.toString())).status());
        String other = "error: --resume " + dir + ": the checkpoint there is of another run: ";
        assertRefused(concat(PREPROCESSED, "--preprocess", "standardize", "--epochs", "2", "--resume", dir.toString()),
                other + "--preprocess zca-whiten there, standardize here");
        assertRefused(concat(PREPROCESSED, "--epochs", "2", "--resume", dir.toString()),
                other + "--preprocess zca-whiten there, (none) here");
        assertRefused(concat(PREPROCESSED, "--preprocess", "zca-whiten", "--whiten-eps", "0.001", "--epochs", "2", "--resume",
                dir.toString()), other + "--whiten-eps 0.1 there, 0.001 here");
    }

    @Test
    void aPreprocessingOrEpsOutOfRangeIsAWrongCommandLine() {
        String[][] refusals = {
            {"--preprocess", "whiten", "--preprocess: expected one of standardize, pca-whiten, zca-whiten, found whiten"},
            {"--whiten-eps", "0.1", "--whiten-eps 0.1: expected --preprocess pca-whiten or zca-whiten beside it, found no --preprocess"},
            {"--preprocess=standardize --whiten-eps", "0.1",
                "--whiten-eps 0.1: expected --preprocess pca-whiten or zca-whiten beside it, found --preprocess standardize"},
            {"--preprocess=zca-whiten --whiten-eps", "0", "--whiten-eps: expected a finite number > 0, found 0"}};
        for (String[] bad : refusals) {
            var args = new ArrayList<>(List.of("train", "mlp", "--data", "digits"));
            args.addAll(List.of(bad[0].split(" ")));
            args.addAll(List.of(bad[1], "--out", dir.resolve("out").toString()));
            Run run = graft(args.toArray(String[]::new));
            assertEquals(new Run(2, "", bad[2] + "\nTry 'graft train --help' for more.\n"), run);
        }
        assertFalse(Files.exists(dir.resolve("out")), "a refused run leaves no folder");
    }

    @Test
    void theLearningRateDecaysByItsFactorEachEpoch() throws IOException {
        Run run = graft("train", "mlp", "--data", "digits", "--epochs", "3", "--set", "hidden=8", "--lr", "0.02",
                "--lr-decay", "0.5", "--out", dir.toString());
        assertEquals(0, run.status(), run.err());
        assertEquals(Tensor.scalar(0.02 * 0.5 * 0.5), Npz.read(dir.resolve("checkpoint.npz")).get("graft.lr"));
        assertEquals(2, graft("train", "mlp", "--data", "digits", "--lr-decay", "1.5", "--out", dir.toString()).status());
    }

    @Test
    void everySettingOutOfItsRangeIsRefusedInOneWayFromTheCommandLineJavaAndRunJson() throws IOException {
        var refusals = new ArrayList<String[]>();
        for (String lr : List.of("0", "-1", "nan", "NaN", "-Infinity", "1e400", "abc")) {
            refusals.add(new String[] {"--lr", lr, "--lr: expected a finite number > 0, found " + lr});
        }
        refusals.add(new String[] {"--epochs", "0", "--epochs: expected at least 1, found 0"});
        refusals.add(new String[] {"--batch", "-3", "--batch: expected at least 1, found -3"});
        refusals.add(new String[] {"--lr-decay", "1.5", "--lr-decay: expected a number in (0, 1], found 1.5"});
        refusals.add(new String[] {"--lr-decay", "0", "--lr-decay: expected a number in (0, 1], found 0.0"});
        for (String[] bad : refusals) {
            Run run = graft("train", "xor", "--data", "xor", bad[0], bad[1], "--out", dir.toString());
            assertEquals(new Run(2, "", bad[2] + "\nTry 'graft train --help' for more.\n"), run);
        }
        assertEquals(Set.of(), files(dir).keySet(), "a wrong setting is refused before the run's folder is touched");

        // the same checks, in the same words, for settings given from Java and read from run.json
        var rate = assertThrows(IllegalArgumentException.class, () -> new RunSettings("xor.graft", "", "xor", 1, 4, 0,
                OptionalDouble.of(-1), 1, Map.of(), "default", false, DType.F64));
        assertEquals("--lr: expected a finite number > 0, found -1.0", rate.getMessage());
        var epochs = assertThrows(IllegalArgumentException.class, () -> new RunSettings("xor.graft", "", "xor", 0, 4, 0,
                OptionalDouble.empty(), 1, Map.of(), "default", false, DType.F64));
        assertEquals("--epochs: expected at least 1, found 0", epochs.getMessage());
        assertEquals(0, graft("train", "xor", "--data", "xor", "--epochs", "1", "--out", dir.toString()).status());
        Path json = dir.resolve("run.json");
        Files.writeString(json, Files.readString(json).replace("\"lr\": null", "\"lr\": 0"));
        assertRefused(new String[] {"train", "xor", "--data", "xor", "--epochs", "2", "--resume", dir.toString()},
                "error: --resume " + dir + ": run.json is damaged: --lr: expected a finite number > 0, found 0.0");
    }

    @Test
    void aRunResumesOnlyWithItsOwnSettings() {
        assertEquals(0, graft("train", "mlp", "--data", "digits", "--epochs", "1", "--set", "hidden=8",
                "--out", dir.toString()).status());
        Run run = graft("train", "mlp", "--data", "digits", "--epochs", "2", "--set", "hidden=8", "--batch", "16",
                "--resume", dir.toString());
        assertEquals(1, run.status());
        assertEquals("error: --resume " + dir + ": the checkpoint there is of another run: --batch 32 there, 16 here\n",
                run.err());
    }

    // ---- a damaged or inconsistent run folder: the user's error, exit 1, naming the file; nothing changes ----

    /** Trains one epoch into {@code dir}, to have a run to damage and resume. */
    private String[] oneEpochRun() {
        String[] common = {"train", "mlp", "--data", "digits", "--set", "hidden=8"};
        assertEquals(0, graft(concat(common, "--epochs", "1", "--out", dir.toString())).status());
        return concat(common, "--epochs", "2", "--resume", dir.toString());
    }

    /** Resumes {@code resume}, which must fail with {@code error} and leave the folder as it was. */
    private void assertRefused(String[] resume, String error) throws IOException {
        Map<String, byte[]> before = files(dir);
        Run run = graft(resume);
        assertEquals(new Run(1, "", error + "\n"), new Run(run.status(), "", run.err()));
        Map<String, byte[]> after = files(dir);
        assertEquals(before.keySet(), after.keySet());
        for (String name : before.keySet()) assertArrayEquals(before.get(name), after.get(name), name + " changed");
    }

    @Test
    void aTruncatedCheckpointIsTheUsersErrorNamingTheFile() throws IOException {
        String[] resume = oneEpochRun();
        Path checkpoint = dir.resolve("checkpoint.npz");
        byte[] bytes = Files.readAllBytes(checkpoint);
        Files.write(checkpoint, Arrays.copyOf(bytes, bytes.length / 2));
        assertRefused(resume, "error: " + checkpoint + ": expected a zip archive (an .npz) that ends with its directory, found a zip "
                + "archive cut short (is it truncated?) (zip END header not found)");
    }

    @Test
    void aCheckpointHoldingNanIsRefused() throws IOException {
        String[] resume = oneEpochRun();
        Path checkpoint = dir.resolve("checkpoint.npz");
        Tensor v = Npz.read(checkpoint).get("W1.v");
        double[] w = v.toArray();
        w[9] = Double.NaN;
        replaceArray(checkpoint, "W1.v", Tensor.of(v.shape(), w));
        assertRefused(resume, "error: " + checkpoint + ": entry 'W1.v.npy': expected finite values, found NaN at [1, 1]");
    }

    @Test
    void anEpochThatIsNotAWholeNumberIsRefusedForWhatItIs() throws IOException {
        String[] resume = oneEpochRun();
        Path checkpoint = dir.resolve("checkpoint.npz");
        replaceArray(checkpoint, "graft.epoch", Tensor.scalar(2.5));
        assertRefused(resume, "error: " + checkpoint + ": entry 'graft.epoch.npy': expected the number of epochs done, a whole "
                + "number of at least 0, found 2.5");
    }

    @Test
    void aCheckpointDeclaringAHugeArrayIsRefusedFromItsHeader() throws IOException {
        // W1's header declares [20000, 20000], 3.2 GB, over 8 bytes: refused for its shape, not read
        String[] resume = oneEpochRun();
        Path checkpoint = dir.resolve("checkpoint.npz");
        String header = "{'descr': '<f8', 'fortran_order': False, 'shape': (20000, 20000), }\n";
        var npy = new ByteArrayOutputStream();
        npy.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0});
        npy.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        npy.writeBytes(new byte[8]);
        replaceEntry(checkpoint, "W1.npy", npy.toByteArray());
        assertRefused(resume, "error: " + checkpoint + ": entry 'W1.npy': expected shape (64, 8), found (20000, 20000)");
    }

    @Test
    void aRunJsonWithoutTheRunsSettingsIsRefusedInOneLine() throws IOException {
        String[] resume = oneEpochRun();
        Files.writeString(dir.resolve("run.json"), "[1]\n");
        assertRefused(resume, "error: --resume " + dir + ": run.json is damaged: Expected BEGIN_OBJECT but was BEGIN_ARRAY at line 1 "
                + "column 2 path $");
        Files.writeString(dir.resolve("run.json"), "{}\n");
        assertRefused(resume, "error: --resume " + dir + ": run.json is damaged: expected a model, its source, the data, the --set "
                + "values and the rewriting, found no model");
    }

    @Test
    void runJsonIsStrictJsonWithNullForALearningRateNotGiven() throws IOException {
        assertEquals(0, graft("train", "xor", "--data", "xor", "--epochs", "2", "--out", dir.toString()).status());
        JsonObject settings = strictJson(dir.resolve("run.json"));
        assertEquals(List.of("model", "source", "data", "epochs", "batch", "seed", "lr", "lrDecay", "set", "rewriting",
                "nanGuard", "dtype", "valid", "patience", "patienceIncrease", "improvementThreshold", "stopRelChange", "stopGradNorm",
                "preprocess", "whitenEps", "lrSchedule", "stopped"),
                List.copyOf(settings.keySet()));
        assertTrue(settings.get("preprocess").isJsonNull(), "no preprocessing: " + settings);
        assertEquals(0.0, settings.get("whitenEps").getAsDouble());
        assertTrue(settings.get("lrSchedule").isJsonNull(), "no --lr-schedule: " + settings);
        assertTrue(settings.get("stopped").isJsonNull(), "every epoch trained: " + settings);
        assertTrue(settings.get("lr").isJsonNull(), settings.toString());
        assertEquals("xor.graft", settings.get("model").getAsString());
        assertEquals(2, settings.get("epochs").getAsInt());
        assertEquals(4, settings.get("batch").getAsInt());
        assertEquals(1.0, settings.get("lrDecay").getAsDouble());
        assertEquals("f64", settings.get("dtype").getAsString());

        Path given = dir.resolve("given");
        assertEquals(0, graft("train", "xor", "--data", "xor", "--epochs", "1", "--lr", "0.5", "--out", given.toString()).status());
        assertEquals(0.5, strictJson(given.resolve("run.json")).get("lr").getAsDouble());
    }

    @Test
    void aRunWhoseRunJsonHoldsTheNaNOfEarlierVersionsResumes() throws IOException {
        assertEquals(0, graft("train", "xor", "--data", "xor", "--epochs", "1", "--out", dir.toString()).status());
        Path settings = dir.resolve("run.json");
        Files.writeString(settings, Files.readString(settings).replace("\"lr\": null", "\"lr\": NaN"));
        Run run = graft("train", "xor", "--data", "xor", "--epochs", "2", "--resume", dir.toString());
        assertEquals(0, run.status(), run.err());
        assertTrue(strictJson(settings).get("lr").isJsonNull());
    }

    @Test
    void theNanGuardNamesTheOpAndWhereItIsWritten() throws IOException {
        Path model = dir.resolve("bad.graft");
        Files.writeString(model, """
                input x: [n, d]
                param w: [d] = constant(-1)
                loss = mean(log(x @ w + 0.5))
                minimize loss with sgd(lr = 0.1)
                """);
        Run run = graft("train", model.toString(), "--data", "digits", "--nan-guard", "--out", dir.resolve("out").toString());
        assertEquals(1, run.status());
        assertTrue(run.err().startsWith(model + ":3:13: error: log("), run.err());
        assertTrue(run.err().endsWith(") gave NaN at [0] (--nan-guard stopped epoch 1 at step 1 of 44; no checkpoint was written)\n"),
                run.err());
    }

    @Test
    void theNanGuardSaysWhatTheCheckpointHoldsWhenThereIsOne() throws IOException {
        Path model = dir.resolve("drift.graft");
        Files.writeString(model, """
                input x: [n, d]
                param t: [] = zeros
                loss = log(60 - t) - t + 0 * mean(x)
                minimize loss with sgd(lr = 1)
                """);   // each step moves t up by a little more than 1: past 60, log is NaN, in the second epoch of 44 steps
        Path out = dir.resolve("out");
        assertEquals(0, graft("train", model.toString(), "--data", "digits", "--epochs", "1", "--out", out.toString()).status());
        Run run = graft("train", model.toString(), "--data", "digits", "--epochs", "2", "--nan-guard", "--resume", out.toString());
        assertEquals(1, run.status());
        assertTrue(run.err().startsWith(model + ":3:8: error: log("), run.err());
        assertTrue(run.err().endsWith(" of 44; " + out.resolve("checkpoint.npz") + " holds 1 epoch)\n"), run.err());
    }

    @Test
    void resumingARunThatHoldsTheEpochsAskedForIsAnErrorSayingWhatToGive() {
        assertEquals(0, graft("train", "xor", "--data", "xor", "--epochs", "4", "--out", dir.toString()).status());
        for (String epochs : new String[] {"3", "4"}) {
            Run run = graft("train", "xor", "--data", "xor", "--epochs", epochs, "--resume", dir.toString());
            assertEquals(new Run(1, "", "error: --resume " + dir + ": the checkpoint holds 4 epochs, and --epochs " + epochs
                    + " leaves nothing to train; --epochs counts every epoch of the run, so give --epochs 5 or more\n"), run);
        }
    }

    @Test
    void aNonFiniteGradientIsPlacedAtTheExpressionItDifferentiates() throws IOException {
        Path model = dir.resolve("sqrt.graft");
        Files.writeString(model, """
                input x: [n, d]
                param w: [d] = zeros
                loss = mean(sqrt(x @ w))
                minimize loss with sgd(lr = 0.1)
                """);   // sqrt(0) is finite, its derivative 1 / (2 sqrt(0)) is not
        Run run = graft("train", model.toString(), "--data", "digits", "--nan-guard", "--out", dir.resolve("out").toString());
        assertEquals(1, run.status());
        assertTrue(run.err().startsWith(model + ":3:13: error: "), run.err());
        assertTrue(run.err().contains(" gave Infinity at [0] (--nan-guard stopped epoch 1 at step 1 of 44;"), run.err());
    }

    @Test
    void aModelWithoutAnInputXIsRefused() throws IOException {
        Path model = dir.resolve("nox.graft");
        Files.writeString(model, "input z: [n, 64]\nparam w: [64] = zeros\nminimize sum(z @ w) with sgd(lr = 1)\n");
        Run run = graft("train", model.toString(), "--data", "digits", "--out", dir.resolve("out").toString());
        assertEquals(1, run.status());
        assertEquals("error: " + model + " has no input x: graft train feeds the features of digits to an input named x\n",
                run.err());
    }

    @Test
    void targetsOfTheWrongWidthAreRefusedWithBothShapes() throws IOException {
        Path model = dir.resolve("y3.graft");
        Files.writeString(model, "input x: [n, 64]\ninput y: [n, 3]\nparam w: [64, 3] = zeros\n"
                + "minimize mean(softmax_cross_entropy(x @ w, y)) with sgd(lr = 1)\n");
        Run run = graft("train", model.toString(), "--data", "digits", "--out", dir.resolve("out").toString());
        assertEquals(1, run.status());
        assertTrue(run.err().startsWith(model + ":2:7: error: input y: digits gives targets of shape [32, 10]"), run.err());
    }

    @Test
    void aClassifierOnRegressionDataIsAnErrorAtTheOpThatReadsClasses() {
        Run run = graft("train", "mlp", "--data", "sine", "--out", dir.toString());
        assertEquals(new Run(1, "", "mlp.graft:30:16: error: softmax_cross_entropy(dropped, y) reads y as classes: expected a data"
                + " set of classes, found sine, whose targets are real numbers (1 column)\n"), run);
    }

    /**
     * mlp_labels is mlp with y a vector of class indices and cross_entropy: fed the labels, with k
     * from the data, it trains as the one-hot mlp does, epoch for epoch, to the same test
     * accuracy (0.9749 after the default 10 epochs).
     */
    @Test
    void theMlpWithClassLabelsReachesTheOneHotMlpsTestAccuracyOnTheDigits() throws IOException {
        Path oneHot = dir.resolve("one-hot"), labels = dir.resolve("labels");
        assertEquals(0, graft("train", "mlp", "--data", "digits", "--seed", "5", "--out", oneHot.toString()).status());
        Run run = graft("train", "mlp_labels", "--data", "digits", "--seed", "5", "--out", labels.toString());
        assertEquals(0, run.status(), run.err());
        double accuracy = lastRow(labels)[column(labels, "test_accuracy")];
        assertEquals(lastRow(oneHot)[column(oneHot, "test_accuracy")], accuracy);
        assertTrue(accuracy > 0.96, "test accuracy " + accuracy);
        // the same loss and gradient row for row: every epoch's figures agree, not only the last
        assertEquals(withoutSeconds(oneHot), withoutSeconds(labels));
        assertEquals(Shape.of(128, 10), Npz.read(labels.resolve("checkpoint.npz")).get("W2").shape());   // k from the data
    }

    @Test
    void aModelWithClassLabelsOnRegressionDataIsAnErrorAtItsInputY() {
        Run run = graft("train", "mlp_labels", "--data", "sine", "--out", dir.toString());
        assertEquals(new Run(1, "", "mlp_labels.graft:14:7: error: input y: [n] takes a class label per example: expected a data"
                + " set of classes, found sine, whose targets are real numbers (1 column)\n"), run);
    }

    @Test
    void aClassLabelThatLeavesClassesEmptyIsAnErrorAtItsRowNamingTheClassesSeen() throws IOException {
        Path csv = dir.resolve("labels.csv");
        Files.writeString(csv, "a,b,label\n0.1,1,0\n0.2,2,1\n0.3,3,1\n0.4,4,7\n0.5,5,0\n0.6,6,1\n");
        Run run = graft("train", "mlp", "--data", "csv:" + csv, "--out", dir.resolve("out").toString());
        assertEquals(new Run(1, "", csv + ":5:7: error: expected class labels, whole numbers 0..k-1 with an example of every class,"
                + " as mlp.graft:30:16 softmax_cross_entropy(dropped, y) reads y as classes; found 7, and no example of the classes"
                + " 2 to 6 (classes seen: 0, 1, 7)\n"), run);
    }

    @Test
    void anOutThatCannotHoldTheRunIsRefusedBeforeAnythingIsTrained() throws IOException {
        Path file = Files.writeString(dir.resolve("afile"), "");
        String[][] cases = {
            {file.toString(), "expected a folder for the run's files, found a file"},
            {"/dev/null", "expected a folder for the run's files, found a device or other special file"},
            {"/proc/graft-run", "expected a folder that can be created, found that creating it fails: no such file or directory"},
            {"/proc", "expected a folder the run can write in, found that it cannot create files there: no such file or directory"}};
        for (String[] c : cases) {
            Run run = graft("train", "mlp", "--data", "digits", "--set", "hidden=8", "--out", c[0]);
            assertEquals(new Run(1, "", "error: --out " + c[0] + ": " + c[1] + "\n"), run);
        }
    }

    @Test
    void aFolderHoldingAnEarlierRunIsRefusedUnlessResumedOrOverwritten() throws IOException {
        String[] xor = {"train", "xor", "--data", "xor", "--epochs", "2", "--out", dir.toString()};
        assertEquals(0, graft(xor).status());
        List<String> before = Files.readAllLines(dir.resolve("metrics.csv"));
        Run again = graft(xor);
        assertEquals(new Run(1, "", "error: --out " + dir + ": expected a folder without another run's files, found checkpoint.npz,"
                + " metrics.csv, run.json, learning_curve.png; give --resume " + dir + " to continue that run, or --overwrite to replace"
                + " it\n"), again);
        assertEquals(before, Files.readAllLines(dir.resolve("metrics.csv")));
        assertEquals(0, graft(concat(xor, "--overwrite")).status());
        assertEquals(2, graft("train", "xor", "--data", "xor", "--epochs", "3", "--resume", dir.toString(), "--overwrite").status());
    }

    @Test
    void overwriteClearsTheFilesARunWritesAndNothingElse() throws IOException {
        for (String f : List.of("reconstructions.png", "samples.png", ".checkpoint.npz.x1y2.tmp", "notes.txt", "model.graft")) {
            Files.writeString(dir.resolve(f), "an earlier run's, or the user's");
        }
        Run run = graft("train", "xor", "--data", "xor", "--epochs", "2", "--out", dir.toString(), "--overwrite");
        assertEquals(0, run.status(), run.err());
        try (var files = Files.list(dir)) {
            assertEquals(List.of("checkpoint.npz", "graft.lock", "learning_curve.png", "metrics.csv", "model.graft", "notes.txt",
                    "run.json"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void aLockLeftByARunThatHasEndedIsTakenOverWithAWarning() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        assertEquals(0, ended.waitFor());
        Files.writeString(dir.resolve("graft.lock"), "pid " + ended.pid() + "\nstarted 2024-06-01T10:00:00Z\n");
        Run run = graft("train", "xor", "--data", "xor", "--epochs", "2", "--out", dir.toString());
        assertEquals(0, run.status(), run.err());
        assertEquals("warning: " + dir.resolve("graft.lock") + " names the run of process " + ended.pid() + " (started"
                + " 2024-06-01T10:00:00Z), which has ended without releasing it; taking the folder over\n", run.err());
        assertEquals("", Files.readString(dir.resolve("graft.lock")), "released at the end");
    }

    @Test
    void theFolderIsReleasedWhenTheRunFailsAndOneItCreatedIsRemoved() throws IOException {
        Path model = Files.writeString(dir.resolve("bad.graft"), "input x: [n, d]\nparam w: [d] = zeros\nminimize sum(x @ v) with sgd(lr = 1)\n");
        Path created = dir.resolve("new");
        assertEquals(1, graft("train", model.toString(), "--data", "digits", "--out", created.toString()).status());
        assertFalse(Files.exists(created), "an empty folder left behind");

        Path existing = Files.createDirectory(dir.resolve("existing"));
        assertEquals(1, graft("train", model.toString(), "--data", "digits", "--out", existing.toString()).status());
        assertEquals("", Files.readString(existing.resolve("graft.lock")));
        assertEquals(0, graft("train", "xor", "--data", "xor", "--epochs", "1", "--out", existing.toString()).status());
    }

    @Test
    void theDefaultFolderIsRunsModelOrTheFirstNumberedOneNoRunHasTaken() throws IOException {
        Path runs = dir.resolve("runs");
        assertEquals(runs.resolve("mlp"), TrainCommand.defaultFolder(runs, "mlp"));
        Files.createDirectories(runs.resolve("mlp"));   // empty, as after a run that failed before saving
        assertEquals(runs.resolve("mlp"), TrainCommand.defaultFolder(runs, "mlp"));
        Files.writeString(runs.resolve("mlp").resolve("metrics.csv"), "");
        assertEquals(runs.resolve("mlp-2"), TrainCommand.defaultFolder(runs, "mlp"));
        Files.createDirectories(runs.resolve("mlp-2"));
        Files.writeString(runs.resolve("mlp-2").resolve("graft.lock"), "pid 1\n");   // a run that has not saved yet
        assertEquals(runs.resolve("mlp-3"), TrainCommand.defaultFolder(runs, "mlp"));
    }

    @Test
    void aResumeCommandQuotesWhatAShellWouldSplit() {
        assertEquals("--set", TrainCommand.quoted("--set"));
        assertEquals("x=1", TrainCommand.quoted("x=1"));
        assertEquals("'x=[[1, 2]]'", TrainCommand.quoted("x=[[1, 2]]"));
        assertEquals("'it'\\''s'", TrainCommand.quoted("it's"));
        assertEquals("''", TrainCommand.quoted(""));
    }

    @Test
    void anUnknownDataSetIsAWrongCommandLine() {
        Run run = graft("train", "mlp", "--data", "cifar", "--out", dir.toString());
        assertEquals(2, run.status());
        assertTrue(run.err().startsWith("--data cifar: "), run.err());
    }

    @Test
    void aBatchLargerThanTheTrainingSetIsRefused() {
        Run run = graft("train", "xor", "--data", "xor", "--batch", "5", "--out", dir.toString());
        assertEquals(1, run.status());
        assertEquals("error: --batch 5 is larger than the 4 training examples of xor\n", run.err());
    }

    /** The file parsed as strict JSON (RFC 8259: no NaN, no comments, nothing after the value), which strict parsers accept. */
    private static JsonObject strictJson(Path file) throws IOException {
        var reader = new JsonReader(new StringReader(Files.readString(file)));
        reader.setStrictness(Strictness.STRICT);
        JsonObject object = JsonParser.parseReader(reader).getAsJsonObject();
        assertEquals(JsonToken.END_DOCUMENT, reader.peek());
        return object;
    }

    /** Every file in {@code folder}, by name, with its bytes. */
    private static Map<String, byte[]> files(Path folder) throws IOException {
        var files = new TreeMap<String, byte[]>();
        try (var list = Files.list(folder)) {
            for (Path f : list.toList()) files.put(f.getFileName().toString(), Files.readAllBytes(f));
        }
        return files;
    }

    /** Rewrites the checkpoint {@code file} with the array {@code name} holding {@code value}. */
    private static void replaceArray(Path file, String name, Tensor value) throws IOException {
        var arrays = new LinkedHashMap<>(Npz.read(file));
        arrays.put(name, value);
        Npz.write(file, arrays);
    }

    /** Rewrites the zip {@code file} with the entry {@code name} holding {@code bytes}. */
    private static void replaceEntry(Path file, String name, byte[] bytes) throws IOException {
        var entries = new LinkedHashMap<String, byte[]>();
        try (var zip = new ZipFile(file.toFile())) {
            for (var e : Collections.list(zip.entries())) {
                try (var in = zip.getInputStream(e)) {
                    entries.put(e.getName(), e.getName().equals(name) ? bytes : in.readAllBytes());
                }
            }
        }
        try (var out = new ZipOutputStream(Files.newOutputStream(file))) {
            for (var e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    private static double[] lastRow(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("metrics.csv"));
        return Arrays.stream(lines.get(lines.size() - 1).split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    /** The column {@code name} of the metrics file, a number per epoch. */
    private static double[] columnValues(Path out, String name) throws IOException {
        int column = column(out, name);
        return Files.readAllLines(out.resolve("metrics.csv")).stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[column]))
                .toArray();
    }

    private static int column(Path out, String name) throws IOException {
        return List.of(Files.readAllLines(out.resolve("metrics.csv")).get(0).split(",")).indexOf(name);
    }

    /** The metrics file without its last column, the seconds, which no two runs share. */
    private static List<String> withoutSeconds(Path out) throws IOException {
        return Files.readAllLines(out.resolve("metrics.csv")).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }
}
