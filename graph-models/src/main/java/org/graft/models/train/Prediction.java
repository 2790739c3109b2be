package org.graft.models.train;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * What a model predicts of y, for the scores {@code graft train} adds to the program's own
 * metrics: the first of its outputs whose shape is the targets' as the trainer feeds them,
 * {@code [n, k]} one-hot rows for a data set of classes ({@code logits} or probabilities, whose
 * row's argmax is the class predicted, as in {@code output loss, logits}), {@code [n, t]} real
 * targets otherwise (the sine's {@code output f}), and {@code [t, n, k]} for sequences (the
 * {@code output predicted} of rnn and lstm). A model without y, or without such an output, has no
 * prediction, and no such scores.
 */
final class Prediction {
    private Prediction() {}

    /** The R² column's name, after the split's prefix: {@code test_r2}, {@code valid_r2}. */
    static final String R2 = "r2";

    /**
     * The first of {@code outputs} whose type fits a batch of targets, {@code targets}, with the
     * dims bound so far, and that reads no input but those {@code fed}; empty when none does.
     */
    static Optional<Node> of(Map<String, Node> outputs, Shape targets, Map<String, Integer> dims, List<Input> fed) {
        Set<Node> given = Collections.newSetFromMap(new IdentityHashMap<>());
        given.addAll(fed);
        for (Node output : outputs.values()) {
            if (output.type().bind(targets, new HashMap<>(dims)) != null) continue;
            if (Graph.topologicalOrder(List.of(output)).stream().allMatch(n -> !(n instanceof Input) || given.contains(n))) {
                return Optional.of(output);
            }
        }
        return Optional.empty();
    }

    /**
     * The coefficient of determination of {@code predicted} (row-major, as {@code targets}),
     * scikit-learn's {@code r2_score(targets, predicted)}, over the rows of {@code targets}
     * {@code [n, k]}, or of sequences {@code [t, n, k]} read as {@code t * n} rows, every step of
     * every sequence an example: for each column 1 - SS_res / SS_tot, with SS_res = Σ (y - ŷ)² and
     * SS_tot = Σ (y - ȳ)², averaged over the columns ({@code multioutput='uniform_average'}). A
     * column of constant targets scores 1 when predicted exactly and 0 otherwise
     * ({@code force_finite=True}), rather than a division by 0.
     */
    static double rSquared(Tensor targets, double[] predicted) {
        int k = targets.shape().dim(-1), n = targets.size() / k;   // [t, n, k] read as [t * n, k]
        double total = 0;
        for (int j = 0; j < k; j++) {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += targets.getFlat(i * k + j);
            mean /= n;
            double residual = 0, spread = 0;
            for (int i = 0; i < n; i++) {
                double y = targets.getFlat(i * k + j);
                residual += (y - predicted[i * k + j]) * (y - predicted[i * k + j]);
                spread += (y - mean) * (y - mean);
            }
            total += residual == 0 ? 1 : spread == 0 ? 0 : 1 - residual / spread;
        }
        return total / k;
    }
}
