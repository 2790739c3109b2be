package org.graft.core.print;

import static org.graft.core.print.DebugPrint.debugprint;
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
import org.graft.core.ops.Broadcasting.BroadcastLike;
import org.graft.core.ops.Broadcasting.SumTo;
import org.graft.core.ops.FillLike;
import org.graft.core.ops.StopGradient;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class DebugPrintTest {
    private final Input x = new Input("x", Type.f64("n", 3));
    private final Param b = new Param("b", Tensor.vector(1, 2, 3));

    private static Apply add(Node a, Node b) { return Apply.of(new Add(), a, b); }

    private static String lines(String... lines) { return String.join("\n", lines) + "\n"; }

    @Test
    void operandsAreIndentedUnderTheirConsumerInOrder() {
        var y = add(add(x, b), b).named("y");
        assertEquals(lines(
                "add : [n, 3]  'y'",
                " |add : [n, 3]",
                " | |input x : [n, 3]",
                " | |param b : [3]",
                " |param b : [3]"), debugprint(y));
    }

    @Test
    void aNodeUsedTwiceIsWrittenOnceAndThenReferredToByItsId() {
        var h = add(x, b).named("h");
        assertEquals(lines(
                "add : [n, 3]",
                " |add : [n, 3]  'h'  #1",
                " | |input x : [n, 3]",
                " | |param b : [3]",
                " |add : [n, 3]  'h'  #1 (above)"), debugprint(add(h, h)));
    }

    @Test
    void idsAreNumberedInTheOrderTheLinesAreWritten() {
        var h = add(x, b).named("h");
        var g = add(h, h);
        var y = add(g, add(g, h));
        assertEquals(lines(
                "add : [n, 3]",
                " |add : [n, 3]  #1",
                " | |add : [n, 3]  'h'  #2",
                " | | |input x : [n, 3]",
                " | | |param b : [3]",
                " | |add : [n, 3]  'h'  #2 (above)",
                " |add : [n, 3]",
                " | |add : [n, 3]  #1 (above)",
                " | |add : [n, 3]  'h'  #2 (above)"), debugprint(y));
    }

    @Test
    void leavesAreOneLineWhereverTheyAppearAndNeverGetIds() {
        assertEquals(lines(
                "add : [n, 3]",
                " |input x : [n, 3]",
                " |input x : [n, 3]"), debugprint(add(x, x)));
    }

    @Test
    void smallConstantsShowTheirValuesAndLargeOnesOnlyTheirType() {
        var two = Constant.scalar(2.0);
        assertEquals(lines(
                "add : [n, 3]",
                " |input x : [n, 3]",
                " |constant 2.0 : []"), debugprint(add(x, two)));
        var row = Constant.of(Tensor.vector(1, 2.5, -3));
        var matrix = Constant.of(Tensor.matrix(new double[] {0.1, 0, 1e-8}, new double[] {4, 5, 6}));
        assertEquals(lines(
                "add : [2, 3]",
                " |constant [1.0, 2.5, -3.0] : [3]",
                " |constant [[0.1, 0.0, 1.0E-8], [4.0, 5.0, 6.0]] : [2, 3]"), debugprint(add(row, matrix)));
        var eight = Constant.of(Tensor.zeros(Shape.of(2, 4)));
        var nine = Constant.of(Tensor.zeros(Shape.of(9)));
        var empty = Constant.of(Tensor.zeros(Shape.of(0)));
        assertEquals("constant [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]] : [2, 4]\n", debugprint(eight));
        assertEquals("constant : [9]\n", debugprint(nine));
        assertEquals("constant [] : [0]\n", debugprint(empty));
    }

    @Test
    void aNamedConstantShowsItsNameAfterItsType() {
        var eps = Constant.scalar(1e-8).named("eps");
        var big = Constant.of(Tensor.zeros(Shape.of(3, 3))).named("init");
        assertEquals(lines(
                "add : [3, 3]",
                " |constant : [3, 3]  'init'",
                " |constant 1.0E-8 : []  'eps'"), debugprint(add(big, eps)));
    }

    @Test
    void opsShowTheirAttributes() {
        var s = Apply.of(new SumTo(Type.f64(3)), x).named("s");
        var y = Apply.of(new StopGradient(), Apply.of(new BroadcastLike(), s, Apply.of(new FillLike(2.0), x)));
        assertEquals(lines(
                "stop_gradient : [n, 3]  'dcost/dx'",
                " |broadcast_to : [n, 3]",
                " | |sum_to{target=[3]} : [3]  's'",
                " | | |input x : [n, 3]",
                " | |fill{value=2.0} : [n, 3]",
                " | | |input x : [n, 3]"), debugprint(y.named("dcost/dx")));
    }

    @Test
    void severalRootsPrintOneTreeAfterAnotherSharingIds() {
        var h = add(x, b).named("h");
        var y1 = add(h, x).named("y1");
        var y2 = add(h, b).named("y2");
        assertEquals(lines(
                "add : [n, 3]  'y1'",
                " |add : [n, 3]  'h'  #1",
                " | |input x : [n, 3]",
                " | |param b : [3]",
                " |input x : [n, 3]",
                "add : [n, 3]  'y2'",
                " |add : [n, 3]  'h'  #1 (above)",
                " |param b : [3]",
                "add : [n, 3]  'h'  #1 (above)"), debugprint(List.of(y1, y2, h)));
        assertEquals(lines(
                "add : [n, 3]  'h'  #1",
                " |input x : [n, 3]",
                " |param b : [3]",
                "add : [n, 3]  'y1'",
                " |add : [n, 3]  'h'  #1 (above)",
                " |input x : [n, 3]"), debugprint(h, y1));
    }

    @Test
    void aRootGivenTwiceIsWrittenOnce() {
        var h = add(x, b);
        assertEquals(lines(
                "add : [n, 3]  #1",
                " |input x : [n, 3]",
                " |param b : [3]",
                "add : [n, 3]  #1 (above)"), debugprint(h, h));
    }

    @Test
    void aChainTenThousandDeepPrintsWithLinesOfBoundedLength() {
        Node y = x;
        for (int i = 0; i < 10_000; i++) y = add(y, b);
        List<String> out = debugprint(y).lines().toList();
        assertEquals(20_001, out.size()); // 10,000 adds, x, and b under each add
        assertEquals("add : [n, 3]", out.get(0));
        assertEquals(" |".repeat(32) + "add : [n, 3]", out.get(32));
        assertEquals("[33] |add : [n, 3]", out.get(33));
        assertEquals("[10000] |input x : [n, 3]", out.get(10_000));
        assertEquals("[10000] |param b : [3]", out.get(10_001));
        assertEquals(" |param b : [3]", out.get(20_000));
        assertTrue(out.stream().allMatch(line -> line.length() <= 2 * DebugPrint.MAX_BARS + 20));
    }

    @Test
    void aChainOfSharedNodesTenThousandDeepPrintsInLinearSpace() {
        Node y = x;
        for (int i = 0; i < 10_000; i++) y = add(y, y); // 2^10000 paths, 10,000 nodes
        List<String> out = debugprint(y).lines().toList();
        assertEquals(20_001, out.size()); // each node once in full and once as a reference
        assertEquals("add : [n, 3]", out.get(0));
        assertEquals(" |add : [n, 3]  #1", out.get(1));
        assertEquals("[9999] |add : [n, 3]  #9999", out.get(9_999));
        assertEquals("[10000] |input x : [n, 3]", out.get(10_000));
        assertEquals("[10000] |input x : [n, 3]", out.get(10_001));
        assertEquals("[9999] |add : [n, 3]  #9999 (above)", out.get(10_002));
        assertEquals(" |add : [n, 3]  #1 (above)", out.get(20_000));
    }
}
