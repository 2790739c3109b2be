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

    /** Three series of three steps of width 2: series i at step s is (10 i + s, -(10 i + s)). */
    static Tensor series() {
        double[] v = new double[3 * 3 * 2];
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 3; i++) {
                v[(s * 3 + i) * 2] = 10 * i + s;
                v[(s * 3 + i) * 2 + 1] = -(10 * i + s);
            }
        }
        return Tensor.of(v, 3, 3, 2);
    }

    @Test
    void aOneStepSetPredictsEachStepOfASeriesFromTheOneBefore() {
        Dataset next = Dataset.nextStep(series());
        assertTrue(next.isSequences() && next.isNextStep());
        assertEquals(1, next.exampleAxis());
        assertEquals(3, next.size());
        assertEquals(2, next.steps());
        assertArrayEquals(new int[] {2, 3, 2}, next.features().shape().dims());
        assertArrayEquals(new int[] {2, 3, 2}, next.targets().shape().dims());
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < 3; i++) {
                assertEquals(10 * i + s, next.features().get(s, i, 0));
                assertEquals(10 * i + s + 1, next.targets().get(s, i, 0));        // y[t] = x[t + 1]
                assertEquals(-(10 * i + s + 1), next.targets().get(s, i, 1));
            }
        }
    }

    @Test
    void aOneStepSetOfNoisyReadingsTakesItsTargetsFromTheTruth() {
        Tensor truth = series();
        Tensor observed = truth.map(v -> v + 0.5);
        Dataset next = Dataset.nextStep(observed, truth);
        assertEquals(10.5, next.features().get(0, 1, 0));
        assertEquals(11.0, next.targets().get(0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Dataset.nextStep(truth, Tensor.zeros(Shape.of(3, 3, 1))));
        assertThrows(IllegalArgumentException.class, () -> Dataset.nextStep(Tensor.zeros(Shape.of(1, 3, 2))));
    }

    @Test
    void rowsOfSequencesPicksWholeSequencesAtEveryStep() {
        Dataset next = Dataset.nextStep(series());
        Dataset picked = next.rows(2, 0, 2);
        assertEquals(3, picked.size());
        assertTrue(picked.isNextStep());
        for (int s = 0; s < 2; s++) {
            int[] from = {2, 0, 2};
            for (int k = 0; k < 3; k++) {
                for (int j = 0; j < 2; j++) {
                    assertEquals(next.features().get(s, from[k], j), picked.features().get(s, k, j));
                    assertEquals(next.targets().get(s, from[k], j), picked.targets().get(s, k, j));
                }
            }
        }
        assertThrows(IndexOutOfBoundsException.class, () -> next.rows(3));
    }

    @Test
    void splitsAndBatchesOfSequencesAreWholeSequencesEachOnce() {
        Dataset next = Dataset.nextStep(series());
        Dataset.Split held = next.holdOut(1);
        assertEquals(next.rows(0, 1), held.train());
        assertEquals(next.rows(2), held.test());
        var split = next.split(1 / 3.0, 5);
        assertEquals(List.of(2, 1), List.of(split.train().size(), split.test().size()));
        var seen = new java.util.ArrayList<Integer>();
        for (Dataset batch : next.batches(2, new Random(1))) {
            for (int k = 0; k < batch.size(); k++) {
                int id = (int) batch.features().get(0, k, 0) / 10;
                seen.add(id);
                for (int s = 0; s < 2; s++) assertEquals(10 * id + s, batch.features().get(s, k, 0));   // one sequence throughout
            }
        }
        assertEquals(List.of(0, 1, 2), seen.stream().sorted().toList());
    }

    @Test
    void thePersistenceErrorIsTheMeanSquareOfEachStepsChange() {
        // each step adds 1 to the first component and takes 1 from the second: every squared change is 1
        assertEquals(1.0, Dataset.nextStep(series()).persistenceMse());
        Tensor truth = series();
        // observed 0.5 above the truth: y - x is 1 - 0.5 = 0.5 and -1 - 0.5 = -1.5, so (0.25 + 2.25) / 2
        assertEquals(1.25, Dataset.nextStep(truth.map(v -> v + 0.5), truth).persistenceMse());
        assertThrows(IllegalStateException.class, REAL::persistenceMse);
        Dataset general = Dataset.sequences(Tensor.zeros(Shape.of(2, 3, 2)), Tensor.zeros(Shape.of(2, 3, 1)));
        assertFalse(general.isNextStep());
        assertThrows(IllegalStateException.class, general::persistenceMse);
    }

    /**
     * Transformed (preprocessed), rows keep their targets and labels whatever the features' new
     * width; a one-step prediction set's targets, the next steps of its features, are transformed
     * alike, so that it stays one: its persistence error is that of the new units.
     */
    @Test
    void aOneStepSetsTargetsAreTransformedWithItsFeaturesAndOtherSetsTargetsAreNot() {
        Dataset wider = CLASSES.transformed(x -> Tensor.zeros(Shape.of(3, 5)));
        assertEquals(Tensor.zeros(Shape.of(3, 5)), wider.features());
        assertEquals(CLASSES.targets(), wider.targets());
        assertArrayEquals(CLASSES.labels(), wider.labels());
        assertEquals(REAL.targets(), REAL.transformed(x -> x.map(v -> 2 * v)).targets());

        Dataset next = Dataset.nextStep(series());
        Dataset doubled = next.transformed(t -> t.map(v -> 2 * v));
        assertEquals(next.features().map(v -> 2 * v), doubled.features());
        assertEquals(next.targets().map(v -> 2 * v), doubled.targets());
        assertTrue(doubled.isSequences() && doubled.isNextStep());
        assertEquals(4 * next.persistenceMse(), doubled.persistenceMse());
        var e = assertThrows(IllegalArgumentException.class, () -> next.transformed(t -> Tensor.zeros(Shape.of(6, 2))));
        assertEquals("features of shape [6, 2] for 3 sequences of 2 steps: expected [2, 3, d]", e.getMessage());
    }

    @Test
    void sequencesNeedTheirTargetsAtTheSameStepsAndSequences() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Dataset.sequences(Tensor.zeros(Shape.of(2, 3, 2)), Tensor.zeros(Shape.of(2, 4, 1))));
        assertEquals("sequences of features [2, 3, 2] and targets [2, 4, 1]: expected [steps, sequences, d] and "
                + "[steps, sequences, k] with the same steps and sequences", e.getMessage());
        assertThrows(IllegalStateException.class, REAL::steps);
    }

    @Test
    void dataRefusesRowsBesideSequences() {
        Dataset next = Dataset.nextStep(series());
        Dataset rows = Dataset.regression(X, X);
        var e = assertThrows(IllegalArgumentException.class, () -> new Data("mixed", next, rows, 0, 0));
        assertTrue(e.getMessage().endsWith("differ in their features, targets, classes or kind"), e.getMessage());
        assertEquals(next, new Data("seq", next, next, 0, 0).train());
    }
}
