package org.graft.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/** Walks over graphs. Iterative, so a graph of any depth is safe. */
public final class Graph {
    private Graph() {}

    /**
     * Every node the roots depend on, each once, inputs before the nodes that use them
     * (depth-first post-order, in the order inputs are listed).
     */
    public static List<Node> topologicalOrder(Collection<? extends Node> roots) { return topologicalOrder(roots, n -> true); }

    /**
     * The same, walking into an input only when {@code enter} accepts it: the nodes above a
     * frontier, such as the part of a graph not yet placed, without visiting all that lies below.
     * The roots are always in the order.
     */
    public static List<Node> topologicalOrder(Collection<? extends Node> roots, Predicate<Node> enter) {
        var order = new ArrayList<Node>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        record Frame(Node node, int next) {}
        var stack = new ArrayDeque<Frame>();
        for (Node root : roots) {
            if (!seen.add(root)) continue;
            stack.push(new Frame(root, 0));
            while (!stack.isEmpty()) {
                Frame top = stack.pop();
                List<Node> inputs = top.node().inputs();
                if (top.next() == inputs.size()) {
                    order.add(top.node());
                    continue;
                }
                stack.push(new Frame(top.node(), top.next() + 1));
                Node input = inputs.get(top.next());
                if (enter.test(input) && seen.add(input)) stack.push(new Frame(input, 0));
            }
        }
        return order;
    }
}
