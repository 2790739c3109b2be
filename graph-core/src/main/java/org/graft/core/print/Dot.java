package org.graft.core.print;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Graph;
import org.graft.core.Node;
import org.graft.core.Param;

/**
 * A graph in Graphviz DOT, for {@code dot -Tsvg}:
 *
 * <pre>
 * digraph graft {
 *   n0 [label="input x : [n, 3]", shape=ellipse];
 *   n1 [label="param b : [3]", shape=ellipse, style=filled, fillcolor=lightgrey];
 *   n2 [label="add : [n, 3]  'y'", shape=box, peripheries=2];
 *   n0 -&gt; n2 [label="0"];
 *   n1 -&gt; n2 [label="1"];
 * }
 * </pre>
 *
 * <ul>
 *   <li>Every node the roots depend on is drawn once, as {@code n0, n1, ...} in topological
 *       order (operands first), then the edges, each consumer's in operand order; the same
 *       graph always gives the same text.
 *   <li>Labels are the lines of {@link DebugPrint} without ids. Op nodes are boxes, inputs
 *       ellipses, params filled ellipses, constants plain text; the roots have a double border.
 *   <li>Edges run from operand to consumer. They are labelled with the operand's position when
 *       the consumer has more than one operand, and dashed where no gradient flows
 *       ({@link org.graft.core.Op#connected(int)} is false: a shape-only operand,
 *       the operand of {@code stop_gradient}).
 *   <li>{@code "} and {@code \} in labels are escaped, and a line break in a name becomes
 *       DOT's {@code \n}.
 * </ul>
 */
public final class Dot {
    private Dot() {}

    /** The DOT text of the graph of these roots. */
    public static String dot(Node... roots) { return dot(List.of(roots)); }

    /** The DOT text of the graph of these roots; see the class comment for the format. */
    public static String dot(List<? extends Node> roots) {
        List<Node> order = Graph.topologicalOrder(roots);
        Map<Node, Integer> ids = new IdentityHashMap<>();
        for (Node n : order) ids.put(n, ids.size());
        Set<Node> isRoot = Collections.newSetFromMap(new IdentityHashMap<>());
        isRoot.addAll(roots);

        var out = new StringBuilder("digraph graft {\n");
        for (Node n : order) {
            var attrs = new ArrayList<String>();
            attrs.add("label=\"" + escape(NodeText.of(n)) + "\"");
            attrs.add(style(n));
            if (isRoot.contains(n)) attrs.add("peripheries=2");
            out.append("  n").append(ids.get(n)).append(" [").append(String.join(", ", attrs)).append("];\n");
        }
        for (Node n : order) {
            if (!(n instanceof Apply a)) continue;
            List<Node> in = a.inputs();
            for (int i = 0; i < in.size(); i++) {
                var attrs = new ArrayList<String>();
                if (in.size() > 1) attrs.add("label=\"" + i + "\"");
                if (!a.op().connected(i)) attrs.add("style=dashed");
                out.append("  n").append(ids.get(in.get(i))).append(" -> n").append(ids.get(a));
                if (!attrs.isEmpty()) out.append(" [").append(String.join(", ", attrs)).append(']');
                out.append(";\n");
            }
        }
        return out.append("}\n").toString();
    }

    private static String style(Node n) {
        if (n instanceof Apply) return "shape=box";
        if (n instanceof Param) return "shape=ellipse, style=filled, fillcolor=lightgrey";
        if (n instanceof Constant) return "shape=plaintext";
        return "shape=ellipse";
    }

    /** The text of a DOT double-quoted string. */
    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
