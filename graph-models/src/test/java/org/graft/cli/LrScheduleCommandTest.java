package org.graft.cli;

import static org.graft.cli.Run.graft;
import static org.graft.cli.RunFiles.column;
import static org.graft.cli.RunFiles.concat;
import static org.graft.cli.RunFiles.withoutSeconds;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.graft.core.tensor.Tensor;
import org.graft.models.io.Npz;
import org.graft.models.train.LrSchedule;

/** {@code graft train --lr-schedule}: the rate each epoch trains with, written down, and resumed exactly. */
class LrScheduleCommandTest {

    @TempDir
    Path dir;

    private static final String[] RUN = {"train", "mlp", "--data", "digits", "--seed", "7", "--set", "hidden=16"};

    @Test
    void eachEpochTrainsAtTheSchedulesRateWhichIsAColumnOfTheMetrics() throws IOException {
        Run run = graft(concat(RUN, "--epochs", "5", "--lr", "0.02", "--lr-schedule", "step:2:0.5", "--out", dir.toString()));
        assertEquals(0, run.status(), run.err());
        List<String> lines = Files.readAllLines(dir.resolve("metrics.csv"));
        assertEquals("epoch,lr,train_loss,test_loss,test_accuracy,seconds", lines.get(0));
        // StepLR(step_size=2, gamma=0.5) from 0.02: halved after epochs 2 and 4
        assertArrayEquals(new double[] {0.02, 0.02, 0.01, 0.01, 0.005}, column(dir, "lr"));
        assertEquals(Tensor.scalar(0.005), Npz.read(dir.resolve("checkpoint.npz")).get("graft.lr"), "the last epoch's rate");
        assertTrue(run.out().contains("\nepoch 5/5  lr 0.005000  train loss "), run.out());
        assertEquals("step:2:0.5", JsonParser.parseString(Files.readString(dir.resolve("run.json"))).getAsJsonObject()
                .get("lrSchedule").getAsString());
    }

    @Test
    void lrDecayIsTheExponentialScheduleWrittenAsBefore() throws IOException {
        Path decay = dir.resolve("decay"), exponential = dir.resolve("exponential");
        assertEquals(0, graft(concat(RUN, "--epochs", "3", "--lr-decay", "0.7", "--out", decay.toString())).status());
        assertEquals(0, graft(concat(RUN, "--epochs", "3", "--lr-schedule", "exponential:0.7", "--out", exponential.toString())).status());
        assertEquals(Npz.read(decay.resolve("checkpoint.npz")), Npz.read(exponential.resolve("checkpoint.npz")));
        assertEquals("epoch,train_loss,test_loss,test_accuracy,seconds", Files.readAllLines(decay.resolve("metrics.csv")).get(0),
                "a run without --lr-schedule writes the columns it always has");
        assertArrayEquals(new double[] {0.01, 0.01 * 0.7, 0.01 * 0.7 * 0.7}, column(exponential, "lr"), "from the mlp's own rate");
    }

    /**
     * Plateau watches the validation objective with {@code --valid}, the training objective
     * without: the rates written are the schedule's on that column, and not on the other one.
     */
    @Test
    void plateauWatchesTheValidationObjectiveOrWithoutOneTheTrainingObjective() throws IOException {
        LrSchedule plateau = new LrSchedule.Plateau(0, 0.5);
        for (boolean valid : List.of(true, false)) {
            Path out = dir.resolve(valid ? "valid" : "train");
            String[] args = concat(RUN, "--epochs", "12", "--lr", "0.05", "--lr-schedule", "plateau:0:0.5", "--out", out.toString());
            assertEquals(0, graft(valid ? concat(args, "--valid", "288") : args).status());
            double[] lr = column(out, "lr");
            double[] watched = column(out, valid ? "valid_loss" : "train_loss"), other = column(out, valid ? "train_loss" : "test_loss");
            assertArrayEquals(plateau.rates(0.05, lr.length, watched, false), lr, valid ? "--valid" : "no --valid");
            assertFalse(Arrays.equals(plateau.rates(0.05, lr.length, other, false), lr), "the other column would give other rates");
            assertTrue(lr[lr.length - 1] < 0.05, "reduced: " + Arrays.toString(lr));
        }
    }

    @Test
    void aRunResumedInTheMiddleOfAPlateauEndsExactlyAsAnUninterruptedOne() throws IOException {
        String[] plateau = concat(RUN, "--valid", "288", "--lr", "0.05", "--lr-schedule", "plateau:1:0.5");
        Path whole = dir.resolve("whole"), halves = dir.resolve("halves");
        assertEquals(0, graft(concat(plateau, "--epochs", "12", "--out", whole.toString())).status());
        assertEquals(0, graft(concat(plateau, "--epochs", "6", "--out", halves.toString())).status());
        Run resumed = graft(concat(plateau, "--epochs", "12", "--resume", halves.toString()));
        assertEquals(0, resumed.status(), resumed.err());
        double[] lr = column(whole, "lr");
        assertTrue(lr[11] < lr[6], "reduced after the run was resumed: " + Arrays.toString(lr));
        assertEquals(withoutSeconds(whole), withoutSeconds(halves));
        assertArrayEquals(Files.readAllBytes(whole.resolve("checkpoint.npz")), Files.readAllBytes(halves.resolve("checkpoint.npz")));
    }

    @Test
    void aScheduleThatIsNoneOfTheFormsOrBesideLrDecayIsAWrongCommandLine() throws IOException {
        Map<String, String[]> refusals = Map.of(
                "--lr-schedule cosine:0: expected a period T_MAX of at least 1 epoch, a whole number, found 0",
                new String[] {"--lr-schedule", "cosine:0"},
                "--lr-decay 0.9 and --lr-schedule cosine:5: expected one schedule, found two (--lr-decay GAMMA is --lr-schedule "
                        + "exponential:GAMMA)",
                new String[] {"--lr-decay", "0.9", "--lr-schedule", "cosine:5"});
        for (var refusal : refusals.entrySet()) {
            Run run = graft(concat(concat(RUN, refusal.getValue()), "--out", dir.toString()));
            assertEquals(new Run(2, "", refusal.getKey() + "\nTry 'graft train --help' for more.\n"), run);
        }
        assertFalse(Files.exists(dir.resolve("metrics.csv")));
    }

    @Test
    void aRunResumesOnlyWithItsOwnSchedule() {
        assertEquals(0, graft(concat(RUN, "--epochs", "1", "--lr-schedule", "cosine:5", "--out", dir.toString())).status());
        Run other = graft(concat(RUN, "--epochs", "2", "--lr-schedule", "step:2", "--resume", dir.toString()));
        assertEquals(new Run(1, "", "error: --resume " + dir + ": the checkpoint there is of another run: --lr-schedule cosine:5:0 "
                + "there, step:2:0.1 here\n"), other);
        Run none = graft(concat(RUN, "--epochs", "2", "--resume", dir.toString()));
        assertEquals(1, none.status());
        assertTrue(none.err().endsWith("--lr-schedule cosine:5:0 there, (none) here\n"), none.err());
        assertEquals(0, graft(concat(RUN, "--epochs", "2", "--lr-schedule", "cosine:5:0", "--resume", dir.toString())).status(),
                "the schedule as written back, every number given, is the same schedule");
    }
}
