package org.graft.core.print;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.graft.core.Apply;
import org.graft.core.Graph;
import org.graft.core.Node;

/**
 * A graph as an indented tree, in the style of Theano's {@code debugprint}: one line per node,
 * each operand indented under its consumer with {@code " |"}, operands in order.
 *
 * <pre>
 * add : [n, 10]  'logits'
 *  |matmul : [n, 10]
 *  | |relu : [n, 128]  'h'
 *  | | |add : [n, 128]
 *  | | | |matmul : [n, 128]
 *  | | | | |input x : [n, 784]
 *  | | | | |param W1 : [784, 128]
 *  | | | |param b1 : [128]
 *  | |param W2 : [128, 10]
 *  |param b2 : [10]
 * </pre>
 *
 * <ul>
 *   <li>An op node reads {@code op : type}, then its name in single quotes if it has one. The
 *       op is shown by {@link org.graft.core.Op#describe()}, with its attributes:
 *       {@code sum{axes=[0, 1], keepdims=false} : []}.
 *   <li>An op node that appears more than once in the printed trees (used by two consumers,
 *       twice by one, or also given as a root) gets an id {@code #k}, numbered from 1 in the
 *       order the lines are written. Its first line ends with {@code #k} and is followed by
 *       its operands; every later line ends with {@code #k (above)} and has none, so a shared
 *       subgraph is written once.
 *   <li>Leaves are one line each wherever they appear and never get ids:
 *       {@code input x : [n, 784]}, {@code param W1 : [784, 128]}, and constants with their
 *       values when they have at most eight elements ({@code constant 2.0 : []},
 *       {@code constant [1.0, 2.0] : [2]}), else with the type alone
 *       ({@code constant : [784, 10]}); a named constant ends with its name in quotes.
 *       Numbers print as {@link Double#toString(double)} does, so they read back exactly.
 *   <li>Several roots give one tree after another, in order; ids are shared across the trees,
 *       so a node shared by two outputs is written out under the first.
 *   <li>An op that runs a graph inside itself (a scan's step) is marked {@code (inner graph k)},
 *       and after the trees each inner graph is printed the same way, from its own inputs,
 *       under a line {@code inner graph k, of scan{...}, from its inputs:}.
 *   <li>Lines end with {@code '\n'} on every platform.
 *   <li>Beyond {@value #MAX_BARS} levels the bars would make lines too long to read, so a
 *       deeper line starts with its depth instead: {@code [33] |add : [3]}. The printer does
 *       not recurse, so a graph of any depth prints.
 * </ul>
 */
public final class DebugPrint {
    private DebugPrint() {}

    /** The deepest level written with one {@code " |"} per level. */
    public static final int MAX_BARS = 32;

    /** The trees of these roots; see the class comment for the format. */
    public static String debugprint(Node... roots) { return debugprint(List.of(roots)); }

    /** The trees of these roots, one after another; see the class comment for the format. */
    public static String debugprint(List<? extends Node> roots) {
        // the graphs ops run inside themselves (a scan's step), numbered in the order of the graph
        Map<Node, Integer> inner = new IdentityHashMap<>();
        for (Node n : Graph.topologicalOrder(roots)) {
            if (n instanceof Apply a && !a.op().innerGraph().isEmpty()) inner.put(n, inner.size() + 1);
        }
        var out = new StringBuilder(trees(roots, inner));
        for (var e : inner.entrySet().stream().sorted(Map.Entry.comparingByValue()).toList()) {
            Apply a = (Apply) e.getKey();
            out.append("\ninner graph ").append(e.getValue()).append(", of ").append(a.op().describe())
                    .append(", from its inputs:\n").append(debugprint(a.op().innerGraph()));
        }
        return out.toString();
    }

    private static String trees(List<? extends Node> roots, Map<Node, Integer> inner) {
        Map<Node, Integer> appearances = appearances(roots);
        Map<Node, Integer> ids = new IdentityHashMap<>();
        var out = new StringBuilder();
        record Line(Node node, int depth) {}
        var stack = new ArrayDeque<Line>();
        for (Node root : roots) {
            stack.push(new Line(root, 0));
            while (!stack.isEmpty()) {
                Line line = stack.pop();
                Node n = line.node();
                indent(out, line.depth());
                out.append(NodeText.of(n));
                if (n instanceof Apply && appearances.get(n) > 1) {
                    Integer seen = ids.get(n);
                    if (seen != null) {
                        out.append("  #").append(seen).append(" (above)\n");
                        continue;
                    }
                    ids.put(n, ids.size() + 1);
                    out.append("  #").append(ids.size());
                }
                if (inner.containsKey(n)) out.append("  (inner graph ").append(inner.get(n)).append(')');
                out.append('\n');
                List<Node> in = n.inputs();
                for (int i = in.size() - 1; i >= 0; i--) stack.push(new Line(in.get(i), line.depth() + 1));
            }
        }
        return out.toString();
    }

    /**
     * How many lines each node gets: one per root it is and one per operand slot it fills.
     * Each consumer's operands are written once (under its first line), so this counts them all.
     */
    private static Map<Node, Integer> appearances(List<? extends Node> roots) {
        Map<Node, Integer> count = new IdentityHashMap<>();
        for (Node root : roots) count.merge(root, 1, Integer::sum);
        for (Node n : Graph.topologicalOrder(roots)) {
            for (Node in : n.inputs()) count.merge(in, 1, Integer::sum);
        }
        return count;
    }

    private static void indent(StringBuilder out, int depth) {
        if (depth > MAX_BARS) out.append('[').append(depth).append("] |");
        else out.append(" |".repeat(depth));
    }
}
