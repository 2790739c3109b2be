package org.graft.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConfusionTest {

    // classes 0, 0, 1, 2, 2, 2 predicted as 0, 1, 1, 2, 0, 2
    private static final Confusion SIX = Confusion.of(new int[] {0, 0, 1, 2, 2, 2}, new int[] {0, 1, 1, 2, 0, 2}, 3);

    @Test
    void eachExampleCountsInTheRowOfItsClassAndTheColumnOfItsPrediction() {
        assertArrayEquals(new long[][] {{1, 1, 0}, {0, 1, 0}, {1, 0, 2}}, SIX.counts());
        assertEquals(6, SIX.examples());
        assertEquals(3, SIX.examples(2));
        assertEquals(0.5, SIX.recall(0));
        assertEquals(1.0, SIX.recall(1));
        assertEquals(2 / 3.0, SIX.recall(2));
    }

    @Test
    void theFilesHoldTheCountsAndEachClasssRecall() {
        assertEquals("true/predicted,0,1,2\n0,1,1,0\n1,0,1,0\n2,1,0,2\n", SIX.csv());
        assertEquals("class,examples,correct,recall\n0,2,1,0.5\n1,1,1,1.0\n2,3,2," + 2 / 3.0 + "\n", SIX.perClassCsv());
    }

    @Test
    void aClassWithoutExamplesHasNoRecall() {
        Confusion confusion = Confusion.of(new int[] {0, 0}, new int[] {0, 1}, 2);
        assertTrue(Double.isNaN(confusion.recall(1)), "0 of 0");
        assertEquals(1, confusion.count(0, 1));
    }

    @Test
    void theClassARowPredictsIsItsArgmaxTheFirstOfEqualValuesOrTheFirstNaN() {
        double nan = Double.NaN, inf = Double.POSITIVE_INFINITY;
        double[] scores = {
            0.1, 0.7, 0.2,
            1, 1, 0,
            0, nan, 5,
            nan, nan, 1,
            -inf, -inf, -inf,
            -1, inf, inf};
        assertArrayEquals(new int[] {1, 0, 1, 0, 0, 1}, Confusion.predicted(scores, 3));
    }

    @Test
    void predictionsThatDoNotMatchTheExamplesOrTheClassesAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> Confusion.of(new int[] {0, 1}, new int[] {0}, 2));
        assertEquals("confusion: expected a prediction per example, 2, found 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Confusion.of(new int[] {0, 1}, new int[] {0, 2}, 2));
        assertEquals("confusion: expected classes 0..1, found 1 predicted as 2 at example 1", e.getMessage());
    }
}
