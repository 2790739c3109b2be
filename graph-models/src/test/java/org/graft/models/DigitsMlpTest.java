package org.graft.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;

import org.graft.models.DigitsMlp.Epoch;
import org.graft.models.data.DataSets;
import org.graft.models.data.Dataset;
import org.graft.models.data.Digits;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DigitsMlpTest {
    static final long SEED = 1;
    static Dataset.Split data;

    @BeforeAll
    static void load() throws IOException {
        data = Digits.load().split(0.2, SEED);
    }

    @Test
    void fiveEpochsReachWhatOnlyAWorkingGradientCan() {
        // chance is 0.1, and with W1's gradient lost (only the output layer learning) this
        // seed reaches 0.81; the working network reaches 0.95 (both through Trainer's loop)
        var epochs = new ArrayList<Epoch>();
        Epoch last = DigitsMlp.train(data, 5, SEED, epochs::add);
        assertTrue(last.testAccuracy() > 0.88, "test accuracy " + last.testAccuracy() + " after 5 epochs, seed " + SEED);
        assertTrue(last.trainLoss() < epochs.get(0).trainLoss() / 2, "train loss " + epochs.get(0).trainLoss()
                + " after one epoch, " + last.trainLoss() + " after five");
    }

    @Test
    void theDigitsDataSetIsTheSplitTheMlpHasAlwaysTrainedOn() throws IOException {
        assertEquals(Digits.load().split(0.2, DigitsMlp.SEED), DataSets.load("digits").split());
    }

    @Test
    void theSameSeedGivesTheSameRun() {
        assertEquals(DigitsMlp.train(data, 2, SEED, e -> {}), DigitsMlp.train(data, 2, SEED, e -> {}));
    }
}
