package org.graft.cli;

import static org.graft.cli.Run.graft;
import static org.graft.cli.RunFiles.column;
import static org.graft.cli.RunFiles.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.graft.core.tensor.Tensor;
import org.graft.models.data.DataSets;
import org.graft.models.data.Dataset;
import org.graft.models.io.Npz;

/**
 * {@code graft train}'s scores of the model's prediction: the test split's confusion matrix for a
 * classifier, R² for real targets; each checked against the same figures computed here, from the
 * saved params, with loops of plain Java.
 */
class PredictionScoresTest {

    @TempDir
    Path dir;

    static Dataset digits, sine;

    @BeforeAll
    static void load() throws IOException {
        digits = DataSets.load("digits").test();
        sine = DataSets.load("sine").test();
    }

    private static final String[] MLP = {"train", "mlp", "--data", "digits", "--seed", "7", "--set", "hidden=16"};

    @Test
    void theConfusionMatrixCountsTheClassesTheLastEpochsParamsPredictForTheTestSplit() throws IOException {
        Run run = graft(concat(MLP, "--epochs", "3", "--out", dir.toString()));
        assertEquals(0, run.status(), run.err());
        long[][] counts = confusion(dir);
        assertArrayEquals(counted(digits.labels(), mlpClasses(Npz.read(dir.resolve("checkpoint.npz")))), counts);
        assertEquals(digits.size(), Arrays.stream(counts).flatMapToLong(Arrays::stream).sum());
        for (int c = 0; c < 10; c++) {
            int of = c;
            assertEquals(Arrays.stream(digits.labels()).filter(l -> l == of).count(), Arrays.stream(counts[c]).sum(), "class " + c);
        }
        long right = 0;
        for (int c = 0; c < 10; c++) right += counts[c][c];
        double[] accuracy = column(dir, "test_accuracy");
        assertEquals(accuracy[accuracy.length - 1], (double) right / digits.size(), 1e-12, "the accuracy metric is the trace's share");

        List<String> perClass = Files.readAllLines(dir.resolve("per_class.csv"));
        assertEquals("class,examples,correct,recall", perClass.get(0));
        var recalls = new StringBuilder("test recall by class:");
        for (int c = 0; c < 10; c++) {
            long examples = Arrays.stream(counts[c]).sum();
            double recall = (double) counts[c][c] / examples;
            assertEquals(c + "," + examples + "," + counts[c][c] + "," + recall, perClass.get(c + 1));
            recalls.append(String.format("%s %d %.4g", c == 0 ? "" : ",", c, recall));
        }
        assertTrue(run.out().contains(" holds metrics.csv, checkpoint.npz, confusion.csv, per_class.csv and the pictures\n"
                + recalls + "\ntest loss: "), run.out());
        assertTrue(run.out().strip().endsWith(String.format("test accuracy: %.4g", accuracy[accuracy.length - 1])), run.out());

        BufferedImage png = ImageIO.read(dir.resolve("confusion.png").toFile());
        assertEquals(List.of(80 + 10 * 48 + 20, 70 + 10 * 48 + 20), List.of(png.getWidth(), png.getHeight()));
    }

    @Test
    void withAValidationSplitTheConfusionMatrixIsOfTheBestEpochsParams() throws IOException {
        Run run = graft(concat(MLP, "--valid", "288", "--patience", "2", "--epochs", "30", "--out", dir.toString()));
        assertEquals(0, run.status(), run.err());
        Map<String, Tensor> best = Npz.read(dir.resolve("best.npz")), last = Npz.read(dir.resolve("checkpoint.npz"));
        assertFalse(best.get("graft.epoch").equals(last.get("graft.epoch")), "patience ran on after the best epoch");
        long[][] counts = confusion(dir);
        assertArrayEquals(counted(digits.labels(), mlpClasses(best)), counts);
        long right = 0;
        for (int c = 0; c < 10; c++) right += counts[c][c];
        assertTrue(run.out().strip().endsWith(String.format("test accuracy: %.4g", (double) right / digits.size())), run.out());
        assertTrue(run.out().contains("'s params:\ntest recall by class: 0 "), run.out());
    }

    @Test
    void aClassifierWhoseOutputsAreNotShapedAsTheTargetsHasNoConfusionMatrix() throws IOException {
        String program = """
                input x: [n, d]
                input y: [n, k]
                param W: [d, k] = zeros
                param b: [k] = zeros
                logits = x @ W + b
                loss = mean(softmax_cross_entropy(logits, y))
                metric accuracy = mean(argmax(logits, axis = -1) == argmax(y, axis = -1))
                minimize loss with sgd(lr = 0.5)
                """;
        for (String output : List.of("output loss", "output loss, logits")) {
            Path file = Files.writeString(dir.resolve("softmax.graft"), program + output + "\n");
            Path out = dir.resolve(output.replace(", ", "-").replace(' ', '-'));
            Run run = graft("train", file.toString(), "--data", "digits", "--epochs", "1", "--out", out.toString());
            assertEquals(0, run.status(), run.err());
            boolean scored = output.endsWith("logits");
            for (String name : List.of("confusion.csv", "per_class.csv", "confusion.png")) assertEquals(scored, Files.exists(out.resolve(name)), name);
            assertEquals(scored, run.out().contains("test recall by class:"), run.out());
        }
    }

    @Test
    void theSineFitsRSquaredIsOneLessItsMeanSquaredErrorOverTheTargetsVariance() throws IOException {
        Run run = graft("train", "sine", "--data", "sine", "--epochs", "40", "--out", dir.toString());
        assertEquals(0, run.status(), run.err());
        assertEquals("epoch,train_loss,test_loss,test_r2,seconds", Files.readAllLines(dir.resolve("metrics.csv")).get(0));
        // the sine's loss is the mean squared error of its one column, SS_res / n, so R² = 1 - loss / (SS_tot / n)
        double[] loss = column(dir, "test_loss"), r2 = column(dir, "test_r2");
        for (int e = 0; e < r2.length; e++) assertEquals(1 - loss[e] / variance(sine.targets()), r2[e], 1e-12, "epoch " + (e + 1));
        assertTrue(r2[r2.length - 1] > r2[0], Arrays.toString(r2));
        assertTrue(run.out().strip().endsWith(String.format("test r2: %.4g", r2[r2.length - 1])), run.out());
        assertFalse(Files.exists(dir.resolve("confusion.csv")));
    }

    @Test
    void withAValidationSplitRSquaredIsAValidationFigureAndAFinalTestFigureOfTheBestEpoch() throws IOException {
        Run run = graft("train", "sine", "--data", "sine", "--epochs", "30", "--valid", "50", "--out", dir.toString());
        assertEquals(0, run.status(), run.err());
        assertEquals("epoch,train_loss,valid_loss,valid_r2,seconds", Files.readAllLines(dir.resolve("metrics.csv")).get(0));
        Map<String, Tensor> best = Npz.read(dir.resolve("best.npz"));
        double[] fit = new double[sine.size()];
        for (int i = 0; i < fit.length; i++) {
            double x = sine.features().getFlat(i), f = best.get("b2").getFlat(0);
            for (int j = 0; j < 10; j++) {
                f += best.get("W2").getFlat(j) / (1 + Math.exp(-(x * best.get("W1").getFlat(j) + best.get("b1").getFlat(j))));
            }
            fit[i] = f;
        }
        double residual = 0;
        for (int i = 0; i < fit.length; i++) residual += Math.pow(sine.targets().getFlat(i) - fit[i], 2);
        double r2 = 1 - residual / (variance(sine.targets()) * sine.size());
        assertTrue(run.out().strip().endsWith(String.format("test r2: %.4g", r2)), run.out());
    }

    @Test
    void aProgramsOwnMetricNamedR2IsTheOnlyR2() throws IOException {
        String source = Files.readString(Path.of("src/main/resources/org/graft/models/sources/sine.graft"));
        Path file = Files.writeString(dir.resolve("sine.graft"), source.replace("output f", "metric r2 = 1 - loss\noutput f"));
        Run run = graft("train", file.toString(), "--data", "sine", "--epochs", "3", "--out", dir.resolve("run").toString());
        assertEquals(0, run.status(), run.err());
        assertEquals("epoch,train_loss,test_loss,test_r2,seconds", Files.readAllLines(dir.resolve("run/metrics.csv")).get(0));
        double[] loss = column(dir.resolve("run"), "test_loss");
        double[] r2 = column(dir.resolve("run"), "test_r2");
        for (int e = 0; e < r2.length; e++) assertEquals(1 - loss[e], r2[e], 1e-12, "the program's r2, not the coefficient");
    }

    /** The classes the bundled mlp with {@code params} predicts for the digits' test split: argmax of relu(x W1 + b1) W2 + b2. */
    private static int[] mlpClasses(Map<String, Tensor> params) {
        Tensor x = digits.features(), W1 = params.get("W1"), b1 = params.get("b1"), W2 = params.get("W2"), b2 = params.get("b2");
        int d = W1.shape().dim(0), hidden = W1.shape().dim(1), k = W2.shape().dim(1);
        int[] classes = new int[digits.size()];
        for (int i = 0; i < classes.length; i++) {
            double[] h = new double[hidden];
            for (int j = 0; j < hidden; j++) {
                double z = b1.getFlat(j);
                for (int p = 0; p < d; p++) z += x.getFlat(i * d + p) * W1.getFlat(p * hidden + j);
                h[j] = Math.max(0, z);
            }
            double bestLogit = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double logit = b2.getFlat(c);
                for (int j = 0; j < hidden; j++) logit += h[j] * W2.getFlat(j * k + c);
                if (logit > bestLogit) {
                    bestLogit = logit;
                    classes[i] = c;
                }
            }
        }
        return classes;
    }

    private static long[][] counted(int[] truth, int[] predicted) {
        long[][] counts = new long[10][10];
        for (int i = 0; i < truth.length; i++) counts[truth[i]][predicted[i]]++;
        return counts;
    }

    /** confusion.csv's counts, its header checked. */
    private static long[][] confusion(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("confusion.csv"));
        assertEquals("true/predicted,0,1,2,3,4,5,6,7,8,9", lines.get(0));
        long[][] counts = new long[lines.size() - 1][];
        for (int t = 0; t < counts.length; t++) {
            String[] fields = lines.get(t + 1).split(",");
            assertEquals(Integer.toString(t), fields[0]);
            counts[t] = Arrays.stream(fields).skip(1).mapToLong(Long::parseLong).toArray();
        }
        return counts;
    }

    /** The variance of a column of targets, over its n values (not n - 1). */
    private static double variance(Tensor column) {
        double mean = Arrays.stream(column.toArray()).average().orElseThrow();
        return Arrays.stream(column.toArray()).map(v -> (v - mean) * (v - mean)).sum() / column.size();
    }
}
