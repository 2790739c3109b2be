package org.graft.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.graft.core.GraftException;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.rewrite.Rewrite;
import org.graft.core.rewrite.Rewriter;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Program;

/** The parts of a program's graph the commands show and run. */
final class ProgramGraph {
    private ProgramGraph() {}

    /** Graphs after rewriting, and which rule fired where, one line each. */
    record Rewritten(List<Node> roots, List<String> log) {}

    /**
     * Rewrites the graphs of {@code roots} together, the i-th result computing the i-th root,
     * with the phases {@code options} run (none for {@code -O0}), as a compiled function would.
     * Each log line is one firing: position, phase, rule, and the node before => after.
     */
    static Rewritten rewrite(List<Node> roots, Options options) {
        Rewriter.Result result = Rewriter.of(options.phases()).rewrite(roots);
        return new Rewritten(result.roots(), result.log().stream().map(Rewrite::toString).toList());
    }

    /**
     * The values to feed a function computing {@code roots}: every input given a value with
     * {@code --set}, in declaration order. An input the roots read that has no value is an
     * error naming it (all of them, at the first one's declaration).
     */
    static Map<Input, Tensor> feed(Program program, Collection<? extends Node> roots) {
        Set<Node> needed = identitySet();
        needed.addAll(Graph.topologicalOrder(roots));
        Map<Input, Tensor> given = program.inputValues();
        var missing = new ArrayList<Input>();
        var feed = new LinkedHashMap<Input, Tensor>();
        for (Input in : program.inputs()) {
            if (given.containsKey(in)) feed.put(in, given.get(in));
            else if (needed.contains(in)) missing.add(in);
        }
        if (missing.size() == 1) {
            String name = missing.get(0).label();
            throw new GraftException(missing.get(0).pos(), "no value for input " + name + ": give one with --set "
                    + name + "=VALUE");
        }
        if (!missing.isEmpty()) {
            var names = String.join(", ", missing.stream().map(Node::label).toList());
            throw new GraftException(missing.get(0).pos(), "no values for inputs " + names
                    + ": give them with --set NAME=VALUE");
        }
        return feed;
    }

    /** Nodes in the order added; a node's equality is its identity, so each is there once. */
    private static Set<Node> identitySet() { return new LinkedHashSet<>(); }
}
