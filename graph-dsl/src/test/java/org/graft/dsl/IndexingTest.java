package org.graft.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.graft.core.GraftException;
import org.graft.core.Type;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Integer-array indexing in the language, NumPy's: {@code x[i]} and {@code x[i, j]} with index
 * arrays (literals, or any value of the graph), beside ranges and integers. The expected values
 * are NumPy's for the same subscripts, worked out by hand from its rules.
 */
class IndexingTest {

    /** x[a, b, c] = 100 a + 10 b + c, of shape [2, 3, 4]: a value says where it was read. */
    private static final Tensor X = positions();

    private static Tensor positions() {
        double[] v = new double[24];
        for (int a = 0; a < 2; a++) for (int b = 0; b < 3; b++) for (int c = 0; c < 4; c++) v[a * 12 + b * 4 + c] = 100 * a + 10 * b + c;
        return Tensor.of(v, 2, 3, 4);
    }

    @Test
    void oneIndexArrayReadsAlongItsAxisAndAScalarOneDropsIt() {
        assertEquals(Tensor.of(new double[] {100, 101, 102, 103, 0, 1, 2, 3, 100, 101, 102, 103}, 3, 4),
                eval("y = x[[1, 0, -1], 0]"));                               // x[[1, 0, -1], 0]: the integer with the array
        assertEquals(Shape.of(2, 2, 4), eval("y = x[:, [2, 0]]").shape());
        assertEquals(Tensor.of(new double[] {23, 21, 123, 121}, 2, 2), eval("y = x[:, 2, [3, 1]]"));
        assertEquals(Tensor.vector(22, 12), eval("y = x[0, 1:, 2][[1, 0]]"));
    }

    @Test
    void indexArraysOnAdjacentAxesReadTheirBroadcastPairs() {
        assertEquals(Tensor.of(new double[] {2, 120, 120}, 3), eval("y = x[[0, 1, 1], [0, 2, 2], [2, 0, 0]]"));
        // [[0], [1]] with [0, 2]: a [2, 2] grid of rows 0, 1 and columns 0, 2
        assertEquals(Tensor.of(new double[] {0, 1, 2, 3, 20, 21, 22, 23, 100, 101, 102, 103, 120, 121, 122, 123}, 2, 2, 4),
                eval("y = x[[[0], [1]], [0, 2]]"));
        assertEquals(Tensor.of(new double[] {1, 23, 11, 101, 123, 111}, 2, 3), eval("y = x[:, [0, 2, 1], [1, 3, 1]]"));
    }

    /** NumPy: index arrays (or an array and an integer) separated by a slice put their dims first. */
    @Test
    void indexArraysSeparatedByASliceGoFirst() {
        assertEquals(Tensor.of(new double[] {3, 13, 23, 100, 110, 120}, 2, 3), eval("y = x[[0, 1], :, [3, 0]]"));
        assertEquals(Tensor.of(new double[] {3, 13, 23, 1, 11, 21}, 2, 3), eval("y = x[0, :, [3, 1]]"));
    }

    /** The pattern of a per-row pick: an index vector per axis, both values of the graph, on a batch of symbolic size. */
    @Test
    void rowsAndLabelsPickOneElementPerRow() {
        String source = """
                input z: [n, 3]
                input rows: [n]
                input labels: [n]
                y = z[rows, labels]
                g = grad(sum(y * y), z)
                output y, g
                """;
        Program p = Graft.compile("pick.graft", source);
        assertEquals(Type.f64("n"), p.outputs().get("y").type());
        Tensor z = Tensor.matrix(new double[] {1, 2, 3}, new double[] {4, 5, 6});
        var out = Compiler.compile(p.inputs(), List.copyOf(p.outputs().values())).call(z, Tensor.vector(0, 1), Tensor.vector(2, 0));
        assertEquals(Tensor.vector(3, 4), out.get(0));
        assertEquals(Tensor.matrix(new double[] {0, 0, 6}, new double[] {8, 0, 0}), out.get(1));
        // a scalar of the graph indexes too: argmax without an axis
        assertEquals(Tensor.vector(120, 121, 122, 123), eval("y = x[1, argmax(x[1, :, 0])]"));
    }

    @Test
    void aRepeatedIndexAccumulatesTheGradient() {
        assertEquals(Tensor.of(new double[] {0, 0, 0, 2, 0, 0, 1, 0, 0, 0, 0, 0}, 3, 4).broadcastTo(Shape.of(2, 3, 4)),
                eval("y = grad(sum(x[:, [0, 0, 1], [3, 3, 2]]), x)"));
    }

    @Test
    void anIndexOutOfRangeIsAnErrorAtTheSubscriptWhenTheValuesAreFed() {
        String source = "input x: [2, 3]\ninput i: [2]\ny = x[:, i]\noutput y\n";
        Program p = Graft.compile("bad.graft", source);
        var f = Compiler.compile(p.inputs(), List.copyOf(p.outputs().values()));
        var e = assertThrows(GraftException.class, () -> f.call(Tensor.zeros(Shape.of(2, 3)), Tensor.vector(1, 3)));
        assertEquals("bad.graft:3:6: error: take(x, i): index 3 at [1] is out of range for axis 1 of size 3", Graft.format(e));
        var s = assertThrows(GraftException.class, () -> Graft.compile("bad.graft", "input x: [2, 3]\ny = x[[0, 1], [0, 1, 2]]\n"));
        assertEquals("bad.graft:2:6: error: take(x, constant[2], constant[3]): the index arrays' dims do not broadcast together: "
                + "[[2], [3]]", Graft.format(s));
    }

    private static Tensor eval(String binding) {
        String source = "input x: [2, 3, 4]\n" + binding + "\noutput y\n";
        Program p = Graft.compile("indexing.graft", source);
        return Compiler.compile(p.inputs(), List.copyOf(p.outputs().values())).call(X).get(0);
    }
}
