package org.graft.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DatasetTest {
    static final Tensor X = Tensor.matrix(new double[] {1, 2}, new double[] {3, 4}, new double[] {5, 6});
    static final Dataset CLASSES = Dataset.classification(X, new int[] {2, 0, 1}, 3);
    static final Dataset REAL = Dataset.regression(X, Tensor.matrix(new double[] {0.5, -1}, new double[] {1.5, -2},
            new double[] {2.5, -3}));

    @Test
    void aClassificationSetFeedsItsLabelsOneHot() {
        assertTrue(CLASSES.isClassification());
        assertEquals(Tensor.matrix(new double[] {0, 0, 1}, new double[] {1, 0, 0}, new double[] {0, 1, 0}), CLASSES.targets());
        assertEquals(CLASSES.targets(), CLASSES.oneHot());
        assertEquals(2, CLASSES.label(0));
        assertEquals(Tensor.vector(2, 0, 1), CLASSES.labelVector());   // what a y of rank 1 is fed
        assertEquals(Tensor.vector(1, 2), CLASSES.rows(2, 0).labelVector());
    }

    @Test
    void aRegressionSetFeedsItsTargetsAndHasNoClasses() {
        assertFalse(REAL.isClassification());
        assertEquals(0, REAL.classes());
        assertEquals(-2.0, REAL.targets().get(1, 1));
        assertEquals(3, REAL.size());
    }

    @Test
    void aRegressionSetHasNoLabels() {
        var e = assertThrows(IllegalStateException.class, () -> REAL.label(0));
        assertEquals("label() of a regression set: it has real targets [3, 2], not class labels", e.getMessage());
        assertThrows(IllegalStateException.class, REAL::labels);
        assertThrows(IllegalStateException.class, REAL::oneHot);
        assertThrows(IllegalStateException.class, REAL::labelVector);
    }

    @Test
    void rowsCopiesTheExamplesInTheGivenOrder() {
        Dataset picked = REAL.rows(2, 0, 2);
        assertEquals(Tensor.matrix(new double[] {5, 6}, new double[] {1, 2}, new double[] {5, 6}), picked.features());
        assertEquals(Tensor.matrix(new double[] {2.5, -3}, new double[] {0.5, -1}, new double[] {2.5, -3}), picked.targets());
        assertArrayEquals(new int[] {1, 2}, CLASSES.rows(2, 0).labels());
        assertEquals(Tensor.matrix(new double[] {0, 1, 0}, new double[] {0, 0, 1}), CLASSES.rows(2, 0).targets());
        assertEquals(3, CLASSES.rows(2, 0).classes());
    }

    @Test
    void holdOutKeepsTheFirstExamplesInOrderAndHoldsTheLastOnesOut() {
        Dataset.Split held = REAL.holdOut(1);
        assertEquals(REAL.rows(0, 1), held.train());
        assertEquals(REAL.rows(2), held.test());
        assertThrows(IllegalArgumentException.class, () -> REAL.holdOut(3));
        assertThrows(IllegalArgumentException.class, () -> REAL.holdOut(0));
    }

    @Test
    void splitAndBatchesKeepTheTargetsWithTheirExamples() {
        var split = REAL.split(1 / 3.0, 5);
        assertEquals(2, split.train().size());
        assertEquals(1, split.test().size());
        List<Dataset> batches = REAL.batches(2, new Random(1));
        assertEquals(List.of(2, 1), batches.stream().map(Dataset::size).toList());
        for (Dataset part : List.of(split.train(), split.test(), batches.get(0), batches.get(1))) {
            for (int i = 0; i < part.size(); i++) {
                // each example's first target is its first feature / 2
                assertEquals(part.features().get(i, 0) / 2, part.targets().get(i, 0));
            }
        }
    }

    @Test
    void equalityTakesTheTargetsIntoAccount() {
        assertEquals(REAL, Dataset.regression(X, REAL.targets()));
        assertNotEquals(REAL, Dataset.regression(X, REAL.targets().map(t -> t + 1)));
        assertNotEquals(CLASSES, Dataset.classification(X, new int[] {2, 0, 1}, 4));
    }

    @Test
    void refusesTargetsForAnotherNumberOfExamples() {
        var e = assertThrows(IllegalArgumentException.class, () -> Dataset.regression(X, Tensor.zeros(Shape.of(2, 1))));
        assertEquals("features of shape [3, 2] for 2 examples: expected a matrix with one row per example", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Dataset.classification(X, new int[] {0, 3, 1}, 3));
    }

    @Test
    void dataRefusesTrainingAndTestSetsThatDoNotFitTogether() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Data("mixed", CLASSES, REAL, 0, 0));
        assertTrue(e.getMessage().startsWith("mixed: the training set"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Data("images", REAL, REAL, 2, 2));
    }
}
