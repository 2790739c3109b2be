package org.graft.core.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.graft.core.GraftException;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.ShapeError;
import org.graft.core.rewrite.Phase;
import org.graft.core.rewrite.Rewriter;

/** Compiles graphs into {@link Function}s. */
public final class Compiler {
    private Compiler() {}

    /** A function from {@code inputs} to {@code outputs}, changing no param. */
    public static Function compile(List<Input> inputs, List<? extends Node> outputs) {
        return compile(inputs, outputs, Map.of());
    }

    /** The same, prepared as {@code options} say (without rewrites, for {@link Options#NONE}). */
    public static Function compile(List<Input> inputs, List<? extends Node> outputs, Options options) {
        return compile(inputs, outputs, Map.of(), options);
    }

    public static Function compile(List<Input> inputs, List<? extends Node> outputs,
                                   Map<Param, ? extends Node> updates) {
        return compile(inputs, outputs, updates, Options.DEFAULT);
    }

    /**
     * A function from {@code inputs} to {@code outputs} that, after each call, sets every param
     * in {@code updates} to the value of its expression. All outputs and update values are
     * computed from the params as they were before the call, then the params change together
     * (Theano's semantics), so a training step is one call.
     *
     * <p>The graph is first rewritten by the phases {@code options} run (by default every
     * standard phase: the values stay the same, the graph gets safer and cheaper); the
     * function's {@link Function#outputs()} are the rewritten nodes.
     *
     * <p>The function's random stream starts from {@link Function#DEFAULT_SEED}, so two
     * functions compiled from the same graph and called alike draw the same samples until one
     * is {@linkplain Function#seed reseeded}.
     */
    public static Function compile(List<Input> inputs, List<? extends Node> outputs,
                                   Map<Param, ? extends Node> updates, Options options) {
        Set<Node> fed = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Input in : inputs) {
            if (!fed.add(in)) throw new GraftException(in.pos(), "input " + in.label() + " is listed twice");
        }
        var orderedUpdates = new LinkedHashMap<Param, Node>(updates);
        for (var u : orderedUpdates.entrySet()) {
            Param p = u.getKey();
            if (!u.getValue().type().equals(p.type())) {
                throw new ShapeError(u.getValue().pos(), "update of " + p.label() + ": expected " + p.type()
                        + ", found " + u.getValue().type());
            }
        }
        for (Node out : outputs) {
            if (out.type().isTuple()) {
                throw new GraftException(out.pos(), out.label() + " has several results " + out.type() + "; an output is one of them");
            }
        }
        var roots = new ArrayList<Node>(outputs);
        roots.addAll(orderedUpdates.values());
        List<Node> order = Graph.topologicalOrder(roots);
        for (Node n : order) {
            if (n instanceof Input in && !fed.contains(in)) {
                throw new GraftException(in.pos(), "the outputs or updates depend on input " + in.label()
                        + ", which is not among the function's inputs " + labels(inputs));
            }
        }
        List<Phase> phases = options.phases();
        if (!phases.isEmpty()) {
            List<Node> rewritten = Rewriter.of(phases).rewrite(roots).roots();
            int k = outputs.size();
            roots = new ArrayList<>(rewritten);
            int i = k;
            for (var u : orderedUpdates.entrySet()) u.setValue(rewritten.get(i++));
            order = Graph.topologicalOrder(roots);
            return new Function(inputs, List.copyOf(rewritten.subList(0, k)), orderedUpdates, order);
        }
        return new Function(inputs, List.copyOf(outputs), orderedUpdates, order);
    }

    static String labels(List<? extends Node> nodes) {
        return nodes.stream().map(Node::label).collect(Collectors.joining(", ", "(", ")"));
    }
}
