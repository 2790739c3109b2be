package org.graft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.graft.models.data.Dataset;
import org.graft.models.data.DataSets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/** {@code graft train --spark} as the command line runs it, with graph-spark on the class path. */
class SparkTrainCommandTest {
    @TempDir
    Path dir;

    record Run(int status, String out, String err) {}

    static Run graft(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int status = GraftCli.run(GraftCli.commandLine(new PrintWriter(out), new PrintWriter(err), CommandLine.Help.Ansi.OFF), args);
        return new Run(status, out.toString(), err.toString());
    }

    /**
     * An epoch on Spark writes the run folder of one machine, with the steps' timing in
     * metrics.csv; one machine resumes it, and writes its own columns, without the timing; Spark
     * resumes that in turn, the epoch trained on one machine having no timing.
     */
    @Test
    void aRunTrainedOnSparkResumesOnOneMachine() throws IOException {
        Path out = dir.resolve("run");
        Run spark = graft("train", "mlp", "--data", "digits", "--epochs", "1", "--batch", "128", "--spark", "local[2]",
                "--partitions", "2", "--out", out.toString());
        assertEquals(0, spark.status(), spark.err());
        List<String> metrics = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals("epoch,train_loss,test_loss,test_accuracy,seconds,step_compute_s,step_communication_s,step_update_s",
                metrics.get(0));
        String[] row = metrics.get(1).split(",");
        for (int c = 5; c < 8; c++) assertTrue(Double.parseDouble(row[c]) >= 0, "column " + c + " of " + metrics.get(1));
        assertTrue(Double.parseDouble(row[3]) > 0.5, "test accuracy after an epoch on Spark: " + row[3]);
        assertTrue(Files.exists(out.resolve("checkpoint.npz")) && Files.exists(out.resolve("learning_curve.png")));

        Run local = graft("train", "mlp", "--data", "digits", "--epochs", "2", "--batch", "128", "--resume", out.toString());
        assertEquals(0, local.status(), local.err());
        metrics = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals("epoch,train_loss,test_loss,test_accuracy,seconds", metrics.get(0));
        assertEquals(3, metrics.size());
        assertTrue(metrics.get(1).startsWith(String.join(",", List.of(row).subList(0, 5))), metrics.get(1));

        Run again = graft("train", "mlp", "--data", "digits", "--epochs", "3", "--batch", "128", "--spark", "local[2]",
                "--resume", out.toString());
        assertEquals(0, again.status(), again.err());
        metrics = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(4, metrics.size());
        assertTrue(metrics.get(2).endsWith(",NaN,NaN,NaN"), metrics.get(2));
        assertTrue(Double.parseDouble(metrics.get(3).split(",")[5]) >= 0, metrics.get(3));
    }

    /** --nan-guard names the op of a NaN in a step on the driver, where Spark's steps do not run: refused, saying so. */
    @Test
    void theNanGuardIsRefusedOnSpark() {
        Run run = graft("train", "mlp", "--data", "digits", "--spark", "local[2]", "--nan-guard", "--out", dir.resolve("run").toString());
        assertEquals(1, run.status(), run.err());
        assertTrue(run.err().startsWith("error: --spark local[2]: --nan-guard names the op that made a NaN"), run.err());
    }

    /** Digits' first {@code n} training examples in {@code files} CSV files in {@code folder}, a header in each: features, then the label. */
    static void digitsCsv(Path folder, int n, int files) throws IOException {
        Dataset train = DataSets.load("digits").train();
        Files.createDirectories(folder);
        for (int f = 0; f < files; f++) {
            var text = new StringBuilder();
            for (int j = 0; j < 64; j++) text.append('p').append(j).append(',');
            text.append("label\n");
            for (int i = n * f / files; i < n * (f + 1) / files; i++) {
                double[] x = train.rows(i).features().toArray();
                for (double v : x) text.append(v).append(',');
                text.append(train.label(i)).append('\n');
            }
            Files.writeString(folder.resolve("part-" + f + ".csv"), text);
        }
    }

    /** The training split read by Spark from CSV files, the test split from --data: the steps count the files' examples. */
    @Test
    void theTrainingSplitIsReadBySparkFromCsvFiles() throws IOException {
        Path files = dir.resolve("train");
        digitsCsv(files, 640, 2);
        Path out = dir.resolve("run");
        Run run = graft("train", "mlp", "--data", "digits", "--epochs", "2", "--batch", "64", "--spark", "local[2]",
                "--spark-train", files.toString(), "--out", out.toString());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("640 training and 359 test examples, 2 epochs of 10 steps of 64"), run.out());
        double accuracy = Double.parseDouble(Files.readAllLines(out.resolve("metrics.csv")).get(2).split(",")[3]);
        assertTrue(accuracy > 0.5, "test accuracy after 20 steps on the files' examples: " + accuracy);
    }

    /** A line that is not an example is refused, saying what was expected and what was found, without a stack trace. */
    @Test
    void aLineThatIsNotAnExampleIsRefused() throws IOException {
        Path files = dir.resolve("bad");
        Files.createDirectories(files);
        Files.writeString(files.resolve("part-0.csv"), "0.5,1,2\n");
        Run run = graft("train", "mlp", "--data", "digits", "--spark", "local[2]", "--spark-train", files.toString(),
                "--out", dir.resolve("run").toString());
        assertEquals(1, run.status(), run.err());
        assertTrue(run.err().contains("--spark-train " + files + ": expected 65 numbers a line (64 features, then the class label), "
                + "found 3 in '0.5,1,2'"), run.err());
        assertTrue(!run.err().contains("\tat "), run.err());
    }
}
