package org.graft.models.train;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.relu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class PredictionTest {

    @Test
    void rSquaredIsOneLessTheResidualOverTheSpreadAveragedOverTheColumns() {
        // column 0: y = 1, 2, 3, 4 predicted as 1.5, 2, 2.5, 4: SS_res = 0.25 + 0.25 = 0.5, mean 2.5,
        // SS_tot = 2.25 + 0.25 + 0.25 + 2.25 = 5, so R² = 1 - 0.5 / 5 = 0.9;
        // column 1: y = 1, 0, 1, 0 predicted as 0.5 each (the mean): R² = 0
        Tensor y = Tensor.matrix(new double[] {1, 1}, new double[] {2, 0}, new double[] {3, 1}, new double[] {4, 0});
        double[] predicted = {1.5, 0.5, 2, 0.5, 2.5, 0.5, 4, 0.5};
        assertEquals((0.9 + 0) / 2, Prediction.rSquared(y, predicted), 1e-15);
        assertEquals(1.0, Prediction.rSquared(y, y.toArray()), "predicted exactly");
        // worse than the mean: SS_res = 16 + 9 + 4 + 1 = 30 against SS_tot = 5, so below 0
        assertEquals(1 - 30 / 5.0, Prediction.rSquared(Tensor.of(new double[] {1, 2, 3, 4}, 4, 1), new double[] {5, 5, 5, 5}));
    }

    @Test
    void aColumnOfConstantTargetsScoresOneWhenPredictedExactlyAndZeroOtherwise() {
        Tensor constant = Tensor.of(new double[] {3, 3, 3}, 3, 1);
        assertEquals(1.0, Prediction.rSquared(constant, new double[] {3, 3, 3}));
        assertEquals(0.0, Prediction.rSquared(constant, new double[] {3, 3, 2}));
    }

    @Test
    void rSquaredOfSequencesTakesEveryStepOfEverySequenceAsAnExample() {
        // [t = 2, n = 2, k = 1]: the steps and sequences flattened are the rows y = 1, 2, 3, 4 of the first test
        Tensor sequences = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2, 1);
        double[] predicted = {1.5, 2, 2.5, 4};
        assertEquals(0.9, Prediction.rSquared(sequences, predicted), 1e-15);
        assertEquals(Prediction.rSquared(Tensor.of(new double[] {1, 2, 3, 4}, 4, 1), predicted),
                Prediction.rSquared(sequences, predicted));
    }

    @Test
    void thePredictionIsTheFirstOutputShapedAsTheTargetsThatReadsOnlyWhatIsFed() {
        Input x = input("x", "n", 4), z = input("z", "n", 3);
        Param W1 = param("W1", Tensor.zeros(Shape.of(4, 5))), W2 = param("W2", Tensor.zeros(Shape.of(5, 3)));
        Node h = relu(matmul(x, W1));
        Node logits = matmul(h, W2);
        var outputs = new LinkedHashMap<String, Node>();
        outputs.put("loss", mean(logits));   // a scalar
        outputs.put("h", h);                  // [n, 5]
        outputs.put("shifted", add(logits, z));   // [n, 3], but reads z, which no batch feeds
        outputs.put("logits", logits);
        Map<String, Integer> dims = Map.of("n", 32);
        Optional<Node> chosen = Prediction.of(outputs, Shape.of(32, 3), dims, List.of(x));
        assertSame(logits, chosen.orElseThrow());
        assertSame(outputs.get("shifted"), Prediction.of(outputs, Shape.of(32, 3), dims, List.of(x, z)).orElseThrow());
        assertTrue(Prediction.of(outputs, Shape.of(32, 10), dims, List.of(x)).isEmpty(), "no output of 10 columns");
        assertTrue(Prediction.of(Map.of(), Shape.of(32, 3), dims, List.of(x)).isEmpty());
    }
}
