package org.graft.core.print;

import static org.graft.core.print.Dot.dot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.Type;
import org.graft.core.ops.Add;
import org.graft.core.ops.FillLike;
import org.graft.core.ops.StopGradient;
import org.graft.core.tensor.Tensor;

class DotTest {
    private final Input x = new Input("x", Type.f64("n", 3));
    private final Param b = new Param("b", Tensor.vector(1, 2, 3));

    private static Apply add(Node a, Node b) { return Apply.of(new Add(), a, b); }

    private static String lines(String... lines) { return String.join("\n", lines) + "\n"; }

    @Test
    void eachNodeIsDrawnOnceInTopologicalOrderThenTheEdges() {
        var h = add(x, b).named("h");
        var y = add(h, Apply.of(new FillLike(0.0), h)).named("y");
        assertEquals(lines(
                "digraph graft {",
                "  n0 [label=\"input x : [n, 3]\", shape=ellipse];",
                "  n1 [label=\"param b : [3]\", shape=ellipse, style=filled, fillcolor=lightgrey];",
                "  n2 [label=\"add : [n, 3]  'h'\", shape=box];",
                "  n3 [label=\"zeros_like : [n, 3]\", shape=box];",
                "  n4 [label=\"add : [n, 3]  'y'\", shape=box, peripheries=2];",
                "  n0 -> n2 [label=\"0\"];",
                "  n1 -> n2 [label=\"1\"];",
                "  n2 -> n3 [style=dashed];",
                "  n2 -> n4 [label=\"0\"];",
                "  n3 -> n4 [label=\"1\"];",
                "}"), dot(y));
    }

    @Test
    void constantsArePlainTextAndEveryRootIsMarked() {
        var two = Constant.scalar(2.0);
        var y1 = add(x, two);
        var y2 = Apply.of(new StopGradient(), add(x, x));
        assertEquals(lines(
                "digraph graft {",
                "  n0 [label=\"input x : [n, 3]\", shape=ellipse];",
                "  n1 [label=\"constant 2.0 : []\", shape=plaintext];",
                "  n2 [label=\"add : [n, 3]\", shape=box, peripheries=2];",
                "  n3 [label=\"add : [n, 3]\", shape=box];",
                "  n4 [label=\"stop_gradient : [n, 3]\", shape=box, peripheries=2];",
                "  n0 -> n2 [label=\"0\"];",
                "  n1 -> n2 [label=\"1\"];",
                "  n0 -> n3 [label=\"0\"];",
                "  n0 -> n3 [label=\"1\"];",
                "  n3 -> n4 [style=dashed];",
                "}"), dot(List.of(y1, y2)));
    }

    @Test
    void quotesBackslashesAndLineBreaksInLabelsAreEscaped() {
        var odd = new Input("say \"hi\"", Type.f64(3));
        var y = add(odd, b).named("C:\\tmp\ntwo lines");
        assertEquals(lines(
                "digraph graft {",
                "  n0 [label=\"input say \\\"hi\\\" : [3]\", shape=ellipse];",
                "  n1 [label=\"param b : [3]\", shape=ellipse, style=filled, fillcolor=lightgrey];",
                "  n2 [label=\"add : [3]  'C:\\\\tmp\\ntwo lines'\", shape=box, peripheries=2];",
                "  n0 -> n2 [label=\"0\"];",
                "  n1 -> n2 [label=\"1\"];",
                "}"), dot(y));
    }

    @Test
    void aChainTenThousandDeepIsDrawn() {
        Node y = x;
        for (int i = 0; i < 10_000; i++) y = add(y, b);
        List<String> out = dot(y).lines().toList();
        assertEquals(1 + 10_002 + 20_000 + 1, out.size()); // header, nodes, two edges per add, brace
        assertTrue(out.get(10_002).startsWith("  n10001 [label=\"add : [n, 3]\", shape=box, peripheries=2]"));
    }
}
