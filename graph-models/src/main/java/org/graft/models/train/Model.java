package org.graft.models.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.tensor.Tensor;
import org.graft.ops.optim.Optimizer;

/**
 * What {@link Trainer} needs of a model, however it was built: from a Graft program (as
 * {@code graft train} does) or with the Java API ({@link #of}). The trainer feeds each batch's
 * features to {@code x} and its targets to {@code y}, makes a step of the optimizer's updates
 * and the state updates together, measures the cost and the metrics on the test split, and
 * draws the pictures.
 *
 * @param name what titles and errors call the model: {@code mlp.graft}, {@code DigitsMlp}
 * @param x the input the features of a batch go to, {@code [n, d]}, or {@code [t, n, d]} for sequences
 * @param y the input the targets go to, if the model reads targets
 * @param fixed every other input the step or the test pass reads, with the value it is always
 *     given ({@code --set}'s)
 * @param objective the cost's name, which names its columns: {@code loss} gives {@code train_loss}
 * @param cost the objective on a batch, a scalar; the run computes in its dtype
 * @param maximize whether the cost is maximized (an ELBO) rather than minimized: which way a
 *     validation objective improves
 * @param lr the learning rate of the model's optimizer, which a run's {@code --lr} replaces
 * @param updates the optimizer's updates of the trained params (stepping uphill for a cost to
 *     maximize), for the learning rate given as a node
 * @param stateUpdates the params the step sets rather than trains, each with its new value
 * @param metrics scalars measured on the test split after each epoch, by name, in order
 * @param params every param, in the order declared; the first of shape {@code [d, k]} is drawn as filters
 * @param initialization gives the params their starting values, once the data have fixed the dims
 * @param recon a reconstruction of x, drawn beside it for images when it has x's type
 * @param samples samples as rows of pixels, drawn for images when they are as wide as x
 * @param outputs what the model outputs, by name, in order: the first with the shape of a batch of
 *     targets, {@code [n, k]}, or {@code [t, n, k]} for sequences, is its prediction of y, scored
 *     by a confusion matrix or R²
 * @param predicted the model's prediction of y from x, drawn against y's values for sequences
 *     when it has y's type
 */
public record Model(String name, Input x, Optional<Input> y, Map<Input, Tensor> fixed, String objective, Node cost,
                    boolean maximize, double lr, Updates updates, Map<Param, Node> stateUpdates, Map<String, Node> metrics,
                    List<Param> params, Initialization initialization, Optional<Node> recon, Optional<Node> samples,
                    Map<String, Node> outputs, Optional<Node> predicted) {

    /** The optimizer's updates of one step, for a learning rate given as a scalar node of the cost's dtype. */
    @FunctionalInterface
    public interface Updates {
        Map<Param, Node> at(Node lr);
    }

    /** Gives every param its starting value from the run's seed, with the sizes the data gave the symbolic dims. */
    @FunctionalInterface
    public interface Initialization {
        void initialize(long seed, Map<String, Integer> dims);
    }

    public Model {
        fixed = Collections.unmodifiableMap(new LinkedHashMap<>(fixed));
        stateUpdates = Collections.unmodifiableMap(new LinkedHashMap<>(stateUpdates));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        params = List.copyOf(params);
        outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    }

    /**
     * A model built with the Java API whose params already hold their starting values: the
     * features go to {@code x}, the targets to {@code y}, and {@code optimizer} minimizes
     * {@code cost} over {@code params}. It has no state, no fixed inputs and no outputs (so no
     * prediction to score), and no pictures but the learning curve and the filters.
     */
    public static Model of(String name, Input x, Input y, String objective, Node cost, Optimizer optimizer, List<Param> params,
                           Map<String, Node> metrics) {
        return new Model(name, x, Optional.of(y), Map.of(), objective, cost, false, optimizer.lr(),
                lr -> optimizer.updates(cost, params, lr), Map.of(), metrics, params, (seed, dims) -> {}, Optional.empty(), Optional.empty(),
                Map.of(), Optional.empty());
    }
}
