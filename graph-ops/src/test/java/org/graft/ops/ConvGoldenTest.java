package org.graft.ops;

import static org.graft.ops.Ops.avgPool2d;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.conv2d;
import static org.graft.ops.Ops.convTranspose2d;
import static org.graft.ops.Ops.maxPool2d;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Type;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * conv2d, its two gradients, conv_transpose2d and the two pools against PyTorch float64, on the
 * random cases {@code scripts/golden/conv.py} wrote to {@code torch/conv.txt}: every value
 * within 1e-12 of PyTorch's, relative to the value or to 1 where it is smaller (sums in another
 * order differ in the last places).
 */
class ConvGoldenTest {

    /** A case of the fixture: its kind (the op) and its arrays, each tensor's with its {@code _shape}. */
    private record Case(String kind, GoldenBlocks.Block block) {
        double[] get(String name) { return block.numbers(name); }

        int[] ints(String name) { return block.integers(name); }

        Tensor tensor(String name) { return Tensor.of(Shape.of(ints(name + "_shape")), get(name)); }
    }

    @TestFactory
    Stream<DynamicTest> eachCaseAgreesWithPyTorch() throws IOException {
        List<Case> cases = cases();
        assertEquals(72, cases.size(), "cases in the fixture");
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.kind(), () -> {
            switch (c.kind()) {
                case "conv2d" -> conv2dAgrees(c);
                case "conv_transpose2d" -> convTransposeAgrees(c);
                case "max_pool2d", "avg_pool2d" -> poolAgrees(c);
                default -> throw new AssertionError("unknown case " + c.kind());
            }
        }));
    }

    private static void conv2dAgrees(Case c) {
        int[] s = c.ints("spec");
        var spec = new Conv.Spec(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8]);
        List<Tensor> got = valueAndGradients(c.tensor("x"), c.tensor("W"), c.tensor("g"), (x, w) -> conv2d(x, w, spec));
        assertClose(c.get("y"), got.get(0), "y");
        assertClose(c.get("gx"), got.get(1), "gx");
        assertClose(c.get("gW"), got.get(2), "gW");
    }

    private static void convTransposeAgrees(Case c) {
        int[] s = c.ints("spec"), shape = c.ints("y_shape");
        var spec = Conv.Spec.of(s[0], s[1], s[2], s[3]);
        Tensor g = c.tensor("g"), w = c.tensor("W");
        Input ig = new Input("g", Type.of(g)), iw = new Input("W", Type.of(w));
        Node y = convTranspose2d(ig, iw, spec, shape[2], shape[3]);
        assertEquals(Shape.of(shape), y.type().shape());
        assertClose(c.get("y"), Compiler.compile(List.of(ig, iw), List.of(y), Options.NONE).call(g, w).get(0), "y");
    }

    private static void poolAgrees(Case c) {
        int[] w = c.ints("window");
        var window = new Pool.Window(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]);
        boolean max = c.kind().equals("max_pool2d");
        boolean countPadding = max || c.ints("count_include_pad")[0] == 1;
        Tensor x = c.tensor("x");
        Input in = new Input("x", Type.of(x));
        Node y = max ? maxPool2d(in, window) : avgPool2d(in, window, countPadding);
        Tensor g = Tensor.of(y.type().shape(), c.get("g"));
        Node gx = GradTable.grad(sum(mul(y, constant(g))), in);
        List<Tensor> got = Compiler.compile(List.of(in), List.of(y, gx), Options.NONE).call(x);
        assertClose(c.get("y"), got.get(0), "y");
        assertClose(c.get("gx"), got.get(1), "gx");
    }

    /** y = f(a, b) and the gradients of {@code <g, y>} with respect to a and b. */
    private static List<Tensor> valueAndGradients(Tensor a, Tensor b, Tensor g, java.util.function.BinaryOperator<Node> f) {
        Input ia = new Input("a", Type.of(a)), ib = new Input("b", Type.of(b));
        Node y = f.apply(ia, ib);
        var outputs = new ArrayList<Node>(List.of(y));
        outputs.addAll(GradTable.grad(sum(mul(y, constant(g))), List.of(ia, ib)));
        return Compiler.compile(List.of(ia, ib), outputs, Options.NONE).call(a, b);
    }

    private static void assertClose(double[] want, Tensor got, String what) {
        assertEquals(want.length, got.size(), what + ": sizes");
        for (int i = 0; i < want.length; i++) {
            double w = want[i], g = got.getFlat(i);
            assertTrue(Math.abs(w - g) <= 1e-12 * Math.max(1, Math.abs(w)), what + "[" + i + "]: PyTorch " + w + ", Graft " + g);
        }
    }

    private static List<Case> cases() throws IOException {
        return GoldenBlocks.read("/torch/conv.txt").stream().map(b -> new Case(b.name(), b)).toList();
    }
}
