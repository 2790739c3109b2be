package org.graft.ops;

import static org.graft.ops.Ops.arange;
import static org.graft.ops.Ops.eye;
import static org.graft.ops.Ops.linspace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

import org.graft.core.tensor.Tensor;

/** eye, arange and linspace: constants of numbers known when the graph is built. */
class ConstructorsTest {

    @Example
    void eyePutsOnesOnItsDiagonalAsNumPy() {
        assertEquals(Tensor.matrix(new double[] {1, 0}, new double[] {0, 1}), eye(2).value());
        assertEquals(Tensor.matrix(new double[] {0, 1, 0}, new double[] {0, 0, 1}), eye(2, 3, 1).value());
        assertEquals(Tensor.matrix(new double[] {0, 0}, new double[] {1, 0}, new double[] {0, 1}), eye(3, 2, -1).value());
        assertEquals(Tensor.matrix(new double[] {0, 0}, new double[] {0, 0}), eye(2, 2, 5).value());
        assertEquals(Tensor.of(new double[0], 0, 3), eye(0, 3, 0).value());
        assertEquals("eye: the dims must be 0 or more, found -1 and -1", assertThrows(IllegalArgumentException.class, () -> eye(-1)).getMessage());
    }

    @Example
    void arangeCountsFromStartByStepBeforeStop() {
        assertEquals(Tensor.vector(0, 1, 2, 3, 4), arange(5).value());
        assertEquals(Tensor.vector(1, 1.25, 1.5, 1.75), arange(1, 2, 0.25).value());
        assertEquals(Tensor.vector(5, 4, 3, 2), arange(5, 1, -1).value());
        assertEquals(Tensor.vector(), arange(3, 1, 1).value());
        assertEquals(Tensor.vector(1, 1.1, 1.2, 1.3), arange(1, 1.3, 0.1).value());   // (1.3 - 1) / 0.1 rounds up past 3, as in PyTorch
        assertEquals(Tensor.vector(0, 0.1, 0.2), arange(0, 0.3, 0.1).value().map(v -> Math.rint(v * 10) / 10));   // 3 numbers: 0.3 / 0.1 is 2.9999...
        assertEquals("arange: start, stop and step must be finite and step not 0, found 0, 1 and 0",
                assertThrows(IllegalArgumentException.class, () -> arange(0, 1, 0)).getMessage());
        assertEquals("arange: start, stop and step must be finite and step not 0, found 0, Infinity and 1",
                assertThrows(IllegalArgumentException.class, () -> arange(Double.POSITIVE_INFINITY)).getMessage());
    }

    @Property(tries = 200)
    void arangesElementIIsStartPlusITimesStep(@ForAll @DoubleRange(min = -100, max = 100) double start,
                                              @ForAll @DoubleRange(min = -100, max = 100) double stop,
                                              @ForAll @DoubleRange(min = 0.1, max = 10) double step) {
        Tensor up = arange(start, stop, step).value();
        assertEquals(Math.max(0, (int) Math.ceil((stop - start) / step)), up.size());
        for (int i = 0; i < up.size(); i++) assertEquals(start + i * step, up.getFlat(i));
        // Before stop but for the rounding of (stop - start) / step, which NumPy and PyTorch share.
        double slack = 4 * Math.ulp(Math.abs(start) + Math.abs(stop));
        if (up.size() > 0) assertTrue(up.getFlat(up.size() - 1) < stop + slack, () -> "last " + up.getFlat(up.size() - 1) + " past stop " + stop);
    }

    @Example
    void linspaceIncludesBothEnds() {
        assertEquals(Tensor.vector(0, 0.25, 0.5, 0.75, 1), linspace(0, 1, 5).value());
        assertEquals(Tensor.vector(3), linspace(3, 7, 1).value());
        assertEquals(Tensor.vector(), linspace(3, 7, 0).value());
        assertEquals(Tensor.vector(2, 2, 2), linspace(2, 2, 3).value());
        assertEquals("linspace: num must be 0 or more, found -1", assertThrows(IllegalArgumentException.class, () -> linspace(0, 1, -1)).getMessage());
    }

    @Property(tries = 200)
    void linspacesEndsAreExactAndItsStepsEven(@ForAll @DoubleRange(min = -1e3, max = 1e3) double start,
                                             @ForAll @DoubleRange(min = -1e3, max = 1e3) double stop, @ForAll @IntRange(min = 2, max = 40) int num) {
        Tensor v = linspace(start, stop, num).value();
        assertEquals(start, v.getFlat(0));
        assertEquals(stop, v.getFlat(num - 1));
        double step = (stop - start) / (num - 1);
        for (int i = 1; i < num; i++) assertEquals(step, v.getFlat(i) - v.getFlat(i - 1), 1e-12 * (Math.abs(start) + Math.abs(stop) + 1));
    }
}
