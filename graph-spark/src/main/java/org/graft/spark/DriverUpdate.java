package org.graft.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graft.cli.ProgramModel;
import org.graft.core.GraftException;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.Tensor;
import org.graft.models.train.StepEngine;
import org.graft.ops.Ops;
import org.graft.ops.optim.Optimizer;

/**
 * The driver's half of a step: the program's own optimizer applied to gradients summed
 * elsewhere. The optimizer takes its gradients from a cost, so it is given the surrogate
 * {@code S = sum_i sum(G_i * p_i)} over the trained params p_i, with the gradients G_i as inputs:
 * dS/dp_i = G_i exactly, so the update is the program's rule (SGD, momentum, Adam, its weight
 * decay) at the trainer's learning rate, updating the trainer's own params. The optimizer's state
 * is fresh params of the same names as the trainer's, which are copied in before and out after
 * each update, so that the trainer's checkpoint holds it.
 */
final class DriverUpdate {
    private final List<Input> gradients = new ArrayList<>();
    private final Function update;
    private final Map<Param, Param> state = new LinkedHashMap<>();   // ours -> the trainer's of its name

    DriverUpdate(StepEngine.Setup setup, ProgramSpec spec) {
        var program = ProgramModel.compile(spec.file(), spec.source(), spec.setValues(), spec.dtype());
        Optimizer optimizer = program.objective().orElseThrow(() -> new GraftException(spec.file() + " has no objective"))
                .optimizer();
        Node surrogate = null;
        for (Param p : setup.trained()) {
            var g = new Input("d" + p.label(), p.type());   // symbolic dims as the param has them: they bind to its value's
            gradients.add(g);
            Node term = Ops.sum(Ops.mul(g, p));
            surrogate = surrogate == null ? term : Ops.add(surrogate, term);
        }
        Map<Param, Node> updates = optimizer.updates(surrogate, setup.trained(), setup.lr());
        for (Param ours : updates.keySet()) {
            if (setup.trained().contains(ours)) continue;
            Param theirs = setup.saved().get(ours.label());
            if (theirs == null) throw new IllegalStateException("the trainer has no optimizer state named " + ours.label());
            state.put(ours, theirs);
        }
        update = Compiler.compile(gradients, List.of(), updates, spec.options());
    }

    /** Steps the trainer's params along {@code total}'s gradients, in the trained params' order. */
    void apply(Partial total, Values like) {
        state.forEach((ours, theirs) -> ours.set(theirs.value()));
        Values summed = like.with(total.arrays());
        var feed = new LinkedHashMap<Input, Tensor>();
        for (int i = 0; i < gradients.size(); i++) feed.put(gradients.get(i), summed.tensor(i));
        update.call(feed);
        state.forEach((ours, theirs) -> theirs.set(ours.value()));
    }
}
