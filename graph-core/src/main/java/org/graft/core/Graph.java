package org.graft.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
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
        return order(roots, enter, n -> false);
    }

    /**
     * The same, taking the nodes {@code leaf} accepts as leaves: they are in the order, but the
     * walk does not go below them (unless another path does), as below a part of a graph held
     * constant.
     */
    public static List<Node> topologicalOrderStoppingAt(Collection<? extends Node> roots, Predicate<Node> leaf) {
        return order(roots, n -> true, leaf);
    }

    /**
     * The graph of {@code roots} with each node of {@code replacements} in place of its key:
     * every node above a replaced one is built again on the new inputs (keeping its op, name
     * and place in the source), and the rest is shared. Theano's {@code clone(replace=...)}.
     * The roots' copies come back in their order.
     */
    public static List<Node> replace(List<? extends Node> roots, Map<? extends Node, ? extends Node> replacements) {
        Map<Node, Node> copies = new IdentityHashMap<>(replacements);
        for (Node n : order(roots, x -> !replacements.containsKey(x), x -> false)) {
            if (copies.containsKey(n) || !(n instanceof Apply a)) continue;
            List<Node> in = a.inputs();
            List<Node> out = null;
            for (int i = 0; i < in.size(); i++) {
                Node c = copies.get(in.get(i));
                if (c == null || c == in.get(i)) continue;
                if (out == null) out = new ArrayList<>(in);
                out.set(i, c);
            }
            if (out == null) continue;
            Apply b = Apply.at(a.pos(), a.op(), out);
            copies.put(n, a.name().isPresent() ? b.named(a.name().get()) : b);
        }
        var out = new ArrayList<Node>(roots.size());
        for (Node r : roots) out.add(copies.getOrDefault(r, r));
        return out;
    }

    private static List<Node> order(Collection<? extends Node> roots, Predicate<Node> enter, Predicate<Node> leaf) {
        var order = new ArrayList<Node>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        var stack = new Stack();
        for (Node root : roots) {
            if (!seen.add(root)) continue;
            stack.push(root);
            while (stack.size > 0) {
                Node top = stack.nodes[stack.size - 1];
                List<Node> inputs = leaf.test(top) ? List.of() : top.inputs();
                int next = stack.next[stack.size - 1]++;
                if (next == inputs.size()) {
                    order.add(top);
                    stack.size--;
                    continue;
                }
                Node input = inputs.get(next);
                if (enter.test(input) && seen.add(input)) stack.push(input);
            }
        }
        return order;
    }

    /**
     * A depth-first walk's stack: each node with the index of its next input to visit, in two
     * arrays, so a walk over a million nodes allocates no frame per step.
     */
    private static final class Stack {
        Node[] nodes = new Node[8];
        int[] next = new int[8];   // for each node on the stack, the index of its next input to visit
        int size;

        void push(Node n) {
            if (size == nodes.length) {
                nodes = Arrays.copyOf(nodes, 2 * size);
                next = Arrays.copyOf(next, 2 * size);
            }
            nodes[size] = n;
            next[size++] = 0;
        }
    }
}
